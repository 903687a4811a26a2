#!/usr/bin/env python3
"""Writes a classic archive of COUNT articles under OUT/articles, made from
the real articles in ../shared/corpus/archive: each copy gets its own number,
a numbered title and a varied body (paragraphs rotated, a unique marker
word), so that no two files are duplicates. Usage: make_catalog_archive.py
CORPUS_DIR OUT COUNT [SPACING]: copy N is dated N * SPACING seconds (default
1) after its original, so that a site bench can spread them over months."""
import os
import sys


def read_article(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    time_line = lines[0] if lines[0].startswith("<!--") else "<!--0-->"
    head_index = 1 if lines[0].startswith("<!--") else 0
    head = lines[head_index]
    split = head.rfind("](")
    title, link = head[1:split], head[split + 2:-1]
    html = "".join(l.strip() for l in lines[head_index + 3:])
    return time_line, title, link, html


def main():
    corpus, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spacing_ms = int(float(sys.argv[4]) * 1000) if len(sys.argv) > 4 else 1000
    sources = []
    for site in sorted(os.listdir(os.path.join(corpus, "articles"))):
        folder = os.path.join(corpus, "articles", site)
        for name in sorted(os.listdir(folder)):
            sources.append((site, read_article(os.path.join(folder, name))))
    made = set()
    for i in range(count):
        site, (time_line, title, link, html) = sources[i % len(sources)]
        seq = i + 1
        number = 0xFFFFF ^ seq
        parts = html.split("</p>")
        shift = (i // len(sources)) % max(1, len(parts))
        body = "</p>".join(parts[shift:] + parts[:shift])
        body = "<p>marker%d 第%d版</p>" % (seq, seq) + body
        new_title = "%s（%d）" % (title, seq)
        folder = os.path.join(out, "articles", site)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        stamp = int(time_line[4:-3] or 0) + seq * spacing_ms
        name = "%d_%s.md" % (number, title.replace("/", "／")[:40].strip()) if i % 5 else "%d.md" % number
        with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
            f.write("<!--%d-->\n[%s](%s?v=%d)\n------\n\n%s\n" % (stamp, new_title, link, seq, body))


main()
