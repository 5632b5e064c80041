"""Route publisher hosts to a local server (the simulator) while everything else sees real URLs.

NEWSBITE_HOST_MAP = "theaustralian.com.au=127.0.0.1:8765,thetimes.com=127.0.0.1:8765": a
request for a mapped host goes to http://127.0.0.1:PORT with the original Host header, and
its response comes back under the original URL, so publishers, story ids, redirects, cookies
and the cassette all see the real URL. A bare domain also maps its www. host. Never set by
default (DESIGN §10).

Priority 960, closest to the downloader: the cassette (950) records and replays real URLs.
The URL is swapped on the request object itself, because a new Request returned from
process_request would be scheduled again and pass every middleware with the local URL; it
is swapped back as the response (or the error) comes out, before any other middleware.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newsbite.errors import UsageError

META_KEY = "_newsbite_hostmap"  # (original URL, the Host header it had or None)


def parse_host_map(value: str | Mapping[str, str]) -> dict[str, tuple[str, int]]:
    """'host=ip:port,...' (or a dict) -> {host: (ip, port)}; a bare domain adds www.<domain>."""
    if isinstance(value, Mapping):
        value = ",".join(f"{host}={target}" for host, target in value.items())
    table: dict[str, tuple[str, int]] = {}
    for pair in (p.strip() for p in value.split(",")):
        if not pair:
            continue
        host, sep, target = (s.strip() for s in pair.partition("="))
        ip, colon, port = target.rpartition(":")
        if not sep or not host or "/" in host or not colon or not ip or not port.isdigit():
            raise UsageError(
                f"NEWSBITE_HOST_MAP: bad pair {pair!r}; expected host=IP:PORT, "
                "e.g. theaustralian.com.au=127.0.0.1:8765"
            )
        host = host.lower().rstrip(".")
        table[host] = (ip, int(port))
        if not host.startswith("www."):
            table.setdefault(f"www.{host}", (ip, int(port)))
    return table


class HostMapMiddleware:
    def __init__(self, table: dict[str, tuple[str, int]]) -> None:
        self.table = table

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        value = crawler.settings.get("NEWSBITE_HOST_MAP") or ""
        if not value or (isinstance(value, str) and not value.strip()):
            raise NotConfigured("NEWSBITE_HOST_MAP is not set")
        return cls(parse_host_map(value))

    def process_request(self, request: Request, spider: Any = None) -> None:
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        target = self.table.get(host)
        if target is None or parts.scheme not in ("http", "https") or META_KEY in request.meta:
            return None
        ip, port = target
        request.meta[META_KEY] = (request.url, request.headers.get("Host"))
        # Keep one download slot per real host: the politeness settings stay per publisher.
        request.meta.setdefault("download_slot", host)
        host_header = parts.netloc.rsplit("@", 1)[-1].lower()
        request.headers["Host"] = host_header
        request._set_url(urlunsplit(("http", f"{ip}:{port}", parts.path, parts.query, "")))
        return None

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        original = self._restore(request)
        if original is None:
            return response
        return response.replace(url=original)

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._restore(request)
        return None

    @staticmethod
    def _restore(request: Request) -> str | None:
        """Put the real URL and Host header back on the request; the real URL, or None."""
        saved = request.meta.pop(META_KEY, None)
        if saved is None:
            return None
        original, host_header = saved
        request._set_url(original)
        if host_header is None:
            del request.headers["Host"]
        else:
            request.headers["Host"] = host_header
        return original
