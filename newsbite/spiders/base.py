"""NewsSpider: start sources -> listings -> stories -> related topics, for one publisher entry.

A publisher's spider is made from its entry (newsbite.spiders.publishers); everything
site-specific is in the entry and its pure parsers. Callbacks are methods and cb_kwargs plain
values, so every request survives JOBDIR serialisation.

Start sources (`-a sources=topics,rss,sitemap`, default: the entry's): topic pages with
pagination and "Read related topics" hops; section RSS/Atom feeds (feedparser); news sitemaps
from robots.txt `Sitemap:` lines and the entry (Scrapy's sitemap machinery). `-a since=DATE`
skips feed and sitemap entries older than DATE before download.

The sitemaps of an index are fetched one after another, not all at once: each carries the
ones still to fetch (meta `newsbite_sitemaps_next`), and the next is asked for at a lower
priority than stories, so the scheduler holds about one sitemap's stories at a time. Asking
for all of them at once queued every story of the site before the first was fetched: a
50,000-story site held 16,000 queued requests (one sitemap per concurrent download), about
80 MB, and the queue grew with the site.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timezone
from difflib import get_close_matches
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from newsbite import classify
from newsbite.errors import UsageError
from newsbite.fingerprint import canonical_url
from newsbite.items import Article
from newsbite.middlewares.botwall import BotWallBlocked
from newsbite.middlewares.redirects import RedirectDropped
from newsbite.process import GENERIC_EXTRACTOR, extract_fields, problem_counts_of, to_article
from newsbite.publishers import Publisher
from newsbite.publishers.base import SOURCE_KINDS
from newsbite.spiders import sources

logger = logging.getLogger(__name__)

# Spider arguments Scrapy or Scrapyd add themselves; accepted by every spider.
SYSTEM_ARGS = frozenset({"_job", "_version"})
# meta: the sitemaps of an index still to fetch after this one, in the index's order
SITEMAPS_NEXT = "newsbite_sitemaps_next"
# Below stories (0): the next sitemap of an index is fetched once the stories queued from the
# one before have all gone to the downloader.
NEXT_SITEMAP_PRIORITY = -1


def split_list(value: str | list[str] | None, sep: str = ",") -> list[str]:
    """`-a topics=isis,federal politics` -> ["isis", "federal politics"]; lists pass through."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [v.strip() for v in value if v and v.strip()]
    return [v.strip() for v in value.split(sep) if v.strip()]


def split_urls(value: str | list[str] | None) -> list[str]:
    """URLs hold no spaces: `-a urls="u1 u2"` and `-a urls=u1,u2` both give lists."""
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [v for v in (value or "").replace(",", " ").split() if v]


