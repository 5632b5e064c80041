"""Wait NEWSBITE_PACE seconds before each request, replayed ones included.

Replayed responses come from the cassette middleware's process_request, ahead of the downloader
slots, so DOWNLOAD_DELAY never applies to them and a replayed crawl takes milliseconds. Tests
that stop a crawl half-way (and benchmarks that want live-like timing) set a pace instead.
Off unless NEWSBITE_PACE > 0; sits just before the cassette middleware (949 < 950).
"""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class PaceMiddleware:
    def __init__(self, delay: float) -> None:
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaceMiddleware:
        delay = crawler.settings.getfloat("NEWSBITE_PACE", 0.0)
        if delay <= 0:
            raise NotConfigured("NEWSBITE_PACE is 0")
        return cls(delay)

    async def process_request(self, request: Request, spider=None) -> None:
        await asyncio.sleep(self.delay)
