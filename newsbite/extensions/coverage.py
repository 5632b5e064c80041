"""What the layout alarms and the crawl report need, gathered as the crawl goes (issue 13).

* On ``item_scraped``: per-publisher coverage counters in the stats
  (``newsbite/coverage/<site>/...``, see newsbite.monitors.measures) -- counters, not items,
  so memory stays flat however long the crawl.
* Example URLs per reason: ``newsbite/examples/<kind>/<reason>`` holds at most
  ``NEWSBITE_REPORT_EXAMPLES`` URLs for each ``newsbite/<kind>/<reason>`` stat (kinds: skipped,
  dropped, failed, botwall, cassette). Drops come from ``item_dropped`` (the item has its URL);
  the others from the WARNING/ERROR line each component already logs with its reason and URL
  (the project rule), matched to the stat the component has just incremented.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbite.monitors import measures

EXAMPLES = "newsbite/examples/"
# stat families whose reasons get example URLs -> sub-stats that are not reasons
REASON_FAMILIES: dict[str, frozenset[str]] = {
    "skipped": frozenset(),
    "failed": frozenset(),
    "botwall": frozenset({"answers", "retry", "blocked_urls", "ratio"}),
    "cassette": frozenset({"replayed", "recorded", "missed_urls"}),
}
_URL = re.compile(r"https?://[^\s'\"<>()]+")


def example_key(kind: str, reason: str) -> str:
    return f"{EXAMPLES}{kind}/{reason}"


def add_example(stats: StatsCollector, kind: str, reason: str, url: str, limit: int) -> bool:
    """Keep ``url`` as an example of ``kind/reason`` unless ``limit`` are kept already."""
    key = example_key(kind, reason)
    kept = list(stats.get_value(key) or [])
    if url in kept or len(kept) >= limit:
        return False
    stats.set_value(key, [*kept, url])
    return True


def reason_in(message: str, stats: dict[str, Any], kind: str) -> str | None:
    """The reason of ``newsbite/<kind>/<reason>`` that ``message`` names (printed as is or
    with spaces for underscores), the longest when several do."""
    head = f"newsbite/{kind}/"
    found = None
    for key in stats:
        if not key.startswith(head):
            continue
        reason = key[len(head) :]
        if "/" in reason or reason in REASON_FAMILIES[kind]:
            continue
        if (reason in message or reason.replace("_", " ") in message) and len(reason) > len(
            found or ""
        ):
            found = reason
    return found


class _ExampleHandler(logging.Handler):
    """Reads the crawl's WARNING and ERROR lines for a URL and the reason they name."""

    def __init__(self, collector: CoverageCollector) -> None:
        super().__init__(logging.WARNING)
        self.collector = collector

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.collector.example_from_log(record.getMessage())
        except Exception:  # a report helper must never break logging
            self.handleError(record)


class CoverageCollector:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.limit = crawler.settings.getint("NEWSBITE_REPORT_EXAMPLES", 3)
        self.handler = _ExampleHandler(self)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CoverageCollector:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        return ext

    def spider_opened(self, spider=None) -> None:
        logging.getLogger().addHandler(self.handler)

    def spider_closed(self, spider=None, reason: str = "") -> None:
        logging.getLogger().removeHandler(self.handler)

    def item_scraped(self, item: Any, response=None, spider=None) -> None:
        adapter = ItemAdapter(item)
        site = str(adapter.get("site") or "unknown")
        own = measures.has_own_parser(site)
        # The adapter reads the item's fields in place: asdict() would deep-copy every body,
        # image and author of every story only to test a few of them.
        for name in measures.item_counts(adapter, own_parser=own):
            self.stats.inc_value(measures.stat_key(site, name))

    def item_dropped(self, item: Any, response=None, exception=None, spider=None) -> None:
        adapter = ItemAdapter(item)
        url = str(adapter.get("url") or getattr(response, "url", "") or "")
        message = str(exception or "")
        stats = self.stats.get_stats()
        reason = None
        for key in stats:  # the pipeline counted newsbite/dropped/<reason> before raising
            head = "newsbite/dropped/"
            if key.startswith(head) and key[len(head) :] in message:
                candidate = key[len(head) :]
                reason = candidate if len(candidate) > len(reason or "") else reason
        if url:
            add_example(self.stats, "dropped", reason or "other", url, self.limit)

    def example_from_log(self, message: str) -> None:
        if message.startswith("Dropped:"):  # Scrapy's drop line: item_dropped has it already
            return
        match = _URL.search(message)
        if not match:
            return
        url = match.group(0).rstrip(".,;:")
        stats = self.stats.get_stats()
        for kind in REASON_FAMILIES:
            reason = reason_in(message, stats, kind)
            if reason:
                add_example(self.stats, kind, reason, url, self.limit)
                return
