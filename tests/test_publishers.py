"""Publisher entries and the registry; spider arguments; RSS, sitemap and robots sources."""

from __future__ import annotations

import asyncio
import gzip
import subprocess
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from helpers import make_spider
from scrapy.http import Request, TextResponse, XmlResponse
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newsbite import publishers
from newsbite.errors import UsageError
from newsbite.fixtures import iter_fixture_dirs, load_meta
from newsbite.spiders.base import SITEMAPS_NEXT
from newsbite.spiders.news import AnyNewsSpider
from newsbite.spiders.publishers import SPIDERS

NEWSCORP = (
    "theaustralian newscomau dailytelegraph heraldsun couriermail adelaidenow ntnews "
    "themercury geelongadvertiser goldcoastbulletin townsvillebulletin cairnspost weeklytimesnow"
).split()
STORY = "https://www.theaustralian.com.au/nation/x/news-story/0123456789abcdef0123456789abcdef"


def start(spider) -> list[Request]:
    async def collect():
        return [r async for r in spider.start()]

    return asyncio.run(collect())


def news_spider(**kwargs):
    project = get_project_settings().copy_to_dict()
    crawler = get_crawler(AnyNewsSpider, project)
    spider = AnyNewsSpider.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


# --- the registry ------------------------------------------------------------------------------


def test_every_newscorp_masthead_has_an_entry_and_a_spider():
    names = [p.name for p in publishers.all_publishers()]
    for name in NEWSCORP:
        assert name in names and name in SPIDERS
        assert SPIDERS[name].publisher is publishers.get(name)


def test_scrapy_list_shows_one_spider_per_publisher_and_news():
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(NEWSCORP) | {"news"} <= set(listed)
    assert len(listed) == len(set(listed))


@pytest.mark.parametrize(
    "name, zone, offset_january, offset_july",
    [
        ("theaustralian", "Australia/Sydney", 11, 10),
        ("couriermail", "Australia/Brisbane", 10, 10),  # Queensland: no daylight saving
        ("goldcoastbulletin", "Australia/Brisbane", 10, 10),
        ("adelaidenow", "Australia/Adelaide", 10.5, 9.5),  # half hours
        ("ntnews", "Australia/Darwin", 9.5, 9.5),  # half hours, no daylight saving
        ("themercury", "Australia/Hobart", 11, 10),
        ("heraldsun", "Australia/Melbourne", 11, 10),
    ],
)
def test_each_masthead_has_its_own_time_zone(name, zone, offset_january, offset_july):
    publisher = publishers.get(name)
    assert publisher.timezone == zone
    for month, hours in ((1, offset_january), (7, offset_july)):
        when = datetime(2026, month, 15, tzinfo=ZoneInfo(publisher.timezone))
        assert when.utcoffset().total_seconds() == hours * 3600


def test_registry_finds_publishers_by_domain_and_subdomain():
    assert publishers.for_url("https://www.couriermail.com.au/news/x").name == "couriermail"
    assert publishers.for_url("https://m.heraldsun.com.au/a").name == "heraldsun"
    assert publishers.for_url("https://notcouriermail.com.au/x") is None
    assert publishers.for_url("https://example.org/x") is None
    generic = publishers.generic_for("https://www.example.org/news/1")
    assert generic.name == "example.org" and generic.group.articles == ()
    with pytest.raises(KeyError, match="known: theaustralian"):
        publishers.get("theaustralien")


def test_every_masthead_prints_names_the_credit_registry_knows():
    from newsbite.normalise.credits import CreditRegistry

    credits = CreditRegistry.default()
    for name in NEWSCORP:
        title = publishers.get(name).title
        credit = credits.lookup(title.upper())
        assert credit is not None and credit.source == title, name


def fixture_story_urls() -> list[tuple[str, str]]:
    found = []
    for fixture in iter_fixture_dirs():
        meta = load_meta(fixture)
        for url in meta.get("urls") or []:
            found.append((meta.get("spider") or fixture.parent.name, url))
    return found


def test_story_id_rule_and_item_id_agree_on_every_fixture_url():
    """One rule: the skip-before-download key (story_id) is the item's id wherever the URL
    carries one, for every URL any fixture records."""
    checked = 0
    for spider, url in fixture_story_urls():
        try:
            publisher = publishers.get(spider)
        except KeyError:
            continue
        story_id = publisher.story_key(url)
        if story_id is None:
            continue
        assert publisher.id_for(url, canonical_url=url) == story_id, url
        assert publisher.id_for(url) == story_id, url
        checked += 1
    assert checked >= 10


