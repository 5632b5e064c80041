"""Issue 13: layout alarms on Spidermon.

Unit level: what a story counts towards, the checks against thresholds (settings, publisher
entries), the run history in the SQLite store, the coverage extension, and the Spidermon suite
run on a crawler's stats. Crawl level (slow): the bundled fixtures of The Australian replayed as
they are, with the body containers renamed (the parser still reads them), and with the body
paragraphs made <div>s (tests/layout_change.py): only the last one raises the alarm.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import scrapy
from layout_change import make_layout_change, rewrite_html
from parsel import Selector
from scrapy.exceptions import DropItem
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from scrapyd_support import REPLAY, deployed_scrapyd, valid_lines  # noqa: F401
from spidermon.contrib.scrapy.extensions import Spidermon

from newsbite import exitcodes
from newsbite.extensions.coverage import CoverageCollector
from newsbite.fixtures import REPLAY_SETTINGS, run_crawl
from newsbite.monitors import checks, measures
from newsbite.monitors.history import args_key
from newsbite.state.sqlite import SQLiteStateStore

SITE = "theaustralian"
ALARM = "newsbite alarm: "


def story(**overrides):
    """A complete, invented story as the feed holds it."""
    item = {
        "url": "https://www.theaustralian.com.au/nation/x/news-story/" + "a" * 32,
        "site": SITE,
        "id": "a" * 32,
        "headline": "Council votes to repaint the town hall",
        "body": ["First paragraph.", "Second paragraph.", "Third paragraph."],
        "authors": [{"name": "Jo Example", "raw": "Jo Example"}],
        "published": "2024-05-01T09:30:00+10:00",
        "topics": [{"name": "Local", "url": "https://www.theaustralian.com.au/topics/local"}],
        "images": [{"url": "https://example.invalid/a.jpg", "caption": "The hall", "credit": None}],
        "paywall": {"status": "free", "evidence": []},
        "extractor": "newscorp_au/2024",
        "scraped_at": "2024-05-01T10:00:00+00:00",
    }
    item.update(overrides)
    return item


def coverage_stats(items, site_has_parser=True):
    return dict(measures.tally(items, own_parser=lambda site: site_has_parser))


# --- what one story counts towards ----------------------------------------------------------------


def test_a_complete_story_counts_towards_every_measure():
    names = set(measures.item_counts(story()))
    assert {"items", "headline", "readable", "body", "authors", "dated", "topics"} <= names
    assert {"with_images", "captions", "extractor/newscorp_au/2024", "access/free"} <= names
    assert "day/2024-05-01" in names and "fallback" not in names


@pytest.mark.parametrize(
    "overrides, missing",
    [
        ({"headline": "  "}, "headline"),
        ({"body": ["One.", "Two.", ""]}, "body"),  # two real paragraphs
        ({"authors": []}, "authors"),
        ({"published": "2024-05-01T09:30:00"}, "dated"),  # no offset
        ({"published": None}, "dated"),
        ({"topics": []}, "topics"),
        ({"images": [{"url": "u", "caption": "c"}, {"url": "v", "caption": ""}]}, "captions"),
    ],
)
def test_a_story_missing_a_field_does_not_count_for_it(overrides, missing):
    assert missing not in measures.item_counts(story(**overrides))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-05-01T09:30:00+10:00", True),
        ("2024-05-01T09:30:00Z", True),
        ("2024-05-01T09:30:00.123-0500", True),
        ("2024-05-01T09:30:00", False),
        ("2024-05-01", False),
        (None, False),
    ],
)
def test_offset_detection(value, expected):
    assert measures.has_offset(value) is expected


def test_a_subscriber_story_is_not_judged_on_its_cut_body():
    names = measures.item_counts(
        story(body=["Only the intro."], paywall={"status": "subscriber", "evidence": []})
    )
    assert "readable" not in names and "body" not in names


def test_generic_parse_is_a_fallback_only_for_a_publisher_with_its_own_parser():
    generic = story(extractor="generic/1")
    assert "fallback" in measures.item_counts(generic, own_parser=True)
    assert "fallback" not in measures.item_counts(generic, own_parser=False)
    assert "extractor/generic/1" in measures.item_counts(generic, own_parser=False)


def test_incremental_versions_count_as_new_or_changed():
    assert "new" in measures.item_counts(story(version=1))
    assert "changed" in measures.item_counts(story(version=3))


# --- thresholds -----------------------------------------------------------------------------------


def test_thresholds_come_from_settings_with_the_project_defaults():
    defaults = checks.thresholds({})
    assert defaults["headline"] == 0.95 and defaults["min_items"] == 5
    assert checks.thresholds({"NEWSBITE_ALARM_AUTHORS": "0.25"})["authors"] == 0.25


def test_a_publisher_entry_overrides_the_defaults(monkeypatch):
    monkeypatch.setattr(checks, "publisher_alarms", lambda site: {"authors": 0.1})
    limits = checks.thresholds({"NEWSBITE_ALARM_AUTHORS": 0.9}, SITE)
    assert limits["authors"] == 0.1 and limits["body"] == 0.9


def test_an_unknown_measure_in_a_publisher_entry_is_an_error(monkeypatch):
    monkeypatch.setattr(checks, "publisher_alarms", lambda site: {"autors": 0.1})
    with pytest.raises(ValueError, match="autors"):
        checks.thresholds({}, SITE)


def test_the_registry_gives_no_overrides_for_an_unknown_site():
    assert dict(checks.publisher_alarms("no-such-site.example")) == {}


# --- the checks -----------------------------------------------------------------------------------


def by_measure(found):
    return {(c.publisher, c.measure): c for c in found}


def test_body_coverage_below_its_floor_fails_and_says_why():
    items = [story() for _ in range(7)] + [story(body=["x"]) for _ in range(3)]
    found = by_measure(checks.coverage_checks(coverage_stats(items), {}))
    body = found[(SITE, "body")]
    assert body.failed and body.value == pytest.approx(0.7) and (body.count, body.total) == (7, 10)
    message = body.message()
    assert SITE in message and "body coverage" in message and "0.70" in message
    assert ">= 0.90" in message
    assert found[(SITE, "headline")].status == checks.OK


def test_the_fallback_share_is_a_ceiling():
    items = [story(extractor="generic/1") for _ in range(2)] + [story() for _ in range(8)]
    fallback = by_measure(checks.coverage_checks(coverage_stats(items), {}))[(SITE, "fallback")]
    assert fallback.status == checks.OK and fallback.value == pytest.approx(0.2)
    items.append(story(extractor="generic/1"))
    fallback = by_measure(checks.coverage_checks(coverage_stats(items), {}))[(SITE, "fallback")]
    assert fallback.failed and "<= 0.20" in fallback.message()


def test_a_generic_only_site_is_not_judged_on_the_fallback_share():
    items = [story(site="example.org", extractor="generic/1") for _ in range(6)]
    stats = coverage_stats(items, site_has_parser=False)
    fallback = by_measure(checks.coverage_checks(stats, {}))[("example.org", "fallback")]
    assert fallback.status == checks.SKIPPED and fallback.count == 0


def test_captions_are_judged_on_stories_with_images_only():
    items = [story(images=[]) for _ in range(8)] + [story(), story(images=[{"url": "u"}])]
    captions = by_measure(checks.coverage_checks(coverage_stats(items), {}))[(SITE, "captions")]
    assert (captions.count, captions.total) == (1, 2) and captions.failed


def test_small_runs_skip_the_ratio_checks():
    items = [story(headline="") for _ in range(4)]
    found = checks.coverage_checks(coverage_stats(items), {})
    assert found and all(c.status == checks.SKIPPED for c in found)
    stats = {**coverage_stats(items), "item_scraped_count": 4, "downloader/request_count": 10}
    stats["newsbite/failed/http_500"] = 9
    assert all(c.status == checks.SKIPPED for c in checks.crawl_checks(stats, {}, SITE))
    bigger = {**stats, **coverage_stats(items * 2), "item_scraped_count": 8}
    assert by_measure(checks.coverage_checks(bigger, {}))[(SITE, "headline")].failed
    assert by_measure(checks.crawl_checks(bigger, {}, SITE))[(SITE, "errors")].failed


def test_crawl_ratios_of_errors_drops_bot_walls_and_misses():
    stats = {
        "item_scraped_count": 20,
        "downloader/request_count": 40,
        "response_received_count": 38,
        "newsbite/failed/http_404": 2,
        "newsbite/failed/TimeoutError": 3,  # 5 of 40 = 0.125 > 0.1
        "newsbite/dropped": 2,
        "newsbite/dropped/empty_body": 2,  # the total, not total + reasons: 2 of 22
        "newsbite/botwall": 2,
        "newsbite/botwall/answers": 38,  # not a wall count
        "newsbite/cassette/replayed": 40,
    }
    found = by_measure(checks.crawl_checks(stats, {}, SITE))
    assert found[(SITE, "errors")].failed and found[(SITE, "errors")].count == 5
    assert found[(SITE, "drops")].status == checks.OK
    assert (found[(SITE, "drops")].count, found[(SITE, "drops")].total) == (2, 22)
    assert found[(SITE, "botwall")].count == 2 and found[(SITE, "botwall")].status == checks.OK
    assert found[(SITE, "cassette_miss")].value == 0
    live = {k: v for k, v in stats.items() if "cassette" not in k}
    assert by_measure(checks.crawl_checks(live, {}, SITE))[(SITE, "cassette_miss")].status == (
        checks.SKIPPED
    )


@pytest.mark.parametrize(
    "recent, seen, status",
    [
        ([100, 90, 110], 19, checks.FAIL),  # 81% fewer than the median
        ([100, 90, 110], 21, checks.OK),
        ([100, 2, 110], 21, checks.OK),  # the median, not the mean: one bad run is no norm
        ([100, 100], 0, checks.SKIPPED),  # too little history
        (None, 0, checks.SKIPPED),  # no store
    ],
)
def test_item_count_against_recent_runs(recent, seen, status):
    stats = {"item_scraped_count": seen}
    assert checks.history_check(stats, {}, SITE, recent).status == status


def test_unchanged_stories_of_an_incremental_run_count_as_seen():
    stats = {"item_scraped_count": 1, "newsbite/unchanged": 99}
    assert checks.history_check(stats, {}, SITE, [100, 100, 100]).status == checks.OK


# --- the run history in the state store -----------------------------------------------------------


def test_sqlite_store_keeps_recent_runs_per_spider_and_arguments(tmp_path):
    path = tmp_path / "state.sqlite"
    with SQLiteStateStore(str(path)) as store:
        for day, items in enumerate([10, 20, 30, 40], 1):
            store.record_run(SITE, '{"topics":["isis"]}', items, f"2024-05-0{day}T00:00:00+00:00")
        store.record_run(SITE, "{}", 99, "2024-05-09T00:00:00+00:00")
        store.record_run("other", '{"topics":["isis"]}', 77, "2024-05-09T00:00:00+00:00")
    with SQLiteStateStore(str(path)) as store:  # it survives a new process's connection
        runs = store.recent_runs(SITE, '{"topics":["isis"]}', limit=3)
    assert [r.items for r in runs] == [40, 30, 20]
    assert runs[0].finished_at == "2024-05-04T00:00:00+00:00" and runs[0].spider == SITE


def test_args_key_ignores_the_job_id_and_the_moving_since_window():
    class Spider:
        arguments = ("topics", "urls", "since", "_job")

        def __init__(self, **kw):
            self.topics, self.urls = ["isis"], []
            self.since, self._job = kw.get("since"), kw.get("job")

    assert args_key(Spider(since="2024-01-01", job="a")) == args_key(Spider(job="b"))
    assert json.loads(args_key(Spider())) == {"topics": ["isis"]}


# --- the coverage extension -----------------------------------------------------------------------


class _Spider(scrapy.Spider):
    name = "monitor-test"


def make_crawler(settings=None, spidercls=_Spider):
    project = get_project_settings().copy_to_dict()
    crawler = get_crawler(spidercls, {**project, **(settings or {})})
    crawler.spider = spidercls.from_crawler(crawler)
    return crawler


def test_coverage_extension_counts_items_and_keeps_bounded_examples():
    crawler = make_crawler({"NEWSBITE_REPORT_EXAMPLES": 2})
    ext = CoverageCollector.from_crawler(crawler)
    ext.item_scraped(story())
    ext.item_scraped(story(authors=[]))
    stats = crawler.stats.get_stats()
    assert stats[measures.stat_key(SITE, "items")] == 2
    assert stats[measures.stat_key(SITE, "authors")] == 1
    crawler.stats.inc_value("newsbite/dropped/empty_body")
    for n in range(3):
        url = f"https://www.theaustralian.com.au/a/news-story/{n:032x}"
        error = DropItem(f"invalid item {url}: empty_body (body: [] is too short)")
        ext.item_dropped(story(url=url), None, error)
    kept = stats["newsbite/examples/dropped/empty_body"]
    assert len(kept) == 2 and kept[0].endswith(f"{0:032x}")


def test_coverage_extension_reads_example_urls_from_warning_lines():
    crawler = make_crawler()
    ext = CoverageCollector.from_crawler(crawler)
    ext.spider_opened()
    try:
        log = logging.getLogger("theaustralian")
        crawler.stats.inc_value("newsbite/failed/http_404")
        log.error("request failed (http_404): https://x.example/a — 404 Not Found")
        crawler.stats.inc_value("newsbite/skipped/binary_body")
        log.warning("skipped https://x.example/b.pdf: binary body (content-type application/pdf)")
        log.warning("a warning without a URL or reason")
        log.info("request failed (http_404): https://x.example/info — INFO lines are not read")
    finally:
        ext.spider_closed()
    stats = crawler.stats.get_stats()
    assert stats["newsbite/examples/failed/http_404"] == ["https://x.example/a"]
    assert stats["newsbite/examples/skipped/binary_body"] == ["https://x.example/b.pdf"]
    log.error("request failed (http_404): https://x.example/after-close")
    assert stats["newsbite/examples/failed/http_404"] == ["https://x.example/a"]


# --- the Spidermon suite on a crawler's stats -----------------------------------------------------


def close_with_monitors(crawler):
    """What a crawl's close runs, in EXTENSIONS order: the report, then the Spidermon suite."""
    from newsbite.report.crawl import CrawlReport

    ext = Spidermon.from_crawler(crawler)
    ext.spider_opened(crawler.spider)
    if crawler.settings.getbool("NEWSBITE_REPORT", True):
        CrawlReport.from_crawler(crawler).spider_closed(crawler.spider)
    ext.spider_closed(crawler.spider)
    return crawler.stats.get_stats()


