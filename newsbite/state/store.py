"""The state store interface, the content hash and the backend registry.

A backend remembers, per (site, story id), the canonical URL, the content hash, the story's own
modified date, the version last written and when the story was first and last seen. Writes are
only made for stories that reached the output (the incremental pipeline commits on
``item_scraped``), so a crawl stopped half-way never marks unwritten stories as known.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Fields whose change makes a new version. Volatile fields (scraped_at, word_count, images'
# order, paywall evidence...) never do: re-fetching the same story must hash the same.
HASHED_FIELDS = ("headline", "standfirst", "body")
HASH_VERSION = "1"  # bump when the hashed fields or their normalisation change


def _norm(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def content_hash(item: Mapping[str, Any]) -> str:
    """sha256 over headline, standfirst and body paragraphs, whitespace-normalised."""
    body = item.get("body") or []
    if isinstance(body, str):
        body = [body]
    payload = {
        "v": HASH_VERSION,
        "headline": _norm(item.get("headline")),
        "standfirst": _norm(item.get("standfirst")),
        "body": [p for p in (_norm(p) for p in body) if p],
    }
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoryState:
    site: str
    id: str
    content_hash: str
    version: int
    first_seen: str
    last_seen: str
    canonical_url: str | None = None
    modified: str | None = None

    def seen(self, at: str) -> StoryState:
        return replace(self, last_seen=at)


@dataclass(frozen=True)
class RunRecord:
    """One finished crawl: how many stories it saw (the layout alarm's item-count history)."""

    spider: str
    args_key: str  # the spider's arguments, canonical JSON: runs are compared like for like
    items: int
    finished_at: str  # ISO 8601, UTC


class StateStore(ABC):
    """What a backend must do. Every method is one atomic operation."""

    uri: str = ""

    @abstractmethod
    def get(self, site: str, story_id: str) -> StoryState | None: ...

    def get_many(self, site: str, story_ids: Iterable[str]) -> dict[str, StoryState]:
        found = {}
        for story_id in story_ids:
            state = self.get(site, story_id)
            if state is not None:
                found[story_id] = state
        return found

    @abstractmethod
    def put(self, state: StoryState) -> StoryState:
        """Record a written version.

        A version older than the stored one never replaces it (two processes racing), and the
        stored ``first_seen`` is kept. Returns what the store holds afterwards.
        """

    @abstractmethod
    def touch(self, site: str, story_ids: Iterable[str], seen_at: str) -> int:
        """Move ``last_seen`` of known stories forward (unchanged ones); returns how many."""

    @abstractmethod
    def count(self, site: str | None = None) -> int: ...

    # Run history for the item-count alarm (newsbite.monitors). Not abstract, so that a backend
    # without it still stores stories; the monitor then skips that check and says why.
    def record_run(self, spider: str, args_key: str, items: int, finished_at: str) -> None:
        """Remember a finished crawl of ``spider`` with arguments ``args_key``."""
        raise NotImplementedError(f"{type(self).__name__} keeps no run history")

    def recent_runs(self, spider: str, args_key: str, limit: int = 5) -> list[RunRecord]:
        """The last ``limit`` runs of ``spider`` with these arguments, newest first."""
        raise NotImplementedError(f"{type(self).__name__} keeps no run history")

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Factory = Callable[[str], StateStore]
_BACKENDS: dict[str, Factory] = {}


def register_backend(scheme: str, factory: Factory) -> None:
    """``register_backend("redis", RedisStateStore.from_uri)`` — a backend is one factory."""
    _BACKENDS[scheme.lower()] = factory


def lazy_backend(module: str, cls: str) -> Factory:
    """A factory that imports its backend on first use: a crawl that never opens a redis://
    store never imports redis (the backend module sits beside this one and imports it)."""

    def open_backend(uri: str) -> StateStore:
        return getattr(importlib.import_module(module), cls).from_uri(uri)

    return open_backend


for _redis_scheme in ("redis", "rediss", "unix"):
    register_backend(_redis_scheme, lazy_backend("newsbite.state.redis", "RedisStateStore"))


def open_store(uri: str) -> StateStore:
    """A store for ``uri``: ``sqlite:////abs/path.sqlite``, ``sqlite:///rel.sqlite``, a path..."""
    scheme = urlsplit(uri).scheme.lower()
    if len(scheme) == 1:  # a Windows drive letter, C:\...
        scheme = ""
    try:
        factory = _BACKENDS[scheme]
    except KeyError:
        known = ", ".join(sorted(s for s in _BACKENDS if s)) or "none"
        raise ValueError(f"no state backend for {uri!r} (known schemes: {known})") from None
    return factory(uri)


def default_state_uri() -> str:
    """``<project data dir>/newsbite/state.sqlite`` (``.scrapy/`` beside scrapy.cfg).

    Under Scrapyd there is no scrapy.cfg to find; then it is ``.scrapy/`` in the working
    directory, as Scrapy's own ``data_path`` does outside a project. Scheduled jobs should set
    NEWSBITE_STATE_URI explicitly.
    """
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.project import data_path

    try:
        folder = data_path("newsbite", createdir=True)
    except NotConfigured:  # SCRAPY_SETTINGS_MODULE set but no scrapy.cfg (a Scrapyd egg)
        folder = str(Path(".scrapy", "newsbite").resolve())
        Path(folder).mkdir(parents=True, exist_ok=True)
    return str(Path(folder).resolve() / "state.sqlite")
