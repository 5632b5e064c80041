"""The closing summary's counts and output lines, and the live progress line (issue 11).

Replay crawls in subprocesses, bounded; state and feeds in tmp_path.
"""

from __future__ import annotations

import json
import logging
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsbite.extensions.progress import ProgressLine, Tally
from newsbite.extensions.summary import REPORT_PATH_STAT, CrawlSummary

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"newsbite summary \(\w+\): \d+ articles written .*$", re.M)


def crawl(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "theaustralian",
            "-s",
            "NEWSBITE_CASSETTE_MODE=replay",
            "-s",
            f"NEWSBITE_STATE_URI={tmp_path / 'state.sqlite'}",
            "-s",
            f"NEWSBITE_DEFAULT_FEED={tmp_path / 'feeds' / '%(time)s.jsonl'}",
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def summary_of(proc: subprocess.CompletedProcess) -> str:
    found = SUMMARY.findall(proc.stderr)
    assert len(found) == 1, proc.stderr[-3000:]
    return found[0]


@pytest.mark.slow
def test_access_counts_are_those_of_the_written_lines(tmp_path):
    out = tmp_path / "out.jsonl"
    proc = crawl(tmp_path, "-O", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert items
    expected = ", ".join(
        f"{sum(i['paywall']['status'] == s for i in items)} {s}"
        for s in ("free", "subscriber", "unknown")
    )
    assert f"[access: {expected}]" in summary_of(proc)
    assert f"newsbite output: {out}" in proc.stderr


@pytest.mark.slow
def test_a_clean_replay_crawl_logs_no_routine_warnings(tmp_path):
    proc = crawl(tmp_path, "-O", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    warnings = [line for line in proc.stderr.splitlines() if "] WARNING: " in line]
    assert not [w for w in warnings if "Disabled newsbite." in w]
    assert "INFO: Disabled newsbite.middlewares.pace.PaceMiddleware" in proc.stderr


@pytest.mark.slow
def test_incremental_runs_count_what_they_wrote(tmp_path):
    first = crawl(tmp_path, "-s", "NEWSBITE_INCREMENTAL=true")
    assert first.returncode == 0, first.stderr[-3000:]
    line = summary_of(first)
    written = int(re.search(r"(\d+) new", line).group(1))
    assert written > 0
    assert "0 unchanged (0 not downloaded)" in line  # a first run has nothing unchanged
    feeds = sorted((tmp_path / "feeds").glob("*.jsonl"))
    assert len(feeds) == 1 and feeds[0].stat().st_size > 0

    time.sleep(1.1)  # feed names carry the start second
    second = crawl(tmp_path, "-s", "NEWSBITE_INCREMENTAL=true")
    assert second.returncode == 0, second.stderr[-3000:]  # all unchanged is a success
    line = summary_of(second)
    assert "(finished): 0 articles written (0 new, 0 changed)" in line
    assert f"{written} unchanged" in line
    # No 0-byte default feed is left behind, and the output line says why.
    assert sorted((tmp_path / "feeds").glob("*.jsonl")) == feeds
    assert re.search(r"newsbite output: none \(.*removed: no new or changed stories", second.stderr)

    named = tmp_path / "named.jsonl"
    third = crawl(tmp_path, "-s", "NEWSBITE_INCREMENTAL=true", "-O", str(named))
    assert named.is_file() and named.stat().st_size == 0  # the user asked for this file
    assert f"newsbite output: {named} (empty: no new or changed stories" in third.stderr

    full = crawl(tmp_path, "-s", "NEWSBITE_INCREMENTAL=true", "-a", "full=true")
    assert full.returncode == 0, full.stderr[-3000:]
    again = f"{written} articles written (0 new, 0 changed, {written} unchanged written again"
    assert again in summary_of(full)


def test_report_and_output_lines_come_when_the_engine_stopped(tmp_path, caplog):
    crawler = get_crawler(settings_dict={"NEWSBITE_STATS_FILE": str(tmp_path / "s.json")})
    crawler._apply_settings()
    summary = CrawlSummary.from_crawler(crawler)
    crawler.stats.set_value(REPORT_PATH_STAT, str(tmp_path / "report.html"))
    with caplog.at_level(logging.INFO, logger="newsbite.extensions.summary"):
        summary.engine_stopped()
    assert f"newsbite report: {tmp_path / 'report.html'}" in caplog.text
    assert json.loads((tmp_path / "s.json").read_text())[REPORT_PATH_STAT].endswith("report.html")


def test_item_counts_come_from_written_items_only():
    crawler = get_crawler()
    crawler._apply_settings()
    summary = CrawlSummary(crawler)
    for status in ("free", "free", "subscriber", None):
        summary.item_scraped({"id": f"x{status}", "site": "t", "paywall": {"status": status}})
    assert (summary.access["free"], summary.access["subscriber"], summary.access["unknown"]) == (
        2,
        1,
        1,
    )


# -- progress ----------------------------------------------------------------------------------


def test_progress_line_counts_per_publisher_with_rates():
    tally = Tally()
    for column in ("pages", "pages", "stories", "skips"):
        tally.add("theaustralian", column)
    tally.add("thetimes", "errors")
    line = tally.line({"newsbite/failed/http_500": 2, "newsbite/unchanged": 3}, tally.started + 60)
    assert line.startswith("theaustralian: 2 pages, 1 stories, 1 skips, 0 errors | thetimes: 0")
    assert "2 failed requests, 3 unchanged" in line
    assert line.endswith("2 pages/min, 1 stories/min")


def test_progress_is_off_without_a_terminal_or_when_asked(monkeypatch):
    crawler = get_crawler(settings_dict={"NEWSBITE_PROGRESS": False})
    with pytest.raises(NotConfigured):
        ProgressLine.from_crawler(crawler)

    class NotATerminal:
        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stderr", NotATerminal())
    with pytest.raises(NotConfigured):
        ProgressLine.from_crawler(get_crawler())


@pytest.mark.slow
def test_progress_line_is_drawn_on_a_terminal(tmp_path):
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "theaustralian",
            "-s",
            "NEWSBITE_CASSETTE_MODE=replay",
            "-s",
            "NEWSBITE_PACE=0.05",  # long enough for a few refreshes
            "-O",
            str(tmp_path / "out.jsonl"),
        ],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "200"},
    )
    os.close(secondary)
    seen = b""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(main)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", errors="replace"))
    assert proc.returncode == 0, text[-3000:]
    assert re.search(r"theaustralian: \d+ pages, [1-9]\d* stories, \d+ skips, \d+ errors", text)
    assert "pages/min" in text
    assert "newsbite summary (finished)" in text  # the log still reaches the terminal
