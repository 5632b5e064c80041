"""Issue 12: every response is classified once (readable / binary_body / empty_body / too_deep /
botwall / shell), cheapest test first, and the middlewares and the spider read that one result.

Pages: the bundled fixtures (synthetic, see fixtures/LICENSE-NOTES.md) and markup invented here.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from helpers import make_spider
from scrapy.http import HtmlResponse, Request, Response, TextResponse

import newsbite.classify as classify_module
from newsbite.classify import (
    BINARY,
    BOTWALL,
    EMPTY,
    READABLE,
    SHELL,
    TOO_DEEP,
    ClassifyMiddleware,
    classification_of,
    classify,
)
from newsbite.extract import botwall as botwall_module
from newsbite.fixtures import FIXTURES_ROOT, iter_fixture_dirs, load_meta, run_crawl
from newsbite.middlewares.botwall import BotWallMiddleware
from newsbite.middlewares.render import RenderMiddleware
from newsbite.render import detect_shell

AU = FIXTURES_ROOT / "theaustralian"
FREE = (AU / "paywall-statuses/pages/free.html").read_bytes()
SHELL_PAGE = (AU / "paywall-statuses/pages/js-built-shell.html").read_bytes()
WALL = (AU / "no-cookies-botwall/pages/story.html").read_bytes()
CP1252 = (AU / "windows-1252-story/pages/story.html").read_text("utf-8")
STORY = (
    "https://www.theaustralian.com.au/nation/x/story/news-story/0123456789abcdef0123456789abcdef"
)
UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def response(body: bytes, headers: dict | None = None, url: str = STORY, **meta) -> HtmlResponse:
    request = Request(url, meta=meta)
    return HtmlResponse(url, body=body, headers=headers or UTF8, request=request)


def nested(inner: str, depth: int, tag: str = "div") -> bytes:
    return (f"<html><body>{f'<{tag}>' * depth}{inner}{f'</{tag}>' * depth}</body></html>").encode()


STORY_PARAS = "".join(
    f"<p>Paragraph {n} of a story long enough to be read as one.</p>" for n in range(8)
)


@pytest.mark.parametrize(
    "made, verdict, signal",
    [
        (lambda: response(FREE), READABLE, None),
        (lambda: response(WALL), BOTWALL, "no-cookies"),
        (lambda: response(SHELL_PAGE), SHELL, "empty-app-root:app"),
        (lambda: response(b""), EMPTY, None),
        (lambda: response(b"  \n\t "), EMPTY, None),
        (
            lambda: response(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
            BINARY,
            None,
        ),
        (
            lambda: Response(STORY, body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}),
            BINARY,
            None,
        ),
        # 3,000 nested blockquotes: not wrappers, so flattening cannot save the page
        (lambda: response(nested("<p>deep</p>", 3000, "blockquote")), TOO_DEEP, None),
    ],
)
def test_each_verdict(made, verdict, signal):
    found = classify(made())
    assert (found.verdict, found.signal) == (verdict, signal)
    assert (found.selector is not None) == (verdict in (READABLE, SHELL, BOTWALL))


def test_deeply_nested_story_is_flattened_and_readable():
    page = nested(f"<div id='story-primary'>{STORY_PARAS}</div>", 5000)
    found = classify(response(page))
    assert found.verdict == READABLE and found.problems == ("deep_nesting",)
    assert len(found.selector.css("#story-primary p")) == 8


def test_a_shell_is_only_looked_for_on_page_answers_that_were_not_rendered():
    assert classify(response(SHELL_PAGE), page=False).verdict == READABLE  # a feed, a sitemap
    rendered = response(SHELL_PAGE, playwright=True)
    assert classify(rendered).verdict == READABLE
    not_found = HtmlResponse(STORY, status=404, body=SHELL_PAGE, headers=UTF8)
    assert classify(not_found).verdict == READABLE


def test_undeclared_windows_1252_is_decoded_as_such():
    body = CP1252.replace('<meta charset="windows-1252">', "").encode("cp1252")
    assert b"charset" not in body.lower()
    found = classify(response(body, headers={"Content-Type": "text/html"}))
    assert found.verdict == READABLE and found.encoding == "cp1252"
    assert "Café" in " ".join(found.selector.css("#story-primary p::text").getall())
    declared = classify(response(CP1252.encode("cp1252"), {"Content-Type": "text/html"}))
    assert declared.encoding is None  # a declared charset stands as Scrapy read it


def test_cheap_tests_come_before_any_walk_of_the_text(monkeypatch):
    """An ordinary story never pays for a count of its text: the wall test looks at <title>
    and <h1> first, the shell test at the story container's paragraphs first."""
    calls = []

    def counting(sel):
        calls.append(sel)
        return 0

    monkeypatch.setattr(botwall_module, "visible_text_length", counting)
    monkeypatch.setattr("newsbite.render.visible_text_length", counting)
    assert classify(response(FREE)).verdict == READABLE
    assert calls == []
    assert classify(response(WALL)).verdict == BOTWALL  # a wall title: then the text is counted
    assert len(calls) == 1


