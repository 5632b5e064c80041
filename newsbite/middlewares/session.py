"""A subscriber's own session, sent only where it belongs (DESIGN §5).

The subscriber supplies their cookies; newsbite never obtains or forges any:

* ``NEWSBITE_COOKIES_FILE``: a Netscape/Mozilla ``cookies.txt`` (as browser extensions export
  it), read with the standard library's ``http.cookiejar.MozillaCookieJar``;
* ``NEWSBITE_SESSION_COOKIES`` (setting, else the environment variable of that name): either a
  JSON object ``{"theaustralian.com.au": "name=value; name2=value2"}`` (values may also be
  ``{"name": "value"}`` objects), or lines ``theaustralian.com.au: name=value; name2=value2``
  separated by newlines or ``|``. A domain covers its subdomains.

``SessionCookiesMiddleware`` (downloader, after Scrapy's CookiesMiddleware at 700) adds the
matching cookies to the ``Cookie`` header of a request only when the request's host, path and
scheme match them (the standard library's cookie policy decides), marks the request
``meta["newsbite_session"] = True`` and takes the cookies off the request again when the
response (or the error) comes back, so that retries, redirects and JOBDIR queues never carry
them. The values never reach logs, stats, items or exception messages: only cookie counts and
domains are reported. The cassette middleware scrubs ``Cookie`` headers from recordings.

``SessionItemsMiddleware`` (spider middleware) marks items parsed from such responses
``paywall.session = True``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import urllib.request
import weakref
from collections.abc import Iterable
from http.cookiejar import Cookie, CookieJar, LoadError, MozillaCookieJar
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter, is_item
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)

META_KEY = "newsbite_session"
STAT_REQUESTS = "newsbite/session/requests"
STAT_COOKIES = "newsbite/session/cookies_loaded"
STAT_ITEMS = "newsbite/session/items"


class SessionConfigError(ValueError):
    """A session source could not be read. The message never holds cookie values."""


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+|\[?[0-9a-fA-F:]+\]?", host))


def make_cookie(domain: str, name: str, value: str, *, path: str = "/") -> Cookie:
    domain = domain.strip().lower().lstrip(".")
    host_only = _is_ip(domain) or "." not in domain
    if "." not in domain and not _is_ip(domain):
        # http.cookiejar matches a dotless host ("localhost") by its RFC 2965 effective name.
        domain += ".local"
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain if host_only else "." + domain,
        domain_specified=not host_only,
        domain_initial_dot=not host_only,
        path=path,
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


def _pairs(spec: Any) -> Iterable[tuple[str, str]]:
    if isinstance(spec, dict):
        yield from ((str(k), str(v)) for k, v in spec.items())
        return
    for part in str(spec).split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip():
            yield name.strip(), value.strip()


def parse_session_cookies(value: Any) -> list[Cookie]:
    """NEWSBITE_SESSION_COOKIES (dict, JSON text or `domain: a=b; c=d` lines) -> cookies."""
    if not value:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                # json's message quotes the text: keep it out of the exception.
                raise SessionConfigError("NEWSBITE_SESSION_COOKIES is not valid JSON") from None
        else:
            value = {}
            for line in re.split(r"[\n|]", text):
                domain, sep, spec = line.partition(":")
                if not line.strip():
                    continue
                if not sep or not domain.strip():
                    raise SessionConfigError(
                        "NEWSBITE_SESSION_COOKIES: each entry must read 'domain: name=value; ...'"
                    )
                value[domain.strip()] = spec
    if not isinstance(value, dict):
        raise SessionConfigError("NEWSBITE_SESSION_COOKIES must map domains to cookies")
    cookies = []
    for domain, spec in value.items():
        cookies.extend(make_cookie(str(domain), n, v) for n, v in _pairs(spec))
    return cookies


def load_cookies_file(path: str | Path) -> list[Cookie]:
    jar = MozillaCookieJar()
    try:
        # Exports write session cookies with expiry 0 (which MozillaCookieJar reads as long
        # expired) and they are what a logged-in export mostly holds: keep them, drop cookies
        # whose real expiry has passed.
        jar.load(str(path), ignore_discard=True, ignore_expires=True)
    except FileNotFoundError:
        raise SessionConfigError(f"NEWSBITE_COOKIES_FILE: no such file: {path}") from None
    except (LoadError, OSError) as exc:
        raise SessionConfigError(
            f"NEWSBITE_COOKIES_FILE {path}: not a Netscape cookies.txt file ({type(exc).__name__})"
        ) from None
    now = time.time()
    cookies = []
    for cookie in jar:
        if not cookie.expires:
            cookie.expires, cookie.discard = None, True
        elif cookie.expires <= now:
            continue
        cookies.append(cookie)
    return cookies


class SessionJar:
    """The subscriber's cookies, matched to requests by the standard library's cookie policy."""

    def __init__(self, cookies: Iterable[Cookie]) -> None:
        self.jar = CookieJar()
        for cookie in cookies:
            self.jar.set_cookie(cookie)

    def __len__(self) -> int:
        return len(self.jar)

    def __repr__(self) -> str:  # never the values
        return f"<SessionJar {len(self)} cookies for {', '.join(self.domains())}>"

    def domains(self) -> list[str]:
        return sorted({c.domain for c in self.jar})

    def names(self) -> set[str]:
        return {c.name for c in self.jar}

    def header_for(self, url: str) -> str | None:
        probe = urllib.request.Request(url)
        self.jar.add_cookie_header(probe)
        return probe.get_header("Cookie")


def session_from_settings(settings: Any, environ: dict[str, str] | None = None) -> SessionJar:
    environ = os.environ if environ is None else environ
    cookies: list[Cookie] = []
    path = settings.get("NEWSBITE_COOKIES_FILE") or environ.get("NEWSBITE_COOKIES_FILE")
    if path:
        cookies.extend(load_cookies_file(path))
    spec = settings.get("NEWSBITE_SESSION_COOKIES") or environ.get("NEWSBITE_SESSION_COOKIES")
    if spec:
        cookies.extend(parse_session_cookies(spec))
    return SessionJar(cookies)


def _split_header(header: str) -> list[tuple[str, str]]:
    return [
        (n.strip(), v)
        for n, _, v in (p.strip().partition("=") for p in header.split(";"))
        if n.strip()
    ]


class SessionCookiesMiddleware:
    def __init__(self, crawler: Crawler, jar: SessionJar) -> None:
        self.stats = crawler.stats
        self.jar = jar
        # request -> the Cookie header it had before ours was merged in (None: no header)
        self._before: weakref.WeakKeyDictionary[Request, bytes | None] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SessionCookiesMiddleware:
        jar = session_from_settings(crawler.settings)
        if not len(jar):
            raise NotConfigured("no subscriber session given")
        crawler.stats.set_value(STAT_COOKIES, len(jar))
        logger.info("subscriber session: %d cookie(s) for %s", len(jar), ", ".join(jar.domains()))
        return cls(crawler, jar)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        header = self.jar.header_for(request.url)
        if not header:
            # A redirect or retry copies meta: only a request that carries the session says so.
            request.meta.pop(META_KEY, None)
            return None
        existing = request.headers.get(b"Cookie")
        self._before[request] = existing
        ours = dict(_split_header(header))
        theirs = [
            (n, v)
            for n, v in _split_header(existing.decode("latin-1") if existing else "")
            if n not in ours
        ]
        merged = "; ".join(f"{n}={v}" for n, v in [*theirs, *ours.items()])
        request.headers[b"Cookie"] = merged.encode("latin-1")
        request.meta[META_KEY] = True
        self.stats.inc_value(STAT_REQUESTS)
        return None

    def _restore(self, request: Request) -> None:
        if request not in self._before:
            return
        before = self._before.pop(request)
        if before is None:
            request.headers.pop(b"Cookie", None)
        else:
            request.headers[b"Cookie"] = before

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        self._restore(request)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        self._restore(request)
        return None


class SessionItemsMiddleware:
    """Spider middleware: items from a session response say so (`paywall.session: true`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SessionItemsMiddleware:
        s = crawler.settings
        given = any(
            s.get(name) or os.environ.get(name)
            for name in ("NEWSBITE_COOKIES_FILE", "NEWSBITE_SESSION_COOKIES")
        )
        if not given:
            raise NotConfigured("no subscriber session given")
        return cls(crawler)

    async def process_spider_output(self, response: Response, result, spider=None):
        session = bool(response.meta.get(META_KEY))
        async for obj in result:
            if session and is_item(obj):
                self.mark(obj)
            yield obj

    def process_spider_output_sync(self, response: Response, result, spider=None):
        session = bool(response.meta.get(META_KEY))
        for obj in result:
            if session and is_item(obj):
                self.mark(obj)
            yield obj

    def mark(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        paywall = dict(adapter.get("paywall") or {"status": "unknown", "evidence": []})
        paywall["session"] = True
        adapter["paywall"] = paywall
        self.stats.inc_value(STAT_ITEMS)
