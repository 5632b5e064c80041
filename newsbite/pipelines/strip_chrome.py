"""Remove comment, login, masthead and footer chrome from the body, on whole paragraphs only."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbite.normalise.chrome import ChromeMatcher


class StripChromePipeline:
    def __init__(self, matcher: ChromeMatcher, stats: StatsCollector) -> None:
        self.matcher = matcher
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StripChromePipeline:
        path = crawler.settings.get("NEWSBITE_CHROME_VOCAB") or None
        return cls(ChromeMatcher.default(path), crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        kept, removed = self.matcher.split(list(adapter.get("body") or []))
        if removed:
            adapter["body"] = kept
            adapter["chrome_removed"] = [*(adapter.get("chrome_removed") or []), *removed]
            self.stats.inc_value("newsbite/chrome_removed", len(removed))
        return item
