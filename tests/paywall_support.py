"""Helpers for the access tests (paywall, bot walls, sessions, rendering): a local HTTP server,
a NewsSpider on 127.0.0.1, and a subprocess crawl runner with the settings issue 4 proposes.

Subprocess crawls import this module (tests/ is put on PYTHONPATH); the Twisted reactor
cannot restart in-process.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from newsbite.sites.base import SiteProfile
from newsbite.sites.newscorp_au import STORY_URL, TOPIC_PATH
from newsbite.spiders.base import NewsSpider

TESTS_DIR = Path(__file__).resolve().parent
ROOT = TESTS_DIR.parent
FIXTURES = ROOT / "fixtures" / "theaustralian"
PAYWALL_PAGES = FIXTURES / "paywall-statuses" / "pages"
# Pages by the name tests use: the paywall-statuses fixture's own pages, the bundled bot wall,
# and one challenge page that no fixture needs.
PAGES = {
    **{p.name: p for p in PAYWALL_PAGES.glob("*.html")},
    "js-built.html": PAYWALL_PAGES / "js-built-shell.html",
    "botwall-no-cookies.html": FIXTURES / "no-cookies-botwall" / "pages" / "story.html",
    "botwall-challenge.html": TESTS_DIR / "data" / "botwall-challenge.html",
}


def page(name: str) -> Path:
    return PAGES[name]


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


def story_path(n: int, slug: str = "story") -> str:
    return f"/nation/politics/{slug}-{n}/news-story/{(HEX * 2)[:31]}{HEX[n % 16]}"


def story_html(name: str) -> bytes:
    return page(name).read_bytes()


# --- server -------------------------------------------------------------------------------------

Route = tuple[int, dict[str, str], bytes]


@dataclass
class Server:
    port: int = 0
    routes: dict[str, Route | Callable[[int], Route]] = field(default_factory=dict)
    hits: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # host, path, hdrs
    stamps: list[tuple[str, float]] = field(default_factory=list)  # path, monotonic time
    httpd: http.server.ThreadingHTTPServer | None = None

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def count(self, path: str) -> int:
        return sum(1 for _, p, _ in self.hits if p == path)


@contextlib.contextmanager
def serve(routes: dict[str, Any] | None = None, delay: float = 0.0) -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 (free port) in a thread; `localhost` reaches it too."""
    server = Server(routes=dict(routes or {}))

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path
            host = (self.headers.get("Host") or "").split(":")[0]
            server.hits.append((host, path, dict(self.headers.items())))
            server.stamps.append((path, time.monotonic()))
            if delay:
                time.sleep(delay)
            route = server.routes.get(path)
            if callable(route):
                route = route(server.count(path))
            status, headers, body = route or (404, {"Content-Type": "text/plain"}, b"not found")
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.httpd = httpd
    server.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


def html(body: bytes, status: int = 200) -> Route:
    return (status, {"Content-Type": "text/html; charset=utf-8"}, body)


# --- the spider of the tests --------------------------------------------------------------------


def local_profile() -> SiteProfile:
    port = os.environ.get("NEWSBITE_TEST_PORT", "8000")
    return SiteProfile(
        name="localnews",
        domains=("127.0.0.1", "localhost"),
        platform="newscorp_au",
        topic_url=f"http://127.0.0.1:{port}/topics/{{slug}}",
        default_topics=("local",),
        story_url=STORY_URL,
        topic_path=TOPIC_PATH,
        timezone="Australia/Sydney",
        render=os.environ.get("NEWSBITE_TEST_PROFILE_RENDER") or None,
    )


class LocalNewsSpider(NewsSpider):
    name = "localnews"
    profile = local_profile()


# --- subprocess crawls --------------------------------------------------------------------------

RUNNER = """
import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from paywall_support import LocalNewsSpider, TEST_SETTINGS

overrides = json.loads(sys.argv[1])
urls = sys.argv[2]
settings = get_project_settings()
settings.setdict(TEST_SETTINGS, priority="project")
settings.setdict(overrides, priority="cmdline")
process = CrawlerProcess(settings)
failures = []
d = process.crawl(LocalNewsSpider, urls=urls)
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
    port: int,
    urls: list[str],
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    on_start: Callable[[subprocess.Popen], None] | None = None,
) -> Crawl:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    feed = out / "items.jsonl"
    stats_file = out / "stats.json"
    log_file = out / "crawl.log"
    overrides = {
        "FEEDS": {str(feed): {"format": "jsonlines", "encoding": "utf8"}},
        "NEWSBITE_STATS_FILE": str(stats_file),
        "LOG_FILE": str(log_file),
        "LOG_LEVEL": "DEBUG",
        **(settings or {}),
    }
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), str(ROOT)]),
        "SCRAPY_SETTINGS_MODULE": "newsbite.settings",
        "NEWSBITE_TEST_PORT": str(port),
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, json.dumps(overrides), " ".join(urls)],
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
