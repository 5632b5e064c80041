"""JOBDIR for scheduled runs: resume an interrupted crawl, start afresh after a finished one.

Scrapy's JOBDIR keeps the request queue and the seen-requests filter. That is what resumes a
stopped crawl (Ctrl-C, Scrapyd's cancel.json), but reusing the same JOBDIR for the next hourly
run would filter out every topic page as already seen. So, with JOBDIR set:

* a crawl that closes with reason ``finished`` leaves a marker file; the next crawl with this
  JOBDIR clears the queue, the seen filter and the spider state before Scrapy opens them, and
  starts afresh (stat ``newsbite/jobdir/fresh``);
* a crawl that stopped for any other reason (``shutdown``, ``closespider_*``, a crash) leaves the
  JOBDIR as it is, and the next one resumes it (stat ``newsbite/jobdir/resumed``);
* two crawls never share a JOBDIR: an exclusive lock is taken, and a second crawl fails at once.

Extensions are built before the engine (and so before the scheduler reads the JOBDIR), which is
why the clearing happens in ``from_crawler``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import IO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

try:
    import fcntl
except ImportError:  # Windows: no lock, documented
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

FINISHED_MARKER = "newsbite-finished"
LOCK_FILE = "newsbite.lock"
# What Scrapy keeps in a JOBDIR: the disk queue, the dupefilter and SpiderState's file.
SCRAPY_JOB_FILES = ("requests.queue", "requests.seen", "spider.state")


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
