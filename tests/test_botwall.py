"""Bot walls: recognised in the downloader, retried with backoff a bounded number of times, then
recorded as blocked with no article; a crawl of mostly walls ends early (issue 4)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newsbite.middlewares.botwall import BotWallBlocked, BotWallMiddleware
from newsbite.testing import Simulator
from newsbite.testing import html_route as html
from newsbite.testing.crawl import page_bytes as story_html
from newsbite.testing.crawl import paywall_page as page
from newsbite.testing.crawl import run_crawl, story_at, story_path, story_url

WALL = story_html("botwall-no-cookies.html")
FREE = story_html("free.html")
URL = "https://www.theaustralian.com.au/nation/x/news-story/0123456789abcdef0123456789abcdef"


def middleware(**settings):
    spider_cls = SpiderLoader.from_settings(get_project_settings()).load("theaustralian")
    crawler = get_crawler(spider_cls, {"NEWSBITE_BOTWALL_BACKOFF": 0, **settings})
    crawler.spider = spider_cls.from_crawler(crawler)
    return BotWallMiddleware.from_crawler(crawler), crawler


def answer(mw, request, body):
    response = HtmlResponse(request.url, body=body, encoding="utf-8", request=request)
    return asyncio.run(mw.process_response(request, response))


def test_story_passes_wall_is_retried_then_blocked(caplog):
    mw, crawler = middleware(NEWSBITE_BOTWALL_RETRIES=2)
    request = Request(URL)
    assert answer(mw, request, FREE).body == FREE
    first = answer(mw, request, WALL)
    assert isinstance(first, Request) and first.dont_filter and first.meta["retry_times"] == 1
    second = answer(mw, first, WALL)
    assert second.meta["retry_times"] == 2
    with pytest.raises(BotWallBlocked) as blocked:
        answer(mw, second, WALL)
    assert blocked.value.signal == "no-cookies"
    stats = crawler.stats.get_stats()
    assert stats["newsbite/botwall"] == 1
    assert stats["newsbite/botwall/no-cookies"] == 1
    assert stats["newsbite/botwall/blocked_urls"] == [URL]
    assert stats["newsbite/botwall/retry/count"] == 2
    assert any(URL in r.getMessage() and "no-cookies" in r.getMessage() for r in caplog.records)


def test_challenge_page_and_robots_txt():
    mw, _ = middleware(NEWSBITE_BOTWALL_RETRIES=0)
    with pytest.raises(BotWallBlocked) as blocked:
        answer(mw, Request(URL), page("botwall-challenge.html").read_bytes())
    assert blocked.value.signal == "cloudflare-challenge"
    robots = Request(
        "https://www.theaustralian.com.au/robots.txt", meta={"dont_obey_robotstxt": True}
    )
    assert answer(mw, robots, WALL).body == WALL


def test_backoff_doubles_and_is_capped():
    mw, _ = middleware(NEWSBITE_BOTWALL_BACKOFF=2, NEWSBITE_BOTWALL_BACKOFF_MAX=5)
    assert [mw.delay_for(n) for n in (1, 2, 3, 4)] == [2, 4, 5, 5]


@pytest.mark.slow
def test_crawl_retries_a_wall_then_gets_the_story_and_blocks_a_persistent_wall(tmp_path):
    flaky, wall = story_path(1), story_path(2)
    routes = {
        # a wall for the first two asks, then the story
        flaky: lambda n: html(WALL if n <= 2 else story_at(FREE, flaky)),
        wall: html(WALL),
        **{story_path(n): html(story_at(FREE, story_path(n))) for n in (3, 4, 5)},
    }
    with Simulator(stories=0, routes=routes) as srv:
        urls = [story_url(p) for p in routes]
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            urls,
            settings={
                "NEWSBITE_RENDER": "never",
                "NEWSBITE_BOTWALL_RETRIES": 2,
                "NEWSBITE_BOTWALL_BACKOFF": 0.2,
            },
        )
        assert srv.count(flaky) == 3 and srv.count(wall) == 3
        wall_hits = [h for h in srv.hits if h.path == wall]
        times = [h.time for h in wall_hits]
    # exponential backoff between the asks (0.2s, then 0.4s), awaited without blocking the
    # reactor: the other stories were answered in the meantime
    assert times[1] - times[0] >= 0.18 and times[2] - times[1] >= 0.38, times
    others = [h.time for h in srv.hits if h.path not in (wall, flaky)]
    assert min(others) < times[-1]
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    got = sorted(i["url"] for i in crawl.items)
    assert story_url(wall) not in got and story_url(flaky) in got and len(got) == 4
    assert all(i["body"] and i["paywall"]["status"] == "free" for i in crawl.items)
    assert crawl.stats["newsbite/botwall"] == 1
    assert crawl.stats["newsbite/botwall/blocked_urls"] == [story_url(wall)]
    assert crawl.stats["newsbite/botwall/retry/count"] == 4
    assert crawl.stats["finish_reason"] == "finished"
    assert f"bot wall (no-cookies), blocked, no article: {story_url(wall)}" in crawl.log
    assert len(wall_hits) == 3


@pytest.mark.slow
def test_crawl_of_mostly_walls_ends_early(tmp_path):
    walls = {story_path(n, "walled"): html(WALL) for n in range(1, 41)}
    with Simulator(stories=0, routes=walls) as srv:
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            [story_url(p) for p in walls],
            settings={
                "NEWSBITE_RENDER": "never",
                "NEWSBITE_BOTWALL_RETRIES": 2,
                "NEWSBITE_BOTWALL_MIN_RESPONSES": 6,
                "NEWSBITE_BOTWALL_MAX_RATIO": 0.5,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
                "CONCURRENT_REQUESTS": 2,
            },
        )
        hits = len(srv.hits)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert crawl.stats["finish_reason"] == "botwall_ratio"
    assert crawl.items == []
    # 40 URLs x 3 asks would be 120 requests; the crawl stopped long before.
    assert hits < 20, hits
    assert "stopping the crawl" in crawl.log and "NEWSBITE_BOTWALL_MAX_RATIO" in crawl.log


def test_skip_meta_lets_a_wall_through_and_blocked_urls_are_capped():
    mw, crawler = middleware(NEWSBITE_BOTWALL_RETRIES=0)
    skipped = Request(URL, meta={"newsbite_botwall_skip": True})
    assert answer(mw, skipped, WALL).body == WALL
    for n in range(105):
        mw.block(f"{URL}?n={n}", "no-cookies")
    assert len(crawler.stats.get_value("newsbite/botwall/blocked_urls")) == 100


def test_ratio_exactly_at_the_limit_keeps_crawling():
    mw, crawler = middleware(NEWSBITE_BOTWALL_MAX_RATIO=0.5, NEWSBITE_BOTWALL_MIN_RESPONSES=2)
    mw.answers, mw.walls = 4, 2
    mw.check_ratio()
    assert mw.closing is False
    assert crawler.stats.get_value("newsbite/botwall/ratio") is None