def check_url(url: str, what: str = "URL") -> str:
    """An absolute http(s) URL, else UsageError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what} {url!r} is not an absolute http(s) URL (https://host/path)")
    return url


def parse_since(value: str | None) -> datetime | None:
    """`-a since=2026-11-01` (or a full ISO 8601 time) as an aware datetime in UTC."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
        except ValueError:
            raise UsageError(
                f"since={value!r} is not a date; use YYYY-MM-DD or an ISO 8601 time"
            ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def check_args(spider: str, given: Iterable[str], accepted: Iterable[str]) -> None:
    """Unknown spider arguments are a usage error (a typo must not run the defaults)."""
    accepted = sorted(set(accepted))
    for name in given:
        if name in accepted or name in SYSTEM_ARGS:
            continue
        close = get_close_matches(name, accepted, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(
            f"unknown argument {name!r} for spider {spider!r}{hint} "
            f"(accepted: {', '.join(accepted)})"
        )


class NewsSpider(scrapy.Spider):
    """The crawl logic every spider shares; subclasses say which publisher(s) they serve."""

    publisher: ClassVar[Publisher]
    arguments: ClassVar[tuple[str, ...]] = ("topics", "urls", "sources", "since", "full")

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        check_args(self.name, kwargs, self.arguments)
        self.since = parse_since(kwargs.pop("since", None))
        self.full = kwargs.pop("full", None)
        # Sitemaps asked for (canonical URLs; a few per site): a chain skips them, so that the
        # dupefilter never drops the request that carries the rest of an index.
        self.sitemaps_asked: set[str] = set()
        super().__init__(name, **kwargs)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        default_feed = settings.get("NEWSBITE_DEFAULT_FEED")
        if default_feed and not settings.getdict("FEEDS"):
            feed = {"format": "jsonlines", "encoding": "utf8", "store_empty": True}
            settings.set("FEEDS", {default_feed: feed}, priority="spider")

    def publisher_for(self, url: str) -> Publisher:
        return self.publisher

    # -- requests ----------------------------------------------------------------------------
    def listing_request(self, url: str, *, topic: str, depth: int, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"topic": topic, "depth": depth, "page": page},
            meta={"newsbite_kind": "listing", **self.size_meta(url)},
        )

    def story_request(
        self, url: str, *, depth: int | None, modified: str | None = None
    ) -> scrapy.Request:
        meta: dict[str, Any] = {"newsbite_kind": "story", **self.size_meta(url)}
        story_id = self.publisher_for(url).story_key(url)
        if story_id:
            # What the listing knows; SkipUnchangedMiddleware skips a story it shows unchanged.
            # A story whose related topics the crawl still follows is fetched all the same:
            # skipping it would hide the topic pages only its page links to.
            if self.follows_topics_of(depth):
                modified = None
            meta["newsbite_story"] = {"id": story_id, "modified": modified}
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            cb_kwargs={"depth": depth},
            meta=meta,
        )

    def source_request(self, url: str, kind: str) -> scrapy.Request:
        """A feed, a sitemap or robots.txt (for its Sitemap: lines)."""
        callbacks = {
            "rss": self.parse_feed,
            "sitemap": self.parse_sitemap,
            "robots": self.parse_robots,
        }
        meta = {"newsbite_kind": kind, **self.size_meta(url)}
        if kind == "sitemap":
            self.sitemaps_asked.add(canonical_url(url))
        return scrapy.Request(url, callback=callbacks[kind], errback=self.on_error, meta=meta)

    def sitemap_chain(self, urls: Iterable[str], priority: int = 0) -> list[scrapy.Request]:
        """The first of `urls` (an index's sitemaps) as a request carrying the others; []
        when none is left. Repeats are dropped: an index listing a sitemap twice, or itself,
        must not end its chain at the dupefilter or loop."""
        rest = [u for u in dict.fromkeys(urls) if canonical_url(u) not in self.sitemaps_asked]
        if not rest:
            return []
        first, *later = rest
        request = self.source_request(first, "sitemap")
        request.meta[SITEMAPS_NEXT] = later
        request.priority = priority
        request.errback = self.on_sitemap_error
        return [request]

    def next_sitemap(self, request: scrapy.Request | None) -> list[scrapy.Request]:
        """The request for the sitemap after `request`'s in its index, if any."""
        later = request.meta.get(SITEMAPS_NEXT) if request is not None else None
        return self.sitemap_chain(later, NEXT_SITEMAP_PRIORITY) if later else []

    def on_sitemap_error(self, failure: Failure) -> list[scrapy.Request]:
        """A sitemap of an index failed: counted and logged as any request, then the chain
        goes on with the next one."""
        self.on_error(failure)
        return self.next_sitemap(failure.request)

    def size_meta(self, url: str) -> dict[str, int]:
        """The publisher entry's own DOWNLOAD_MAXSIZE, as Scrapy's per-request meta key."""
        maxsize = self.publisher_for(url).download_maxsize
        return {"download_maxsize": maxsize} if maxsize else {}

    def is_old(self, published: datetime | None) -> bool:
        """An entry dated before `-a since=`: skipped before download, and counted."""
        if self.since is None or published is None:
            return False
        if published < self.since:
            self.crawler.stats.inc_value("newsbite/sources/older_than_since")
            return True
        return False

    # -- listings ------------------------------------------------------------------------------
    def parse_listing(
        self, response: Response, topic: str, depth: int, page: int
    ) -> Iterator[scrapy.Request]:
        sel = self.readable(response)
        if sel is None:
            return
        publisher = self.publisher_for(response.url)
        if publisher.group.listing is None:
            return
        listing = publisher.group.listing(response.url, sel)
        stories = [u for u in listing["stories"] if publisher.is_story(u)]
        self.crawler.stats.inc_value("newsbite/listing/pages")
        self.crawler.stats.inc_value("newsbite/listing/story_links", len(stories))
        if not stories:
            self.logger.warning("topic %r page %d lists no stories: %s", topic, page, response.url)
        modified = listing.get("modified") or {}  # {story url: ISO date} when cards show one
        for url in stories:
            yield self.story_request(url, depth=depth, modified=modified.get(url))
        next_page = listing["next_page"]
        max_pages = self.settings.getint("NEWSBITE_MAX_TOPIC_PAGES", 20)
        if next_page and page < max_pages:
            yield self.listing_request(next_page, topic=topic, depth=depth, page=page + 1)
        elif next_page:
            self.crawler.stats.inc_value("newsbite/listing/page_limit_reached")

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        entries = sources.feed_entries(response)
        yield from self._source_stories(response, "rss", entries)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for url in sources.robots_sitemaps(response):
            self.crawler.stats.inc_value("newsbite/sources/sitemap/from_robots")
            yield self.source_request(url, "sitemap")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        maxsize = self.settings.getint("DOWNLOAD_MAXSIZE")
        result = sources.sitemap_entries(response, maxsize)
        if isinstance(result, sources.Nested):
            yield from self.sitemap_chain(result.sitemaps)
        else:
            yield from self._source_stories(response, "sitemap", result)
        # After this sitemap's stories (and whatever it held): the next one of its index.
        yield from self.next_sitemap(response.request)

    def _source_stories(
        self, response: Response, kind: str, entries: sources.Entries
    ) -> Iterator[scrapy.Request]:
        if isinstance(entries, sources.Unreadable):
            self.crawler.stats.inc_value(f"newsbite/sources/{kind}/bad/{entries.reason}")
            self.logger.warning(
                "unreadable %s (%s), skipped: %s", kind, entries.reason, response.url
            )
            return
        self.crawler.stats.inc_value(f"newsbite/sources/{kind}/read")
        for url, published in entries:
            if not url:
                self.crawler.stats.inc_value(f"newsbite/sources/{kind}/bad/no_link")
                self.logger.warning("a %s entry without a link, skipped: %s", kind, response.url)
                continue
            publisher = self.publisher_for(url)
            if not publisher.is_story(url):
                self.crawler.stats.inc_value(f"newsbite/sources/{kind}/not_a_story")
                continue
            if self.is_old(published):
                continue
            self.crawler.stats.inc_value(f"newsbite/sources/{kind}/stories")
            yield self.story_request(url, depth=None)

    # -- stories -----------------------------------------------------------------------------
    def parse_article(self, response: Response, depth: int | None) -> Iterator[Any]:
        sel = self.readable(response)
        if sel is None:
            return
        publisher = self.publisher_for(response.url)
        try:
            fields = extract_fields(response.url, sel, publisher)
            item = to_article(fields, publisher, response.url)
        except Exception:
            # A parser bug on one page must not end the crawl; the stat and trace say where.
            self.crawler.stats.inc_value("newsbite/failed/parser_error")
            self.logger.exception("parser failed on %s", response.url)
            return
        if item.extractor.startswith(GENERIC_EXTRACTOR) and publisher.group.articles:
            self.crawler.stats.inc_value("newsbite/extract/generic_fallback")
        self.count_problems(response.url, fields)
        request = response.request
        item.rendered = "playwright" in response.flags or bool(
            request and request.meta.get("playwright")
        )
        self.crawler.stats.inc_value("newsbite/articles/parsed")
        yield item
        yield from self.related_topics(item, depth)

    def count_problems(self, url: str, fields: dict[str, Any]) -> None:
        """Malformed optional fields cost the field, not the story: one WARNING per page
        naming them, and a stat each."""
        counts = problem_counts_of(fields)
        if not counts:
            return
        for stat, count in counts.items():
            self.crawler.stats.inc_value(f"newsbite/{stat}", count)
        self.logger.warning("fields rejected on %s: %s", url, ", ".join(sorted(counts)))

    def follows_topics_of(self, depth: int | None) -> bool:
        """Whether the related topics of a story found at this depth are crawled."""
        return depth is not None and depth < self.settings.getint("NEWSBITE_TOPIC_DEPTH", 1)

    def related_topics(self, item: Article, depth: int | None) -> Iterator[scrapy.Request]:
        """Topic pages a story links to, one hop further, while the depth bound allows."""
        if not self.follows_topics_of(depth):
            return
        for topic in item.topics:
            url = topic.get("url")
            if url and self.publisher_for(url).is_topic(url):
                slug = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
                yield self.listing_request(url, topic=slug, depth=depth + 1, page=1)

    # -- what every callback checks first ------------------------------------------------------
    def readable(self, response: Response) -> Selector | None:
        """The page as a Selector (decoded, flattened when deeply nested), or None with a
        logged reason and a stat. Reads the response's one classification (newsbite.classify,
        made by ClassifyMiddleware; computed here only when that middleware is off)."""
        found = classify.classification_of(response, self.crawler.stats)
        if found.parsed:
            for problem in found.problems:
                self.crawler.stats.inc_value(f"newsbite/parse/{problem}")
            return found.selector
        if found.verdict == classify.BOTWALL:
            self.crawler.stats.inc_value("newsbite/botwall")
            self.crawler.stats.inc_value(f"newsbite/botwall/{found.signal}")
            self.logger.warning("bot wall (%s), no article: %s", found.signal, response.url)
            return None
        reason = found.verdict
        self.crawler.stats.inc_value(f"newsbite/skipped/{reason}")
        self.logger.warning(
            "skipped %s: %s (%s)", response.url, reason.replace("_", " "), found.detail
        )
        return None

    def on_error(self, failure: Failure) -> None:
        """Every failed request leaves a reason in the log and a `newsbite/failed/...` stat."""
        if failure.check(BotWallBlocked, RedirectDropped):
            return  # their middleware has logged the URL and the reason and counted it
        request = failure.request
        response = getattr(failure.value, "response", None)
        message = failure.getErrorMessage()
        if response is not None:
            reason = f"http_{response.status}"
        elif "max size" in message or "DOWNLOAD_MAXSIZE" in message:
            # Scrapy cancels a body over DOWNLOAD_MAXSIZE (or the request's download_maxsize)
            # while downloading or inflating it: a refusal, not a network fault.
            reason = "too_large"
        else:
            reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"newsbite/failed/{reason}")
        self.logger.error(
            "request failed (%s): %s — %s", reason, request.url, failure.getErrorMessage()
        )


