#!/bin/sh
# The catalog benchmark (issue 5, "Speed"), in one run:
#   1. builds a classic archive of COUNT articles (default 200000) from the
#      real texts in ../shared/corpus/archive, each copy varied
#      (bench/make_catalog_archive.py);
#   2. times `newsmirror import` of it into a new mirror (parse, catalog,
#      compress every version, full-text index): articles/s; then a second
#      run, which has nothing new;
#   3. bench/catalog_bench: index size versus text size, latency p50/p99 of
#      the recall test's 300 queries, and the baselines on the same data,
#      a plain SQLite FTS5 trigram table and `rg -F` over the files, with
#      the ratios.
# Targets: import >= 5,000 articles/s, p99 <= 20 ms, index <= 1.5x the text.
# The machine is shared: the import's CPU time (user + sys) is printed too.
# Usage: bench/catalog.sh [COUNT] [BUILD_DIR] [RG_QUERIES]
#   BUILD_DIR must be configured with -DNEWSMIRROR_BENCH=ON (catalog_bench);
#   it is built here. RG_QUERIES (default 300) bounds the rg baseline, which
#   reads every file for each query.
set -eu
count=${1:-200000}
build=${2:-build-rel}
rg_queries=${3:-300}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/$build/newsmirror"
cmake --build "$here/$build" -j2 --target newsmirror catalog_bench >/dev/null
command -v rg >/dev/null 2>&1 || apt-get install -y ripgrep >/dev/null 2>&1 || echo "(ripgrep could not be installed: no rg baseline)"
work=$(mktemp -d "${TMPDIR:-/tmp}/catalog-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" --quiet init "$work/mirror"
python3 "$here/bench/make_catalog_archive.py" "$here/../shared/corpus/archive" "$work/mirror" "$count"
files_bytes=$(du -sb "$work/mirror/articles" | cut -f1)
sync

summary() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print("%d files, %d added, %d unchanged, %d failed in %.2f s: %.0f articles/s" % (j["files"], j["added"], j["unchanged"], j["failed"], j["seconds"], j["files_per_second"])); open(sys.argv[1], "w").write("%.0f" % j["files_per_second"])' "$1"; }

echo "archive: $count articles, $files_bytes bytes of Markdown files; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'import, first run:  '
/usr/bin/time -f "%U %S" -o "$work/cpu" "$bin" --mirror "$work/mirror" --json import | summary "$work/rate"
echo "                    CPU $(awk '{printf "%.1f s user + %.1f s sys = %.0f us an article", $1, $2, ($1 + $2) * 1e6 / '"$count"'}' "$work/cpu")"
printf 'import, second run: '
"$bin" --mirror "$work/mirror" --json import | summary "$work/rate2"
db_bytes=$(stat -c %s "$work/mirror/.newsmirror/catalog.db")
echo "catalog.db: $db_bytes bytes (every version's HTML, the text, the index)"
"$here/$build/bench/catalog_bench" --mirror "$work/mirror" --corpus "$here/../shared/corpus/archive" \
  --import-rate "$(cat "$work/rate")" --rg-queries "$rg_queries" --work "$work"
