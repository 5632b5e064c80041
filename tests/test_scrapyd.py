"""Issue 5: the project deploys to a real Scrapyd from a clean copy, and scheduled incremental
runs write only new or changed stories (run 1: all, run 2: none, run 3: the one changed, v2)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
import tomllib
from scrapyd_support import REPLAY, ROOT, deployed_scrapyd, valid_lines  # noqa: F401

SPIDER = "theaustralian"
CHANGED_PAGE = ("topic-isis", "story-mosul-library.html")
UPDATED_AT = "2019-07-09T10:00:00+10:00"


# -- packaging (fast) ----------------------------------------------------------------------------


def package_folders() -> set[str]:
    pkg = ROOT / "newsbite"
    return {
        ".".join(p.relative_to(ROOT).parts)
        for p in [pkg, *pkg.rglob("*")]
        if p.is_dir()
        and p.name != "__pycache__"
        and any(f.is_file() and f.suffix in {".py", ".json"} for f in p.iterdir())
    }


def test_pyproject_lists_every_package_and_the_fixtures():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    tool = config["tool"]["setuptools"]
    listed = set(tool["packages"])
    assert package_folders() <= listed, "a newsbite/ folder is missing from pyproject packages"
    assert tool["package-dir"]["newsbite._fixtures"] == "fixtures"
    assert "setuptools>=64,<81" in config["project"]["optional-dependencies"]["scrapyd"]


def test_package_folders_are_regular_packages():
    """An egg is imported by zipimport, which cannot import namespace packages."""
    missing = [
        name
        for name in package_folders()
        if not (ROOT / name.replace(".", "/") / "__init__.py").is_file()
    ]
    assert missing == []


# -- a real Scrapyd (slow) -------------------------------------------------------------------------


def change_one_story(project: Path) -> str:
    """Edit one story page of the deployed copy's topic fixture and rebuild its cassette."""
    from newsbite.fixtures import build_synthetic_cassette

    fixture = project / "fixtures" / SPIDER / CHANGED_PAGE[0]
    page = fixture / "pages" / CHANGED_PAGE[1]
    html = page.read_text("utf-8")
    marker = '<div id="story-primary" class="story-primary">'
    assert marker in html
    html = html.replace(marker, marker + "\n<p>Update: the library now opens on Fridays.</p>", 1)
    # An updated story carries a new modified date, on its page and on the cards listing it.
    old_date = re.search(r'"dateModified": "([^"]+)"', html).group(1)
    page.write_text(html.replace(old_date, UPDATED_AT), "utf-8")
    entries = json.loads((fixture / "pages" / "pages.json").read_text("utf-8"))
    url = next(e["url"] for e in entries if e.get("file") == CHANGED_PAGE[1])
    card_date = re.compile(
        "(" + re.escape(f'href="{url}">') + r'[^<]*</a></h4>\s*<time[^>]*datetime=")[^"]+'
    )
    for listing in (fixture / "pages").glob("topic-*.html"):
        text = listing.read_text("utf-8")
        listing.write_text(card_date.sub(lambda m: m.group(1) + UPDATED_AT, text), "utf-8")
    build_synthetic_cassette(fixture)
    return re.search(r"/news-story/([0-9a-f]{32})", url).group(1)


def run(
    server, job_settings: dict, version: str | None = None, args: dict | None = None
) -> tuple[str, list[dict]]:
    job = server.schedule(SPIDER, {**REPLAY, **job_settings}, args=args, version=version)
    server.wait(job)
    log = server.log(job)
    assert "newsbite summary (finished)" in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    return log, valid_lines(server.items_path(job, SPIDER))


@pytest.mark.slow
def test_scheduled_runs_write_only_new_or_changed_stories(deployed_scrapyd):  # noqa: F811
    server, tmp = deployed_scrapyd.server, deployed_scrapyd.tmp
    state = {"NEWSBITE_INCREMENTAL": "true", "NEWSBITE_STATE_URI": str(tmp / "runs-state.sqlite")}

    log1, run1 = run(server, state, version="1")
    ids = [item["id"] for item in run1]
    assert len(ids) >= 4 and len(set(ids)) == len(ids)
    assert {item["version"] for item in run1} == {1}
    assert all(item["first_seen"] == item["last_seen"] for item in run1)
    assert "cassette misses" in log1 and ", 0 cassette misses" in log1

    log2, run2 = run(server, state, version="1")
    assert run2 == []
    assert f"{len(ids)} unchanged (" in log2
    # Stories on dated cards at the last topic hop are not even downloaded; the others are
    # (their related topics are still followed) and found unchanged after parsing.
    early = int(re.search(r"unchanged \((\d+) not downloaded\)", log2).group(1))
    assert 0 < early < len(ids)

    changed_id = change_one_story(deployed_scrapyd.project)
    assert changed_id in ids
    server.deploy(deployed_scrapyd.project, "2")
    log3, run3 = run(server, state, version="2")
    assert [item["id"] for item in run3] == [changed_id]
    (story,) = run3
    first = next(item for item in run1 if item["id"] == changed_id)
    assert story["version"] == 2
    assert story["first_seen"] == first["first_seen"]
    assert story["last_seen"] >= first["last_seen"]
    assert "Update: the library now opens on Fridays." in story["body"]
    assert f"{len(ids) - 1} unchanged ({early} not downloaded)" in log3

    # -a full=true ignores the state: every story again, versions as recorded.
    _, full = run(server, state, version="2", args={"full": "true"})
    assert sorted(i["id"] for i in full) == sorted(ids)
    assert {i["id"]: i["version"] for i in full}[changed_id] == 2


@pytest.mark.slow
def test_egg_carries_fixtures_schema_and_vocabularies(deployed_scrapyd):  # noqa: F811
    eggs = sorted((deployed_scrapyd.server.home / "eggs" / "newsbite").glob("*.egg"))
    assert eggs
    names = set(zipfile.ZipFile(eggs[0]).namelist())
    assert "newsbite/schema/article.schema.json" in names
    assert any(n.startswith("newsbite/vocab/") and n.endswith(".json") for n in names)
    prefix = "newsbite/_fixtures/"
    packed = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
    fixtures = ROOT / "fixtures"
    on_disk = {p.relative_to(fixtures).as_posix() for p in fixtures.glob("*/*/cassette.yaml")}
    assert on_disk and on_disk <= packed
