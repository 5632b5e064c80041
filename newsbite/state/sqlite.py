"""SQLite state backend: one file, WAL, a busy timeout and one short transaction per write.

Two processes (an hourly job and a manual run, or two spiders) may use one file at once:
WAL lets readers and the single writer proceed together, ``BEGIN IMMEDIATE`` takes the write
lock up front so a write never fails half-way, and the busy timeout waits out the other writer.
Operations are milliseconds, so running them on the reactor thread is fine.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsbite.state.store import RunRecord, StateStore, StoryState, register_backend

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 30.0  # seconds a write waits for another process's lock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stories (
    site          TEXT NOT NULL,
    id            TEXT NOT NULL,
    canonical_url TEXT,
    content_hash  TEXT NOT NULL,
    modified      TEXT,
    version       INTEGER NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    PRIMARY KEY (site, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS newsbite_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    spider      TEXT NOT NULL,
    args_key    TEXT NOT NULL,
    items       INTEGER NOT NULL,
    finished_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_spider ON runs (spider, args_key, finished_at);
"""

_COLUMNS = "site, id, canonical_url, content_hash, modified, version, first_seen, last_seen"


def path_from_uri(uri: str) -> str:
    """``sqlite:////abs/x.sqlite`` -> /abs/x.sqlite, ``sqlite:///rel.sqlite`` -> rel.sqlite,
    ``file:///abs`` -> /abs, a bare path as is, ``sqlite://:memory:`` -> :memory:."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("sqlite", "file"):
        return uri
    if parts.netloc == ":memory:":
        return ":memory:"
    path = unquote(parts.path)
    if parts.scheme.lower() == "sqlite" and path.startswith("/"):
        path = path[1:]  # SQLAlchemy style: three slashes relative, four absolute
    return path or ":memory:"


class SQLiteStateStore(StateStore):
    def __init__(self, path: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = path
        self.uri = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; each write is an explicit one.
        self.conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed state survives power loss too (losing it would only re-emit stories).
        self.conn.execute("PRAGMA synchronous = FULL")
        with self._write() as conn:
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO newsbite_meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    @classmethod
    def from_uri(cls, uri: str) -> SQLiteStateStore:
        return cls(path_from_uri(uri))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @staticmethod
    def _state(row: sqlite3.Row | None) -> StoryState | None:
        return StoryState(**dict(row)) if row is not None else None

    def get(self, site: str, story_id: str) -> StoryState | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM stories WHERE site = ? AND id = ?", (site, story_id)
        ).fetchone()
        return self._state(row)

    def get_many(self, site: str, story_ids: Iterable[str]) -> dict[str, StoryState]:
        ids = list(dict.fromkeys(story_ids))
        found: dict[str, StoryState] = {}
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT {_COLUMNS} FROM stories WHERE site = ? AND id IN ({marks})",
                (site, *chunk),
            )
            for row in rows:
                found[row["id"]] = StoryState(**dict(row))
        return found

    def put(self, state: StoryState) -> StoryState:
        with self._write() as conn:
            conn.execute(
                f"""
                INSERT INTO stories ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (site, id) DO UPDATE SET
                    canonical_url = excluded.canonical_url,
                    content_hash = excluded.content_hash,
                    modified = excluded.modified,
                    version = excluded.version,
                    last_seen = max(stories.last_seen, excluded.last_seen)
                WHERE excluded.version >= stories.version
                """,
                (
                    state.site,
                    state.id,
                    state.canonical_url,
                    state.content_hash,
                    state.modified,
                    state.version,
                    state.first_seen,
                    state.last_seen,
                ),
            )
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM stories WHERE site = ? AND id = ?", (state.site, state.id)
            ).fetchone()
        stored = self._state(row)
        assert stored is not None
        return stored

    def touch(self, site: str, story_ids: Iterable[str], seen_at: str) -> int:
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return 0
        with self._write() as conn:
            cur = conn.executemany(
                "UPDATE stories SET last_seen = ? WHERE site = ? AND id = ? AND last_seen < ?",
                [(seen_at, site, story_id, seen_at) for story_id in ids],
            )
            return cur.rowcount

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self.conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        query = "SELECT count(*) FROM stories WHERE site = ?"
        return self.conn.execute(query, (site,)).fetchone()[0]

    def record_run(self, spider: str, args_key: str, items: int, finished_at: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO runs (spider, args_key, items, finished_at) VALUES (?, ?, ?, ?)",
                (spider, args_key, int(items), finished_at),
            )

    def recent_runs(self, spider: str, args_key: str, limit: int = 5) -> list[RunRecord]:
        rows = self.conn.execute(
            "SELECT spider, args_key, items, finished_at FROM runs"
            " WHERE spider = ? AND args_key = ? ORDER BY finished_at DESC, rowid DESC LIMIT ?",
            (spider, args_key, int(limit)),
        )
        return [RunRecord(**dict(row)) for row in rows]

    def close(self) -> None:
        self.conn.close()


# The default backend: `sqlite:///path`, `file:///path` or a bare path.
for _scheme in ("sqlite", "file", ""):
    register_backend(_scheme, SQLiteStateStore.from_uri)
