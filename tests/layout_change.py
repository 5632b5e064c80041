"""Layout-change fixtures: a copy of the bundled fixtures of a site with its story markup changed,
as a site redesign would change it (issue 13: the alarm must see what the parser silently
misses).

``make_layout_change(dest, site="theaustralian", mode="divs")`` copies ``fixtures/<site>/`` to
``dest/<site>/`` and rewrites the HTML responses of every cassette (recorded and synthetic ones
alike: the cassette is what replay serves):

* ``rename``: the body containers (``#story-body``, ``#story-primary``, ``.story-body``) get
  new ids and classes. The parser still reads the story (its last container choice is
  ``article#story``): no alarm must fire.
* ``divs``: the same renaming, and every ``<p>`` inside those containers becomes a ``<div>``.
  The parser finds no body; the generic fallback parses what it can.

Replay the result with ``NEWSBITE_FIXTURES_DIR=dest``. Also runnable by hand:

    python tests/layout_change.py /tmp/changed [rename|divs]
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
MODES = ("rename", "divs")
# old -> new id or class of the body containers
RENAMED = {"story-body": "article-text", "story-primary": "article-main"}


def rewrite_html(html: str, mode: str) -> str:
    """The page with its body containers renamed (and, in mode divs, their <p>s made <div>s)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    doc = lxml.html.document_fromstring(html)
    containers = [
        el
        for el in doc.iter()
        if isinstance(el.tag, str)
        and (el.get("id") in RENAMED or set((el.get("class") or "").split()) & RENAMED.keys())
    ]
    if not containers:
        return html  # a listing, robots.txt page or bot wall: not a story layout
    for el in containers:
        if el.get("id") in RENAMED:
            el.set("id", RENAMED[el.get("id")])
        classes = (el.get("class") or "").split()
        if classes:
            el.set("class", " ".join(RENAMED.get(c, c) for c in classes))
    if mode == "divs":
        for el in containers:
            for p in el.iter("p"):
                p.tag = "div"
    doctype = doc.getroottree().docinfo.doctype
    body = lxml.html.tostring(doc, encoding="unicode")
    return f"{doctype}\n{body}" if doctype else body


def _charset(headers: dict) -> str:
    for name, values in headers.items():
        if name.lower() == "content-type":
            value = values[0] if isinstance(values, list) else values
            if "charset=" in value:
                return value.split("charset=", 1)[1].split(";")[0].strip()
    return "utf-8"


def _header(headers: dict, wanted: str) -> str:
    for name, values in headers.items():
        if name.lower() == wanted:
            return values[0] if isinstance(values, list) else str(values)
    return ""


def rewrite_cassette(path: Path, mode: str) -> int:
    """Rewrite the HTML story bodies of one cassette in place; returns how many changed."""
    from newsbite.middlewares.cassette import load_cassette, write_cassette

    cassette = load_cassette(path)
    interactions = []
    changed = 0
    for request, response in zip(cassette.requests, cassette.responses, strict=True):
        headers = response["headers"]
        body = response["body"]["string"]
        body = body.encode("utf-8") if isinstance(body, str) else body
        gzipped = "gzip" in _header(headers, "content-encoding")
        raw = gzip.decompress(body) if gzipped else body
        if "html" in _header(headers, "content-type"):
            charset = _charset(headers)
            html = raw.decode(charset)
            new = rewrite_html(html, mode)
            if new != html:
                changed += 1
                raw = new.encode(charset)
        body = gzip.compress(raw, mtime=0) if gzipped else raw
        interactions.append((request.uri, response["status"]["code"], headers, body))
    write_cassette(path, interactions)
    return changed


def make_layout_change(dest: str | Path, site: str = "theaustralian", mode: str = "divs") -> Path:
    """A fixtures dir (for NEWSBITE_FIXTURES_DIR) holding ``site``'s fixtures, changed."""
    dest = Path(dest)
    target = dest / site
    shutil.copytree(FIXTURES / site, target)
    changed = sum(rewrite_cassette(p, mode) for p in sorted(target.glob("*/cassette.yaml")))
    if not changed:
        raise RuntimeError(f"no story page of {site} had the body containers {list(RENAMED)}")
    return dest


if __name__ == "__main__":
    out = make_layout_change(sys.argv[1], mode=sys.argv[2] if len(sys.argv) > 2 else "divs")
    print(out)
