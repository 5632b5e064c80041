"""`newsbite extract`: the finished item of saved pages, without a crawl (issue 10).

    newsbite extract PAGE.html [--url URL] [--publisher NAME]   one item as one JSON line
    newsbite extract - --url URL < PAGE.html                     the page on standard input
    newsbite extract --batch < LIST                              LIST: "path<TAB>url" lines

Every page runs the crawl's own chain (`newsbite.process.extract`): the publisher's parser
generation, chosen by the URL's domain (`--publisher` overrides it), or the generic extractor
for a site no entry knows; then the normalisers and validation. Nothing of Scrapy starts, and
one process serves a whole batch: trafilatura and the vocabularies load once.

Without `--url` (or with a batch label that is not a URL) the page's own canonical URL is used.
`--batch` prints one line per input line, in order: the item, with `url` as given on the
line; `{"url": ..., "error": "..."}` for a page that could not be read or held no story. A
failing page never stops the batch.

Exit status: 0 the item is valid (`--batch`: every line was answered), 1 the page held no
story (the reason on stderr), 2 a usage error (no such file, unknown publisher...).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from dataclasses import fields
from pathlib import Path
from typing import IO, Any

from newsbite import exitcodes

LOGGER = logging.getLogger("newsbite.extract")
HEAD_BYTES = 262_144  # the canonical link is in <head>: never parse more than this to find it


class _Usage(Exception):
    """A usage error: one line on stderr, exit status 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("page", nargs="?", help="a saved HTML page, or - for standard input")
    parser.add_argument("--url", help="the page's URL (default: its canonical link)")
    parser.add_argument("--publisher", metavar="NAME", help="parse as this publisher entry")
    parser.add_argument(
        "--batch",
        action="store_true",
        help='read "path<TAB>url" lines on standard input, print one JSON line per line',
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="log errors only (not per-page warnings)"
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.ERROR if args.quiet else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        publisher = _named_publisher(args.publisher)
        if args.batch:
            if args.page or args.url:
                raise _Usage("--batch reads its pages from standard input: no PAGE or --url")
            return run_batch(sys.stdin, sys.stdout, publisher)
        if not args.page:
            raise _Usage("give a PAGE (a saved HTML file, or - for standard input) or --batch")
        return run_one(args.page, args.url, publisher)
    except _Usage as error:
        print(f"newsbite extract: {error}", file=sys.stderr)
        return exitcodes.USAGE


def _named_publisher(name: str | None) -> Any:
    if not name:
        return None
    from newsbite.publishers import get

    try:
        return get(name)
    except KeyError as error:
        raise _Usage(error.args[0] if error.args else str(error)) from None


def run_one(page: str, url: str | None, publisher: Any) -> int:
    """One page: its item on standard output, or the reason it holds none on stderr."""
    html = _read(page)
    url = url or page_url(html)
    if not url:
        raise _Usage(f"{page}: the page names no canonical URL: give --url")
    if not is_http(url):
        raise _Usage(f"--url must be an http(s) URL, not {url!r}")
    outcome = _extract(url, html, publisher)
    if outcome.item is None:
        detail = f" ({outcome.detail})" if outcome.detail else ""
        print(f"newsbite extract: {page}: no story: {outcome.reason}{detail}", file=sys.stderr)
        return exitcodes.FAILED
    _write(sys.stdout, item_dict(outcome.item))
    return exitcodes.OK


def run_batch(lines: IO[str], out: IO[str], publisher: Any) -> int:
    """One JSON line per input line, in order; a failing page gives an `error` line."""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        path, _, label = line.partition("\t")
        _write(out, batch_line(path, label, publisher))
    out.flush()
    return exitcodes.OK


def batch_line(path: str, label: str, publisher: Any) -> dict[str, Any]:
    """The item of one batch page with `url` as given, or {"url", "error"}; never raises."""
    try:
        html = Path(path).read_bytes()
    except OSError as error:
        return {"url": label, "error": f"cannot read {path}: {error.strerror or error}"}
    try:
        url = label.strip() if is_http(label.strip()) else page_url(html)
        if not url:
            return {"url": label, "error": "no URL: the line gives none and the page names none"}
        outcome = _extract(url, html, publisher)
    except Exception as error:  # one bad page must not end the batch: say what broke
        LOGGER.warning("extraction failed: %s (%s)", label or path, error, exc_info=True)
        return {"url": label, "error": f"{type(error).__name__}: {error}"}
    if outcome.item is None:
        return {"url": label, "error": f"no story: {outcome.reason}"}
    found = item_dict(outcome.item)
    found["url"] = label
    return found


def _extract(url: str, html: bytes, publisher: Any) -> Any:
    from newsbite.process import extract  # the chain and its vocabularies, loaded once
    from newsbite.text import decode_html

    # A saved page has no HTTP header: its bytes are decoded as a browser would (BOM, <meta>
    # charset, then detection), not by libxml2's guess.
    text, _ = decode_html(html)
    return extract(url, text, publisher)


def _read(page: str) -> bytes:
    if page == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(page).read_bytes()
    except OSError as error:
        raise _Usage(f"cannot read {page}: {error.strerror or error}") from None


def _write(out: IO[str], obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def item_dict(item: Any) -> dict[str, Any]:
    """The item as the feed writes it: every field, in the item's order."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


_HTTP = re.compile(r"^https?://[^\s/?#@]+([/?#]\S*)?$", re.I)
_HEAD_END = re.compile(rb"</head\s*>", re.I)


def is_http(url: str | None) -> bool:
    return bool(url and _HTTP.match(url))


def page_url(html: bytes) -> str | None:
    """The page's canonical URL (<link rel=canonical>, else og:url), read from <head> only."""
    import lxml.html
    from lxml import etree

    end = _HEAD_END.search(html, 0, HEAD_BYTES)
    head = html[: end.end() if end else HEAD_BYTES]
    try:
        root = lxml.html.fromstring(head)
    except (ValueError, etree.ParserError):
        return None
    for query in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for href in root.xpath(query):
            if is_http(href.strip()):
                return href.strip()
    return None
