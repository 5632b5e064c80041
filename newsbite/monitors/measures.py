"""What one written story counts towards: the per-publisher counters the monitors and the report
read (issue 13). Pure: a crawl adds them to its stats on ``item_scraped``
(newsbite.extensions.coverage), ``newsbite report`` adds them up from feeds, the same function
in both places, so a report rebuilt from a feed shows what the crawl's monitors saw.

Stats, under ``newsbite/coverage/<site>/``::

    items                  stories written
    headline               with a headline
    readable               not marked subscriber-only (the denominator of `body`: a
                           paywalled page legitimately holds only the first paragraphs)
    body                   readable, with a body of at least BODY_MIN_PARAGRAPHS paragraphs
    authors                with at least one author
    dated                  with a published date that carries a UTC offset
    topics                 with at least one topic
    with_images            with at least one image (the denominator of `captions`)
    captions               with a caption for every image
    fallback               parsed by the generic extractor while the publisher has its own
    extractor/<name>/<generation>   how many each parser generation parsed
    access/<status>        paywall status
    day/<YYYY-MM-DD>       by publication day as the page printed it (`undated` without one)
    new, changed           incremental runs: version 1, or a later version of a known story
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

PREFIX = "newsbite/coverage/"
BODY_MIN_PARAGRAPHS = 3
GENERIC_PREFIX = "generic/"
UNDATED = "undated"
# Coverage measures: the share of a publisher's stories that have it must stay above a floor.
COVERAGE = ("headline", "body", "authors", "dated", "topics", "captions")
# What each coverage share is out of (captions are judged on stories that have images).
DENOMINATOR = {"captions": "with_images", "body": "readable"}
# An ISO 8601 date-time that ends with an offset: Z, +10:00, -0500.
_OFFSET = re.compile(r"T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def has_offset(value: Any) -> bool:
    return isinstance(value, str) and bool(_OFFSET.search(value.strip()))


def _captioned(images: list[Mapping[str, Any]]) -> bool:
    return all(str(image.get("caption") or "").strip() for image in images)


def item_counts(item: Mapping[str, Any], *, own_parser: bool = True) -> list[str]:
    """The stat names (without ``newsbite/coverage/<site>/``) one written story adds 1 to.

    ``own_parser``: whether the story's publisher has a parser of its own (a generic-only site
    parsed by the generic extractor is no fallback).
    """
    names = ["items"]
    body = [p for p in item.get("body") or [] if str(p).strip()]
    images = [i for i in item.get("images") or [] if isinstance(i, Mapping)]
    extractor = str(item.get("extractor") or "unknown/unknown")
    status = (item.get("paywall") or {}).get("status") or "unknown"
    readable = status != "subscriber"
    holds = {
        "headline": bool(str(item.get("headline") or "").strip()),
        "readable": readable,
        "body": readable and len(body) >= BODY_MIN_PARAGRAPHS,
        "authors": bool(item.get("authors")),
        "dated": has_offset(item.get("published")),
        "topics": bool(item.get("topics")),
        "with_images": bool(images),
        "captions": bool(images) and _captioned(images),
        "fallback": own_parser and extractor.startswith(GENERIC_PREFIX),
    }
    names += [name for name, held in holds.items() if held]
    name, _, generation = extractor.partition("/")
    names.append(f"extractor/{name}/{generation or '-'}")
    names.append(f"access/{status}")
    published = str(item.get("published") or "")
    day = published[:10] if re.match(r"\d{4}-\d{2}-\d{2}", published) else UNDATED
    names.append(f"day/{day}")
    version = item.get("version")
    if isinstance(version, int):
        names.append("new" if version <= 1 else "changed")
    return names


def stat_key(site: str, name: str) -> str:
    return f"{PREFIX}{site or 'unknown'}/{name}"


def tally(items: Iterable[Mapping[str, Any]], own_parser=None) -> Counter[str]:
    """Coverage stats for many stories (``newsbite report`` on feeds). ``own_parser(site)``
    says whether a site has its own parser; by default the publisher registry decides."""
    own = own_parser or has_own_parser
    counts: Counter[str] = Counter()
    for item in items:
        site = str(item.get("site") or "unknown")
        for name in item_counts(item, own_parser=own(site)):
            counts[stat_key(site, name)] += 1
    return counts


@cache
def has_own_parser(site: str) -> bool:
    """Whether the registry has a publisher entry with parsers for ``site``."""
    try:
        from newsbite.publishers import get
    except ImportError:  # the registry is not there (an old checkout): assume it has
        return True
    try:
        return bool(get(site).group.articles)
    except KeyError:
        return False


def sites(stats: Mapping[str, Any]) -> list[str]:
    """The publishers the coverage stats know, in name order."""
    found = {k[len(PREFIX) :].split("/", 1)[0] for k in stats if k.startswith(PREFIX)}
    return sorted(found)


def site_counts(stats: Mapping[str, Any], site: str) -> dict[str, int]:
    """``{"items": 6, "body": 6, "extractor/newscorp_au/1": 6, ...}`` for one publisher."""
    head = f"{PREFIX}{site}/"
    return {k[len(head) :]: int(v) for k, v in stats.items() if k.startswith(head)}


def grouped(counts: Mapping[str, int], kind: str) -> dict[str, int]:
    """``grouped(site_counts(...), "day")`` -> {"2024-05-01": 3, ...} (kind/<rest> entries)."""
    head = f"{kind}/"
    return {k[len(head) :]: v for k, v in counts.items() if k.startswith(head)}
