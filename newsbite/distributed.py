"""Distributed mode: many workers share one frontier and one incremental state in Redis.

Off unless ``NEWSBITE_REDIS_URL`` (or the standard ``REDIS_URL``), as a setting or an
environment variable, names a Redis server. Then :class:`DistributedAddon` (in ``ADDONS``) sets,
at add-on priority so that project settings and ``-s`` still win:

* the scheduler (:class:`RedisFrontier`, around scrapy-redis's) and scrapy-redis's dupefilter on
  a shared, persistent frontier (``SCHEDULER_PERSIST``): ``newsbite:<spider>:requests`` and
  ``newsbite:<spider>:dupefilter``;
* ``MAX_IDLE_TIME_BEFORE_CLOSE`` from ``NEWSBITE_IDLE_CLOSE``: a worker closes by itself once
  the whole frontier (queue and every worker's in-flight requests) has been empty that long
  (0 = wait for work forever). scrapy-redis applies it only to RedisSpider; here the scheduler
  does it on ``spider_idle`` for our ordinary spiders;
* ``NEWSBITE_STATE_URI`` = the Redis URL when it is empty, and :class:`ClaimPipeline`, so two
  workers never both write one story (an atomic claim in the Redis state backend);
* a per-worker feed: ``output/%(name)s/%(time)s-<host>-<pid>.jsonl`` (a user's -o/-O wins);
* ``NEWSBITE_REDIS_ROLE=worker``: :class:`WorkerRoleMiddleware` drops the spider's start
  requests, so the node only takes work from Redis; ``NEWSBITE_REDIS_ITEMS``: items also go to
  the Redis list ``newsbite:<spider>:items`` (scrapy-redis's RedisPipeline).

Reliable queue (``NEWSBITE_REDIS_RELIABLE``, on by default): scrapy-redis *pops* a request, so
one that a killed worker had popped but not finished would be lost. Here a pop moves the request,
in one Lua script, from the queue to the worker's in-flight set; the request leaves that set once
Scrapy has finished with it (callback run, items through the pipelines and written: the engine no
longer holds it in progress, checked each time it asks for the next request) or when the worker
goes idle. Each worker refreshes a
heartbeat key every ``NEWSBITE_WORKER_TTL``/3 seconds; at start, on every heartbeat and when
idle, the in-flight requests of workers whose heartbeat has expired go back to the queue. The
guarantee is at-least-once: no popped request is lost, and a request a worker was killed in the
middle of is crawled again (its story may then be written twice across workers' files, which the
Redis state claim or ``newsbite merge`` removes).

Nothing here imports redis or scrapy_redis at module level: a one-machine crawl loads this
module (it is in ``ADDONS``) and never touches Redis.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Collection, Mapping
from pathlib import PurePosixPath
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.statscollectors import StatsCollector

from newsbite.errors import UsageError

logger = logging.getLogger(__name__)

ROLES = ("", "seed", "worker")  # "" = seed (push start requests) and work
KEY_PREFIX = "newsbite"
ADDON = SETTINGS_PRIORITIES["addon"]
DEFAULT_WORKER_TTL = 30.0


def redis_url(settings: BaseSettings, environ: Mapping[str, str] | None = None) -> str:
    """The Redis URL that switches distributed mode on, or "" (one machine)."""
    environ = os.environ if environ is None else environ
    for value in (
        settings.get("NEWSBITE_REDIS_URL"),
        environ.get("NEWSBITE_REDIS_URL"),
        settings.get("REDIS_URL"),
        environ.get("REDIS_URL"),
    ):
        if value and str(value).strip():
            return str(value).strip()
    return ""


def worker_id() -> str:
    """``<host>-<pid>``: names this worker's feed, heartbeat and in-flight set."""
    return f"{socket.gethostname()}-{os.getpid()}"


def worker_role(settings: BaseSettings) -> str:
    role = str(settings.get("NEWSBITE_REDIS_ROLE") or "").strip().lower()
    if role not in ROLES:
        raise UsageError(f"NEWSBITE_REDIS_ROLE must be 'seed' or 'worker' (or empty), got {role!r}")
    return role


