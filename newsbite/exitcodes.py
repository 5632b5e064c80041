"""Exit statuses of `scrapy crawl`, `bash scripts/crawl` and `newsbite`: one table (README).

A crawl's finish reason decides its status, so cron, systemd and Scrapyd users see a stopped
or broken crawl in the exit code alone.
"""

from __future__ import annotations

OK = 0
FAILED = 1  # a crash, or `newsbite extract` on a page that held no story
USAGE = 2  # wrong arguments or settings: nothing was requested
FEED_ERROR = 3  # a feed could not be written; the state store was not committed
BOTWALL = 4  # bot walls over NEWSBITE_BOTWALL_MAX_RATIO
NO_ITEMS = 5  # zero items where stories were expected
LAYOUT_ALARM = 6  # a monitor failed: a site's layout has probably changed

# finish_reason -> exit status; any reason not here (finished, shutdown...) is OK
FINISH_REASONS: dict[str, int] = {
    "feed_error": FEED_ERROR,
    "botwall_ratio": BOTWALL,
    "no_items": NO_ITEMS,
    "layout_alarm": LAYOUT_ALARM,
    "usage_error": USAGE,
}


def for_finish_reason(reason: str | None) -> int:
    return FINISH_REASONS.get(reason or "", OK)


# A stat that a component sets when it judges a crawl that finished normally: Spidermon's
# layout alarms run at spider_closed, after the finish reason is fixed.
EXIT_REASON_STAT = "newsbite/exit_reason"


def for_stats(stats: dict) -> int:
    """The exit status of a finished crawl: `newsbite/exit_reason`, else its finish reason."""
    return for_finish_reason(stats.get(EXIT_REASON_STAT)) or for_finish_reason(
        stats.get("finish_reason")
    )
