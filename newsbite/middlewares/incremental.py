"""Skip a story before download when its listing card says it has not changed.

A spider middleware, so a skipped request never reaches the scheduler (and no errback fires).
It acts on requests whose meta carries ``newsbite_story = {"id": ..., "modified": ...}`` (set by
the spider from the listing); the story is skipped when the state knows the id and the listed
modified date is not later than the stored one. Anything less certain is downloaded and decided
after parsing by the incremental pipeline. Off unless NEWSBITE_INCREMENTAL is true, and passes
everything with ``-a full=true``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsbite.state.crawl import CrawlState, not_modified_since

META_KEY = "newsbite_story"


class SkipUnchangedMiddleware:
    def __init__(self, state: CrawlState, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipUnchangedMiddleware:
        return cls(CrawlState.of(crawler), crawler.stats)

    def unchanged(self, request: Request) -> bool:
        listed = request.meta.get(META_KEY)
        if self.state.full or not isinstance(listed, dict) or not listed.get("id"):
            return False
        known = self.state.store.get(self.state.site, str(listed["id"]))
        if known is None or not not_modified_since(listed.get("modified"), known.modified):
            return False
        # Several listings may show one story: it is touched and counted the first time only.
        if self.state.first_unchanged((self.state.site, known.id)):
            self.state.store.touch(self.state.site, [known.id], self.state.run_at)
            self.stats.inc_value("newsbite/unchanged")
            self.stats.inc_value("newsbite/unchanged/before_download")
        return True

    def keep(self, obj: Any) -> bool:
        return not (isinstance(obj, Request) and self.unchanged(obj))

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for obj in result:
            if self.keep(obj):
                yield obj

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for obj in result:
            if self.keep(obj):
                yield obj
