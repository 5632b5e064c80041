"""A live progress line on a terminal: pages, stories, skips and errors per publisher, and rates.

Only for people watching: NotConfigured when stderr is not a terminal (cron, systemd, Scrapyd,
a pipe) or NEWSBITE_PROGRESS is false. The log keeps flowing above the line: while it is shown,
log handlers writing to the terminal write through rich's Live display.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter, defaultdict
from typing import Any, TextIO

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

REFRESH_EVERY = 0.25  # seconds


class Tally:
    """Counts per publisher; the publisher of a page is its spider's, of an item its `site`."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.started = time.monotonic()

    def add(self, publisher: str, column: str) -> None:
        self.counts[publisher][column] += 1

    def line(self, stats: dict | None = None, now: float | None = None) -> str:
        """One line; `stats` adds the crawl-wide failed requests and stories skipped as
        unchanged, which no per-item signal reports."""
        stats = stats or {}
        elapsed = max((now or time.monotonic()) - self.started, 1e-6)
        total: Counter[str] = sum(self.counts.values(), Counter())
        parts = [
            f"{name}: {c['pages']} pages, {c['stories']} stories, {c['skips']} skips, "
            f"{c['errors']} errors"
            for name, c in sorted(self.counts.items())
        ]
        rate = (
            f"{total['pages'] * 60 / elapsed:.0f} pages/min, "
            f"{total['stories'] * 60 / elapsed:.0f} stories/min"
        )
        failed = sum(v for k, v in stats.items() if k.startswith("newsbite/failed/"))
        unchanged = stats.get("newsbite/unchanged", 0)
        extra = f"{failed} failed requests, {unchanged} unchanged"
        return " | ".join([*(parts or ["waiting for the first page"]), extra, rate])


def _terminal_handlers(stream: TextIO) -> list[logging.StreamHandler]:
    return [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) is stream
    ]


class ProgressLine:
    def __init__(self, crawler: Crawler, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.tally = Tally()
        self.live: Any = None
        self.handlers: list[logging.StreamHandler] = []
        self.shown_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not crawler.settings.getbool("NEWSBITE_PROGRESS", True):
            raise NotConfigured("NEWSBITE_PROGRESS is off")
        stream = sys.stderr
        if not stream.isatty():
            raise NotConfigured()  # the normal case for cron and Scrapyd: nothing to say
        ext = cls(crawler, stream)
        connect = crawler.signals.connect
        connect(ext.spider_opened, signal=signals.spider_opened)
        connect(ext.spider_closed, signal=signals.spider_closed)
        connect(ext.response_received, signal=signals.response_received)
        connect(ext.item_scraped, signal=signals.item_scraped)
        connect(ext.item_dropped, signal=signals.item_dropped)
        connect(ext.error, signal=signals.spider_error)
        return ext

    # -- display -----------------------------------------------------------------------------

    def spider_opened(self, spider) -> None:
        from rich.console import Console  # only on a terminal: cron never imports rich
        from rich.live import Live

        self.tally = Tally()
        console = Console(file=self.stream, highlight=False)
        self.live = Live(
            self.tally.line(), console=console, refresh_per_second=4, redirect_stderr=True
        )
        self.live.start()
        # Scrapy's handler holds the real stderr: point it at Live's proxy so log lines are
        # printed above the progress line instead of through it.
        self.handlers = _terminal_handlers(self.stream)
        for handler in self.handlers:
            handler.setStream(sys.stderr)

    def spider_closed(self, spider, reason: str) -> None:
        if self.live is None:
            return
        self.live.update(self.tally.line(self.crawler.stats.get_stats()))
        self.live.stop()
        for handler in self.handlers:
            handler.setStream(self.stream)
        self.live = None

    def refresh(self) -> None:
        # At most a few times a second: a fast replay crawl emits thousands of signals.
        now = time.monotonic()
        if self.live is not None and now - self.shown_at >= REFRESH_EVERY:
            self.shown_at = now
            self.live.update(self.tally.line(self.crawler.stats.get_stats()))

    # -- counting ----------------------------------------------------------------------------

    def _publisher(self, spider: Any = None, item: Any = None) -> str:
        if item is not None:
            site = ItemAdapter(item).get("site")
            if site:
                return str(site)
        spider = spider or getattr(self.crawler, "spider", None)
        return getattr(spider, "name", "?")

    def response_received(self, response, request, spider=None) -> None:
        self.tally.add(self._publisher(spider), "pages")
        self.refresh()

    def item_scraped(self, item, response=None, spider=None) -> None:
        self.tally.add(self._publisher(spider, item), "stories")
        self.refresh()

    def item_dropped(self, item, response=None, exception=None, spider=None) -> None:
        self.tally.add(self._publisher(spider, item), "skips")
        self.refresh()

    def error(self, failure=None, response=None, spider=None) -> None:
        self.tally.add(self._publisher(spider), "errors")
        self.refresh()