def worker_feed(template: str, worker: str | None = None) -> str:
    """``output/%(name)s/%(time)s.jsonl`` -> ``output/%(name)s/%(time)s-<host>-<pid>.jsonl``."""
    worker = (worker or worker_id()).replace("%", "%%")  # the feed URI is a %-template
    path = PurePosixPath(template)
    suffix = "".join(path.suffixes[-1:])
    stem = template[: len(template) - len(suffix)] if suffix else template
    return f"{stem}-{worker}{suffix}"


def _raise_to(settings: BaseSettings, name: str, value: Any) -> None:
    """Set a value derived from the user's own (feed name, state URI) at the priority it has."""
    settings.set(name, value, priority=max(ADDON, settings.getpriority(name) or 0))


class DistributedAddon:
    """Switches a crawl to scrapy-redis when a Redis URL is configured; else does nothing."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        role = worker_role(settings)
        if importlib.util.find_spec("scrapy_redis") is None:  # finds it without importing it
            raise UsageError(
                f"NEWSBITE_REDIS_URL={url!r} needs scrapy-redis: pip install 'newsbite[redis]'"
            )
        _raise_to(settings, "REDIS_URL", url)
        defaults = {
            "SCHEDULER": "newsbite.distributed.RedisFrontier",
            "SCHEDULER_QUEUE_CLASS": "newsbite.distributed.ReliableQueue",
            # scrapy-redis hashes requests its own way: this one fingerprints stories as
            # one-machine crawls do (newsbite.fingerprint), so URL variants meet once.
            "DUPEFILTER_CLASS": "newsbite.fingerprint.RedisStoryDupeFilter",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": f"{KEY_PREFIX}:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{KEY_PREFIX}:%(spider)s:dupefilter",
            "REDIS_ITEMS_KEY": f"{KEY_PREFIX}:%(spider)s:items",
            "MAX_IDLE_TIME_BEFORE_CLOSE": settings.getint("NEWSBITE_IDLE_CLOSE", 60),
        }
        for name, value in defaults.items():
            settings.set(name, value, priority="addon")
        if not settings.get("NEWSBITE_STATE_URI"):
            _raise_to(settings, "NEWSBITE_STATE_URI", url)
        self.per_worker_feed(settings)
        if settings.getbool("NEWSBITE_INCREMENTAL"):
            # After the incremental decision (900), before WrittenOncePipeline (950), which
            # must stay last: it records the story as written.
            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", ClaimPipeline, 940)
        if settings.getbool("NEWSBITE_REDIS_ITEMS"):
            from scrapy_redis.pipelines import RedisPipeline

            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", RedisPipeline, 960)
        if role == "worker":
            settings.setdefault_in_component_priority_dict(
                "SPIDER_MIDDLEWARES", WorkerRoleMiddleware, 10
            )

    @staticmethod
    def per_worker_feed(settings: BaseSettings) -> None:
        """Workers on one machine (or one shared disk) must not append to one file."""
        default = settings.get("NEWSBITE_DEFAULT_FEED")
        if not default:
            return
        mine = worker_feed(str(default))
        feeds = settings.getdict("FEEDS")
        if [str(k) for k in feeds] == [str(default)]:  # the spider's default, not a user's -o
            _raise_to(settings, "FEEDS", {mine: next(iter(feeds.values()))})
        _raise_to(settings, "NEWSBITE_DEFAULT_FEED", mine)


class WorkerRoleMiddleware:
    """``NEWSBITE_REDIS_ROLE=worker``: no start requests; the work comes from Redis."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerRoleMiddleware:
        if worker_role(crawler.settings) != "worker" or not redis_url(crawler.settings):
            raise NotConfigured("not a distributed worker")
        return cls(crawler.stats)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        logger.info("worker role: start requests are left to the seeding node")
        self.stats.set_value("newsbite/distributed/start_skipped", 1)
        close = getattr(start, "aclose", None)
        if close is not None:  # never iterated: the spider's start() does not run at all
            await close()
        return
        yield  # an async generator that yields nothing


