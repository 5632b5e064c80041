"""Redirects that lose a story say so: loops, self-redirects and offsite hops (issue 11).

Scrapy's RedirectMiddleware drops all three at DEBUG: a loop ends as "max redirections
reached", a redirect to the same URL is filtered as a duplicate by the dupefilter, and a hop to
another site is filtered by the offsite middleware. A story lost that way left no trace at the
default log level. This subclass (it replaces Scrapy's at the same priority, 600) gives each its
own stat -- ``newsbite/redirect/loop``, ``newsbite/redirect/self``, ``newsbite/redirect/offsite``,
``newsbite/redirect/too_many`` -- and one WARNING naming the URL, then drops the request with
:class:`RedirectDropped` (the spider's errback leaves it to this log line).

A redirect between two forms of one story (http -> https, ``/amp`` -> the canonical page) keeps
its request fingerprint under newsbite.fingerprint, so it is let through the dupefilter
(``dont_filter``): it is the same fetch continuing, not a second one. A self-redirect that sets a
cookie (a consent or session handshake) is followed once.
"""

from __future__ import annotations

import logging
from urllib.parse import urldefrag

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.url import url_is_from_any_domain

from newsbite.fingerprint import same_story

logger = logging.getLogger(__name__)

STAT = "newsbite/redirect"


class RedirectDropped(IgnoreRequest):
    """A redirect newsbite will not follow; logged and counted where it was decided."""

    def __init__(self, kind: str, url: str, target: str) -> None:
        super().__init__(f"redirect {kind}: {url} -> {target}")
        self.kind = kind
        self.url = url
        self.target = target


def _plain(url: str) -> str:
    return urldefrag(url)[0]


class NewsRedirectMiddleware(RedirectMiddleware):
    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            result = super().process_response(request, response)
        except RedirectDropped:
            raise
        except IgnoreRequest:
            # Scrapy's own "max redirections reached": hops that never came back to a URL.
            target = response.headers.get("Location", b"").decode("latin-1")
            self.drop("too_many", request, target)
        if not isinstance(result, Request):
            return result
        return self.check(request, response, result)

    def check(self, request: Request, response: Response, redirected: Request) -> Request:
        target = _plain(redirected.url)
        if target == _plain(request.url):
            if response.headers.get("Set-Cookie") and not request.meta.get("redirect_urls"):
                redirected.dont_filter = True  # a cookie handshake: once
                return redirected
            self.drop("self", request, redirected.url)
        earlier = [_plain(u) for u in request.meta.get("redirect_urls", [])]
        if target in earlier:
            self.drop("loop", request, redirected.url)
        if self.offsite(redirected.url):
            self.drop("offsite", request, redirected.url)
        if same_story(request.url, redirected.url):
            # Same fingerprint as the request being answered: not a duplicate but its sequel.
            redirected.dont_filter = True
        return redirected

    def offsite(self, url: str) -> bool:
        spider = self.crawler.spider
        domains = [d for d in getattr(spider, "allowed_domains", None) or [] if d]
        return bool(domains) and not url_is_from_any_domain(url, domains)

    def drop(self, kind: str, request: Request, target: str) -> None:
        """Count, warn once naming the URL, and drop."""
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        stats = self.crawler.stats
        stats.inc_value(STAT)
        stats.inc_value(f"{STAT}/{kind}")
        what = {
            "self": "redirects to itself",
            "loop": "redirect loop",
            "offsite": "redirects off the site",
            "too_many": f"more than {self.max_redirect_times} redirects",
        }[kind]
        logger.warning("%s, no article: %s (-> %s)", what, original, target)
        raise RedirectDropped(kind, original, target)
