"""Crawls for tests and benchmarks: a real publisher spider in a subprocess, its publisher
hosts routed to the simulator with NEWSBITE_HOST_MAP; and the browser helpers of the render
tests. (Was tests/paywall_support.py; the Twisted reactor cannot restart in-process.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsbite.fixtures import FIXTURES_ROOT, PROJECT_ROOT

TESTS_DIR = PROJECT_ROOT / "tests"
THE_AUSTRALIAN = "https://www.theaustralian.com.au"
PAYWALL_PAGES = FIXTURES_ROOT / "theaustralian" / "paywall-statuses" / "pages"
# Pages by the name the access tests use: the paywall-statuses fixture's own pages, the
# bundled bot wall, and one challenge page that no fixture needs.
PAGES = {
    **{p.name: p for p in PAYWALL_PAGES.glob("*.html")},
    "js-built.html": PAYWALL_PAGES / "js-built-shell.html",
    "botwall-no-cookies.html": FIXTURES_ROOT / "theaustralian/no-cookies-botwall/pages/story.html",
    "botwall-challenge.html": TESTS_DIR / "data" / "botwall-challenge.html",
}

# Test-only settings: fast, quiet, no output/ folder, stats to a file.
TEST_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "TELNETCONSOLE_ENABLED": False,
    "ROBOTSTXT_OBEY": False,
    "NEWSBITE_BOTWALL_BACKOFF": 0.05,
    "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 20_000,
}
HEX = "0123456789abcdef"


def paywall_page(name: str) -> Path:
    return PAGES[name]


def page_bytes(name: str) -> bytes:
    return PAGES[name].read_bytes()


def story_path(n: int, slug: str = "story") -> str:
    """A News Corp story path with its own 32-hex id, for route tables."""
    return f"/nation/politics/{slug}-{n}/news-story/{(HEX * 2)[:31]}{HEX[n % 16]}"


def story_at(page: bytes, path: str) -> bytes:
    """The page as the story at `path`: its canonical and og:url name that URL, so that
    several routes serving one page are several stories (an item's id follows its canonical
    URL, and a crawl writes each story once)."""
    own = story_url(path).encode()
    page = re.sub(rb'(<link rel="canonical" href=")[^"]*', rb"\g<1>" + own, page)
    return re.sub(rb'(<meta property="og:url" content=")[^"]*', rb"\g<1>" + own, page)


def story_url(path: str, home: str = THE_AUSTRALIAN) -> str:
    """The real URL a crawl asks for (the host map sends it to the simulator)."""
    return home + path


# --- subprocess crawls --------------------------------------------------------------------------

RUNNER = """
import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from newsbite.testing.crawl import TEST_SETTINGS

spider, overrides, urls = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
settings = get_project_settings()
settings.setdict(TEST_SETTINGS, priority="project")
settings.setdict(overrides, priority="cmdline")
process = CrawlerProcess(settings)
failures = []
d = process.crawl(spider, urls=urls)
d.addErrback(lambda f: failures.append(f) or print("CRAWL FAILED:", f.getErrorMessage(),
                                                    file=sys.stderr))
process.start()
sys.exit(3 if failures else 0)
"""


@dataclass
class Crawl:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    stderr: str
    files: list[Path]  # every file the crawl wrote


def run_crawl(
    tmp_path: Path,
    host_map: str,
    urls: list[str],
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    on_start: Callable[[subprocess.Popen], None] | None = None,
    spider: str = "theaustralian",
) -> Crawl:
    """`spider` with `-a urls=...` in a subprocess, NEWSBITE_HOST_MAP=`host_map`."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    feed, stats_file, log_file = out / "items.jsonl", out / "stats.json", out / "crawl.log"
    overrides = {
        "FEEDS": {str(feed): {"format": "jsonlines", "encoding": "utf8"}},
        "NEWSBITE_STATS_FILE": str(stats_file),
        "NEWSBITE_HOST_MAP": host_map,
        "LOG_FILE": str(log_file),
        "LOG_LEVEL": "DEBUG",
        **(settings or {}),
    }
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]),
        "SCRAPY_SETTINGS_MODULE": "newsbite.settings",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, spider, json.dumps(overrides), " ".join(urls)],
        cwd=tmp_path,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if on_start is not None:
        on_start(proc)
    stdout, stderr = proc.communicate(timeout=timeout)
    items = []
    if feed.exists():
        items = [json.loads(line) for line in feed.read_text("utf-8").splitlines() if line]
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    log = log_file.read_text("utf-8") if log_file.exists() else ""
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    return Crawl(proc.returncode, items, stats, log, stdout + stderr, files)


# --- browsers -----------------------------------------------------------------------------------


def chromium_path() -> str | None:
    path = os.environ.get("NEWSBITE_CHROMIUM") or "/usr/bin/chromium"
    return path if Path(path).is_file() else None


def require_browser() -> str:
    """Skip without Chromium -- unless CI is set, where a missing browser is a failure."""
    import pytest

    path = chromium_path()
    if path is None:
        message = "no Chromium at /usr/bin/chromium or NEWSBITE_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: browser tests must run)")
        pytest.skip(message)
    return path


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every live descendant of `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    cmd: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
        cmd[int(entry.name)] = cmdline
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append((child, cmd.get(child, "")))
            todo.append(child)
    return found


BROWSERISH = re.compile(r"chrom|playwright|node", re.I)


class ProcessWatcher:
    """Samples a crawl's process tree while it runs: which browser/driver processes appeared."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.seen: dict[int, str] = {}
        self.samples = 0
        self._thread: threading.Thread | None = None

    def __call__(self, proc: subprocess.Popen) -> None:
        def loop() -> None:
            while proc.poll() is None:
                for pid, cmdline in descendants(proc.pid):
                    if BROWSERISH.search(cmdline):
                        self.seen[pid] = cmdline
                self.samples += 1
                time.sleep(self.interval)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def chromium(self) -> list[str]:
        return [c for c in self.seen.values() if "chrom" in c.lower()]

    def drivers(self) -> list[str]:
        return [c for c in self.seen.values() if "chrom" not in c.lower()]