def fill(crawler, items, reason="finished"):
    for key, value in coverage_stats(items).items():
        crawler.stats.set_value(key, value)
    crawler.stats.set_value("item_scraped_count", len(items))
    crawler.stats.set_value("finish_reason", reason)


def test_suite_passes_a_healthy_crawl_and_writes_the_report(tmp_path, caplog):
    report = tmp_path / "report.html"
    crawler = make_crawler({"NEWSBITE_REPORT_FILE": str(report)})
    fill(crawler, [story() for _ in range(6)])
    with caplog.at_level(logging.INFO):
        stats = close_with_monitors(crawler)
    assert exitcodes.EXIT_REASON_STAT not in stats
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert stats["newsbite/report/path"] == str(report)  # the summary line prints it
    assert 'data-status="fail"' not in report.read_text("utf-8")


def test_suite_fails_a_layout_change_with_an_error_line_and_the_exit_reason(tmp_path, caplog):
    crawler = make_crawler({"NEWSBITE_REPORT_FILE": str(tmp_path / "r.html")})
    fill(crawler, [story(extractor="generic/1", authors=[]) for _ in range(6)])
    with caplog.at_level(logging.INFO):
        stats = close_with_monitors(crawler)
    assert stats[exitcodes.EXIT_REASON_STAT] == "layout_alarm"
    assert exitcodes.for_stats(stats) == exitcodes.LAYOUT_ALARM == 6
    alarms = [r.getMessage() for r in caplog.records if r.getMessage().startswith(ALARM)]
    assert all(r.levelno == logging.ERROR for r in caplog.records if r.getMessage() in alarms)
    assert len(alarms) == 2, alarms
    assert any(f"{SITE} authors coverage 0.00" in a and ">= 0.50" in a for a in alarms)
    assert any(f"{SITE} share parsed by the generic fallback 1.00" in a for a in alarms)


