"""The state of one crawl: the store, the site, the ``full`` switch and what is waiting for output.

The before-download skip (spider middleware) and the after-download decision (item pipeline)
share one object per crawler, made by whichever is built first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newsbite.state.ids import StoryIds, key_digest, text_digest
from newsbite.state.store import StateStore, StoryState, default_state_uri, open_store

logger = logging.getLogger(__name__)

_ATTR = "_newsbite_crawl_state"
_WRITTEN_ATTR = "_newsbite_written_ids"
TRUE = {"1", "true", "yes", "on"}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def is_true(value: object) -> bool:
    return str(value).strip().lower() in TRUE if value is not None else False


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 date with an offset (what the parsers give), else None."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def not_modified_since(listed: str | None, stored: str | None) -> bool:
    """True when a listing's modified date says the story has not changed since we stored it."""
    if not listed or not stored:
        return False
    a, b = parse_when(listed), parse_when(stored)
    if a is not None and b is not None:
        return a <= b
    return listed.strip() == stored.strip()


def written_ids(crawler: Crawler) -> StoryIds:
    """(site, id) of every story written by this crawl -- and, on a JOBDIR resume, by the
    earlier sessions of its job (read back from their feeds). One set per crawler, with or
    without incremental state: the written-once guard and the feed exporter share it. Held as
    digests (newsbite.state.ids): it grows by one small int per story."""
    found = getattr(crawler, _WRITTEN_ATTR, None)
    if found is None:
        found = StoryIds()
        setattr(crawler, _WRITTEN_ATTR, found)
    return found


@dataclass
class CrawlState:
    store: StateStore
    site: str
    full: bool
    run_at: str = field(default_factory=now_iso)
    # (site, id) -> the state to commit once the item is written (item_scraped); emptied as
    # items are written, so it holds only the stories in flight
    pending: dict[tuple[str, str], StoryState] = field(default_factory=dict)
    # digest of (site, id) -> digest of the content hash written (or found unchanged) earlier
    # in this run: two small ints a story rather than a tuple and a 64-character hash
    this_run: dict[int, int] = field(default_factory=dict)
    # (site, id) found unchanged this run, before or after download: each is counted once
    unchanged: StoryIds = field(default_factory=StoryIds)

    def handled_with(self, key: tuple[str, str], content_hash: str) -> bool:
        """Whether this run already wrote (or found unchanged) the story with this content."""
        return self.this_run.get(key_digest(*key)) == text_digest(content_hash)

    def mark_handled(self, key: tuple[str, str], content_hash: str) -> None:
        self.this_run[key_digest(*key)] = text_digest(content_hash)

    def first_unchanged(self, key: tuple[str, str]) -> bool:
        """True the first time a story is found unchanged in this run, so it is counted once
        however many listings show it."""
        if key in self.unchanged:
            return False
        self.unchanged.add(key)
        return True

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlState:
        """The crawler's state; NotConfigured when NEWSBITE_INCREMENTAL is off."""
        existing = getattr(crawler, _ATTR, None)
        if existing is not None:
            return existing
        settings = crawler.settings
        if not settings.getbool("NEWSBITE_INCREMENTAL"):
            raise NotConfigured("NEWSBITE_INCREMENTAL is off")
        spider = crawler.spider
        site = getattr(spider, "name", "")
        full = is_true(getattr(spider, "full", None)) or settings.getbool("NEWSBITE_STATE_FULL")
        uri = settings.get("NEWSBITE_STATE_URI") or default_state_uri()
        store = open_store(uri)
        state = cls(store=store, site=site, full=full)
        setattr(crawler, _ATTR, state)
        crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
        logger.info(
            "incremental crawl of %s: state %s (%d stories known)%s",
            site,
            store.uri,
            store.count(site),
            ", full=true: nothing is skipped" if full else "",
        )
        return state

    async def spider_closed(self, spider=None, reason: str = "") -> None:
        if self.pending:
            # Decided but never written (dropped later, or the feed failed): not committed,
            # so the next run emits them again.
            logger.info("incremental: %d decided stories were not written", len(self.pending))
        # Closing waits for writes a busy state file pushed to the writer thread: never on the
        # reactor thread.
        await maybe_deferred_to_future(deferToThread(self.store.close))