class ClaimedElsewhere(DropItem):
    """Another worker claimed (or wrote) this version of the story first. Not an error."""

    def __init__(self, message: str) -> None:
        super().__init__(message, log_level="DEBUG")


class ClaimPipeline:
    """After the incremental pipeline decided "new" or "changed": claim that version in the
    shared state before the feed writes it. Only with NEWSBITE_INCREMENTAL and a store that
    can claim (Redis)."""

    def __init__(self, state: Any, stats: StatsCollector, owner: str) -> None:
        self.state = state
        self.stats = stats
        self.owner = owner

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClaimPipeline:
        from newsbite.state.crawl import CrawlState

        state = CrawlState.of(crawler)  # NotConfigured when NEWSBITE_INCREMENTAL is off
        if not callable(getattr(state.store, "claim", None)):
            logger.warning(
                "distributed crawl with state %s, which has no atomic claim: two workers may "
                "both write one story; use NEWSBITE_STATE_URI=redis://...",
                state.store.uri,
            )
            raise NotConfigured("state store cannot claim")
        return cls(state, crawler.stats, worker_id())

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        version = adapter.get("version")
        if version is None:  # not decided by the incremental pipeline
            return item
        site = adapter.get("site") or self.state.site
        story_id = str(adapter.get("id"))
        if self.state.store.claim(site, story_id, int(version), self.owner):
            self.stats.inc_value("newsbite/distributed/claimed")
            return item
        self.state.pending.pop((site, story_id), None)  # the other worker commits it
        self.stats.inc_value("newsbite/distributed/claimed_elsewhere")
        raise ClaimedElsewhere(f"another worker writes {story_id} v{version}: {adapter.get('url')}")


# -- the frontier ----------------------------------------------------------------------------

# KEYS[1] queue (sorted set, score = -priority), KEYS[2] this worker's in-flight set.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('ZADD', KEYS[2], r[2], r[1])
return r[1]
"""

# KEYS[1] a worker's in-flight set, KEYS[2] queue, KEYS[3] workers set; ARGV[1] the worker.
_REQUEUE = """
local items = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do
  redis.call('ZADD', KEYS[2], items[i + 1], items[i])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return #items / 2
