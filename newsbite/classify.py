"""Classify each response once (issue 12, DESIGN §1): what kind of answer is this page?

One pass, in this order, cheapest test first, every step linear in the page size:

    binary_body   not text (Content-Type), or binary bytes served as HTML (text.looks_binary)
    empty_body    no bytes, or only whitespace
    too_large     a story or listing page over NEWSBITE_MAX_PAGE_BYTES: not parsed at all
    botwall       a wall or challenge page (extract.botwall: <title>/<h1> first, then a
                  bounded text count; challenge markup only when its token is in the text)
    too_deep      nested past what libxml2 keeps even after flattening (text.selector_for)
    shell         a page request whose static HTML lacks the story and scripts build it
                  (render.detect_shell: the story container's text first)
    readable      everything else: the decoded, possibly re-parsed Selector to parse

An undeclared charset is decoded the WHATWG way (text.sniff_encoding), not with Scrapy's
cp1250-prone guess. The result rides on the response (a weak map keyed by the response object:
a retried request never carries a stale one) and `ClassifyMiddleware` computes it before the
bot-wall and render middlewares, off the reactor thread for bodies over
NEWSBITE_THREAD_PARSE_BYTES. They and the spider's readable() read it and never recompute.
"""

from __future__ import annotations

import codecs
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from parsel import Selector
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse, XmlResponse
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newsbite.extract.botwall import detect_botwall
from newsbite.render import detect_shell
from newsbite.text import detect_encoding, looks_binary, selector_for, sniff_encoding

logger = logging.getLogger(__name__)

READABLE = "readable"
SHELL = "shell"
BOTWALL = "botwall"
BINARY = "binary_body"
EMPTY = "empty_body"
TOO_DEEP = "too_deep"
TOO_LARGE = "too_large"
# A story page over this is not parsed (NEWSBITE_MAX_PAGE_BYTES): no news page holds 8 MiB of
# HTML, and parsing one would hold the reactor (and the GIL) for seconds to minutes.
DEFAULT_MAX_PAGE_BYTES = 8 * 1024 * 1024
# Verdicts whose page the spider parses (a shell only when it was not rendered instead).
PARSED = frozenset({READABLE, SHELL})
PAGE_KINDS = frozenset({"story", "listing"})
DEFAULT_THREAD_PARSE_BYTES = 1_000_000
STAT_COMPUTED = "newsbite/classify/computed"
STAT_IN_THREAD = "newsbite/classify/in_thread"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Classification:
    """What one response is. `selector` is set for pages the spider parses."""

    verdict: str
    signal: str | None = None  # the wall or shell signal
    detail: str | None = None  # a human reason for a skip ("content-type image/png")
    selector: Selector | None = None
    encoding: str | None = None  # set when the charset was sniffed (none was declared)
    problems: tuple[str, ...] = ()  # e.g. ("deep_nesting",): flattened and parsed again

    @property
    def parsed(self) -> bool:
        return self.verdict in PARSED

    @property
    def label(self) -> str:
        return f"{self.verdict}:{self.signal}" if self.signal else self.verdict


# The cache: one entry per live response object, gone with it.
_CACHE: weakref.WeakKeyDictionary[Response, Classification] = weakref.WeakKeyDictionary()


def is_page_request(request: Request | None) -> bool:
    """Story and listing pages (and requests of no kind: `-a urls=`, tests), not robots.txt,
    feeds or sitemaps."""
    if request is None:
        return True
    if request.meta.get("dont_obey_robotstxt") or request.url.endswith("/robots.txt"):
        return False
    kind = request.meta.get("newsbite_kind")
    return kind is None or kind in PAGE_KINDS


def was_rendered(response: Response) -> bool:
    request = response.request
    return "playwright" in (response.flags or []) or bool(
        request is not None and request.meta.get("playwright")
    )


def cached(response: Response) -> Classification | None:
    return _CACHE.get(response)


def remember(response: Response, found: Classification) -> Classification:
    _CACHE[response] = found
    return found


def classification_of(
    response: Response, stats: StatsCollector | None = None, *, page: bool | None = None
) -> Classification:
    """The response's classification: cached, or computed now (once) and cached."""
    found = _CACHE.get(response)
    if found is not None:
        return found
    return remember(response, _computed(response, stats, page))


def _computed(
    response: Response,
    stats: StatsCollector | None,
    page: bool | None,
    max_bytes: int = DEFAULT_MAX_PAGE_BYTES,
) -> Classification:
    if page is None:
        page = is_page_request(_request_of(response))
    found = classify(response, page=page, max_bytes=max_bytes)
    if stats is not None:
        stats.inc_value(STAT_COMPUTED)
        stats.inc_value(f"newsbite/classify/{found.verdict}")
    logger.debug("classified %s as %s", response.url, found.label)
    return found


def _request_of(response: Response) -> Request | None:
    try:
        return response.request
    except AttributeError:
        return None


# --- the one pass ------------------------------------------------------------------------------


