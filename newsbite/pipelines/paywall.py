"""Settle `paywall` from the parser's declared signals and what the body holds (DESIGN §5).

Runs after syndication (the body is final) and before validate. The weighing itself is the pure
`newsbite.normalise.paywall.classify`; this stage only feeds it and counts.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from newsbite.normalise.paywall import Thresholds, classify, is_subscribe_prompt

logger = logging.getLogger(__name__)


class PaywallPipeline:
    def __init__(self, stats: StatsCollector, thresholds: Thresholds | None = None) -> None:
        self.stats = stats
        self.thresholds = thresholds or Thresholds()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaywallPipeline:
        s = crawler.settings
        base = Thresholds()
        thresholds = Thresholds(
            full_paragraphs=s.getint("NEWSBITE_PAYWALL_FULL_PARAGRAPHS", base.full_paragraphs),
            full_words=s.getint("NEWSBITE_PAYWALL_FULL_WORDS", base.full_words),
            short_paragraphs=s.getint("NEWSBITE_PAYWALL_SHORT_PARAGRAPHS", base.short_paragraphs),
            short_words=s.getint("NEWSBITE_PAYWALL_SHORT_WORDS", base.short_words),
        )
        return cls(crawler.stats, thresholds)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        before = dict(adapter.get("paywall") or {})
        session = bool(before.get("session"))
        evidence = [e for e in before.get("evidence") or [] if isinstance(e, str)]
        botwall = next((e.split(":", 1)[1] for e in evidence if e.startswith("botwall:")), None)
        body = list(adapter.get("body") or [])
        if body and is_subscribe_prompt(body[-1]):
            # A subscribe prompt printed inside the story container is page furniture.
            adapter["body"] = body[:-1]
            adapter["chrome_removed"] = [*(adapter.get("chrome_removed") or []), body[-1]]
            self.stats.inc_value("newsbite/paywall/prompt_removed")
        result = classify(
            body,
            [e for e in evidence if not e.startswith("botwall:")],
            removed=list(adapter.get("chrome_removed") or []),
            botwall=botwall,
            session=session,
            thresholds=self.thresholds,
        )
        if session:
            result["session"] = True
        adapter["paywall"] = result
        self.stats.inc_value(f"newsbite/paywall/{result['status']}")
        if any(e.startswith("contradiction:") for e in result["evidence"]):
            self.stats.inc_value("newsbite/paywall/contradiction")
            logger.debug("access contradiction on %s: %s", adapter.get("url"), result["evidence"])
        return item
