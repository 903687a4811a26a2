#!/usr/bin/env python3
"""Builds the feed-parsing benchmark corpus from the real archive articles.

usage: make_parse_corpus.py OUT_DIR [--megabytes 120] [--seed 1] [--archive DIR]

Writes OUT_DIR/<encoding>_<format>_NNNN.xml (at least --megabytes MB of feed
XML in all) and OUT_DIR/manifest.json (per file: format, encoding, entries,
bytes). Every item is a real article of ../shared/corpus/archive (title,
link, HTML), made unique per item: a numbered title, its own link and GUID,
a random cut of its paragraphs and a closing paragraph of its own.

The mix is what news feeds look like: RSS 2.0 (escaped-HTML description and
content:encoded in CDATA, RFC 822 dates), Atom 1.0 (content type="html"
escaped or type="xhtml" inline, RFC 3339 dates) and RSS 1.0/RDF (dc:date in
RFC 3339); sizes 50 KB to 2 MB, log-uniform; encodings by share of files:

  utf-8         UTF-8, a tenth with a byte order mark
  gb2312        strict GB2312; characters outside it as numeric references
  gbk, gb18030  as labelled
  big5          Traditional text (OpenCC s2t when libopencc is present)
  utf-16        with a byte order mark, mostly little-endian
  windows-1252, iso-8859-1
                Western feeds carrying Chinese text as numeric references

GBK bytes labelled gb2312, common on Chinese sites, are left out on purpose:
libxml2's iconv GB2312 stops at the first GBK-only byte, so xmllint (the
benchmark's floor) would time a fraction of those files.

Deterministic: the same arguments give the same bytes.
"""
import argparse
import ctypes
import json
import math
import pathlib
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html.parser import HTMLParser
from xml.sax.saxutils import escape, quoteattr

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_ARCHIVE = HERE.parent.parent / "shared" / "corpus" / "archive" / "articles"

# (label in the XML declaration, Python codec, share of files)
ENCODINGS = [
    ("utf-8", "utf-8", 0.56),
    ("gb2312", "gb2312", 0.08),
    ("gbk", "gbk", 0.05),
    ("gb18030", "gb18030", 0.04),
    ("big5", "big5", 0.08),
    ("utf-16", "utf-16", 0.07),
    ("windows-1252", "cp1252", 0.06),
    ("iso-8859-1", "latin-1", 0.06),
]
FORMATS = [("rss2", 0.5), ("atom-html", 0.2), ("atom-xhtml", 0.15), ("rdf", 0.15)]
MIN_BYTES, MAX_BYTES = 50_000, 2_000_000

# Characters XML 1.0 forbids, which a real feed may not carry either.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ------------------------------------------------------------------ articles

class Article:
    def __init__(self, site, title, link, html):
        self.site, self.title, self.link, self.html = site, title, link, html
        # Paragraph ends: an item keeps a random prefix of them.
        self.cuts = [m.end() for m in re.finditer(r"</p>", html)]


def read_article(path):
    """The classic v1 article file (docs/archive-format.md): an optional
    <!--time--> line, [title](link) split at the last "](", "------", a blank
    line, then the HTML."""
    lines = path.read_text(encoding="utf-8").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and lines[0].startswith("<!--"):
        lines.pop(0)
    if not lines or not lines[0].startswith("[") or "](" not in lines[0]:
        return None
    head = lines[0]
    split = head.rfind("](")
    title, link = head[1:split], head[split + 2:].rstrip(")")
    rest = lines[1:]
    if rest and rest[0].startswith("------"):
        rest = rest[1:]
    html = NOT_XML.sub("", "\n".join(rest).strip())
    if not html:
        return None
    return Article(path.parent.name, NOT_XML.sub("", title.replace("\\", "")), link, html)


def read_articles(root):
    articles = [a for p in sorted(root.glob("*/*.md")) if (a := read_article(p))]
    if not articles:
        raise SystemExit(f"make_parse_corpus: no articles under {root}")
    return articles


# ------------------------------------------------------------ text helpers

def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def plain_text(html, limit):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html)).strip()
    return text[:limit]


