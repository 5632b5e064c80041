"""Issue 11: one story, one request, one line -- under every URL variant, per crawl.

The fingerprinter (newsbite.fingerprint) merges URL variants before the dupefilter (Scrapy's
and scrapy-redis's); redirects between two forms of one story pass the dupefilter; the
written-once guard (newsbite.pipelines.incremental.WrittenOncePipeline) catches what is left.
The crawl-level proof is tests/test_gauntlet.py::test_one_story_under_url_variants_...
"""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsbite.extensions.jobdir import ids_in_feed, record_feeds, recorded_feeds
from newsbite.fingerprint import StoryFingerprinter, canonical_url
from newsbite.middlewares.redirects import NewsRedirectMiddleware, RedirectDropped
from newsbite.pipelines.incremental import Duplicate, WrittenOncePipeline
from newsbite.state.crawl import written_ids
from newsbite.state.ids import StoryIds, key_digest

STORY = (
    "https://www.theaustralian.com.au/nation/politics/a-story/news-story/"
    "0123456789abcdef0123456789abcdef"
)
OTHER = STORY[:-1] + "0"
VARIANTS = [
    STORY,
    STORY + "?utm_source=twitter&utm_medium=social",
    STORY + "?amp",
    STORY + "/amp",
    STORY + "/",
    STORY.replace("https:", "http:"),
    STORY + "#comments",
    STORY.replace("www.theaustralian.com.au", "WWW.THEAUSTRALIAN.COM.AU"),
]


def fp(url: str, **kw) -> bytes:
    return StoryFingerprinter().fingerprint(Request(url, **kw))


def test_every_variant_of_a_story_has_one_fingerprint():
    assert len({fp(url) for url in VARIANTS}) == 1
    assert fp(OTHER) != fp(STORY)


def test_one_story_id_on_two_mastheads_is_two_requests():
    # Same News Corp id, other publisher: a different item (site), so a different request.
    elsewhere = STORY.replace("theaustralian.com.au", "dailytelegraph.com.au")
    assert fp(elsewhere) != fp(STORY)


def test_other_pages_are_canonicalised_but_keep_what_selects_content():
    topic = "https://www.theaustralian.com.au/topics/isis"
    assert fp(topic) == fp(topic + "/") == fp(topic.replace("https", "http") + "#x")
    assert fp(topic + "?b=2&a=1") == fp(topic + "?a=1&b=2")
    assert fp(topic + "?page=2") != fp(topic)
    assert fp("https://example.com/A") != fp("https://example.com/a")  # paths keep their case
    assert fp(topic, method="POST", body=b"a") != fp(topic, method="POST", body=b"b")
    assert canonical_url("HTTP://Example.COM/a/?b=1&a=2#f") == "https://example.com/a?a=2&b=1"


def test_scrapys_dupefilter_filters_the_variants():
    crawler = get_crawler(
        Spider, {"REQUEST_FINGERPRINTER_CLASS": "newsbite.fingerprint.StoryFingerprinter"}
    )
    dupefilter = RFPDupeFilter.from_crawler(crawler)
    seen = [dupefilter.request_seen(Request(url)) for url in VARIANTS]
    assert seen == [False] + [True] * (len(VARIANTS) - 1)


def test_scrapy_redis_dupefilter_fingerprints_the_same_way():
    from newsbite.fingerprint import RedisStoryDupeFilter

    dupefilter = RedisStoryDupeFilter(server=None, key="k")
    assert len({dupefilter.request_fingerprint(Request(url)) for url in VARIANTS}) == 1
    assert dupefilter.request_fingerprint(Request(OTHER)) != dupefilter.request_fingerprint(
        Request(STORY)
    )


# --- redirects between forms of a story ---------------------------------------------------------


class _Spider(Spider):
    name = "theaustralian"
    allowed_domains = ["theaustralian.com.au"]


@pytest.fixture
def redirects():
    crawler = get_crawler(_Spider)
    crawler.spider = _Spider()
    crawler.stats.open_spider()
    mw = NewsRedirectMiddleware.from_crawler(crawler)
    return mw, crawler.stats


def redirect(url: str, location: str, status: int = 301, **headers) -> HtmlResponse:
    return HtmlResponse(url, status=status, headers={"Location": location, **headers})


