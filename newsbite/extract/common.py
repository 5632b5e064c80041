"""Helpers every article parser shares, platform parsers and the generic extractor alike.

Pure: nothing here knows a publisher. A publisher's own story-id rule lives in its entry
(newsbite.publishers); `hash_id` is the rule for pages whose URL carries no id.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from parsel import Selector

from newsbite.extract import jsonld
from newsbite.text import clean, first_attr, safe_url

CANONICAL = (
    "link[rel=canonical]::attr(href)",
    "meta[property='og:url']::attr(content)",
)
PAYWALL_MARKUP = (
    ".paywall-prompt",
    ".story-paywall-prompt",
    "#paywall",
    "[data-paywall]",
    ".subscribe-prompt",
)


def hash_id(url: str) -> str:
    """A stable 32-hex id from a URL (the canonical one, where the page gives it)."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:32]


def section_of(url: str) -> str | None:
    """The first URL path segment, lower case (`world`), or None for the home page."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[0].lower() if segments else None


def canonical_url(url: str, sel: Selector, ld: dict, selectors: tuple[str, ...] = CANONICAL) -> str:
    """<link rel=canonical> / og:url, else JSON-LD mainEntityOfPage / url, else the URL."""
    main = ld.get("mainEntityOfPage")
    ld_url = main.get("@id") if isinstance(main, dict) else main if isinstance(main, str) else None
    ld_plain = ld.get("url") if isinstance(ld.get("url"), str) else ""
    found = first_attr(sel, selectors) or clean(ld_url if isinstance(ld_url, str) else "")
    found = found or clean(ld_plain)
    return (safe_url(url, found) if found else None) or url


def access_evidence(
    sel: Selector, ld: dict, paywall_markup: tuple[str, ...] = PAYWALL_MARKUP
) -> list[str]:
    """What the page declares about access, as evidence; the paywall stage weighs it."""
    evidence = []
    free = jsonld.as_bool(ld.get("isAccessibleForFree"))
    if free is not None:
        evidence.append(f"jsonld:isAccessibleForFree={str(free).lower()}")
    parts = ld.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if (
            isinstance(part, dict)
            and isinstance(part.get("cssSelector"), str)
            and part.get("cssSelector")
            and jsonld.as_bool(part.get("isAccessibleForFree")) is False
        ):
            evidence.append(f"jsonld:hasPart:{part['cssSelector']}")
    for css in paywall_markup:
        if sel.css(css):
            evidence.append(f"markup:{css}")
    return evidence
