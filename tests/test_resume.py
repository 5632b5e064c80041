"""Issue 5, pause and resume: a job cancelled through Scrapyd resumes from its JOBDIR, and the two
outputs together equal an uninterrupted crawl (same ids, no duplicates, every line valid JSON);
a killed crawl never leaves half a line, nor a story in the state that is not in the output."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapyd_support import REPLAY, ROOT, deployed_scrapyd, valid_lines  # noqa: F401

from newsbite.feeds import LineAtomicFile, LineAtomicFileFeedStorage, cut_partial_last_line

SPIDER = "theaustralian"
# Slow enough to stop half-way: one request at a time, each 0.3 s apart (replayed responses skip
# DOWNLOAD_DELAY, so the pace middleware waits instead; listed here with the cassette middleware
# because a DOWNLOADER_MIDDLEWARES setting replaces the project's dict).
SLOW = {
    "CONCURRENT_REQUESTS": "1",
    "NEWSBITE_PACE": "0.3",
    "DOWNLOADER_MIDDLEWARES": json.dumps(
        {
            "newsbite.middlewares.pace.PaceMiddleware": 949,
            "newsbite.middlewares.cassette.CassetteMiddleware": 950,
        }
    ),
}


def wait_for_lines(path: Path, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.05)
    raise TimeoutError(f"{path}: fewer than {n} lines after {timeout}s")


@pytest.mark.slow
def test_cancelled_job_resumes_from_jobdir_without_duplicates_or_gaps(deployed_scrapyd):  # noqa: F811
    server, tmp = deployed_scrapyd.server, deployed_scrapyd.tmp
    reference = server.schedule(SPIDER, REPLAY, version="1")  # uninterrupted, no state
    job_settings = {
        **REPLAY,
        **SLOW,
        "JOBDIR": str(tmp / "jobdir"),
        "NEWSBITE_INCREMENTAL": "true",
        "NEWSBITE_STATE_URI": str(tmp / "resume-state.sqlite"),
    }
    first = server.schedule(SPIDER, job_settings, version="1")
    wait_for_lines(server.items_path(first, SPIDER), 1)
    assert server.cancel(first, sig="TERM") == "running"  # what a stop or a deploy does
    server.wait(first)
    server.wait(reference)
    log1 = server.log(first)
    assert "newsbite summary (shutdown)" in log1, log1[-3000:]

    second = server.schedule(SPIDER, job_settings, version="1")
    server.wait(second)
    log2 = server.log(second)
    assert "resuming an interrupted crawl" in log2
    assert "newsbite summary (finished)" in log2, log2[-3000:]

    part1 = valid_lines(server.items_path(first, SPIDER))
    part2 = valid_lines(server.items_path(second, SPIDER))
    whole = valid_lines(server.items_path(reference, SPIDER))
    ids = [i["id"] for i in part1 + part2]
    assert 0 < len(part1) < len(whole), "the cancel did not land mid-crawl"
    assert len(ids) == len(set(ids)), "duplicates across the stop"
    assert set(ids) == {i["id"] for i in whole}, "gaps across the stop"

    # The next scheduled run with the same JOBDIR starts afresh (its topic pages are not
    # filtered as already seen) and finds everything unchanged.
    third = server.schedule(SPIDER, job_settings, version="1")
    server.wait(third)
    log3 = server.log(third)
    assert "last crawl finished, starting afresh" in log3
    assert valid_lines(server.items_path(third, SPIDER)) == []
    assert f"{len(whole)} unchanged" in log3


@pytest.mark.slow
def test_killed_crawl_leaves_whole_lines_and_no_unwritten_state(tmp_path):
    """SIGKILL gives no chance to clean up: what is on disk must still be whole lines, and
    every story the state knows must be in the output (committed only once written)."""
    out, db = tmp_path / "out.jsonl", tmp_path / "state.sqlite"
    cmd = [sys.executable, "-m", "scrapy", "crawl", SPIDER, "-o", str(out)]
    for key, value in {
        **REPLAY,
        **SLOW,
        "NEWSBITE_INCREMENTAL": "true",
        "NEWSBITE_STATE_URI": str(db),
    }.items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_lines(out, 2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    written = {item["id"] for item in valid_lines(out)}
    with sqlite3.connect(db) as conn:
        known = {row[0] for row in conn.execute("SELECT id FROM stories")}
    assert known <= written


# -- the feed storage (fast) ---------------------------------------------------------------------


def test_line_atomic_file_writes_whole_lines_only(tmp_path):
    path = tmp_path / "f.jsonl"
    f = LineAtomicFile(path)
    f.write(b'{"a": 1}\n{"b"')
    assert path.read_bytes() == b'{"a": 1}\n'  # on disk at once, the fragment held back
    f.write(b": 2}\n")
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    f.close()
    with LineAtomicFile(path) as again:  # append mode
        again.write(b'{"c": 3}\n')
    assert path.read_bytes().count(b"\n") == 3


def test_partial_last_line_is_cut_before_appending(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": ')
    assert cut_partial_last_line(path) == len(b'{"c": ')
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert cut_partial_last_line(path) == 0
    only = tmp_path / "g.jsonl"
    only.write_bytes(b'{"half')
    assert cut_partial_last_line(only) == len(b'{"half') and only.read_bytes() == b""


def test_feed_storage_only_cuts_json_lines_and_honours_overwrite(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(Spider)
    s = Spider("x")
    s.crawler = crawler
    crawler.stats.open_spider()
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b"')
    storage = LineAtomicFileFeedStorage(str(path), feed_options={"format": "jsonlines"})
    f = storage.open(s)
    f.write(b'{"c": 3}\n')
    storage.store(f)
    assert path.read_bytes() == b'{"a": 1}\n{"c": 3}\n'
    assert crawler.stats.get_value("newsbite/feed/partial_line_cut") == 1
    storage = LineAtomicFileFeedStorage(
        str(path), feed_options={"format": "jsonlines", "overwrite": True}
    )
    f = storage.open(s)
    f.write(b'{"d": 4}\n')
    storage.store(f)
    assert path.read_bytes() == b'{"d": 4}\n'


def test_line_atomic_file_keeps_a_closing_fragment_of_other_formats(tmp_path):
    # A JSON array feed ends with "]" and no newline: closing must write it, not drop it.
    path = tmp_path / "f.json"
    with LineAtomicFile(path) as f:
        f.write(b'[\n{"a": 1}\n')
        f.write(b"]")
    assert path.read_bytes() == b'[\n{"a": 1}\n]'


# -- issue 11: SIGKILL and resume with -s JOBDIR=, with and without incremental state ------------


@pytest.fixture(scope="module")
def story_sim():
    from newsbite.testing.simulator import Simulator

    with Simulator(stories=150, publishers=("theaustralian",)) as simulator:
        yield simulator


def kill_at_lines(feeds: list[Path], total: int):
    """A popen hook: SIGKILL the crawl once the feeds hold `total` lines together."""

    def hook(proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            lines = sum(f.read_bytes().count(b"\n") for f in feeds if f.is_file())
            if lines >= total:
                proc.send_signal(signal.SIGKILL)
                return
            time.sleep(0.02)

    return hook


@pytest.mark.parametrize("with_state", [False, True], ids=["no-state", "incremental"])
def test_sigkill_and_resume_with_jobdir_writes_every_story_once(story_sim, tmp_path, with_state):
    from test_gauntlet import scrapy_crawl

    stories = story_sim.catalogue("theaustralian")[:20]
    urls = [s.url for s in stories]
    settings = {
        "NEWSBITE_HOST_MAP": story_sim.host_map(),
        "JOBDIR": str(tmp_path / "job"),
        "CONCURRENT_REQUESTS": "1",
        "NEWSBITE_PACE": "0.1",  # slow enough to be killed half-way
        "SPIDERMON_ENABLED": "False",
    }
    if with_state:
        settings |= {"NEWSBITE_INCREMENTAL": "true", "NEWSBITE_STATE_URI": str(tmp_path / "s.db")}
    # Without state: one feed appended by every session; with state: a feed per session.
    feeds = [tmp_path / ("items.jsonl" if not with_state else f"items-{n}.jsonl") for n in range(4)]
    runs = []
    for n, kill_at in enumerate([3, 7, 12]):
        run = scrapy_crawl(
            tmp_path / f"session-{n}",
            urls=urls,
            feed=feeds[n],
            overwrite=False,
            settings=settings,
            popen_hook=kill_at_lines(list(dict.fromkeys(feeds[: n + 1])), kill_at),
        )
        assert run.returncode == -signal.SIGKILL, "the crawl finished before it was killed"
        runs.append(run)
    written_before = {
        item["id"] for feed in dict.fromkeys(feeds) if feed.is_file() for item in valid_lines(feed)
    }
    assert len(written_before) >= 12
    last = scrapy_crawl(
        tmp_path / "session-3", urls=urls, feed=feeds[3], overwrite=False, settings=settings
    )
    assert last.returncode == 0, last.stderr[-2000:]
    assert "resuming an interrupted crawl" in last.log
    lines = [line for feed in dict.fromkeys(feeds) if feed.is_file() for line in valid_lines(feed)]
    ids = [item["id"] for item in lines]
    assert sorted(ids) == sorted(set(ids)), "a story was written twice across the kills"
    assert set(ids) == {s.id for s in stories}, "a story was lost across the kills"
    # the last session knew, from the recorded feeds, every story the killed ones wrote
    assert last.stats.get("newsbite/jobdir/already_written") == len(written_before)
