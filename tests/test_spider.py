"""The spider without a reactor: start requests, listings, depth bound and bad input."""

from __future__ import annotations

import asyncio
import logging

import pytest
from conftest import SEED_URL
from helpers import crawl_response, html_response, make_spider, run_pipelines
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from newsbite.items import Article

TOPIC = "https://www.theaustralian.com.au/topics/isis"
STORY = (
    "https://www.theaustralian.com.au/nation/x/story/news-story/0123456789abcdef0123456789abcdef"
)


def start_requests(spider) -> list[Request]:
    async def collect():
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


def test_default_topic_and_arguments():
    assert [r.url for r in start_requests(make_spider())] == [TOPIC]
    two = make_spider(topics="isis,newspoll")
    assert [r.url for r in start_requests(two)] == [
        TOPIC,
        "https://www.theaustralian.com.au/topics/newspoll",
    ]
    urls = make_spider(urls=f"{SEED_URL} {STORY}")
    requests = start_requests(urls)
    assert [r.url for r in requests] == [SEED_URL, STORY]
    assert all(
        r.callback == urls.parse_article and r.cb_kwargs == {"depth": None} for r in requests
    )


def listing_page(next_link: bool) -> str:
    cards = "".join(
        f'<article class="storyblock"><h4 class="storyblock_title"><a href="/world/s{i}/news-story/'
        f'{i:032x}">S{i}</a></h4></article>'
        for i in range(3)
    )
    nav = '<a class="pagination_next" rel="next" href="?page=2">Next</a>' if next_link else ""
    return f"<html><body><h1>Isis</h1>{cards}<a href='/video/v'>v</a>{nav}</body></html>"


def test_listing_follows_stories_and_pagination_within_bound():
    spider = make_spider({"NEWSBITE_MAX_TOPIC_PAGES": 2})
    out = list(
        spider.parse_listing(
            html_response(TOPIC, listing_page(True)), topic="isis", depth=0, page=1
        )
    )
    stories = [r for r in out if r.callback == spider.parse_article]
    pages = [r for r in out if r.callback == spider.parse_listing]
    assert len(stories) == 3 and all(r.cb_kwargs == {"depth": 0} for r in stories)
    assert [r.url for r in pages] == [TOPIC + "?page=2"]
    assert pages[0].cb_kwargs == {"topic": "isis", "depth": 0, "page": 2}
    last = list(
        spider.parse_listing(
            html_response(TOPIC + "?page=2", listing_page(True)), topic="isis", depth=0, page=2
        )
    )
    assert not [r for r in last if r.callback == spider.parse_listing]
    assert stats(spider)["newsbite/listing/page_limit_reached"] == 1


def test_related_topics_followed_only_to_the_depth_bound(seed_html):
    spider = make_spider({"NEWSBITE_TOPIC_DEPTH": 1})
    out = crawl_response(spider, html_response(SEED_URL, seed_html), depth=0)
    follow = [r for r in out if isinstance(r, Request)]
    assert [r.url for r in follow] == [TOPIC]
    assert follow[0].cb_kwargs["depth"] == 1
    deeper = crawl_response(spider, html_response(SEED_URL, seed_html), depth=1)
    assert not [r for r in deeper if isinstance(r, Request)]
    by_url = crawl_response(spider, html_response(SEED_URL, seed_html), depth=None)
    assert [type(x) for x in by_url] == [Article]


@pytest.mark.parametrize(
    "response, stat",
    [
        (TextResponse(STORY, body=b"", encoding="utf-8"), "newsbite/skipped/empty_body"),
        (TextResponse(STORY, body=b"  \n ", encoding="utf-8"), "newsbite/skipped/empty_body"),
        (
            Response(
                STORY, body=b"\x89PNG\r\n\x1a\n\x00\x00", headers={"Content-Type": "image/png"}
            ),
            "newsbite/skipped/binary_body",
        ),
    ],
)
def test_unreadable_bodies_are_skipped_with_reason(response, stat, caplog):
    spider = make_spider()
    with caplog.at_level(logging.WARNING):
        assert crawl_response(spider, response) == []
    assert stats(spider)[stat] == 1
    assert STORY in caplog.text


def test_no_cookies_bot_wall_is_not_an_article(caplog):
    wall = (
        "<html><head><title>No Cookies | The Australian</title></head><body><h1>No Cookies</h1>"
        "<p>Please enable cookies and reload the page.</p></body></html>"
    )
    spider = make_spider()
    with caplog.at_level(logging.WARNING):
        assert crawl_response(spider, html_response(STORY, wall)) == []
    assert stats(spider)["newsbite/botwall"] == 1
    assert stats(spider)["newsbite/botwall/no-cookies"] == 1
    assert "no-cookies" in caplog.text and STORY in caplog.text


