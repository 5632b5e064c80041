"""The crawl report: one self-contained HTML file (inline CSS and SVG, no script, no network).

Built from a crawl's stats and the alarm checks (newsbite.monitors.checks), so it shows what
the monitors judged: at the close of a crawl (newsbite.report.crawl, beside the feed) and by
``newsbite report FEED.jsonl ... -o report.html`` from feeds (newsbite.report.feeds).

    build_context(stats, checks, spider=..., runs=...) -> dict    what the template shows
    render(context) -> str                                         the HTML
    write_report(path, stats, checks, ...) -> Path                 both, written atomically
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from newsbite import exitcodes
from newsbite.monitors import measures
from newsbite.monitors.checks import Check

REASON_KINDS = ("skipped", "dropped", "failed", "botwall", "cassette")
# Sub-stats of those families that are not reasons (totals, lists, retries...).
NOT_REASONS = {
    "botwall": {"answers", "retry", "blocked_urls", "ratio"},
    "cassette": {"replayed", "recorded", "missed_urls"},
}
TOP_REASONS = 15
MAX_DAYS = 60  # the per-day table shows the most recent days
ACCESS = ("free", "subscriber", "botwall", "unknown")
EXIT_NAMES = {
    getattr(exitcodes, name): name.lower()
    for name in ("OK", "FAILED", "USAGE", "FEED_ERROR", "BOTWALL", "NO_ITEMS", "LAYOUT_ALARM")
}


@dataclass(frozen=True)
class RunPoint:
    """One run's feed, for the stories-over-time chart."""

    label: str  # the feed's file name
    when: str  # its first scraped_at (ISO 8601), "" if unknown
    stories: int


# --- the model --------------------------------------------------------------------------------


