"""The Times' parser is pure: (url, Selector) -> fields, tested on fixture HTML directly.

Every story fixture under fixtures/thetimes/ is compared with its hand-written
`<slug>.expected.json`; the edge cases (bylines, editions, access, listings, URL shapes) are
table-driven on small pages written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED_URL
from parsel import Selector

from newsbite.extract.thetimes import (
    ARTICLE_PARSERS,
    STORY_ID,
    TOPIC_PATH,
    parse_listing,
    publication_name,
    section_of,
    story_id,
)
from newsbite.normalise.paywall import classify

TIMES = FIXTURES / "thetimes"
STORIES = ("skulking-caliph", "subscriber-paywall", "multi-author-byline")
PARSER = ARTICLE_PARSERS[0]
URL = "https://www.thetimes.com/world/article/a-story-about-nothing-abc123xyz"


def expected(slug: str) -> dict:
    return json.loads((TIMES / slug / f"{slug}.expected.json").read_text("utf-8"))


def story_page(slug: str) -> str:
    return (TIMES / slug / "pages" / "story.html").read_text("utf-8")


def parse(html: str, url: str = URL) -> dict:
    return PARSER.parse(url, Selector(text=html), timezone="Europe/London")


def page(*, head: str = "", body: str = "") -> str:
    """A minimal page of the 2018 generation around the given pieces."""
    return (
        f"<html lang='en'><head>{head}</head><body><article class='Article'>"
        f"<h1 class='Article-headline'>A headline</h1>{body}"
        "<div class='Article-content'><p>One paragraph of the story.</p></div>"
        "</article></body></html>"
    )


# --- each fixture page against its hand-written expectation -----------------------------------


@pytest.mark.parametrize("slug", STORIES)
def test_fixture_story_matches_its_expectation(slug):
    want = expected(slug)
    sel = Selector(text=story_page(slug))
    assert PARSER.matches(sel)
    got = PARSER.parse(want["url"], sel, timezone="Europe/London")

    for key in (
        "url", "canonical_url", "id", "headline", "standfirst", "byline_raw", "published",
        "published_raw", "modified", "publication", "section", "topics", "language", "extractor",
    ):  # fmt: skip
        assert got[key] == want[key], key
    body = got["body"]
    assert len(body) == want["body_paragraphs"]
    assert body[0] == want["body_first"]
    assert body[-1] == want["body_last"]
    assert not set(want["not_in_body"]) & set(body)
    assert want["standfirst"] not in body
    assert [{k: a[k] for k in ("name", "role") if k in a} for a in got["authors"]] == want[
        "authors"
    ]
    assert [{"caption": i["caption"], "credit": i["credit"]} for i in got["images"]] == want[
        "images"
    ]
    assert all(i["url"].startswith("https://www.thetimes.") for i in got["images"])
    assert got["paywall"] == {"status": "unknown", "evidence": want["access"]["evidence"]}
    assert got["problems"] == []


@pytest.mark.parametrize("slug", STORIES)
def test_access_status_settled_from_evidence_and_body(slug):
    """The parser only declares; the paywall classifier weighs that against the body."""
    want = expected(slug)["access"]
    fields = parse(story_page(slug), expected(slug)["url"])
    verdict = classify(fields["body"], fields["paywall"]["evidence"])
    assert verdict["status"] == want["status"]
    assert want["status_evidence"] in verdict["evidence"]


def test_seed_original_is_the_australian_copy_before_localisation():
    """The Sunday Times original carries the seed's body with "Isis" where The Australian
    printed "ISIS" (and miles where it printed kilometres)."""
    australian = json.loads(
        (FIXTURES / "theaustralian/isis-leader-does-a-runner/seed.expected.json").read_text("utf-8")
    )
    body = parse(story_page("skulking-caliph"), expected("skulking-caliph")["url"])["body"]
    localised = [
        p.replace("Isis", "ISIS").replace("about half a square mile", "about 1.3sq km")
        for p in body
    ]
    assert localised == australian["body"]
    assert not any("ISIS" in p for p in body)
    assert body[1] == expected("skulking-caliph")["body_second"]


def test_generation_does_not_claim_a_news_corp_page(seed_html):
    assert not PARSER.matches(Selector(text=seed_html))
    assert PARSER.generation == "2018" and PARSER.name == "thetimes"
    assert parse(seed_html, SEED_URL)["publication"] is None


# --- bylines ----------------------------------------------------------------------------------

AUTHOR = "<strong class='Byline-name Byline-name--article'><a href='/profile/{slug}'>{name}</a>"
AUTHOR += "</strong>"


def author(name: str) -> str:
    return AUTHOR.format(slug=name.lower().replace(" ", "-"), name=name)


BYLINES = [
    (  # the times-components shape: author (with slug) then inline ", Role"
        author("Kaya Burgess") + ", Religious Affairs Correspondent",
        [{"name": "Kaya Burgess", "role": "Religious Affairs Correspondent"}],
        "Kaya Burgess, Religious Affairs Correspondent",
    ),
    (  # a role printed without a comma
        author("Graeme Paton") + " Transport Correspondent",
        [{"name": "Graeme Paton", "role": "Transport Correspondent"}],
        "Graeme Paton Transport Correspondent",
    ),
    (  # "By" before the first author is not a role of anyone
        "By " + author("Louise Callaghan"),
        [{"name": "Louise Callaghan"}],
        "By Louise Callaghan",
    ),
    (  # "Name, Role | Name": the separator belongs to neither
        author("John Simpson") + ", Crime Correspondent | " + author("Will Humphries"),
        [{"name": "John Simpson", "role": "Crime Correspondent"}, {"name": "Will Humphries"}],
        "John Simpson, Crime Correspondent | Will Humphries",
    ),
    (  # "and" between authors is glue; inside a role it is kept
        author("Ann Lee") + ", Health and Science Editor and " + author("Bo Ng") + ", Reporter",
        [
            {"name": "Ann Lee", "role": "Health and Science Editor"},
            {"name": "Bo Ng", "role": "Reporter"},
        ],
        "Ann Lee, Health and Science Editor and Bo Ng, Reporter",
    ),
    (  # role text wrapped in its own inline element
        author("Oliver Wright") + "<span class='Byline-text'>, Policy Editor</span>",
        [{"name": "Oliver Wright", "role": "Policy Editor"}],
        "Oliver Wright, Policy Editor",
    ),
]


@pytest.mark.parametrize(("markup", "authors", "raw"), BYLINES)
def test_byline_variants(markup, authors, raw):
    fields = parse(page(body=f"<div class='Article-byline'>{markup}</div>"))
    assert [{k: a[k] for k in ("name", "role") if k in a} for a in fields["authors"]] == authors
    assert fields["byline_raw"] == raw
    for person in fields["authors"]:
        assert person["raw"].startswith(person["name"])


def test_author_elements_outside_a_byline_container_are_still_read():
    fields = parse(page(body=f"<p class='Lead'>{author('Sam Coates')}, Deputy Editor</p>"))
    assert fields["authors"] == [
        {
            "name": "Sam Coates",
            "role": "Deputy Editor",
            "raw": "Sam Coates, Deputy Editor",
            "kind": "byline",  # read person by person: the chain takes each as printed
        }
    ]


def test_inline_only_byline_takes_people_from_jsonld_and_keeps_the_printed_line():
    ld = {
        "@type": "NewsArticle",
        "author": [
            {"@type": "Person", "name": "Mark Souster", "jobTitle": "Racing Writer"},
            {"@type": "Organization", "name": "The Times"},
        ],
    }
    html = page(
        head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>",
        body="<div class='Article-byline'>Mark Souster, Racing Writer</div>",
    )
    fields = parse(html)
    assert fields["byline_raw"] == "Mark Souster, Racing Writer"
    assert fields["authors"] == [
        {"name": "Mark Souster", "role": "Racing Writer", "raw": "Mark Souster, Racing Writer"}
    ]


def test_no_byline_falls_back_to_the_author_meta_and_an_organisation_is_nobody():
    ld = {"@type": "NewsArticle", "author": {"@type": "Organization", "name": "The Times"}}
    script = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    assert parse(page(head=script))["authors"] == []
    fields = parse(page(head=script + "<meta name='author' content='Patrick Kidd'>"))
    assert fields["authors"] == [{"name": "Patrick Kidd", "raw": "Patrick Kidd"}]
    assert fields["byline_raw"] == "Patrick Kidd"


# --- The Sunday Times or The Times ------------------------------------------------------------

EDITIONS = [
    ("<time class='Dateline'>March 3 2019</time>, "
     "<span class='Publication'>The Sunday Times</span>", "", "The Sunday Times"),
    ("<time class='Dateline'>March 4 2019, <span class='Publication'>The Times</span></time>",
     "", "The Times"),
    ("<span class='Publication'>THE SUNDAY TIMES</span>", "", "The Sunday Times"),
    ("", "<meta name='article:publication' content='The Sunday Times'>", "The Sunday Times"),
    ("", "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"publisher\": "
     "{\"@type\": \"Organization\", \"name\": \"The Times\"}}</script>", "The Times"),
    ("<span class='Publication'>Times Radio</span>", "", None),
    ("", "", None),
]  # fmt: skip


@pytest.mark.parametrize(("body", "head", "edition"), EDITIONS)
def test_publication_sunday_times_or_times(body, head, edition):
    assert parse(page(head=head, body=body))["publication"] == edition


def test_printed_edition_outranks_the_meta():
    html = page(
        head="<meta name='article:publication' content='The Times'>",
        body="<span class='Publication'>The Sunday Times</span>",
    )
    assert parse(html)["publication"] == "The Sunday Times"


@pytest.mark.parametrize(
    ("coded", "name"),
    [("SUNDAYTIMES", "The Sunday Times"), ("TIMES", "The Times"), ("the times", "The Times"),
     ("The Sunday Times.", "The Sunday Times"), ("The Australian", None), (None, None)],
)  # fmt: skip
def test_publication_names(coded, name):
    assert publication_name(coded) == name


@pytest.mark.parametrize(
    ("dateline", "raw", "iso"),
    [
        ("<time class='Dateline'>March 3 2019, 12:01am, The Sunday Times</time>",
         "March 3 2019, 12:01am", "2019-03-03T00:01:00+00:00"),
        ("<time class='Dateline'>June 14 2019, 5:00pm, <span class='Publication'>The Times"
         "</span></time>", "June 14 2019, 5:00pm", "2019-06-14T17:00:00+01:00"),
        ("<time class='Dateline'>December 24 2018, 6:30pm</time>",
         "December 24 2018, 6:30pm", "2018-12-24T18:30:00+00:00"),
    ],
)  # fmt: skip
def test_prose_dateline_without_the_edition_in_london_time(dateline, raw, iso):
    fields = parse(page(body=dateline))
    assert fields["published_raw"] == raw
    assert fields["published"] == iso


def test_jsonld_date_keeps_its_own_offset_over_the_dateline():
    ld = {"@type": "NewsArticle", "datePublished": "2019-03-02T19:01:00-05:00"}
    html = page(
        head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>",
        body="<time class='Dateline'>March 3 2019, 12:01am</time>",
    )
    assert parse(html)["published"] == "2019-03-02T19:01:00-05:00"


def test_untrustworthy_jsonld_date_falls_back_to_the_dateline_and_is_named():
    ld = {"@type": "NewsArticle", "datePublished": "yesterday", "dateModified": ["x", 3.5]}
    html = page(
        head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>",
        body="<time class='Dateline'>March 3 2019, 12:01am</time>",
    )
    fields = parse(html)
    assert fields["published"] == "2019-03-03T00:01:00+00:00"
    assert fields["published_raw"] == "March 3 2019, 12:01am"
    assert fields["modified"] is None
    assert "date_rejected" in fields["problems"]


def test_script_urls_never_become_links():
    html = page(
        body="<ul class='Topics'><li><a href='javascript:go(\"/topic/isis\")'>Isis</a></li></ul>"
        "<figure><img src=' JavaScript:alert(1)'><figcaption>x</figcaption></figure>"
    )
    fields = parse(html)
    assert fields["topics"] == [{"name": "Isis"}]
    assert fields["images"] == []
    listing = parse_listing(URL, Selector(text="<a href='javascript:/article/x-abc123xyz'>x</a>"))
    assert listing["stories"] == []


# --- access evidence ---------------------------------------------------------------------------


def test_an_empty_paywall_portal_is_no_evidence_a_filled_one_is():
    empty = page(body="<div id='paywall-portal-article-footer'></div>")
    assert parse(empty)["paywall"]["evidence"] == []
    filled = page(
        body="<div id='paywall-portal-article-footer'><p>Subscribe to continue reading</p></div>"
    )
    assert parse(filled)["paywall"]["evidence"] == [
        "markup:#paywall-portal-article-footer:not(:empty)"
    ]


def test_jsonld_access_flags_as_strings_and_lists():
    ld = {
        "@type": "NewsArticle",
        "isAccessibleForFree": "False",
        "hasPart": [
            {"@type": "WebPageElement", "isAccessibleForFree": "false", "cssSelector": ".paywall"},
            {"@type": "WebPageElement", "isAccessibleForFree": True, "cssSelector": ".teaser"},
        ],
    }
    html = page(head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>")
    assert parse(html)["paywall"] == {
        "status": "unknown",
        "evidence": ["jsonld:isAccessibleForFree=false", "jsonld:hasPart:.paywall"],
    }


# --- body furniture ----------------------------------------------------------------------------


def test_comments_topics_and_captions_stay_out_of_the_body_without_a_content_element():
    """The whole article element is read then: furniture is known by what it is."""
    html = story_page("skulking-caliph")
    html = html.replace('"Article-content paywall-EAB47CFD"', '"x"').replace(
        '"Article-body"', '"y"'
    )
    want = expected("skulking-caliph")
    body = parse(html, want["url"])["body"]
    assert body[0] == want["body_first"] and body[-1] == want["body_last"]
    assert len(body) == 14
    assert not {*want["not_in_body"], want["standfirst"], want["images"][0]["caption"]} & set(body)


def test_topic_keywords_that_are_sections_are_not_topics():
    ld = {"@type": "NewsArticle", "keywords": "Section:World,Section:Middle East,Syria"}
    html = page(
        head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>",
        body="<ul class='Topics'><li><a href='/topic/syria'>Syria</a></li></ul>",
    )
    assert parse(html)["topics"] == [
        {"name": "Syria", "url": "https://www.thetimes.com/topic/syria"}
    ]


# --- topic pages -------------------------------------------------------------------------------


def test_topic_pages_match_their_expectation():
    listing = json.loads(
        (TIMES / "topic-middle-east/topic-middle-east.expected.json").read_text("utf-8")
    )
    for file, want in listing["pages"].items():
        html = (TIMES / "topic-middle-east/pages" / file).read_text("utf-8")
        got = parse_listing(want["url"], Selector(text=html))
        assert got == {k: want[k] for k in ("stories", "modified", "next_page")}, file


def test_fixture_pages_json_serves_every_listed_story_and_robots():
    """What the topic fixture lists is what its pages.json serves (a replayed crawl fails on
    any request that is not there)."""
    served = {
        e["url"]
        for e in json.loads((TIMES / "topic-middle-east/pages/pages.json").read_text("utf-8"))
    }
    listing = json.loads(
        (TIMES / "topic-middle-east/topic-middle-east.expected.json").read_text("utf-8")
    )
    for want in listing["pages"].values():
        assert set(want["stories"]) <= served
        assert want["next_page"] is None or want["next_page"] in served
    assert {
        "https://www.thetimes.com/robots.txt",
        "https://www.thetimes.co.uk/robots.txt",
    } <= served
    for slug in (*STORIES, "topic-middle-east"):
        meta = json.loads((TIMES / slug / "meta.json").read_text("utf-8"))
        assert meta["spider"] == "thetimes" and meta["synthetic"] is True
        assert "times-components" in meta["structure_from"]
        for entry in json.loads((TIMES / slug / "pages/pages.json").read_text("utf-8")):
            assert entry.get("body") or (TIMES / slug / "pages" / entry["file"]).is_file()


def test_listing_of_an_undescribed_layout_falls_back_to_story_links():
    html = """<main><a href='/article/first-story-abc123xyz?x=1'>1</a>
    <a href='/topic/isis'>topic</a><a href='/profile/someone'>p</a>
    <a href='https://www.thetimes.com/uk/article/second-story-def456uvw#c'>2</a>
    <a href='/article/first-story-abc123xyz'>again</a></main>
    <a rel='next' href='/topic/isis?page=3'>next</a>"""
    got = parse_listing("https://www.thetimes.com/topic/isis?page=2", Selector(text=html))
    assert got == {
        "stories": [
            "https://www.thetimes.com/article/first-story-abc123xyz",
            "https://www.thetimes.com/uk/article/second-story-def456uvw",
        ],
        "modified": {},
        "next_page": "https://www.thetimes.com/topic/isis?page=3",
    }


# --- URL shapes -------------------------------------------------------------------------------

STORY_URLS = [
    ("https://www.thetimes.co.uk/article/fighters-rage-as-skulking-caliph-dodges-the-last-stand-"
     "of-isis-jt9bgj7qm", "jt9bgj7qm"),
    ("https://www.thetimes.com/world/latin-america/article/venezuela-hit-by-earthquakes-pfjbxbvcz",
     "pfjbxbvcz"),
    ("https://www.thetimes.com/life-style/celebrity/article/an-interview-lj3rd2fg7", "lj3rd2fg7"),
    ("https://www.thetimes.com/uk/science/article/ai-ethics-guide-nsnjmz25b?utm_source=x",
     "nsnjmz25b"),
    ("https://www.thetimes.co.uk/article/dna-sheds-light-79tbg0zhq#comments", "79tbg0zhq"),
    ("https://www.thetimes.co.uk/article/dna-sheds-light-79tbg0zhq/", "79tbg0zhq"),
    ("https://www.thetimes.co.uk/article/dna-sheds-light-79tbg0zhq/?shareToken=abc", "79tbg0zhq"),
    ("http://thetimes.co.uk/article/older-eleven-character-id-7m0pv78bk2z", "7m0pv78bk2z"),
    ("https://www.thetimes.co.uk/edition/news/france-defies-may-over-russia-37b27qd2s",
     "37b27qd2s"),
    ("https://www.thetimes.co.uk/article/ea16d744-cb4a-11e4-a202-50ac5def393a", None),  # a UUID
    ("https://www.thetimes.com/topic/middle-east", None),
    ("https://www.thetimes.com/world/middle-east", None),
    ("https://www.thetimes.com/profile/louise-callaghan", None),
    ("https://www.thetimes.com/article/too-short-id-abcd1234", None),
    ("https://www.thetimes.com/article/slug-jt9bgj7qm/comments", None),
]  # fmt: skip


@pytest.mark.parametrize(("url", "sid"), STORY_URLS)
def test_story_id_on_url_shapes(url, sid):
    assert story_id(url) == sid
    match = STORY_ID.search(url)
    assert (match.group("id") if match else None) == sid


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://www.thetimes.com/topic/middle-east", "middle-east"),
        ("https://www.thetimes.co.uk/topic/isis?page=2", "isis"),
        ("https://www.thetimes.com/topic/isis/", "isis"),
        ("https://www.thetimes.com/topic/isis#top", "isis"),
        ("https://www.thetimes.com/topics/isis", None),
        ("https://www.thetimes.com/world/topic-of-the-day-abc123xyz", None),
    ],
)
def test_topic_path(url, slug):
    match = TOPIC_PATH.search(url)
    assert (match.group("slug") if match else None) == slug


@pytest.mark.parametrize(
    ("url", "ld", "section"),
    [
        ("https://www.thetimes.com/world/middle-east/article/x-abc123xyz", {}, "world"),
        ("https://www.thetimes.co.uk/article/x-abc123xyz", {"articleSection": "Middle East"},
         "middle-east"),
        ("https://www.thetimes.co.uk/edition/news/x-37b27qd2s", {}, "news"),
        ("https://www.thetimes.co.uk/article/x-abc123xyz", {}, None),
    ],
)  # fmt: skip
def test_section(url, ld, section):
    assert section_of(url, ld) == section


def test_fixture_files_keep_their_notes():
    readme = (TIMES / "README.md").read_text("utf-8")
    for slug in (*STORIES, "topic-middle-east"):
        assert f"`{slug}`" in readme
        assert Path(TIMES / slug / "pages/pages.json").is_file()
