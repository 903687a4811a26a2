#!/usr/bin/env bash
# Benchmark: a full first mirror cycle and a no-change cycle over 200 feeds x
# 50 items built from the real archive sample, served on 127.0.0.1, against
# the existing mirrors' approach (Node.js + rss-parser, bench/baseline) on the
# same input in the same run. Prints medians of RUNS runs:
#   - the first cycle until every article is durable, listed and in the
#     README (what a reader of the repository waits for), and the catalog
#     catching up after it (search; articles/s), against the baseline;
#   - the first cycle's peak anonymous memory (RssAnon), against the feeds;
#   - the same first cycle with clean = false, against the floor (plain
#     copies of the same files);
#   - the no-change cycle;
#   - where the first cycle spends its time (fetch --timings), step by step.
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

# A newsmirror.toml listing every generated feed; CLEAN=false archives them
# as their feeds have them.
write_config() {
  python3 - "$work/input/sources.json" "http://127.0.0.1:$port" "${2:-true}" >"$1/newsmirror.toml" <<'PY'
import json, sys
sources = json.load(open(sys.argv[1], encoding="utf-8"))
print('timezone = "Asia/Shanghai"')
print(f'clean = {sys.argv[3]}')
for s in sources:
    print(f'\n[[source]]\nname = "{s["name"]}"\nurl = "{sys.argv[2]}{s["path"]}"')
PY
}

seconds() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The wall seconds of the steps named (a Python regex) in a --timings JSON.
steps_wall() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
rows = json.load(open(sys.argv[1]))["timings"]
print(sum(r["wall_seconds"] for r in rows if not r["part"] and re.fullmatch(sys.argv[2], r["stage"])))
PY
}

listed=() catalog=() first=() second=() node=() memory=() raw=()
for run in $(seq "$runs"); do
  mirror="$work/mirror-$run"
  "$bin" init "$mirror" >/dev/null
  write_config "$mirror"
  t0=$(seconds)
  python3 bench/measure.py "$work/memory-$run.json" -- \
    "$bin" --mirror "$mirror" --json fetch --timings >"$work/timings-$run.json"
  t1=$(seconds)
  "$bin" --mirror "$mirror" --quiet fetch; t2=$(seconds)
  whole=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
  cataloging=$(steps_wall "$work/timings-$run.json" 'catalog.*')
  first+=("$whole")
  catalog+=("$cataloging")
  listed+=("$(awk -v a="$whole" -v b="$cataloging" 'BEGIN{print a-b}')")
  second+=("$(awk -v a="$t1" -v b="$t2" 'BEGIN{print b-a}')")
  memory+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["peak_rss_anon_mb"])' "$work/memory-$run.json")")
  count=$(find "$mirror/articles" -name '*.md' | wc -l)
  [ "$count" -eq $((feeds * items)) ] || { echo "bench: newsmirror archived $count of $((feeds * items))" >&2; exit 1; }

  plain="$work/plain-$run"
  "$bin" init "$plain" >/dev/null
  write_config "$plain" false
  t0=$(seconds); "$bin" --mirror "$plain" --json fetch --timings >"$work/plain-timings-$run.json"; t1=$(seconds)
  raw+=("$(awk -v a="$t0" -v b="$t1" -v c="$(steps_wall "$work/plain-timings-$run.json" 'catalog.*')" \
    'BEGIN{print b-a-c}')")

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

m() { printf '%s\n' "$@" | median; }
m_listed=$(m "${listed[@]}") m_catalog=$(m "${catalog[@]}") m_first=$(m "${first[@]}")
m_second=$(m "${second[@]}") m_node=$(m "${node[@]}") m_memory=$(m "${memory[@]}") m_raw=$(m "${raw[@]}")
feed_mb=$(du -sm "$work/input/feeds" | cut -f1)
articles=$((feeds * items))
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf 'input: %d feeds x %d items (%s MB of XML), %d runs, medians\n' "$feeds" "$items" "$feed_mb" "$runs"
printf 'newsmirror first cycle, durable and listed: %8.3f s\n' "$m_listed"
printf 'node + rss-parser baseline:                 %8.3f s\n' "$m_node"
printf 'ratio baseline / newsmirror (listed):       %8sx  (target >= 2x)\n' "$(ratio "$m_node" "$m_listed")"
printf 'then the catalog catching up:               %8.3f s = %.0f articles/s  (target >= 4000/s)\n' \
  "$m_catalog" "$(awk -v n="$articles" -v s="$m_catalog" 'BEGIN{print n/s}')"
printf 'newsmirror first cycle, whole:              %8.3f s\n' "$m_first"
printf 'peak anonymous memory of the first cycle:   %8.0f MB  (target <= 2 x %s MB of feeds + 150 = %d MB)\n' \
  "$m_memory" "$feed_mb" $((2 * feed_mb + 150))
printf 'clean = false, durable and listed:          %8.3f s\n' "$m_raw"
printf 'floor: copying the same files:              %8.3f s   (plain writes, no fsync; includes reading them)\n' "$m_floor"
printf 'ratio clean = false / floor:                %8sx  (target <= 1.5x)\n' "$(ratio "$m_raw" "$m_floor")"
printf 'newsmirror no-change cycle:                 %8.3f s   (target < 0.3 s)\n' "$m_second"
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
