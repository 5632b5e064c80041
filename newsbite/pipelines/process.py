"""The Scrapy face of the one processing chain (newsbite.process): run it, add its counts to
the crawl's stats, drop what it rejects with its reason."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newsbite.items import Article
from newsbite.process import Chain
from newsbite.publishers import Publisher, for_url, generic_for, get

logger = logging.getLogger(__name__)


def publisher_of(item: Article) -> Publisher:
    """The entry the spider named in `site`, else the one serving the URL, else generic."""
    try:
        return get(item.site)
    except KeyError:
        return for_url(item.url) or generic_for(item.url)


class ProcessPipeline:
    def __init__(self, chain: Chain, stats: StatsCollector) -> None:
        self.chain = chain
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProcessPipeline:
        return cls(Chain.from_settings(crawler.settings), crawler.stats)

    def process_item(self, item: Article) -> Article:
        outcome = self.chain.run(item, publisher_of(item))
        for name, count in outcome.counts.items():
            self.stats.inc_value(f"newsbite/{name}", count)
        if outcome.item is None:
            raise DropItem(f"invalid item {item.url}: {outcome.reason} ({outcome.detail})")
        # Access statuses are counted once the item is valid: a dropped one is not a story.
        self.stats.inc_value(f"newsbite/paywall/{outcome.item.paywall['status']}")
        return outcome.item
