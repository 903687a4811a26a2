#!/usr/bin/env python3
"""Writes the articles of a classic mirror as Hugo content: one Markdown
file per article with TOML front matter (title, date, link) and the
article's HTML as its body, one section per site. Usage:
mirror_to_hugo.py MIRROR HUGO_SITE"""
import datetime
import json
import os
import sys


def main():
    mirror, site = sys.argv[1], sys.argv[2]
    articles = os.path.join(mirror, "articles")
    for source in sorted(os.listdir(articles)):
        folder = os.path.join(articles, source)
        target = os.path.join(site, "content", source)
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, "_index.md"), "w", encoding="utf-8") as f:
            f.write("+++\ntitle = %s\n+++\n" % json.dumps(source, ensure_ascii=False))
        for name in os.listdir(folder):
            with open(os.path.join(folder, name), encoding="utf-8", newline="") as f:
                lines = f.read().split("\n")
            stamp = 0
            if lines[0].startswith("<!--"):
                stamp = int(lines[0][4:-3] or 0)
                lines = lines[1:]
            head = lines[0]
            split = head.rfind("](")
            title, link = head[1:split], head[split + 2:-1]
            html = "\n".join(lines[3:])
            date = datetime.datetime.fromtimestamp(stamp / 1000, datetime.timezone.utc).isoformat()
            with open(os.path.join(target, name), "w", encoding="utf-8") as f:
                f.write("+++\ntitle = %s\ndate = %s\nlink = %s\n+++\n\n%s" % (
                    json.dumps(title, ensure_ascii=False), date, json.dumps(link), html))


main()