def test_a_redirect_to_another_form_of_the_story_passes_the_dupefilter(redirects):
    mw, stats = redirects
    http = STORY.replace("https:", "http:")
    result = mw.process_response(Request(http), redirect(http, STORY))
    assert isinstance(result, Request) and result.url == STORY
    assert result.dont_filter  # its fingerprint is the one just fetched: not a duplicate
    other = mw.process_response(Request(STORY), redirect(STORY, OTHER))
    assert not other.dont_filter  # a different story goes through the dupefilter


@pytest.mark.parametrize(
    "kind,location",
    [("self", STORY), ("offsite", "https://elsewhere.example/news-story/" + "0" * 32)],
)
def test_self_and_offsite_redirects_are_counted_and_dropped(redirects, caplog, kind, location):
    mw, stats = redirects
    with pytest.raises(RedirectDropped):
        mw.process_response(Request(STORY), redirect(STORY, location))
    assert stats.get_value(f"newsbite/redirect/{kind}") == 1
    assert [r.levelname for r in caplog.records if STORY in r.getMessage()] == ["WARNING"]


def test_a_self_redirect_that_sets_a_cookie_is_followed_once(redirects):
    mw, stats = redirects
    first = mw.process_response(Request(STORY), redirect(STORY, STORY, **{"Set-Cookie": "a=b"}))
    assert isinstance(first, Request) and first.dont_filter
    with pytest.raises(RedirectDropped):
        mw.process_response(first, redirect(STORY, STORY, **{"Set-Cookie": "a=b"}))


def test_a_loop_is_named_as_a_loop(redirects):
    mw, stats = redirects
    a, b = STORY + "/a", STORY + "/b"
    hop = mw.process_response(Request(a), redirect(a, b, 302))
    with pytest.raises(RedirectDropped):
        mw.process_response(hop, redirect(b, a, 302))
    assert stats.get_value("newsbite/redirect/loop") == 1


# --- written once -------------------------------------------------------------------------------


def test_written_once_guard_drops_a_second_copy_of_an_id():
    crawler = get_crawler(_Spider)
    crawler.stats.open_spider()
    guard = WrittenOncePipeline(StoryIds(), crawler.stats, "theaustralian")
    item = {"id": "abc", "site": "theaustralian", "url": STORY}
    assert guard.process_item(dict(item)) == item
    with pytest.raises(Duplicate, match=STORY):
        guard.process_item({**item, "url": STORY + "?amp"})
    assert guard.process_item({**item, "id": "def"})["id"] == "def"
    assert guard.process_item({**item, "site": "dailytelegraph"})  # another site's story
    assert crawler.stats.get_value("newsbite/duplicate") == 1


def test_story_ids_hold_pairs_as_digests():
    ids = StoryIds([("s", "1"), ("s", "2")])
    ids.add(("t", "1"))
    ids.update([("s", "2"), ("s", "3")])
    assert len(ids) == 4
    assert ("s", "1") in ids and ("t", "1") in ids and ("s", "3") in ids
    # the site is part of the key, and the split between site and id matters
    assert ("u", "1") not in ids and ("s1", "") not in ids and "s1" not in ids
    assert key_digest("ab", "c") != key_digest("a", "bc")
    assert ids.common(StoryIds([("s", "1"), ("x", "9"), ("t", "1")])) == 2
    # one small int per story, never the strings themselves
    assert all(isinstance(d, int) and d < 2**64 for d in ids._digests)


def test_written_ids_are_shared_by_one_crawler_and_compact():
    crawler = get_crawler(_Spider)
    assert written_ids(crawler) is written_ids(crawler)
    assert isinstance(written_ids(crawler), StoryIds)


def test_ids_are_read_back_from_recorded_feeds_skipping_torn_lines(tmp_path):
    feed = tmp_path / "a.jsonl"
    feed.write_bytes(b'{"id": "1", "site": "s"}\n{"id": "2", "site": "s"}\n{"id": "3", "si')
    assert set(ids_in_feed(feed)) == {("s", "1"), ("s", "2")}
    assert list(ids_in_feed(tmp_path / "missing.jsonl")) == []
    record_feeds(tmp_path, [feed, feed])
    record_feeds(tmp_path, [tmp_path / "b.jsonl", feed])
    assert recorded_feeds(tmp_path) == [str(feed.resolve()), str((tmp_path / "b.jsonl").resolve())]
