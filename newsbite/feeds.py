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
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FileFeedStorage

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