class PublisherSpider(NewsSpider):
    """`scrapy crawl <publisher> [-a topics=isis,federal politics | -a urls=... |
    -a sources=topics,rss,sitemap] [-a since=2026-11-01] [-a full=true]`."""

    def __init__(
        self,
        topics: str | None = None,
        urls: str | None = None,
        sources: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        publisher = self.publisher
        self.allowed_domains = list(publisher.domains)
        self.urls = [check_url(u) for u in split_urls(urls)]
        for url in self.urls:
            if not publisher.owns(url):
                raise UsageError(
                    f"{url} is not on {publisher.title} ({', '.join(publisher.domains)}); "
                    f"crawl other sites with: scrapy crawl news -a urls=..."
                )
        self.topics = split_list(topics)
        self.sources = self._sources(sources, topics_given=bool(self.topics))
        if self.urls and (topics or sources):
            raise UsageError("urls= crawls those pages only: give it without topics= or sources=")
        if not self.topics and "topics" in self.sources:
            self.topics = list(publisher.sources.topics)

    def _sources(self, value: str | None, topics_given: bool) -> list[str]:
        chosen = split_list(value) or (["topics"] if topics_given else [])
        chosen = chosen or list(self.publisher.sources.default)
        for kind in chosen:
            if kind not in SOURCE_KINDS:
                raise UsageError(
                    f"sources={value!r}: {kind!r} is not a source (accepted: "
                    f"{', '.join(SOURCE_KINDS)}, comma-separated)"
                )
        if topics_given and "topics" not in chosen:
            raise UsageError(f"topics= needs 'topics' among sources= (got {value!r})")
        return chosen

    async def start(self) -> AsyncIterator[scrapy.Request]:
        publisher = self.publisher
        if self.urls:
            for url in self.urls:
                if publisher.is_topic(url):
                    slug = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
                    yield self.listing_request(url, topic=slug, depth=0, page=1)
                else:
                    yield self.story_request(url, depth=None)
            return
        if "topics" in self.sources:
            for name in self.topics:
                slug = "-".join(name.lower().split())  # "federal politics" -> federal-politics
                yield self.listing_request(publisher.topic_page(slug), topic=slug, depth=0, page=1)
        if "rss" in self.sources:
            for feed in publisher.sources.rss:
                yield self.source_request(publisher.absolute(feed), "rss")
        if "sitemap" in self.sources:
            for sitemap in publisher.sources.sitemaps:
                yield self.source_request(publisher.absolute(sitemap), "sitemap")
            if publisher.sources.robots_sitemaps:
                yield self.source_request(publisher.absolute("/robots.txt"), "robots")