def test_suite_keeps_an_exit_reason_set_before_it():
    crawler = make_crawler({"NEWSBITE_REPORT": False})
    fill(crawler, [story(headline="") for _ in range(6)])
    crawler.stats.set_value(exitcodes.EXIT_REASON_STAT, "feed_error")
    assert close_with_monitors(crawler)[exitcodes.EXIT_REASON_STAT] == "feed_error"


def test_item_count_alarm_after_runs_recorded_in_the_state_store(tmp_path, caplog):
    state = {"NEWSBITE_STATE_URI": str(tmp_path / "state.sqlite"), "NEWSBITE_REPORT": False}
    for _ in range(3):
        crawler = make_crawler(state)
        fill(crawler, [story() for _ in range(10)])
        assert exitcodes.EXIT_REASON_STAT not in close_with_monitors(crawler)
    stopped = make_crawler(state)  # a stopped run is neither judged nor recorded
    fill(stopped, [story()], reason="shutdown")
    assert exitcodes.EXIT_REASON_STAT not in close_with_monitors(stopped)
    with SQLiteStateStore(str(tmp_path / "state.sqlite")) as store:
        assert [r.items for r in store.recent_runs("monitor-test", "{}", 10)] == [10, 10, 10]
    small = make_crawler(state)
    fill(small, [story()])
    with caplog.at_level(logging.ERROR):
        stats = close_with_monitors(small)
    assert stats[exitcodes.EXIT_REASON_STAT] == "layout_alarm"
    assert "monitor-test stories against recent runs 0.10" in caplog.text


