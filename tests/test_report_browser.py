"""Issue 13: the crawl report in a real browser (Debian's Chromium through Playwright): the key
numbers and the failing row render, the page asks for nothing over the network, the console
stays clean. A screenshot is saved in the test's tmp folder. Without Chromium the test skips,
unless CI is set: then it fails."""

from __future__ import annotations

import os

import pytest
from scrapy.settings import Settings
from test_monitors import story
from test_report import write_feed

from newsbite import exitcodes
from newsbite.cli import main
from newsbite.render import CHROMIUM_ARGS, find_browser


def chromium() -> str:
    path = find_browser(Settings())
    if path is None:
        message = "no Chromium at /usr/bin/chromium or NEWSBITE_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: browser tests must run)")
        pytest.skip(message)
    return path


@pytest.mark.browser
def test_report_renders_in_chromium_without_network_or_console_errors(tmp_path):
    executable = chromium()
    from playwright.sync_api import sync_playwright

    items = [story(published=f"2024-05-0{1 + n % 2}T08:00:00+10:00") for n in range(5)]
    items += [story(extractor="generic/1", body=["One.", "Two."]) for _ in range(4)]
    runs = [
        write_feed(tmp_path / "run1.jsonl", [story(scraped_at="2024-04-30T10:00:00Z")] * 9),
        write_feed(tmp_path / "run2.jsonl", items),
    ]
    report = tmp_path / "report.html"
    assert main(["report", *map(str, runs), "-o", str(report)]) == exitcodes.LAYOUT_ALARM

    requests, problems = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(report.as_uri(), wait_until="load")

            stories = page.locator('#summary [data-key="stories"] .n').inner_text()
            per_site = page.locator('#publishers tr[data-site="theaustralian"] td').nth(1)
            fallback = page.locator('#checks tr[data-measure="fallback"]')
            body = page.locator('#checks tr[data-measure="body"]')
            banner = page.locator("#alarm")
            points = page.locator("#runs-chart circle")
            assert stories == "18" and per_site.inner_text() == "18"
            assert fallback.get_attribute("data-status") == "fail"
            assert "22%" in fallback.inner_text() and "<= 20%" in fallback.inner_text()
            assert body.get_attribute("data-status") == "fail"  # 14 of 18 have 3+ paragraphs
            assert "78%" in body.inner_text() and ">= 90%" in body.inner_text()
            # red, as the eye sees it (the computed style, not the class name)
            color = body.locator("td").first.evaluate("e => getComputedStyle(e).color")
            assert color == "rgb(207, 34, 46)"
            assert banner.is_visible() and "exit status 6" in banner.inner_text()
            assert points.count() == 2
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [report.as_uri()], requests  # the file itself, nothing else
    assert problems == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
