"""Captions once per image, credits split out, and caption copies taken out of the body."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbite.normalise.captions import caption_keys, merge_images
from newsbite.text import fold


class CaptionsPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptionsPipeline:
        return cls(crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        images = merge_images(list(adapter.get("images") or []))
        adapter["images"] = images
        keys = caption_keys(images)
        body = list(adapter.get("body") or [])
        kept = [p for p in body if fold(p) not in keys]
        if len(kept) != len(body):
            # Extractors that read figures as text print the caption again in the body.
            self.stats.inc_value("newsbite/captions/removed_from_body", len(body) - len(kept))
            adapter["body"] = kept
        return item
