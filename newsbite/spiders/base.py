"""NewsSpider: topic pages -> story links + pagination -> stories -> related topics.

A site spider is a name and a profile; everything site-specific is in the profile and
in the platform's pure parsers. Callbacks are methods and cb_kwargs are plain values, so
every request survives JOBDIR serialisation.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import Any, ClassVar

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from newsbite.extract import get_parsers, with_generic_fallback
from newsbite.extract.botwall import detect_botwall
from newsbite.items import Article
from newsbite.middlewares.botwall import BotWallBlocked
from newsbite.sites.base import SiteProfile

logger = logging.getLogger(__name__)


def split_arg(value: str | list[str] | None) -> list[str]:
    """`-a topics=isis,newspoll` and `-a urls="u1 u2"` both give lists."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v]
    return [v for v in value.replace(",", " ").split() if v]


class NewsSpider(scrapy.Spider):
    profile: ClassVar[SiteProfile]

    def __init__(self, topics: str | None = None, urls: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.topics = split_arg(topics) or list(self.profile.default_topics)
        self.urls = split_arg(urls)
        self.parse_story_fields, self.parse_listing_fields = get_parsers(self.profile.platform)
        self.allowed_domains = list(self.profile.domains)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        default_feed = settings.get("NEWSBITE_DEFAULT_FEED")
        if default_feed and not settings.getdict("FEEDS"):
            feed = {"format": "jsonlines", "encoding": "utf8", "store_empty": True}
            settings.set("FEEDS", {default_feed: feed}, priority="spider")

    # -- start ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.urls:
            for url in self.urls:
                if not self.profile.is_story(url):
                    self.logger.warning(
                        "not a %s story URL, crawling it anyway: %s", self.name, url
                    )
                yield self.story_request(url, depth=None)
            return
        for slug in self.topics:
            yield self.listing_request(self.profile.topic_page(slug), topic=slug, depth=0, page=1)

    def listing_request(self, url: str, *, topic: str, depth: int, page: int) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"topic": topic, "depth": depth, "page": page},
            meta={"newsbite_kind": "listing"},
        )

    def story_request(
        self, url: str, *, depth: int | None, modified: str | None = None
    ) -> scrapy.Request:
        meta: dict[str, Any] = {"newsbite_kind": "story"}
        story_id = self.profile.story_id(url)
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

    # -- listings ------------------------------------------------------------------------
    def parse_listing(
        self, response: Response, topic: str, depth: int, page: int
    ) -> Iterator[scrapy.Request]:
        sel = self.readable(response)
        if sel is None:
            return
        listing = self.parse_listing_fields(response.url, sel)
        stories = [u for u in listing["stories"] if self.profile.is_story(u)]
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

    # -- stories -------------------------------------------------------------------------
    def parse_article(self, response: Response, depth: int | None) -> Iterator[Any]:
        sel = self.readable(response)
        if sel is None:
            return
        try:
            fields = self.parse_story_fields(response.url, sel, timezone=self.profile.timezone)
            fields = with_generic_fallback(fields, response.url, sel, self.profile.timezone)
        except Exception:
            # A parser bug on one page must not end the crawl; the stat and trace say where.
            self.crawler.stats.inc_value("newsbite/failed/parser_error")
            self.logger.exception("parser failed on %s", response.url)
            return
        if fields["extractor"].startswith("generic/") and self.profile.platform != "generic":
            self.crawler.stats.inc_value("newsbite/extract/generic_fallback")
        item = Article.from_fields(fields | {"site": self.profile.name, "url": response.url})
        item.scraped_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        request = response.request
        item.rendered = "playwright" in response.flags or bool(
            request and request.meta.get("playwright")
        )
        self.crawler.stats.inc_value("newsbite/articles/parsed")
        yield item
        yield from self.related_topics(item, depth)

    def follows_topics_of(self, depth: int | None) -> bool:
        """Whether the related topics of a story found at this depth are crawled."""
        return depth is not None and depth < self.settings.getint("NEWSBITE_TOPIC_DEPTH", 1)

    def related_topics(self, item: Article, depth: int | None) -> Iterator[scrapy.Request]:
        """Topic pages a story links to, one hop further, while the depth bound allows."""
        if not self.follows_topics_of(depth):
            return
        for topic in item.topics:
            url = topic.get("url")
            if url and self.profile.is_topic(url):
                slug = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
                yield self.listing_request(url, topic=slug, depth=depth + 1, page=1)

    # -- what every callback checks first -------------------------------------------------
    def readable(self, response: Response) -> Selector | None:
        """The page as a Selector, or None with a logged reason and a stat."""
        reason = None
        if not isinstance(response, TextResponse):
            ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or "none"
            reason, detail = "binary_body", f"content-type {ctype}"
        elif not response.body.strip():
            reason, detail = "empty_body", "no bytes"
        if reason is None:
            sel = response.selector
            signal = detect_botwall(sel)
            if signal is None:
                return sel
            self.crawler.stats.inc_value("newsbite/botwall")
            self.crawler.stats.inc_value(f"newsbite/botwall/{signal}")
            self.logger.warning("bot wall (%s), no article: %s", signal, response.url)
            return None
        self.crawler.stats.inc_value(f"newsbite/skipped/{reason}")
        self.logger.warning("skipped %s: %s (%s)", response.url, reason.replace("_", " "), detail)
        return None

    def on_error(self, failure: Failure) -> None:
        """Every failed request leaves a reason in the log and a `newsbite/failed/...` stat."""
        if failure.check(BotWallBlocked):
            return  # BotWallMiddleware has logged the URL and signal and counted it
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"http_{response.status}"
        else:
            reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"newsbite/failed/{reason}")
        self.logger.error(
            "request failed (%s): %s — %s", reason, request.url, failure.getErrorMessage()
        )
