"""Replay every fixture folder and compare the crawl with its expected.json, field by field.

Goldens change only through `scrapy fixture update` (or `build` for synthetic fixtures).
"""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, SEED_URL
from jsonschema import Draft202012Validator

from newsbite.fixtures import (
    diff_items,
    iter_fixture_dirs,
    load_expected,
    load_meta,
    run_crawl,
)
from newsbite.process import load_schema

FIXTURE_DIRS = iter_fixture_dirs()
SCHEMA = Draft202012Validator(load_schema())


def test_fixtures_are_bundled():
    names = {d.name for d in FIXTURE_DIRS}
    assert {
        "isis-leader-does-a-runner",
        "topic-isis",
        "no-cookies-botwall",
        "multi-author-byline",
        "agency-credit-afp",
        "quotes-chrome-phrase",
    } <= names
    for fixture_dir in FIXTURE_DIRS:
        meta = load_meta(fixture_dir)
        assert meta["spider"] and meta["urls"], fixture_dir
        assert meta.get("synthetic") is False or meta.get("structure_from"), fixture_dir


@pytest.mark.slow
@pytest.mark.parametrize("fixture_dir", FIXTURE_DIRS, ids=lambda d: f"{d.parent.name}/{d.name}")
def test_fixture_replays_to_its_expected_items(fixture_dir, crawls):
    result = crawls(fixture_dir)
    assert result.returncode == 0, result.log[-3000:]
    assert not result.misses, f"requests missing from the cassette: {result.misses}"
    differences = diff_items(load_expected(fixture_dir), result.items)
    assert not differences, "\n".join(
        [
            f"{fixture_dir.name}: crawl differs from expected.json "
            "(if intended: scrapy fixture update, and review the diff)",
            *differences,
        ]
    )
    for item in result.items:
        errors = [e.message for e in SCHEMA.iter_errors(item)]
        assert not errors, (item["url"], errors)


@pytest.mark.slow
def test_seed_story_matches_the_seed(crawls):
    seed = json.loads(
        (FIXTURES / "theaustralian/isis-leader-does-a-runner/seed.expected.json").read_text()
    )
    [item] = crawls(FIXTURES / "theaustralian/isis-leader-does-a-runner").items
    assert item["url"] == SEED_URL
    for field in ("headline", "standfirst", "body", "syndication", "section", "site"):
        assert item[field] == seed[field], field
    assert [(i["caption"], i["credit"]) for i in item["images"]] == [
        (i["caption"], i["credit"]) for i in seed["images"]
    ]
    assert [t["name"] for t in item["topics"]] == [t["name"] for t in seed["topics"]]
    printed = json.dumps(
        {k: v for k, v in item.items() if k != "chrome_removed"}, ensure_ascii=False
    )
    for chrome in seed["chrome_removed"]:
        assert chrome not in printed
    assert sorted(item["chrome_removed"]) == sorted(seed["chrome_removed"])


@pytest.mark.slow
def test_bot_wall_is_counted_not_written(crawls):
    result = crawls(FIXTURES / "theaustralian/no-cookies-botwall")
    assert result.items == []
    assert result.stats.get("newsbite/botwall") == 1
    assert "newsbite/articles/parsed" not in result.stats
    summary = next(line for line in result.log.splitlines() if "newsbite summary" in line)
    assert "0 articles written" in summary and "1 bot walls" in summary


@pytest.mark.slow
def test_topic_crawl_follows_pagination_and_one_related_hop(crawls):
    result = crawls(FIXTURES / "theaustralian/topic-isis")
    assert result.stats["newsbite/listing/pages"] >= 3  # isis p1, p2, and related topic pages
    urls = {i["url"] for i in result.items}
    assert SEED_URL in urls
    newspoll = [i for i in result.items if any(t["name"] == "Newspoll" for t in i["topics"])]
    assert newspoll, "stories found only through the related topic hop"
    assert not any("anthony-albanese" in str(m) for m in result.misses)
    summary = next(line for line in result.log.splitlines() if "newsbite summary" in line)
    statuses = [item["paywall"]["status"] for item in result.items]
    assert "6 articles written" in summary
    assert (
        f"[access: {statuses.count('free')} free, {statuses.count('subscriber')} subscriber"
        in summary
    )


@pytest.mark.slow
def test_replay_without_a_named_cassette_uses_every_bundled_fixture(tmp_path):
    """The README's main job: the default topic, offline, from the bundled fixtures."""
    result = run_crawl(
        "theaustralian", {}, {"NEWSBITE_CASSETTE_MODE": "replay"}, out_path=tmp_path / "o.jsonl"
    )
    assert result.returncode == 0 and not result.misses, result.log[-3000:]
    expected = load_expected(FIXTURES / "theaustralian/topic-isis")
    assert sorted(i["url"] for i in result.items) == sorted(i["url"] for i in expected)
