"""Honour ``Retry-After`` on 429 and 503 (issue 11), with a cap.

Scrapy's RetryMiddleware (550) retries 429 and 503 at once, whatever the server asked. This
middleware sits just before it on the way back (priority 555): a 429 or 503 that carries
``Retry-After`` (seconds, or an HTTP date) is retried with Scrapy's ``get_retry_request`` after
that long -- an awaited timer, never a sleep of the reactor -- within ``RETRY_TIMES``.

* The wait is never shorter than asked: a server asking for more than
  ``NEWSBITE_RETRY_AFTER_MAX`` seconds (default 60) is not retried early; the response goes on
  (and fails as ``http_429``/``http_503``), with stat ``newsbite/retry_after/too_long`` and a
  WARNING naming the URL and the wait.
* Counted: ``newsbite/retry_after/waits`` and ``newsbite/retry_after/seconds``.
* A replayed response (cassette) is not waited for: the recording is not the live site.
* A 429/503 without ``Retry-After`` is left to RetryMiddleware.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newsbite.middlewares.botwall import wait

logger = logging.getLogger(__name__)

STATUSES = frozenset({429, 503})
DEFAULT_MAX = 60.0
STAT = "newsbite/retry_after"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now (RFC 9110: delay-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler, cap: float, retries: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.cap = cap
        self.retries = retries

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        if not s.getbool("RETRY_ENABLED", True):
            raise NotConfigured("RETRY_ENABLED is off")
        cap = s.getfloat("NEWSBITE_RETRY_AFTER_MAX", DEFAULT_MAX)
        return cls(crawler, max(0.0, cap), s.getint("RETRY_TIMES", 2))

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status not in STATUSES or request.meta.get("dont_retry"):
            return response
        delay = retry_after_seconds(response.headers.get("Retry-After"))
        if delay is None:
            return response  # RetryMiddleware's plain retry
        if delay > self.cap:
            self.stats.inc_value(f"{STAT}/too_long")
            logger.warning(
                "HTTP %d asks to wait %.0fs, more than NEWSBITE_RETRY_AFTER_MAX=%.0fs: "
                "not retried early: %s",
                response.status,
                delay,
                self.cap,
                request.url,
            )
            request.meta["dont_retry"] = True  # nor by RetryMiddleware, at once
            return response
        retry = get_retry_request(
            request,
            spider=spider or self.crawler.spider,
            reason=f"retry_after_{response.status}",
            max_retry_times=request.meta.get("max_retry_times", self.retries),
            logger=logger,
        )
        if retry is None:
            request.meta["dont_retry"] = True  # spent: RetryMiddleware must not retry at once
            return response
        self.stats.inc_value(f"{STAT}/waits")
        self.stats.inc_value(f"{STAT}/seconds", delay)
        logger.info(
            "HTTP %d, Retry-After %.0fs: waiting before retry %d: %s",
            response.status,
            delay,
            retry.meta.get("retry_times", 1),
            request.url,
        )
        if delay > 0 and "cassette" not in response.flags:
            await wait(delay)
        return retry
