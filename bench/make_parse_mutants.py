#!/usr/bin/env python3
"""Damaged and odd variants of real feeds, for checking that a parser change
keeps `newsmirror parse` output identical (bench/parse_outputs.sh before and
after, then diff -r): the stand-ins and hand-written paths of the parser must
be invisible on bad input too, not only on the clean bench corpus.

Sources are the conformance cases (../shared/corpus/feeds/cases/*.xml) and
the head of each bench corpus file. Each mutant applies a few edits: delete,
duplicate or swap a span, truncate, or insert a token chosen to reach the
parser's special paths (references of every kind, CDATA, CR, stand-in
characters, XHTML blocks, stray markup). Deterministic for a given --seed.

usage: bench/make_parse_mutants.py OUT_DIR [--count N] [--seed S]
           [--cases DIR] [--corpus DIR]
"""
import argparse
import random
from pathlib import Path

TOKENS = [
    b"&lt;", b"&gt;", b"&amp;", b"&quot;", b"&apos;", b"&nbsp;", b"&mdash;", b"&bogus;", b"&", b"&#",
    b"&#26032;", b"&#x65B0;", b"&#X65B0;", b"&#60;", b"&#38;", b"&#62;", b"&#13;", b"&#10;", b"&#9;",
    b"&#32;", b"&#0;", b"&#1;", b"&#128;", b"&#146;", b"&#xFDD0;", b"&#xFDD1;", b"&#xFFFE;", b"&#xD800;",
    b"&#x10FFFF;", b"&#x110000;", b"&#99999999999;", b"&#xA0;", b"&#x3000;", b"&#65;", b"&#x7F;",
    b"<![CDATA[", b"]]>", b"]]&gt;", b"]]", b"<!--", b"-->", b"<?pi x?>", b"\r", b"\r\n", b"\t", b"\x00",
    b"\x0c", b"\xef\xb7\x90", b"\xef\xb7\x91", b"\xef\xbf\xbe", b"\xc3", b"\xe6\x96\xb0", b"\xa0",
    b"<", b">", b"/>", b"</", b"\"", b"'", b"=", b" ", b"\n",
    b"<b>", b"</b>", b"<br/>", b"<p>", b"</p>", b"<img src=\"a.png\"/>", b"<a href=\"/x?a=1&amp;b=2\">",
    b"</a>", b"<div>", b"</div>", b"<x:y>", b"</x:y>", b"<item>", b"</item>", b"<entry>", b"</entry>",
    b"<div xmlns=\"http://www.w3.org/1999/xhtml\">", b"<xhtml:div xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">",
    b"<content type=\"xhtml\">", b"</content>", b"<summary type=\"html\">", b"</summary>",
    b" xml:base=\"http://example.org/b/\"", b" xml:lang=\"zh\"", b" a=\"1\"", b" a='&#26032;'",
    b" href=\"&#x65B0;\"", b" title=\"a\tb\nc\"", b" xmlns=\"\"", b" xmlns:p=\"urn:p\"", b" p:x=\"1\"",
    b"<!DOCTYPE rss [<!ENTITY e \"&#26032;<b>x</b>\">]>", b"&e;",
]


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        n = len(data)
        at = rng.randint(0, n)
        kind = rng.random()
        if kind < 0.55 or n < 2:
            token = rng.choice(TOKENS)
            if rng.random() < 0.1:
                token *= rng.randint(2, 40)
            data[at:at] = token
        elif kind < 0.7:
            data[at:at + rng.randint(1, 64)] = b""
        elif kind < 0.8:
            start = rng.randint(0, n - 1)
            data[at:at] = data[start:start + rng.randint(1, 256)]
        elif kind < 0.9:
            data[at:at + 1] = bytes([rng.randint(0, 255)])
        else:
            del data[max(1, at):]
    return bytes(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    here = Path(__file__).resolve().parent
    parser.add_argument("--cases", default=str(here.parent.parent / "shared/corpus/feeds/cases"))
    parser.add_argument("--corpus", default=str(here / "work/parse-corpus"))
    args = parser.parse_args()

    sources = [p.read_bytes() for p in sorted(Path(args.cases).glob("*.xml"))]
    for p in sorted(Path(args.corpus).glob("*.xml")):
        head = p.read_bytes()[:40000]
        sources.append(head)
        # The same head closed after its last whole entry, so that most
        # mutants of it are well-formed apart from the mutation.
        for close, tail in ((b"</item>", b"</channel></rss>"), (b"</entry>", b"</feed>")):
            end = head.rfind(close)
            if end > 0 and not head.startswith(b"\xff\xfe") and not head.startswith(b"\xfe\xff"):
                sources.append(head[:end + len(close)] + (b"</rdf:RDF>" if b"<rdf:RDF" in head else tail))
    if not sources:
        raise SystemExit(f"no sources in {args.cases} or {args.corpus}")
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(args.count):
        (out / f"mutant_{i:05d}.xml").write_bytes(mutate(rng.choice(sources), rng))
    print(f"{args.count} mutants of {len(sources)} sources in {out}")


if __name__ == "__main__":
    main()