def test_the_item_id_is_the_entry_rule_also_in_the_chain(seed_html):
    from conftest import SEED_URL

    from newsbite.process import extract

    outcome = extract(SEED_URL, seed_html)
    assert outcome.item is not None
    assert outcome.item.id == publishers.get("theaustralian").story_id(SEED_URL)


# --- arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"topic": "isis"}, "unknown argument 'topic'.*did you mean 'topics'"),
        ({"urls": "www.theaustralian.com.au/x"}, "not an absolute http"),
        ({"urls": "https://www.bbc.co.uk/news/1"}, "not on The Australian.*scrapy crawl news"),
        ({"sources": "rss,atom"}, "'atom' is not a source"),
        ({"since": "last week"}, "since='last week' is not a date"),
        ({"urls": STORY, "topics": "isis"}, "urls= crawls those pages only"),
        ({"topics": "isis", "sources": "rss"}, "topics= needs 'topics'"),
    ],
)
def test_wrong_arguments_are_one_clear_usage_error(kwargs, message):
    with pytest.raises(UsageError, match=message):
        make_spider(**kwargs)


def test_topics_are_comma_separated_and_may_contain_spaces():
    spider = make_spider(topics="isis, federal politics")
    assert [r.url for r in start(spider)] == [
        "https://www.theaustralian.com.au/topics/isis",
        "https://www.theaustralian.com.au/topics/federal-politics",
    ]


def test_a_topic_page_given_as_url_is_crawled_as_a_listing():
    spider = make_spider(urls="https://www.theaustralian.com.au/topics/isis " + STORY)
    listing, story = start(spider)
    assert listing.callback == spider.parse_listing and story.callback == spider.parse_article


def test_sources_pick_topics_rss_and_robots_sitemaps():
    spider = make_spider(sources="topics,rss,sitemap")
    urls = [r.url for r in start(spider)]
    assert urls == [
        "https://www.theaustralian.com.au/topics/isis",
        "https://www.theaustralian.com.au/feed",
        "https://www.theaustralian.com.au/robots.txt",
    ]


def test_scrapyd_job_argument_is_accepted():
    make_spider(_job="abc123")