def test_a_long_page_titled_like_a_wall_is_a_story():
    page = (
        "<html><head><title>No cookies for Santa this year</title></head><body>"
        f"<h1>No cookies for Santa</h1><div id='story-primary'>{STORY_PARAS * 6}</div>"
        "<script>var x = 'No Cookies';</script></body></html>"
    ).encode()
    assert classify(response(page)).verdict == READABLE


def test_challenge_markup_needs_its_token_and_its_element():
    page = b"<html><body><form id='challenge-form'></form>" + b"</body></html>"
    assert classify(response(page)).signal == "cloudflare-challenge"
    # the word alone in story text is not a challenge
    text = f"<html><body><div id='story-primary'>{STORY_PARAS}<p>challenge-form</p></div>"
    assert classify(response((text + "</body></html>").encode())).verdict == READABLE


def test_visible_text_leaves_out_scripts_and_styles():
    from parsel import Selector

    sel = Selector(
        text="<html><body><p>abc def</p><script>var hidden = 1;</script>"
        "<style>p{}</style><noscript><p>enable js</p></noscript></body></html>"
    )
    assert botwall_module.visible_text_length(sel) == len("abc def")


def test_shell_container_text_is_not_counted_twice():
    from parsel import Selector

    # 120 characters inside <main><article>: counted once, so below the 200 of a story
    page = (
        "<html><body><main><article><p>" + "x" * 120 + "</p></article></main>"
        "<div id='app'></div><script src='a.js'></script></body></html>"
    )
    assert detect_shell(Selector(text=page)) == "empty-app-root:app"


# --- once per response ---------------------------------------------------------------------------


def middlewares(**settings):
    spider = make_spider({"NEWSBITE_BOTWALL_BACKOFF": 0, "NEWSBITE_RENDER": "never", **settings})
    crawler = spider.crawler
    return spider, [
        ClassifyMiddleware.from_crawler(crawler),
        BotWallMiddleware.from_crawler(crawler),
        RenderMiddleware.from_crawler(crawler),
    ]


def through(mws, resp):
    async def chain():
        out = resp
        for mw in mws:
            result = mw.process_response(resp.request, out)
            out = await result if asyncio.iscoroutine(result) else result
        return out

    return asyncio.run(chain())


@pytest.mark.parametrize("body", [FREE, SHELL_PAGE, b"\x89PNG\r\n\x1a\n" + bytes(300)])
def test_middlewares_and_spider_share_one_classification(monkeypatch, body):
    counted = []
    real = classify_module.classify

    def counting(resp, **kw):
        counted.append(resp.url)
        return real(resp, **kw)

    monkeypatch.setattr(classify_module, "classify", counting)
    spider, mws = middlewares()
    out = through(mws, response(body))
    spider.readable(out)
    assert counted == [STORY]
    assert spider.crawler.stats.get_value("newsbite/classify/computed") == 1


