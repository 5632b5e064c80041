"""A trailing credit line ("THE SUNDAY TIMES", "— AFP") becomes `syndication`, out of the body."""

from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbite.normalise.credits import CreditRegistry


class SyndicationPipeline:
    def __init__(
        self, registry: CreditRegistry, stats: StatsCollector, sections: dict[str, str]
    ) -> None:
        self.registry = registry
        self.stats = stats
        self.sections = sections

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SyndicationPipeline:
        registry = CreditRegistry.default(crawler.settings.get("NEWSBITE_CREDITS_VOCAB") or None)
        profile = getattr(crawler.spidercls, "profile", None)
        return cls(
            registry, crawler.stats, dict(getattr(profile, "syndication_sections", {}) or {})
        )

    def process_item(self, item):
        adapter = ItemAdapter(item)
        body = list(adapter.get("body") or [])
        found = self._trailing_credit(body)
        if found is not None:
            body, syndication = found
            adapter["body"] = body
            # The story's own closing line outranks a credit guessed from the byline.
            adapter["syndication"] = syndication
            self.stats.inc_value("newsbite/syndication/from_body")
        elif not adapter.get("syndication"):
            adapter["syndication"] = self._from_section(
                adapter.get("canonical_url") or adapter.get("url")
            )
        return item

    def _trailing_credit(self, body: list[str]) -> tuple[list[str], dict] | None:
        if not body:
            return None
        last = body[-1]
        credit = self.registry.lookup(last)
        if credit:
            return body[:-1], {"source": credit.source, "raw": last}
        signed = self.registry.sign_off(last)
        if signed:
            text, raw, credit = signed
            return [*body[:-1], text], {"source": credit.source, "raw": raw}
        return None

    def _from_section(self, url: str | None) -> dict | None:
        for path, source in self.sections.items():
            if url and path in url:
                self.stats.inc_value("newsbite/syndication/from_section")
                return {"source": source, "raw": path}
        return None
