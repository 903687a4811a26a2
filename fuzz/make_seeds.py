#!/usr/bin/env python3
"""Writes the fuzzers' seed inputs (scripts/fuzz run calls this).

feed: every document of ../shared/corpus/feeds/cases, behind the two-byte
header of fuzz/fuzz_inputs.hpp that carries the case's Content-Type
and base URL as custom lines, so a seed parses as the conformance run does.
date: the date strings of tests/parse/*.cpp and the date elements and JSON
date fields of the corpus documents, one per file.
query: the string literals of tests/search/*.cpp (queries and texts), one
per file.
sanitize: every payload of ../shared/corpus/xss and the HTML of every real
archived article of ../shared/corpus/archive.
page: the same, each behind a title line and a link line (fuzz/page_inputs.hpp).
"""
import hashlib
import json
import pathlib
import re
import sys

CUSTOM = 15
DATE_ELEMENTS = re.compile(
    rb"<((?:[A-Za-z]+:)?(?:pubDate|lastBuildDate|date|updated|published|issued|modified|created))\b[^>]*>"
    rb"([^<]{1,120})</\1>")
JSON_DATES = re.compile(rb'"date_(?:published|modified)"\s*:\s*"([^"]{1,120})"')


def write(folder, data):
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def feed_seeds(cases, out):
    count = 0
    for doc in sorted(cases.iterdir()):
        if doc.name.endswith(".expect.json") or doc.suffix not in (".xml", ".json"):
            continue
        expect_path = doc.with_name(doc.name[: -len(doc.suffix)] + ".expect.json")
        expect = json.loads(expect_path.read_text()) if expect_path.exists() else {}
        content_type = expect.get("content_type")
        base_url = expect.get("base_url")
        header = bytes([(CUSTOM if content_type else 0) | ((CUSTOM if base_url else 0) << 4), 0])
        for line in (content_type, base_url):
            if line:
                header += line.encode() + b"\n"
        write(out, header + doc.read_bytes())
        count += 1
    return count


def date_seeds(repo, cases, out):
    dates = set()
    for test in (repo / "tests" / "parse").glob("*.cpp"):
        for literal in re.findall(rb'parsed\("((?:[^"\\]|\\.)*)"', test.read_bytes()):
            dates.add(literal.decode("unicode_escape").encode("latin-1").decode("utf-8", "replace").encode())
    for doc in cases.iterdir():
        if doc.name.endswith(".expect.json"):
            continue
        data = doc.read_bytes()
        dates.update(m.group(2).strip() for m in DATE_ELEMENTS.finditer(data))
        dates.update(m.group(1).strip() for m in JSON_DATES.finditer(data))
    for date in dates:
        if date:
            write(out, date)
    return len(dates)


def query_seeds(repo, out):
    texts = set()
    for test in (repo / "tests" / "search").glob("*.cpp"):
        for literal in re.findall(rb'"((?:[^"\\\n]|\\.){1,400})"', test.read_bytes()):
            try:
                texts.add(literal.decode("unicode_escape").encode("latin-1").decode("utf-8", "replace").encode())
            except UnicodeEncodeError:  # a \u escape beyond Latin-1: the literal as written
                texts.add(literal)
    for text in texts:
        if text:
            write(out, text)
    return len(texts)


def html_seeds(shared):
    """The XSS payloads and the real articles' HTML (after the head's four lines)."""
    for name in ("dompurify.jsonl", "h5sc.jsonl", "owasp.jsonl"):
        for line in (shared / "corpus" / "xss" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)["payload"].encode()
    for article in sorted((shared / "corpus" / "archive" / "articles").rglob("*.md")):
        yield b"".join(article.read_bytes().split(b"\n", 4)[4:])


def sanitize_seeds(shared, out):
    count = 0
    for html in html_seeds(shared):
        write(out, html)
        count += 1
    return count


def page_seeds(shared, out):
    count = 0
    links = (b"https://news.example/a", b"javascript:alert(1)", b"data:text/html,<script>alert(1)</script>")
    for html in html_seeds(shared):
        write(out, b"[Breaking](https://phish.example) <b>title</b>\n" + links[count % 3] + b"\n" + html)
        count += 1
    return count


def main():
    target, repo, shared, out = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), pathlib.Path(sys.argv[4])
    cases = shared / "corpus" / "feeds" / "cases"
    if not cases.is_dir():
        sys.exit(f"make_seeds: no corpus at {cases}")
    out.mkdir(parents=True, exist_ok=True)
    if target == "feed":
        count = feed_seeds(cases, out)
    elif target == "query":
        count = query_seeds(repo, out)
    elif target == "sanitize":
        count = sanitize_seeds(shared, out)
    elif target == "page":
        count = page_seeds(shared, out)
    else:
        count = date_seeds(repo, cases, out)
    print(f"make_seeds: {count} {target} seeds in {out}")


if __name__ == "__main__":
    main()
