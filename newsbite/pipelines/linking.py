"""Copies of one story within a crawl: `same_story_as` from newsbite.linking (MinHash LSH).

Runs after ProcessPipeline (100), on valid items only, and before the incremental pipeline
(900). Each story is compared with those seen earlier in the crawl; the earlier one is already
written, so only the later copy gets the link here. `newsbite merge --link-copies` completes
both directions across feeds. Off with NEWSBITE_LINK_COPIES = false.

Only the NEWSBITE_LINK_WINDOW most recent stories (10,000 by default, 0 = all) are compared
against, so the linker's memory stays flat however long the crawl (newsbite.linking, "Memory").

Stats: newsbite/linking/indexed (stories fingerprinted), newsbite/linking/copies (stories
linked to an earlier copy), newsbite/linking/too_short (bodies too short to fingerprint),
newsbite/linking/evicted (older stories forgotten to keep the window).
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newsbite.linking import CopyLinker

logger = logging.getLogger(__name__)


DEFAULT_WINDOW = 10_000


def link_window(crawler: Crawler) -> int | None:
    """How many recent stories a crawl compares against (None: all of them)."""
    window = crawler.settings.getint("NEWSBITE_LINK_WINDOW", DEFAULT_WINDOW)
    return window if window > 0 else None


class LinkingPipeline:
    def __init__(self, linker: CopyLinker, stats: StatsCollector) -> None:
        self.linker = linker
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkingPipeline:
        if not crawler.settings.getbool("NEWSBITE_LINK_COPIES", True):
            raise NotConfigured("NEWSBITE_LINK_COPIES is off")
        return cls(CopyLinker(window=link_window(crawler)), crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        item_id = adapter.get("id")
        minhash = self.linker.signature(adapter.get("body"))
        if not item_id or minhash is None:
            # A valid story can be short (a brief, a teaser): kept, just never linked.
            self.stats.inc_value("newsbite/linking/too_short")
            logger.debug("body too short to link copies: %s", adapter.get("url"))
            return item
        earlier = self.linker.add_signature(str(item_id), minhash)
        self.stats.inc_value("newsbite/linking/indexed")
        if self.linker.evicted:
            self.stats.set_value("newsbite/linking/evicted", self.linker.evicted)
        if earlier:
            listed = list(adapter.get("same_story_as") or [])
            adapter["same_story_as"] = listed + [i for i in earlier if i not in listed]
            self.stats.inc_value("newsbite/linking/copies")
            logger.info("%s is a copy of %s", adapter.get("url"), ", ".join(earlier))
        return item
