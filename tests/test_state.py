"""Issue 5: the state store (SQLite backend, backend registry) and the content hash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsbite.state import StoryState, content_hash, default_state_uri, open_store, register_backend
from newsbite.state.sqlite import SQLiteStateStore, path_from_uri
from newsbite.state.store import _BACKENDS

ROOT = Path(__file__).resolve().parent.parent
STORY = {
    "headline": "Mosul library reopens",
    "standfirst": "After four years.",
    "body": ["First paragraph.", "Second paragraph."],
}


def state(version: int = 1, digest: str = "h1", seen: str = "2026-01-01T00:00:00+00:00", **kw):
    return StoryState(
        site="theaustralian",
        id="abc",
        content_hash=digest,
        version=version,
        first_seen=kw.pop("first_seen", seen),
        last_seen=seen,
        **kw,
    )


# -- content hash ----------------------------------------------------------------------------------


def test_content_hash_covers_headline_standfirst_and_body_only():
    base = content_hash(STORY)
    volatile = {
        **STORY,
        "scraped_at": "2030-01-01T00:00:00Z",
        "word_count": 99,
        "images": [1],
        "paywall": {"status": "free"},
        "version": 3,
        "last_seen": "x",
    }
    assert content_hash(volatile) == base
    spaced = ["  First   paragraph. ", "Second paragraph.", ""]
    assert content_hash({**STORY, "body": spaced}) == base
    assert content_hash({**STORY, "body": [*STORY["body"], "A correction."]}) != base
    assert content_hash({**STORY, "headline": "Mosul library reopens today"}) != base
    assert content_hash({**STORY, "standfirst": None}) != base
    assert len(base) == 64


# -- SQLite ----------------------------------------------------------------------------------------


def test_sqlite_put_get_keeps_first_seen_and_never_goes_back(tmp_path):
    with open_store(str(tmp_path / "s.sqlite")) as store:
        assert store.get("theaustralian", "abc") is None
        store.put(state(1, "h1", "2026-01-01T00:00:00+00:00", modified="2026-01-01T00:00:00+10:00"))
        day2 = "2026-01-02T00:00:00+00:00"
        got = store.put(state(2, "h2", day2, first_seen=day2))
        assert (got.version, got.content_hash) == (2, "h2")
        assert got.first_seen == "2026-01-01T00:00:00+00:00"  # kept from the first version
        assert got.last_seen == "2026-01-02T00:00:00+00:00"
        # A slower process writing an older version loses.
        stale = store.put(state(1, "h1", "2026-01-03T00:00:00+00:00"))
        assert (stale.version, stale.content_hash) == (2, "h2")
        assert store.count("theaustralian") == 1 and store.count("other") == 0
        assert store.touch("theaustralian", ["abc", "missing"], "2026-02-01T00:00:00+00:00") == 1
        assert store.get("theaustralian", "abc").last_seen == "2026-02-01T00:00:00+00:00"
        assert set(store.get_many("theaustralian", ["abc", "nope"])) == {"abc"}
    # It is on disk, in WAL mode.
    again = SQLiteStateStore(str(tmp_path / "s.sqlite"))
    assert again.get("theaustralian", "abc").version == 2
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_two_processes_write_one_store_at_once(tmp_path):
    db = tmp_path / "shared.sqlite"
    writer = textwrap.dedent(
        f"""
        import sys
        from newsbite.state import StoryState, open_store
        name = sys.argv[1]
        store = open_store({str(db)!r})
        for i in range(150):
            store.put(StoryState(site=name, id=str(i), content_hash="h", version=1,
                                 first_seen="2026-01-01T00:00:00+00:00",
                                 last_seen="2026-01-01T00:00:00+00:00"))
            store.touch(name, [str(i)], "2026-01-02T00:00:00+00:00")
        store.close()
        """
    )
    open_store(str(db)).close()  # schema first, as a crawl would
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", writer, name], cwd=ROOT, stderr=subprocess.PIPE, text=True
        )
        for name in ("a", "b", "c")
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    with open_store(str(db)) as store:
        assert store.count() == 450


# -- URIs and backends -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("sqlite:////var/lib/newsbite/state.sqlite", "/var/lib/newsbite/state.sqlite"),
        ("sqlite:///state.sqlite", "state.sqlite"),
        ("file:///var/lib/x.sqlite", "/var/lib/x.sqlite"),
        ("/var/lib/x.sqlite", "/var/lib/x.sqlite"),
        ("sqlite://:memory:", ":memory:"),
    ],
)
def test_sqlite_uris(uri, path):
    assert path_from_uri(uri) == path


def test_open_store_picks_the_backend_by_scheme(tmp_path, monkeypatch):
    assert isinstance(open_store(f"sqlite:///{tmp_path}/a.sqlite"), SQLiteStateStore)
    with pytest.raises(ValueError, match="no state backend for 'mongodb://"):
        open_store("mongodb://127.0.0.1/0")

    class FakeMongo(SQLiteStateStore):
        pass

    monkeypatch.setitem(_BACKENDS, "mongodb", None)  # so the registration is undone afterwards
    register_backend("mongodb", lambda uri: FakeMongo(":memory:"))
    assert isinstance(open_store("mongodb://127.0.0.1/0"), FakeMongo)


def test_default_uri_is_in_the_project_data_dir(tmp_path, monkeypatch):
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = newsbite.settings\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)
    assert default_state_uri() == str(tmp_path / ".scrapy" / "newsbite" / "state.sqlite")


def test_default_uri_without_scrapy_cfg_as_under_scrapyd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "newsbite.settings")
    assert default_state_uri() == str(tmp_path / ".scrapy" / "newsbite" / "state.sqlite")


def test_sqlite_same_version_updates_last_seen_only_forward_and_touch_is_strict(tmp_path):
    store = SQLiteStateStore(str(tmp_path / "s.sqlite"))
    store.put(state(1, "h1", "2026-01-03T00:00:00+00:00"))
    same = store.put(state(1, "h1b", "2026-01-04T00:00:00+00:00"))
    assert same.content_hash == "h1b"  # a re-put of the same version is stored
    older = store.put(state(1, "h1b", "2026-01-02T00:00:00+00:00"))
    assert older.last_seen == "2026-01-04T00:00:00+00:00"
    assert store.touch("theaustralian", ["abc"], "2026-01-04T00:00:00+00:00") == 0
    ids = [f"id{n}" for n in range(600)]
    for n in (0, 599):
        store.put(
            StoryState(
                site="theaustralian",
                id=ids[n],
                content_hash="h",
                version=1,
                first_seen="2026-01-01T00:00:00+00:00",
                last_seen="2026-01-01T00:00:00+00:00",
            )
        )
    assert set(store.get_many("theaustralian", ids)) == {"id0", "id599"}
