#!/usr/bin/env bash
# Does every path stay flat as the archive grows? (issue 16, part 3)
#
# For each SIZE (default 10000 100000 1000000) this builds a classic mirror
# of SIZE articles from the real texts in ../shared/corpus/archive
# (bench/make_catalog_archive.py; about 6 KB a file, so about 6 GB at a
# million, plus the catalog: mind the disk) and measures, in one run:
#   - `import` of the whole archive into the empty mirror: articles/s and
#     peak anonymous memory (RssAnon);
#   - the first `publish --git` and a full `build` (setup; reported);
#   - a cycle (`fetch`) that brings 100 new articles (20 to each of five
#     sites, served on 127.0.0.1) once a first such cycle has run: wall
#     time, the bytes it reads and writes (all read/write system calls,
#     /proc/PID/io), the pages it faults in (which counts what it reads of
#     the memory-mapped catalog) and peak RssAnon; then a cycle with nothing
#     new;
#   - an incremental `build` after those 100 articles;
#   - `publish --git` of that cycle, against `git add -A && git commit` of
#     the very same change (the commit is undone with `git reset` in between);
#   - `search` latency p50/p99 over the recall test's 300 queries
#     (bench/catalog_bench, in-process, warm page cache);
#   - `serve` under wrk: requests/s on an article page and on /api/search
#     with queries no cache holds (two real words drawn at random per
#     request), and the server's peak RssAnon.
# A table with one row per size follows; the cost of work that does not grow
# with the archive (a 100-article cycle, an incremental build, a publish)
# must not grow with it either.
#
# usage: bench/scale.sh [--sizes "10000 100000 1000000"] [--build DIR] [--seconds N]
#   DIR (default build-bench) is configured with -DNEWSMIRROR_BENCH=ON
#   (catalog_bench) and built here. Needs wrk, git, ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="10000 100000 1000000" build=build-bench seconds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: $0 [--sizes \"N ...\"] [--build DIR] [--seconds N]" >&2; exit 2 ;;
  esac
