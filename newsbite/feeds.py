"""A local feed storage that never leaves a partial JSON line behind.

Scrapy's FileFeedStorage hands the exporter a buffered file: lines reach the disk in 8 KiB
chunks, so a crawl that is killed (a second Ctrl-C, SIGKILL, an OOM kill) can leave half a line
at the end of the JSONL, and items the state store already counts as written may still sit in
the buffer. This storage writes every complete line with one ``os.write`` on an ``O_APPEND``
descriptor as soon as the exporter hands it over, so what is on disk is always whole lines, and
an item is on disk (in the OS page cache, which outlives the process) before ``item_scraped``
fires. ``NEWSBITE_FEED_FSYNC = True`` adds an fsync per line for power-loss durability.

When it appends to an existing JSON Lines file whose last line is incomplete (written by
something else, or cut by a power loss), that fragment is cut off and logged first.

Enable with::

    FEED_STORAGES = {
        "": "newsbite.feeds.LineAtomicFileFeedStorage",
        "file": "newsbite.feeds.LineAtomicFileFeedStorage",
    }

:class:`CheckedFeedExporter` replaces Scrapy's FeedExporter (issue 11). Scrapy's exporter writes
in an ``item_scraped`` handler, so a storage that cannot be opened or written (a path under a
regular file, a read-only folder, a full disk) only logs "Error caught on signal handler" once
per item while every other ``item_scraped`` handler -- the incremental state among them --
carries on as if the line had been written. This one:

* checks at open that every local feed can be created, and stops the crawl before any request
  when one cannot (finish reason ``feed_error``, exit status 3, newsbite/exitcodes.py);
* sends :data:`item_written` only once the item's line is in every feed that accepts it: the
  incremental state commits on that signal, never on ``item_scraped``;
* on a write error logs one ERROR naming the feed, closes the crawl with ``feed_error`` and
  counts (``newsbite/feed/unwritten``) and names (WARNING) every story not written afterwards,
  so the next run writes them;
* with JOBDIR, records its feed paths there, so a resumed crawl knows the ids already written
  (newsbite.extensions.jobdir) and writes none of them twice.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter, FeedSlot, FileFeedStorage
from scrapy.utils.defer import deferred_from_coro

from newsbite import exitcodes
from newsbite.state.crawl import written_ids

logger = logging.getLogger(__name__)

LINE_FORMATS = frozenset({"jsonlines", "jl"})


class LineAtomicFile(io.RawIOBase):
    """Write-only: complete lines go to the descriptor at once, one write() call each batch."""

    def __init__(self, path: str | Path, overwrite: bool = False, fsync: bool = False) -> None:
        super().__init__()
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_APPEND)
        self.name = str(path)
        self._fd = os.open(self.name, flags, 0o644)
        self._pending = b""
        self._fsync = fsync

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self._pending += data
        cut = self._pending.rfind(b"\n")
        if cut >= 0:
            lines, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
            self._write_all(lines)
        return len(data)

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        if self._fsync:
            os.fsync(self._fd)

    def flush(self) -> None:
        # Only whole lines are ever on disk; a trailing fragment waits for its newline or close().
        pass

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._pending:  # formats other than JSON Lines may end without a newline
                self._write_all(self._pending)
                self._pending = b""
            os.close(self._fd)
        finally:
            super().close()


def cut_partial_last_line(path: str | Path) -> int:
    """Truncate an incomplete trailing line; returns the number of bytes removed."""
    path = Path(path)
    if not path.is_file():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return 0
        # Walk back to the last newline, a block at a time.
        end, block = size, 65536
        keep = 0
        while end > 0:
            start = max(0, end - block)
            f.seek(start)
            chunk = f.read(end - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                keep = start + i + 1
                break
            end = start
        f.truncate(keep)
        return size - keep


class LineAtomicFileFeedStorage(FileFeedStorage):
    def __init__(
        self, uri: str, *, feed_options: dict[str, Any] | None = None, fsync: bool = False
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        options = feed_options or {}
        self.overwrite = self.write_mode == "wb"
        self.lines = str(options.get("format", "")).lower() in LINE_FORMATS
        self.fsync = fsync

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> LineAtomicFileFeedStorage:
        return cls(
            uri,
            feed_options=feed_options,
            fsync=crawler.settings.getbool("NEWSBITE_FEED_FSYNC"),
        )

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.lines and not self.overwrite:
            removed = cut_partial_last_line(path)
            if removed:
                logger.warning("%s ended in an incomplete line: cut %d bytes", path, removed)
                spider.crawler.stats.inc_value("newsbite/feed/partial_line_cut")
        return LineAtomicFile(path, overwrite=self.overwrite, fsync=self.fsync)  # type: ignore[return-value]


# --- the feed exporter that never lets a failed write pass as written ------------------------

# Sent (item=, spider=) once an item's line is in every feed that accepts it.
item_written = object()

FEED_ERROR = "feed_error"
STAT_WRITTEN = "newsbite/feed/written"
STAT_UNWRITTEN = "newsbite/feed/unwritten"
STAT_FAILED = "newsbite/feed/failed"


class FeedUnwritable(OSError):
    """A local feed path that cannot be created or written."""


def check_writable(path: str | Path) -> None:
    """Raise FeedUnwritable when `path` cannot be created and appended to, without creating it.

    Walks up to the nearest existing ancestor: a regular file there (``out.txt/x.jsonl``) or a
    folder without write permission means the feed can never be opened.
    """
    target = Path(path)
    if target.is_dir():
        raise FeedUnwritable(f"{target} is a folder, not a file")
    if target.exists():
        if not os.access(target, os.W_OK):
            raise FeedUnwritable(f"{target} is not writable")
        return
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise FeedUnwritable(f"{parent} is a file, so {target} cannot be created under it")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FeedUnwritable(f"folder {parent} is not writable")


def local_path(slot: FeedSlot) -> Path | None:
    """The file a slot writes, when its storage is a local file."""
    path = getattr(slot.storage, "path", None)
    return Path(path) if isinstance(slot.storage, FileFeedStorage) and path else None


def story_key(item: Any, spider: Spider | None) -> tuple[str, str]:
    adapter = ItemAdapter(item)
    return (str(adapter.get("site") or getattr(spider, "name", "")), str(adapter.get("id")))


class CheckedFeedExporter(FeedExporter):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.failed: dict[str, str] = {}  # feed uri -> why it failed

    def open_spider(self, spider: Spider) -> None:
        super().open_spider(spider)
        for slot in list(self.slots):
            path = local_path(slot)
            if path is None:
                continue
            try:
                check_writable(path)
            except OSError as exc:
                self.fail(slot, exc)
        if self.slots and not self.failed:
            self.remember_for_resume()

    def remember_for_resume(self) -> None:
        """With JOBDIR: the ids earlier sessions of this job wrote, and this session's feeds."""
        from newsbite.extensions import jobdir

        folder = jobdir.job_path(self.crawler.settings)
        if folder is None:
            return
        paths = {
            p.resolve(): bool(s.feed_options.get("overwrite"))
            for s in self.slots
            if (p := local_path(s)) is not None
        }
        # A feed this session overwrites loses its earlier lines: those stories are written again.
        keep = [p for p in jobdir.recorded_feeds(folder) if not paths.get(Path(p).resolve())]
        seen = written_ids(self.crawler)
        before = len(seen)
        for recorded in keep:
            seen.update(jobdir.ids_in_feed(recorded))
        if len(seen) > before:
            self.crawler.stats.set_value("newsbite/jobdir/already_written", len(seen) - before)
            logger.info(
                "JOBDIR: %d stories were written by earlier sessions of this job; "
                "they are not written again",
                len(seen) - before,
            )
        jobdir.record_feeds(folder, list(paths))

    def item_scraped(self, item: Any, spider: Spider) -> None:
        if self.failed:
            self.unwritten(item)
            return
        accepted, slots = 0, []
        every = self.slots
        for slot in every:
            if slot.filter.accepts(item):
                accepted += 1
            # Scrapy's own per-slot code (batches included), one slot at a time, so that a
            # failing feed is known by name and the others keep theirs.
            self.slots = [slot]
            try:
                super().item_scraped(item, spider)
            except Exception as exc:  # OSError mostly; an exporter may raise others
                self.slots = every
                self.fail(slot, exc)
                continue
            slots.extend(self.slots)
        self.slots = slots
        if self.failed or not accepted:
            self.unwritten(item)
            return
        self.crawler.stats.inc_value(STAT_WRITTEN)
        self.crawler.signals.send_catch_log(item_written, item=item, spider=spider)

    def unwritten(self, item: Any) -> None:
        self.crawler.stats.inc_value(STAT_UNWRITTEN)
        url = ItemAdapter(item).get("url")
        if self.failed:
            logger.warning("not written (the feed failed); the next run writes it: %s", url)
        else:
            logger.warning("not written: no feed accepts this item: %s", url)

    def fail(self, slot: FeedSlot, exc: BaseException) -> None:
        """One ERROR per feed, the slot let go, and the crawl stopped with `feed_error`."""
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, FeedUnwritable):
            reason = str(exc)
        self.failed[slot.uri] = reason
        if slot in self.slots:
            self.slots = [s for s in self.slots if s is not slot]
        if slot.file is not None:
            try:
                slot.file.close()
            except Exception:  # the disk that refused the line may refuse the close too
                pass
        stats = self.crawler.stats
        stats.inc_value(STAT_FAILED)
        stats.set_value(exitcodes.EXIT_REASON_STAT, FEED_ERROR)
        logger.error(
            "feed %s cannot be written (%s): stopping the crawl (exit status %d); stories not "
            "written are not marked as seen, so the next run writes them",
            slot.uri,
            reason,
            exitcodes.FEED_ERROR,
        )
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=FEED_ERROR))

    async def close_spider(self, spider: Spider) -> None:
        await super().close_spider(spider)
        stats = self.crawler.stats.get_stats()
        if any(k.startswith("feedexport/failed_count/") and v for k, v in stats.items()):
            # A storage that failed when stored at the end (a remote upload): Scrapy logged it.
            self.crawler.stats.set_value(exitcodes.EXIT_REASON_STAT, FEED_ERROR)
