"""Zero items where stories were expected: finish reason `no_items`, exit status 5.

A crawl that was given start sources and made requests, yet wrote no item and skipped none as
unchanged, found nothing it was asked for: a changed layout, a dead topic, a wrong URL. It
ends with reason ``no_items`` instead of ``finished``, so cron and Scrapyd see it in the exit
status (newsbite.exitcodes.NO_ITEMS). An incremental run that skipped every story as unchanged
wrote nothing on purpose and finishes normally. NEWSBITE_EXPECT_ITEMS=false switches it off.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, NotConfigured

logger = logging.getLogger(__name__)

REASON = "no_items"
# Stats that mean "a story was there but deliberately not written again".
UNCHANGED_STATS = ("newsbite/unchanged", "newsbite/unchanged/same_run")


def expected_items_missing(stats: dict) -> bool:
    """Requests went out through the scheduler (start sources were given; robots.txt does not
    count), and no item was written nor skipped as unchanged."""
    if not stats.get("scheduler/enqueued", 0):
        return False
    if stats.get("item_scraped_count", 0):
        return False
    return not any(stats.get(name, 0) for name in UNCHANGED_STATS)


class NoItemsCheck:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NoItemsCheck:
        if not crawler.settings.getbool("NEWSBITE_EXPECT_ITEMS", True):
            raise NotConfigured("NEWSBITE_EXPECT_ITEMS is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        return ext

    def spider_idle(self, spider) -> None:
        """Idle means the crawl is about to finish: the last moment to change its reason."""
        stats = self.crawler.stats.get_stats()
        if not expected_items_missing(stats):
            return
        logger.error(
            "%s wrote no story: %d requests, %d responses, %d dropped, %d failed; "
            "finishing with reason %s (exit 5)",
            spider.name,
            stats.get("scheduler/enqueued", 0),
            stats.get("response_received_count", 0),
            sum(v for k, v in stats.items() if k.startswith("newsbite/dropped/")),
            sum(v for k, v in stats.items() if k.startswith("newsbite/failed/")),
            REASON,
        )
        raise CloseSpider(REASON)
