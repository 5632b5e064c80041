"""Subscriber sessions: the subscriber's own cookies, sent only to their domains, never written
anywhere (issue 4, DESIGN §5)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsbite.middlewares.session import (
    META_KEY,
    SessionConfigError,
    SessionCookiesMiddleware,
    load_cookies_file,
    parse_session_cookies,
    session_from_settings,
)
from newsbite.testing import Simulator
from newsbite.testing import html_route as html
from newsbite.testing.crawl import page_bytes as story_html
from newsbite.testing.crawl import run_crawl, story_at, story_path, story_url

FILE_SECRET = "cookiesTxtSecret9f3a"
ENV_SECRET = "envSessionSecret7b1c"


def cookies_txt(path, domain="127.0.0.1", secret=FILE_SECRET, wide=".theaustralian.com.au"):
    path.write_text(
        "# Netscape HTTP Cookie File\n"
        f"{domain}\tFALSE\t/\tFALSE\t0\tsubscriber_token\t{secret}\n"
        f"{wide}\tTRUE\t/\tTRUE\t0\tn_token\tother{secret}\n"
        f".theaustralian.com.au\tTRUE\t/\tFALSE\t1\texpired\tgone\n"
    )
    return path


def test_cookies_file_is_read_with_mozilla_cookie_jar(tmp_path):
    cookies = {c.name: c for c in load_cookies_file(cookies_txt(tmp_path / "c.txt"))}
    assert set(cookies) == {"subscriber_token", "n_token"}  # the expired one is dropped
    assert cookies["n_token"].secure and cookies["n_token"].domain == ".theaustralian.com.au"


def test_session_cookie_formats():
    as_json = parse_session_cookies('{"theaustralian.com.au": "a=1; b=2", "x.com": {"c": "3"}}')
    assert {(c.domain, c.name, c.value) for c in as_json} == {
        (".theaustralian.com.au", "a", "1"),
        (".theaustralian.com.au", "b", "2"),
        (".x.com", "c", "3"),
    }
    lines = parse_session_cookies("theaustralian.com.au: a=1; b=2 | 127.0.0.1: sid=9")
    assert {(c.domain, c.name) for c in lines} == {
        (".theaustralian.com.au", "a"),
        (".theaustralian.com.au", "b"),
        ("127.0.0.1", "sid"),
    }


def test_cookies_go_only_to_matching_domains_paths_and_schemes(tmp_path):
    jar = session_from_settings(
        Settings(
            {
                "NEWSBITE_COOKIES_FILE": str(cookies_txt(tmp_path / "c.txt")),
                "NEWSBITE_SESSION_COOKIES": "dailytelegraph.com.au: dt=1",
            }
        ),
        environ={},
    )
    story = "https://www.theaustralian.com.au/world/x"
    assert jar.header_for(story) == f"n_token=other{FILE_SECRET}"
    assert jar.header_for("http://www.theaustralian.com.au/world/x") is None  # secure cookie
    assert jar.header_for("https://theaustralian.com.au.evil.example/") is None
    assert jar.header_for("https://eviltheaustralian.com.au/") is None
    assert jar.header_for("https://www.dailytelegraph.com.au/news") == "dt=1"
    assert jar.header_for("http://127.0.0.1:8080/a") == f"subscriber_token={FILE_SECRET}"
    assert jar.header_for("http://localhost:8080/a") is None
    assert FILE_SECRET not in repr(jar)


def test_environment_is_read_when_the_setting_is_empty():
    env = {"NEWSBITE_SESSION_COOKIES": f"127.0.0.1: sid={ENV_SECRET}"}
    jar = session_from_settings(Settings({"NEWSBITE_SESSION_COOKIES": ""}), environ=env)
    assert jar.header_for("http://127.0.0.1/x") == f"sid={ENV_SECRET}"


def test_errors_never_quote_cookie_values(tmp_path):
    with pytest.raises(SessionConfigError) as bad_json:
        parse_session_cookies('{"theaustralian.com.au": "a=' + ENV_SECRET)
    assert ENV_SECRET not in str(bad_json.value)
    with pytest.raises(SessionConfigError) as bad_line:
        parse_session_cookies(f"sid={ENV_SECRET}")
    assert ENV_SECRET not in str(bad_line.value)
    bad_file = tmp_path / "bad.txt"
    bad_file.write_text(f"not a cookie file {FILE_SECRET}\n")
    with pytest.raises(SessionConfigError) as bad:
        load_cookies_file(bad_file)
    assert FILE_SECRET not in str(bad.value)


def test_no_session_means_no_middleware(monkeypatch):
    monkeypatch.delenv("NEWSBITE_SESSION_COOKIES", raising=False)
    monkeypatch.delenv("NEWSBITE_COOKIES_FILE", raising=False)
    with pytest.raises(NotConfigured):
        SessionCookiesMiddleware.from_crawler(get_crawler(settings_dict={}))


def test_header_merged_then_taken_off_the_request():
    session = {"NEWSBITE_SESSION_COOKIES": f"127.0.0.1: sid={ENV_SECRET}"}
    crawler = get_crawler(settings_dict=session)
    mw = SessionCookiesMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/story", headers={"Cookie": "site=1"})
    mw.process_request(request)
    assert request.headers[b"Cookie"] == f"site=1; sid={ENV_SECRET}".encode()
    assert request.meta[META_KEY] is True
    mw.process_response(request, object())
    assert request.headers[b"Cookie"] == b"site=1"  # a retry or redirect copy carries no secret
    other = Request("http://localhost/story", meta={META_KEY: True})
    mw.process_request(other)
    assert b"Cookie" not in other.headers and META_KEY not in other.meta


@pytest.mark.slow
def test_crawl_sends_cookies_only_home_and_writes_them_nowhere(tmp_path):
    # The real spider, its hosts routed to the simulator: the session is for the www host
    # only, and the bare host (the same publisher, so crawled) is "away" and gets no cookie.
    free, wall = story_html("mislabelled-subscriber.html"), story_html("botwall-no-cookies.html")
    home, flaky, hop, away = story_path(1), story_path(2), story_path(3), story_path(4)
    www, bare = "www.theaustralian.com.au", "theaustralian.com.au"
    away_url = story_url(away, home=f"https://{bare}")
    routes = {
        home: html(story_at(free, home)),
        flaky: lambda n: html(wall if n == 1 else story_at(free, flaky)),  # a retry copies it
        hop: (302, {"Location": away_url}, b""),
        away: html(story_at(free, away)),
    }
    with Simulator(stories=0, routes=routes) as srv:
        cookie_file = cookies_txt(tmp_path / "cookies.txt", domain=www, wide=f".{www}")
        urls = [story_url(home), story_url(flaky), story_url(hop), away_url]
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            urls,
            settings={
                "NEWSBITE_RENDER": "never",
                "NEWSBITE_COOKIES_FILE": str(cookie_file),
                "NEWSBITE_CASSETTE_MODE": "record",
                "NEWSBITE_CASSETTE": str(tmp_path / "out" / "cassette.yaml"),
                "JOBDIR": str(tmp_path / "out" / "job"),
                "COOKIES_DEBUG": True,
                "NEWSBITE_BOTWALL_RETRIES": 2,
            },
            env={"NEWSBITE_SESSION_COOKIES": f"{www}: sid={ENV_SECRET}"},
        )
        hits = list(srv.hits)
    assert crawl.returncode == 0, crawl.stderr[-3000:]

    sent = {(h.host, h.path): h.headers.get("Cookie", "") for h in hits}
    for path in (home, flaky, hop):
        assert FILE_SECRET in sent[(www, path)] and ENV_SECRET in sent[(www, path)]
    assert [h for h in hits if h.path == flaky and FILE_SECRET in h.headers.get("Cookie", "")][1:]
    assert sent[(bare, away)] == ""  # the redirect target and the direct URL alike

    items = {i["url"]: i for i in crawl.items}
    assert items[story_url(home)]["paywall"]["session"] is True
    assert items[story_url(home)]["paywall"]["status"] == "subscriber"
    assert items[story_url(flaky)]["paywall"]["session"] is True
    assert "session" not in items[away_url]["paywall"]
    assert crawl.stats["newsbite/session/cookies_loaded"] == 3

    outputs = [p for p in crawl.files if p != cookie_file]
    names = {p.name for p in outputs}
    assert {"cassette.yaml", "crawl.log", "items.jsonl", "stats.json"} <= names
    for path in outputs:
        data = path.read_bytes()
        for secret in (FILE_SECRET, ENV_SECRET):
            assert secret.encode() not in data, f"{secret} leaked into {path}"
    for secret in (FILE_SECRET, ENV_SECRET):
        assert secret not in crawl.stderr and secret not in str(crawl.stats)


def test_our_cookie_replaces_a_same_named_one_and_no_header_is_left_behind():
    crawler = get_crawler(
        settings_dict={"NEWSBITE_SESSION_COOKIES": f"127.0.0.1: sid={ENV_SECRET}"}
    )
    mw = SessionCookiesMiddleware.from_crawler(crawler)
    clash = Request("http://127.0.0.1/story", headers={"Cookie": "sid=stale; site=1"})
    mw.process_request(clash)
    assert clash.headers[b"Cookie"] == f"site=1; sid={ENV_SECRET}".encode()
    bare = Request("http://127.0.0.1/story")
    mw.process_request(bare)
    mw.process_exception(bare, ValueError())
    assert b"Cookie" not in bare.headers


def test_a_dotless_host_gets_its_cookie_and_no_other_host_does():
    settings = Settings({"NEWSBITE_SESSION_COOKIES": "localhost: lh=1"})
    jar = session_from_settings(settings, environ={})
    assert jar.header_for("http://localhost:8080/story") == "lh=1"
    assert jar.header_for("http://www.localhost:8080/story") is None
    assert jar.header_for("http://127.0.0.1:8080/story") is None
