"""Issue 13: the HTML crawl report, from stats (as at the close of a crawl) and from feeds
(`newsbite report`). Stories and numbers here are invented."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from test_monitors import SITE, coverage_stats, story

from newsbite import exitcodes
from newsbite.cli import main
from newsbite.monitors import checks
from newsbite.report import build_context, render, write_report
from newsbite.report.crawl import local_path, report_path_for


def crawl_stats():
    items = [story(published=f"2024-05-0{1 + n % 3}T08:00:00+10:00") for n in range(9)]
    items.append(story(extractor="generic/1", paywall={"status": "subscriber", "evidence": []}))
    return {
        **coverage_stats(items),
        "item_scraped_count": 10,
        "downloader/request_count": 14,
        "response_received_count": 13,
        "finish_reason": "finished",
        "newsbite/dropped": 2,
        "newsbite/dropped/empty_body": 2,
        "newsbite/examples/dropped/empty_body": ["https://www.theaustralian.com.au/x/1"],
        "newsbite/failed/http_404": 1,
        "newsbite/examples/failed/http_404": ["https://www.theaustralian.com.au/gone"],
        "newsbite/skipped/binary_body": 3,
        "newsbite/incremental/new": 7,
        "newsbite/incremental/changed": 3,
        "newsbite/unchanged": 5,
    }


class Elements(HTMLParser):
    """Tags with their attributes, to check that nothing points outside the file."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_report_shows_numbers_coverage_parsers_reasons_and_incremental_counts():
    stats = crawl_stats()
    found = checks.evaluate(stats, {}, SITE)
    html = render(build_context(stats, found, spider=SITE))
    assert "All checks passed" in html and 'data-status="fail"' not in html
    assert re.search(r'data-key="stories"><span class="n">10<', html)
    assert re.search(r'data-key="dropped"><span class="n">2<', html)
    assert re.search(r'data-field="stories">10<', html)
    assert 'data-access="free">free 9 (90%)' in html
    assert 'data-access="subscriber">subscriber 1 (10%)' in html
    assert re.search(r'data-day="2024-05-01">\s*<td>2024-05-01</td>\s*<td class="num">4</td>', html)
    assert 'data-extractor="newscorp_au/2024"' in html
    assert re.search(r'<tr class="fail" data-site="theaustralian" data-extractor="generic/1"', html)
    assert re.search(r'data-reason="empty_body">.*?x/1</div>', html, re.S)
    assert re.search(r'data-reason="http_404">.*?/gone</div>', html, re.S)
    assert re.search(r'data-reason="binary_body">.*?none kept', html, re.S)
    assert 'data-field="new">7<' in html and 'data-field="changed">3<' in html
    assert 'data-field="unchanged">5<' in html
    # one row per check, with its value and threshold
    assert html.count('<tr class="ok"') + html.count('<tr class="skipped"') == len(found)
    body = re.search(r'data-measure="body".*?</tr>', html, re.S).group(0)
    assert 'data-field="value">100%<' in body and "&gt;= 90%<" in body


def test_a_failing_check_is_red_with_its_numbers_and_the_exit_status():
    stats = crawl_stats()
    stats[f"newsbite/coverage/{SITE}/authors"] = 2
    found = checks.evaluate(stats, {}, SITE)
    html = render(build_context(stats, found, spider=SITE))
    row = re.search(r'<tr class="fail"[^>]*data-measure="authors".*?</tr>', html, re.S).group(0)
    assert 'data-field="value">20%<' in row and "&gt;= 50%<" in row and "2/10" in row
    assert 'id="alarm" role="alert"' in html and "exit status 6 (layout_alarm)" in html
    assert "theaustralian authors coverage 0.20 outside threshold &gt;= 0.50" in html
    assert "tr.fail td { background: #ffebe9; color: var(--fail)" in html


def test_the_report_is_self_contained():
    stats = crawl_stats()
    stats["newsbite/examples/failed/http_404"] = ['https://x.example/"><script>alert(1)</script>']
    html = render(build_context(stats, checks.evaluate(stats, {}, SITE), spider=SITE))
    parser = Elements()
    parser.feed(html)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "link" not in tags and "img" not in tags
    for tag, attrs in parser.tags:
        for name in ("src", "href", "xlink:href", "action"):
            assert name not in attrs, (tag, attrs)
    assert "&lt;script&gt;" in html  # publisher-controlled text is escaped
    assert "url(" not in html and "@import" not in html


def test_write_report_replaces_the_file_whole(tmp_path):
    path = tmp_path / "deep" / "r.html"
    stats = crawl_stats()
    write_report(path, stats, checks.evaluate(stats, {}, SITE), spider=SITE)
    first = path.read_text("utf-8")
    write_report(path, {}, [], spider="empty")
    assert path.read_text("utf-8") != first and "No stories were written" in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["r.html"]


