"""Rendering with scrapy-playwright only when needed (issue 4): the decision, the add-on, and
real-Chromium crawls of a script-built story served from 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import scrapy
from parsel import Selector
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsbite.fixtures import FIXTURES_ROOT, PROJECT_ROOT, iter_fixture_dirs, load_meta
from newsbite.render import (
    CHROMIUM_ARGS,
    HANDLER,
    RenderAddon,
    RenderUnavailable,
    abort_heavy_resources,
    detect_shell,
    find_browser,
    render_mode,
)
from newsbite.spiders.publishers import SPIDERS
from newsbite.testing import Simulator
from newsbite.testing import html_route as html
from newsbite.testing.crawl import (
    ProcessWatcher,
    require_browser,
    run_crawl,
    story_at,
    story_path,
    story_url,
)
from newsbite.testing.crawl import page_bytes as story_html
from newsbite.testing.crawl import paywall_page as page

JS = story_html("js-built.html")
FREE = story_html("free.html")
NO_BROWSER = {"NEWSBITE_CHROMIUM": "/nonexistent/chromium"}


class Spider(scrapy.Spider):
    name = "x"  # no publisher entry has this name


@pytest.mark.parametrize(
    "name, shell",
    [
        ("js-built.html", "empty-app-root:app"),
        ("free.html", None),
        ("subscriber-truncated.html", None),
        ("botwall-no-cookies.html", None),
    ],
)
def test_shell_detection(name, shell):
    assert detect_shell(Selector(text=page(name).read_text("utf-8"))) == shell


def test_script_only_page_without_app_root_is_a_shell():
    page = "<html><body><div class='x'></div><script src='/a.js'></script></body></html>"
    assert detect_shell(Selector(text=page)) == "script-built:1-scripts"


def test_mode_precedence(monkeypatch):
    import dataclasses

    from newsbite import publishers

    project = Settings({"NEWSBITE_RENDER": "auto"}, priority="project")
    assert render_mode(project, Spider) == "auto"
    assert render_mode(project, SPIDERS["theaustralian"]) == "auto"  # its entry sets none

    # An entry that asks for rendering, found through the registry by the spider's name.
    always = dataclasses.replace(publishers.get("theaustralian"), name="y", render="always")
    real_get = publishers.get
    monkeypatch.setattr(publishers, "get", lambda n: always if n == "y" else real_get(n))

    class Always(Spider):
        name = "y"

    assert render_mode(project, Always) == "always"  # the publisher entry beats the project default
    cmdline = Settings({"NEWSBITE_RENDER": "never"}, priority="cmdline")
    assert render_mode(cmdline, Always) == "never"  # -s beats the publisher entry
    with pytest.raises(ValueError):
        render_mode(Settings({"NEWSBITE_RENDER": "sometimes"}, priority="cmdline"), Spider)


def test_abort_predicate():
    class Req:
        def __init__(self, kind):
            self.resource_type = kind

    assert [
        abort_heavy_resources(Req(k)) for k in ("image", "font", "media", "document", "script")
    ] == [True] * 3 + [False] * 2


def addon_settings(**values) -> Settings:
    crawler = get_crawler(Spider, {"NEWSBITE_RENDER": "auto", **values})
    settings = Settings({"NEWSBITE_RENDER": "auto", **values}, priority="project")
    RenderAddon.from_crawler(crawler).update_settings(settings)
    return settings


def test_addon_installs_the_handler_only_when_rendering_is_possible(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    on = addon_settings(NEWSBITE_CHROMIUM=str(fake))
    assert on.getdict("DOWNLOAD_HANDLERS") == {"http": HANDLER, "https": HANDLER}
    launch = on.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == str(fake) and launch["args"] == CHROMIUM_ARGS
    assert on.get("PLAYWRIGHT_ABORT_REQUEST") == "newsbite.render.abort_heavy_resources"
    assert on.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") >= 1
    assert on.getint("PLAYWRIGHT_MAX_CONTEXTS") == 1
    # project settings override the add-on's defaults
    own = addon_settings(
        NEWSBITE_CHROMIUM=str(fake),
        PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=7,
        PLAYWRIGHT_LAUNCH_OPTIONS={"executable_path": str(fake), "args": []},
    )
    assert own.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 7
    assert own.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"] == []

    never = addon_settings(NEWSBITE_RENDER="never", NEWSBITE_CHROMIUM=str(fake))
    assert never.getdict("DOWNLOAD_HANDLERS") == {}
    missing = addon_settings(**NO_BROWSER)
    assert missing.getdict("DOWNLOAD_HANDLERS") == {}
    assert missing.get("NEWSBITE_RENDER_EFFECTIVE") == "static-only"
    with pytest.raises(RenderUnavailable, match="NEWSBITE_RENDER=always"):
        addon_settings(NEWSBITE_RENDER="always", **NO_BROWSER)


def test_find_browser_honours_launch_options_and_environment(tmp_path):
    assert find_browser(Settings(), environ={"NEWSBITE_CHROMIUM": "/nope"}) is None
    fake = tmp_path / "chrome"
    fake.write_text("")
    fake.chmod(0o755)
    opts = Settings({"PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": str(fake)}})
    assert find_browser(opts, environ={}) == str(fake)


@pytest.mark.slow
def test_always_without_a_browser_fails_at_start_with_a_clear_message(tmp_path):
    with Simulator(stories=0, routes={story_path(1): html(FREE)}) as srv:
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            [story_url(story_path(1))],
            settings={"NEWSBITE_RENDER": "always", **NO_BROWSER},
        )
        assert srv.hits == []
    assert crawl.returncode != 0
    assert "NEWSBITE_RENDER=always" in crawl.stderr and "no Chromium was found" in crawl.stderr
    assert crawl.items == []


@pytest.mark.slow
def test_auto_without_a_browser_degrades_to_static_with_a_warning(tmp_path):
    routes = {story_path(1): html(FREE), story_path(2): html(JS)}
    with Simulator(stories=0, routes=routes) as srv:
        crawl = run_crawl(
            tmp_path, srv.host_map(), [story_url(p) for p in routes], settings=NO_BROWSER
        )
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert "no Chromium was found" in crawl.log and "static pages only" in crawl.log
    assert [i["url"] for i in crawl.items] == [story_url(story_path(1))]
    assert crawl.stats["newsbite/render/not_rendered"] == 1
    assert not any(k.startswith("playwright/") for k in crawl.stats)


@pytest.mark.browser
@pytest.mark.slow
def test_auto_renders_the_script_built_story_in_chromium(tmp_path):
    require_browser()
    routes = {
        story_path(1): html(FREE),
        story_path(2): html(JS),
        "/static/lead.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff"),
    }
    watcher = ProcessWatcher()
    with Simulator(stories=0, routes=routes) as srv:
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            [story_url(story_path(1)), story_url(story_path(2))],
            settings={"NEWSBITE_RENDER": "auto"},
            on_start=watcher,
        )
        image_hits = srv.count("/static/lead.jpg")
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    items = {i["url"]: i for i in crawl.items}
    rendered = items[story_url(story_path(2))]
    assert rendered["rendered"] is True
    assert rendered["headline"] == "Script-built story: regional roads package passes"
    assert len(rendered["body"]) == 6 and rendered["paywall"]["status"] == "free"
    assert items[story_url(story_path(1))]["rendered"] is False  # a static story stays static
    stats = crawl.stats
    assert stats["newsbite/render/requests/auto"] == 1
    assert stats["playwright/browser_count"] == 1
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"] == 1
    assert stats["playwright/request_count/aborted"] >= 1 and image_hits == 0
    assert watcher.chromium(), "the watcher saw no Chromium process"


@pytest.mark.browser
@pytest.mark.slow
def test_never_flags_the_script_built_story_without_crashing(tmp_path):
    require_browser()
    watcher = ProcessWatcher()
    with Simulator(stories=0, routes={story_path(2): html(JS)}) as srv:
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            [story_url(story_path(2))],
            settings={"NEWSBITE_RENDER": "never"},
            on_start=watcher,
        )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert crawl.items == []  # an empty body is never written
    assert crawl.stats["newsbite/render/not_rendered"] == 1
    assert crawl.stats["newsbite/dropped/empty_body"] == 1
    flagged = "script-built page (empty-app-root:app) not rendered (NEWSBITE_RENDER=never)"
    assert flagged in crawl.log
    assert not watcher.seen


@pytest.mark.browser
@pytest.mark.slow
def test_no_browser_starts_when_no_page_needs_rendering(tmp_path):
    """Auto, Chromium available, the handler installed -- and only static stories: neither
    Chromium nor the Playwright driver may start. (The stock scrapy-playwright 0.0.48 handler
    starts the Node driver on engine_started; newsbite's lazy subclass defers it.)"""
    require_browser()
    watcher = ProcessWatcher()
    routes = {story_path(n): html(story_at(FREE, story_path(n))) for n in (1, 2, 3)}
    with Simulator(stories=0, routes=routes, latency_ms=400) as srv:
        crawl = run_crawl(
            tmp_path,
            srv.host_map(),
            [story_url(p) for p in routes],
            settings={"NEWSBITE_RENDER": "auto"},
            on_start=watcher,
        )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert len(crawl.items) == 3
    assert "rendering: auto (Chromium" in crawl.log  # the add-on installed the handler
    assert crawl.stats["newsbite/render/mode"] == "auto"  # rendering was possible
    assert not any(k.startswith("playwright/") for k in crawl.stats)
    assert "newsbite/render/browser_started" not in crawl.stats
    assert watcher.samples > 5 and watcher.seen == {}


@pytest.mark.browser
@pytest.mark.slow
def test_rendered_recording_replays_without_a_browser(tmp_path):
    require_browser()
    cassette = tmp_path / "rendered.yaml"
    with Simulator(stories=0, routes={story_path(2): html(JS)}) as srv:
        url = story_url(story_path(2))
        (tmp_path / "rec").mkdir()
        record = run_crawl(
            tmp_path / "rec",
            srv.host_map(),
            [url],
            settings={
                "NEWSBITE_RENDER": "auto",
                "NEWSBITE_CASSETTE_MODE": "record",
                "NEWSBITE_CASSETTE": str(cassette),
            },
        )
        assert record.returncode == 0 and record.items[0]["rendered"] is True
        host_map = srv.host_map()
    watcher = ProcessWatcher()
    (tmp_path / "rep").mkdir()
    replay = run_crawl(
        tmp_path / "rep",
        host_map,
        [url],
        on_start=watcher,
        settings={
            "NEWSBITE_RENDER": "auto",
            "NEWSBITE_CASSETTE_MODE": "replay",
            "NEWSBITE_CASSETTE": str(cassette),
            **NO_BROWSER,
        },
    )
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert len(replay.items) == 1 and len(replay.items[0]["body"]) == 6
    assert not watcher.seen


@pytest.mark.browser
@pytest.mark.slow
def test_crawl_of_every_bundled_fixture_starts_no_browser(tmp_path):
    """Replay of all bundled stories, the script-built one included (its cassette holds the
    rendered HTML): Chromium is available and rendering is on auto, yet nothing starts."""
    require_browser()
    # The Australian's fixtures hold the script-built (shell) story and its rendered copy.
    dirs = [d for d in iter_fixture_dirs(FIXTURES_ROOT) if d.parent.name == "theaustralian"]
    urls = sorted({u for d in dirs for u in load_meta(d)["urls"]})
    out = tmp_path / "items.jsonl"
    feeds = json.dumps({str(out): {"format": "jsonlines"}})
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "theaustralian",
        "-a",
        "urls=" + " ".join(urls),
        "-s",
        "NEWSBITE_CASSETTE_MODE=replay",
        "-s",
        "NEWSBITE_RENDER=auto",
        "-s",
        "NEWSBITE_BOTWALL_BACKOFF=0",
        "-s",
        f"FEEDS={feeds}",
    ]
    watcher = ProcessWatcher()
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    watcher(proc)
    log, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, log[-3000:]
    items = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert any(item["rendered"] for item in items), "the script-built story came rendered"
    assert "rendering: auto (Chromium" in log  # a browser was there to be started
    assert watcher.samples > 5 and watcher.seen == {}


def test_shell_text_limit_and_which_requests_are_pages():
    from parsel import Selector
    from scrapy import Request

    from newsbite.middlewares.render import is_page_request
    from newsbite.render import detect_shell

    menu = "<nav>" + "<a>Section</a>" * 30 + "</nav>"  # 210 characters of chrome, no story
    page = f"<html><body>{menu}<div id='root'></div><script src='a.js'></script></body></html>"
    assert detect_shell(Selector(text=page)) == "empty-app-root:root"
    url = "https://www.theaustralian.com.au/nation"
    assert is_page_request(Request(url, meta={"newsbite_kind": "listing"}))
    assert is_page_request(Request(url))
    assert not is_page_request(Request(url, meta={"newsbite_kind": "sitemap"}))