done
here=$PWD
bin=$here/$build/newsmirror
corpus=$here/../shared/corpus/archive
[ -d "$corpus" ] || { echo "bench: $corpus missing (../shared is needed)" >&2; exit 2; }
cmake --build "$build" -j2 --target newsmirror catalog_bench >/dev/null
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/scale-bench.XXXXXX")
feed_server=
serve_measure=
cleanup() {
  [ -n "$feed_server" ] && kill "$feed_server" 2>/dev/null
  [ -n "$serve_measure" ] && kill "$serve_measure" 2>/dev/null && wait "$serve_measure" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

measure() { local out=$1; shift; python3 bench/measure.py "$out" -- "$@"; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
steps() {  # FILE TITLE: the steps of a `fetch --json --timings` that took over 5% of it
  python3 - "$1" "$2" <<'PY'
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["timings"] if not r["part"]]
total = sum(r["wall_seconds"] for r in rows)
print(f"{sys.argv[2]}, steps over 5%: " + ", ".join(
    f"{r['stage']} {r['wall_seconds']:.3f} s" for r in rows if r["wall_seconds"] > 0.05 * total))
PY
}

# Five sites of the archive get the cycles' new articles; the config names
# them as the archive's folders do.
sites=$(ls "$corpus/articles" | head -n 5 | paste -sd, -)
mkdir -p "$work/input"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/input" "$port" >/dev/null 2>&1 &
feed_server=$!
feeds() {  # TAG: the five feeds now carry 20 articles each, new for each TAG
  python3 bench/make_feeds.py "$corpus/articles" "$work/input" --names "$sites" --items 20 --tag "$1" >/dev/null
}
feeds first
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/sources.json" >/dev/null && break; sleep 0.1; done

# Two words of real titles per search request, drawn at random by wrk: the
# server has answered almost none of these pairs before.
python3 - "$corpus/articles" "$work/search.lua" <<'PY'
import pathlib, re, sys
words = set()
for path in pathlib.Path(sys.argv[1]).glob("*/*.md"):
    lines = path.read_text(encoding="utf-8").split("\n")
    title = lines[1] if len(lines) > 1 else ""
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", title):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
words = sorted(words)[:3000]
quoted = ",".join('"%s"' % "".join("%%%02X" % b for b in w.encode()) for w in words)
open(sys.argv[2], "w").write(
    "local words = {%s}\n"
    "math.randomseed(os.time())\n"
    "request = function()\n"
    "  local q = words[math.random(#words)] .. '%%20' .. words[math.random(#words)]\n"
    "  return wrk.format(nil, '/api/search?q=' .. q)\n"
    "end\n" % quoted)
PY

wrk_rate() {  # URL [SCRIPT] -> requests/s; errors or non-2xx answers fail the bench
  local script=()
  [ -n "${2:-}" ] && script=(-s "$2")
  wrk -t2 -c32 -d1s --timeout 30s "${script[@]}" "$1" >/dev/null
  wrk -t2 -c32 -d"${seconds}s" --timeout 10s "${script[@]}" "$1" >"$work/wrk.out"
  if grep -E 'Non-2xx|Socket errors' "$work/wrk.out" >&2; then echo "bench: wrk saw failures against $1" >&2; exit 1; fi
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$work/wrk.out"
}

rows=()
for size in $sizes; do
  dir="$work/n$size"
  mirror="$dir/mirror"
  mkdir -p "$dir"
  echo "== $size articles; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$bin" --quiet init "$mirror"
  python3 bench/make_catalog_archive.py "$corpus" "$mirror" "$size" 30
  echo "archive: $(du -sm "$mirror/articles" | cut -f1) MB of Markdown"
  sync

  measure "$dir/import.json" "$bin" --mirror "$mirror" --json import >"$dir/import.out"
  import_rate=$(python3 -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))["files_per_second"])' "$dir/import.out")
  import_mb=$(field "$dir/import.json" peak_rss_anon_mb)
  echo "import: $import_rate articles/s, peak RssAnon $import_mb MB"

  measure "$dir/publish-first.json" "$bin" --mirror "$mirror" --quiet publish --git
  measure "$dir/build-first.json" "$bin" --mirror "$mirror" --quiet build --out "$dir/site"
  echo "first publish --git: $(field "$dir/publish-first.json" wall_seconds) s; full build: $(field "$dir/build-first.json" wall_seconds) s"

  python3 - "$work/input/sources.json" "http://127.0.0.1:$port" >"$mirror/newsmirror.toml" <<'PY'
import json, sys
print('timezone = "Asia/Shanghai"')
for s in json.load(open(sys.argv[1], encoding="utf-8")):
    print(f'\n[[source]]\nname = "{s["name"]}"\nurl = "{sys.argv[2]}{s["path"]}"')
