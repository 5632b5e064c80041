"""Incremental-crawl state: what each site's stories looked like when last written (issue 5).

``open_store(uri)`` picks a backend by URI scheme (``sqlite:///path``, a bare path = SQLite);
other backends (Redis) register themselves with ``register_backend``.
"""

# Importing the SQLite module registers it as the default backend for every user of the package.
from newsbite.state import sqlite as _sqlite  # noqa: F401
from newsbite.state.store import (
    StateStore,
    StoryState,
    content_hash,
    default_state_uri,
    open_store,
    register_backend,
)

__all__ = [
    "StateStore",
    "StoryState",
    "content_hash",
    "default_state_uri",
    "open_store",
    "register_backend",
]
