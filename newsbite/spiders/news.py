"""`news`: any news URL. The publisher parser where the registry knows the domain, the
generic extractor elsewhere, through the same chain and pipelines.

    scrapy crawl news -a urls="https://a.example/story https://b.example/x"
    scrapy crawl news -a url_file=urls.txt          (one URL a line; # comments)
    scrapy crawl news -a feeds=https://a.example/rss.xml,https://b.example/atom
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy

from newsbite.errors import UsageError
from newsbite.publishers import GENERIC, Publisher, for_url, generic_for
from newsbite.spiders.base import NewsSpider, split_list, split_urls


class AnyNewsSpider(NewsSpider):
    name = "news"
    publisher = GENERIC
    arguments = ("urls", "url_file", "feeds", "since", "full")

    def __init__(
        self,
        urls: str | None = None,
        url_file: str | None = None,
        feeds: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.urls = split_urls(urls) + self._read_url_file(url_file)
        self.feeds = split_list(feeds)
        if not self.urls and not self.feeds:
            raise UsageError("news needs urls=, url_file= or feeds= (RSS/Atom URLs)")

    @staticmethod
    def _read_url_file(path: str | None) -> list[str]:
        if not path:
            return []
        try:
            lines = Path(path).read_text("utf-8").splitlines()
        except OSError as error:
            raise UsageError(f"url_file={path!r} cannot be read: {error.strerror}") from None
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    def publisher_for(self, url: str) -> Publisher:
        return for_url(url) or generic_for(url)

    def is_usable(self, url: str, what: str) -> bool:
        """A malformed URL is named in a WARNING and counted, and the crawl goes on."""
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            return True
        self.crawler.stats.inc_value("newsbite/skipped/bad_url")
        self.logger.warning("not an absolute http(s) %s, skipped: %r", what, url)
        return False

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            if self.is_usable(url, "URL"):
                yield self.story_request(url, depth=None)
        for feed in self.feeds:
            if self.is_usable(feed, "feed URL"):
                yield self.source_request(feed, "rss")
