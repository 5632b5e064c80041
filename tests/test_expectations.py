"""Every fixture folder has a hand-written `<slug>.expected.json`, and a replayed crawl of the
fixture agrees with it field by field.

`expected.json` (the golden) is whatever the crawl produced when someone last ran
`scrapy fixture update`; the hand-written file is what a person read off the page. The golden
catches any change; this file catches a change that was accepted into the golden but is wrong.

Hand-written file, one story::

    {"url": ..., "headline": ..., "body_first": ..., "body_last": ..., "body_paragraphs": N,
     "authors": [{"name": ..., "role": ...}], "published": "...+10:00",
     "paywall_status": "free", "syndication": {"source": ..., "raw": ...} | null,
     "_checked": {how each value was read off the page}}

several stories: `{"stories": {url: {...}, ...}}` (`{}` when the crawl must write none); topic
listings only: `{"pages": {file: {"url", "stories", ...}}}`. A key this module does not know
fails the test, so a typo never passes silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from newsbite.fixtures import CASSETTE, iter_fixture_dirs, load_meta
from newsbite.items import Article
from newsbite.publishers import all_publishers
from newsbite.publishers import get as publisher_named

FIXTURE_DIRS = iter_fixture_dirs()
ARTICLE_FIELDS = frozenset(Article.__dataclass_fields__)
Check = Callable[[Any, dict[str, Any], list[str]], None]


def handwritten_path(fixture_dir: Path) -> Path:
    return fixture_dir / f"{fixture_dir.name}.expected.json"


def fixture_id(fixture_dir: Path) -> str:
    return f"{fixture_dir.parent.name}/{fixture_dir.name}"


# --- comparing one story ------------------------------------------------------------------------


def _body_at(index: int, name: str) -> Check:
    def check(want: Any, item: dict[str, Any], out: list[str]) -> None:
        body = item.get("body") or []
        try:
            got = body[index]
        except IndexError:
            got = "<no such paragraph>"
        if got != want:
            out.append(f"{name}: expected {want!r}, got {got!r}")

    return check


def _body_paragraphs(want: Any, item: dict[str, Any], out: list[str]) -> None:
    if len(item.get("body") or []) != want:
        out.append(f"body_paragraphs: expected {want}, got {len(item.get('body') or [])}")


def _not_in_body(want: Any, item: dict[str, Any], out: list[str]) -> None:
    body = item.get("body") or []
    for text in want:
        if text in body:
            out.append(f"not_in_body: {text!r} is a body paragraph")


def _authors(want: Any, item: dict[str, Any], out: list[str]) -> None:
    """Names alone (a list of strings) or name and role; a role left out means none."""
    got = item.get("authors") or []
    if all(isinstance(a, str) for a in want):
        shown = [a.get("name") for a in got]
    else:
        shown = [{k: a[k] for k in ("name", "role") if a.get(k)} for a in got]
    if shown != want:
        out.append(f"authors: expected {want!r}, got {shown!r}")


def _paywall_status(want: Any, item: dict[str, Any], out: list[str]) -> None:
    got = (item.get("paywall") or {}).get("status")
    if got != want:
        out.append(f"paywall_status: expected {want!r}, got {got!r}")


def _access(want: Any, item: dict[str, Any], out: list[str]) -> None:
    """{status, evidence (each must be among the item's), status_evidence (one of them)}."""
    paywall = item.get("paywall") or {}
    evidence = paywall.get("evidence") or []
    if paywall.get("status") != want.get("status"):
        out.append(f"access.status: expected {want.get('status')!r}, got {paywall.get('status')!r}")
    for signal in [*want.get("evidence", []), *filter(None, [want.get("status_evidence")])]:
        if signal not in evidence:
            out.append(f"access: evidence {signal!r} missing from {evidence!r}")


def _syndication(want: Any, item: dict[str, Any], out: list[str]) -> None:
    got = item.get("syndication")
    if want is None or got is None:
        if want != got:
            out.append(f"syndication: expected {want!r}, got {got!r}")
        return
    want = {"source": want} if isinstance(want, str) else want
    for key, value in want.items():
        if got.get(key) != value:
            out.append(f"syndication.{key}: expected {value!r}, got {got.get(key)!r}")


def _listed(name: str, keys: tuple[str, ...]) -> Check:
    """Lists of dicts compared on the keys the hand-written entries give (images, topics)."""

    def check(want: Any, item: dict[str, Any], out: list[str]) -> None:
        got = item.get(name) or []
        if len(got) != len(want):
            out.append(f"{name}: expected {len(want)} entries, got {len(got)}: {got!r}")
            return
        for i, (entry, wanted) in enumerate(zip(got, want, strict=True)):
            shown = {k: entry.get(k) for k in keys if k in wanted}
            if shown != wanted:
                out.append(f"{name}[{i}]: expected {wanted!r}, got {shown!r}")

    return check


def _chrome_removed(want: Any, item: dict[str, Any], out: list[str]) -> None:
    """Lines the chain must have removed (a subset: the full list is the golden's business)."""
    removed = item.get("chrome_removed") or []
    for line in want:
        if line not in removed:
            out.append(f"chrome_removed: {line!r} not among {removed!r}")


def _generation(want: Any, item: dict[str, Any], out: list[str]) -> None:
    extractor = str(item.get("extractor") or "")
    if not extractor.endswith(f"/{want}"):
        out.append(f"generation: expected {want!r}, extractor is {extractor!r}")


def _timezone(want: Any, item: dict[str, Any], out: list[str]) -> None:
    zone = publisher_named(item["site"]).timezone
    if zone != want:
        out.append(f"timezone: the {item['site']} entry says {zone!r}, the page {want!r}")


def _story_id(want: Any, item: dict[str, Any], out: list[str]) -> None:
    """The id a person reads in the URL; the item's id is the publisher's key for it."""
    publisher = publisher_named(item["site"])
    url = item.get("canonical_url") or item["url"]
    carried = publisher.story_id(url)
    if carried != want:
        out.append(f"id: expected the URL to carry {want!r}, it carries {carried!r}")
    if item.get("id") != publisher.id_for(item["url"], item.get("canonical_url")):
        out.append(f"id: {item.get('id')!r} is not the publisher's id for {url}")


CHECKS: dict[str, Check] = {
    "body_first": _body_at(0, "body_first"),
    "body_second": _body_at(1, "body_second"),
    "body_last": _body_at(-1, "body_last"),
    "body_paragraphs": _body_paragraphs,
    "not_in_body": _not_in_body,
    "authors": _authors,
    "paywall_status": _paywall_status,
    "access": _access,
    "syndication": _syndication,
    "images": _listed("images", ("url", "caption", "credit")),
    "topics": _listed("topics", ("name", "url")),
    "chrome_removed": _chrome_removed,
    "generation": _generation,
    "timezone": _timezone,
    "id": _story_id,
}


def story_differences(want: Mapping[str, Any], item: dict[str, Any]) -> list[str]:
    """What the item gets wrong against one hand-written story, one line per field."""
    out: list[str] = []
    for key, value in want.items():
        if key.startswith("_") or key == "url":
            continue
        if key in CHECKS:
            CHECKS[key](value, item, out)
        elif key in ARTICLE_FIELDS:
            if item.get(key) != value:
                out.append(f"{key}: expected {value!r}, got {item.get(key)!r}")
        else:
            out.append(f"{key}: not a field this test knows (typo?)")
    return out


def expected_stories(hand: Mapping[str, Any]) -> dict[str, Mapping[str, Any]] | None:
    """{url: expectation}; None for a listings-only file (no per-story fields)."""
    if "stories" in hand:
        return dict(hand["stories"])
    if "url" in hand:
        return {hand["url"]: hand}
    return None


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture_dir", FIXTURE_DIRS, ids=fixture_id)
def test_every_fixture_has_a_handwritten_expectation(fixture_dir):
    path = handwritten_path(fixture_dir)
    assert path.is_file(), f"{fixture_id(fixture_dir)}: write {path.name} by reading the page"
    hand = json.loads(path.read_text(encoding="utf-8"))
    assert hand.get("_checked") or hand.get("_notes"), f"{path.name}: say how it was checked"
    stories = expected_stories(hand)
    assert stories is not None or hand.get("pages"), f"{path.name}: no url, stories or pages"
    publisher = publisher_named(load_meta(fixture_dir)["spider"])
    for url, want in (stories or {}).items():
        assert publisher.owns(url), url
        published = want.get("published")
        assert published is None or published[-6] in "+-", f"{url}: give the offset"


def test_the_fixture_tool_never_writes_handwritten_files(tmp_path):
    """`scrapy fixture build|update` write expected.json only: the hand file stays as it was."""
    from newsbite.fixtures import EXPECTED, write_expected

    folder = tmp_path / "somesite" / "some-story"
    folder.mkdir(parents=True)
    hand = handwritten_path(folder)
    hand.write_text('{"url": "https://example.com/a"}\n', encoding="utf-8")
    written = write_expected(folder, [{"url": "https://example.com/a", "headline": "H"}])
    assert written.name == EXPECTED != hand.name
    assert hand.read_text(encoding="utf-8") == '{"url": "https://example.com/a"}\n'


def test_every_masthead_has_a_replayed_fixture():
    sites = {d.parent.name for d in FIXTURE_DIRS if (d / CASSETTE).is_file()}
    names = {p.name for p in all_publishers()}
    assert names - {"thetimes"} <= sites, f"no replayed fixture for {sorted(names - sites)}"


@pytest.mark.slow
@pytest.mark.parametrize("fixture_dir", FIXTURE_DIRS, ids=fixture_id)
def test_replayed_crawl_matches_the_handwritten_expectation(fixture_dir, crawls):
    hand = json.loads(handwritten_path(fixture_dir).read_text(encoding="utf-8"))
    assert (fixture_dir / CASSETTE).is_file(), f"no {CASSETTE}: run `scrapy fixture build`"
    result = crawls(fixture_dir)
    assert result.returncode == 0 and not result.misses, (result.misses, result.log[-2000:])
    items = {item["url"]: item for item in result.items}
    assert len(items) == len(result.items), "the crawl wrote one URL twice"
    stories = expected_stories(hand)
    if stories is None:  # listings only: every story the crawl wrote is one the pages list
        listed = {url for page in hand["pages"].values() for url in page["stories"]}
        assert items and set(items) <= listed, sorted(set(items) - listed)
        return
    assert sorted(items) == sorted(stories), "the crawl wrote other stories than the page shows"
    differences = [
        f"{url} {line}"
        for url, want in stories.items()
        for line in story_differences(want, items[url])
    ]
    heading = f"{fixture_id(fixture_dir)} differs from {handwritten_path(fixture_dir).name}:"
    assert not differences, "\n".join([heading, *differences])


# --- what the masthead and sources fixtures are for ---------------------------------------------

MASTHEAD_ZONES = {  # fixture -> the offset its masthead's zone must give a date printed without one
    "newscomau/herald-sun-credit-sydney-summer": "+11:00",
    "dailytelegraph/own-signoff-sydney-winter": "+10:00",
    "heraldsun/geelong-credit-melbourne-summer": "+11:00",
    "couriermail/own-signoff-brisbane-summer": "+10:00",
    "ntnews/darwin-no-daylight-saving": "+09:30",
    "themercury/hobart-daylight-saving-ends": "+10:00",
    "geelongadvertiser/herald-sun-credit-melbourne-summer": "+11:00",
    "goldcoastbulletin/courier-mail-credit-brisbane": "+10:00",
    "townsvillebulletin/own-signoff-two-authors": "+10:00",
    "cairnspost/nt-news-credit-brisbane-summer": "+10:00",
    "weeklytimesnow/own-signoff-melbourne-winter": "+10:00",
}


@pytest.mark.parametrize("name, offset", sorted(MASTHEAD_ZONES.items()))
def test_masthead_fixture_dates_carry_no_offset_of_their_own(name, offset):
    """The page gives a bare local time and no JSON-LD date, so only the masthead's zone can
    give the offset the hand file expects (else the fixture would test nothing)."""
    fixture_dir = Path(__file__).resolve().parent.parent / "fixtures" / name
    html = (fixture_dir / "pages/story.html").read_text(encoding="utf-8")
    assert "datePublished" not in html and offset not in html
    hand = json.loads(handwritten_path(fixture_dir).read_text(encoding="utf-8"))
    assert hand["published"].endswith(offset)


@pytest.mark.slow
def test_sources_fixture_skips_old_entries_and_non_stories(crawls):
    fixture_dir = Path(__file__).resolve().parent.parent / "fixtures/theaustralian"
    result = crawls(fixture_dir / "sources-rss-sitemap-since")
    stats = result.stats
    assert stats.get("newsbite/sources/older_than_since") == 2  # one in the feed, one sitemap
    assert stats.get("newsbite/sources/rss/not_a_story") == 1  # /subscribe/digital
    assert stats.get("newsbite/sources/sitemap/not_a_story") == 1  # /topics/isis
    assert stats.get("newsbite/sources/sitemap/from_robots") == 2
    assert stats.get("newsbite/listing/pages") is None  # sources=rss,sitemap: no topic page
    assert len(result.items) == 4