def test_without_a_state_store_no_run_history_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    crawler = make_crawler({"NEWSBITE_REPORT": False, "NEWSBITE_STATE_URI": ""})
    fill(crawler, [story() for _ in range(6)])
    close_with_monitors(crawler)
    assert not list(tmp_path.rglob("*.sqlite"))


# --- layout-change fixtures -----------------------------------------------------------------------


def test_layout_change_renames_containers_and_makes_body_paragraphs_divs():
    html = (
        Path(__file__).parent.parent
        / "fixtures/theaustralian/isis-leader-does-a-runner"
        / "pages/story.html"
    ).read_text("utf-8")
    renamed = Selector(rewrite_html(html, "rename"))
    assert not renamed.css("#story-body, #story-primary, .story-body")
    assert len(renamed.css("#article-main > p")) == len(Selector(html).css("#story-primary > p"))
    divs = Selector(rewrite_html(html, "divs"))
    assert not divs.css("#article-text p") and len(divs.css("#article-main > div")) >= 10
    assert divs.css("h1#story-headline") and divs.css('script[type="application/ld+json"]')


# --- whole crawls (slow) --------------------------------------------------------------------------


def replay(tmp_path, fixtures_dir=None):
    settings = {**REPLAY_SETTINGS, "NEWSBITE_CASSETTE_MODE": "replay"}
    if fixtures_dir:
        settings["NEWSBITE_FIXTURES_DIR"] = str(fixtures_dir)
    out = tmp_path / "feed" / "items.jsonl"
    return run_crawl(SITE, {}, settings, out_path=out), out


