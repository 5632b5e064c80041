"""The publisher registry: every publisher entry, found by name (spiders, CLI) or by URL
domain (pipelines, `newsbite extract`). One module per platform group lists its entries in
`PUBLISHERS`; adding a masthead is one entry there, no new module.
"""

from __future__ import annotations

import importlib
from functools import cache
from urllib.parse import urlsplit

from newsbite.publishers.base import Group, Publisher, Sources

__all__ = [
    "Group",
    "Publisher",
    "Sources",
    "all_publishers",
    "for_url",
    "generic_for",
    "get",
    "GENERIC",
]

# Platform groups, each a module with PUBLISHERS; the generic group comes last.
GROUP_MODULES = ("newsbite.publishers.newscorp_au", "newsbite.publishers.thetimes")


@cache
def all_publishers() -> tuple[Publisher, ...]:
    found: list[Publisher] = []
    for module_name in GROUP_MODULES:
        found.extend(importlib.import_module(module_name).PUBLISHERS)
    names = [p.name for p in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise RuntimeError(f"publisher names used twice: {sorted(duplicates)}")
    return tuple(found)


@cache
def _by_domain() -> dict[str, Publisher]:
    return {domain: p for p in all_publishers() for domain in p.domains}


def get(name: str) -> Publisher:
    """The publisher entry called `name` (the spider name); KeyError lists the known ones."""
    for publisher in all_publishers():
        if publisher.name == name:
            return publisher
    if name == GENERIC.name:
        return GENERIC
    known = ", ".join(p.name for p in all_publishers())
    raise KeyError(f"no publisher named {name!r}; known: {known}")


def for_url(url: str) -> Publisher | None:
    """The publisher whose domain serves `url` (www. and other subdomains included)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    table = _by_domain()
    while host:
        if host in table:
            return table[host]
        _, _, host = host.partition(".")
    return None


def generic_for(url: str) -> Publisher:
    """A publisher for a site no entry knows: the generic extractor alone, its host as name."""
    host = (urlsplit(url).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    if not host:
        return GENERIC
    return Publisher(name=host, title=host, domains=(host,), group=GENERIC_GROUP, timezone="UTC")


GENERIC_GROUP = Group(name="generic", articles=())
GENERIC = Publisher(name="news", title="any site", domains=(), group=GENERIC_GROUP, timezone="UTC")
