"""Record and replay HTTP traffic through vcrpy cassettes (DESIGN §7).

vcrpy patches http.client/requests/aiohttp, not Twisted, so this middleware drives vcrpy's own
objects (Cassette, Request, the YAML serializer and filesystem persister) by hand.

It sits at priority 950, next to the downloader and after HttpCompressionMiddleware (590):
recording sees the raw wire bytes (a gzip body stays gzip and is stored as ``!!binary``) and a
replayed response then goes through decompression, redirects, retries and cookies like a live one.

Replay loads every cassette once per crawl. A cassette that cannot be read (broken YAML, not a
cassette) is named in one ERROR and counted (``newsbite/cassette/unreadable``); the other
cassettes still replay. A named cassette (NEWSBITE_CASSETTE) that cannot be read stops the crawl
before it starts, with the file and the reason in one line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

logger = logging.getLogger(__name__)

MODES = ("none", "record", "replay")
# Credentials never reach a cassette file (checked case-insensitively).
SCRUBBED_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization"})
SAVE_EVERY = 25  # default for NEWSBITE_CASSETTE_SAVE_EVERY

STAT_REPLAYED = "newsbite/cassette/replayed"
STAT_RECORDED = "newsbite/cassette/recorded"
STAT_MISS = "newsbite/cassette/miss"
STAT_MISSED_URLS = "newsbite/cassette/missed_urls"
# The first misses are named in the stats (the fixture command prints them, the report shows
# three); a replay that misses everything would otherwise keep every URL of the crawl there.
# STAT_MISS counts them all, and each is logged.
MAX_MISSED_URLS_KEPT = 100
STAT_UNREADABLE = "newsbite/cassette/unreadable"

# (url, status, headers, body): what write_cassette() takes.
Interaction = tuple[str, int, Mapping[str, Any], bytes]


class CassetteUnreadable(ValueError):
    """A cassette file that vcrpy cannot load; the message names the file."""


class CassetteMiss(IgnoreRequest):
    """A replayed crawl asked for something the cassette does not hold."""

    def __init__(self, method: str, url: str) -> None:
        super().__init__(f"cassette miss: {method} {url}")
        self.url = url


# --- vcrpy glue: the only place that knows vcrpy's shapes ------------------------------------


def scrub_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in headers.items() if k.lower() not in SCRUBBED_HEADERS}


def _scrub_request(request: VcrRequest) -> VcrRequest:
    request.headers = scrub_headers(request.headers)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = scrub_headers(response["headers"])
    return response


def _wire_url(url: str) -> str:
    """The URL as sent: fragments never go on the wire, so they never key a recording."""
    return urldefrag(url)[0]


def _header_lists(headers: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Scrapy Headers (bytes) or a plain mapping -> {name: [values]} of str.

    latin-1 maps every byte to one code point, so any header bytes survive the YAML round trip.
    """

    def text(v: Any) -> str:
        return v.decode("latin-1") if isinstance(v, bytes) else str(v)

    out: dict[str, list[str]] = {}
    for name, values in headers.items():
        vals = values if isinstance(values, (list, tuple)) else [values]
        out[text(name)] = [text(v) for v in vals]
    return out


def vcr_request(method: str, url: str, headers: Mapping[Any, Any] | None = None, body: bytes = b""):
    # vcrpy's HeadersDict keeps one value per request header, which is all a request needs.
    hdrs = {k: v[-1] for k, v in _header_lists(headers or {}).items() if v}
    return VcrRequest(method.upper(), _wire_url(url), body or b"", hdrs)


def vcr_response(status: int, headers: Mapping[Any, Any], body: bytes) -> dict[str, Any]:
    try:
        message = HTTPStatus(status).phrase
    except ValueError:
        message = ""
    return {
        "status": {"code": int(status), "message": message},
        "headers": _header_lists(headers),
        "body": {"string": bytes(body)},
    }


def new_recording(path: str | Path) -> Cassette:
    """An empty cassette in "all" mode: a recording replaces the file, it never merges into it."""
    return Cassette(
        path=str(path),
        record_mode=RecordMode.ALL,
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
    )


