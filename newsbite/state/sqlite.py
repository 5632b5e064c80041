"""SQLite state backend: one file, WAL, a busy timeout and one short transaction per write.

Two processes (an hourly job and a manual run, or two spiders) may use one file at once:
WAL lets readers and the single writer proceed together, and ``BEGIN IMMEDIATE`` takes the write
lock up front so a write never fails half-way.

A crawl calls the store on the reactor thread, so a write must never wait there: while another
process holds the write lock for seconds (a long transaction, a backup), a 30 s busy timeout
stalled every download of the crawl (issue 11). So a write first tries the lock for at most
``REACTOR_WAIT`` seconds; when the file is busy, it -- and every write after it, to keep their
order -- goes to one writer thread with its own connection, which waits up to the full timeout.
Reads never wait for the writer under WAL. ``flush()`` and ``close()`` wait for the writer
thread (the crawl's state closes it off the reactor thread, newsbite.state.crawl).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsbite.state.store import RunRecord, StateStore, StoryState, register_backend

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 30.0  # seconds a write waits for another process's lock (writer thread)
REACTOR_WAIT = 0.05  # seconds a call on the caller's thread waits for it

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
        self.timeout = timeout
        self.conn = self._connect(timeout)
        if path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        # Opening happens before the crawl starts: waiting the full timeout here stalls nothing.
        with self._write() as conn:
            for statement in filter(None, (s.strip() for s in _SCHEMA.split(";"))):
                conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO newsbite_meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        self._set_busy_timeout(self.conn, min(timeout, REACTOR_WAIT))
        self._writer: ThreadPoolExecutor | None = None
        self._writer_conn: sqlite3.Connection | None = None
        self._backlog: list[Future] = []
        self._backlog_lock = threading.Lock()
        self.deferred_writes = 0  # writes handed to the writer thread (the file was busy)

    def _connect(self, timeout: float) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; each write is an explicit one.
        # check_same_thread=False: the crawl closes the store off the reactor thread; calls on
        # one connection never overlap (one caller thread, then the closer).
        conn = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        self._set_busy_timeout(conn, timeout)
        # FULL: a committed state survives power loss too (losing it would only re-emit stories).
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    @staticmethod
    def _set_busy_timeout(conn: sqlite3.Connection, seconds: float) -> None:
        conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    # -- writes that never block the caller on another process's lock -------------------------
    def _pending(self) -> bool:
        with self._backlog_lock:
            self._backlog = [f for f in self._backlog if not f.done()]
            return bool(self._backlog)

    def _run_write(self, write: Callable[[sqlite3.Connection], object]) -> object | None:
        """Run `write` inside a write transaction now, or on the writer thread when the file is
        busy (or earlier writes are still queued there). Returns its result, or None deferred."""
        if self.path != ":memory:" and self._pending():
            self._defer(write)
            return None
        try:
            with self._write() as conn:
                return write(conn)
        except sqlite3.OperationalError as exc:
            if self.path == ":memory:" or not _is_busy(exc):
                raise
        self._defer(write)
        return None

    def _defer(self, write: Callable[[sqlite3.Connection], object]) -> None:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="newsbite-state")
        self.deferred_writes += 1
        if self.deferred_writes == 1:
            logger.info(
                "state %s is busy (another process writes): writing in the background", self.path
            )
        future = self._writer.submit(self._write_in_thread, write)
        with self._backlog_lock:
            self._backlog.append(future)

    def _write_in_thread(self, write: Callable[[sqlite3.Connection], object]) -> None:
        if self._writer_conn is None:
            self._writer_conn = self._connect(self.timeout)
        try:
            with self._write(self._writer_conn) as conn:
                write(conn)
        except sqlite3.Error:
            # Losing a state write only means the story is emitted again next run: log, go on.
            logger.exception("state %s: a background write failed", self.path)

    def flush(self) -> None:
        """Wait for the writes handed to the writer thread (blocks: not on the reactor)."""
        with self._backlog_lock:
            backlog = list(self._backlog)
        for future in backlog:
            future.result()

    @classmethod
    def from_uri(cls, uri: str) -> SQLiteStateStore:
        return cls(path_from_uri(uri))

    @contextmanager
    def _write(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        conn = conn or self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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
        values = (
            state.site,
            state.id,
            state.canonical_url,
            state.content_hash,
            state.modified,
            state.version,
            state.first_seen,
            state.last_seen,
        )

        def write(conn: sqlite3.Connection) -> StoryState | None:
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
                values,
            )
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM stories WHERE site = ? AND id = ?", (state.site, state.id)
            ).fetchone()
            return self._state(row)

        stored = self._run_write(write)
        # Deferred (the file is busy): what the writer thread will store.
        return stored if isinstance(stored, StoryState) else state

    def touch(self, site: str, story_ids: Iterable[str], seen_at: str) -> int:
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return 0

        def write(conn: sqlite3.Connection) -> int:
            cur = conn.executemany(
                "UPDATE stories SET last_seen = ? WHERE site = ? AND id = ? AND last_seen < ?",
                [(seen_at, site, story_id, seen_at) for story_id in ids],
            )
            return cur.rowcount

        done = self._run_write(write)
        return done if isinstance(done, int) else 0  # deferred: not known yet

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self.conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        query = "SELECT count(*) FROM stories WHERE site = ?"
        return self.conn.execute(query, (site,)).fetchone()[0]

    def record_run(self, spider: str, args_key: str, items: int, finished_at: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO runs (spider, args_key, items, finished_at) VALUES (?, ?, ?, ?)",
                (spider, args_key, int(items), finished_at),
            )

        self._run_write(write)

    def recent_runs(self, spider: str, args_key: str, limit: int = 5) -> list[RunRecord]:
        rows = self.conn.execute(
            "SELECT spider, args_key, items, finished_at FROM runs"
            " WHERE spider = ? AND args_key = ? ORDER BY finished_at DESC, rowid DESC LIMIT ?",
            (spider, args_key, int(limit)),
        )
        return [RunRecord(**dict(row)) for row in rows]

    def close(self) -> None:
        """Wait for background writes, then close (blocks: the crawl calls it in a thread)."""
        if self._writer is not None:
            self.flush()
            self._writer.shutdown(wait=True)
            self._writer = None
        if self._writer_conn is not None:
            self._writer_conn.close()
            self._writer_conn = None
        self.conn.close()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# The default backend: `sqlite:///path`, `file:///path` or a bare path.
for _scheme in ("sqlite", "file", ""):
    register_backend(_scheme, SQLiteStateStore.from_uri)
