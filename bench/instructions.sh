#!/usr/bin/env bash
# Instruction counts of the three hot paths, under valgrind's callgrind: the
# feed parser (bench/parse_speed over a slice of the parse corpus), import
# (`newsmirror import` of a generated archive) and the site (`newsmirror
# build` of that mirror). Instruction counts do not drift with the load of a
# shared machine as wall-clock times do, so they are what a refactoring that
# promises "no slower" is checked against: run this before and after and
# compare the three numbers. Import and build run on one thread: with more,
# how valgrind interleaves them decides which thread makes which page, and
# so what each thread's caches save, and the count moves by a few percent
# with any change to the code.
#
# usage: bench/instructions.sh [ARTICLES=1000] [BUILD=build-bench] [PARSE_FILES=40]
#        NEWSMIRROR_BIN=path/to/an/older/newsmirror bench/instructions.sh
#        counts import and build of that program instead (the "before").
# needs: valgrind, python3, ../shared; BUILD configured with
#        -DNEWSMIRROR_BENCH=ON (bench/parse_speed.sh makes build-bench so).
set -euo pipefail
articles=${1:-1000}
build=${2:-build-bench}
parse_files=${3:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${NEWSMIRROR_BIN:-$here/$build/newsmirror}
command -v valgrind >/dev/null || { echo "bench: valgrind missing (apt-get install valgrind)" >&2; exit 2; }
[ -d "$here/../shared/corpus/archive" ] || { echo "bench: ../shared is needed" >&2; exit 2; }
cmake --build "$here/$build" -j2 --target newsmirror parse_speed >/dev/null
corpus=$here/bench/work/parse-corpus
[ -d "$corpus" ] || { echo "bench: no $corpus; run bench/parse_speed.sh once to make it" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/instructions-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Prints the total of instructions callgrind counted for the command.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$@" >/dev/null 2>"$work/valgrind.log" \
    || { cat "$work/valgrind.log" >&2; exit 1; }
  sed -n 's/^summary: //p' "$work/callgrind.out"
}

mkdir "$work/feeds"
feeds=("$corpus"/*.xml)  # sorted by the shell
cp "${feeds[@]:0:$parse_files}" "$work/feeds/"
"$bin" --quiet init "$work/mirror" >/dev/null
python3 "$here/bench/make_catalog_archive.py" "$here/../shared/corpus/archive" "$work/mirror" "$articles" >/dev/null

printf 'parse  (%d feed files, one run):  %s instructions\n' "$parse_files" \
  "$(instructions "$here/$build/bench/parse_speed" "$work/feeds" 1)"
printf 'import (%d articles):            %s instructions\n' "$articles" \
  "$(instructions "$bin" --quiet --mirror "$work/mirror" import --threads 1)"
printf 'build  (the site of them):         %s instructions\n' \
  "$(instructions "$bin" --quiet --mirror "$work/mirror" build --threads 1)"
