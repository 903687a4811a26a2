#!/usr/bin/env bash
# Writes `newsmirror parse` JSON for every *.xml of a directory into OUT_DIR
# (one NAME.json each), so that a parser change can be checked for identical
# output on the bench corpus: run it before and after, then `diff -r`.
#
# usage: bench/parse_outputs.sh NEWSMIRROR_BINARY CORPUS_DIR OUT_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 NEWSMIRROR_BINARY CORPUS_DIR OUT_DIR" >&2; exit 2; }
binary=$1 corpus=$2 out=$3
mkdir -p "$out"
for file in "$corpus"/*.xml; do
  name=$(basename "$file" .xml)
  "$binary" parse "$file" >"$out/$name.json" || echo "exit $?" >>"$out/$name.json"
done
echo "$(ls "$out" | wc -l) outputs in $out"