def alarm_lines(log):
    return [line for line in log.splitlines() if ALARM in line]


@pytest.mark.slow
def test_unchanged_fixtures_raise_no_alarm_and_get_a_report(tmp_path):
    result, feed = replay(tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) >= 5 and not alarm_lines(result.log)
    assert exitcodes.EXIT_REASON_STAT not in result.stats
    assert result.stats[measures.stat_key(SITE, "items")] == len(result.items)
    report = feed.with_name("items.report.html")
    assert f"newsbite report: {report}" in result.log
    assert report.is_file() and 'data-status="fail"' not in report.read_text("utf-8")


@pytest.mark.slow
def test_renamed_containers_the_parser_still_reads_raise_no_alarm(tmp_path):
    result, _ = replay(tmp_path, make_layout_change(tmp_path / "fixtures", SITE, "rename"))
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.items) >= 5 and not alarm_lines(result.log)
    assert not any(i["extractor"].startswith("generic/") for i in result.items)


@pytest.mark.slow
def test_body_paragraphs_as_divs_raise_the_layout_alarm(tmp_path):
    result, feed = replay(tmp_path, make_layout_change(tmp_path / "fixtures", SITE, "divs"))
    # Without the monitors this crawl "succeeds": every story written, by the fallback.
    assert len(result.items) >= 5
    assert all(i["extractor"].startswith("generic/") for i in result.items)
    assert result.stats[exitcodes.EXIT_REASON_STAT] == "layout_alarm"
    [line] = [ln for ln in alarm_lines(result.log) if "fallback" in ln]
    assert " ERROR: " in line and f"{SITE} share parsed by the generic fallback 1.00" in line
    assert "<= 0.20" in line
    assert result.returncode == exitcodes.LAYOUT_ALARM, result.log[-2000:]
    html = feed.with_name("items.report.html").read_text("utf-8")
    row = re.search(
        r'<tr class="fail" data-publisher="theaustralian" data-measure="fallback"', html
    )
    assert row and "Layout alarm" in html


@pytest.mark.slow
def test_scrapyd_job_logs_the_alarm_and_keeps_its_items(deployed_scrapyd, tmp_path):  # noqa: F811
    changed = make_layout_change(tmp_path / "fixtures", SITE, "divs")
    server = deployed_scrapyd.server
    job = server.schedule(SITE, {**REPLAY, "NEWSBITE_FIXTURES_DIR": str(changed)})
    server.wait(job)
    log = server.log(job)
    assert "newsbite summary (finished)" in log and "Traceback" not in log, log[-3000:]
    [line] = [ln for ln in alarm_lines(log) if "fallback" in ln]
    assert " ERROR: " in line and f"{SITE} share parsed by the generic fallback 1.00" in line
    items = valid_lines(server.items_path(job, SITE))  # every line whole and valid JSON
    assert len(items) >= 5 and all(i["extractor"].startswith("generic/") for i in items)
    report = server.items_path(job, SITE).with_name(f"{job}.report.html")
    assert f"newsbite report: {report}" in log
    assert '<tr class="fail" data-publisher="theaustralian" data-measure="fallback"' in (
        report.read_text("utf-8")
    )