"""


class ReliableQueue:
    """scrapy-redis's priority queue, with a pop that keeps the request in an in-flight set.

    ``NEWSBITE_REDIS_RELIABLE=false`` gives scrapy-redis's plain pop (used to measure the loss).
    """

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        from scrapy_redis.queue import PriorityQueue

        self._plain = PriorityQueue(server, spider, key, serializer)
        self.server = server
        self.spider = spider
        self.key = self._plain.key
        self.worker = worker_id()
        self.inflight_key = f"{self.key}:inflight:{self.worker}"
        self.reliable = spider.settings.getbool("NEWSBITE_REDIS_RELIABLE", True)
        self._pop = server.register_script(_POP)
        # popped request -> its encoded form (the in-flight member), until Scrapy is done with it
        self.handed: dict[Request, bytes] = {}
        self._requeue = server.register_script(_REQUEUE)

    # keys shared by every worker of this spider
    @property
    def workers_key(self) -> str:
        return f"{self.key}:workers"

    def alive_key(self, worker: str) -> str:
        return f"{self.key}:alive:{worker}"

    def inflight_of(self, worker: str) -> str:
        return f"{self.key}:inflight:{worker}"

    def __len__(self) -> int:
        return len(self._plain)

    def push(self, request: Request) -> None:
        self._plain.push(request)

    def pop(self, timeout: int = 0) -> Request | None:
        if not self.reliable:
            return self._plain.pop(timeout)
        data = self._pop(keys=[self.key, self.inflight_key])
        if not data:
            return None
        request = self._plain._decode_request(data)
        self.handed[request] = data
        return request

    def settle(self, in_progress: Collection[Request]) -> int:
        """Release the popped requests Scrapy has finished with (no longer in progress)."""
        done = [request for request in self.handed if request not in in_progress]
        if not done:
            return 0
        self.server.zrem(self.inflight_key, *(self.handed.pop(r) for r in done))
        return len(done)

    def clear(self) -> None:
        self.server.delete(self.key)

    # -- workers ------------------------------------------------------------------------
    def beat(self, ttl: float) -> None:
        self.server.sadd(self.workers_key, self.worker)
        self.server.set(self.alive_key(self.worker), "1", px=max(1, int(ttl * 1000)))

    def leave(self) -> None:
        self.server.delete(self.alive_key(self.worker))
        self.server.srem(self.workers_key, self.worker)

    def requeue(self, worker: str) -> int:
        """Put a worker's in-flight requests back in the queue (atomic); returns how many."""
        keys = [self.inflight_of(worker), self.key, self.workers_key]
        return int(self._requeue(keys=keys, args=[worker]))

    def release_mine(self) -> int:
        """Forget this worker's in-flight entries: called when Scrapy has none in progress."""
        self.handed.clear()
        left = int(self.server.zcard(self.inflight_key))
        if left:
            self.server.delete(self.inflight_key)
        return left

    def other_workers(self) -> list[str]:
        names = (
            w.decode() if isinstance(w, bytes) else str(w)
            for w in self.server.smembers(self.workers_key)
        )
        return [w for w in names if w != self.worker]

    def recover_dead(self) -> int:
        """Requeue the in-flight requests of workers whose heartbeat expired."""
        moved = 0
        for worker in self.other_workers():
            if not self.server.exists(self.alive_key(worker)):
                count = self.requeue(worker)
                if count:
                    logger.warning(
                        "worker %s stopped without finishing %d requests: put back in the queue",
                        worker,
                        count,
                    )
                moved += count
        return moved

    def others_in_flight(self) -> int:
        return sum(int(self.server.zcard(self.inflight_of(w))) for w in self.other_workers())


