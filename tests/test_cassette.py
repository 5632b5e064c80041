"""CassetteMiddleware: record/replay through vcrpy, scrubbing, byte-exact bodies, loud misses.

Most tests drive the middleware directly (no reactor); one test records a real crawl against a
local server and replays it with the server stopped.
"""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from newsbite import fixtures as fx
from newsbite.middlewares.cassette import (
    MAX_MISSED_URLS_KEPT,
    STAT_MISS,
    STAT_MISSED_URLS,
    STAT_RECORDED,
    STAT_REPLAYED,
    CassetteMiddleware,
    CassetteMiss,
    load_cassette,
    scrub_headers,
    write_cassette,
)
from newsbite.testing import Simulator
from newsbite.testing.probe import (
    CP1252_HTML,
    CRAWL_SETTINGS,
    GZIP_HTML,
    PNG,
    ROUTES,
    SECRET,
    UTF8_HTML,
)

BASE = "http://news.test"


class SiteSpider(Spider):
    name = "site"


def middleware(**settings) -> CassetteMiddleware:
    crawler = get_crawler(SiteSpider, settings)
    crawler.stats.open_spider()
    return CassetteMiddleware.from_crawler(crawler)


def recorder(path: Path, **settings) -> CassetteMiddleware:
    return middleware(NEWSBITE_CASSETTE_MODE="record", NEWSBITE_CASSETTE=str(path), **settings)


def replayer(path: Path) -> CassetteMiddleware:
    return middleware(NEWSBITE_CASSETTE_MODE="replay", NEWSBITE_CASSETTE=str(path))


def record(mw, url: str, status: int, headers: dict, body: bytes, request_headers=None) -> None:
    request = Request(url, headers=request_headers)
    response = Response(url, status=status, headers=headers, body=body, request=request)
    assert mw.process_response(request, response) is response


# --- configuration ----------------------------------------------------------------------------


def test_mode_none_disables_the_middleware():
    with pytest.raises(NotConfigured):
        middleware(NEWSBITE_CASSETTE_MODE="none")


def test_invalid_mode_and_missing_paths_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="none, record, replay"):
        middleware(NEWSBITE_CASSETTE_MODE="playback")
    with pytest.raises(ValueError, match="NEWSBITE_CASSETTE"):
        middleware(NEWSBITE_CASSETTE_MODE="record")
    with pytest.raises(ValueError, match="no such cassette"):
        replayer(tmp_path / "absent.yaml")


# --- recording --------------------------------------------------------------------------------


def test_record_scrubs_credentials_case_insensitively(tmp_path):
    path = tmp_path / "c.yaml"
    mw = recorder(path)
    record(
        mw,
        f"{BASE}/a",
        200,
        {"Set-Cookie": [f"session={SECRET}", f"other={SECRET}"], "Content-Type": "text/html"},
        b"<p>a</p>",
        request_headers={
            "cookie": f"session={SECRET}",
            "AUTHORIZATION": f"Bearer {SECRET}",
            "Proxy-Authorization": SECRET,
            "Accept": "text/html",
        },
    )
    mw.spider_closed()
    text = path.read_text()
    assert SECRET not in text
    assert "Accept" in text  # other headers are kept
    assert mw.stats.get_value(STAT_RECORDED) == 1
    assert scrub_headers({"COOKIE": "x", "set-cookie": "y", "X-Kept": "z"}) == {"X-Kept": "z"}


