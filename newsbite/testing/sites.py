"""The simulated publishers and their stories, generated from (seed, index) on demand.

Story `i` of N belongs to publisher `i % P` (P = simulated publishers) as its local story
`j = i // P`. A story's topic, date, access and URL follow from (seed, i) alone, so a server
with 100,000 stories stores nothing but this table; `Story.content()` builds the text when a
page is asked for.

Reachability (DESIGN §10): story j of a publisher has the primary topic `j % T`; topic pages
list their stories newest first. The stories of topic 0 (the publisher's first topic) link,
between them, every other topic through "Read related topics", so a topic crawl of topic 0 at
depth 1 reaches every topic page and so every story. Sitemaps list every story too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from newsbite.publishers import Publisher, all_publishers
from newsbite.testing import textgen

NEWSCORP = "newscorp_au"
TIMES = "thetimes"


@dataclass(frozen=True)
class SimPublisher:
    name: str  # the registry name (newsbite.publishers)
    title: str
    domains: tuple[str, ...]  # bare domains; www.<domain> is served too
    kind: str  # NEWSCORP | TIMES
    first_topic: str
    utc_offset: str = "+10:00"

    @property
    def host(self) -> str:
        return f"www.{self.domains[0]}"

    @property
    def home(self) -> str:
        return f"https://{self.host}"


def _offset(zone: str) -> str:
    """The zone's UTC offset on a fixed day (1 July), as "+10:00": generated dates carry it."""
    text = datetime(2026, 7, 1, 12, tzinfo=ZoneInfo(zone)).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _simulated(entry: Publisher) -> SimPublisher:
    kind = TIMES if entry.group.name == TIMES else NEWSCORP
    topic = entry.sources.topics[0] if entry.sources.topics else "news"
    return SimPublisher(
        entry.name, entry.title, entry.domains, kind, topic, _offset(entry.timezone)
    )


# Every publisher entry of the registry (DESIGN §4), so the simulator serves what the spiders
# crawl: the same domains, and each entry's first default topic as the root of its topic graph.
PUBLISHERS: tuple[SimPublisher, ...] = tuple(_simulated(p) for p in all_publishers())
BY_NAME = {p.name: p for p in PUBLISHERS}

NEWSCORP_SECTIONS = (
    ("nation", "politics"),
    ("world", "news"),
    ("business", "companies"),
    ("sport", "afl"),
    ("nation", "defence"),
    ("world", "the-times"),  # where partner journalism is republished (DESIGN §6)
)
TIMES_SECTIONS = ("uk", "world", "business", "sport", "culture")
AGENCIES = ("AFP", "AAP", "REUTERS", "AP", "BLOOMBERG")
PICTURE_CREDITS = ("AFP", "Getty Images", "Supplied", "AAP", "Reuters")
ACCESS_SUBSCRIBER = "subscriber"
ACCESS_FREE = "free"
BASE_TIME = datetime(2024, 6, 30, 18, 0, tzinfo=timezone.utc)
IMAGE_BASE = "https://content.api.news/v3/images/bin/"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int, width: int) -> str:
    out = ""
    for _ in range(width):
        n, r = divmod(n, 36)
        out = B36[r] + out
    return out


