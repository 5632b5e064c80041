"""The News Corp AU parser is pure: (url, Selector) -> fields, tested on fixture HTML directly."""

from __future__ import annotations

from conftest import SEED_URL
from parsel import Selector

from newsbite.extract.newscorp_au import parse_article, parse_listing, section_of, story_id


def parse(html: str, url: str = SEED_URL) -> dict:
    return parse_article(url, Selector(text=html))


def test_seed_metadata_from_jsonld_and_markup(seed_html):
    fields = parse(seed_html)
    assert (
        fields["headline"]
        == "Jihadists irate as ISIS \u2018leader\u2019 does a runner in the desert"
    )
    assert fields["standfirst"].startswith("ISIS fighters are furious their leader")
    assert fields["id"] == "4df04eb09060ea88508cbb81762e88cf"
    assert fields["canonical_url"] == SEED_URL
    assert fields["section"] == "world"
    assert fields["breadcrumbs"] == ["World", "The Times"]
    assert fields["published"] == "2019-03-04T00:00:00+11:00"
    assert fields["published_raw"] == "2019-03-04T00:00:00+11:00"
    assert fields["byline_raw"] == "Louise Callaghan"
    assert fields["extractor"] == "newscorp_au/1"


def test_body_keeps_order_and_leaves_chrome_for_the_pipeline(seed_html):
    body = parse(seed_html)["body"]
    assert body[1].startswith("ISIS fighters are furious their leader")
    assert "THE SUNDAY TIMES" in body
    assert body.index("THE SUNDAY TIMES") < body.index("Add your comment to this story")
    # the standfirst is never repeated, the figure caption is an image, not a paragraph
    assert not any(
        p.startswith("Since declaring himself leader of the caliphate in a filmed 2014 speech,")
        for p in body
    )


def test_topics_links_first_then_keywords_case_insensitively(seed_html):
    topics = parse(seed_html)["topics"]
    assert topics == [{"name": "Isis", "url": "https://www.theaustralian.com.au/topics/isis"}]
    html = seed_html.replace('"keywords": ["ISIS"]', '"keywords": "ISIS, Syria"')
    assert [t["name"] for t in parse(html)["topics"]] == ["Isis", "Syria"]


def test_image_caption_is_read_raw_with_its_credit(seed_html):
    images = parse(seed_html)["images"]
    assert len(images) == 1
    assert images[0]["caption"].endswith("any further ISIS videos. Picture: AFP")


def test_jsonld_first_markup_second():
    html = """<html><head><script type="application/ld+json">
    {"@type": "NewsArticle", "headline": "From JSON-LD", "datePublished": "2020-01-02T03:04:05Z"}
    </script></head><body><article id="story"><h1 id="story-headline">From markup</h1>
    <div id="story-primary"><p>Body.</p></div></article></body></html>"""
    fields = parse(html)
    assert fields["headline"] == "From JSON-LD"
    assert fields["published"] == "2020-01-02T03:04:05+00:00"
    no_ld = parse(html.replace('"headline": "From JSON-LD", ', ""))
    assert no_ld["headline"] == "From markup"


def test_broken_jsonld_falls_back_to_markup():
    html = """<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>
    <article id="story"><h1 id="story-headline">Still here</h1>
    <div id="story-primary"><p>x</p></div>
    </article>"""
    assert parse(html)["headline"] == "Still here"


def test_date_without_offset_takes_the_site_zone():
    html = '<div id="publish-date" title="2019-03-04T09:30:00">March 4</div><h1>H</h1>'
    assert parse(html)["published"] == "2019-03-04T09:30:00+11:00"


def test_truncated_html_still_yields_what_is_there(seed_html):
    cut = seed_html[: seed_html.index("Baghdadi\u2019s true identity")]
    fields = parse(cut)
    assert fields["headline"]
    assert 3 <= len(fields["body"]) < 14


def test_access_evidence_from_jsonld(seed_html):
    evidence = parse(seed_html)["paywall"]["evidence"]
    assert "jsonld:isAccessibleForFree=false" in evidence
    assert "jsonld:hasPart:.story-paywall" in evidence


def test_listing_links_and_next_page():
    html = """<article class="storyblock"><h4 class="storyblock_title">
    <a href="/world/a/news-story/0123456789abcdef0123456789abcdef">A</a></h4></article>
    <article class="storyblock"><h4 class="storyblock_title">
    <a href="/world/a/news-story/0123456789abcdef0123456789abcdef">A again</a></h4></article>
    <a href="/video/x">video</a><a class="pagination_next" rel="next" href="?page=2">Next</a>"""
    listing = parse_listing("https://www.theaustralian.com.au/topics/isis", Selector(text=html))
    assert listing["stories"] == [
        "https://www.theaustralian.com.au/world/a/news-story/0123456789abcdef0123456789abcdef"
    ]
    assert listing["next_page"] == "https://www.theaustralian.com.au/topics/isis?page=2"


def test_listing_cards_give_their_modified_dates():
    html = """<article class="storyblock"><h4 class="storyblock_title">
    <a href="/a/news-story/0123456789abcdef0123456789abcdef">A</a></h4>
    <time class="storyblock_timestamp" datetime="2019-03-04T06:12:00+11:00">4 March</time></article>
    <article class="storyblock"><h4 class="storyblock_title">
    <a href="/b/news-story/abcdef0123456789abcdef0123456789">B, undated</a></h4></article>"""
    listing = parse_listing("https://www.theaustralian.com.au/topics/isis", Selector(text=html))
    dated = "https://www.theaustralian.com.au/a/news-story/0123456789abcdef0123456789abcdef"
    assert listing["modified"] == {dated: "2019-03-04T06:12:00+11:00"}
    assert len(listing["stories"]) == 2


def test_ids_and_sections():
    assert story_id(SEED_URL) == "4df04eb09060ea88508cbb81762e88cf"
    assert len(story_id("https://example.com/a")) == 32
    assert section_of("https://www.theaustralian.com.au/World/x") == "world"


def test_standfirst_is_never_repeated_in_the_body():
    html = """<article id="story"><h1 id="story-headline">H</h1>
    <p id="story-intro">The intro, as printed under the headline.</p>
    <div id="story-primary"><p>The intro, as printed under the headline.</p><p>First fact.</p>
    </div></article>"""
    fields = parse(html)
    assert fields["standfirst"] == "The intro, as printed under the headline."
    assert fields["body"] == ["First fact."]


def test_jsonld_reading_prefers_articles_orders_crumbs_and_drops_url_authors():
    from newsbite.extract.jsonld import find_article, find_breadcrumbs, person_names, text_of

    sel = Selector(
        text="""<html><head>
        <script type="application/ld+json">{"@type": "WebPage", "name": "page"}</script>
        <script type="application/ld+json">{"@type": "BlogPosting", "headline": "post"}</script>
        <script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": [
          {"position": 2, "name": "Politics"}, {"position": 1, "name": "Nation"}]}</script>
        </head><body></body></html>"""
    )
    assert find_article(sel)["headline"] == "post"
    assert find_breadcrumbs(sel) == ["Nation", "Politics"]
    assert person_names(["https://x.com/jane", {"name": "Tom Roe"}]) == [("Tom Roe", "Person")]
    assert text_of(True) is None
