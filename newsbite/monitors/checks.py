"""The layout-alarm checks, as pure functions of a crawl's stats (issue 13, DESIGN §11).

The Spidermon monitors (newsbite.monitors.suites) fail on the checks evaluated here, and the
crawl report draws the same list, so the log, the exit status and the red rows of the report
always agree.

Thresholds: ``NEWSBITE_ALARM_<MEASURE>`` settings are the defaults (newsbite/settings.py); a
publisher entry's ``alarms`` mapping (``{"authors": 0.3}``) overrides them for that publisher.
Coverage measures are floors (share of stories that have the field); ``fallback``, ``errors``,
``drops``, ``botwall`` and ``cassette_miss`` are ceilings; ``item_drop`` is how much smaller
than the median of recent runs a run may be. Runs with fewer than ``min_items`` stories skip
the ratio checks (too few stories to judge a share).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsbite.monitors import measures

CRAWL_RATIOS = ("errors", "drops", "botwall", "cassette_miss")
CEILINGS = frozenset({"fallback", *CRAWL_RATIOS})
MEASURES = (*measures.COVERAGE, "fallback", *CRAWL_RATIOS, "item_drop")
# Settings that are not thresholds of one measure but shape the checks.
OPTIONS = ("min_items", "recent_runs", "min_runs")
LABELS = {
    "headline": "headline coverage",
    "body": "body coverage (3+ paragraphs, non-subscriber stories)",
    "authors": "authors coverage",
    "dated": "dated-with-offset coverage",
    "topics": "topics coverage",
    "captions": "image caption coverage",
    "fallback": "share parsed by the generic fallback",
    "errors": "failed request ratio",
    "drops": "dropped story ratio",
    "botwall": "bot wall ratio",
    "cassette_miss": "cassette miss ratio",
    "item_drop": "stories against recent runs",
}
OK, FAIL, SKIPPED = "ok", "fail", "skipped"


@dataclass(frozen=True)
class Check:
    publisher: str  # the site, or the spider's name for crawl-wide ratios
    measure: str
    threshold: float
    status: str  # ok | fail | skipped
    value: float | None = None
    count: int = 0  # the numerator: stories (requests...) with the property
    total: int = 0  # what it is out of
    note: str = ""

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    @property
    def label(self) -> str:
        return LABELS.get(self.measure, self.measure)

    @property
    def bound(self) -> str:
        """How the value must compare with the threshold to pass."""
        return "<=" if self.measure in CEILINGS else ">="

    def message(self) -> str:
        """One line naming publisher, field, value and threshold (the ERROR line's text)."""
        value = "n/a" if self.value is None else f"{self.value:.2f}"
        if self.measure == "item_drop":
            limit = f"{1 - self.threshold:.2f} of the recent median"
            detail = f"{self.count} stories, recent median {self.total}"
        else:
            limit = f"{self.threshold:.2f}"
            detail = f"{self.count} of {self.total}"
        verb = {OK: "within", FAIL: "outside", SKIPPED: "not judged against"}[self.status]
        text = (
            f"{self.publisher} {self.label} {value} {verb} threshold {self.bound} {limit} "
            f"({detail})"
        )
        return f"{text}: {self.note}" if self.note else text


# --- thresholds -------------------------------------------------------------------------------


def setting_name(measure: str) -> str:
    return f"NEWSBITE_ALARM_{measure.upper()}"


def _project_default(name: str) -> Any:
    import newsbite.settings as project  # the defaults' one home, read when a setting is unset

    return getattr(project, name)


def publisher_alarms(site: str | None) -> Mapping[str, float]:
    """The publisher entry's overrides; none for unknown sites, or while the registry is not
    importable (it is being rewritten: defaults then)."""
    if not site:
        return {}
    try:
        from newsbite.publishers import get
    except ImportError:
        return {}
    try:
        return get(site).alarms
    except KeyError:
        return {}


def thresholds(settings: Any, site: str | None = None) -> dict[str, float]:
    """Every measure's threshold (and the OPTIONS) for one publisher: its entry's ``alarms``
    over the ``NEWSBITE_ALARM_*`` settings. ``settings``: Scrapy Settings or a plain mapping."""
    out: dict[str, float] = {}
    for measure in (*MEASURES, *OPTIONS):
        name = setting_name(measure)
        value = settings.get(name) if settings is not None else None
        out[measure] = float(_project_default(name) if value in (None, "") else value)
    for measure, value in publisher_alarms(site).items():
        if measure not in out:
            raise ValueError(f"{site}: unknown alarm measure {measure!r}; known: {MEASURES}")
        out[measure] = float(value)
    return out


# --- the checks -------------------------------------------------------------------------------


def _judge(
    publisher: str, measure: str, limit: float, count: int, total: int, note: str = ""
) -> Check:
    value = count / total if total else None
    if value is None:
        return Check(publisher, measure, limit, SKIPPED, None, count, total, note or "nothing")
    passed = value <= limit if measure in CEILINGS else value >= limit
    return Check(publisher, measure, limit, OK if passed else FAIL, value, count, total, note)


def coverage_checks(stats: Mapping[str, Any], settings: Any) -> list[Check]:
    """Field coverage and fallback share, per publisher found in the coverage stats."""
    checks: list[Check] = []
    for site in measures.sites(stats):
        limits = thresholds(settings, site)
        counts = measures.site_counts(stats, site)
        items = counts.get("items", 0)
        small = items < limits["min_items"]
        for measure in (*measures.COVERAGE, "fallback"):
            total = counts.get(measures.DENOMINATOR.get(measure, "items"), 0)
            count = counts.get(measure, 0)
            if small:
                note = f"fewer than {int(limits['min_items'])} stories"
                checks.append(
                    Check(site, measure, limits[measure], SKIPPED, None, count, total, note)
                )
            elif measure == "fallback" and not measures.has_own_parser(site):
                note = "the generic extractor is this site's parser"
                checks.append(
                    Check(site, measure, limits[measure], SKIPPED, None, count, total, note)
                )
            else:
                checks.append(_judge(site, measure, limits[measure], count, total))
    return checks


def _sum(stats: Mapping[str, Any], total_key: str) -> int:
    """A family's total stat, or the sum of its per-reason stats when no total is kept."""
    if isinstance(stats.get(total_key), (int, float)):
        return int(stats[total_key])
    head = total_key + "/"
    return int(
        sum(v for k, v in stats.items() if k.startswith(head) and isinstance(v, (int, float)))
    )


def ratio_inputs(stats: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    """measure -> (count, out of) for the crawl-wide ratios."""
    items = int(stats.get("item_scraped_count", 0))
    dropped = _sum(stats, "newsbite/dropped")
    replayed = int(stats.get("newsbite/cassette/replayed", 0))
    missed = int(stats.get("newsbite/cassette/miss", 0))
    return {
        "errors": (_sum(stats, "newsbite/failed"), int(stats.get("downloader/request_count", 0))),
        "drops": (dropped, items + dropped),
        "botwall": (
            int(stats.get("newsbite/botwall", 0)),
            int(stats.get("response_received_count", 0)),
        ),
        "cassette_miss": (missed, replayed + missed),
    }


def crawl_checks(stats: Mapping[str, Any], settings: Any, spider: str) -> list[Check]:
    """Error, drop, bot-wall and cassette-miss ratios of the whole crawl."""
    limits = thresholds(settings, spider)
    items = int(stats.get("item_scraped_count", 0))
    checks = []
    for measure, (count, total) in ratio_inputs(stats).items():
        if items < limits["min_items"]:
            note = f"fewer than {int(limits['min_items'])} stories"
            checks.append(
                Check(spider, measure, limits[measure], SKIPPED, None, count, total, note)
            )
        elif measure == "cassette_miss" and not total:
            checks.append(Check(spider, measure, limits[measure], SKIPPED, note="no replay"))
        else:
            checks.append(_judge(spider, measure, limits[measure], count, total))
    return checks


def stories_seen(stats: Mapping[str, Any]) -> int:
    """Stories written plus those an incremental run found unchanged (and so did not write)."""
    return int(stats.get("item_scraped_count", 0)) + int(stats.get("newsbite/unchanged", 0))


def history_check(
    stats: Mapping[str, Any], settings: Any, spider: str, recent: Sequence[int] | None
) -> Check:
    """This run's stories against the median of recent runs of the same spider and arguments."""
    limits = thresholds(settings, spider)
    seen = stories_seen(stats)
    limit = limits["item_drop"]
    if recent is None:
        return Check(spider, "item_drop", limit, SKIPPED, None, seen, 0, "no run history kept")
    if len(recent) < limits["min_runs"]:
        note = f"{len(recent)} earlier run(s), {int(limits['min_runs'])} needed"
        return Check(spider, "item_drop", limit, SKIPPED, None, seen, 0, note)
    usual = statistics.median(recent)
    if not usual:
        return Check(spider, "item_drop", limit, SKIPPED, None, seen, 0, "recent runs wrote none")
    value = seen / usual
    status = OK if value >= 1 - limit else FAIL
    return Check(spider, "item_drop", limit, status, value, seen, round(usual))


def evaluate(
    stats: Mapping[str, Any],
    settings: Any,
    spider: str,
    recent: Sequence[int] | None = None,
) -> list[Check]:
    """Every check of one crawl, in report order."""
    return [
        *coverage_checks(stats, settings),
        *crawl_checks(stats, settings, spider),
        history_check(stats, settings, spider, recent),
    ]
