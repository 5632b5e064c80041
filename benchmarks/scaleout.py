"""Scale-out on scrapy-redis: 1 worker against 2 (and more) on the news-site simulator.

    python benchmarks/scaleout.py [--stories 1000] [--topics 40] [--latency 100] [--workers 1 2]
    python benchmarks/scaleout.py --kill [--stories 1000] [--latency 20]

Starts a real redis-server (tests/redis_support.py) and the simulator in this process, with a
latency per answer so that the network, not the parser, bounds a worker (each worker keeps
CONCURRENT_REQUESTS_PER_DOMAIN = 4 requests open). For each worker count: a fresh Redis, worker
0 seeds all topic pages, the others run with NEWSBITE_REDIS_ROLE=worker; the time is from the
launch of the processes until every story is in the feeds (the idle close that follows is not
counted).

--kill measures what a SIGKILLed worker loses: the same crawl with the plain scrapy-redis pop
(NEWSBITE_REDIS_RELIABLE=false) and with the in-flight set, one worker killed once a third of
the stories are written and started again; prints stories missing and written twice.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsbite.testing.simulator import Simulator  # noqa: E402
from tests.redis_support import RedisServer, Worker, feed_files, read_ids  # noqa: E402

SPIDER = "theaustralian"


def crawl_settings(sim: Simulator, **extra: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "NEWSBITE_HOST_MAP": sim.host_map(),
        "AUTOTHROTTLE_ENABLED": False,
        "SPIDERMON_ENABLED": False,
        "NEWSBITE_REPORT": False,
        "NEWSBITE_IDLE_CLOSE": 2,
        "NEWSBITE_WORKER_TTL": 5,
        "LOG_LEVEL": "INFO",
    }
    settings.update(extra)
    return settings


def topics(sim: Simulator) -> str:
    return ",".join(sim.model.topic_names(sim.model.publishers[0]))


def count_lines(folder: Path) -> int:
    total = 0
    for path in feed_files(folder, SPIDER):
        with path.open("rb") as f:
            total += sum(1 for _ in f)
    return total


def launch(folder: Path, n: int, redis_url: str, sim: Simulator, **extra: object) -> list[Worker]:
    workers = []
    for k in range(n):
        settings = crawl_settings(sim, **extra)
        args = {"topics": topics(sim)} if k == 0 else {}
        if k:
            settings["NEWSBITE_REDIS_ROLE"] = "worker"
        workers.append(Worker.start(f"w{k}", folder, redis_url, SPIDER, settings, args))
    return workers


def wait_for(folder: Path, sim: Simulator, stories: int, timeout: float) -> float:
    """Seconds from the first request the simulator saw to the last story in the feeds (the
    processes' start-up, seconds on a loaded machine, is not the crawl's throughput)."""
    start = time.monotonic()
    while count_lines(folder) < stories:
        if time.monotonic() - start > timeout:
            raise SystemExit(f"timed out with {count_lines(folder)} of {stories} stories")
        time.sleep(0.05)
    return time.monotonic() - sim.hits[0].time


def throughput(args: argparse.Namespace, redis: RedisServer, sim: Simulator, base: Path) -> None:
    print(f"{args.stories} stories, {args.topics} topics, {args.latency} ms per answer")
    print(f"{'workers':>7} {'seconds':>8} {'stories/s':>9}  split")
    for n in args.workers:
        redis.client().flushall()
        sim.hits.clear()
        folder = base / f"throughput-{n}"
        folder.mkdir()
        workers = launch(folder, n, redis.url, sim)
        elapsed = wait_for(folder, sim, args.stories, timeout=600)
        for w in workers:
            w.wait(timeout=120)
        split = [len(read_ids(p)) for p in feed_files(folder, SPIDER)]
        rate = args.stories / elapsed
        print(f"{n:>7} {elapsed:>8.1f} {rate:>9.1f}  {split}")


def kill_run(redis: RedisServer, sim: Simulator, folder: Path, reliable: bool, stories: int):
    redis.client().flushall()
    folder.mkdir()
    workers = launch(folder, 2, redis.url, sim, NEWSBITE_REDIS_RELIABLE=reliable)
    while count_lines(folder) < stories // 3:
        time.sleep(0.02)
    victim = workers[1]
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=10)
    settings = crawl_settings(sim, NEWSBITE_REDIS_RELIABLE=reliable, NEWSBITE_REDIS_ROLE="worker")
    again = Worker.start("w1-again", folder, redis.url, SPIDER, settings)
    for w in (workers[0], again):
        w.wait(timeout=300)
    written = Counter(i for p in feed_files(folder, SPIDER) for i in read_ids(p))
    expected = {s.id for s in sim.catalogue(SPIDER)}
    missing = len(expected - set(written))
    twice = sum(c - 1 for c in written.values() if c > 1)
    return missing, twice


def kill(args: argparse.Namespace, redis: RedisServer, sim: Simulator, base: Path) -> None:
    print(f"SIGKILL one of 2 workers after a third of {args.stories} stories, then restart it")
    for reliable in (False, True):
        folder = base / f"kill-{'reliable' if reliable else 'plain'}"
        missing, twice = kill_run(redis, sim, folder, reliable, args.stories)
        name = "in-flight set" if reliable else "plain scrapy-redis pop"
        print(f"{name:>24}: {missing} stories missing, {twice} written twice")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--topics", type=int, default=40)
    parser.add_argument("--latency", type=float, default=None, help="ms per answer")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--kill", action="store_true", help="measure a killed worker's loss")
    args = parser.parse_args(argv)
    if args.latency is None:
        args.latency = 20 if args.kill else 100
    with tempfile.TemporaryDirectory(prefix="newsbite-scaleout-") as tmp:
        base = Path(tmp)
        redis = RedisServer.launch(base / "redis")
        sim = Simulator(
            stories=args.stories, topics=args.topics, latency_ms=args.latency, publishers=[SPIDER]
        )
        try:
            with sim:
                (kill if args.kill else throughput)(args, redis, sim, base)
        finally:
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
