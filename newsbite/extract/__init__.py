"""Pure extractors: (url, parsel.Selector) -> fields. No Scrapy objects here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parsel import Selector

ArticleFields = dict[str, Any]
Parser = Callable[..., ArticleFields]  # (url, sel, *, timezone) -> fields
ListingParser = Callable[[str, Selector], dict[str, Any]]


def get_parsers(platform: str) -> tuple[Parser, ListingParser]:
    """(article parser, listing parser) of a platform, imported lazily: a site loads its own."""
    if platform == "newscorp_au":
        from newsbite.extract import newscorp_au

        return newscorp_au.parse_article, newscorp_au.parse_listing
    if platform == "generic":
        from newsbite.extract import generic, newscorp_au

        # Listings of unknown sites: links to stories, found the way News Corp's last resort does.
        return generic.parse_article, newscorp_au.parse_listing
    raise KeyError(f"no parser for platform {platform!r}")


def with_generic_fallback(
    fields: ArticleFields, url: str, sel: Selector, timezone: str
) -> ArticleFields:
    """The platform's fields, or, when it found no body (a layout it does not know), the generic
    extractor's body with the platform's metadata kept wherever the platform found some."""
    if fields.get("body") or fields.get("extractor", "").startswith("generic/"):
        return fields
    from newsbite.extract import generic

    fallback = generic.parse_article(url, sel, timezone=timezone)
    # A shell's "enable JavaScript" line is not a story: too little text is no fallback.
    if sum(len(p) for p in fallback.get("body") or []) < generic.MIN_BODY_CHARS:
        return fields
    merged = {
        key: value if value not in (None, "", [], {}) else fallback.get(key)
        for key, value in fields.items()
    }
    merged["body"] = fallback["body"]
    merged["extractor"] = fallback["extractor"]
    return merged