def save_cassette(cassette: Cassette) -> None:
    """Write through the cassette's persister.

    Cassette has no public save outside its context manager (which we cannot use across a
    Twisted crawl), so this is the one call of the private ``_save``.
    """
    cassette._save(force=True)


def load_cassette(path: str | Path) -> Cassette:
    if not Path(path).is_file():
        raise FileNotFoundError(f"cassette not found: {path}")
    # No vcrpy playback repeats: Replayer.play() replays a URL's recordings in order (a 503
    # then its successful retry) and repeats the last one itself.
    try:
        return Cassette.load(
            path=str(path), record_mode=RecordMode.NONE, allow_playback_repeats=False
        )
    except Exception as exc:  # yaml errors, a mapping that is not a cassette, bad encodings...
        # vcrpy's own messages do not name the file: with hundreds of fixtures, say which.
        detail = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise CassetteUnreadable(f"cassette {path} cannot be read: {detail}") from exc


def write_cassette(path: str | Path, interactions: Iterable[Interaction]) -> int:
    """Write GET (url, status, headers, body) interactions to a cassette, scrubbed like a recording.

    Used by the synthetic fixture builder. Returns the number of interactions written.
    """
    cassette = new_recording(path)
    for url, status, headers, body in interactions:
        # Scrapy's own URL normalisation, so the key matches what a spider will request.
        cassette.append(vcr_request("GET", Request(url).url), vcr_response(status, headers, body))
    save_cassette(cassette)
    return len(cassette)


class Replayer:
    """Answers requests from one or more loaded cassettes, by method and URL."""

    def __init__(self, cassettes: Iterable[Cassette]) -> None:
        self.cassettes = list(cassettes)
        # (method, url) -> cassettes holding it, first loaded first: a cheap miss check and a
        # deterministic winner when several bundled fixtures recorded the same URL.
        self._index: dict[tuple[str, str], list[Cassette]] = {}
        for cassette in self.cassettes:
            for req in cassette.requests:
                holders = self._index.setdefault((req.method.upper(), req.uri), [])
                if cassette not in holders:
                    holders.append(cassette)

    def __len__(self) -> int:
        return sum(len(c) for c in self.cassettes)

    def play(self, method: str, url: str) -> dict[str, Any] | None:
        req = vcr_request(method, url)
        holders = self._index.get((req.method, req.uri), [])
        for cassette in holders:
            if req in cassette:  # an unplayed recording is left
                return cassette.play_response(req)
        if holders:  # all played: repeat the last (robots.txt per run, dont_filter re-fetches)
            return holders[-1].responses_of(req)[-1]
        return None


# --- the middleware ---------------------------------------------------------------------------


