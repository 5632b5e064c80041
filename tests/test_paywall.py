"""Access classification: pure rules, and every hand-built page of tests/data/paywall through
the parser and the item pipelines (issue 4, DESIGN §5)."""

from __future__ import annotations

import pytest
from conftest import SEED_URL
from helpers import html_response, make_spider, run_pipelines
from parsel import Selector

from newsbite.extract.botwall import detect_botwall
from newsbite.items import Article
from newsbite.normalise.paywall import classify, declared_free, is_subscribe_prompt
from newsbite.pipelines.process import ProcessPipeline as PaywallPipeline
from newsbite.testing.crawl import paywall_page as page

STORY = (
    "https://www.theaustralian.com.au/nation/politics/senate-passes-regional-road-funding-bill/"
    "news-story/6aff340677bf3b8b04d7ce2ea4184299"
)
FULL = [
    f"Paragraph {i} of a story that goes on for a good many words, as stories do, with quotes, "
    "figures and the names of the people who said them."
    for i in range(8)
]
CUT = FULL[:2]
PROMPT = "Subscribe to continue reading. Already a subscriber? Log in"


def pipeline_item(name: str, url: str = STORY) -> dict | None:
    spider = make_spider()
    html = page(name).read_text("utf-8")
    items = [
        i
        for i in spider.parse_article(html_response(url, html), depth=None)
        if isinstance(i, Article)
    ]
    assert len(items) == 1, name
    return run_pipelines(spider, items[0])


# --- pure rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["jsonld:isAccessibleForFree=false", "jsonld:isAccessibleForFree=False"]
)
def test_declared_not_free_is_read_in_any_case(value):
    assert declared_free([value]) is False
    assert declared_free(["jsonld:isAccessibleForFree=true"]) is True
    assert declared_free([]) is None


def test_full_body_declared_free_is_free():
    result = classify(FULL, ["jsonld:isAccessibleForFree=true"])
    assert result["status"] == "free"
    assert result["evidence"][0] == "jsonld:isAccessibleForFree=true"
    assert any(e.startswith("body:full(") for e in result["evidence"])


def test_declared_not_free_with_full_body_is_free_with_the_contradiction():
    result = classify(FULL, ["jsonld:isAccessibleForFree=false", "jsonld:hasPart:.story-paywall"])
    assert result["status"] == "free"
    assert "contradiction:declared-not-free-but-full-body" in result["evidence"]


def test_declared_free_with_a_cut_body_is_subscriber_with_the_contradiction():
    result = classify([*CUT, PROMPT], ["jsonld:isAccessibleForFree=true"])
    assert result["status"] == "subscriber"
    assert "body:subscribe-prompt" in result["evidence"]
    assert "contradiction:declared-free-but-body-cut" in result["evidence"]


def test_short_body_with_paywall_markup_is_subscriber():
    assert classify(CUT, ["markup:.story-paywall-prompt"])["status"] == "subscriber"
    assert classify(CUT, ["jsonld:isAccessibleForFree=false"])["status"] == "subscriber"


def test_prompt_removed_as_chrome_still_counts():
    result = classify(CUT, [], removed=["This story is for subscribers only."])
    assert result["status"] == "subscriber"


def test_no_signals_and_a_body_is_free_and_nothing_is_unknown():
    assert classify(FULL, [])["status"] == "free"
    assert classify([], [])["status"] == "unknown"
    assert classify([], ["jsonld:isAccessibleForFree=false"])["status"] == "subscriber"


def test_botwall_wins_and_says_which_signal():
    result = classify([], [], botwall="no-cookies")
    assert result == {"status": "botwall", "evidence": ["botwall:no-cookies"]}


def test_session_full_body_of_a_locked_story_is_subscriber_not_a_contradiction():
    result = classify(FULL, ["jsonld:isAccessibleForFree=false"], session=True)
    assert result["status"] == "subscriber"
    assert "session:subscriber" in result["evidence"]
    assert not any(e.startswith("contradiction:") for e in result["evidence"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("This story is for subscribers only.", True),
        ("Subscribe to continue reading", True),
        ("Already a subscriber? Log in", True),
        ("Log in to continue reading", True),
        ("The minister said people should subscribe to the plan to keep reading widely.", False),
        ("Subscribers to the newsletter were told on Monday that the service would close.", False),
    ],
)
def test_subscribe_prompts(text, expected):
    assert is_subscribe_prompt(text) is expected


# --- the pages ----------------------------------------------------------------------------------


def test_free_page():
    item = pipeline_item("free.html")
    assert item["paywall"]["status"] == "free"
    assert not any(e.startswith("contradiction") for e in item["paywall"]["evidence"])


def test_subscriber_page_with_truncated_body_and_prompt():
    item = pipeline_item("subscriber-truncated.html")
    assert item["paywall"]["status"] == "subscriber"
    evidence = item["paywall"]["evidence"]
    assert "jsonld:isAccessibleForFree=false" in evidence
    assert "jsonld:hasPart:.story-paywall" in evidence
    assert "body:subscribe-prompt" in evidence
    assert len(item["body"]) == 2


def test_subscriber_page_whose_prompt_is_a_body_paragraph():
    item = pipeline_item("subscriber-prompt-only.html")
    assert item["paywall"]["status"] == "subscriber"
    assert "body:subscribe-prompt" in item["paywall"]["evidence"]


def test_mislabelled_free_page_is_subscriber():
    item = pipeline_item("mislabelled-free.html")
    assert item["paywall"]["status"] == "subscriber"
    assert "contradiction:declared-free-but-body-cut" in item["paywall"]["evidence"]


def test_mislabelled_subscriber_page_is_free():
    item = pipeline_item("mislabelled-subscriber.html")
    assert item["paywall"]["status"] == "free"
    assert "contradiction:declared-not-free-but-full-body" in item["paywall"]["evidence"]