@pytest.mark.parametrize(
    "uri, expected",
    [
        (
            "/out/theaustralian/2024-05-01T10-00-00.jsonl",
            "/out/theaustralian/2024-05-01T10-00-00.report.html",
        ),
        (
            "file:///var/lib/scrapyd/items/newsbite/theaustralian/abc.jl",
            "/var/lib/scrapyd/items/newsbite/theaustralian/abc.report.html",
        ),
        ("output/items", "output/items.report.html"),
    ],
)
def test_the_report_goes_beside_a_local_feed(uri, expected):
    assert str(report_path_for(local_path(uri))) == expected


def test_a_remote_feed_has_no_local_report_path():
    assert local_path("s3://bucket/feed.jsonl") is None


# --- newsbite report --------------------------------------------------------------------------


def write_feed(path, items):
    path.write_text("".join(json.dumps(i) + "\n" for i in items), "utf-8")
    return path


def test_cli_rebuilds_the_report_from_feeds_with_a_chart_of_runs(tmp_path, capsys):
    runs = []
    for day, count in ((1, 6), (2, 8), (3, 1)):
        items = [story(scraped_at=f"2024-05-0{day}T10:00:00+00:00") for _ in range(count)]
        runs.append(write_feed(tmp_path / f"run{day}.jsonl", items))
    out = tmp_path / "report.html"
    code = main(["report", str(runs[1]), str(runs[0]), str(runs[2]), "-o", str(out)])
    assert code == exitcodes.OK
    assert capsys.readouterr().out.strip() == f"newsbite report: {out}"
    html = out.read_text("utf-8")
    assert re.search(r'data-key="stories"><span class="n">15<', html)
    # runs in time order whatever the argument order
    assert re.findall(r'data-stories="(\d+)"', html) == ["6", "8", "1"]
    assert 'id="runs-chart"' in html and "<polyline" in html


def test_cli_with_one_feed_draws_no_chart_and_adds_the_stats_file(tmp_path):
    feed = write_feed(tmp_path / "items.jsonl", [story() for _ in range(10)])
    stats = {k: v for k, v in crawl_stats().items() if not k.startswith("newsbite/coverage/")}
    stats["newsbite/coverage/theaustralian/items"] = 999  # replaced by the feed's own count
    (tmp_path / "stats.json").write_text(json.dumps(stats), "utf-8")
    out = tmp_path / "r.html"
    code = main(["report", str(feed), "-o", str(out), "--stats", str(tmp_path / "stats.json")])
    html = out.read_text("utf-8")
    assert code == exitcodes.OK and 'id="runs-chart"' not in html
    assert 'data-field="stories">10<' in html and "999" not in html
    assert re.search(r'data-reason="http_404">.*?/gone</div>', html, re.S)


def test_cli_exits_with_the_alarm_status_and_names_the_failing_field(tmp_path, capsys):
    feed = write_feed(tmp_path / "items.jsonl", [story(topics=[]) for _ in range(6)])
    code = main(["report", str(feed), "-o", str(tmp_path / "r.html")])
    assert code == exitcodes.LAYOUT_ALARM
    err = capsys.readouterr().err
    assert "newsbite alarm: theaustralian topics coverage 0.00 outside threshold >= 0.50" in err
    assert '<tr class="fail"' in (tmp_path / "r.html").read_text("utf-8")


def test_cli_skips_bad_lines_with_a_reason(tmp_path, capsys):
    feed = tmp_path / "items.jsonl"
    feed.write_text(json.dumps(story()) + "\n{not json\n[1, 2]\n", "utf-8")
    assert main(["report", str(feed), "-o", str(tmp_path / "r.html")]) == exitcodes.OK
    err = capsys.readouterr().err
    assert f"{feed}:2: not JSON" in err and f"{feed}:3: not a story" in err


@pytest.mark.parametrize("bad", ["missing.jsonl", "--stats"])
def test_cli_usage_errors(tmp_path, capsys, bad):
    feed = write_feed(tmp_path / "items.jsonl", [story()])
    if bad == "--stats":
        (tmp_path / "stats.json").write_text("[]", "utf-8")
        argv = [str(feed), "--stats", str(tmp_path / "stats.json")]
    else:
        argv = [str(tmp_path / bad)]
    assert main(["report", *argv, "-o", str(tmp_path / "r.html")]) == exitcodes.USAGE
    assert capsys.readouterr().err.startswith("newsbite report: ")
    assert not (tmp_path / "r.html").exists()
