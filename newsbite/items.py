"""The item newsbite writes: one JSON line per story (DESIGN §2).

The top level is a dataclass handled through itemadapter; nested values are plain
dicts (typed below) so that they serialise to JSON unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict


class Author(TypedDict, total=False):
    name: str
    role: str
    raw: str


class Syndication(TypedDict, total=False):
    source: str
    raw: str
    url: str


class Topic(TypedDict, total=False):
    name: str
    url: str


class Image(TypedDict, total=False):
    url: str
    caption: str | None
    credit: str | None


class Paywall(TypedDict, total=False):
    status: str  # free | subscriber | botwall | unknown
    evidence: list[str]
    session: bool


def unknown_paywall() -> Paywall:
    return {"status": "unknown", "evidence": []}


@dataclass
class Article:
    url: str
    site: str
    id: str
    canonical_url: str | None = None
    headline: str | None = None
    standfirst: str | None = None
    body: list[str] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    byline_raw: str | None = None
    syndication: Syndication | None = None
    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    section: str | None = None
    breadcrumbs: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    paywall: Paywall = field(default_factory=unknown_paywall)
    language: str | None = None
    word_count: int = 0
    chrome_removed: list[str] = field(default_factory=list)
    rendered: bool = False
    scraped_at: str | None = None
    extractor: str | None = None
    # Incremental crawls (newsbite.pipelines.incremental): 1 for a story's first written
    # version, +1 each time its headline/standfirst/body changed; when we first and last saw it.
    version: int = 1
    first_seen: str | None = None
    last_seen: str | None = None
    # The edition that printed it, where one site prints several (The Times / The Sunday Times).
    publication: str | None = None
    # Ids of near-duplicate copies of this story seen in the same crawl or merged feeds.
    same_story_as: list[str] = field(default_factory=list)

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Article:
        """Build from a parser's field dict, ignoring keys the item does not know."""
        known = {k: v for k, v in fields.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def feed_items(
    path: Path, required: tuple[str, ...], missing: str
) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, item, "") for every line of a JSON Lines feed that is an object with all
    the `required` fields; (line number, None, reason) for any other non-blank line: "not JSON
    (...)", or `missing`. Undecodable bytes are replaced, so a torn line is only not JSON."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({exc.msg})"
                continue
            if not isinstance(item, dict) or not all(item.get(name) for name in required):
                yield number, None, missing
                continue
            yield number, item, ""
