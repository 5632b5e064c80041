"""Issue 11: a feed that cannot be written never passes for written.

Before: with `-O out.txt/x.jsonl`, a read-only folder or a full disk, each item logged "Error
caught on signal handler", the incremental state marked it seen, the crawl exited 0 and the
next run skipped those stories for good. Now the crawl stops (finish reason feed_error, exit 3),
nothing unwritten is committed, and the next run writes them.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from test_gauntlet import scrapy_crawl

from newsbite import feeds
from newsbite.feeds import FeedUnwritable, LineAtomicFile, LineAtomicFileFeedStorage, check_writable
from newsbite.testing.simulator import Simulator

TESTS = Path(__file__).resolve().parent
STORIES = 5


@pytest.fixture(scope="module")
def sim():
    with Simulator(stories=60, publishers=("theaustralian",)) as simulator:
        yield simulator


def story_urls(sim: Simulator) -> list[str]:
    return [s.url for s in sim.catalogue("theaustralian")[:STORIES]]


def state_ids(db: Path) -> set[str]:
    if not db.exists():
        return set()
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM stories")}


def incremental(sim: Simulator, db: Path, **more: str) -> dict[str, str]:
    return {
        "NEWSBITE_HOST_MAP": sim.host_map(),
        "NEWSBITE_INCREMENTAL": "true",
        "NEWSBITE_STATE_URI": str(db),
        "SPIDERMON_ENABLED": "False",
        **more,
    }


# --- a full disk: a storage whose writes fail with ENOSPC after two lines -------------------------


class FullDiskFile(LineAtomicFile):
    LINES_BEFORE_FULL = 2

    def _write_all(self, data: bytes) -> None:
        written = getattr(self, "_lines_written", 0)
        if written >= self.LINES_BEFORE_FULL:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.name)
        super()._write_all(data)
        self._lines_written = written + data.count(b"\n")


class FullDiskFeedStorage(LineAtomicFileFeedStorage):
    """FEED_STORAGES entry for the subprocess crawl (this module is on its PYTHONPATH)."""

    def open(self, spider):
        super().open(spider).close()
        return FullDiskFile(self.path, overwrite=self.overwrite)


# --- the preflight ------------------------------------------------------------------------------


def test_a_path_under_a_regular_file_is_refused_without_creating_anything(tmp_path):
    (tmp_path / "out.txt").write_text("x")
    with pytest.raises(FeedUnwritable, match="out.txt is a file"):
        check_writable(tmp_path / "out.txt" / "deeper" / "x.jsonl")
    with pytest.raises(FeedUnwritable, match="is a folder"):
        check_writable(tmp_path)
    check_writable(tmp_path / "new" / "folders" / "x.jsonl")  # creatable: fine
    assert not (tmp_path / "new").exists()


def test_a_read_only_folder_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:
        # root may write anywhere; judge by the mode bits as a normal user's access() would
        def access(path, mode):
            bits = os.stat(path).st_mode
            return not (mode & os.W_OK) or bool(bits & stat.S_IWUSR)

        monkeypatch.setattr(feeds.os, "access", access)
    try:
        with pytest.raises(FeedUnwritable, match="not writable"):
            check_writable(folder / "x.jsonl")
    finally:
        folder.chmod(stat.S_IRWXU)


# --- crawls -----------------------------------------------------------------------------------


def test_unwritable_feed_stops_before_any_request_and_the_rerun_writes_everything(sim, tmp_path):
    db = tmp_path / "state.sqlite"
    (tmp_path / "out.txt").write_text("a regular file\n")
    bad = scrapy_crawl(
        tmp_path / "bad",
        urls=story_urls(sim),
        feed=tmp_path / "out.txt" / "x.jsonl",
        settings=incremental(sim, db),
    )
    assert bad.returncode == 3, bad.stderr[-2000:]
    assert bad.stats["finish_reason"] == "feed_error"
    assert "Error caught on signal handler" not in bad.log
    errors = [line for line in bad.log.splitlines() if "] ERROR:" in line and "out.txt" in line]
    assert len(errors) == 1 and "out.txt is a file" in errors[0], errors
    assert not bad.stats.get("downloader/request_count")  # stopped before asking the site
    assert state_ids(db) == set()

    good = scrapy_crawl(tmp_path / "good", urls=story_urls(sim), settings=incremental(sim, db))
    assert good.returncode == 0, good.stderr[-2000:]
    written = {item["id"] for item in good.items}
    assert len(written) == STORIES
    assert state_ids(db) == written


def test_full_disk_mid_crawl_commits_only_what_was_written(sim, tmp_path):
    db = tmp_path / "state.sqlite"
    feed = tmp_path / "full" / "items.jsonl"
    storages = json.dumps(
        {
            "": "test_feed_failure.FullDiskFeedStorage",
            "file": "test_feed_failure.FullDiskFeedStorage",
        }
    )
    full = scrapy_crawl(
        tmp_path / "full",
        urls=story_urls(sim),
        feed=feed,
        settings=incremental(sim, db, FEED_STORAGES=storages, CONCURRENT_REQUESTS="1"),
        env={
            "PYTHONPATH": os.pathsep.join(
                [str(Path.cwd()), str(TESTS), os.environ.get("PYTHONPATH", "")]
            )
        },
    )
    assert full.returncode == 3, full.stderr[-3000:]
    assert full.stats["finish_reason"] == "feed_error"
    assert full.stats["newsbite/feed/failed"] == 1
    on_disk = {item["id"] for item in full.items}
    assert len(on_disk) == FullDiskFile.LINES_BEFORE_FULL
    assert state_ids(db) == on_disk  # nothing unwritten was committed
    unwritten = full.stats.get("newsbite/feed/unwritten", 0)
    assert unwritten >= 1
    assert full.log.count("not written (the feed failed)") == unwritten
    assert "Error caught on signal handler" not in full.log
    assert sum("No space left on device" in line for line in full.log.splitlines()) == 1
    # The summary counts what reached the feed (stat newsbite/feed/written), not item_scraped.
    summary = [line for line in full.log.splitlines() if "newsbite summary" in line]
    assert summary and f" {len(on_disk)} articles written" in summary[-1], summary

    rerun = scrapy_crawl(tmp_path / "rerun", urls=story_urls(sim), settings=incremental(sim, db))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    again = {item["id"] for item in rerun.items}
    assert again.isdisjoint(on_disk)  # the written ones are known
    assert len(on_disk | again) == STORIES  # and the lost ones are written now
