"""New, changed or unchanged: emit a story only when it is new or its content changed.

Runs after validate (priority 900). A changed story is emitted again with ``version`` + 1 and its
``first_seen`` kept; an unchanged one is dropped as :class:`Unchanged` (counted
``newsbite/unchanged``, never ``newsbite/dropped``). The state is committed on
``newsbite.feeds.item_written``, sent once the item's line is in every feed: a feed that cannot
be written (a full disk, a read-only folder) never marks a story as known, and a crawl stopped
half-way never marks an unwritten one. (Without a feed exporter, e.g. items only pushed to Redis,
it commits on ``item_scraped``.) ``-a full=true`` (or NEWSBITE_STATE_FULL) emits every story,
still versioned and recorded. Off unless NEWSBITE_INCREMENTAL is true.

:class:`WrittenOncePipeline`, always on and last, writes a story id at most once per crawl: the
same story reached under URL variants the fingerprinter could not merge (two canonical URLs, a
redirect), and, on a JOBDIR resume, the stories earlier sessions of the job wrote already.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newsbite.feeds import CheckedFeedExporter, item_written
from newsbite.state.crawl import CrawlState, written_ids
from newsbite.state.ids import StoryIds
from newsbite.state.store import StoryState, content_hash

logger = logging.getLogger(__name__)


class Unchanged(DropItem):
    """Not an error: the story is as it was written before. Logged at DEBUG."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class IncrementalPipeline:
    def __init__(self, state: CrawlState, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalPipeline:
        pipeline = cls(CrawlState.of(crawler), crawler.stats)
        # Extensions are built before pipelines: the checked exporter, if any, exists by now.
        checked = crawler.get_extension(CheckedFeedExporter) is not None
        signal = item_written if checked else signals.item_scraped
        crawler.signals.connect(pipeline.item_scraped, signal=signal)
        return pipeline

    def process_item(self, item):
        adapter = ItemAdapter(item)
        site = adapter.get("site") or self.state.site
        story_id = adapter["id"]
        key = (site, story_id)
        digest = content_hash(adapter)
        seen_at = self.state.run_at

        if self.state.handled_with(key, digest):
            # The same story reached twice in one run (two URLs, a listing repeat): already
            # written or counted unchanged the first time.
            self.stats.inc_value("newsbite/unchanged/same_run")
            raise Unchanged(f"unchanged: {story_id} already handled in this run")

        known = self.state.store.get(site, story_id)
        if known is not None and known.content_hash == digest and not self.state.full:
            self.state.store.touch(site, [story_id], seen_at)
            self.state.mark_handled(key, digest)
            if self.state.first_unchanged(key):
                self.stats.inc_value("newsbite/unchanged")
                self.stats.inc_value("newsbite/unchanged/after_download")
            raise Unchanged(
                f"unchanged: {story_id} v{known.version} (same content as last seen "
                f"{known.last_seen}): {adapter.get('url')}"
            )

        if known is None:
            status, version, first_seen = "new", 1, seen_at
        elif known.content_hash == digest:  # full=true re-emits it as it was
            status, version, first_seen = "unchanged_emitted", known.version, known.first_seen
        else:
            status, version, first_seen = "changed", known.version + 1, known.first_seen
        adapter["version"] = version
        adapter["first_seen"] = first_seen
        adapter["last_seen"] = seen_at
        self.state.pending[key] = StoryState(
            site=site,
            id=story_id,
            content_hash=digest,
            version=version,
            first_seen=first_seen,
            last_seen=seen_at,
            canonical_url=adapter.get("canonical_url"),
            modified=adapter.get("modified"),
        )
        self.state.mark_handled(key, digest)
        self.stats.inc_value(f"newsbite/incremental/{status}")
        if status == "changed":
            logger.info("changed: %s now v%d: %s", story_id, version, adapter.get("url"))
        return item

    def item_scraped(self, item, response=None, spider=None) -> None:
        """The line is written (to every feed): now the story is known."""
        adapter = ItemAdapter(item)
        key = (adapter.get("site") or self.state.site, adapter.get("id"))
        pending = self.state.pending.pop(key, None)
        if pending is not None:
            self.state.store.put(pending)
            self.stats.inc_value("newsbite/state/committed")


class Duplicate(DropItem):
    """A story id already written by this crawl (or by an earlier session of its JOBDIR job)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="INFO")


class WrittenOncePipeline:
    """Runs last (priority 950): nothing after it but the feed can refuse an item."""

    def __init__(self, written: StoryIds, stats: StatsCollector, site: str) -> None:
        self.written = written
        self.stats = stats
        self.site = site

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WrittenOncePipeline:
        site = getattr(crawler.spider, "name", "") or ""
        return cls(written_ids(crawler), crawler.stats, site)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        key = (str(adapter.get("site") or self.site), str(adapter.get("id")))
        if key in self.written:
            self.stats.inc_value("newsbite/duplicate")
            raise Duplicate(f"duplicate: {key[1]} was written already: {adapter.get('url')}")
        self.written.add(key)
        return item