class CassetteMiddleware:
    def __init__(self, crawler: Crawler, mode: str, path: str, fixtures_dir: Path, save_every: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.mode = mode
        self.path = path
        self.fixtures_dir = fixtures_dir
        self.save_every = max(1, save_every)
        self.recording: Cassette | None = None
        self._replayer: Replayer | None = None
        if mode == "record":
            self.recording = new_recording(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CassetteMiddleware:
        s = crawler.settings
        mode = str(s.get("NEWSBITE_CASSETTE_MODE") or "none").strip().lower()
        if mode not in MODES:
            raise ValueError(
                f"NEWSBITE_CASSETTE_MODE must be one of {', '.join(MODES)}, got {mode!r}"
            )
        if mode == "none":
            raise NotConfigured("NEWSBITE_CASSETTE_MODE is none")
        path = str(s.get("NEWSBITE_CASSETTE") or "")
        if mode == "record" and not path:
            # NotConfigured would silently crawl live without recording: fail instead.
            raise ValueError("NEWSBITE_CASSETTE_MODE=record needs NEWSBITE_CASSETTE=<file.yaml>")
        if mode == "replay" and path and not Path(path).is_file():
            raise ValueError(f"NEWSBITE_CASSETTE={path!r}: no such cassette file")
        if mode == "replay" and path:
            load_cassette(path)  # a broken named cassette: one line naming it, before any request
        fixtures_dir = Path(s.get("NEWSBITE_FIXTURES_DIR") or default_fixtures_dir())
        # vcrpy logs every appended interaction, body included, at INFO.
        logging.getLogger("vcr").setLevel(logging.WARNING)
        mw = cls(
            crawler, mode, path, fixtures_dir, s.getint("NEWSBITE_CASSETTE_SAVE_EVERY", SAVE_EVERY)
        )
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # replay ----------------------------------------------------------------------------------

    def replayer(self, spider: Spider | None = None) -> Replayer:
        """Loaded lazily, once: the bundled-fixtures index needs the spider's name."""
        if self._replayer is None:
            if self.path:
                paths = [Path(self.path)]
            else:
                spider = spider or self.crawler.spider
                name = spider.name if spider else ""
                paths = sorted((self.fixtures_dir / name).glob("*/cassette.yaml"))
                if not paths:
                    logger.error("cassette replay: no cassettes under %s", self.fixtures_dir / name)
            loaded = list(self._load_each(paths))
            # Set before anything else can fail: a request never reloads the cassettes.
            self._replayer = Replayer(loaded)
            logger.info(
                "cassette replay: %d interactions from %d cassette(s)",
                len(self._replayer),
                len(loaded),
            )
        return self._replayer

    def _load_each(self, paths: list[Path]) -> Iterable[Cassette]:
        """Every readable cassette; an unreadable one is named, counted and left out."""
        for path in paths:
            try:
                yield load_cassette(path)
            except (CassetteUnreadable, OSError) as exc:
                self.stats.inc_value(STAT_UNREADABLE)
                logger.error("%s; replaying the other cassettes without it", exc)

    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        if self.mode != "replay" or not request.url.startswith(("http://", "https://")):
            return None
        recorded = self.replayer(spider).play(request.method, request.url)
        if recorded is None:
            raise self._miss(request)
        self.stats.inc_value(STAT_REPLAYED)
        return self._to_response(request, recorded)

    def _miss(self, request: Request) -> CassetteMiss:
        logger.error("cassette miss: %s %s", request.method, request.url)
        self.stats.inc_value(STAT_MISS)
        missed = list(self.stats.get_value(STAT_MISSED_URLS) or [])
        if len(missed) < MAX_MISSED_URLS_KEPT:
            missed.append(request.url)
            self.stats.set_value(STAT_MISSED_URLS, missed)
        return CassetteMiss(request.method, request.url)

    @staticmethod
    def _to_response(request: Request, recorded: dict[str, Any]) -> Response:
        headers = Headers(
            {
                k.encode("latin-1"): [v.encode("latin-1") for v in vs]
                for k, vs in recorded["headers"].items()
            }
        )
        body = recorded["body"]["string"] or b""
        if isinstance(body, str):  # a hand-edited cassette
            body = body.encode("utf-8")
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(
            url=request.url,
            status=int(recorded["status"]["code"]),
            headers=headers,
            body=body,
            flags=["cassette"],
            request=request,
        )

    # record ----------------------------------------------------------------------------------

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        # Replayed responses come back through here too: never record those.
        if self.recording is None or "cassette" in response.flags:
            return response
        self.recording.append(
            vcr_request(request.method, request.url, request.headers, request.body),
            vcr_response(response.status, response.headers, response.body),
        )
        self.stats.inc_value(STAT_RECORDED)
        if len(self.recording) % self.save_every == 0:
            # An interrupted recording keeps what it had.
            save_cassette(self.recording)
        return response

    def spider_closed(self, spider: Spider | None = None, reason: str = "") -> None:
        if self.recording is not None:
            save_cassette(self.recording)
            logger.info("cassette recorded: %d interactions -> %s", len(self.recording), self.path)


def default_fixtures_dir() -> Path:
    """The checkout's fixtures/, else the copy packaged as newsbite._fixtures (wheel or egg)."""
    from newsbite.packaged import fixtures_dir

    return fixtures_dir()