def test_recorded_bodies_replay_byte_identical(tmp_path):
    path = tmp_path / "c.yaml"
    gz = gzip.compress(GZIP_HTML.encode(), mtime=0)
    tricky = b"\xef\xbb\xbfBOM\r\nCRLF\x00NUL\xe2\x80\xa8LS " + "é".encode() + b"\n\n"
    pages = {
        "/gzip": ({"Content-Encoding": "gzip", "Content-Type": "text/html"}, gz),
        "/cp1252": (
            {"Content-Type": "text/html; charset=windows-1252"},
            CP1252_HTML.encode("cp1252"),
        ),
        "/utf8": ({"Content-Type": "text/html; charset=utf-8"}, UTF8_HTML.encode()),
        "/tricky": ({"Content-Type": "text/plain"}, tricky),
        "/image.png": ({"Content-Type": "image/png"}, PNG),
        "/empty": ({}, b""),
    }
    mw = recorder(path)
    for page, (headers, body) in pages.items():
        record(mw, f"{BASE}{page}", 200, headers, body)
    mw.spider_closed()
    assert "!!binary" in path.read_text()  # gzip (and cp1252, PNG) are stored as binary

    replay = replayer(path)
    for page, (headers, body) in pages.items():
        response = replay.process_request(Request(f"{BASE}{page}"))
        assert response.body == body, page
        assert response.status == 200
        assert response.flags == ["cassette"]
        for name, value in headers.items():
            assert response.headers.get(name) == value.encode()
    assert replay.stats.get_value(STAT_REPLAYED) == len(pages)


def test_replayed_gzip_and_cp1252_decode_like_live(tmp_path):
    path = tmp_path / "c.yaml"
    write_cassette(
        path,
        [
            (
                f"{BASE}/gzip",
                200,
                {"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"},
                gzip.compress(GZIP_HTML.encode()),
            ),
            (
                f"{BASE}/cp1252",
                200,
                {"Content-Type": "text/html; charset=windows-1252"},
                CP1252_HTML.encode("cp1252"),
            ),
        ],
    )
    mw = replayer(path)
    compression = HttpCompressionMiddleware.from_crawler(mw.crawler)

    request = Request(f"{BASE}/gzip")
    raw = mw.process_request(request)
    assert type(raw) is Response  # still encoded: HttpCompression picks the class later
    decoded = compression.process_response(request, raw)
    assert isinstance(decoded, HtmlResponse)
    assert decoded.text == GZIP_HTML

    cp = mw.process_request(Request(f"{BASE}/cp1252"))
    assert isinstance(cp, HtmlResponse)
    assert cp.text == CP1252_HTML


def test_replayed_responses_are_not_recorded_again(tmp_path):
    mw = recorder(tmp_path / "c.yaml")
    request = Request(f"{BASE}/a")
    mw.process_response(request, Response(request.url, flags=["cassette"], request=request))
    assert len(mw.recording) == 0


def test_periodic_save_keeps_an_interrupted_recording(tmp_path):
    path = tmp_path / "c.yaml"
    mw = recorder(path, NEWSBITE_CASSETTE_SAVE_EVERY=2)
    record(mw, f"{BASE}/1", 200, {}, b"1")
    assert not path.exists()
    record(mw, f"{BASE}/2", 200, {}, b"2")
    assert len(load_cassette(path)) == 2  # saved before spider_closed


# --- replaying --------------------------------------------------------------------------------


def test_miss_is_loud_and_names_the_url(tmp_path, caplog):
    path = tmp_path / "c.yaml"
    write_cassette(path, [(f"{BASE}/a", 200, {}, b"a")])
    mw = replayer(path)
    with caplog.at_level(logging.ERROR), pytest.raises(CassetteMiss) as err:
        mw.process_request(Request(f"{BASE}/missing?x=1"))
    assert isinstance(err.value, IgnoreRequest)
    assert f"{BASE}/missing?x=1" in str(err.value)
    assert f"cassette miss: GET {BASE}/missing?x=1" in caplog.text
    assert mw.stats.get_value(STAT_MISS) == 1
    assert mw.stats.get_value(STAT_MISSED_URLS) == [f"{BASE}/missing?x=1"]
    # a POST to a recorded GET URL is a miss too
    with pytest.raises(CassetteMiss):
        mw.process_request(Request(f"{BASE}/a", method="POST"))
    assert mw.stats.get_value(STAT_MISS) == 2


def test_misses_are_all_counted_but_only_the_first_named(tmp_path):
    path = tmp_path / "c.yaml"
    write_cassette(path, [(f"{BASE}/a", 200, {}, b"a")])
    mw = replayer(path)
    for n in range(MAX_MISSED_URLS_KEPT + 20):
        with pytest.raises(CassetteMiss):
            mw.process_request(Request(f"{BASE}/missing/{n}"))
    assert mw.stats.get_value(STAT_MISS) == MAX_MISSED_URLS_KEPT + 20
    named = mw.stats.get_value(STAT_MISSED_URLS)
    assert named == [f"{BASE}/missing/{n}" for n in range(MAX_MISSED_URLS_KEPT)]


