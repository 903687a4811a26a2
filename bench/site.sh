#!/bin/sh
# Static site speed: builds the site of an archive of COUNT articles
# (default 100000, made from the real texts in ../shared/corpus/archive and
# spread five minutes apart, so over about a year) with `newsmirror build`,
# and in the same run the same articles as Markdown with Hugo (Debian's
# hugo, installed if missing; layouts in bench/hugo); then times an
# incremental build after 100 new articles (three times, median) and one
# with nothing new.
# Each full build starts from an empty folder; RUNS of each (default 3),
# medians reported.
# Usage: bench/site.sh [COUNT] [BUILD_DIR] [RUNS]
set -eu
count=${1:-100000}
build=${2:-build}
runs=${3:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/$build/newsmirror"
[ -x "$bin" ] || { echo "no $bin: build it first (cmake --build $build)" >&2; exit 2; }
command -v hugo >/dev/null 2>&1 || {
  echo "installing hugo" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get install -y -qq hugo >/dev/null
}
work=$(mktemp -d "${TMPDIR:-/tmp}/site-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "archive: $count articles (+3 x 100 for the incremental builds)"
python3 "$here/bench/make_catalog_archive.py" "$here/../shared/corpus/archive" "$work/staging" $((count + 300)) 300
"$bin" --quiet init "$work/mirror"
# Copies numbered above COUNT wait for the incremental builds, 100 a batch
# (the number of copy N is 0xFFFFF xor N, see make_catalog_archive.py).
python3 - "$work" "$count" <<'PY'
import os, sys
work, count = sys.argv[1], int(sys.argv[2])
staging = os.path.join(work, "staging", "articles")
for site in os.listdir(staging):
    for name in os.listdir(os.path.join(staging, site)):
        copy = int(name.split("_")[0].split(".")[0]) ^ 0xFFFFF
        batch = "mirror/articles" if copy <= count else "later%d" % ((copy - count - 1) // 100 + 1)
        folder = os.path.join(work, batch, site)
        os.makedirs(folder, exist_ok=True)
        os.rename(os.path.join(staging, site, name), os.path.join(folder, name))
PY
start=$(now); "$bin" --quiet --mirror "$work/mirror" import; end=$(now)
echo "import (not compared): $(minus "$end" "$start") s"

mkdir -p "$work/hugo"
cp -r "$here/bench/hugo/." "$work/hugo/"
python3 "$here/bench/mirror_to_hugo.py" "$work/mirror" "$work/hugo"
mkdir -p "$work/hugo/static"
cp "$here/templates/style.css" "$work/hugo/static/style.css"

ours=""; theirs=""
for run in $(seq "$runs"); do
  rm -rf "$work/site"; sync
  start=$(now); "$bin" --quiet --mirror "$work/mirror" build --out "$work/site" --base-url https://example.org/news/; end=$(now)
  ours="$ours $(minus "$end" "$start")"
  rm -rf "$work/hugo/public" "$work/hugo/resources"; sync
  start=$(now); (cd "$work/hugo" && hugo --quiet --destination public >/dev/null); end=$(now)
  theirs="$theirs $(minus "$end" "$start")"
  echo "run $run: newsmirror $(echo "$ours" | awk '{print $NF}') s, hugo $(echo "$theirs" | awk '{print $NF}') s"
done
our_median=$(echo "$ours" | tr ' ' '\n' | grep . | median)
their_median=$(echo "$theirs" | tr ' ' '\n' | grep . | median)
our_files=$(find "$work/site" -type f | wc -l)
their_files=$(find "$work/hugo/public" -type f | wc -l)
echo "full build, median of $runs: newsmirror $our_median s ($our_files files), hugo $their_median s ($their_files files)"
echo "ratio: hugo time / newsmirror time = $(awk -v a="$their_median" -v b="$our_median" 'BEGIN { printf "%.2f", a / b }')x (target: > 1)"

incremental=""
for batch in 1 2 3; do
  for site in "$work/later$batch"/*; do mv "$site"/* "$work/mirror/articles/$(basename "$site")/"; done
  "$bin" --quiet --mirror "$work/mirror" import
  start=$(now); "$bin" --json --mirror "$work/mirror" build --out "$work/site" --base-url https://example.org/news/ > "$work/incremental.json"; end=$(now)
  incremental="$incremental $(minus "$end" "$start")"
  echo "incremental build $batch after 100 new articles: $(minus "$end" "$start") s wall, $(python3 -c "import json; j=json.load(open('$work/incremental.json')); print('%d files written, %d unchanged' % (j['written'], j['unchanged']))")"
done
echo "incremental build after 100 new articles, median of 3: $(echo "$incremental" | tr ' ' '\n' | grep . | median) s (target: < 1 s)"
start=$(now); "$bin" --json --mirror "$work/mirror" build --out "$work/site" --base-url https://example.org/news/ > "$work/nothing.json"; end=$(now)
echo "build with nothing new: $(minus "$end" "$start") s wall, $(python3 -c "import json; j=json.load(open('$work/nothing.json')); print('%d files written' % j['written'])")"
