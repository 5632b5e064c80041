"""Copies of one story linked by MinHash LSH (newsbite.linking, issue 9 item 6).

Positives: the seed story as The Australian printed it (fixtures/theaustralian/
isis-leader-does-a-runner) and its Sunday Times original (fixtures/thetimes/skulking-caliph),
both through the one chain, plus copies derived from them. Negatives: ten invented stories on
the seed's topic sharing names, vocabulary and two boilerplate paragraphs
(tests/data/linking/same-topic.json). `pytest -s` prints the measured similarities.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from parsel import Selector
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newsbite.items import Article
from newsbite.linking import LINK_THRESHOLD, CopyLinker, link_items, normalise
from newsbite.normalise.original import original_links, original_url
from newsbite.pipelines.linking import LinkingPipeline
from newsbite.process import extract
from newsbite.publishers import get

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).with_name("data") / "linking"
AU_URL = (
    "https://www.theaustralian.com.au/world/the-times/"
    "jihadists-irate-as-isis-leader-does-a-runner-in-the-desert/news-story/"
    "4df04eb09060ea88508cbb81762e88cf"
)
TIMES_URL = (
    "https://www.thetimes.co.uk/article/"
    "fighters-rage-as-skulking-caliph-dodges-the-last-stand-of-isis-jt9bgj7qm"
)


def _item(url: str, page: Path) -> dict:
    outcome = extract(url, page.read_bytes())
    assert outcome.item is not None, outcome.reason
    return {k: getattr(outcome.item, k) for k in ("id", "site", "url", "headline", "body")} | {
        "chrome_removed": outcome.item.chrome_removed,
        "same_story_as": list(outcome.item.same_story_as),
    }


@pytest.fixture(scope="module")
def australian() -> dict:
    return _item(AU_URL, FIXTURES / "theaustralian/isis-leader-does-a-runner/pages/story.html")


@pytest.fixture(scope="module")
def times() -> dict:
    return _item(TIMES_URL, FIXTURES / "thetimes/skulking-caliph/pages/story.html")


@pytest.fixture(scope="module")
def same_topic() -> list[dict]:
    stories = json.loads((DATA / "same-topic.json").read_text("utf-8"))["stories"]
    assert len(stories) == 10
    return stories


def jaccard(a, b) -> float:
    linker = CopyLinker()
    return linker.signature(a).jaccard(linker.signature(b))


# --- normalisation ------------------------------------------------------------------------


def test_normalise_folds_case_accents_and_punctuation():
    assert normalise("ISIS ‘leader’, Café—al-Baghdadi!") == normalise(
        "Isis 'leader' cafe al Baghdadi"
    )
    assert normalise("Isís") == ["isis"]
    # letters of other scripts are words too, not dropped
    assert normalise("داعش Isis") == ["داعش", "isis"]


# --- the seed story and its original ------------------------------------------------------


def test_seed_copy_and_times_original_differ_as_printed(australian, times):
    # What makes this a real test: headline, spelling and the fixture's ids all differ.
    assert australian["headline"] != times["headline"]
    assert "ISIS" in australian["body"][0] and "ISIS" not in " ".join(times["body"])
    assert australian["id"] != times["id"]
    assert australian["body"] != times["body"]


def test_seed_story_and_times_original_are_linked_both_ways(australian, times):
    linked = link_items([times, australian])
    assert linked[0]["same_story_as"] == [australian["id"]]
    assert linked[1]["same_story_as"] == [times["id"]]
    # the inputs are not changed: merge may still need them
    assert times["same_story_as"] == [] and australian["same_story_as"] == []


def test_linker_names_the_earlier_copy(australian, times):
    linker = CopyLinker()
    assert linker.add(times["id"], times["body"]) == []
    assert linker.add(australian["id"], australian["body"]) == [times["id"]]
    assert len(linker) == 2


def _variants(australian: dict) -> dict[str, list[str]]:
    body = australian["body"]
    return {
        "as printed": body,
        "ISIS -> Isis": [p.replace("ISIS", "Isis") for p in body],
        "upper case": [p.upper() for p in body],
        "credit line kept": [*body, "THE SUNDAY TIMES"],
        "chrome kept": ["NewsBite", *body, *australian["chrome_removed"]],
        "one paragraph dropped": body[:-1],
    }


def test_localisation_case_credit_and_chrome_do_not_hide_a_copy(australian, times):
    measured = {}
    for name, body in _variants(australian).items():
        copy = dict(australian, body=body, headline="A wholly different headline for the copy")
        linked = link_items([times, copy])
        assert linked[1]["same_story_as"] == [times["id"]], name
        measured[name] = round(jaccard(body, times["body"]), 3)
        # a copy is not a near miss: well clear of the threshold
        assert measured[name] >= LINK_THRESHOLD + 0.2, (name, measured[name])
    print("\ncopies of the seed vs the Times original (estimated Jaccard):", measured)


# --- ten different stories on one topic ---------------------------------------------------


def test_ten_same_topic_stories_are_not_linked(same_topic, australian, times):
    items = [*same_topic, australian, times]
    linked = link_items(items)
    for item in linked[:10]:
        assert item.get("same_story_as") in (None, []), item["id"]
    assert linked[10]["same_story_as"] == [times["id"]]
    assert linked[11]["same_story_as"] == [australian["id"]]


def test_same_topic_stories_share_text_but_stay_below_threshold(same_topic, australian):
    bodies = {s["id"]: s["body"] for s in same_topic} | {"seed": australian["body"]}
    scores = {(a, b): jaccard(bodies[a], bodies[b]) for a, b in itertools.combinations(bodies, 2)}
    # The negatives are hard: every pair of invented stories shares boilerplate...
    topic_pairs = [v for (a, b), v in scores.items() if "seed" not in (a, b)]
    assert min(topic_pairs) > 0.1
    # ...and yet all stay far below the threshold.
    worst = max(scores.values())
    assert worst <= LINK_THRESHOLD - 0.15, worst
    print(f"\n{len(scores)} different-story pairs: max estimated Jaccard {worst:.3f}")


def test_edited_copies_of_invented_stories_are_linked(same_topic):
    # A wire story reprinted with its last paragraphs cut and "said" changed to "says".
    originals = [dict(s, id=s["id"] + "-wire") for s in same_topic]
    copies = [
        dict(s, id=s["id"] + "-copy", body=[p.replace("said", "says") for p in s["body"][:-2]])
        for s in same_topic
    ]
    linked = link_items([*originals, *copies])
    for n, item in enumerate(linked[10:]):
        assert item["same_story_as"] == [originals[n]["id"]], item["id"]


# --- the linker's rules -------------------------------------------------------------------


def test_short_bodies_are_not_fingerprinted():
    linker = CopyLinker()
    brief = ["Isis fighters surrendered near Baghouz on Sunday, officials said."]
    assert linker.signature(brief) is None
    assert linker.add("a", brief) == [] and linker.add("b", brief) == []
    assert len(linker) == 0


def test_the_same_id_again_is_not_its_own_copy(times):
    linker = CopyLinker()
    assert linker.add(times["id"], times["body"]) == []
    assert linker.add(times["id"], times["body"]) == []
    assert len(linker) == 1


def _distinct_body(n: int) -> list[str]:
    # Forty words no other story shares: never a candidate for any other body.
    return [" ".join(f"word{n}x{i}" for i in range(40))]


def test_the_window_forgets_the_oldest_story(australian, times):
    linker = CopyLinker(window=3)
    linker.add(times["id"], times["body"])
    for n in range(3):
        linker.add(f"other-{n}", _distinct_body(n))
    # The original is out of the window: the copy is new to the linker (and querying the
    # index does not meet a forgotten key whose signature is gone).
    assert times["id"] not in linker and linker.evicted == 1
    assert linker.add(australian["id"], australian["body"]) == []
    assert len(linker) == 3 and linker.evicted == 2


def test_a_copy_within_the_window_is_linked(australian, times):
    linker = CopyLinker(window=4)
    linker.add(times["id"], times["body"])
    for n in range(3):
        linker.add(f"other-{n}", _distinct_body(n))
    assert linker.add(australian["id"], australian["body"]) == [times["id"]]


def test_the_index_stays_the_window_size_however_many_stories():
    linker = CopyLinker(window=5)
    for n in range(200):
        linker.add(f"s{n}", _distinct_body(n))
    assert len(linker) == 5 and linker.evicted == 195
    assert list(linker._signatures) == [f"s{n}" for n in range(195, 200)]
    for counts in linker._lsh.get_counts():  # one bucket entry per kept story and band
        assert sum(counts.values()) == 5


def test_a_window_below_one_story_is_refused():
    with pytest.raises(ValueError, match="window"):
        CopyLinker(window=0)


def test_signatures_are_the_same_in_another_process(times):
    mine = CopyLinker().signature(times["body"]).hashvalues[:8].tolist()
    code = (
        "import json,sys; from newsbite.linking import CopyLinker;"
        "b=json.load(sys.stdin); print(CopyLinker().signature(b).hashvalues[:8].tolist())"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(times["body"]),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    assert json.loads(out.stdout) == mine


def test_link_items_groups_copies_of_copies_in_feed_order(australian, times, same_topic):
    third = dict(australian, id="third-copy", body=[*australian["body"], "THE SUNDAY TIMES"])
    other = same_topic[0]
    linked = link_items([australian, other, times, third])
    assert linked[0]["same_story_as"] == [times["id"], "third-copy"]
    assert linked[2]["same_story_as"] == [australian["id"], "third-copy"]
    assert linked[3]["same_story_as"] == [australian["id"], times["id"]]
    assert "same_story_as" not in linked[1]


def test_link_items_completes_a_crawls_one_way_link_and_keeps_listed_ids(australian, times):
    # A crawl linked the later copy only, and to one id no longer in these feeds.
    later = dict(australian, same_story_as=["gone-from-feed", times["id"]])
    # Bodies too short to compare: the crawl's link alone must join them.
    earlier = dict(times, body=["A teaser."])
    linked = link_items([earlier, later])
    assert linked[0]["same_story_as"] == [australian["id"]]
    assert linked[1]["same_story_as"] == ["gone-from-feed", times["id"]]


def test_link_items_skips_items_without_id_or_body(times):
    linked = link_items([{"site": "x"}, {"id": "empty", "body": []}, times])
    assert [i.get("same_story_as") for i in linked] == [None, None, []]


# --- the crawl's pipeline -----------------------------------------------------------------


def _article(data: dict) -> Article:
    return Article(url=data["url"], site=data["site"], id=data["id"], body=list(data["body"]))


def test_pipeline_links_the_later_copy_and_counts_it(australian, times, same_topic):
    crawler = get_crawler(settings_dict={})
    pipeline = LinkingPipeline.from_crawler(crawler)
    first = pipeline.process_item(_article(times))
    other = pipeline.process_item(
        Article(url="https://example.com/x", site="x", id="x", body=same_topic[3]["body"])
    )
    later = pipeline.process_item(_article(australian))
    short = pipeline.process_item(Article(url="u", site="s", id="short", body=["Too short."]))
    assert first.same_story_as == [] and other.same_story_as == [] and short.same_story_as == []
    assert later.same_story_as == [times["id"]]
    stats = crawler.stats.get_stats()
    assert stats["newsbite/linking/copies"] == 1
    assert stats["newsbite/linking/indexed"] == 3
    assert stats["newsbite/linking/too_short"] == 1


def test_pipeline_compares_with_the_window_the_setting_names(australian, times):
    crawler = get_crawler(settings_dict={"NEWSBITE_LINK_WINDOW": 1})
    pipeline = LinkingPipeline.from_crawler(crawler)
    pipeline.process_item(_article(times))
    pipeline.process_item(
        Article(url="https://example.com/x", site="x", id="x", body=_distinct_body(1))
    )
    later = pipeline.process_item(_article(australian))
    assert later.same_story_as == []  # its original was forgotten for the story between
    assert crawler.stats.get_value("newsbite/linking/evicted") == 2
    assert LinkingPipeline.from_crawler(get_crawler(settings_dict={})).linker.window == 10_000
    unbounded = get_crawler(settings_dict={"NEWSBITE_LINK_WINDOW": 0})
    assert LinkingPipeline.from_crawler(unbounded).linker.window is None


def test_pipeline_is_switched_off_by_the_setting():
    with pytest.raises(NotConfigured):
        LinkingPipeline.from_crawler(get_crawler(settings_dict={"NEWSBITE_LINK_COPIES": "false"}))


def test_pipeline_is_registered_between_process_and_incremental():
    from scrapy.utils.project import get_project_settings

    pipelines = get_project_settings().getdict("ITEM_PIPELINES")
    order = pipelines["newsbite.pipelines.linking.LinkingPipeline"]
    assert pipelines["newsbite.pipelines.process.ProcessPipeline"] < order
    assert order < pipelines["newsbite.pipelines.incremental.IncrementalPipeline"]


def _crawl(tmp_path: Path, *args: str) -> tuple[list[dict], dict]:
    feed, stats = tmp_path / "out.jsonl", tmp_path / "stats.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            *args,
            "-O",
            str(feed),
            "-s",
            f"NEWSBITE_STATS_FILE={stats}",
            "-s",
            "NEWSBITE_REPORT=false",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    items = [json.loads(line) for line in feed.read_text("utf-8").splitlines() if line]
    return items, json.loads(stats.read_text("utf-8"))


def test_replayed_crawl_links_nothing_among_distinct_stories(tmp_path):
    items, stats = _crawl(tmp_path, "theaustralian", "-s", "NEWSBITE_CASSETTE_MODE=replay")
    assert len(items) >= 5
    assert len({i["id"] for i in items}) == len(items)
    assert all(i["same_story_as"] == [] for i in items)
    # The pipeline ran on every story: nothing linked because nothing is a copy.
    assert stats["newsbite/linking/indexed"] == len(items)
    assert "newsbite/linking/copies" not in stats


def test_crawl_of_both_sites_links_the_copy_and_merge_completes_it(tmp_path):
    from newsbite.testing.simulator import Simulator

    with Simulator(stories=5, fixtures=True, publishers=["theaustralian", "thetimes"]) as sim:
        items, stats = _crawl(
            tmp_path,
            "news",
            "-a",
            f"urls={TIMES_URL},{AU_URL}",
            "-s",
            f"NEWSBITE_HOST_MAP={sim.host_map()}",
        )
    assert sorted(i["site"] for i in items) == ["theaustralian", "thetimes"]
    first, later = items  # feed order is the order the pipeline saw them
    assert first["same_story_as"] == [] and later["same_story_as"] == [first["id"]]
    assert stats["newsbite/linking/copies"] == 1

    merged = tmp_path / "merged.jsonl"
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from newsbite.cli import main; sys.exit(main())"]
        + ["merge", str(tmp_path / "out.jsonl"), "--link-copies", "-o", str(merged)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    both = {i["id"]: i["same_story_as"] for i in map(json.loads, merged.open(encoding="utf-8"))}
    assert both == {first["id"]: [later["id"]], later["id"]: [first["id"]]}


# --- syndication.url: the original a page names -------------------------------------------

PAGE = """<html><head>{head}</head><body><article id="story"><h1>A headline</h1>
<p>Body text.</p>{credit}</article><footer>{footer}</footer></body></html>"""
ORIGINAL = "https://www.thetimes.co.uk/article/fighters-rage-as-skulking-caliph-jt9bgj7qm"


def _sel(head: str = "", credit: str = "", footer: str = "") -> Selector:
    html = PAGE.format(head=head, credit=credit, footer=footer)
    return Selector(text=html, base_url=AU_URL)


def test_original_from_a_credit_link_in_the_story():
    credit = f'<p>This article first appeared in <a href="{ORIGINAL}?shareToken=x#c">The Times</a>'
    assert original_url(_sel(credit=credit), "The Sunday Times") == ORIGINAL


def test_original_from_canonical_og_url_and_jsonld():
    canonical = f'<link rel="canonical" href="{ORIGINAL}">'
    assert original_url(_sel(head=canonical), "The Times") == ORIGINAL
    og = f'<meta property="og:url" content="{ORIGINAL}">'
    assert original_url(_sel(head=og), "The Times") == ORIGINAL
    jsonld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"isBasedOn": {{"@type": "NewsArticle", "url": "{ORIGINAL}"}}}}</script>'
    )
    assert original_url(_sel(head=jsonld), "The Times") == ORIGINAL


def test_no_original_from_home_topic_or_other_domains():
    footer = (
        '<a href="https://www.thetimes.co.uk/">The Times</a>'
        '<a href="https://www.thetimes.co.uk/topic/isis">Isis</a>'
        '<a href="https://www.example.com/article/a-b-c-story">elsewhere</a>'
    )
    assert original_url(_sel(footer=footer), "The Times") is None
    assert original_url(_sel(credit=f'<a href="{ORIGINAL}">x</a>'), "Reuters") is None
    assert original_url(_sel(credit=f'<a href="{ORIGINAL}">x</a>'), None) is None
    assert original_url(_sel(credit=f'<a href="{ORIGINAL}">x</a>'), "Unknown Gazette") is None


def test_original_of_a_wire_source_by_its_domain():
    reuters = "https://www.reuters.com/world/middle-east/isis-enclave-falls-2019-03-23/"
    sel = _sel(credit=f'<p>Originally published by <a href="{reuters}">Reuters</a></p>')
    assert original_url(sel, "Reuters") == reuters
    assert original_links(sel, own=get("theaustralian")) == {"Reuters": reuters}


def test_seed_page_names_no_original():
    # The Australian's page credits THE SUNDAY TIMES but links nowhere on thetimes.co.uk:
    # no syndication.url is made up for it.
    page = FIXTURES / "theaustralian/isis-leader-does-a-runner/pages/story.html"
    sel = Selector(text=page.read_text("utf-8"), base_url=AU_URL)
    assert original_url(sel, "The Sunday Times") is None
    assert original_links(sel, own=get("theaustralian")) == {}


# --- newsbite merge --collapse ----------------------------------------------------------------


def test_collapse_keeps_the_credited_sources_item_and_lists_the_copy(
    tmp_path, australian, times, same_topic
):
    """The Australian's copy credits The Sunday Times: the Times' own item stays, whatever
    the feed order, and lists the copy; stories that are no copies are all kept."""
    australian = australian | {
        "syndication": {"source": "The Sunday Times", "raw": "THE SUNDAY TIMES"},
        "same_story_as": [],
    }
    others = [
        {"id": f"{n:032x}", "site": "theaustralian", "url": f"https://x.org/{n}", **story}
        for n, story in enumerate(same_topic)
    ]
    feed = tmp_path / "a.jsonl"
    rows = [australian, *others[:5], times, *others[5:]]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from newsbite.cli import main; sys.exit(main())"]
        + ["merge", str(feed), "--collapse", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    kept = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert len(kept) == 11
    assert australian["id"] not in {k["id"] for k in kept}
    times_item = next(k for k in kept if k["id"] == times["id"])
    assert times_item["same_story_as"] == [australian["id"]]
    assert "1 copies collapsed" in run.stderr
