"""Issue 12: the one benchmark command works end to end (`--small`); no ratio is asserted here,
speed goals live in benchmarks/ (its table and benchmarks/results/latest.json)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsbite.fixtures import PROJECT_ROOT


@pytest.mark.slow
def test_run_small_writes_every_row(tmp_path):
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--small", "--json", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text("utf-8"))
    assert result["small"] is True and result["machine"]["cpus"]
    rows = result["rows"]
    assert set(rows) == {"crawl", "parse", "generic", "memory"}
    for name in ("crawl", "parse"):
        row = rows[name]
        assert row["ours"] > 0 and row["theirs"] > 0 and row["ratio"] > 0, row
        assert row["goal"] == {"crawl": 0.8, "parse": 5.0}[name]
    # both crawls wrote every simulated story
    crawl = rows["crawl"]["detail"]
    assert crawl["newsbite_items"] == crawl["bare_items"] == crawl["stories"]
    memory = rows["memory"]["detail"]
    assert memory["stories"] == [1000, 3000]
    assert all(v > 0 for v in memory["peak_rss_mb"].values())
    assert memory["items"] == {"1000": 1000, "3000": 3000}
    # the generic row runs when the evaluation set is beside the checkout, else says why not
    assert rows["generic"]["ratio"] or "skipped" in rows["generic"]["note"]
    # one table on stdout, one line per row
    for name in rows:
        assert any(line.startswith(name) for line in done.stdout.splitlines()), done.stdout
