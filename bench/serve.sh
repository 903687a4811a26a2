#!/bin/sh
# Requests per second of `newsmirror serve` on an article page, against
# nginx serving the very same bytes as a static file, in the same run, with
# the same wrk settings; prints both and the ratio (the target: >= 0.5).
#
# The mirror: COUNT articles (default 300) made from ../shared/corpus/archive
# by make_catalog_archive.py, imported into the catalog. The page is fetched
# from the server itself and written into nginx's root. nginx runs in the
# foreground from a temporary prefix (no daemon, nothing installed in /etc),
# with as many workers as the server has threads (both: one per hardware
# thread). wrk sends no Accept-Encoding, so both send the page unzipped.
#
# Usage: bench/serve.sh [COUNT] [BUILD_DIR] [SECONDS] [CONNECTIONS] [ROUNDS]
set -eu
count=${1:-300}
build=${2:-build-rel}
seconds=${3:-10}
connections=${4:-64}
rounds=${5:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/$build/newsmirror"
[ -x "$bin" ] || { echo "no $bin: build first (cmake -B $build -DCMAKE_BUILD_TYPE=Release)" >&2; exit 2; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v curl >/dev/null; then
  apt-get install -y wrk nginx-light curl >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/serve-bench.XXXXXX")
serve_pid=
nginx_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$bin" --quiet init "$work/mirror"
python3 "$here/bench/make_catalog_archive.py" "$here/../shared/corpus/archive" "$work/mirror" "$count"
"$bin" --mirror "$work/mirror" --quiet import

"$bin" --mirror "$work/mirror" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
tries=0
until grep -q 'http://' "$work/serve.out" 2>/dev/null; do
  tries=$((tries + 1))
  [ $tries -gt 100 ] && { echo "newsmirror serve did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
serve_url=$(grep -o 'http://[^ ]*' "$work/serve.out" | head -n 1)

# An article from the middle of the archive, as /api/articles names it.
page=$(curl -sf "${serve_url}api/articles?limit=1&offset=$((count / 2))" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["url"])')
mkdir -p "$work/www" "$work/nginx-temp"
curl -sf -o "$work/www/article.html" "${serve_url}${page#/}"
bytes=$(stat -c %s "$work/www/article.html")
# nginx's workers run as another user when started by root.
chmod a+rx "$work" "$work/www"
chmod a+r "$work/www/article.html"

nginx_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx-temp/body;
  proxy_temp_path $work/nginx-temp/proxy;
  fastcgi_temp_path $work/nginx-temp/fastcgi;
  uwsgi_temp_path $work/nginx-temp/uwsgi;
  scgi_temp_path $work/nginx-temp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    default_type "text/html; charset=utf-8";
  }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
tries=0
until curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/article.html"; do
  tries=$((tries + 1))
  [ $tries -gt 100 ] && { echo "nginx did not start:" >&2; cat "$work/nginx-error.log" >&2; exit 1; }
  sleep 0.1
done
curl -sf -o "$work/nginx-copy.html" "http://127.0.0.1:$nginx_port/article.html"
cmp -s "$work/www/article.html" "$work/nginx-copy.html" || { echo "nginx serves other bytes" >&2; exit 1; }

rate() {  # URL -> requests/s; a run with errors or non-2xx answers does not count
  wrk -t2 -c"$connections" -d1s "$1" >/dev/null  # warm up
  wrk -t2 -c"$connections" -d"${seconds}s" "$1" >"$work/wrk.out"
  if grep -E 'Non-2xx|Socket errors' "$work/wrk.out" >&2; then
    echo "wrk saw failures against $1" >&2
    exit 1
  fi
  awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.out"
}
echo "article page $page ($bytes bytes), wrk -t2 -c$connections -d${seconds}s, $(nproc) hardware threads"
# The two take turns, $rounds rounds, and each keeps its best: a machine
# shared with other work then penalizes neither side more than the other.
serve_rate=0
nginx_rate=0
round=0
while [ $round -lt "$rounds" ]; do
  round=$((round + 1))
  r=$(rate "${serve_url}${page#/}")
  serve_rate=$(python3 -c "print(max($serve_rate, $r))")
  r=$(rate "http://127.0.0.1:$nginx_port/article.html")
  nginx_rate=$(python3 -c "print(max($nginx_rate, $r))")
done
echo "newsmirror serve: $serve_rate requests/s"
echo "nginx (static):   $nginx_rate requests/s"
python3 -c "print('ratio serve/nginx: %.2f (target >= 0.50)' % ($serve_rate / $nginx_rate))"
