"""newsbite.fixtures and `scrapy fixture`: goldens, diffs, synthetic cassettes, record/check."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsbite import fixtures as fx
from newsbite.middlewares.cassette import Replayer, load_cassette
from newsbite.testing import Simulator
from newsbite.testing.probe import (
    CP1252_HTML,
    CRAWL_SETTINGS,
    GZIP_HTML,
    ROBOTS,
    ROUTES,
    SECRET,
)

SITE = "http://fixture.test"  # never resolved: synthetic fixtures replay offline


def item(url: str, **fields) -> dict:
    return {"url": url, "headline": "H", "body": ["one", "two", "three"], **fields}


# --- goldens and diffs ------------------------------------------------------------------------


def test_expected_is_sorted_by_url_without_volatile_fields(tmp_path):
    items = [item("https://b", scraped_at="now"), item("https://a", scraped_at="then")]
    fx.write_expected(tmp_path, items)
    loaded = fx.load_expected(tmp_path)
    assert [i["url"] for i in loaded] == ["https://a", "https://b"]
    assert all("scraped_at" not in i for i in loaded)
    assert fx.comparable({"url": "u", "scraped_at": "x"}) == {"url": "u"}
    assert (tmp_path / "expected.json").read_text(encoding="utf-8").endswith("]\n")


def test_diff_names_field_and_index_with_both_values():
    expected = [item("https://a", authors=[{"name": "Jane Doe", "role": "Reporter"}])]
    actual = [
        item(
            "https://a",
            body=["one", "TWO", "three", "four"],
            authors=[{"name": "Jane Do", "role": "Reporter"}],
            scraped_at="ignored",
        )
    ]
    lines = fx.diff_items(expected, actual)
    assert 'https://a body[1]: expected "two", got "TWO"' in lines
    assert 'https://a body[3]: expected <absent>, got "four"' in lines
    assert "https://a body: expected 3 entries, got 4" in lines
    assert 'https://a authors[0].name: expected "Jane Doe", got "Jane Do"' in lines
    assert not any("scraped_at" in line for line in lines)


def test_diff_reports_missing_and_extra_items_and_fields():
    lines = fx.diff_items(
        [item("https://a"), item("https://b")], [item("https://b", extra=1), item("https://c")]
    )
    assert "missing item: https://a" in lines
    assert "unexpected item: https://c" in lines
    assert "https://b extra: expected <absent>, got 1" in lines
    assert fx.diff_items([item("https://a")], [item("https://a")]) == []


def test_iter_fixture_dirs_needs_meta(tmp_path):
    (tmp_path / "site" / "has-meta").mkdir(parents=True)
    (tmp_path / "site" / "has-meta" / "meta.json").write_text("{}")
    (tmp_path / "site" / "no-meta").mkdir()
    assert fx.iter_fixture_dirs(tmp_path) == [tmp_path / "site" / "has-meta"]


# --- synthetic cassettes ----------------------------------------------------------------------


def make_synthetic(fixture_dir: Path) -> None:
    """A probe-spider fixture: the pages the simulator serves the probe, as pages/."""
    pages = fixture_dir / "pages"
    pages.mkdir(parents=True)
    (pages / "utf8.html").write_text("<p>Café “quoted”</p>", encoding="utf-8")
    (pages / "cp1252.html").write_text(CP1252_HTML, encoding="utf-8")  # utf-8 on disk
    (pages / "gzip.html").write_text(GZIP_HTML, encoding="utf-8")
    plain = {"Content-Type": "text/plain"}
    entries = [
        {"url": f"{SITE}/robots.txt", "file": None, "body": ROBOTS, "headers": plain},
        {"url": f"{SITE}/cookie", "file": None, "body": "<p>cookie</p>"},
        {"url": f"{SITE}/utf8", "file": "utf8.html"},
        {
            "url": f"{SITE}/cp1252",
            "file": "cp1252.html",
            "encoding": "cp1252",
            "headers": {"Content-Type": "text/html; charset=windows-1252"},
        },
        {"url": f"{SITE}/gzip", "file": "gzip.html", "gzip": True},
        {"url": f"{SITE}/image.png", "file": None, "body": "png?", "status": 404},
    ]
    (pages / "pages.json").write_text(json.dumps(entries, indent=2))
    meta = {
        "spider": "cassette_probe",
        "args": {"base": SITE},
        "settings": CRAWL_SETTINGS,
        "synthetic": True,
        "structure_from": "newsbite/testing/probe.py ROUTES",
    }
    (fixture_dir / "meta.json").write_text(json.dumps(meta, indent=2))


def test_build_synthetic_cassette_serves_pages_as_declared(tmp_path):
    make_synthetic(tmp_path)
    replay = Replayer([load_cassette(fx.build_synthetic_cassette(tmp_path))])
    cp = replay.play("GET", f"{SITE}/cp1252")
    assert cp["body"]["string"] == CP1252_HTML.encode("cp1252")
    gz = replay.play("GET", f"{SITE}/gzip")
    assert gz["headers"]["Content-Encoding"] == ["gzip"]
    assert gzip.decompress(gz["body"]["string"]).decode() == GZIP_HTML
    utf8 = replay.play("GET", f"{SITE}/utf8")
    assert utf8["headers"]["Content-Type"] == ["text/html; charset=utf-8"]  # the default
    assert replay.play("GET", f"{SITE}/robots.txt")["body"]["string"] == ROBOTS.encode()
    assert replay.play("GET", f"{SITE}/image.png")["status"]["code"] == 404
    # rebuilding gives the same file (gzip mtime fixed): no churn in git
    first = (tmp_path / "cassette.yaml").read_bytes()
    fx.build_synthetic_cassette(tmp_path)
    assert (tmp_path / "cassette.yaml").read_bytes() == first


# --- the command (subprocess crawls) ----------------------------------------------------------


def scrapy_fixture(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "fixture", *args],
        cwd=fx.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_build_check_update_cycle(tmp_path):
    make_synthetic(tmp_path)

    built = scrapy_fixture("build", str(tmp_path))
    assert built.returncode == 0, built.stdout + built.stderr
    expected = fx.load_expected(tmp_path)
    assert [i["url"].rsplit("/", 1)[1] for i in expected] == ["cookie", "cp1252", "gzip", "utf8"]
    assert {i["url"]: i["text"] for i in expected}[f"{SITE}/cp1252"] == CP1252_HTML

    # a changed golden fails the check, naming the item and field
    tampered = [dict(i) for i in expected]
    tampered[0]["text"] = "something else"
    fx.write_expected(tmp_path, tampered)
    checked = scrapy_fixture("check", str(tmp_path))
    assert checked.returncode == 1
    assert f'{SITE}/cookie text: expected "something else"' in checked.stdout

    # update is how goldens change; it says what changed, and check passes again after
    updated = scrapy_fixture("update", str(tmp_path))
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "1 change(s)" in updated.stdout
    assert fx.load_expected(tmp_path) == expected


@pytest.mark.slow
def test_check_fails_on_a_cassette_miss(tmp_path):
    make_synthetic(tmp_path)
    fx.build_synthetic_cassette(tmp_path)
    fx.write_expected(tmp_path, [])
    meta = fx.load_meta(tmp_path)
    meta["args"]["extra"] = f"{SITE}/not-in-the-cassette"
    fx.write_meta(tmp_path, meta)
    result = fx.run_fixture_crawl(tmp_path)
    assert result.misses == [f"{SITE}/not-in-the-cassette"]
    checked = scrapy_fixture("check", str(tmp_path))
    assert checked.returncode == 1
    assert f"cassette miss: {SITE}/not-in-the-cassette" in checked.stdout


@pytest.mark.slow
def test_record_command_writes_cassette_meta_and_expected(tmp_path):
    settings = [f"{k}={fx._setting_text(v)}" for k, v in CRAWL_SETTINGS.items()]
    with Simulator(stories=0, routes=ROUTES) as server:
        args = ["record", str(tmp_path), "--spider", "cassette_probe"]
        base = server.base_url
        args += ["-a", f"base={base}"]
        for setting in settings:
            args += ["-s", setting]
        recorded = scrapy_fixture(*args)
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    meta = fx.load_meta(tmp_path)
    assert meta["spider"] == "cassette_probe"
    assert meta["args"] == {"base": base}
    assert meta["synthetic"] is False and meta["recorded_at"]
    assert meta["settings"]["SPIDER_MODULES"] == "newsbite.testing.probe"
    assert SECRET not in (tmp_path / "cassette.yaml").read_text()
    # expected.json came from a replay (the server is stopped by now) and matches it
    assert len(fx.load_expected(tmp_path)) == 5
    checked = scrapy_fixture("check", str(tmp_path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
