"""Bot walls are not stories: recognise, retry politely a few times, then give up (DESIGN §4-5).

A downloader middleware between RetryMiddleware (550) and HttpCompressionMiddleware (590), so it
sees decoded bodies and answers before anything downstream (rendering, the spider) does:

* a wall answer (classified once by ``newsbite.classify``) is retried with Scrapy's
  ``get_retry_request`` up to ``NEWSBITE_BOTWALL_RETRIES`` times, each retry waiting an
  exponential backoff (``NEWSBITE_BOTWALL_BACKOFF`` seconds, doubled per attempt, capped by
  ``NEWSBITE_BOTWALL_BACKOFF_MAX``) -- an awaited timer, never a sleep of the reactor;
* when the retries are spent the URL is recorded as blocked: stats ``newsbite/botwall``,
  ``newsbite/botwall/<signal>``, ``newsbite/botwall/blocked_urls``, a warning with the URL and
  the signal, and the request is dropped (``BotWallBlocked``, an IgnoreRequest): no article;
* when more than ``NEWSBITE_BOTWALL_MAX_RATIO`` of the answers (after
  ``NEWSBITE_BOTWALL_MIN_RESPONSES``) are walls, the crawl is closed with reason
  ``botwall_ratio`` instead of hammering the site.

It never tries to get past a wall (no user-agent games, no cookie tricks, no rendering of
challenge pages): it only waits and asks again.
"""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import deferred_from_coro, deferred_to_future
from twisted.internet import defer
from twisted.internet.task import deferLater

from newsbite.classify import BOTWALL, classification_of

logger = logging.getLogger(__name__)

STAT = "newsbite/botwall"
STAT_ANSWERS = "newsbite/botwall/answers"  # every wall answer, retried or not
STAT_BLOCKED_URLS = "newsbite/botwall/blocked_urls"
STAT_RETRY_BASE = "newsbite/botwall/retry"
CLOSE_REASON = "botwall_ratio"
MAX_BLOCKED_URLS_KEPT = 100


class BotWallBlocked(IgnoreRequest):
    """A URL answered with a bot wall every time it was asked."""

    def __init__(self, url: str, signal: str) -> None:
        super().__init__(f"bot wall ({signal}): {url}")
        self.url = url
        self.signal = signal


class BotWallMiddleware:
    def __init__(
        self,
        crawler: Crawler,
        *,
        retries: int,
        backoff: float,
        backoff_max: float,
        max_ratio: float,
        min_responses: int,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.max_ratio = max_ratio
        self.min_responses = min_responses
        self.answers = 0  # page answers looked at
        self.walls = 0  # of which bot walls
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BotWallMiddleware:
        s = crawler.settings
        if not s.getbool("NEWSBITE_BOTWALL_ENABLED", True):
            raise NotConfigured("NEWSBITE_BOTWALL_ENABLED is off")
        return cls(
            crawler,
            retries=max(0, s.getint("NEWSBITE_BOTWALL_RETRIES", 2)),
            backoff=max(0.0, s.getfloat("NEWSBITE_BOTWALL_BACKOFF", 5.0)),
            backoff_max=max(0.0, s.getfloat("NEWSBITE_BOTWALL_BACKOFF_MAX", 60.0)),
            max_ratio=s.getfloat("NEWSBITE_BOTWALL_MAX_RATIO", 0.5),
            min_responses=max(1, s.getint("NEWSBITE_BOTWALL_MIN_RESPONSES", 10)),
        )

    def delay_for(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        return min(self.backoff_max, self.backoff * 2 ** (attempt - 1))

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response | Request:
        if request.meta.get("dont_obey_robotstxt") or not isinstance(response, TextResponse):
            return response  # robots.txt and binaries are not pages
        if request.meta.get("newsbite_botwall_skip"):
            return response
        # Classified once (newsbite.classify, normally by ClassifyMiddleware before this one).
        found = classification_of(response, self.stats)
        self.answers += 1
        if found.verdict != BOTWALL:
            return response
        signal = found.signal or "wall"
        self.walls += 1
        self.stats.inc_value(STAT_ANSWERS)
        self.check_ratio()
        spider = spider or self.crawler.spider
        retry = None
        if not self.closing:
            retry = get_retry_request(
                request,
                spider=spider,
                reason=f"botwall_{signal}",
                max_retry_times=self.retries,
                stats_base_key=STAT_RETRY_BASE,
                logger=logger,
                give_up_log_level=logging.DEBUG,  # the block is logged below, once
            )
        if retry is not None:
            attempt = int(retry.meta.get("retry_times", 1))
            delay = self.delay_for(attempt)
            logger.info(
                "bot wall (%s) on %s: retry %d/%d in %.1fs",
                signal,
                request.url,
                attempt,
                self.retries,
                delay,
            )
            # A replayed wall is a recording: waiting would not change it, only slow replay.
            if delay > 0 and "cassette" not in response.flags:
                await wait(delay)
            return retry
        self.block(request.url, signal)
        raise BotWallBlocked(request.url, signal)

    def block(self, url: str, signal: str) -> None:
        self.stats.inc_value(STAT)
        self.stats.inc_value(f"{STAT}/{signal}")
        blocked = list(self.stats.get_value(STAT_BLOCKED_URLS) or [])
        if len(blocked) < MAX_BLOCKED_URLS_KEPT:
            blocked.append(url)
            self.stats.set_value(STAT_BLOCKED_URLS, blocked)
        logger.warning("bot wall (%s), blocked, no article: %s", signal, url)

    def check_ratio(self) -> None:
        if self.closing or self.answers < self.min_responses:
            return
        ratio = self.walls / self.answers
        if ratio <= self.max_ratio:
            return
        self.closing = True
        self.stats.set_value("newsbite/botwall/ratio", round(ratio, 3))
        logger.error(
            "stopping the crawl: %d of %d answers (%.0f%%) were bot walls, more than "
            "NEWSBITE_BOTWALL_MAX_RATIO=%.2f; the site is refusing this crawler, so newsbite "
            "stops rather than keep asking. Try again later or at a slower rate.",
            self.walls,
            self.answers,
            ratio * 100,
            self.max_ratio,
        )
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))


async def wait(seconds: float) -> None:
    """Wait without blocking the reactor (works with any Twisted reactor)."""
    from twisted.internet import reactor

    d: defer.Deferred = deferLater(reactor, seconds, lambda: None)
    await deferred_to_future(d)
