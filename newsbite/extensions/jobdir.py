"""JOBDIR for scheduled runs: resume an interrupted crawl, start afresh after a finished one.

Scrapy's JOBDIR keeps the request queue and the seen-requests filter. That is what resumes a
stopped crawl (Ctrl-C, Scrapyd's cancel.json), but reusing the same JOBDIR for the next hourly
run would filter out every topic page as already seen. So, with JOBDIR set:

* a crawl that closes with reason ``finished`` leaves a marker file; the next crawl with this
  JOBDIR clears the queue, the seen filter and the spider state before Scrapy opens them, and
  starts afresh (stat ``newsbite/jobdir/fresh``);
* a crawl that stopped for any other reason (``shutdown``, ``closespider_*``, a crash) leaves the
  JOBDIR as it is, and the next one resumes it (stat ``newsbite/jobdir/resumed``);
* two crawls never share a JOBDIR: an exclusive lock is taken, and a second crawl fails at once;
* the feed exporter (newsbite.feeds) records the local feed files of every session in
  ``newsbite-feeds.txt``; a resumed session reads the (site, id) of every line already in them
  and the written-once guard (newsbite.pipelines.incremental) writes none of those again. Scrapy
  saves its queue state only at a clean close, so after a SIGKILL the resumed session asks for
  pages again that the killed one had done: without this, their stories would be written twice,
  with or without incremental state. The feeds are line-atomic (newsbite.feeds), so every line
  read back is a whole item.

Extensions are built before the engine (and so before the scheduler reads the JOBDIR), which is
why the clearing happens in ``from_crawler``.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.job import job_dir

try:
    import fcntl
except ImportError:  # Windows: no lock, documented
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

FINISHED_MARKER = "newsbite-finished"
LOCK_FILE = "newsbite.lock"
FEEDS_RECORD = "newsbite-feeds.txt"  # one local feed path a line, every session of the job
# What Scrapy keeps in a JOBDIR: the disk queue, the dupefilter and SpiderState's file.
SCRAPY_JOB_FILES = ("requests.queue", "requests.seen", "spider.state", FEEDS_RECORD)


def job_path(settings: BaseSettings) -> Path | None:
    folder = job_dir(settings)
    return Path(folder) if folder else None


def recorded_feeds(folder: Path) -> list[str]:
    """The feed files earlier sessions of this job wrote to (empty after a fresh start)."""
    record = folder / FEEDS_RECORD
    if not record.is_file():
        return []
    lines = record.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(line for line in lines if line.strip()))


def record_feeds(folder: Path, paths: list[Path]) -> None:
    """Append this session's feed files; written at open, so a SIGKILL cannot lose it."""
    known = set(recorded_feeds(folder))
    new = [str(p.resolve()) for p in paths if str(p.resolve()) not in known]
    if new:
        with (folder / FEEDS_RECORD).open("a", encoding="utf-8") as record:
            record.write("".join(f"{p}\n" for p in new))


def ids_in_feed(path: str | Path) -> Iterator[tuple[str, str]]:
    """(site, id) of every whole JSON line of a feed; a torn or foreign line is skipped."""
    try:
        handle = Path(path).open("rb")
    except OSError:
        return
    with handle:
        for line in handle:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and item.get("id"):
                yield (str(item.get("site") or ""), str(item["id"]))


class JobDirInUse(RuntimeError):
    pass


class ResumableJobDir:
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self._lock: IO[str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumableJobDir:
        jobdir = job_dir(crawler.settings)
        if not jobdir:
            raise NotConfigured("no JOBDIR")
        ext = cls(crawler, Path(jobdir))
        ext.lock()
        ext.prepare()
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def lock(self) -> None:
        if fcntl is None:
            return
        self._lock = (self.path / LOCK_FILE).open("w")
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise JobDirInUse(f"JOBDIR {self.path} is in use by another crawl") from None

    def prepare(self) -> None:
        stats = self.crawler.stats
        if (self.path / FINISHED_MARKER).exists():
            for name in SCRAPY_JOB_FILES:
                target = self.path / name
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
            (self.path / FINISHED_MARKER).unlink()
            stats.set_value("newsbite/jobdir/fresh", 1)
            logger.info("JOBDIR %s: last crawl finished, starting afresh", self.path)
        elif (self.path / "requests.queue").exists():
            stats.set_value("newsbite/jobdir/resumed", 1)
            logger.info("JOBDIR %s: resuming an interrupted crawl", self.path)

    def spider_closed(self, spider=None, reason: str = "") -> None:
        if reason == "finished":
            (self.path / FINISHED_MARKER).write_text("finished\n", encoding="utf-8")
        else:
            logger.info("JOBDIR %s kept (%s): the next crawl resumes it", self.path, reason)

    def engine_stopped(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None
