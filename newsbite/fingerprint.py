"""One story, one fingerprint: request fingerprints that know what a story URL is (issue 11).

Scrapy's dupefilter compares request fingerprints, and its default fingerprint keeps what
makes one story many URLs: ``?utm_source=``, ``?amp``, ``/amp``, a trailing slash, http and
https, an upper-case host. So a listing that links a story twice under two forms fetched and
wrote it twice. :class:`StoryFingerprinter` (``REQUEST_FINGERPRINTER_CLASS``) fingerprints

* a GET for a URL that carries a story id under its publisher's rule (publisher entry
  ``story_key``): the publisher and the story key alone -- one story, one request;
* any other request: method, body and the URL canonicalised by w3lib's ``canonicalize_url``
  (sorted query, no fragment, lower-case host), with http taken as https and a trailing
  slash dropped.

It is the crawler's fingerprinter, so Scrapy's dupefilter, the HTTP cache and JOBDIR's
``requests.seen`` use it; :class:`RedisStoryDupeFilter` makes scrapy-redis's shared dupefilter
(which computes its own fingerprint) use it too. A redirect between two forms of one story
(http -> https, /amp -> the canonical page) keeps the same fingerprint: the redirect middleware
(newsbite.middlewares.redirects) lets those through the dupefilter.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler
from w3lib.url import canonicalize_url

from newsbite.publishers import for_url


def canonical_url(url: str) -> str:
    """w3lib's canonical form, scheme-blind (https) and without a trailing slash."""
    parts = urlsplit(canonicalize_url(url))
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def story_identity(url: str) -> tuple[str, str] | None:
    """(publisher name, story key) when the URL carries a story id under its publisher's rule."""
    publisher = for_url(url)
    if publisher is None:
        return None
    key = publisher.story_key(url)
    return (publisher.name, key) if key else None


def fingerprint_data(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        story = story_identity(request.url)
        if story is not None:
            return {"story": list(story)}
    return {
        "method": request.method,
        "url": canonical_url(request.url),
        "body": (request.body or b"").hex(),
    }


class StoryFingerprinter:
    """``REQUEST_FINGERPRINTER_CLASS = "newsbite.fingerprint.StoryFingerprinter"``."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        # Requests are fingerprinted several times (scheduler, cache): once is enough.
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoryFingerprinter:
        return cls(crawler)

    def fingerprint(self, request: Request) -> bytes:
        found = self._cache.get(request)
        if found is None:
            data = json.dumps(fingerprint_data(request), sort_keys=True).encode()
            found = hashlib.sha1(data, usedforsecurity=False).digest()
            self._cache[request] = found
        return found


def same_story(a: str, b: str) -> bool:
    """Whether two URLs are one page or one story for the fingerprint."""
    story_a, story_b = story_identity(a), story_identity(b)
    if story_a is not None or story_b is not None:
        return story_a == story_b
    return canonical_url(a) == canonical_url(b)


def _redis_dupefilter_base() -> type:
    # Imported only when asked for: a crawl without Redis never imports scrapy-redis.
    from scrapy_redis.dupefilter import RFPDupeFilter

    return RFPDupeFilter


def __getattr__(name: str) -> Any:
    if name == "RedisStoryDupeFilter":
        base = _redis_dupefilter_base()

        class RedisStoryDupeFilter(base):  # type: ignore[misc, valid-type]
            """scrapy-redis's shared dupefilter, fingerprinting like StoryFingerprinter."""

            _fingerprinter = StoryFingerprinter()

            def request_fingerprint(self, request: Request) -> str:
                return self._fingerprinter.fingerprint(request).hex()

        globals()[name] = RedisStoryDupeFilter
        return RedisStoryDupeFilter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
