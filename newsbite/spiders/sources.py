"""Reading start sources: RSS/Atom feeds (feedparser), robots.txt Sitemap: lines and news
sitemaps (Scrapy's own sitemap machinery). Each reader gives entries (story URL, date or None)
or an `Unreadable` with a stat-friendly reason; none raises on a bad body.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import lxml.etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

Entry = tuple[str, datetime | None]


@dataclass(frozen=True)
class Unreadable:
    reason: str  # malformed_feed, html_not_feed, not_gzip, not_a_sitemap, too_large...


@dataclass(frozen=True)
class Nested:
    """A sitemap index: the sitemaps it lists."""

    sitemaps: list[str]


Entries = list[Entry] | Unreadable


def looks_like_html(response: Response) -> bool:
    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    head = response.body[:512].lstrip().lower()
    return "html" in ctype or head.startswith((b"<!doctype html", b"<html"))


def feed_entries(response: Response) -> Entries:
    """Story links and dates of an RSS or Atom feed, in feed order."""
    import feedparser  # only crawls that read feeds need it

    parsed = feedparser.parse(response.body)
    entries = [e for e in parsed.entries if e.get("link")]
    if not entries:
        if looks_like_html(response):
            return Unreadable("html_not_feed")
        if parsed.get("bozo"):
            return Unreadable("malformed_feed")
    return [*_linked(response, entries), *[NO_LINK] * (len(parsed.entries) - len(entries))]


# An entry without a link: counted and named by the spider, never dropped in silence.
NO_LINK: Entry = ("", None)


def _linked(response: Response, entries: list[Any]) -> list[Entry]:
    return [(response.urljoin(e["link"]), _feed_date(e)) for e in entries]


def _feed_date(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)


def robots_sitemaps(response: Response) -> list[str]:
    """The `Sitemap:` lines of robots.txt, absolute."""
    found = sitemap_urls_from_robots(response.body, base_url=response.url)
    return [response.urljoin(u) for u in found]


class NewsSitemap(Sitemap):
    """Scrapy's Sitemap, keeping the Google News `publication_date` of each URL as `news_date`
    (Scrapy flattens children one level deep, and news dates sit two levels down)."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        # Read the nested date first: Scrapy's reader clears the element when it is done.
        news_date = next(
            (
                (child.text or "").strip()
                for child in elem.iter()
                if isinstance(child.tag, str) and child.tag.endswith("publication_date")
            ),
            None,
        )
        found = super()._process_sitemap_element(elem)
        if found is not None and news_date:
            found["news_date"] = news_date
        return found


def sitemap_body(response: Response, maxsize: int) -> bytes | Unreadable:
    """The XML of a sitemap: gunzipped when the bytes are gzip (a .gz file), as is when
    HttpCompression already inflated it (Content-Encoding: gzip)."""
    body = response.body
    if gzip_magic_number(response):
        try:
            return gunzip(body, max_size=maxsize or 0)
        except Exception:  # a truncated or oversized .gz: scrapy raises several kinds
            return Unreadable("bad_gzip")
    if looks_like_html(response):
        return Unreadable("html_not_sitemap")
    return body


def sitemap_entries(response: Response, maxsize: int) -> Entries | Nested:
    body = sitemap_body(response, maxsize)
    if isinstance(body, Unreadable):
        return body
    try:
        sitemap = NewsSitemap(body)
    except (lxml.etree.XMLSyntaxError, StopIteration):
        return Unreadable("not_xml")
    if sitemap.type == "sitemapindex":
        return Nested([response.urljoin(d["loc"]) for d in sitemap if d.get("loc")])
    if sitemap.type != "urlset":
        return Unreadable("not_a_sitemap")
    return list(_urlset(response, sitemap))


def _urlset(response: Response, sitemap: NewsSitemap) -> Iterator[Entry]:
    for entry in sitemap:
        loc = entry.get("loc")
        if loc:
            yield response.urljoin(loc), parse_date(entry.get("news_date") or entry.get("lastmod"))


def parse_date(value: str | None) -> datetime | None:
    """W3C datetime of sitemaps (YYYY-MM-DD, or with time and offset) in UTC; None if bad."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