class RedisFrontier:
    """Scrapy's scheduler interface around scrapy-redis's Scheduler, plus heartbeat, recovery
    of dead workers' requests and the idle close."""

    def __init__(self, crawler: Crawler, inner: Any) -> None:
        self.crawler = crawler
        self.inner = inner
        self.stats = crawler.stats
        settings = crawler.settings
        self.role = worker_role(settings)
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 0)
        self.ttl = settings.getfloat("NEWSBITE_WORKER_TTL", DEFAULT_WORKER_TTL)
        self.poll = settings.getfloat("NEWSBITE_IDLE_POLL", 1.0)
        self.idle_since: float | None = None
        self._heartbeat: Any = None
        self._wake_pending = False
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisFrontier:
        from redis.exceptions import RedisError
        from scrapy_redis.scheduler import Scheduler

        try:
            inner = Scheduler.from_crawler(crawler)  # pings the server
        except RedisError as exc:
            url = crawler.settings.get("REDIS_URL")
            raise RuntimeError(f"distributed mode: cannot reach Redis at {url}: {exc}") from exc
        inner.stats = None  # counted here: scrapy-redis passes Scrapy's deprecated spider=
        return cls(crawler, inner)

    @property
    def queue(self) -> ReliableQueue:
        return self.inner.queue

    def __len__(self) -> int:
        return len(self.inner)

    def open(self, spider: Spider) -> None:
        self.inner.open(spider)
        queue = self.queue
        logger.info(
            "distributed mode: worker %s (%s), frontier %s (%d requests waiting)",
            queue.worker,
            self.role or "seed and work",
            queue.key,
            len(queue),
        )
        queue.beat(self.ttl)
        self.recover()
        if self.role != "worker" and not len(queue) and not queue.others_in_flight():
            # A seed onto an empty frontier starts a new crawl; the previous crawl's
            # fingerprints would otherwise filter out every start request.
            self.inner.df.clear()
            self.stats.set_value("newsbite/distributed/new_crawl", 1)
            logger.info("empty frontier: a new crawl (the previous dupefilter is cleared)")
        from scrapy.utils.asyncio import create_looping_call

        self._heartbeat = create_looping_call(self.heartbeat)
        self._heartbeat.start(max(0.2, self.ttl / 3), now=False)

    def heartbeat(self) -> None:
        try:
            self.queue.beat(self.ttl)
            if self.queue.reliable:
                self.queue.settle(self.in_progress())
            self.recover()
        except Exception:  # Redis away for a moment: the next beat tries again
            logger.warning("distributed heartbeat failed", exc_info=True)

    def recover(self) -> None:
        moved = self.queue.recover_dead()
        if moved:
            self.stats.inc_value("newsbite/distributed/requeued", moved)
            self.wake()

    def close(self, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        queue = self.queue
        if queue.reliable:
            if reason == "finished":
                left = queue.release_mine()
            else:  # shutdown, cancelled...: what is still in flight was not done
                queue.settle(self.in_progress())
                left = queue.requeue(queue.worker)
                if left:
                    logger.info("closing (%s): %d requests put back in the queue", reason, left)
            if left:
                self.stats.set_value("newsbite/distributed/inflight_at_close", left)
        queue.leave()
        self.inner.close(reason)

    def has_pending_requests(self) -> bool:
        return self.inner.has_pending_requests()

    def enqueue_request(self, request: Request) -> bool:
        queued = self.inner.enqueue_request(request)
        if queued:
            self.stats.inc_value("scheduler/enqueued/redis")
        return queued

    def in_progress(self) -> Collection[Request]:
        """The requests Scrapy's engine is working on (downloading, parsing, piping items).

        ``engine._slot.inprogress`` is private; without it nothing is released before the
        worker goes idle, which costs duplicates after a kill, never lost requests.
        """
        engine = getattr(self.crawler, "engine", None)
        found = getattr(getattr(engine, "_slot", None), "inprogress", None)
        return found if found is not None else self.queue.handed

    def next_request(self) -> Request | None:
        # The engine asks after every finished request: a good moment to release them.
        if self.queue.reliable:
            self.queue.settle(self.in_progress())
        request = self.inner.next_request()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
            self.idle_since = None
        return request

    # -- idle close ------------------------------------------------------------------------
    def spider_idle(self, spider: Spider | None = None) -> None:
        """Nothing in progress here. Wait while the frontier may still grow; close after
        MAX_IDLE_TIME_BEFORE_CLOSE seconds of an empty frontier (0 = never)."""
        queue = self.queue
        if queue.reliable:
            released = queue.release_mine()  # Scrapy is idle: all this worker popped is done
            if released:
                self.stats.inc_value("newsbite/distributed/inflight_released", released)
        self.recover()
        now = time.monotonic()
        if len(queue) or queue.others_in_flight():
            self.idle_since = None  # work waiting, or other workers may still add some
        elif self.idle_since is None:
            self.idle_since = now
        if self.idle_since is not None and self.max_idle and now - self.idle_since >= self.max_idle:
            logger.info("frontier empty for %.0f s: closing", now - self.idle_since)
            return
        self.wake(later=True)
        raise DontCloseSpider

    def wake(self, later: bool = False) -> None:
        """Ask the engine for the next request now (or after NEWSBITE_IDLE_POLL seconds).

        While idle, Scrapy looks at the scheduler only on its 5 s heartbeat; a worker waiting
        on the shared frontier asks sooner. ``engine._slot.nextcall`` is private, so this is
        guarded: without it the heartbeat still gets there.
        """
        if later:
            if self._wake_pending:
                return
            from scrapy.utils.asyncio import call_later

            self._wake_pending = True
            call_later(self.poll, self._wake_now)
            return
        self._wake_now()

    def _wake_now(self) -> None:
        self._wake_pending = False
        engine = getattr(self.crawler, "engine", None)
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()