def test_story_about_cookies_is_not_a_wall(seed_html):
    html = seed_html.replace(
        "Jihadists irate as ISIS \u2018leader\u2019 does a runner in the desert",
        "No cookies for Santa this year",
    )
    spider = make_spider()
    assert len(crawl_response(spider, html_response(SEED_URL, html))) == 1


def test_windows_1252_page_decodes(seed_html):
    html = seed_html.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    html = html.replace("NewsBite", "Caf\u00e9 \u2013 NewsBite")
    body = html.encode("cp1252", errors="replace")
    response = TextResponse(
        SEED_URL, body=body, headers={"Content-Type": "text/html; charset=windows-1252"}
    )
    [item] = crawl_response(make_spider(), response)
    assert item.headline == "Jihadists irate as ISIS \u2018leader\u2019 does a runner in the desert"
    assert "Caf\u00e9 \u2013 NewsBite" in item.body


def test_truncated_html_gives_a_partial_valid_item(seed_html):
    cut = seed_html[: seed_html.index("Baghdadi\u2019s true identity") + 5]
    spider = make_spider()
    [item] = crawl_response(spider, html_response(SEED_URL, cut))
    out = run_pipelines(spider, item)
    assert out is not None and 5 <= len(out["body"]) < 14


def test_story_without_headline_is_dropped_with_a_stat():
    html = (
        "<html><body><article id='story'><div id='story-primary'><p>Only a paragraph.</p>"
        "</div></article></body></html>"
    )
    spider = make_spider()
    [item] = crawl_response(spider, html_response(STORY, html))
    assert run_pipelines(spider, item) is None
    assert stats(spider)["newsbite/dropped/missing_headline"] == 1


def test_parser_crash_is_logged_and_counted(caplog, monkeypatch):
    spider = make_spider()

    def broken(url, sel, publisher):
        raise ValueError("boom")

    monkeypatch.setattr("newsbite.spiders.base.extract_fields", broken)
    with caplog.at_level(logging.ERROR):
        assert crawl_response(spider, html_response(STORY, "<html><h1>x</h1></html>")) == []
    assert stats(spider)["newsbite/failed/parser_error"] == 1
    assert "parser failed" in caplog.text


@pytest.mark.parametrize("status", [404, 429, 503])
def test_http_errors_are_counted_by_status(status, caplog):
    spider = make_spider()
    response = Response(STORY, status=status, request=Request(STORY))
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = Request(STORY)
    with caplog.at_level(logging.ERROR):
        spider.on_error(failure)
    assert stats(spider)[f"newsbite/failed/http_{status}"] == 1
    assert STORY in caplog.text


def test_unknown_layout_falls_back_to_the_generic_extractor():
    paragraphs = "".join(
        f"<p>Paragraph {i} of a story on a layout the platform parser has never seen, "
        "long enough to read as prose rather than page furniture.</p>"
        for i in range(6)
    )
    html = (
        "<html><head><title>New layout | The Australian</title></head><body>"
        f"<main><div class='redesign-2030'><h1>New layout story</h1>{paragraphs}</div></main>"
        "</body></html>"
    )
    spider = make_spider()
    [item] = crawl_response(spider, html_response(STORY, html))
    assert item.extractor.startswith("generic/")
    assert len(item.body) == 6 and item.body[0].startswith("Paragraph 0 of a story")
    assert stats(spider)["newsbite/extract/generic_fallback"] == 1


def test_shell_page_gets_no_fallback_body():
    html = (
        "<html><head><title>The Australian</title></head><body><div id='app'></div>"
        "<noscript>You need to enable JavaScript to read this story.</noscript></body></html>"
    )
    spider = make_spider()
    [item] = crawl_response(spider, html_response(STORY, html))
    assert item.body == []  # so validation drops it: a shell is no story


def test_no_callback_is_a_generator_returning_a_value():
    """What Scrapy's WARN_ON_GENERATOR_RETURN_VALUE checks per response (off in newsbite's
    settings: it re-parses a callback's source whenever its cache drops it), checked here once
    for every spider callback: a generator's `return value` would be silently lost."""
    from scrapy.utils.misc import is_generator_with_return_value

    from newsbite import settings
    from newsbite.spiders.base import NewsSpider
    from newsbite.spiders.news import AnyNewsSpider

    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    spiders = [NewsSpider, AnyNewsSpider]
    callbacks = [
        getattr(cls, name)
        for cls in spiders
        for name in dir(cls)
        if name.startswith(("parse", "on_")) and callable(getattr(cls, name))
    ]
    assert len(callbacks) >= 6
    assert not [f.__qualname__ for f in callbacks if is_generator_with_return_value(f)]