def test_large_bodies_are_classified_in_a_thread(monkeypatch):
    import threading

    on_main = []
    real = classify_module.classify

    def where(resp, **kw):
        on_main.append(threading.current_thread() is threading.main_thread())
        return real(resp, **kw)

    async def to_thread(fn, *args, **kwargs):  # the reactor's pool stands in for asyncio's here
        return await asyncio.to_thread(fn, *args, **kwargs)

    monkeypatch.setattr(classify_module, "classify", where)
    monkeypatch.setattr(classify_module, "in_thread", to_thread)
    spider, mws = middlewares(NEWSBITE_THREAD_PARSE_BYTES=len(FREE) + 100)
    big = through(mws[:1], response(FREE + b"<!--" + b"x" * 200 + b"-->"))
    small = through(mws[:1], response(FREE))
    assert on_main == [False, True]
    assert classification_of(big).verdict == classification_of(small).verdict == READABLE
    stats = spider.crawler.stats.get_stats()
    assert stats["newsbite/classify/in_thread"] == 1 and stats["newsbite/classify/computed"] == 2


def test_an_unclassified_response_is_classified_by_the_spider(caplog):
    spider = make_spider()
    with caplog.at_level(logging.WARNING):
        assert spider.readable(response(WALL)) is None
        assert spider.readable(response(b"")) is None
        sel = spider.readable(response(FREE))
    assert sel is not None and sel.css("h1")
    stats = spider.crawler.stats.get_stats()
    assert stats["newsbite/botwall/no-cookies"] == 1 and stats["newsbite/skipped/empty_body"] == 1
    assert stats["newsbite/classify/computed"] == 3
    assert caplog.text.count(STORY) == 2  # one WARNING each, naming the URL


def test_text_response_that_is_not_html_still_parses():
    plain = TextResponse(STORY, body=FREE, headers={"Content-Type": "text/plain; charset=utf-8"})
    assert classify(plain).verdict == READABLE


def test_replayed_crawl_of_every_theaustralian_fixture_classifies_each_response_once():
    urls = sorted(
        {
            url
            for folder in iter_fixture_dirs(FIXTURES_ROOT)
            if load_meta(folder)["spider"] == "theaustralian"
            for url in load_meta(folder)["urls"]
        }
    )
    assert len(urls) > 10
    run = run_crawl(
        "theaustralian",
        {"urls": " ".join(urls)},
        {
            "NEWSBITE_CASSETTE_MODE": "replay",
            "NEWSBITE_BOTWALL_BACKOFF": 0,
            "NEWSBITE_EXPECT_ITEMS": False,
            "LOG_LEVEL": "DEBUG",
        },
        timeout=300,
    )
    assert run.returncode == 0, run.log[-3000:]
    stats = run.stats
    responses = stats["downloader/response_count"] - stats.get("robotstxt/response_count", 0)
    # every answer but robots.txt was classified, and none twice: the bot-wall and render
    # middlewares and the spider read the one result (the wall's retries are new answers)
    assert stats["newsbite/classify/computed"] == responses
    classified = [
        line for line in run.log.splitlines() if "[newsbite.classify] DEBUG: classified" in line
    ]
    assert len(classified) == responses
    assert stats["newsbite/classify/botwall"] == stats["newsbite/botwall/answers"] == 3
    assert stats["newsbite/classify/shell"] == 1  # the script-built story, then its rendering
    assert run.items and not any(
        i["url"].endswith("6aff340677bf3b8b04d7ce2ea4184299") for i in run.items
    )


def test_a_classified_response_and_its_tree_are_freed_with_it():
    """The cache rides on the response without keeping it alive: a crawl's memory must not
    grow with every page it has read (issue 12, flat memory)."""
    import gc
    import weakref

    page = response(FREE)
    found = classification_of(page)
    assert found.selector is not None and classify_module.cached(page) is found
    gone = weakref.ref(page)
    del page, found
    gc.collect()
    assert gone() is None
    assert len(classify_module._CACHE) == 0
