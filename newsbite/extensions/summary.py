"""The closing summary: one line with what the crawl wrote, then where (`newsbite output: ...`,
`newsbite report: ...`), and the final stats as JSON when NEWSBITE_STATS_FILE asks.

Counts describe what was written, so they are taken when an item is written (item_scraped),
after every pipeline stage, not where a stage first sees it:

* access (free / subscriber / unknown) of written stories only;
* incremental runs: new, changed and, with `-a full=true`, unchanged stories written again;
  "unchanged" counts stories known from earlier runs only, never one this run wrote itself
  and then met again in another listing;
* an incremental run that wrote nothing leaves no empty default feed behind (it says so);
  an empty feed the user named (-o/-O/FEEDS) is kept, and the line says why it is empty.

The output lines are logged when the engine has stopped, after the feeds were stored and after
other extensions (the crawl report) wrote their files. The report's path is read from the stat
`newsbite/report/path`, set by whichever extension writes the report.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter

from newsbite.state.ids import StoryIds

logger = logging.getLogger(__name__)

ACCESS = ("free", "subscriber", "botwall", "unknown")
REPORT_PATH_STAT = "newsbite/report/path"


def local_path(uri: str) -> Path | None:
    """The file a local feed URI names (a plain path or file://), else None."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if len(parts.scheme) <= 1:  # no scheme (or a Windows drive letter)
        return Path(uri)
    return None


def _sum(stats: dict[str, Any], prefix: str) -> int:
    return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))


class CrawlSummary:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats_file = crawler.settings.get("NEWSBITE_STATS_FILE") or None
        self.incremental = crawler.settings.getbool("NEWSBITE_INCREMENTAL")
        self.default_feed = crawler.settings.get("NEWSBITE_DEFAULT_FEED") or ""
        self.access: Counter[str] = Counter()
        # Incremental runs only: the stories this run wrote, to tell them from stories known
        # from earlier runs among the unchanged. Digests: one small int a story.
        self.written = StoryIds()
        self.reason = ""
        # uri -> note on an empty feed (removed, or why it is empty); filled as slots close
        self.feeds: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.feed_slot_closed, signal=signals.feed_slot_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    # -- counting ----------------------------------------------------------------------------

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        adapter = ItemAdapter(item)
        paywall = adapter.get("paywall") or {}
        status = paywall.get("status") if isinstance(paywall, dict) else None
        self.access[status if status in ACCESS else "unknown"] += 1
        site, story_id = adapter.get("site"), adapter.get("id")
        if self.incremental and story_id:
            self.written.add((str(site or getattr(spider, "name", "")), str(story_id)))

    def unchanged_counts(self, stats: dict[str, Any]) -> tuple[int, int]:
        """(unchanged, of which not downloaded), without the stories this run wrote itself:
        the listing middleware meets them again after they were committed to the state."""
        unchanged = stats.get("newsbite/unchanged", 0)
        early = stats.get("newsbite/unchanged/before_download", 0)
        state = self._crawl_state()
        if state is not None:
            own = self.written.common(state.unchanged)
            unchanged, early = unchanged - own, early - own
        return max(unchanged, 0), max(early, 0)

    def _crawl_state(self) -> Any:
        """The incremental CrawlState the pipeline and middleware share (None when off)."""
        if not self.incremental:
            return None
        from newsbite.state.crawl import CrawlState  # only for incremental runs

        try:
            return CrawlState.of(self.crawler)
        except Exception:  # noqa: BLE001 - a summary never breaks the crawl's close
            logger.debug("no incremental state to count from", exc_info=True)
            return None

    # -- the summary line --------------------------------------------------------------------

    def written_phrase(self, stats: dict[str, Any]) -> str:
        if not self.incremental:
            return "(incremental off)"
        new = stats.get("newsbite/incremental/new", 0)
        changed = stats.get("newsbite/incremental/changed", 0)
        again = stats.get("newsbite/incremental/unchanged_emitted", 0)
        unchanged, early = self.unchanged_counts(stats)
        parts = [f"{new} new", f"{changed} changed"]
        if again:
            parts.append(f"{again} unchanged written again by full=true")
        return f"({', '.join(parts)}), {unchanged} unchanged ({early} not downloaded)"

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.reason = reason
        stats = self.crawler.stats.get_stats()
        access = ", ".join(f"{self.access[s]} {s}" for s in ACCESS if s != "botwall")
        logger.info(
            "newsbite summary (%s): %d articles written %s [access: %s], "
            "%d dropped, %d bot walls, %d skipped, %d failed requests, %d cassette misses",
            reason,
            # What reached the feeds: an item scraped but lost to a failing feed is no story
            stats.get("newsbite/feed/written", stats.get("item_scraped_count", 0)),
            self.written_phrase(stats),
            access,
            _sum(stats, "newsbite/dropped/"),
            stats.get("newsbite/botwall", 0),
            _sum(stats, "newsbite/skipped/"),
            _sum(stats, "newsbite/failed/"),
            stats.get("newsbite/cassette/miss", 0),
        )

    # -- where it went -----------------------------------------------------------------------

    def feed_slot_closed(self, slot: Any) -> None:
        if slot.itemcount:
            self.feeds[slot.uri] = ""
            return
        self.feeds[slot.uri] = self.empty_feed_note(slot)

    def empty_feed_note(self, slot: Any) -> str:
        why = self.why_empty()
        path = local_path(slot.uri)
        is_default = bool(self.default_feed) and slot.uri_template == self.default_feed
        if path is not None and is_default and path.is_file() and path.stat().st_size == 0:
            # A scheduled run every hour would otherwise leave an empty file per hour.
            path.unlink()
            return f"removed: {why}"
        return f"empty: {why}"

    def why_empty(self) -> str:
        stats = self.crawler.stats.get_stats()
        if self.incremental:
            unchanged, _ = self.unchanged_counts(stats)
            return f"no new or changed stories ({unchanged} unchanged)"
        return f"no story written (finish reason {self.reason or stats.get('finish_reason')})"

    def engine_stopped(self) -> None:
        for uri in self.feed_uris():
            note = self.feeds.get(uri, "")
            if note.startswith("removed"):
                logger.info("newsbite output: none (%s, %s)", uri, note)
            elif note:
                logger.info("newsbite output: %s (%s)", uri, note)
            else:
                logger.info("newsbite output: %s", uri)
        stats = self.crawler.stats.get_stats()
        report = stats.get(REPORT_PATH_STAT)
        if report:
            logger.info("newsbite report: %s", report)
        if self.stats_file:
            path = Path(self.stats_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(stats, default=str, indent=1, sort_keys=True), "utf-8")

    def feed_uris(self) -> list[str]:
        """Where FEEDS wrote this run (start-time placeholders filled in), so users find it."""
        uris = list(self.feeds)
        extensions = getattr(self.crawler, "_extensions", None)
        for ext in getattr(extensions, "middlewares", ()):
            if isinstance(ext, FeedExporter):
                uris.extend(slot.uri for slot in ext.slots if slot.uri not in uris)
        return uris