PY
  # The first cycle after an import meets an archive the state has not seen
  # yet; it is reported, and the cycle measured is the next one.
  feeds "warm$size"
  measure "$dir/cycle-first.json" "$bin" --mirror "$mirror" --quiet fetch
  "$bin" --mirror "$mirror" --quiet publish --git
  "$bin" --mirror "$mirror" --quiet build --out "$dir/site"
  echo "first cycle after the import (100 new): $(field "$dir/cycle-first.json" wall_seconds) s"

  feeds "new$size"
  measure "$dir/cycle.json" "$bin" --mirror "$mirror" --json fetch --timings >"$dir/cycle.out"
  new=$(python3 -c 'import json,sys; print(sum(s.get("new", 0) for s in json.load(open(sys.argv[1]))["sources"]))' "$dir/cycle.out")
  [ "$new" -eq 100 ] || { echo "bench: the cycle archived $new new articles, not 100" >&2; exit 1; }
  steps "$dir/cycle.out" "cycle, 100 new"
  measure "$dir/cycle-none.json" "$bin" --mirror "$mirror" --json fetch --timings >"$dir/cycle-none.out"
  steps "$dir/cycle-none.out" "cycle, nothing new"
  measure "$dir/build.json" "$bin" --mirror "$mirror" --quiet build --out "$dir/site"
  measure "$dir/publish.json" "$bin" --mirror "$mirror" --quiet publish --git
  git -C "$mirror" reset -q HEAD~1
  # gc.auto=0: a detached `git gc` would still be writing when the folder is removed.
  measure "$dir/git.json" sh -c "cd '$mirror' && git add -A && git -c gc.auto=0 -c user.name=bench -c user.email=bench@localhost commit -qm bench"
  echo "cycle, 100 new: $(field "$dir/cycle.json" wall_seconds) s; nothing new: $(field "$dir/cycle-none.json" wall_seconds) s;" \
    "build: $(field "$dir/build.json" wall_seconds) s; publish: $(field "$dir/publish.json" wall_seconds) s," \
    "git add + commit: $(field "$dir/git.json" wall_seconds) s"

  search=$(CATALOG_BENCH_ONLY_OURS=1 "$build/bench/catalog_bench" --mirror "$mirror" --corpus "$corpus")
  echo "search: $search"
  p50=$(echo "$search" | sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p')
  p99=$(echo "$search" | sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p')

  python3 bench/measure.py "$dir/serve.json" -- "$bin" --mirror "$mirror" serve --listen 127.0.0.1:0 \
    >"$dir/serve.out" 2>"$dir/serve.err" &
  serve_measure=$!
  for _ in $(seq 600); do grep -q 'http://' "$dir/serve.out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$dir/serve.out" | head -n 1)
  [ -n "$url" ] || { echo "bench: serve did not start:" >&2; cat "$dir/serve.err" >&2; exit 1; }
  page=$(curl -sf "${url}api/articles?limit=1&offset=$((size / 2))" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"][0]["url"])')
  # The first page asked for makes the site model and the index of pages:
  # timed apart, not inside wrk's run.
  start=$(date +%s.%N)
  curl -sf -o /dev/null --max-time 600 "${url}${page#/}"
  echo "serve: first page $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s (the site model)"
  page_rate=$(wrk_rate "${url}${page#/}")
  search_rate=$(wrk_rate "$url" "$work/search.lua")
  kill "$serve_measure"
  wait "$serve_measure" || true
  serve_measure=
  serve_mb=$(field "$dir/serve.json" peak_rss_anon_mb)
  echo "serve: article page $page_rate/s, /api/search $search_rate/s, peak RssAnon $serve_mb MB"

  rows+=("$(python3 - "$dir" "$size" "$import_rate" "$import_mb" "$p50" "$p99" "$page_rate" "$search_rate" "$serve_mb" <<'PY'
import json, sys
d, size, rate, import_mb, p50, p99, page, search, serve_mb = sys.argv[1:]
j = lambda name: json.load(open(f"{d}/{name}.json"))
c, n, b, p, g = j("cycle"), j("cycle-none"), j("build"), j("publish"), j("git")
print(f"{int(size):>9} {rate:>8} {float(import_mb):>6.0f}"
      f" {c['wall_seconds']:>6.2f} {c['read_mb']:>6.1f} {c['written_mb']:>6.1f} {c['faulted_mb']:>7.1f}"
      f" {c['peak_rss_anon_mb']:>5.0f}"
      f" {n['wall_seconds']:>6.2f} {n['read_mb']:>6.1f} {n['faulted_mb']:>7.1f}"
      f" {float(p50):>5.1f} {float(p99):>5.1f} {b['wall_seconds']:>6.2f}"
      f" {p['wall_seconds']:>6.2f} {g['wall_seconds']:>6.2f} {p['wall_seconds'] / g['wall_seconds']:>5.2f}"
      f" {float(serve_mb):>6.0f} {page:>7} {search:>7}")
PY
)")
  rm -rf "$dir"
done

echo
echo "                 import  cycle, 100 new (MB: read, written, faulted, peak)  nothing new      search ms  build   publish vs git        serve"
echo "     size  arts/s   MB      s   read  wrote faulted  peak      s   read faulted   p50   p99  +100 s     s     git ratio     MB  page/s search/s"
printf '%s\n' "${rows[@]}"
echo "targets at 1,000,000: search p99 <= 20 ms; build after 100 new <= 2 s; publish <= 2x git;"
echo "  cycle peak <= 200 MB; serve peak <= 300 MB; import >= 4,224/s; nothing above grows with the archive"
echo "  where its work does not (the cycle, build and publish columns; nothing new)."
