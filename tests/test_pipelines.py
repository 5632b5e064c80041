"""Each stage of the chain on its own, then the whole chain on the seed story (DESIGN §1-§3, §6).

The stages are methods of newsbite.process.Chain; the Scrapy pipeline (ProcessPipeline) only
adds their counts to the stats, so stages are run here the way it runs them."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import SEED_URL
from helpers import crawl_response, html_response, make_spider, run_pipelines
from itemadapter import ItemAdapter

from newsbite.items import Article
from newsbite.pipelines.process import ProcessPipeline
from newsbite.process import Chain
from newsbite.publishers import get

SEED = Path(__file__).resolve().parent.parent / "fixtures/theaustralian/isis-leader-does-a-runner"
SEED_EXPECTED_FIELDS = json.loads((SEED / "seed.expected.json").read_text("utf-8"))


@pytest.fixture
def spider():
    return make_spider()


def article(**fields) -> Article:
    base = {
        "url": SEED_URL,
        "site": "theaustralian",
        "id": "4df04eb09060ea88508cbb81762e88cf",
        "headline": "H",
        "body": ["One."],
        "scraped_at": "2026-01-01T00:00:00+00:00",
        "extractor": "newscorp_au/1",
    }
    return Article.from_fields(base | fields)


class Stage:
    """One stage of the crawl's chain, with its counts added to the spider's stats."""

    def __init__(self, name: str, crawler) -> None:
        self.method = getattr(Chain.from_settings(crawler.settings), name)
        self.name = name
        self.stats = crawler.stats

    @classmethod
    def of(cls, name: str):
        return lambda crawler: cls(name, crawler)

    def process_item(self, item: Article) -> Article:
        counts: Counter[str] = Counter()
        if self.name == "syndication":
            self.method(item, get(item.site), counts)
        else:
            self.method(item, counts)
        for stat, count in counts.items():
            self.stats.inc_value(f"newsbite/{stat}", count)
        return item


class StripChromePipeline:
    from_crawler = staticmethod(Stage.of("strip_chrome"))


class CaptionsPipeline:
    from_crawler = staticmethod(Stage.of("captions"))


class BylinesPipeline:
    from_crawler = staticmethod(Stage.of("byline"))


class SyndicationPipeline:
    from_crawler = staticmethod(Stage.of("syndication"))


ValidatePipeline = ProcessPipeline  # validation is the chain's last gate


def stats(spider) -> dict:
    return spider.crawler.stats.get_stats()


def test_strip_chrome_records_what_it_removed(spider):
    item = article(
        body=["Story.", "Add your comment to this story", "\u201cRegister,\u201d he said."]
    )
    StripChromePipeline.from_crawler(spider.crawler).process_item(item)
    assert item.body == ["Story.", "\u201cRegister,\u201d he said."]
    assert item.chrome_removed == ["Add your comment to this story"]
    assert stats(spider)["newsbite/chrome_removed"] == 1


def test_strip_chrome_vocabulary_file_can_be_replaced(spider, tmp_path):
    vocab = tmp_path / "chrome.json"
    vocab.write_text(json.dumps({"phrases": ["Story."], "patterns": []}))
    spider = make_spider({"NEWSBITE_CHROME_VOCAB": str(vocab)})
    item = article(body=["Story.", "Add your comment to this story"])
    StripChromePipeline.from_crawler(spider.crawler).process_item(item)
    assert item.body == ["Add your comment to this story"]


def test_captions_once_and_out_of_the_body(spider):
    item = article(
        body=["A man walks. Picture: AFP", "Story."],
        images=[
            {
                "url": "u",
                "caption": "A man walks. Picture: AFP A man walks. Picture: AFP",
                "credit": None,
            }
        ],
    )
    CaptionsPipeline.from_crawler(spider.crawler).process_item(item)
    assert item.images == [{"url": "u", "caption": "A man walks.", "credit": "AFP"}]
    assert item.body == ["Story."]


def test_bylines_people_and_agency_credit(spider):
    pipeline = BylinesPipeline.from_crawler(spider.crawler)
    item = pipeline.process_item(article(byline_raw="By TOM ROE, Senior Writer and Ann Lee"))
    assert item.authors == [
        {"name": "Tom Roe", "raw": "TOM ROE, Senior Writer", "role": "Senior Writer"},
        {"name": "Ann Lee", "raw": "Ann Lee"},
    ]
    agency = pipeline.process_item(article(byline_raw="AFP"))
    assert agency.authors == [] and agency.syndication == {"source": "AFP", "raw": "AFP"}


def test_bylines_fall_back_to_structured_authors(spider):
    item = article(authors=[{"name": "JANE DOE", "raw": "JANE DOE", "kind": "Person"}])
    BylinesPipeline.from_crawler(spider.crawler).process_item(item)
    assert item.authors == [{"name": "Jane Doe", "raw": "JANE DOE"}]


def test_syndication_trailing_line_leaves_the_body(spider):
    pipeline = SyndicationPipeline.from_crawler(spider.crawler)
    item = pipeline.process_item(article(body=["Story.", "THE SUNDAY TIMES"]))
    assert item.body == ["Story."]
    assert item.syndication == {"source": "The Sunday Times", "raw": "THE SUNDAY TIMES"}
    signed = pipeline.process_item(article(body=["Story ends here. \u2014 AFP"]))
    assert signed.body == ["Story ends here."] and signed.syndication["source"] == "AFP"


def test_syndication_trailing_line_beats_byline_credit_and_section_is_last_resort(spider):
    pipeline = SyndicationPipeline.from_crawler(spider.crawler)
    item = article(
        body=["Story.", "THE SUNDAY TIMES"], syndication={"source": "The Times", "raw": "The Times"}
    )
    assert pipeline.process_item(item).syndication["source"] == "The Sunday Times"
    by_section = pipeline.process_item(article(body=["Story."]))
    assert by_section.syndication == {"source": "The Times", "raw": "/the-times/"}
    elsewhere = pipeline.process_item(
        article(url="https://www.theaustralian.com.au/nation/x", body=["S."])
    )
    assert elsewhere.syndication is None


def test_image_credit_is_never_the_story_source(spider):
    item = article(
        body=["Story."],
        url="https://www.theaustralian.com.au/nation/x",
        images=[{"url": "u", "caption": "X. Picture: AFP", "credit": None}],
    )
    for pipeline in (CaptionsPipeline, BylinesPipeline, SyndicationPipeline):
        pipeline.from_crawler(spider.crawler).process_item(item)
    assert item.syndication is None and item.images[0]["credit"] == "AFP"


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"headline": None}, "missing_headline"),
        ({"body": []}, "empty_body"),
        ({"published": "yesterday"}, "invalid_published"),
        ({"id": "nothex"}, "invalid_id"),
    ],
)
def test_validate_drops_with_reason_and_stat(spider, fields, reason, caplog):
    pipeline = ValidatePipeline.from_crawler(spider.crawler)
    with pytest.raises(Exception) as caught:
        pipeline.process_item(article(**fields))
    assert reason in str(caught.value)
    assert stats(spider)[f"newsbite/dropped/{reason}"] == 1


def test_validate_counts_words_last(spider):
    item = ValidatePipeline.from_crawler(spider.crawler).process_item(
        article(body=["one two", "three"])
    )
    assert item.word_count == 3


def test_seed_story_end_to_end_matches_the_seed(spider, seed_html):
    [item] = crawl_response(spider, html_response(SEED_URL, seed_html))
    out = run_pipelines(spider, item)
    assert out is not None
    for field in ("headline", "standfirst", "body", "syndication", "section"):
        assert out[field] == SEED_EXPECTED_FIELDS[field], field
    assert len(out["body"]) == 14
    assert [(i["caption"], i["credit"]) for i in out["images"]] == [
        (i["caption"], i["credit"]) for i in SEED_EXPECTED_FIELDS["images"]
    ]
    assert [t["name"] for t in out["topics"]] == [t["name"] for t in SEED_EXPECTED_FIELDS["topics"]]
    text = json.dumps({k: v for k, v in out.items() if k != "chrome_removed"}, ensure_ascii=False)
    for line in SEED_EXPECTED_FIELDS["chrome_removed"]:
        assert line not in text
    assert not re.search(r"Read related topics|Original URL", text)
    assert ItemAdapter(item).get("word_count") > 300


def test_byline_credit_never_overrides_a_known_source_and_raw_is_read_first(spider):
    pipeline = BylinesPipeline.from_crawler(spider.crawler)
    known = article(byline_raw="AFP", syndication={"source": "The Times", "raw": "The Times"})
    assert pipeline.process_item(known).syndication == {"source": "The Times", "raw": "The Times"}
    item = article(
        authors=[
            {"name": "Jane Doe", "raw": "JANE DOE, AFP"},
            {"name": "Tom Roe", "raw": "Tom Roe, Reuters"},
        ]
    )
    pipeline.process_item(item)
    assert [a["name"] for a in item.authors] == ["Jane Doe", "Tom Roe"]
    assert item.syndication == {"source": "AFP", "raw": "AFP"}
