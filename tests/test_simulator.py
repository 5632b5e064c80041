"""The news-site simulator (DESIGN §10) and the host-map middleware that routes real spiders to
it: determinism, reachability, every fault as documented, fixtures by URL, a real crawl."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsel import Selector
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newsbite import fixtures as fx
from newsbite.errors import UsageError
from newsbite.middlewares.hostmap import HostMapMiddleware, parse_host_map
from newsbite.testing import FAULTS, Simulator, html_route
from newsbite.testing.fixture_pages import fixture_index
from newsbite.testing.sites import PUBLISHERS

TA = "www.theaustralian.com.au"
NEWS_STORY = re.compile(r"/news-story/[0-9a-f]{32}$")
TIMES_STORY = re.compile(r"^/article/[a-z0-9-]+-[a-z0-9]{9}$")


def fetch(sim: Simulator, path: str, host: str = TA, timeout: float = 10):
    """(status, headers, raw body) of one GET, redirects not followed, nothing decoded."""
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host, "Accept-Encoding": "identity"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def sel(body: bytes) -> Selector:
    return Selector(text=body.decode("utf-8"))


def jsonld(body: bytes) -> list:
    return [
        json.loads(s) for s in sel(body).css('script[type="application/ld+json"]::text').getall()
    ]


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes():
    with Simulator(stories=60, seed=7) as a, Simulator(stories=60, seed=7) as b:
        with Simulator(stories=60, seed=8) as c:
            story = a.catalogue("theaustralian")[1]
            paths = [story.path, "/topics/isis", "/sitemaps/news-1.xml", "/world/rss"]
            for path in paths:
                assert fetch(a, path)[2] == fetch(b, path)[2], path
            assert fetch(a, story.path)[0] == 200
            assert a.catalogue() == b.catalogue()
            assert [s.url for s in c.catalogue()] != [s.url for s in a.catalogue()]
            assert fetch(c, story.path)[0] == 404  # another seed, other ids


def test_catalogue_spreads_stories_over_every_publisher_with_a_mix_of_kinds():
    sim = Simulator(stories=1400, seed=1)
    stories = sim.catalogue()
    assert len(stories) == 1400 and len({s.url for s in stories}) == 1400
    assert {s.publisher for s in stories} == {p.name for p in PUBLISHERS}
    assert len({s.id for s in stories}) == 1400
    kinds = {(s.access, bool(s.syndication), s.generation) for s in stories}
    assert ("subscriber", False, "2024") in kinds and ("free", True, "2024") in kinds
    assert any(g == "2015" for _, _, g in kinds)
    for story in stories:
        path = urlsplit(story.url).path
        if story.publisher == "thetimes":
            assert TIMES_STORY.match(path) and story.url.startswith("https://www.thetimes.com/")
        else:
            assert NEWS_STORY.search(path) and path.endswith(story.id)


# --- story pages -------------------------------------------------------------------------------


def first(stories, **want):
    return next(s for s in stories if all(getattr(s, k) == v for k, v in want.items()))


def test_story_pages_in_each_generation_and_access():
    with Simulator(stories=2000, seed=2) as sim:
        ta = sim.catalogue("theaustralian") + sim.catalogue("heraldsun")
        free = first(ta, access="free", syndication=None, generation="2024")
        page = sel(fetch(sim, free.path, urlsplit(free.url).hostname)[2])
        assert page.css("article#story h1#story-headline::text").get() == free.headline
        assert len(page.css("#story-primary > p")) >= 8
        assert page.css("#story-intro::text").get() and page.css("#story-byline").get()
        assert page.css("#publish-date::attr(title)").get() == free.published
        assert "Read related topics:" in page.css("p.story-topics").get()
        ld = json.loads(page.css('script[type="application/ld+json"]::text').get())
        assert ld["@type"] == "NewsArticle" and ld["isAccessibleForFree"] == "True"

        locked = first(ta, access="subscriber", generation="2024")
        body = fetch(sim, locked.path, urlsplit(locked.url).hostname)[2]
        page = sel(body)
        assert len(page.css("#story-primary > p")) == 2
        assert page.css(".story-paywall-prompt").get()
        assert jsonld(body)[0]["isAccessibleForFree"] == "False"
        assert jsonld(body)[0]["hasPart"]["cssSelector"] == ".story-paywall"

        credited = first(ta, access="free", generation="2024", syndication="AFP")
        page = sel(fetch(sim, credited.path, urlsplit(credited.url).hostname)[2])
        assert page.css("#story-primary > p::text").getall()[-1] == "AFP"

        old = first(ta, generation="2015")
        body = fetch(sim, old.path, urlsplit(old.url).hostname)[2]
        page = sel(body)
        assert jsonld(body) == []
        assert page.css("cite.author::text").get()
        assert page.css("li.date-and-time::attr(title)").get() == old.published
        assert page.css("div.story-body p").get()


def test_times_pages_on_both_hosts():
    with Simulator(stories=400, seed=3) as sim:
        times = sim.catalogue("thetimes")
        locked = first(times, access="subscriber")
        for host in ("www.thetimes.com", "www.thetimes.co.uk"):
            status, _, body = fetch(sim, locked.path, host)
            page = sel(body)
            assert status == 200
            assert page.css("h1.Article-headline::text").get() == locked.headline
            assert page.css(".Byline-name--article a::text").get()
            assert page.css("span.Publication::text").get() == "The Times"
            assert (
                page.css("ul.Topics li.Topics-item a::attr(href)")
                .get()
                .startswith(f"https://{host}/topic/")
            )
            ld = jsonld(body)[0]
            assert ld["isAccessibleForFree"] is False
            assert ld["hasPart"]["cssSelector"] == ".Article-paywall"


# --- reachability -------------------------------------------------------------------------------


def sitemap_urls(sim: Simulator, host: str) -> list[str]:
    robots = fetch(sim, "/robots.txt", host)[2].decode()
    index_urls = [
        line.split(": ", 1)[1] for line in robots.splitlines() if line.startswith("Sitemap:")
    ]
    assert index_urls
    found = []
    for index_url in index_urls:
        index = Selector(text=fetch(sim, urlsplit(index_url).path, host)[2].decode(), type="xml")
        index.remove_namespaces()
        for loc in index.xpath("//sitemap/loc/text()").getall():
            status, headers, raw = fetch(sim, urlsplit(loc).path, host)
            assert status == 200
            if loc.endswith(".gz"):
                raw = gzip.decompress(raw)
            doc = Selector(text=raw.decode(), type="xml")
            doc.register_namespace("n", "http://www.google.com/schemas/sitemap-news/0.9")
            assert len(doc.xpath("//n:publication_date")) == raw.count(b"<url>")
            doc.remove_namespaces()
            found += doc.xpath("//url/loc/text()").getall()
    return found


def test_sitemaps_list_every_story_once_one_of_them_gzipped():
    with Simulator(stories=2900, seed=4, publishers=["theaustralian", "thetimes"]) as sim:
        for name, host in (("theaustralian", TA), ("thetimes", "www.thetimes.com")):
            urls = sitemap_urls(sim, host)
            assert sorted(urls) == sorted(s.url for s in sim.catalogue(name))
        index = fetch(sim, "/sitemap.xml")[2].decode()
        assert ".xml.gz</loc>" in index and "news-2.xml</loc>" in index  # 1450 > 1000 per map


def crawl_topics(sim: Simulator, first_topic: str, host: str, prefix: str, card: str):
    """A depth-1 topic crawl by hand: topic pages (with pagination) -> stories -> topics."""
    seen_stories: set[str] = set()

    def listing(slug: str) -> list[str]:
        links, url, pages = [], f"{prefix}{slug}", 0
        while url:
            status, _, body = fetch(
                sim,
                urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else ""),
                host,
            )
            assert status == 200, url
            page = sel(body)
            links += page.css(card).getall()
            url = page.css("a[rel=next]::attr(href)").get()
            pages += 1
            assert pages < 100
        return links

    related: set[str] = set()
    for story_url in listing(first_topic):
        seen_stories.add(story_url)
        page = sel(fetch(sim, urlsplit(story_url).path, host)[2])
        hrefs = page.css("p.story-topics a::attr(href), ul.Topics a::attr(href)").getall()
        related |= {h.rsplit("/", 1)[1] for h in hrefs}
    for slug in related - {first_topic}:
        seen_stories |= set(listing(slug))
    return related | {first_topic}, seen_stories


@pytest.mark.parametrize(
    "name, host, prefix, card",
    [
        ("theaustralian", TA, "/topics/", "h4.storyblock_title a::attr(href)"),
        ("thetimes", "www.thetimes.com", "/topic/", "h3.Item-headline a::attr(href)"),
    ],
)
def test_every_topic_one_hop_from_the_first_and_every_story_reached(name, host, prefix, card):
    with Simulator(
        stories=1000, seed=5, topics=12, page_size=8, publishers=[name, "heraldsun"]
    ) as sim:
        publisher = next(p for p in PUBLISHERS if p.name == name)
        topics, stories = crawl_topics(sim, publisher.first_topic, host, prefix, card)
        assert topics == set(sim.model.topic_names(publisher)) and len(topics) == 12
        assert stories == {s.url for s in sim.catalogue(name)}
        assert len(stories) == 500
        assert fetch(sim, f"{prefix}{publisher.first_topic}?page=99", host)[0] == 404
        assert fetch(sim, f"{prefix}no-such-topic", host)[0] == 404


def test_section_rss_lists_the_newest_stories_of_its_section():
    with Simulator(stories=300, seed=6) as sim:
        status, headers, body = fetch(sim, "/world/rss")
        assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
        feed = Selector(text=body.decode(), type="xml")
        links = feed.xpath("//item/link/text()").getall()
        world = [s.url for s in sim.catalogue("theaustralian") if s.section == "world"]
        assert links == world[: len(links)] and links
        assert feed.xpath("//item/pubDate/text()").get().endswith("+1000")


# --- the server ---------------------------------------------------------------------------------


def test_sixteen_slow_requests_are_answered_in_parallel():
    with Simulator(stories=20, latency_ms=500) as sim:
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(fetch(sim, "/robots.txt")[0]))
            for _ in range(16)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        elapsed = time.monotonic() - started
    assert results == [200] * 16
    assert elapsed < 4, f"16 x 0.5 s took {elapsed:.1f} s: the sleeps were serialised"


def test_route_table_wins_counts_calls_and_records_hits():
    routes = {
        "/nation/x/news-story/" + "a" * 32: lambda n: html_route(f"<p>call {n}</p>"),
        "https://www.heraldsun.com.au/robots.txt": (200, {"Content-Type": "text/plain"}, b"hs"),
    }
    with Simulator(stories=10, routes=routes) as sim:
        path = "/nation/x/news-story/" + "a" * 32
        assert fetch(sim, path)[2] == b"<p>call 1</p>"
        assert fetch(sim, path, "theaustralian.com.au")[2] == b"<p>call 1</p>"  # per host
        assert fetch(sim, path)[2] == b"<p>call 2</p>"
        assert fetch(sim, "/robots.txt", "www.heraldsun.com.au")[2] == b"hs"
        assert b"Sitemap:" in fetch(sim, "/robots.txt")[2]  # other hosts: the generated site
        assert sim.count(path) == 3
        assert [h.host for h in sim.hits[:2]] == [TA, "theaustralian.com.au"]
        assert fetch(sim, "/nowhere")[0] == 404


def test_command_line_prints_its_address_and_serves():
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsbite.testing.simulator", "--stories", "30", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        match = re.match(r"http://127\.0\.0\.1:(\d+) NEWSBITE_HOST_MAP=(\S+)$", line.strip())
        assert match, line
        assert f"theaustralian.com.au=127.0.0.1:{match[1]}" in match[2]
        assert "thetimes.co.uk=" in match[2] and "weeklytimesnow.com.au=" in match[2]
        conn = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=5)
        conn.request("GET", "/robots.txt", headers={"Host": TA})
        assert b"Sitemap: https://www.theaustralian.com.au/sitemap.xml" in conn.getresponse().read()
    finally:
        proc.terminate()
        proc.wait(10)


# --- faults -------------------------------------------------------------------------------------


def check_slow_drip(sim, path):
    started = time.monotonic()
    status, headers, body = fetch(sim, path + "?chunks=10&interval=0.03")
    assert status == 200 and len(body) == int(headers["Content-Length"])
    assert time.monotonic() - started >= 0.25 and b'<article id="story"' in body


def check_stall(sim, path):
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=0.5)
    conn.request("GET", path, headers={"Host": TA})
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Length") == "100000"
    with pytest.raises(TimeoutError):
        response.read()
    conn.close()
    started = time.monotonic()  # bounded: the server gives up after ?seconds=
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    conn.request("GET", path + "?seconds=0.3", headers={"Host": TA})
    with pytest.raises(http.client.IncompleteRead):
        conn.getresponse().read()
    assert time.monotonic() - started < 3


def check_reset(sim, path):
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
        fetch(sim, path)


def check_retry_after(code):
    def check(sim, path):
        answers = [fetch(sim, path + "?after=3") for _ in range(4)]
        assert [a[0] for a in answers] == [code, code, 200, 200]
        assert answers[0][1]["Retry-After"] == "1"
        assert b'<article id="story"' in answers[2][2]
        assert fetch(sim, path + "?after=2")[0] == code  # counted per path + query

    return check


def check_redirect_loop(sim, path):
    status, headers, _ = fetch(sim, path)
    hop = headers["Location"]
    assert status == 302 and hop != path
    status, headers, _ = fetch(sim, hop)
    assert status == 302 and fetch(sim, headers["Location"])[1]["Location"] == hop


def check_self_redirect(sim, path):
    status, headers, _ = fetch(sim, path)
    assert status == 301 and headers["Location"] == path


def check_offsite_redirect(sim, path):
    status, headers, _ = fetch(sim, path)
    assert status == 302 and urlsplit(headers["Location"]).hostname == "offsite.invalid"


def check_gzip_bomb(sim, path):
    status, headers, raw = fetch(sim, path)
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert len(raw) == int(headers["Content-Length"]) < 2_000_000
    inflate, total = zlib.decompressobj(31), 0
    for start in range(0, len(raw), 1 << 16):  # in steps: never 1 GiB in memory
        data = inflate.decompress(raw[start : start + (1 << 16)], 1 << 24)
        total += len(data)
        while inflate.unconsumed_tail:
            total += len(inflate.decompress(inflate.unconsumed_tail, 1 << 24))
    assert inflate.eof and total == 1 << 30


def check_huge_page(sim, path):
    status, _, body = fetch(sim, path)
    assert status == 200 and len(body) >= 20 * 1024 * 1024
    assert b'<h1 id="story-headline">' in body and body.rstrip().endswith(b"</html>")


def check_deep_nesting(sim, path):
    body = fetch(sim, path)[2]
    assert body.count(b"<div>") == 10_000 and b'<article id="story"' in body


def check_png_as_html(sim, path):
    _, headers, body = fetch(sim, path)
    assert headers["Content-Type"].startswith("text/html") and body.startswith(b"\x89PNG")


def check_wrong_content_type(sim, path):
    _, headers, body = fetch(sim, path)
    assert headers["Content-Type"].startswith("text/plain") and b"<article id=" in body


def check_cp1252(header_charset):
    def check(sim, path):
        _, headers, body = fetch(sim, path)
        assert ("charset=utf-8" in headers["Content-Type"]) is header_charset
        assert b"charset=" not in body.lower() and b"<meta charset" not in body.lower()
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert "“Café” – " in body.decode("cp1252")

    return check


def check_botwall(sim, path):
    status, _, body = fetch(sim, path)
    assert status == 200 and sel(body).css("h1::text").get() == "No Cookies"


def check_js_shell(sim, path):
    body = fetch(sim, path)[2]
    page = sel(body)
    assert page.css("div#app").get() == '<div id="app"></div>'
    assert not page.css("#story-primary p") and b"window.__STORY__" in body


def check_bad_jsonld_type(sim, path):
    types = [block["@type"] for block in jsonld(fetch(sim, path)[2])]
    assert types[0] == 5 and types[1] is None and isinstance(types[2], list)
    assert isinstance(types[2][0], dict)


def check_bad_jsonld_position(sim, path):
    crumbs = jsonld(fetch(sim, path)[2])[1]
    assert crumbs["itemListElement"][0]["position"] == "x"


def check_relative_date(sim, path):
    body = fetch(sim, path)[2]
    assert jsonld(body)[0]["datePublished"] == "yesterday"
    assert sel(body).css("#publish-date::attr(title)").get() == "2024-06-01T09:30:00+10:00"


def check_future_date(sim, path):
    body = fetch(sim, path)[2]
    assert jsonld(body)[0]["datePublished"].startswith("2999-")
    assert sel(body).css("#publish-date::attr(title)").get().startswith("2999-")


def check_truncated_paywall(sim, path):
    body = fetch(sim, path)[2]
    page = sel(body)
    assert "isAccessibleForFree" not in body.decode()
    assert len(page.css("#story-primary > p")) == 2 and page.css(".story-paywall-prompt")


def check_javascript_image(sim, path):
    srcs = sel(fetch(sim, path)[2]).css("figure img::attr(src)").getall()
    assert srcs[0].startswith("javascript:") and srcs[1].startswith("data:")


def check_url_variants(sim, path):
    plain = fetch(sim, path)[2]
    canonical = sel(plain).css("link[rel=canonical]::attr(href)").get()
    assert canonical == f"https://{TA}{path}"
    for variant in (path + "/", path + "/amp", path + "?amp", path + "?utm_source=x&utm=y"):
        assert fetch(sim, variant)[2] == plain, variant
    assert fetch(sim, path, TA.upper())[2] == plain


CHECKS = {
    "slow-drip": check_slow_drip,
    "stall": check_stall,
    "reset": check_reset,
    "429": check_retry_after(429),
    "503": check_retry_after(503),
    "redirect-loop": check_redirect_loop,
    "self-redirect": check_self_redirect,
    "offsite-redirect": check_offsite_redirect,
    "gzip-bomb": check_gzip_bomb,
    "huge-page": check_huge_page,
    "deep-nesting": check_deep_nesting,
    "png-as-html": check_png_as_html,
    "wrong-content-type": check_wrong_content_type,
    "no-charset-cp1252": check_cp1252(False),
    "wrong-charset": check_cp1252(True),
    "botwall": check_botwall,
    "js-shell": check_js_shell,
    "bad-jsonld-type": check_bad_jsonld_type,
    "bad-jsonld-position": check_bad_jsonld_position,
    "relative-date": check_relative_date,
    "future-date": check_future_date,
    "truncated-paywall": check_truncated_paywall,
    "javascript-image": check_javascript_image,
    "url-variants": check_url_variants,
}


def test_every_fault_is_checked_and_documented():
    assert set(CHECKS) == set(FAULTS)
    assert all(f.doc for f in FAULTS.values())
    ids = [f.story_id for f in FAULTS.values()]
    assert len(set(ids)) == len(ids)
    for fault in FAULTS.values():  # a story URL of The Australian: `-a urls=` crawls it
        assert NEWS_STORY.search(fault.path) and fault.path.startswith(f"/_fault/{fault.name}/")


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_fault_answers_as_documented(name):
    with Simulator(stories=5) as sim:
        CHECKS[name](sim, FAULTS[name].path)


# --- fixtures by URL ---------------------------------------------------------------------------


def test_every_fixture_url_is_served_with_its_replay_bytes():
    index = fixture_index()
    assert len(index) > 10
    seed_key = "www.theaustralian.com.au/topics/isis"
    assert index[seed_key][1]["Content-Encoding"] == "gzip"
    with Simulator(stories=50, fixtures=True) as sim:
        for key, (status, _headers, body) in index.items():
            host, _, rest = key.partition("/")
            got = fetch(sim, "/" + rest, host)
            assert (got[0], got[2]) == (status, body), key
        # a fixture URL wins over the generated page of the same path
        assert fetch(sim, "/topics/isis")[2] == index[seed_key][2]
    with Simulator(stories=50) as sim:
        assert fetch(sim, "/topics/isis")[2] != index[seed_key][2]


# --- the host map -------------------------------------------------------------------------------


def test_host_map_parsing():
    table = parse_host_map(" theaustralian.com.au=127.0.0.1:8765, www.thetimes.com=127.0.0.1:9 ")
    assert table == {
        "theaustralian.com.au": ("127.0.0.1", 8765),
        "www.theaustralian.com.au": ("127.0.0.1", 8765),
        "www.thetimes.com": ("127.0.0.1", 9),
    }
    assert parse_host_map({"a.com": "127.0.0.1:1"})["www.a.com"] == ("127.0.0.1", 1)
    for bad in ("a.com", "a.com=127.0.0.1", "a.com=127.0.0.1:x", "=127.0.0.1:1"):
        with pytest.raises(UsageError, match=re.escape(repr(bad))):
            parse_host_map(f"ok.com=127.0.0.1:1,{bad}")
    with pytest.raises(NotConfigured):
        HostMapMiddleware.from_crawler(get_crawler(settings_dict={"NEWSBITE_HOST_MAP": ""}))


def test_host_map_swaps_the_url_and_host_and_back():
    crawler = get_crawler(settings_dict={"NEWSBITE_HOST_MAP": "theaustralian.com.au=127.0.0.1:5"})
    mw = HostMapMiddleware.from_crawler(crawler)
    real = f"https://{TA}/nation/x/news-story/{'b' * 32}?page=2#top"
    request = Request(real)
    assert mw.process_request(request) is None
    assert request.url == f"http://127.0.0.1:5/nation/x/news-story/{'b' * 32}?page=2"
    assert request.headers["Host"] == TA.encode()
    assert request.meta["download_slot"] == TA
    response = mw.process_response(request, HtmlResponse(request.url, body=b"<p>x</p>"))
    assert response.url == real and request.url == real
    assert b"Host" not in request.headers  # a redirect copy goes to its own host
    other = Request("https://www.heraldsun.com.au/x")
    mw.process_request(other)
    assert other.url == "https://www.heraldsun.com.au/x"  # unmapped hosts are untouched
    failing = Request(real)
    mw.process_request(failing)
    mw.process_exception(failing, TimeoutError())
    assert failing.url == real


def crawl(urls: list[str], feed: Path, *settings: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "theaustralian", "-a", "urls=" + " ".join(urls)]
    for setting in (
        "AUTOTHROTTLE_ENABLED=False",
        "NEWSBITE_RENDER=never",
        f"FEEDS={json.dumps({str(feed): {'format': 'jsonlines'}})}",
        *settings,
    ):
        cmd += ["-s", setting]
    return subprocess.run(cmd, cwd=fx.PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def read_feed(feed: Path) -> dict[str, dict]:
    return {i["url"]: i for i in map(json.loads, feed.read_text().splitlines())}


@pytest.mark.slow
def test_real_crawl_through_the_host_map_writes_real_urls(tmp_path):
    """`scrapy crawl theaustralian -a urls=...` with NEWSBITE_HOST_MAP: a generated story and
    a bundled fixture story, both written under their real URLs; the fixture's item is the
    one a replay of the fixture gives."""
    fixture_dir = fx.FIXTURES_ROOT / "theaustralian" / "isis-leader-does-a-runner"
    fixture_url = fx.load_meta(fixture_dir)["urls"][0]
    with Simulator(stories=60, seed=9, fixtures=True) as sim:
        story = first(sim.catalogue("theaustralian"), access="free", generation="2024")
        live = crawl(
            [story.url, fixture_url], tmp_path / "live.jsonl", f"NEWSBITE_HOST_MAP={sim.host_map()}"
        )
        hosts = {h.host for h in sim.hits}
    assert live.returncode == 0, live.stderr[-3000:]
    assert hosts == {TA}  # robots.txt and both stories came from the simulator
    items = read_feed(tmp_path / "live.jsonl")
    assert set(items) == {story.url, fixture_url}
    item = items[story.url]
    assert item["id"] == story.id and item["headline"] == story.headline
    assert item["canonical_url"] == story.url and item["site"] == "theaustralian"
    assert item["published"] == story.published

    replay = crawl([fixture_url], tmp_path / "replay.jsonl", "NEWSBITE_CASSETTE_MODE=replay")
    assert replay.returncode == 0, replay.stderr[-3000:]
    replayed = read_feed(tmp_path / "replay.jsonl")
    assert fx.diff_items(list(replayed.values()), [items[fixture_url]]) == []


def test_nothing_at_run_time_imports_the_testing_package():
    root = Path(fx.PROJECT_ROOT) / "newsbite"
    users = [
        p
        for p in root.rglob("*.py")
        if "newsbite.testing" in p.read_text() and "testing" not in p.relative_to(root).parts
    ]
    assert users == []