@dataclass(frozen=True)
class Story:
    """One generated story: the catalogue entry tests assert against."""

    index: int  # global index, 0..N-1
    local: int  # index among its publisher's stories
    publisher: str
    id: str  # News Corp: the 32 hex of the URL; The Times: the 9-character URL key
    url: str
    path: str
    access: str  # free | subscriber
    syndication: str | None  # the printed credit line ("THE TIMES", "AFP") or None
    generation: str  # "2024" | "2015" (News Corp markup generation)
    topics: tuple[str, ...]  # topic slugs, the primary one first
    headline: str
    section: str
    published: str  # ISO 8601 with the publisher's offset

    def content(self, seed: int) -> dict[str, Any]:
        """The text of the page (paragraphs, byline, images), from (seed, index)."""
        rng = textgen.rng_for(seed, self.index, "body")
        paragraphs = [textgen.paragraph(rng) for _ in range(rng.randint(8, 14))]
        if self.syndication in AGENCIES:
            authors: list[str] = []
            byline = self.syndication
        else:
            authors = [textgen.name(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
            byline = " and ".join(authors)
        images = [
            {
                "src": IMAGE_BASE + textgen.hex_digest(seed, self.index, n),
                "caption": f"{textgen.sentence(rng, 6, 12)} Picture: {rng.choice(PICTURE_CREDITS)}",
            }
            for n in range(rng.choice((0, 1, 1, 2)))
        ]
        return {
            "standfirst": textgen.sentence(rng, 12, 24),
            "paragraphs": paragraphs,
            "authors": authors,
            "byline": byline,
            "images": images,
            "keywords": [t.replace("-", " ") for t in self.topics],
        }


@dataclass
class SiteModel:
    """Every simulated publisher's stories and topics for one (stories, seed, topics)."""

    stories: int
    seed: int = 0
    topics: int = 40
    page_size: int = 20
    publishers: tuple[SimPublisher, ...] = PUBLISHERS
    _topic_names: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.stories < 0 or self.topics < 1 or self.page_size < 1:
            raise ValueError("stories >= 0, topics >= 1 and page_size >= 1 are required")
        self._pub_index = {p.name: n for n, p in enumerate(self.publishers)}

    # -- counts and lookups ------------------------------------------------------------------
    def count(self, publisher: SimPublisher) -> int:
        """How many stories `publisher` has."""
        p = self._pub_index[publisher.name]
        n = len(self.publishers)
        return max(0, (self.stories - p + n - 1) // n)

    def publisher_for_host(self, host: str) -> SimPublisher | None:
        host = host.lower().split(":")[0].rstrip(".")
        host = host[4:] if host.startswith("www.") else host
        for publisher in self.publishers:
            if host in publisher.domains:
                return publisher
        return None

    def hosts(self) -> list[str]:
        return [d for p in self.publishers for d in p.domains]

    def topic_names(self, publisher: SimPublisher) -> list[str]:
        """T topic slugs; the first is the publisher's first topic."""
        if publisher.name not in self._topic_names:
            rng = textgen.rng_for(self.seed, publisher.name, "topics")
            names = [publisher.first_topic]
            while len(names) < self.topics:
                slug = f"{textgen.word(rng, 2, 3)}-{textgen.word(rng, 1, 2)}"
                if slug not in names:
                    names.append(slug)
            self._topic_names[publisher.name] = names
        return self._topic_names[publisher.name]

    # -- stories -------------------------------------------------------------------------------
    def story(self, index: int) -> Story:
        if not 0 <= index < self.stories:
            raise IndexError(index)
        publisher = self.publishers[index % len(self.publishers)]
        local = index // len(self.publishers)
        rng = textgen.rng_for(self.seed, index, "meta")
        head = textgen.headline(rng)
        slug = textgen.slugify(head)
        roll = rng.random()
        access = ACCESS_SUBSCRIBER if roll < 0.25 else ACCESS_FREE
        syndication = None
        if 0.25 <= roll < 0.45:
            syndication = rng.choice(("THE TIMES", "THE SUNDAY TIMES", *AGENCIES))
        # Old markup has no "Read related topics": never on the first topic's stories, which
        # carry the links to every other topic.
        old = publisher.kind == NEWSCORP and local % self.topics != 0 and rng.random() < 0.1
        generation = "2015" if old else "2024"
        published = (BASE_TIME - timedelta(minutes=7 * index)).astimezone(_tz(publisher))
        if publisher.kind == NEWSCORP:
            section, sub = rng.choice(NEWSCORP_SECTIONS[:-1])
            if syndication in ("THE TIMES", "THE SUNDAY TIMES"):
                section, sub = NEWSCORP_SECTIONS[-1]
            story_id = self.newscorp_id(index)
            path = f"/{section}/{sub}/{slug}/news-story/{story_id}"
        else:
            section = rng.choice(TIMES_SECTIONS)
            if syndication in ("THE TIMES", "THE SUNDAY TIMES"):
                syndication = None  # The Times does not credit itself
            story_id = self.times_key(index)
            path = f"/article/{slug}-{story_id}"
        return Story(
            index=index,
            local=local,
            publisher=publisher.name,
            id=story_id,
            url=publisher.home + path,
            path=path,
            access=access,
            syndication=syndication,
            generation=generation,
            topics=self._story_topics(publisher, local),
            headline=head,
            section=section,
            published=published.isoformat(),
        )

    def _story_topics(self, publisher: SimPublisher, local: int) -> tuple[str, ...]:
        names = self.topic_names(publisher)
        t = len(names)
        primary = local % t
        if primary != 0:
            return (names[primary],)
        # Stories of the first topic share out every other topic between them.
        in_first = (self.count(publisher) + t - 1) // t
        k = local // t
        extra = [names[n] for n in range(1, t) if n % in_first == k % in_first]
        return (names[0], *extra)

    def newscorp_id(self, index: int) -> str:
        """32 hex: 8 carry the index (masked by the seed), 24 check it."""
        mask = int(textgen.hex_digest(self.seed, "mask", length=8), 16)
        return f"{index ^ mask:08x}" + textgen.hex_digest(self.seed, index, length=24)

    def times_key(self, index: int) -> str:
        """9 lowercase alphanumerics: 4 carry the index, 5 check it."""
        check = int(textgen.hex_digest(self.seed, index, "times", length=10), 16)
        return _b36(index, 4) + _b36(check, 5)

    def index_of_newscorp_id(self, story_id: str) -> int | None:
        mask = int(textgen.hex_digest(self.seed, "mask", length=8), 16)
        try:
            index = int(story_id[:8], 16) ^ mask
        except ValueError:
            return None
        if 0 <= index < self.stories and self.newscorp_id(index) == story_id:
            return index
        return None

    def index_of_times_key(self, key: str) -> int | None:
        index = 0
        for ch in key[:4]:
            if ch not in B36:
                return None
            index = index * 36 + B36.index(ch)
        if 0 <= index < self.stories and self.times_key(index) == key:
            return index
        return None

    def story_for_path(self, publisher: SimPublisher, path: str) -> Story | None:
        """The generated story whose URL path is exactly `path` on `publisher`."""
        if publisher.kind == NEWSCORP:
            index = self.index_of_newscorp_id(path.rsplit("/", 1)[-1])
        else:
            index = self.index_of_times_key(path.rsplit("-", 1)[-1])
        if index is None or index % len(self.publishers) != self._pub_index[publisher.name]:
            return None
        story = self.story(index)
        return story if story.path == path else None

    def local_story(self, publisher: SimPublisher, local: int) -> Story:
        return self.story(local * len(self.publishers) + self._pub_index[publisher.name])

    def topic_stories(
        self, publisher: SimPublisher, topic: int, page: int
    ) -> tuple[list[Story], bool]:
        """Page `page` (1-based) of topic `topic`'s stories, newest first; and whether more."""
        t = len(self.topic_names(publisher))
        start = (page - 1) * self.page_size
        locals_ = range(topic + t * start, self.count(publisher), t)
        chosen = [self.local_story(publisher, j) for j in locals_[: self.page_size]]
        return chosen, len(locals_) > self.page_size

    def catalogue(self, publisher: str | None = None) -> list[Story]:
        """Every generated story (of one publisher when named), in index order."""
        return [
            s
            for s in map(self.story, range(self.stories))
            if publisher is None or s.publisher == publisher
        ]

    @cached_property
    def sections(self) -> dict[str, tuple[str, ...]]:
        return {
            p.name: tuple(dict.fromkeys(s for s, _ in NEWSCORP_SECTIONS))
            if p.kind == NEWSCORP
            else TIMES_SECTIONS
            for p in self.publishers
        }


def _tz(publisher: SimPublisher) -> timezone:
    sign = -1 if publisher.utc_offset.startswith("-") else 1
    hours, minutes = publisher.utc_offset[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def shuffle_rng(seed: int, *parts: object) -> random.Random:
    return textgen.rng_for(seed, *parts)
