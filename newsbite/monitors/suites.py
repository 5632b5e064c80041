"""Spidermon monitors run at the close of every crawl (SPIDERMON_SPIDER_CLOSE_MONITORS).

``LayoutAlarmSuite``: field coverage per publisher, share parsed by the generic fallback,
error/drop/bot-wall/cassette-miss ratios, and stories against recent runs of the same spider
with the same arguments. The checks themselves are pure (newsbite.monitors.checks); a monitor
method fails when one of its checks fails, after logging one ERROR line per failed check::

    newsbite alarm: theaustralian share parsed by the generic fallback 1.00 outside threshold
    <= 0.20 (6 of 6)

Actions: when any monitor fails, ``newsbite/exit_reason`` = ``layout_alarm`` (exit status 6,
newsbite.exitcodes); whatever the outcome, this run's story count joins the run history and
the HTML crawl report is written beside the feed.
"""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action

from newsbite import exitcodes
from newsbite.monitors import checks
from newsbite.monitors.history import args_key, history_store, recent_items

logger = logging.getLogger("newsbite.monitors")
# unittest leaves the frames of modules with this global out of failure reports: Spidermon then
# logs a failed check as its message alone, not as a traceback that reads like a crash.
__unittest = True
# Spidermon 1.27 logs through Spider.log(), which Scrapy 2.13+ deprecates: one WARNING per
# crawl that says nothing about the crawl.
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", module=r"spidermon\.")
FAILED = "layout_alarm"


class _Checked:
    """Evaluates the checks once per monitor instance from the run's data."""

    data: Any
    measures: tuple[str, ...] = ()

    @cached_property
    def all_checks(self) -> list[checks.Check]:
        crawler = self.data.crawler
        spider = self.data.spider
        stats, settings = self.data.stats, crawler.settings
        if "item_drop" not in self.measures:
            return checks.coverage_checks(stats, settings) + checks.crawl_checks(
                stats, settings, spider.name
            )
        recent = None
        # A stopped run's count says nothing: only finished runs are judged and recorded.
        if stats.get("finish_reason") == "finished":
            recent = recent_items(crawler, spider)
        return [checks.history_check(stats, settings, spider.name, recent)]

    def assert_checks(self, *measures: str) -> None:
        self.measures = measures
        failed = [c for c in self.all_checks if c.measure in measures and c.failed]
        for check in failed:
            logger.error("newsbite alarm: %s", check.message())
        if failed:
            self.fail("; ".join(check.message() for check in failed))


# --- monitors -------------------------------------------------------------------------------


@monitors.name("Field coverage per publisher")
class CoverageMonitor(_Checked, Monitor):
    @monitors.name("headline")
    def test_headline(self):
        """Share of stories with a headline"""
        self.assert_checks("headline")

    @monitors.name("body of 3+ paragraphs")
    def test_body(self):
        """Share of stories with a body of at least 3 paragraphs"""
        self.assert_checks("body")

    @monitors.name("authors")
    def test_authors(self):
        """Share of stories with at least one author"""
        self.assert_checks("authors")

    @monitors.name("dated with offset")
    def test_dated(self):
        """Share of stories with a published date that carries a UTC offset"""
        self.assert_checks("dated")

    @monitors.name("topics")
    def test_topics(self):
        """Share of stories with at least one topic"""
        self.assert_checks("topics")

    @monitors.name("image captions")
    def test_captions(self):
        """Share of stories with images that have a caption for every image"""
        self.assert_checks("captions")

    @monitors.name("generic fallback share")
    def test_fallback(self):
        """Share of a publisher's stories its own parser missed (parsed by the generic one)"""
        self.assert_checks("fallback")


@monitors.name("Crawl health")
class CrawlHealthMonitor(_Checked, Monitor):
    @monitors.name("failed requests")
    def test_errors(self):
        """Failed requests (newsbite/failed/*) per request"""
        self.assert_checks("errors")

    @monitors.name("dropped stories")
    def test_drops(self):
        """Dropped stories (newsbite/dropped*) per story"""
        self.assert_checks("drops")

    @monitors.name("bot walls")
    def test_botwall(self):
        """Bot walls (newsbite/botwall) per response"""
        self.assert_checks("botwall")

    @monitors.name("cassette misses")
    def test_cassette_miss(self):
        """Replay misses (newsbite/cassette/miss) per replayed request"""
        self.assert_checks("cassette_miss")


@monitors.name("Item count")
class ItemCountMonitor(_Checked, Monitor):
    @monitors.name("stories against recent runs")
    def test_item_count(self):
        """Stories seen against the median of recent runs with the same arguments"""
        self.assert_checks("item_drop")


# --- actions --------------------------------------------------------------------------------


class SetExitReason(Action):
    """A failed monitor makes the crawl's exit status LAYOUT_ALARM (6)."""

    def run_action(self):
        stats = self.data.crawler.stats
        if not stats.get_value(exitcodes.EXIT_REASON_STAT):  # keep a reason set before
            stats.set_value(exitcodes.EXIT_REASON_STAT, FAILED)


class RecordRun(Action):
    """This finished run's story count joins the history the item-count check reads."""

    def run_action(self):
        crawler, spider = self.data.crawler, self.data.spider
        if crawler.stats.get_value("finish_reason") != "finished":
            return  # a stopped run's count says nothing about the usual
        store = history_store(crawler)
        if store is None:
            return
        try:
            finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
            seen = checks.stories_seen(crawler.stats.get_stats())
            store.record_run(spider.name, args_key(spider), seen, finished)
        except NotImplementedError as exc:
            logger.warning("run history not kept: %s", exc)
        finally:
            store.close()


class LayoutAlarmSuite(MonitorSuite):
    monitors = [CoverageMonitor, CrawlHealthMonitor, ItemCountMonitor]
    monitors_failed_actions = [SetExitReason]
    # The crawl report (newsbite.report.crawl.CrawlReport) has read the history already: its
    # extension closes before this suite's, so this run joins the history after it.
    monitors_finished_actions = [RecordRun]
