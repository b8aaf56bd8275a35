"""Checks a release's index.html and prints what a golden case pins.

    /usr/bin/python3 tests/html/check.py PAGE

Fails (exit 1, the reason on stderr) when the page does not parse as HTML5
(html5lib in strict mode raises on any parse error), when it loads or links
anything outside itself (a script, a stylesheet, an image, a frame, a link
or a source that is not a fragment of the page, a CSS url() or @import), or
when it lacks what every release page must have (its lang, viewport, title,
headline, one inline SVG). Otherwise prints the page's language, title,
headline, section headings and the rows of each table, one per line.
"""
import re
import sys

import html5lib

NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"


def fail(msg):
    sys.stderr.write("check.py: %s\n" % msg)
    sys.exit(1)


def text(el):
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def main(path):
    raw = open(path, "rb").read()
    try:
        doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(raw)
    except Exception as e:  # html5lib.html5parser.ParseError, with the position
        fail("%s does not parse: %s" % (path, e))
    if not raw.startswith(b"<!DOCTYPE html>\n"):
        fail("no <!DOCTYPE html> first")
    for bad in ("script", "link", "img", "iframe", "object", "embed", "base", "video", "audio"):
        if list(doc.iter(NS + bad)):
            fail("the page has a <%s> element" % bad)
    for el in doc.iter():
        for name, value in el.attrib.items():
            local = name.split("}")[-1]
            if local in ("src", "href", "action", "srcset", "poster", "data") and not value.startswith("#"):
                fail("<%s %s=%r> points outside the page" % (el.tag.split("}")[-1], local, value))
            if local.startswith("on"):
                fail("<%s %s=...>: an event handler" % (el.tag.split("}")[-1], local))
    css = " ".join(text(s) for s in doc.iter(NS + "style"))
    if re.search(r"url\s*\(|@import", css):
        fail("the CSS loads something")
    lang = doc.get("lang")
    if lang not in ("en", "zh-CN"):
        fail("<html lang=%r>" % lang)
    metas = [m.get("name") for m in doc.iter(NS + "meta")]
    if "viewport" not in metas:
        fail("no viewport meta")
    svgs = list(doc.iter(SVG + "svg"))
    if len(svgs) != 1 or not svgs[0].get("viewBox"):
        fail("not one inline SVG with a viewBox")
    title = [text(t) for t in doc.iter(NS + "title")]
    head = [text(p) for p in doc.iter(NS + "p") if p.get("class") == "headline"]
    if not title or len(head) != 1:
        fail("no title or not one headline")
    print("lang:", lang)
    print("title:", title[0])
    print("headline:", head[0])
    for el in doc.iter():
        if el.tag == NS + "h2":
            print("==", text(el))
        elif el.tag == NS + "p" and el.get("class") != "headline":
            print("p:", text(el))
        elif el.tag == NS + "table":
            rows = list(el.iter(NS + "tr"))
            print("table %s: %d rows" % (el.get("class"), len(rows) - len(list(el.iter(NS + "thead")))))
            for tr in rows:
                print("  " + " | ".join(text(c) for c in tr if c.tag in (NS + "th", NS + "td")))

if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check.py PAGE")
    main(sys.argv[1])