# --- RSS, robots.txt and sitemaps ----------------------------------------------------------------

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>World</title>
<item><title>New</title><link>{new}</link><pubDate>Mon, 02 Nov 2026 10:00:00 +1100</pubDate></item>
<item><title>Old</title><link>{old}</link><pubDate>Sat, 03 Oct 2026 10:00:00 +1000</pubDate></item>
<item><title>Video</title><link>https://www.theaustralian.com.au/video/v1</link></item>
</channel></rss>"""
NEW = "https://www.theaustralian.com.au/world/a/news-story/" + "a" * 32
OLD = "https://www.theaustralian.com.au/world/b/news-story/" + "b" * 32


def test_rss_gives_story_requests_and_since_skips_old_entries_before_download():
    spider = make_spider(sources="rss", since="2026-11-01")
    response = XmlResponse(
        "https://www.theaustralian.com.au/feed", body=RSS.format(new=NEW, old=OLD).encode()
    )
    requests = list(spider.parse_feed(response))
    assert [r.url for r in requests] == [NEW]
    assert requests[0].meta["newsbite_story"]["id"] == "a" * 32
    stats = spider.crawler.stats.get_stats()
    assert stats["newsbite/sources/older_than_since"] == 1
    assert stats["newsbite/sources/rss/not_a_story"] == 1


def test_without_since_every_story_of_the_feed_is_requested():
    spider = make_spider(sources="rss")
    response = XmlResponse(
        "https://www.theaustralian.com.au/feed", body=RSS.format(new=NEW, old=OLD).encode()
    )
    assert [r.url for r in spider.parse_feed(response)] == [NEW, OLD]


@pytest.mark.parametrize(
    "body, ctype, reason",
    [
        (b"<html><body><h1>Not a feed</h1></body></html>", "text/html", "html_not_feed"),
        (b"<?xml version='1.0'?><rss><channel><item><title>x", "application/xml", "malformed_feed"),
    ],
)
def test_bad_feeds_give_a_reason_a_stat_and_a_warning(body, ctype, reason, caplog):
    spider = make_spider(sources="rss")
    response = TextResponse(
        "https://www.theaustralian.com.au/feed",
        body=body,
        headers={"Content-Type": ctype},
        encoding="utf-8",
    )
    assert list(spider.parse_feed(response)) == []
    assert spider.crawler.stats.get_value(f"newsbite/sources/rss/bad/{reason}") == 1
    assert "unreadable rss" in caplog.text and response.url in caplog.text


ROBOTS = "User-agent: *\nAllow: /\nSitemap: https://www.theaustralian.com.au/news-sitemap.xml\n"
INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.theaustralian.com.au/sitemap-1.xml.gz</loc></sitemap>
</sitemapindex>"""
NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{new}</loc><news:news><news:publication>
<news:name>The Australian</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2026-11-02T10:00:00+11:00</news:publication_date>
<news:title>New</news:title></news:news></url>
<url><loc>{old}</loc><lastmod>2026-10-01</lastmod></url>
</urlset>"""


def test_robots_sitemap_lines_lead_to_sitemaps():
    spider = make_spider(sources="sitemap")
    robots = TextResponse(
        "https://www.theaustralian.com.au/robots.txt", body=ROBOTS.encode(), encoding="utf-8"
    )
    [request] = spider.parse_robots(robots)
    assert request.url == "https://www.theaustralian.com.au/news-sitemap.xml"
    assert request.callback == spider.parse_sitemap


def test_sitemap_index_and_gzip_news_sitemap_with_since():
    spider = make_spider(sources="sitemap", since="2026-11-01")
    index = XmlResponse("https://www.theaustralian.com.au/news-sitemap.xml", body=INDEX.encode())
    [nested] = spider.parse_sitemap(index)
    assert nested.url.endswith("sitemap-1.xml.gz")
    gz = gzip.compress(NEWS.format(new=NEW, old=OLD).encode())
    response = TextResponse(nested.url, body=gz, headers={"Content-Type": "application/x-gzip"})
    assert [r.url for r in spider.parse_sitemap(response)] == [NEW]


SITE = "https://www.theaustralian.com.au"


def _index(*locs: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{SITE}{loc}</loc></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()


def _answer(request: Request, body: bytes) -> XmlResponse:
    return XmlResponse(request.url, body=body, request=request)


def test_the_sitemaps_of_an_index_are_asked_for_one_after_another():
    spider = make_spider(sources="sitemap")
    index = Request(f"{SITE}/news-sitemap.xml", meta={})
    [first] = spider.parse_sitemap(_answer(index, _index("/s1.xml", "/s2.xml", "/s3.xml")))
    assert first.url == f"{SITE}/s1.xml" and first.priority == 0
    assert first.meta[SITEMAPS_NEXT] == [f"{SITE}/s2.xml", f"{SITE}/s3.xml"]
    # The first sitemap's stories, then the second sitemap, below the stories' priority.
    *stories, second = spider.parse_sitemap(_answer(first, NEWS.format(new=NEW, old=OLD).encode()))
    assert [r.url for r in stories] == [NEW, OLD]
    assert all(r.priority > second.priority for r in stories)
    assert second.url == f"{SITE}/s2.xml" and second.meta[SITEMAPS_NEXT] == [f"{SITE}/s3.xml"]
    # A sitemap that cannot be read, or whose request fails, does not end the chain.
    [third] = spider.parse_sitemap(_answer(second, b"<html>Sorry</html>"))
    assert third.url == f"{SITE}/s3.xml" and third.meta[SITEMAPS_NEXT] == []
    assert list(spider.parse_sitemap(_answer(third, NEWS.format(new=NEW, old=OLD).encode())))


def test_a_failed_sitemap_of_an_index_hands_on_to_the_next():
    spider = make_spider(sources="sitemap")
    index = Request(f"{SITE}/news-sitemap.xml")
    [first] = spider.parse_sitemap(_answer(index, _index("/s1.xml", "/s2.xml")))
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = first
    [second] = first.errback(failure)
    assert second.url == f"{SITE}/s2.xml"
    assert spider.crawler.stats.get_value("newsbite/failed/ConnectionRefusedError") == 1


def test_an_index_listing_itself_or_a_sitemap_twice_does_not_loop():
    spider = make_spider(sources="sitemap")
    index = spider.source_request(f"{SITE}/news-sitemap.xml", "sitemap")
    body = _index("/news-sitemap.xml", "/s1.xml", "/s1.xml")
    [first] = spider.parse_sitemap(_answer(index, body))
    assert first.url == f"{SITE}/s1.xml" and first.meta[SITEMAPS_NEXT] == []
    # s1 answering with the same index: it and the index were asked for already, no request.
    assert list(spider.parse_sitemap(_answer(first, body))) == []


def test_a_gzip_sitemap_that_is_not_gzip_or_xml_is_reported(caplog):
    spider = make_spider(sources="sitemap")
    response = TextResponse(
        "https://www.theaustralian.com.au/sitemap-1.xml.gz",
        body=b"\x1f\x8b\x08garbage",
        headers={"Content-Type": "application/x-gzip"},
    )
    assert list(spider.parse_sitemap(response)) == []
    assert spider.crawler.stats.get_value("newsbite/sources/sitemap/bad/bad_gzip") == 1
    html = TextResponse(
        "https://www.theaustralian.com.au/news-sitemap.xml",
        body=b"<html><body>Sorry</body></html>",
        headers={"Content-Type": "text/html"},
    )
    assert list(spider.parse_sitemap(html)) == []
    assert spider.crawler.stats.get_value("newsbite/sources/sitemap/bad/html_not_sitemap") == 1


def test_since_is_compared_with_the_entry_offset():
    spider = make_spider(since="2026-11-01T00:00:00+11:00")
    assert spider.since == datetime(2026, 10, 31, 13, 0, tzinfo=timezone.utc)


# --- the news spider ----------------------------------------------------------------------------


def test_news_spider_reads_urls_and_url_files_and_warns_on_bad_ones(tmp_path, caplog):
    url_file = tmp_path / "urls.txt"
    url_file.write_text("# saved links\nhttps://www.example.org/a\n\nexample.org/no-scheme\n")
    spider = news_spider(urls=STORY, url_file=str(url_file))
    requests = start(spider)
    assert [r.url for r in requests] == [STORY, "https://www.example.org/a"]
    assert spider.crawler.stats.get_value("newsbite/skipped/bad_url") == 1
    assert "example.org/no-scheme" in caplog.text
    assert spider.publisher_for(STORY).name == "theaustralian"
    assert spider.publisher_for("https://www.example.org/a").name == "example.org"


def test_news_spider_needs_something_to_crawl_and_rejects_unknown_arguments(tmp_path):
    with pytest.raises(UsageError, match="urls=, url_file= or feeds="):
        news_spider()
    with pytest.raises(UsageError, match="did you mean 'urls'"):
        news_spider(url="https://example.org/a")
    with pytest.raises(UsageError, match="cannot be read"):
        news_spider(url_file=str(tmp_path / "missing.txt"))


def test_news_spider_feeds_are_read_with_the_feed_reader():
    spider = news_spider(feeds="https://www.example.org/rss.xml")
    [request] = start(spider)
    assert request.callback == spider.parse_feed
    body = RSS.format(new="https://www.example.org/story-1", old=OLD).encode()
    response = XmlResponse(request.url, body=body)
    urls = [r.url for r in spider.parse_feed(response)]
    assert urls == ["https://www.example.org/story-1", OLD]


def test_a_copy_that_links_its_original_gets_syndication_url(seed_html):
    """The Australian's copy names the Sunday Times original in a link: syndication.url."""
    from conftest import SEED_URL

    from newsbite.process import extract

    original = (
        "https://www.thetimes.co.uk/article/"
        "fighters-rage-as-skulking-caliph-dodges-the-last-stand-of-isis-jt9bgj7qm"
    )
    linked = seed_html.replace(
        "</article>",
        f'<p class="origin">First published in <a href="{original}?utm_source=x">'
        "The Sunday Times</a></p></article>",
        1,
    )
    outcome = extract(SEED_URL, linked)
    assert outcome.item.syndication["source"] == "The Sunday Times"
    assert outcome.item.syndication["url"] == original
    plain = extract(SEED_URL, seed_html)
    assert "url" not in plain.item.syndication  # the page names no original: none invented