def _num(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def reasons(stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Skip, drop, failure, bot-wall and cassette-miss reasons, most frequent first."""
    rows = []
    for kind in REASON_KINDS:
        head = f"newsbite/{kind}/"
        for key, value in stats.items():
            reason = key[len(head) :] if key.startswith(head) else ""
            if not reason or "/" in reason or reason in NOT_REASONS.get(kind, ()):
                continue
            if not _num(value):
                continue
            examples = list(stats.get(f"newsbite/examples/{kind}/{reason}") or [])
            if kind == "cassette" and not examples:
                examples = list(stats.get("newsbite/cassette/missed_urls") or [])[:3]
            rows.append(
                {"kind": kind, "reason": reason, "count": _num(value), "examples": examples}
            )
    rows.sort(key=lambda r: (-r["count"], r["kind"], r["reason"]))
    return rows[:TOP_REASONS]


def publishers(stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per publisher: stories, access-status shares, parser generations."""
    rows = []
    for site in measures.sites(stats):
        counts = measures.site_counts(stats, site)
        items = counts.get("items", 0)
        access = measures.grouped(counts, "access")
        statuses = [s for s in ACCESS if s in access] + sorted(set(access) - set(ACCESS))
        extractors = []
        for key, n in sorted(measures.grouped(counts, "extractor").items(), key=lambda kv: -kv[1]):
            name, _, generation = key.partition("/")
            extractors.append(
                {
                    "name": name,
                    "generation": generation,
                    "count": n,
                    "share": n / items if items else 0.0,
                    "fallback": name == "generic" and measures.has_own_parser(site),
                }
            )
        rows.append(
            {
                "site": site,
                "stories": items,
                "access": [
                    {"status": s, "count": access[s], "share": access[s] / items if items else 0}
                    for s in statuses
                ],
                "extractors": extractors,
                "days": measures.grouped(counts, "day"),
            }
        )
    return rows


def days(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stories per publication day, all publishers together (newest first) and per site."""
    sites = [r["site"] for r in rows]
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        for day, n in row["days"].items():
            table.setdefault(day, {})[row["site"]] = n
    # dates newest first, undated last
    ordered = sorted((d for d in table if d != measures.UNDATED), reverse=True)
    ordered += [measures.UNDATED] if measures.UNDATED in table else []
    top = max((sum(v.values()) for v in table.values()), default=0)
    return [
        {
            "day": day,
            "total": sum(table[day].values()),
            "width": sum(table[day].values()) / top if top else 0,
            "by_site": [table[day].get(s, 0) for s in sites],
        }
        for day in ordered[:MAX_DAYS]
    ]


def incremental(stats: Mapping[str, Any]) -> dict[str, int] | None:
    """New, changed and unchanged stories of an incremental run (None for a full run)."""
    new = _num(stats.get("newsbite/incremental/new"))
    changed = _num(stats.get("newsbite/incremental/changed"))
    unchanged = _num(stats.get("newsbite/unchanged"))
    if not (new or changed or unchanged):  # rebuilt from feeds: the items' versions
        new = sum(
            _num(v)
            for k, v in stats.items()
            if k.startswith(measures.PREFIX) and k.endswith("/new")
        )
        changed = sum(
            _num(v)
            for k, v in stats.items()
            if k.startswith(measures.PREFIX) and k.endswith("/changed")
        )
    if not (new or changed or unchanged):
        return None
    return {"new": new, "changed": changed, "unchanged": unchanged}


def run_chart(
    runs: Sequence[RunPoint], width: int = 640, height: int = 200
) -> dict[str, Any] | None:
    """Points of the stories-over-time line (SVG coordinates), when several runs are given."""
    if len(runs) < 2:
        return None
    pad_left, pad_right, pad_top, pad_bottom = 48, 40, 16, 40  # room for the date labels
    top = max(r.stories for r in runs) or 1
    step = (width - pad_left - pad_right) / (len(runs) - 1)
    plot_h = height - pad_top - pad_bottom
    points = []
    for i, run in enumerate(runs):
        x = pad_left + i * step
        y = pad_top + plot_h * (1 - run.stories / top)
        points.append({"x": round(x, 1), "y": round(y, 1), "run": run})
    return {
        "width": width,
        "height": height,
        "top": top,
        "base_y": pad_top + plot_h,
        "left": pad_left,
        "right": width - pad_right,
        "points": points,
        "path": " ".join(f"{p['x']},{p['y']}" for p in points),
    }


def exit_status(stats: Mapping[str, Any], checks: Sequence[Check]) -> dict[str, Any]:
    """The status the crawl exits with (the alarm included even before it is set as a stat)."""
    code = exitcodes.for_stats(dict(stats))
    if not code and any(c.failed for c in checks):
        code = exitcodes.LAYOUT_ALARM
    return {"code": code, "name": EXIT_NAMES.get(code, str(code))}


def build_context(
    stats: Mapping[str, Any],
    checks: Sequence[Check],
    *,
    spider: str,
    runs: Sequence[RunPoint] = (),
    source: str = "crawl",
) -> dict[str, Any]:
    rows = publishers(stats)
    failed = [c for c in checks if c.failed]
    summary = [
        ("stories", "stories written", _num(stats.get("item_scraped_count"))),
        ("dropped", "dropped", _num(stats.get("newsbite/dropped"))),
        ("skipped", "skipped", sum(r["count"] for r in reasons(stats) if r["kind"] == "skipped")),
        (
            "failed",
            "failed requests",
            sum(_num(v) for k, v in stats.items() if k.startswith("newsbite/failed/")),
        ),
        ("botwalls", "bot walls", _num(stats.get("newsbite/botwall"))),
        ("requests", "requests", _num(stats.get("downloader/request_count"))),
    ]
    if not _num(stats.get("newsbite/dropped")):  # no total kept: the per-reason sum
        dropped = sum(_num(v) for k, v in stats.items() if k.startswith("newsbite/dropped/"))
        summary[1] = ("dropped", "dropped", dropped)
    return {
        "title": f"newsbite crawl report: {spider}",
        "spider": spider,
        "source": source,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "start_time": str(stats.get("start_time") or ""),
        "finish_time": str(stats.get("finish_time") or ""),
        "finish_reason": str(stats.get("finish_reason") or ""),
        "exit": exit_status(stats, checks),
        "summary": summary,
        "failed": failed,
        "checks": checks,
        "publishers": rows,
        "days": days(rows),
        "reasons": reasons(stats),
        "incremental": incremental(stats),
        "chart": run_chart(runs),
        "runs": list(runs),
    }


# --- rendering --------------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("newsbite.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{100 * v:.0f}%"
    return env


def render(context: Mapping[str, Any]) -> str:
    return _environment().get_template("report.html.j2").render(**context)


def write_report(
    path: str | Path,
    stats: Mapping[str, Any],
    checks: Sequence[Check],
    *,
    spider: str,
    runs: Sequence[RunPoint] = (),
    source: str = "crawl",
) -> Path:
    """Render and write the report (a temp file renamed over the target: never half a file)."""
    path = Path(path)
    html = render(build_context(stats, checks, spider=spider, runs=runs, source=source))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # open(): the usual umask mode
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