def classify(
    response: Response, *, page: bool = True, max_bytes: int = DEFAULT_MAX_PAGE_BYTES
) -> Classification:
    """Classify one response (pure: no crawler, no stats, no log). `page`: a story or listing
    request (shell detection and flattening apply to pages only; feeds get the wall test)."""
    if not isinstance(response, TextResponse):
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or "none"
        return Classification(BINARY, detail=f"content-type {ctype}")
    body = response.body
    if not body or body.isspace():
        return Classification(EMPTY, detail="no bytes" if not body else "only whitespace")
    if page and max_bytes and len(body) > max_bytes:
        detail = f"{len(body):,} bytes, over NEWSBITE_MAX_PAGE_BYTES ({max_bytes:,})"
        return Classification(TOO_LARGE, detail=detail)
    if looks_binary(body):
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or "none"
        return Classification(BINARY, detail=f"binary bytes served as {ctype}")
    encoding = _sniffed_encoding(response)
    if encoding is not None:
        response = response.replace(encoding=encoding)
    text = response.text
    # A parsel Selector, not `response.selector`: Scrapy's holds the response, and the cache
    # below is keyed weakly by the response: a value that refers to its key is never freed
    # (every page and its tree would stay in memory for the whole crawl).
    sel = Selector(text=text, type=_selector_type(response), base_url=response.url)
    wall = detect_botwall(sel, text)
    if wall is not None:
        return Classification(BOTWALL, signal=wall, selector=sel, encoding=encoding)
    if not page or isinstance(response, XmlResponse):
        return Classification(READABLE, selector=sel, encoding=encoding)
    sel, problems = selector_for(text, sel)
    if "too_deep" in problems:
        return Classification(
            TOO_DEEP,
            detail="nested too deep to parse, even flattened",
            encoding=encoding,
            problems=tuple(problems),
        )
    shell = None
    if response.status == 200 and not was_rendered(response):
        shell = detect_shell(sel)
    return Classification(
        SHELL if shell else READABLE,
        signal=shell,
        selector=sel,
        encoding=encoding,
        problems=tuple(problems),
    )


def _selector_type(response: TextResponse) -> str:
    return "xml" if isinstance(response, XmlResponse) else "html"


def _sniffed_encoding(response: TextResponse) -> str | None:
    """The WHATWG encoding when the page declares none (no BOM, header or <meta> charset);
    detection too when it declares UTF-8 and its bytes are not (a cp1252 page served as
    charset=utf-8 would read "Caf\ufffd"); None when Scrapy's declared one stands."""
    declared = getattr(response, "_declared_encoding", None)
    if declared is None:
        return None
    name = declared()
    if name is not None:
        if not _is_utf8(name) or _valid_utf8(response.body):
            return None
        return detect_encoding(response.body)
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
    return sniff_encoding(response.body, ctype)


def _is_utf8(name: str) -> bool:
    try:
        return codecs.lookup(name).name == "utf-8"
    except LookupError:
        return False


def _valid_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- off the reactor ---------------------------------------------------------------------------


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in the reactor's thread pool, awaited (works with any reactor)."""
    return await maybe_deferred_to_future(deferToThread(fn, *args, **kwargs))


async def off_reactor_if_large(
    size: int, limit: int, fn: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Run `fn` in a thread when the page is over `limit` bytes (0 = never), else here: a
    large page must not stall the other downloads, a small one is not worth the hop."""
    if limit and size > limit:
        return await in_thread(fn, *args, **kwargs)
    return fn(*args, **kwargs)


def thread_parse_bytes(settings: Any) -> int:
    return max(0, settings.getint("NEWSBITE_THREAD_PARSE_BYTES", DEFAULT_THREAD_PARSE_BYTES))


class ClassifyMiddleware:
    """Downloader middleware (585: after HttpCompression 590, before the bot-wall 580 and
    render 570 middlewares): classifies every response once, in a thread when it is large,
    and hands on the response re-decoded when its charset had to be sniffed."""

    def __init__(self, crawler: Crawler, thread_bytes: int) -> None:
        self.stats = crawler.stats
        self.thread_bytes = thread_bytes
        self.max_bytes = max(
            0, crawler.settings.getint("NEWSBITE_MAX_PAGE_BYTES", DEFAULT_MAX_PAGE_BYTES)
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyMiddleware:
        return cls(crawler, thread_parse_bytes(crawler.settings))

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.meta.get("dont_obey_robotstxt") or request.url.endswith("/robots.txt"):
            return response  # robots.txt is not a page
        found = _CACHE.get(response)
        if found is None:
            page = is_page_request(request)
            if self.thread_bytes and len(response.body) > self.thread_bytes:
                self.stats.inc_value(STAT_IN_THREAD)
                found = await in_thread(_computed, response, None, page, self.max_bytes)
                self.stats.inc_value(STAT_COMPUTED)
                self.stats.inc_value(f"newsbite/classify/{found.verdict}")
            else:
                found = _computed(response, self.stats, page, self.max_bytes)
            remember(response, found)
        if found.encoding and isinstance(response, TextResponse):
            # Only set when no charset was declared: the spider's response reads as sniffed.
            replaced = response.replace(encoding=found.encoding)
            remember(replaced, found)
            return replaced
        return response
