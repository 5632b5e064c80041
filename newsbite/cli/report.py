"""`newsbite report FEED.jsonl [more.jsonl ...] -o report.html [--stats stats.json]`.

The crawl report rebuilt from feeds: stories per publisher and day, access shares, field
coverage against the alarm thresholds, parsers, and, with several feeds (one per run), stories
over time. ``--stats`` adds a crawl's stats file (NEWSBITE_STATS_FILE): requests, drops,
failures and their example URLs. Exits 0 when every check passes, 6 (layout alarm) when one
fails, 2 on a usage error (a missing feed, an unreadable stats file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsbite import exitcodes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("feeds", nargs="+", metavar="FEED", help="JSONL feeds (or folders of them)")
    parser.add_argument("-o", "--output", required=True, help="the HTML file to write")
    parser.add_argument("--stats", help="a crawl's stats JSON (NEWSBITE_STATS_FILE)")
    parser.add_argument(
        "--spider",
        help="whose thresholds judge the crawl-wide ratios (default: the feeds' one site)",
    )


def feed_paths(names: list[str]) -> list[Path]:
    """Files as given; a folder gives its *.jsonl and *.jl files. ValueError when missing."""
    paths: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            paths.extend(sorted([*path.glob("*.jsonl"), *path.glob("*.jl")]))
        elif path.is_file():
            paths.append(path)
        else:
            raise ValueError(f"no such feed: {name}")
    if not paths:
        raise ValueError(f"no *.jsonl feed in {', '.join(names)}")
    return paths


def run(args: argparse.Namespace) -> int:
    from scrapy.settings import Settings

    from newsbite.monitors import checks
    from newsbite.report import write_report
    from newsbite.report.feeds import from_feeds

    try:
        feeds = feed_paths(args.feeds)
        found = from_feeds(feeds, Path(args.stats) if args.stats else None)
    except ValueError as exc:
        print(f"newsbite report: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    for line in found.bad_lines[:10]:
        print(f"newsbite report: skipped {line}", file=sys.stderr)
    settings = Settings()
    settings.setmodule("newsbite.settings", priority="project")
    spider = args.spider or (next(iter(found.sites)) if len(found.sites) == 1 else "crawl")
    results = checks.evaluate(found.stats, settings, spider, None)
    source = ", ".join(p.name for p in feeds)
    path = write_report(
        args.output, found.stats, results, spider=spider, runs=found.runs, source=source
    )
    for check in results:
        if check.failed:
            print(f"newsbite alarm: {check.message()}", file=sys.stderr)
    print(f"newsbite report: {path}")
    return exitcodes.LAYOUT_ALARM if any(c.failed for c in results) else exitcodes.OK
