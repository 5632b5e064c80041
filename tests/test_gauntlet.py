"""Issue 11, the gauntlet: every fault the news-site simulator serves at a fixed path
(newsbite.testing.faults, DESIGN §10) crawled by the real `scrapy crawl theaustralian` in a
subprocess, its hosts routed to the simulator with NEWSBITE_HOST_MAP.

Each case asserts one of two outcomes, and that no story is written twice:
* the story is in the feed (with the field the fault attacks right), or
* its reason is in the stats AND a WARNING (or ERROR) line names its URL.

Most faults share one crawl (module fixture), so the file stays within a few minutes. The
feed-failure and resume cases live in tests/test_feed_failure.py and tests/test_resume.py; the
fingerprint and written-once units in tests/test_dedupe.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request as ScrapyRequest
from scrapy import Spider

from newsbite.fixtures import PROJECT_ROOT
from newsbite.testing.faults import FAULTS
from newsbite.testing.simulator import Simulator

SPIDER = "theaustralian"
HOST = "www.theaustralian.com.au"
STORY_URL = f"https://{HOST}/nation/a-story/news-story/0123456789abcdef0123456789abcdef"
# Fast and deterministic: no politeness delays, no robots.txt, short timeouts for the stall.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "False",
    "TELNETCONSOLE_ENABLED": "False",
    "NEWSBITE_BOTWALL_BACKOFF": "0.05",
    "NEWSBITE_RENDER": "never",
    "NEWSBITE_PROGRESS": "False",
    "LOG_LEVEL": "DEBUG",
}


# --- running `scrapy crawl` ---------------------------------------------------------------------


@dataclass
class Run:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    stderr: str
    folder: Path
    lines: list[bytes] = field(default_factory=list)

    def ids(self) -> Counter:
        return Counter(item["id"] for item in self.items)

    def by_fault(self, name: str) -> list[dict[str, Any]]:
        return [i for i in self.items if f"/_fault/{name}/" in i["url"]]

    def warned(self, url: str) -> list[str]:
        """WARNING or ERROR lines that name `url` (with or without a query or fragment)."""
        return [
            line
            for line in self.log.splitlines()
            if re.search(r"\] (WARNING|ERROR):", line) and url in line
        ]


def scrapy_crawl(
    folder: Path,
    *,
    urls: list[str] | None = None,
    feed: str | Path | None = None,
    overwrite: bool = True,
    settings: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
    timeout: float = 240,
    popen_hook=None,
) -> Run:
    """`python -m scrapy crawl theaustralian` in the project, as a user runs it."""
    folder.mkdir(parents=True, exist_ok=True)
    feed = Path(feed) if feed is not None else folder / "items.jsonl"
    stats_file, log_file = folder / "stats.json", folder / "crawl.log"
    cmd = [sys.executable, "-m", "scrapy", "crawl", SPIDER, "-O" if overwrite else "-o", str(feed)]
    if urls:
        cmd += ["-a", "urls=" + " ".join(urls)]
    for key, value in {
        **FAST,
        "NEWSBITE_STATS_FILE": str(stats_file),
        "LOG_FILE": str(log_file),
        **(settings or {}),
    }.items():
        cmd += ["-s", f"{key}={value}"]
    cmd += args or []
    full_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if popen_hook is not None:
        popen_hook(proc)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = feed.read_bytes().splitlines() if feed.is_file() else []
    items = [json.loads(line) for line in lines if line.strip()]
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    log = log_file.read_text("utf-8", errors="replace") if log_file.is_file() else ""
    return Run(proc.returncode, items, stats, log, stderr.decode(errors="replace"), folder, lines)


@pytest.fixture(scope="module")
def sim():
    with Simulator(stories=40, publishers=("theaustralian",)) as simulator:
        yield simulator


# --- one crawl through most faults ----------------------------------------------------------------

STALL = "?seconds=4"  # the stall outlasts DOWNLOAD_TIMEOUT=1 on every attempt, then lets go
SHARED = [
    "slow-drip",
    "stall",
    "reset",
    "429",
    "503",
    "redirect-loop",
    "self-redirect",
    "offsite-redirect",
    "gzip-bomb",
    "deep-nesting",
    "png-as-html",
    "wrong-content-type",
    "no-charset-cp1252",
    "wrong-charset",
    "botwall",
    "bad-jsonld-type",
    "bad-jsonld-position",
    "relative-date",
    "future-date",
    "truncated-paywall",
    "javascript-image",
]


# the drip: 20 pieces, 0.03 s apart -- slow, but inside DOWNLOAD_TIMEOUT=1 (a whole download)
QUERIES = {"stall": STALL, "slow-drip": "?chunks=20&interval=0.03"}


def fault_url(sim: Simulator, name: str) -> str:
    return sim.fault_url(name) + QUERIES.get(name, "")


@pytest.fixture(scope="module")
def faults_run(sim, tmp_path_factory) -> Run:
    run = scrapy_crawl(
        tmp_path_factory.mktemp("faults"),
        urls=[fault_url(sim, name) for name in SHARED],
        settings={
            "NEWSBITE_HOST_MAP": sim.host_map(),
            "DOWNLOAD_TIMEOUT": "1",
            "NEWSBITE_RETRY_AFTER_MAX": "5",
            "NEWSBITE_EXPECT_ITEMS": "False",
            "SPIDERMON_ENABLED": "False",
        },
    )
    assert run.stats, run.stderr[-3000:]
    return run


def in_feed(run: Run, name: str) -> dict[str, Any]:
    found = run.by_fault(name)
    assert len(found) == 1, f"{name}: {len(found)} items in the feed\n" + "\n".join(
        line for line in run.log.splitlines() if name in line and "WARNING" in line
    )
    return found[0]


def reported(run: Run, sim: Simulator, name: str, stat: str) -> None:
    url = sim.fault_url(name)
    assert not run.by_fault(name), f"{name} is in the feed"
    assert run.stats.get(stat), (
        f"{name}: no {stat} in {sorted(k for k in run.stats if 'newsbite' in k)}"
    )
    assert run.warned(url), f"{name}: no WARNING/ERROR names {url}"


def test_no_story_written_twice_in_the_fault_crawl(faults_run):
    assert faults_run.items, faults_run.log[-3000:]
    assert [i for i, n in faults_run.ids().items() if n > 1] == []


def test_slow_drip_story_arrives_whole(faults_run):
    item = in_feed(faults_run, "slow-drip")
    assert len(item["body"]) >= 3


def failed_as(run: Run, url: str) -> set[str]:
    """The newsbite/failed/<reason> stats whose example URLs hold `url`."""
    prefix = "newsbite/examples/failed/"
    return {
        key[len(prefix) :]
        for key, urls in run.stats.items()
        if key.startswith(prefix) and any(u.split("?")[0] == url for u in urls)
    }


def test_stalled_body_times_out_with_a_reason(faults_run, sim):
    reported(faults_run, sim, "stall", "newsbite/failed/DownloadTimeoutError")
    assert failed_as(faults_run, sim.fault_url("stall")) == {"DownloadTimeoutError"}


def test_reset_mid_body_is_a_data_loss_not_a_half_story(faults_run, sim):
    url = sim.fault_url("reset")
    assert not faults_run.by_fault("reset")
    assert faults_run.stats[
        "downloader/exception_type_count/scrapy.exceptions.ResponseDataLossError"
    ]
    # The last attempt fails as a data loss -- or as a timeout when a slow parse elsewhere in
    # the crawl held the reactor past DOWNLOAD_TIMEOUT=1; either way a reason, never half a story.
    assert failed_as(faults_run, url) & {"ResponseDataLossError", "DownloadTimeoutError"}
    assert faults_run.warned(url)


@pytest.mark.parametrize("status", ["429", "503"])
def test_retry_after_is_honoured_and_counted(faults_run, status):
    in_feed(faults_run, status)  # the third request of the path succeeds
    assert faults_run.stats[f"retry/reason_count/retry_after_{status}"] == 2
    assert faults_run.stats["newsbite/retry_after/waits"] == 4  # 2 for 429, 2 for 503
    assert faults_run.stats["newsbite/retry_after/seconds"] == pytest.approx(4.0)


@pytest.mark.parametrize(
    "name,stat",
    [
        ("redirect-loop", "newsbite/redirect/loop"),
        ("self-redirect", "newsbite/redirect/self"),
        ("offsite-redirect", "newsbite/redirect/offsite"),
    ],
)
def test_redirects_that_lose_a_story_say_so(faults_run, sim, name, stat):
    reported(faults_run, sim, name, stat)
    warnings = faults_run.warned(sim.fault_url(name))
    assert len(warnings) == 1, warnings  # one line, not one per hop


def test_gzip_bomb_is_refused_by_size(faults_run, sim):
    reported(faults_run, sim, "gzip-bomb", "newsbite/failed/too_large")
    # Refused near DOWNLOAD_MAXSIZE (32 MiB), not after inflating 1 GiB.
    assert "decompressed so far" in faults_run.log


def test_deep_nesting_parses_or_fails_with_its_own_reason(faults_run, sim):
    """10,000 nested divs: lxml's depth limit must not empty the body silently (classified
    and parsed by the response-classification / parse-level work)."""
    if faults_run.by_fault("deep-nesting"):
        assert len(in_feed(faults_run, "deep-nesting")["body"]) >= 3
        return
    deep = [k for k in faults_run.stats if "deep" in k and k.startswith("newsbite/")]
    assert deep, "no newsbite/...deep... stat: dropped as " + str(
        [k for k in faults_run.stats if k.startswith("newsbite/dropped/")]
    )
    assert faults_run.warned(sim.fault_url("deep-nesting"))


def test_png_served_as_html_is_skipped_as_binary(faults_run, sim):
    url = sim.fault_url("png-as-html")
    assert not faults_run.by_fault("png-as-html")
    binary = [k for k in faults_run.stats if "binary" in k and k.startswith("newsbite/")]
    assert binary, "counted as " + str(
        [k for k in faults_run.stats if k.startswith(("newsbite/dropped/", "newsbite/skipped/"))]
    )
    assert faults_run.warned(url)


def test_story_served_as_text_plain_is_still_a_story(faults_run):
    assert in_feed(faults_run, "wrong-content-type")["headline"]


@pytest.mark.parametrize("name", ["no-charset-cp1252", "wrong-charset"])
def test_cp1252_story_is_decoded_as_cp1252(faults_run, name):
    body = " ".join(in_feed(faults_run, name)["body"])
    assert "“Café” –" in body


def test_bot_wall_is_reported_not_written(faults_run, sim):
    reported(faults_run, sim, "botwall", "newsbite/botwall")


@pytest.mark.parametrize("name", ["bad-jsonld-type", "bad-jsonld-position"])
def test_bad_json_ld_costs_the_field_not_the_story(faults_run, sim, name):
    item = in_feed(faults_run, name)
    assert item["headline"] and len(item["body"]) >= 3
    assert not faults_run.stats.get("newsbite/failed/parser_error")


def test_relative_structured_date_is_rejected_for_the_markup_date(faults_run):
    item = in_feed(faults_run, "relative-date")
    assert item["published"] == "2024-06-01T09:30:00+10:00"
    assert faults_run.stats.get("newsbite/date_rejected")


def test_future_date_is_flagged_never_kept(faults_run, sim):
    item = in_feed(faults_run, "future-date")
    assert not str(item.get("published") or "").startswith("2999")
    assert faults_run.stats.get("newsbite/date_future")
    assert faults_run.warned(sim.fault_url("future-date"))


def test_truncated_paywall_story_is_subscriber(faults_run):
    assert in_feed(faults_run, "truncated-paywall")["paywall"]["status"] == "subscriber"


def test_javascript_and_data_image_urls_never_reach_the_feed(faults_run):
    item = in_feed(faults_run, "javascript-image")
    schemes = {img["url"].split(":", 1)[0] for img in item.get("images") or []}
    assert schemes <= {"http", "https"}, schemes


# --- URL variants of one story ----------------------------------------------------------------


def variants(sim: Simulator) -> list[str]:
    path = FAULTS["url-variants"].path
    return [
        f"https://{HOST}{path}",
        f"https://{HOST}{path}?utm_source=twitter&utm_medium=social",
        f"https://{HOST}{path}?amp",
        f"https://{HOST}{path}/amp",
        f"https://{HOST}{path}/",
        f"http://{HOST}{path}",
        f"https://{HOST}{path}#comments",
        f"https://{HOST.upper()}{path}",
    ]


@pytest.fixture(scope="module")
def variants_run(sim, tmp_path_factory) -> Run:
    story = sim.catalogue("theaustralian")[0].url
    return scrapy_crawl(
        tmp_path_factory.mktemp("variants"),
        urls=[*variants(sim), story, story + "?utm_campaign=x", story.replace("https:", "http:")],
        settings={"NEWSBITE_HOST_MAP": sim.host_map(), "SPIDERMON_ENABLED": "False"},
    )


def test_one_story_under_url_variants_is_fetched_and_written_once(variants_run, sim):
    assert variants_run.returncode == 0, variants_run.stderr[-2000:]
    assert len(variants_run.by_fault("url-variants")) == 1
    assert sorted(variants_run.ids().values()) == [1, 1]
    # merged before download: one request per story reached the site
    assert variants_run.stats["downloader/request_count"] == 2
    assert variants_run.stats.get("dupefilter/filtered", 0) >= 8


# --- a 20 MB page -------------------------------------------------------------------------------


def test_twenty_megabyte_page_is_skipped_with_its_reason(sim, tmp_path):
    """Downloaded (under DOWNLOAD_MAXSIZE, 32 MiB, with Scrapy's size warning) but not parsed:
    over NEWSBITE_MAX_PAGE_BYTES (8 MiB) no page is a news story, and parsing it would hold
    the crawl for minutes. The reason is in the stats and a WARNING names the URL."""
    run = scrapy_crawl(
        tmp_path,
        urls=[sim.fault_url("huge-page")],
        settings={
            "NEWSBITE_HOST_MAP": sim.host_map(),
            "SPIDERMON_ENABLED": "False",
            "NEWSBITE_EXPECT_ITEMS": "False",
        },
        timeout=120,
    )
    assert run.by_fault("huge-page") == [], run.log[-2000:]
    assert "larger than download warn size" in run.log
    assert run.stats.get("newsbite/skipped/too_large") == 1
    assert run.warned(sim.fault_url("huge-page"))


def test_a_publisher_download_maxsize_refuses_a_page_with_a_reason(sim, tmp_path):
    # The entry's download_maxsize reaches the request as Scrapy's meta key: here the
    # setting stands in for a small per-publisher limit, and the slow-drip story is too big.
    run = scrapy_crawl(
        tmp_path,
        urls=[sim.fault_url("slow-drip") + "?interval=0"],
        settings={
            "NEWSBITE_HOST_MAP": sim.host_map(),
            "DOWNLOAD_MAXSIZE": "4000",
            "NEWSBITE_EXPECT_ITEMS": "False",
            "SPIDERMON_ENABLED": "False",
        },
    )
    assert run.items == []
    assert run.stats.get("newsbite/failed/too_large") == 1
    assert run.warned(sim.fault_url("slow-drip"))


# --- secrets ------------------------------------------------------------------------------------

COOKIE_SECRET = "cookieSECRET4711"
PROXY_SECRET = "proxyPASS0815"


def test_session_cookies_and_proxy_credentials_never_appear_in_any_output(sim, tmp_path):
    """Every file the crawl writes (feed, log, stats, cassette, report, JOBDIR) and its
    console output are searched for the cookie value and the proxy password."""
    # http: a plain proxy request (an https URL would ask the simulator for a CONNECT tunnel)
    story = sim.catalogue("theaustralian")[0].url.replace("https:", "http:")
    slow = sim.fault_url("slow-drip").replace("https:", "http:") + "?interval=0"
    run = scrapy_crawl(
        tmp_path / "out",
        urls=[story, slow],
        settings={
            "NEWSBITE_HOST_MAP": sim.host_map(),
            "NEWSBITE_SESSION_COOKIES": f"theaustralian.com.au: sid={COOKIE_SECRET}; x=1",
            "NEWSBITE_CASSETTE_MODE": "record",
            "NEWSBITE_CASSETTE": str(tmp_path / "out" / "cassette.yaml"),
            "JOBDIR": str(tmp_path / "out" / "job"),
            "SPIDERMON_ENABLED": "False",
        },
        env={
            # Scrapy's HttpProxyMiddleware takes the credentials from the proxy URL and sends
            # them as Proxy-Authorization; the simulator answers as the proxy too.
            "http_proxy": f"http://newsbite:{PROXY_SECRET}@127.0.0.1:{sim.port}",
        },
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.items) == 2
    assert run.stats.get("newsbite/session/requests")  # the session was really used
    sent = [h.headers for h in sim.hits if "Proxy-Authorization" in h.headers]
    assert sent, "the proxy credentials were not used"
    outputs = {"console": run.stderr.encode()}
    outputs.update({str(p): p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()})
    assert any(name.endswith(".yaml") for name in outputs)
    for name, data in outputs.items():
        for secret in (COOKIE_SECRET, PROXY_SECRET):
            assert secret.encode() not in data, f"{secret} in {name}"


# --- units: the state lock off the reactor thread, cassettes loaded once, Retry-After --------


def test_a_busy_state_file_never_blocks_the_caller(tmp_path):
    import sqlite3

    from newsbite.state.sqlite import SQLiteStateStore
    from newsbite.state.store import StoryState

    path = tmp_path / "state.sqlite"
    store = SQLiteStateStore(str(path))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    one = StoryState("s", "1", "h1", 1, "2024-01-01", "2024-01-01")
    two = StoryState("s", "1", "h2", 2, "2024-01-01", "2024-01-02")
    assert store.put(one) == one  # returns at once (a 30 s wait would raise here, locked)
    store.put(two)  # queued behind the first, in order
    assert store.deferred_writes == 2
    assert store.get("s", "1") is None  # not written yet: the lock is still held
    other.execute("COMMIT")
    store.flush()
    assert store.get("s", "1").version == 2
    store.put(StoryState("s", "2", "h", 1, "2024-01-01", "2024-01-01"))
    assert store.deferred_writes == 2  # the file is free again: written in place
    store.close()
    other.close()


def test_an_unreadable_cassette_is_named_and_the_others_still_replay(tmp_path, caplog):
    from scrapy.utils.test import get_crawler

    from newsbite.middlewares.cassette import CassetteMiddleware, write_cassette

    site = tmp_path / "theaustralian"
    good = site / "good" / "cassette.yaml"
    good.parent.mkdir(parents=True)
    page = b"<html><body><p>ok</p></body></html>"
    write_cassette(good, [(STORY_URL, 200, {"Content-Type": "text/html"}, page)])
    bad = site / "broken" / "cassette.yaml"
    bad.parent.mkdir()
    bad.write_text("interactions: [ {request: {uri: \n  - ][", encoding="utf-8")

    class Australian(Spider):
        name = "theaustralian"

    crawler = get_crawler(
        Australian,
        {"NEWSBITE_CASSETTE_MODE": "replay", "NEWSBITE_FIXTURES_DIR": str(tmp_path)},
    )
    crawler.spider = Australian()
    crawler.stats.open_spider()
    mw = CassetteMiddleware.from_crawler(crawler)
    loads = []
    original = mw._load_each
    mw._load_each = lambda paths: loads.append(paths) or original(paths)
    for _ in range(3):
        response = mw.process_request(ScrapyRequest(STORY_URL))
        assert response.body == page
    assert len(loads) == 1  # loaded once, not per request
    assert crawler.stats.get_value("newsbite/cassette/unreadable") == 1
    named = [r for r in caplog.records if r.levelname == "ERROR" and str(bad) in r.getMessage()]
    assert len(named) == 1


def test_a_broken_named_cassette_fails_before_the_crawl_naming_the_file(tmp_path):
    from scrapy.utils.test import get_crawler

    from newsbite.middlewares.cassette import CassetteMiddleware, CassetteUnreadable

    bad = tmp_path / "c.yaml"
    bad.write_text("{not: [a cassette", encoding="utf-8")
    crawler = get_crawler(
        Spider, {"NEWSBITE_CASSETTE_MODE": "replay", "NEWSBITE_CASSETTE": str(bad)}
    )
    with pytest.raises(CassetteUnreadable, match=str(bad)):
        CassetteMiddleware.from_crawler(crawler)


def test_retry_after_takes_seconds_and_http_dates():
    from datetime import datetime, timezone

    from newsbite.middlewares.retryafter import retry_after_seconds

    now = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"7", now) == 7
    assert retry_after_seconds("Sat, 01 Jun 2024 12:00:30 GMT", now) == 30
    assert retry_after_seconds("Sat, 01 Jun 2024 11:00:00 GMT", now) == 0  # already past
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
