"""Bylines -> people with proper-cased names and title-cased roles; agencies become credits."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbite.normalise.bylines import Byline, BylineParser
from newsbite.normalise.credits import CreditRegistry


class BylinesPipeline:
    def __init__(self, parser: BylineParser, stats: StatsCollector) -> None:
        self.parser = parser
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BylinesPipeline:
        credits = CreditRegistry.default(crawler.settings.get("NEWSBITE_CREDITS_VOCAB") or None)
        return cls(BylineParser.default(credits), crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        raw = adapter.get("byline_raw")
        # The printed byline is what readers saw; structured authors fill in when it is absent.
        byline = (
            self.parser.parse(raw) if raw else self._from_structured(adapter.get("authors") or [])
        )
        adapter["authors"] = byline.people
        if byline.credit and not adapter.get("syndication"):
            adapter["syndication"] = {"source": byline.credit.source, "raw": byline.credit_raw}
            self.stats.inc_value("newsbite/syndication/from_byline")
        return item

    def _from_structured(self, authors: list[dict]) -> Byline:
        result = Byline()
        for author in authors:
            parsed = self.parser.parse(author.get("raw") or author.get("name"))
            result.people.extend(parsed.people)
            if parsed.credit and not result.credit:
                result.credit, result.credit_raw = parsed.credit, parsed.credit_raw
        return result
