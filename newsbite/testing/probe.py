"""The cassette tests' probe: a spider that fetches a few byte-exact pages (utf-8, gzip,
cp1252, PNG) after a cookie-setting page, and the route table the simulator serves them
from. Subprocess crawls load it with SPIDER_MODULES = ["newsbite.testing.probe"].
(Was tests/cassette_support.py.)
"""

from __future__ import annotations

import gzip
import hashlib
from typing import Any

import scrapy
from scrapy.http import TextResponse

SECRET = "SECRETVALUE123"

UTF8_HTML = "<html><body><p>Café “quoted” — utf-8</p></body></html>"
GZIP_HTML = "<html><body><p>Gzipped “text” é — ok</p></body></html>"
CP1252_HTML = "<html><body><p>Smart “quotes” and café – cp1252</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\x00\xff\xfe"
ROBOTS = "User-agent: *\nDisallow: /private\n"

# path -> (status, headers, body): the simulator's route table for the probe (any host).
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, ROBOTS.encode()),
    "/utf8": (200, {"Content-Type": "text/html; charset=utf-8"}, UTF8_HTML.encode()),
    "/gzip": (
        200,
        {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
        gzip.compress(GZIP_HTML.encode(), mtime=0),
    ),
    "/cp1252": (
        200,
        {"Content-Type": "text/html; charset=windows-1252"},
        CP1252_HTML.encode("cp1252"),
    ),
    "/cookie": (
        200,
        {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": f"session={SECRET}; Path=/"},
        b"<html><body><p>cookie set</p></body></html>",
    ),
    "/image.png": (200, {"Content-Type": "image/png"}, PNG),
}
PAGES = ["/utf8", "/gzip", "/cp1252", "/image.png"]  # fetched after /cookie


class ProbeSpider(scrapy.Spider):
    """Fetches /cookie (so the jar holds a cookie), then every page with an Authorization header."""

    name = "cassette_probe"

    def __init__(self, base: str = "", extra: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.extra = extra.split()

    async def start(self):
        yield scrapy.Request(f"{self.base}/cookie", callback=self.after_cookie)

    def after_cookie(self, response):
        yield self.item(response)
        for path in PAGES:
            auth = {"Authorization": f"Bearer {SECRET}", "Proxy-Authorization": SECRET}
            yield scrapy.Request(f"{self.base}{path}", headers=auth)
        for url in self.extra:
            yield scrapy.Request(url)

    def parse(self, response):
        yield self.item(response)

    @staticmethod
    def item(response) -> dict[str, Any]:
        return {
            "url": response.url,
            "status": response.status,
            "text": response.text if isinstance(response, TextResponse) else None,
            "sha256": hashlib.sha256(response.body).hexdigest(),
        }


# Settings for subprocess crawls of the probe spider: only this module's spider, and of
# newsbite's own components only the cassette middleware and the summary extension (which
# writes NEWSBITE_STATS_FILE), so these tests pin the cassette alone.
CRAWL_SETTINGS: dict[str, Any] = {
    "SPIDER_MODULES": ["newsbite.testing.probe"],
    "DOWNLOADER_MIDDLEWARES": {"newsbite.middlewares.cassette.CassetteMiddleware": 950},
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {"newsbite.extensions.summary.CrawlSummary": 500},
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "RETRY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
}
