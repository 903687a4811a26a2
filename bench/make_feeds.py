#!/usr/bin/env python3
"""Builds a large feed input for the mirror benchmark from real archive files.

usage: make_feeds.py CORPUS_ARCHIVE_DIR OUT_DIR [--feeds 200] [--items 50]
                     [--names A,B,...] [--tag TAG]

Every item's content is the HTML of a real article from the classic archive
sample (../shared/corpus/archive/articles), cycled; titles, links and GUIDs
are made unique per item so that every item is a new article. Writes
OUT_DIR/feeds/feed-NNN.xml and OUT_DIR/sources.json (name and URL path of
each feed) for the benchmark driver.

--names gives the feeds' source names (one feed per name; default 源000,
源001, ...), so that a bench can feed the sites of an existing archive.
--tag goes into every link and GUID: feeds made with another tag are new
articles again, feeds made with the same tag are the same articles.
"""
import argparse
import json
import os
import pathlib
from email.utils import format_datetime
from datetime import datetime, timezone, timedelta
from xml.sax.saxutils import escape


def read_articles(root):
    articles = []
    for path in sorted(pathlib.Path(root).glob("*/*.md")):
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        if len(lines) < 5 or not lines[1].startswith("["):
            continue
        title_end = lines[1].rfind("](")
        title = lines[1][1:title_end]
        html = "\n".join(lines[4:]).strip()
        articles.append((title, html))
    if not articles:
        raise SystemExit(f"no articles under {root}")
    return articles


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--names", default="")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()

    articles = read_articles(args.corpus)
    names = args.names.split(",") if args.names else [f"源{f:03d}" for f in range(args.feeds)]
    out = pathlib.Path(args.out)
    (out / "feeds").mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    sources = []
    n = 0
    for f, name in enumerate(names):
        items = []
        for i in range(args.items):
            title, html = articles[n % len(articles)]
            n += 1
            when = start + timedelta(minutes=n)
            link = f"https://news.example.org/{f:03d}/{i:03d}/文章{args.tag}-{n}"
            items.append(
                "<item>"
                f"<title>{escape(title)} #{n}</title>"
                f"<link>{escape(link)}</link>"
                f'<guid isPermaLink="false">bench{args.tag}-{f}-{i}</guid>'
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<description>{escape(title)}</description>"
                f"<content:encoded><![CDATA[{html}]]></content:encoded>"
                "</item>\n")
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
               f"<channel><title>{name}</title><link>https://news.example.org/{f:03d}/</link>"
               "<description>benchmark feed</description>\n" + "".join(items) +
               "</channel></rss>\n")
        rel = f"feeds/feed-{f:03d}.xml"
        (out / rel).write_text(xml, encoding="utf-8")
        sources.append({"name": name, "path": "/" + rel})
    (out / "sources.json").write_text(json.dumps(sources, ensure_ascii=False), encoding="utf-8")
    total = sum(os.path.getsize(out / s["path"][1:]) for s in sources)
    print(f"{len(sources)} feeds, {n} items, {total / 1e6:.1f} MB of XML in {out}")


if __name__ == "__main__":
    main()
