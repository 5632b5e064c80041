"""One closing log line with what the crawl produced, and the stats as JSON when asked."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter

logger = logging.getLogger(__name__)


class CrawlSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats_file = crawler.settings.get("NEWSBITE_STATS_FILE") or None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        dropped = sum(v for k, v in stats.items() if k.startswith("newsbite/dropped/"))
        failed = sum(v for k, v in stats.items() if k.startswith("newsbite/failed/"))
        skipped = sum(v for k, v in stats.items() if k.startswith("newsbite/skipped/"))
        incremental = self.crawler.settings.getbool("NEWSBITE_INCREMENTAL")
        news = "(incremental off)"
        if incremental:
            new = stats.get("newsbite/incremental/new", 0)
            changed = stats.get("newsbite/incremental/changed", 0)
            unchanged = stats.get("newsbite/unchanged", 0)
            early = stats.get("newsbite/unchanged/before_download", 0)
            news = f"({new} new, {changed} changed), {unchanged} unchanged ({early} not downloaded)"
        access = ", ".join(
            f"{stats.get(f'newsbite/paywall/{status}', 0)} {status}"
            for status in ("free", "subscriber", "unknown")
        )
        logger.info(
            "newsbite summary (%s): %d articles written %s [access: %s], "
            "%d dropped, %d bot walls, %d skipped, %d failed requests, %d cassette misses",
            reason,
            stats.get("item_scraped_count", 0),
            news,
            access,
            dropped,
            stats.get("newsbite/botwall", 0),
            skipped,
            failed,
            stats.get("newsbite/cassette/miss", 0),
        )
        for uri in self.feed_uris():
            logger.info("newsbite output: %s", uri)
        if self.stats_file:
            path = Path(self.stats_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(stats, default=str, indent=1, sort_keys=True), "utf-8")

    def feed_uris(self) -> list[str]:
        """Where FEEDS wrote this run (start-time placeholders filled in), so users find it."""
        manager = getattr(self.crawler, "extensions", None)
        for ext in getattr(manager, "middlewares", ()):
            if isinstance(ext, FeedExporter):
                return [slot.uri for slot in ext.slots]
        return []