def test_same_url_replays_in_recorded_order_then_repeats_the_last(tmp_path):
    path = tmp_path / "c.yaml"
    write_cassette(path, [(f"{BASE}/a", 503, {}, b"busy"), (f"{BASE}/a", 200, {}, b"ok")])
    mw = replayer(path)
    statuses = [mw.process_request(Request(f"{BASE}/a")).status for _ in range(3)]
    assert statuses == [503, 200, 200]  # a recorded retry replays as a retry


def test_fragment_does_not_matter(tmp_path):
    path = tmp_path / "c.yaml"
    write_cassette(path, [(f"{BASE}/a#top", 200, {}, b"a")])
    assert replayer(path).process_request(Request(f"{BASE}/a#comments")).body == b"a"


def test_no_cassette_named_replays_every_bundled_fixture_of_the_site(tmp_path):
    for slug, page in (("one", "a"), ("two", "b")):
        write_cassette(
            tmp_path / "site" / slug / "cassette.yaml", [(f"{BASE}/{page}", 200, {}, page.encode())]
        )
    write_cassette(tmp_path / "other" / "x" / "cassette.yaml", [(f"{BASE}/c", 200, {}, b"c")])
    mw = middleware(NEWSBITE_CASSETTE_MODE="replay", NEWSBITE_FIXTURES_DIR=str(tmp_path))
    spider = SiteSpider()
    assert mw.process_request(Request(f"{BASE}/a"), spider).body == b"a"
    assert mw.process_request(Request(f"{BASE}/b"), spider).body == b"b"
    with pytest.raises(CassetteMiss):  # another site's fixtures are not loaded
        mw.process_request(Request(f"{BASE}/c"), spider)


def test_non_http_schemes_pass_through(tmp_path):
    path = tmp_path / "c.yaml"
    write_cassette(path, [])
    assert replayer(path).process_request(Request("data:,hello")) is None


# --- a real crawl -----------------------------------------------------------------------------


@pytest.mark.slow
def test_record_a_live_crawl_then_replay_it_offline(tmp_path):
    cassette = tmp_path / "cassette.yaml"
    with Simulator(stories=0, routes=ROUTES) as server:
        live = fx.run_crawl(
            "cassette_probe",
            {"base": server.base_url},
            {**CRAWL_SETTINGS, "NEWSBITE_CASSETTE_MODE": "record", "NEWSBITE_CASSETTE": cassette},
        )
        assert live.returncode == 0, live.log
        paths = [hit.path for hit in server.hits]
        # the spider did send credentials: scrubbing, not their absence, keeps them out
        assert any(SECRET in hit.headers.get("Cookie", "") for hit in server.hits)
        port = server.port
    assert "/robots.txt" in paths  # robots.txt goes through downloader middlewares too
    assert live.stats[STAT_RECORDED] == len(server.hits) == 6
    text = cassette.read_text()
    assert SECRET not in text
    assert "!!binary" in text

    # The server is gone: a replay that touched the network would lose items.
    base = f"http://127.0.0.1:{port}"
    missing = f"{base}/never-recorded"
    replay = fx.run_crawl(
        "cassette_probe",
        {"base": base, "extra": missing},
        {**CRAWL_SETTINGS, "NEWSBITE_CASSETTE_MODE": "replay", "NEWSBITE_CASSETTE": cassette},
    )
    assert replay.returncode == 0, replay.log
    by_url = {i["url"]: i for i in replay.items}
    assert sorted(replay.items, key=lambda i: i["url"]) == sorted(
        live.items, key=lambda i: i["url"]
    )
    assert by_url[f"{base}/gzip"]["text"] == GZIP_HTML
    assert by_url[f"{base}/cp1252"]["text"] == CP1252_HTML
    assert by_url[f"{base}/utf8"]["text"] == UTF8_HTML
    assert replay.stats[STAT_REPLAYED] == 6
    assert replay.stats[STAT_MISS] == 1
    assert replay.misses == [missing]
    assert f"cassette miss: GET {missing}" in replay.log
