"""The report at the close of a crawl: beside the feed (``x.jsonl`` -> ``x.report.html``), or at
``NEWSBITE_REPORT_FILE``; its path printed by the closing summary (``newsbite report: <path>``).
Written by the CrawlReport extension at spider_closed, before the Spidermon suite records this
run in the history (the report compares the run with the runs before it), and judged by the
same checks as the monitors (newsbite.monitors.checks)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.extensions.feedexport import FeedExporter

from newsbite.monitors import checks
from newsbite.report import write_report

logger = logging.getLogger("newsbite.report")
SUFFIX = ".report.html"


def local_path(uri: str) -> Path | None:
    """The file a feed URI writes to, or None for remote storage (s3://, ftp://, stdout:)."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if len(parts.scheme) <= 1:  # a bare path (or a Windows drive letter)
        return Path(uri)
    return None


def report_path_for(feed: Path) -> Path:
    """``out/items.jsonl`` -> ``out/items.report.html``."""
    return feed.with_name(feed.stem + SUFFIX) if feed.suffix else feed.with_name(feed.name + SUFFIX)


def feed_uris(crawler: Any) -> list[str]:
    manager = getattr(crawler, "extensions", None)
    for ext in getattr(manager, "middlewares", ()):
        if isinstance(ext, FeedExporter):
            return [slot.uri for slot in ext.slots]
    return []


def report_path(crawler: Any) -> Path | None:
    chosen = crawler.settings.get("NEWSBITE_REPORT_FILE")
    if chosen:
        return Path(chosen)
    for uri in feed_uris(crawler):
        path = local_path(uri)
        if path is not None:
            return report_path_for(path)
    return None


def write_crawl_report(crawler: Any, spider: Any) -> Path | None:
    if not crawler.settings.getbool("NEWSBITE_REPORT", True):
        return None
    path = report_path(crawler)
    if path is None:
        logger.info("newsbite report: not written (no local feed; set NEWSBITE_REPORT_FILE)")
        return None
    from newsbite.monitors.history import recent_items

    stats = crawler.stats.get_stats()
    recent = recent_items(crawler, spider) if stats.get("finish_reason") == "finished" else None
    found = checks.evaluate(stats, crawler.settings, spider.name, recent)
    write_report(path, stats, found, spider=spider.name)
    # The closing summary prints the path beside the feed's (and scripts/crawl shows both).
    crawler.stats.set_value("newsbite/report/path", str(path))
    return path


class CrawlReport:
    """Scrapy extension: the report of every crawl, at its close (NEWSBITE_REPORT=false: none).
    Listed before Spidermon in EXTENSIONS, so it closes first."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlReport:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("NEWSBITE_REPORT", True):
            raise NotConfigured("NEWSBITE_REPORT is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Any, reason: str = "") -> None:
        write_crawl_report(self.crawler, spider)
