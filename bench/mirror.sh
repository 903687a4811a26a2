#!/usr/bin/env bash
# Benchmark: a full first mirror cycle and a no-change cycle over 200 feeds x
# 50 items built from the real archive sample, served on 127.0.0.1, against
# the existing mirrors' approach (Node.js + rss-parser, bench/baseline) on the
# same input in the same run. Prints medians of RUNS runs, the ratio, and
# where newsmirror's first cycle spends its time (fetch --timings), step by step.
#
# usage: bench/mirror.sh [--feeds N] [--items N] [--runs N]
# needs: build/newsmirror (scripts/setup), node and npm, ../shared/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

feeds=200 items=50 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --feeds) feeds=$2; shift 2 ;;
    --items) items=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--feeds N] [--items N] [--runs N]" >&2; exit 2 ;;
  esac
done

bin=$PWD/build/newsmirror
corpus=$PWD/../shared/corpus/archive/articles
[ -x "$bin" ] || { echo "bench: $bin missing; run scripts/setup first" >&2; exit 2; }
[ -d "$corpus" ] || { echo "bench: $corpus missing (../shared is needed)" >&2; exit 2; }

if [ ! -d bench/baseline/node_modules/rss-parser ]; then
  (cd bench/baseline && npm install --no-audit --no-fund --silent) >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/newsmirror-bench.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

python3 bench/make_feeds.py "$corpus" "$work/input" --feeds "$feeds" --items "$items" >&2
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/input" "$port" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/sources.json" >/dev/null && break
  sleep 0.1
done

# A newsmirror.toml listing every generated feed.
write_config() {
  python3 - "$work/input/sources.json" "http://127.0.0.1:$port" >"$1/newsmirror.toml" <<'PY'
import json, sys
sources = json.load(open(sys.argv[1], encoding="utf-8"))
print('timezone = "Asia/Shanghai"')
for s in sources:
    print(f'\n[[source]]\nname = "{s["name"]}"\nurl = "{sys.argv[2]}{s["path"]}"')
PY
}

seconds() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

first=() second=() node=()
for run in $(seq "$runs"); do
  mirror="$work/mirror-$run"
  "$bin" init "$mirror" >/dev/null
  write_config "$mirror"
  t0=$(seconds); "$bin" --mirror "$mirror" --json fetch --timings >"$work/timings-$run.json"; t1=$(seconds)
  "$bin" --mirror "$mirror" --quiet fetch; t2=$(seconds)
  first+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
  second+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')")
  count=$(find "$mirror/articles" -name '*.md' | wc -l)
  [ "$count" -eq $((feeds * items)) ] || { echo "bench: newsmirror archived $count of $((feeds * items))" >&2; exit 1; }

  out="$work/node-$run"
  t0=$(seconds); node bench/baseline/mirror.js "$work/input/sources.json" "http://127.0.0.1:$port" "$out" >/dev/null; t1=$(seconds)
  node+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")
done
# Outputs are removed only at the end: on ext4, creating files right after
# deleting tens of thousands is several times slower (the allocator skips
# recently freed inodes), which would punish whichever tool runs next.

# The floor no mirror can beat on this disk: creating the same number of
# files of the same total size, with plain writes and no durability at all.
floor_dir="$work/floor"
t0=$(seconds)
python3 - "$work/mirror-1/articles" "$floor_dir" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
for site in os.listdir(src):
    os.makedirs(os.path.join(dst, site))
    for name in os.listdir(os.path.join(src, site)):
        with open(os.path.join(src, site, name), "rb") as f:
            data = f.read()
        with open(os.path.join(dst, site, name), "wb") as f:
            f.write(data)
PY
t1=$(seconds)
m_floor=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')

m_first=$(printf '%s\n' "${first[@]}" | median)
m_second=$(printf '%s\n' "${second[@]}" | median)
m_node=$(printf '%s\n' "${node[@]}" | median)
printf 'input: %d feeds x %d items (%s MB of XML), %d runs, medians\n' "$feeds" "$items" \
  "$(du -sm "$work/input/feeds" | cut -f1)" "$runs"
printf 'newsmirror first cycle:      %8.3f s\n' "$m_first"
printf 'newsmirror no-change cycle:  %8.3f s   (target < 0.5 s)\n' "$m_second"
printf 'node + rss-parser baseline:  %8.3f s\n' "$m_node"
printf 'floor: copying the same files:%8.3f s   (plain writes, no fsync; includes reading them)\n' "$m_floor"
printf 'ratio baseline / newsmirror: %8.1fx   (target >= 20x)\n' "$(awk -v a="$m_node" -v b="$m_first" 'BEGIN{print a/b}')"
echo "newsmirror first cycle, step by step (fetch --timings; medians of the runs):"
python3 - "$work"/timings-*.json <<'PY'
import json, statistics, sys
runs = [json.load(open(f))["timings"] for f in sys.argv[1:]]
print(f"  {'STEP':<52}{'WALL S':>8}{'CPU S':>8}")
for i, row in enumerate(runs[0]):
    same = [r[i] for r in runs if len(r) > i and r[i]["stage"] == row["stage"]]
    cpu = statistics.median(r["cpu_seconds"] for r in same)
    if row["part"]:
        print(f"    {row['stage'] + ' (threads)':<50}{'':>8}{cpu:8.3f}")
    else:
        wall = statistics.median(r["wall_seconds"] for r in same)
        print(f"  {row['stage']:<52}{wall:8.3f}{cpu:8.3f}")
PY
