"""Pure extractors: (url, parsel.Selector) -> fields. No Scrapy objects here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parsel import Selector

ArticleFields = dict[str, Any]
Parser = Callable[[str, Selector], ArticleFields]


ListingParser = Callable[[str, Selector], dict[str, Any]]


def get_parsers(platform: str) -> tuple[Parser, ListingParser]:
    """(article parser, listing parser) of a platform, imported lazily: a site loads its own."""
    if platform == "newscorp_au":
        from newsbite.extract import newscorp_au

        return newscorp_au.parse_article, newscorp_au.parse_listing
    raise KeyError(f"no parser for platform {platform!r}")