class XhtmlWriter(HTMLParser):
    """Real-world HTML as well-formed XHTML for Atom type="xhtml": void
    elements closed, stray end tags dropped, open ones closed, entities as
    characters, prefixed names (which would need namespaces) dropped."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "param", "source", "track", "wbr"}
    NAME = re.compile(r"[A-Za-z_][-A-Za-z0-9_.]*")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.open = [], []

    def _attrs(self, attrs):
        seen, parts = set(), []
        for name, value in attrs:
            if not self.NAME.fullmatch(name) or name in seen:
                continue
            seen.add(name)
            parts.append(f" {name}={quoteattr(NOT_XML.sub('', value if value is not None else name))}")
        return "".join(parts)

    def handle_starttag(self, tag, attrs):
        if not self.NAME.fullmatch(tag):
            return
        if tag in self.VOID:
            self.out.append(f"<{tag}{self._attrs(attrs)}/>")
        else:
            self.out.append(f"<{tag}{self._attrs(attrs)}>")
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if self.NAME.fullmatch(tag):
            self.out.append(f"<{tag}{self._attrs(attrs)}/>")

    def handle_endtag(self, tag):
        if tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data):
        self.out.append(escape(NOT_XML.sub("", data)))

    def result(self):
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out)


def to_xhtml(html):
    writer = XhtmlWriter()
    writer.feed(html)
    return writer.result()


class Traditional:
    """Simplified to Traditional through libopencc's C API (the Big5 feeds
    are Traditional, as Taiwanese and Hong Kong sites write); identity when
    the library is missing."""

    def __init__(self):
        self.handle = None
        try:
            lib = ctypes.CDLL("libopencc.so.1.1")
        except OSError:
            try:
                lib = ctypes.CDLL("libopencc.so")
            except OSError:
                print("make_parse_corpus: libopencc missing, Big5 feeds keep Simplified text", file=sys.stderr)
                return
        lib.opencc_open.restype = ctypes.c_void_p
        lib.opencc_open.argtypes = [ctypes.c_char_p]
        lib.opencc_convert_utf8.restype = ctypes.c_void_p
        lib.opencc_convert_utf8.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.opencc_convert_utf8_free.argtypes = [ctypes.c_void_p]
        for config in (b"s2t.json", b"/usr/share/opencc/s2t.json"):
            handle = lib.opencc_open(config)
            if handle and handle != ctypes.c_void_p(-1).value:
                self.lib, self.handle = lib, handle
                return
        print("make_parse_corpus: OpenCC s2t.json missing, Big5 feeds keep Simplified text", file=sys.stderr)

    def __call__(self, text):
        if not self.handle:
            return text
        data = text.encode("utf-8")
        result = self.lib.opencc_convert_utf8(self.handle, data, len(data))
        if not result:
            return text
        converted = ctypes.string_at(result).decode("utf-8")
        self.lib.opencc_convert_utf8_free(result)
        return converted


# ------------------------------------------------------------------- dates

ZONES = [timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)),
         timezone(timedelta(hours=1)), timezone(timedelta(hours=9))]


def rfc822(when, rng):
    zone = rng.choice(ZONES)
    if zone is timezone.utc and rng.random() < 0.5:
        return format_datetime(when, usegmt=True)
    return format_datetime(when.astimezone(zone))


def rfc3339(when, rng):
    local = when.astimezone(rng.choice(ZONES))
    text = local.isoformat(timespec="milliseconds" if rng.random() < 0.3 else "seconds")
    return text.replace("+00:00", "Z")


# ------------------------------------------------------------------- items

class Item:
    def __init__(self, article, n, when, rng):
        self.n = n
        prefix = rng.choice(["", "", "", "快讯：", "更新：", "视频：", "评论："])
        self.title = f"{prefix}{article.title}（{n}）"
        sep = "&" if "?" in article.link else "?"
        self.link = f"{article.link}{sep}item={n}"
        self.guid = f"tag:news.example.org,2024:{article.site}/{n}"
        body = article.html
        if len(article.cuts) > 2:
            keep = rng.randint(len(article.cuts) // 2, len(article.cuts))
            body = body[:article.cuts[keep - 1]]
        self.html = body + f"<p>（第{n}条，{when:%Y年%m月%d日 %H:%M}）</p>"
        self.summary = "<p>" + escape(plain_text(body, rng.randint(80, 300))) + "</p>"
        self.when = when
        self.author = rng.choice(["记者 王明", "BBC中文", "Staff", "自由亚洲电台记者", "美国之音", ""])
        self.categories = rng.sample(["国际", "中国", "经济", "科技", "评论", "港澳台", "人权"], rng.randint(0, 3))


def rss2_item(item, rng):
    parts = [f"<item>\n<title>{escape(item.title)}</title>\n<link>{escape(item.link)}</link>\n",
             f'<guid isPermaLink="false">{escape(item.guid)}</guid>\n',
             f"<pubDate>{rfc822(item.when, rng)}</pubDate>\n"]
    if item.author:
        parts.append(f"<dc:creator>{escape(item.author)}</dc:creator>\n")
    parts += [f"<category>{escape(c)}</category>\n" for c in item.categories]
    parts.append(f"<description>{escape(item.summary)}</description>\n")
    parts.append(f"<content:encoded>{cdata(item.html)}</content:encoded>\n</item>\n")
    return "".join(parts)


def atom_entry(item, rng, xhtml):
    parts = [f"<entry>\n<title type=\"text\">{escape(item.title)}</title>\n",
             f'<link rel="alternate" type="text/html" href={quoteattr(item.link)}/>\n',
             f"<id>{escape(item.guid)}</id>\n",
             f"<published>{rfc3339(item.when, rng)}</published>\n",
             f"<updated>{rfc3339(item.when + timedelta(minutes=rng.randint(0, 90)), rng)}</updated>\n"]
    if item.author:
        parts.append(f"<author><name>{escape(item.author)}</name></author>\n")
    parts += [f"<category term={quoteattr(c)}/>\n" for c in item.categories]
    parts.append(f'<summary type="html">{escape(item.summary)}</summary>\n')
    if xhtml:
        parts.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                     f"{to_xhtml(item.html)}</div></content>\n</entry>\n")
    else:
        parts.append(f'<content type="html">{escape(item.html)}</content>\n</entry>\n')
    return "".join(parts)


def rdf_item(item, rng):
    parts = [f"<item rdf:about={quoteattr(item.link)}>\n<title>{escape(item.title)}</title>\n",
             f"<link>{escape(item.link)}</link>\n<dc:date>{rfc3339(item.when, rng)}</dc:date>\n"]
    if item.author:
        parts.append(f"<dc:creator>{escape(item.author)}</dc:creator>\n")
    parts += [f"<dc:subject>{escape(c)}</dc:subject>\n" for c in item.categories]
    parts.append(f"<description>{escape(item.summary)}</description>\n")
    parts.append(f"<content:encoded>{cdata(item.html)}</content:encoded>\n</item>\n")
    return "".join(parts)


def channel_head(fmt, site, home, when, items, rng):
    title = escape(f"{site} - 新闻")
    if fmt == "rss2":
        return ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
                f"<channel>\n<title>{title}</title>\n<link>{escape(home)}</link>\n"
                f'<atom:link rel="self" type="application/rss+xml" href={quoteattr(home + "rss.xml")}/>\n'
                f"<description>{escape(site)} 最新文章</description>\n<language>zh-cn</language>\n"
                f"<lastBuildDate>{rfc822(when, rng)}</lastBuildDate>\n<ttl>15</ttl>\n")
    if fmt.startswith("atom"):
        return ('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
                f"<title>{title}</title>\n<id>{escape(home)}</id>\n<updated>{rfc3339(when, rng)}</updated>\n"
                f'<link rel="alternate" href={quoteattr(home)}/>\n'
                f'<link rel="self" href={quoteattr(home + "atom.xml")}/>\n'
                f"<author><name>{escape(site)}</name></author>\n<generator>newsmirror bench</generator>\n")
    seq = "".join(f"<rdf:li rdf:resource={quoteattr(i.link)}/>\n" for i in items)
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
            f"<channel rdf:about={quoteattr(home + 'index.rdf')}>\n<title>{title}</title>\n"
            f"<link>{escape(home)}</link>\n<description>{escape(site)} 最新文章</description>\n"
            f"<dc:date>{rfc3339(when, rng)}</dc:date>\n<items><rdf:Seq>\n{seq}</rdf:Seq></items>\n</channel>\n")


def channel_tail(fmt):
    return {"rss2": "</channel>\n</rss>\n", "rdf": "</rdf:RDF>\n"}.get(fmt, "</feed>\n")


# ------------------------------------------------------------------- files

def codec_for(label, codec, rng):
    """The codec the body is written in (UTF-16 without its mark: the mark
    is written once, at the start) and the byte order mark, if any."""
    if codec == "utf-16":
        return ("utf-16-be", b"\xfe\xff") if rng.random() < 0.25 else ("utf-16-le", b"\xff\xfe")
    if codec == "utf-8" and rng.random() < 0.1:
        return "utf-8", b"\xef\xbb\xbf"
    return codec, b""


def pick(rng, weighted):
    """One row of (value..., share) rows, without its share."""
    row = rng.choices(weighted, [w[-1] for w in weighted])[0]
    return row[:-1] if len(row) > 2 else row[0]


def make_feed(rng, articles, label, codec, fmt, target, first_n, start, traditional):
    body_codec, bom = codec_for(label, codec, rng)
    site_articles = articles
    if rng.random() < 0.7:  # most feeds are one site's
        site = rng.choice(sorted({a.site for a in articles}))
        site_articles = [a for a in articles if a.site == site]
    else:
        site = "新闻聚合"
    home = f"https://news.example.org/feeds/{first_n}/"

    def encode(text):
        if label == "big5":
            text = traditional(text)
        return text.encode(body_codec, errors="xmlcharrefreplace")

    items, chunks, size, n = [], [], 0, first_n
    when = start
    while size < target:
        n += 1
        when -= timedelta(minutes=rng.randint(3, 240))
        item = Item(rng.choice(site_articles), n, when, rng)
        text = {"rss2": lambda: rss2_item(item, rng),
                "atom-html": lambda: atom_entry(item, rng, False),
                "atom-xhtml": lambda: atom_entry(item, rng, True),
                "rdf": lambda: rdf_item(item, rng)}[fmt]()
        chunk = encode(text)
        items.append(item)
        chunks.append(chunk)
        size += len(chunk)
    if label == "utf-8" and not bom and rng.random() < 0.2:
        decl = '<?xml version="1.0"?>\n'
    else:
        decl = f'<?xml version="1.0" encoding="{label.upper() if rng.random() < 0.5 else label}"?>\n'
    head = encode(decl + channel_head(fmt, site, home, start, items, rng))
    data = bom + head + b"".join(chunks) + encode(channel_tail(fmt))
    return data, len(items), n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--megabytes", type=float, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--archive", type=pathlib.Path, default=DEFAULT_ARCHIVE)
    args = parser.parse_args()

    articles = read_articles(args.archive)
    rng = random.Random(args.seed)
    traditional = Traditional()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.xml"):
        old.unlink()

    goal = int(args.megabytes * 1e6)
    start = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    manifest, total, n = [], 0, 0
    while total < goal:
        label, codec = pick(rng, ENCODINGS)
        fmt = pick(rng, FORMATS)
        target = int(math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))
        target = min(target, max(MIN_BYTES, goal - total))
        data, entries, n = make_feed(rng, articles, label, codec, fmt, target, n,
                                     start - timedelta(hours=len(manifest)), traditional)
        name = f"{label}_{fmt}_{len(manifest):04d}.xml"
        (out / name).write_bytes(data)
        manifest.append({"file": name, "format": fmt, "encoding": label, "entries": entries, "bytes": len(data)})
        total += len(data)
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=0), encoding="utf-8")

    def share(key):
        groups = {}
        for m in manifest:
            groups[m[key]] = groups.get(m[key], 0) + m["bytes"]
        return ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(groups.items(), key=lambda kv: -kv[1]))

    print(f"{len(manifest)} feeds, {sum(m['entries'] for m in manifest)} entries, "
          f"{total / 1e6:.1f} MB of XML in {out} (from {len(articles)} articles)")
    print(f"  by encoding: {share('encoding')}")
    print(f"  by format:   {share('format')}")


if __name__ == "__main__":
    main()
