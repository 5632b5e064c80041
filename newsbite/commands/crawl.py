"""`scrapy crawl`, with newsbite's exit statuses (newsbite/exitcodes.py, README "Exit statuses").

Replaces Scrapy's builtin command of the same name (COMMANDS_MODULE), so Scrapyd jobs, which run
`scrapy crawl` too, get the same statuses and the same one-line errors:

* wrong settings or an unknown spider: one line `newsbite: <message>`, exit 2, checked before
  Scrapy starts logging;
* a newsbite.errors.UsageError raised while the crawler or the spider is built (spider
  arguments, a component's from_crawler, an add-on): the same line and exit 2, no traceback,
  no request made;
* otherwise the finished crawl's status: exitcodes.for_stats(stats).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError as ScrapyUsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from newsbite import config, exitcodes
from newsbite.errors import UsageError


def usage_exit(message: str, settings: BaseSettings | None = None) -> NoReturn:
    """The one line a user sees for a usage error; SystemExit(2) passes through Scrapy's
    cmdline untouched. With LOG_FILE (Scrapyd's job log) the line is written there too:
    Scrapyd keeps a job's stderr only in its own daemon log."""
    line = f"newsbite: {message}"
    print(line, file=sys.stderr, flush=True)
    log_file = settings.get("LOG_FILE") if settings is not None else None
    if log_file:
        try:
            with open(log_file, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        except OSError:
            pass  # stderr has the line already
    raise SystemExit(exitcodes.USAGE)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) == 1:  # no spider or several: Scrapy's own usage message
            self.preflight(args[0])

    def preflight(self, spider_name: str) -> None:
        """Check the spider name and the settings (with the spider's custom_settings) before
        the crawler process exists, so the error is the only line printed."""
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(spider_name)
        except KeyError:
            known = ", ".join(sorted(loader.list()))
            usage_exit(f"no spider called {spider_name!r} (known: {known})", self.settings)
        settings = self.settings.copy()
        spidercls.update_settings(settings)
        try:
            config.check(settings)
        except UsageError as exc:
            usage_exit(str(exc), self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise ScrapyUsageError("give one spider name" if args else "", print_help=not args)
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        errors: list[UsageError] = []
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        _catch_usage_errors(started, errors)
        self.crawler_process.start()
        if errors:
            usage_exit(str(errors[0]), self.settings)
        if self.crawler_process.bootstrap_failed or crawler._stats is None:
            self.exitcode = exitcodes.FAILED
            return
        self.exitcode = exitcodes.for_stats(crawler.stats.get_stats())


def _catch_usage_errors(started: Any, errors: list[UsageError]) -> None:
    """Keep a UsageError out of Scrapy's and asyncio's "unhandled error" tracebacks; any other
    failure is left as it is (a traceback and exit 1 are right for a crash)."""
    if isinstance(started, Deferred):

        def trap(failure: Failure) -> Failure | None:
            if failure.check(UsageError):
                errors.append(failure.value)
                return None
            return failure

        started.addErrback(trap)
    elif isinstance(started, asyncio.Future):

        def done(task: asyncio.Future) -> None:
            if task.cancelled():
                return
            exc = task.exception()  # retrieving it stops asyncio logging it again
            if isinstance(exc, UsageError):
                errors.append(exc)
            elif exc is not None:
                loop = task.get_loop()
                loop.call_exception_handler(
                    {"message": "crawl failed", "exception": exc, "future": task}
                )

        started.add_done_callback(done)
