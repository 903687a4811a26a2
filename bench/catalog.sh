#!/bin/sh
# Import speed of the catalog: builds a classic archive of COUNT articles
# (default 100000) from the real texts in ../shared/corpus/archive, then
# times `newsmirror import` (parse, catalog, compress, full-text index) and
# a second run that has nothing new, and prints articles/s and sizes.
# Usage: bench/catalog.sh [COUNT] [BUILD_DIR]
set -eu
count=${1:-100000}
build=${2:-build-rel}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/$build/newsmirror"
work=$(mktemp -d "${TMPDIR:-/tmp}/catalog-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" --quiet init "$work/mirror"
python3 "$here/bench/make_catalog_archive.py" "$here/../shared/corpus/archive" "$work/mirror" "$count"
text_bytes=$(du -sb "$work/mirror/articles" | cut -f1)
sync

summary() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print("%d files, %d added, %d unchanged, %d failed in %.2f s: %.0f articles/s" % (j["files"], j["added"], j["unchanged"], j["failed"], j["seconds"], j["files_per_second"]))'; }

printf 'import, first run:  '
"$bin" --mirror "$work/mirror" --json import | summary
printf 'import, second run: '
"$bin" --mirror "$work/mirror" --json import | summary
printf 'reindex:            '
"$bin" --mirror "$work/mirror" --json reindex | summary
db_bytes=$(stat -c %s "$work/mirror/.newsmirror/catalog.db")
echo "archive files: $text_bytes bytes; catalog.db: $db_bytes bytes ($(python3 -c "print(round($db_bytes/$text_bytes, 2))")x)"
