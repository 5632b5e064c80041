"""The last gate: derived fields settled, then the JSON Schema; a failing item is dropped."""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newsbite.text import word_count

logger = logging.getLogger(__name__)


def load_schema() -> dict[str, Any]:
    text = resources.files("newsbite.schema").joinpath("article.schema.json").read_text("utf-8")
    return json.loads(text)


def drop_reason(error: ValidationError) -> str:
    """A short stat-friendly reason: `missing_headline`, `empty_body`, `invalid_published`..."""
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "field"
        return f"missing_{missing}"
    field = next((p for p in error.absolute_path if isinstance(p, str)), "item")
    if error.instance is None:
        return f"missing_{field}"
    if error.validator in {"minItems", "minLength"}:
        return f"empty_{field}"
    return f"invalid_{field}"


class ValidatePipeline:
    def __init__(self, stats: StatsCollector, schema: dict[str, Any] | None = None) -> None:
        self.stats = stats
        self.validator = Draft202012Validator(schema or load_schema())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        # Every earlier stage may change the body, so the count is taken here, last.
        adapter["word_count"] = word_count(list(adapter.get("body") or []))
        errors = sorted(self.validator.iter_errors(adapter.asdict()), key=lambda e: e.path)
        if errors:
            reason = drop_reason(errors[0])
            self.stats.inc_value(f"newsbite/dropped/{reason}")
            self.stats.inc_value("newsbite/dropped")
            details = "; ".join(
                f"{'/'.join(map(str, e.path)) or 'item'}: {e.message}" for e in errors[:3]
            )
            raise DropItem(f"invalid item {adapter.get('url')}: {reason} ({details})")
        self.stats.inc_value("newsbite/items/valid")
        return item
