#!/usr/bin/env bash
# Writes `newsmirror parse` JSON for every *.xml of a directory into OUT_DIR
# (one NAME.json each), so that a parser change can be checked for identical
# output on the bench corpus: run it before and after, then `diff -r`.
# A conformance case (NAME.expect.json beside NAME.xml, as in
# ../shared/corpus/feeds/cases) runs with its content_type, base_url and
# clean flag. Damaged inputs for the same check: bench/make_parse_mutants.py.
#
# usage: bench/parse_outputs.sh NEWSMIRROR_BINARY CORPUS_DIR OUT_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 NEWSMIRROR_BINARY CORPUS_DIR OUT_DIR" >&2; exit 2; }
binary=$1 corpus=$2 out=$3
mkdir -p "$out"
# One line per file: name, then the options as NUL-free tab-separated fields.
python3 - "$corpus" >"$out/.runs" <<'PY'
import json, sys
from pathlib import Path
for xml in sorted(Path(sys.argv[1]).glob("*.xml")):
    expect = xml.with_name(xml.stem + ".expect.json")
    options = json.loads(expect.read_text()) if expect.exists() else {}
    fields = [xml.stem, options.get("content_type", ""), options.get("base_url", ""),
              "1" if options.get("clean") else ""]
    print("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields))
PY
while IFS=$'\t' read -r name content_type base_url clean; do
  args=()
  [ -n "$content_type" ] && args+=(--content-type "$content_type")
  [ -n "$base_url" ] && args+=(--base-url "$base_url")
  [ -n "$clean" ] && args+=(--clean)
  "$binary" parse "${args[@]}" "$corpus/$name.xml" >"$out/$name.json" 2>/dev/null \
    || echo "exit $?" >>"$out/$name.json"
done <"$out/.runs"
rm "$out/.runs"
echo "$(ls "$out" | wc -l) outputs in $out"
