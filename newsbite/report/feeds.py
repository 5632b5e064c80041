"""The report's stats rebuilt from JSONL feeds (``newsbite report``), one line at a time.

Coverage counters come from the same function the crawl uses on ``item_scraped``
(newsbite.monitors.measures.item_counts), so a report rebuilt from a crawl's feed shows the
coverage its monitors judged. Crawl-wide numbers (requests, drops, failures with example URLs)
exist only in a crawl's stats file (NEWSBITE_STATS_FILE): given with ``--stats``, they are
added; its own coverage counters are replaced by the feeds' (never counted twice).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbite.items import feed_items
from newsbite.monitors import measures
from newsbite.report import RunPoint

logger = logging.getLogger("newsbite.report")


@dataclass
class FeedStats:
    stats: dict[str, Any]
    runs: list[RunPoint]
    sites: Counter[str] = field(default_factory=Counter)
    bad_lines: list[str] = field(default_factory=list)  # "file:line: reason"


def read_items(path: Path, bad: list[str]) -> Iterator[dict[str, Any]]:
    """The feed's items; a line that is not a JSON object with a site is skipped and noted."""
    for number, item, reason in feed_items(path, ("site",), "not a story (no site)"):
        if item is None:
            bad.append(f"{path}:{number}: {reason}")
            continue
        yield item


def load_stats_file(path: Path) -> dict[str, Any]:
    """A crawl's NEWSBITE_STATS_FILE; ValueError naming the file when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a stats file ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a stats file (a JSON object is expected)")
    return data


def from_feeds(feeds: Sequence[Path], stats_file: Path | None = None) -> FeedStats:
    counts: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    runs: list[RunPoint] = []
    bad: list[str] = []
    for feed in feeds:
        stories = 0
        first = ""
        for item in read_items(feed, bad):
            stories += 1
            site = str(item["site"])
            sites[site] += 1
            own = measures.has_own_parser(site)
            for name in measures.item_counts(item, own_parser=own):
                counts[measures.stat_key(site, name)] += 1
            scraped = str(item.get("scraped_at") or "")
            first = min(first, scraped) if first and scraped else first or scraped
        runs.append(RunPoint(label=feed.name, when=first, stories=stories))
    for line in bad:
        logger.warning("newsbite report: skipped %s", line)
    stats: dict[str, Any] = {}
    if stats_file is not None:
        given = load_stats_file(stats_file)
        stats = {k: v for k, v in given.items() if not k.startswith(measures.PREFIX)}
    stats.update(counts)
    stats["item_scraped_count"] = sum(r.stories for r in runs)
    if bad:
        stats["newsbite/report/bad_lines"] = len(bad)
    runs.sort(key=lambda r: (r.when or "~", r.label))  # undated feeds last, in name order
    return FeedStats(stats=stats, runs=runs, sites=sites, bad_lines=bad)