def test_seed_story_marked_not_free_but_whole_is_free(seed_html):
    spider = make_spider()
    items = [
        i
        for i in spider.parse_article(html_response(SEED_URL, seed_html), depth=None)
        if isinstance(i, Article)
    ]
    item = run_pipelines(spider, items[0])
    assert item["paywall"]["status"] == "free"
    assert item["paywall"]["evidence"][:2] == [
        "jsonld:isAccessibleForFree=false",
        "jsonld:hasPart:.story-paywall",
    ]
    assert "contradiction:declared-not-free-but-full-body" in item["paywall"]["evidence"]


@pytest.mark.parametrize(
    "name, signal",
    [("botwall-no-cookies.html", "no-cookies"), ("botwall-challenge.html", "cloudflare-challenge")],
)
def test_bot_wall_pages_are_recognised(name, signal):
    sel = Selector(text=page(name).read_text("utf-8"))
    assert detect_botwall(sel) == signal


def test_js_built_page_has_no_static_body_and_is_dropped():
    assert pipeline_item("js-built.html") is None


def test_pipeline_keeps_the_session_flag_and_counts():
    spider = make_spider()
    pipeline = PaywallPipeline.from_crawler(spider.crawler)
    item = Article(
        url=STORY,
        site="x",
        headline="H",
        scraped_at="2026-01-01T00:00:00+00:00",
        extractor="newscorp_au/2024",
        id="0" * 32,
        body=list(FULL),
        paywall={
            "status": "unknown",
            "evidence": ["jsonld:isAccessibleForFree=false"],
            "session": True,
        },
    )
    pipeline.process_item(item)
    assert item.paywall["status"] == "subscriber"
    assert item.paywall["session"] is True
    assert spider.crawler.stats.get_value("newsbite/paywall/subscriber") == 1


# --- mutation sweep: rules the pages above do not reach ------------------------------------------


@pytest.mark.parametrize("text", ["Subscribers only", "Exclusive subscriber content"])
def test_subscriber_only_labels_are_prompts(text):
    assert is_subscribe_prompt(text) is True


def test_a_long_paragraph_mentioning_a_prompt_is_story_text():
    long = "Readers wrote in. " * 20 + "Already a subscriber? " + "The letters went on. " * 5
    assert len(long) >= 300
    assert is_subscribe_prompt(long) is False


def test_few_long_paragraphs_are_a_short_body_in_the_evidence():
    three_long = [" ".join(["word"] * 40)] * 3  # 3 paragraphs but 120 words: short by paragraphs
    result = classify(three_long, [])
    assert "body:short(3p,120w)" in result["evidence"]


def test_declared_free_cut_body_without_prompt_is_free_on_the_declaration():
    result = classify(CUT, ["jsonld:isAccessibleForFree=true"])
    assert result["status"] == "free"
    assert "no-paywall-signal" not in result["evidence"]


def test_nothing_but_a_prompt_and_no_declaration_is_subscriber():
    result = classify([PROMPT], [])
    assert result["status"] == "subscriber"
    assert "body:subscribe-prompt" in result["evidence"] and "body:empty" in result["evidence"]


def test_pipeline_counts_prompts_removed_as_chrome_and_contradictions():
    spider = make_spider()
    pipeline = PaywallPipeline.from_crawler(spider.crawler)
    cut = Article(
        url=STORY,
        site="x",
        headline="H",
        scraped_at="2026-01-01T00:00:00+00:00",
        extractor="newscorp_au/2024",
        id="0" * 32,
        body=list(CUT),
        chrome_removed=["Subscribe to continue reading"],
        paywall={"status": "unknown", "evidence": []},
    )
    pipeline.process_item(cut)
    assert cut.paywall["status"] == "subscriber"
    whole = Article(
        url=STORY,
        site="x",
        headline="H",
        scraped_at="2026-01-01T00:00:00+00:00",
        extractor="newscorp_au/2024",
        id="1" * 32,
        body=list(FULL),
        paywall={"status": "unknown", "evidence": ["jsonld:isAccessibleForFree=false"]},
    )
    pipeline.process_item(whole)
    assert whole.paywall["status"] == "free"
    assert spider.crawler.stats.get_value("newsbite/paywall/contradiction") == 1


def test_pipeline_thresholds_come_from_settings():
    spider = make_spider({"NEWSBITE_PAYWALL_FULL_WORDS": 10_000})
    pipeline = PaywallPipeline.from_crawler(spider.crawler)
    item = Article(
        url=STORY,
        site="x",
        headline="H",
        scraped_at="2026-01-01T00:00:00+00:00",
        extractor="newscorp_au/2024",
        id="0" * 32,
        body=list(FULL),
        paywall={"status": "unknown", "evidence": ["jsonld:isAccessibleForFree=false"]},
    )
    pipeline.process_item(item)
    assert item.paywall["status"] == "subscriber"
    assert not any(e.startswith("body:full(") for e in item.paywall["evidence"])


@pytest.mark.parametrize(
    "markup, signal",
    [
        ("<title>Access Denied</title><body><p>Reference #18</p></body>", "access-denied"),
        ('<body><div id="px-captcha"></div><p>Press and hold.</p></body>', "perimeterx"),
    ],
)
def test_other_bot_walls_are_recognised(markup, signal):
    assert detect_botwall(Selector(text=f"<html>{markup}</html>")) == signal


def test_wall_text_length_ignores_scripts():
    script = "<script>var x = '" + "a" * 3000 + "';</script>"
    sel = Selector(text=f"<html><title>No cookies</title><body>{script}<p>Hi</p></body></html>")
    assert detect_botwall(sel) == "no-cookies"
