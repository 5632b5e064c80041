"""What a publisher is: one declarative entry (DESIGN §1, §8; after Fundus's publisher table).

A `Group` holds a platform's shared knowledge (story-id rule, topic pages, listing parser,
article parser versions newest first); a `Publisher` is one masthead on it: name, domains,
time zone, language, printed credit names, start sources and alarm thresholds. Entries are
data: nothing here imports Scrapy, and the parsers they name are pure (URL + Selector in,
fields out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol
from urllib.parse import urlsplit

from parsel import Selector

from newsbite.extract.common import hash_id

SOURCE_KINDS = ("topics", "rss", "sitemap")


class ArticleParser(Protocol):
    """One markup generation of a platform's story pages (a web-poet style page object)."""

    name: str  # the platform, e.g. "newscorp_au"
    generation: str  # e.g. "2024"; the item's extractor is f"{name}/{generation}"

    def matches(self, sel: Selector) -> bool:
        """Whether this page is of this generation (decided once, before parsing)."""

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict[str, Any]:
        """Every field of the page, from this generation's selectors alone."""


ListingParser = Callable[[str, Selector], dict[str, Any]]


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Sources:
    """Where a crawl starts. Paths are joined to the publisher's home; URLs are kept."""

    topics: tuple[str, ...] = ()  # topic slugs, made into URLs by the group's topic_url
    rss: tuple[str, ...] = ()  # section feeds, e.g. "/world/rss"
    sitemaps: tuple[str, ...] = ()  # news sitemaps; robots.txt Sitemap: lines are added
    robots_sitemaps: bool = True  # also read the Sitemap: lines of robots.txt
    default: tuple[str, ...] = ("topics",)  # what `-a sources=` defaults to


@dataclass(frozen=True)
class Group:
    """A platform several mastheads share: one set of parsers, rules in data."""

    name: str
    articles: tuple[ArticleParser, ...]  # newest generation first
    listing: ListingParser | None = None
    story_id: re.Pattern[str] | None = None  # a named group `id`; None: hash of canonical URL
    topic_path: re.Pattern[str] | None = None  # what a topic page URL looks like
    topic_url: str = "https://www.{domain}/topics/{slug}"
    # URL sections where a title republishes a partner's journalism: /world/the-times/ ...
    syndication_sections: Mapping[str, str] = field(default_factory=_empty)


@dataclass(frozen=True)
class Publisher:
    name: str  # the spider name and the item's `site`
    title: str  # as printed: "The Australian"
    domains: tuple[str, ...]
    group: Group
    timezone: str  # IANA zone for dates the page gives without an offset
    language: str = "en"
    credit_names: tuple[str, ...] = ()  # printed forms that credit this masthead
    sources: Sources = field(default_factory=Sources)
    render: str | None = None  # never | auto | always; None = NEWSBITE_RENDER decides
    # Alarm thresholds that differ from the NEWSBITE_ALARM_* defaults, e.g. {"authors": 0.3}
    alarms: Mapping[str, float] = field(default_factory=_empty)
    download_maxsize: int | None = None  # bytes; None = DOWNLOAD_MAXSIZE

    # -- URLs ------------------------------------------------------------------------------
    @property
    def home(self) -> str:
        return f"https://www.{self.domains[0]}"

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def story_id(self, url: str) -> str | None:
        """The id the URL itself carries under the group's rule, or None."""
        rule = self.group.story_id
        match = rule.search(url) if rule else None
        return match.group("id") if match else None

    def story_key(self, url: str) -> str | None:
        """The item id the URL's story id gives: the id itself when it is the 32-hex form
        items carry (News Corp), else a hash of the group and the id (The Times' short ids),
        so that one story has one id on every domain of its site. None: the URL has no id."""
        story_id = self.story_id(url)
        if story_id is None:
            return None
        if len(story_id) == 32 and all(c in "0123456789abcdef" for c in story_id):
            return story_id
        return hash_id(f"{self.group.name}:{story_id}")

    def id_for(self, url: str, canonical_url: str | None = None) -> str:
        """The item's `id`: the story key of the canonical URL or the URL, else a hash of the
        canonical URL. The skip-before-download key is `story_key`, the same rule."""
        return (
            self.story_key(canonical_url or url)
            or self.story_key(url)
            or hash_id(canonical_url or url)
        )

    def is_story(self, url: str) -> bool:
        if not self.owns(url):
            return False
        return self.group.story_id is None or self.story_id(url) is not None

    def is_topic(self, url: str) -> bool:
        rule = self.group.topic_path
        return self.owns(url) and rule is not None and rule.search(url) is not None

    def topic_page(self, slug: str) -> str:
        domain = self.domains[0]
        return self.group.topic_url.format(domain=domain, slug=slug.strip().lower())

    def absolute(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.home + "/" + path_or_url.lstrip("/")
