"""The run history the item-count alarm and the report compare a crawl with: the crawls of
the same spider with the same arguments, kept in the state store (when the crawl has one)."""

from __future__ import annotations

import json
import logging
from typing import Any

from newsbite.monitors import checks

logger = logging.getLogger("newsbite.monitors")

# Arguments that differ on every run of one scheduled job: not part of "the same arguments".
VOLATILE_ARGS = frozenset({"_job", "since"})


def args_key(spider: Any) -> str:
    """The spider's arguments as canonical JSON (runs are compared like for like)."""
    names = getattr(spider, "arguments", None)
    if names is not None:
        values = {name: getattr(spider, name, None) for name in names}
    else:  # a spider that does not list its arguments: `-a` values are the string attributes
        values = {k: v for k, v in vars(spider).items() if isinstance(v, str)}
    values = {k: v for k, v in values.items() if k not in VOLATILE_ARGS and v not in (None, [], "")}
    return json.dumps(values, sort_keys=True, default=str, separators=(",", ":"))


def history_store(crawler: Any):
    """The state store that keeps the run history, or None: only when the crawl has a state
    store anyway (NEWSBITE_STATE_URI set or NEWSBITE_INCREMENTAL on), so that test and ad hoc
    runs never write a project data file."""
    settings = crawler.settings
    uri = settings.get("NEWSBITE_STATE_URI") or ""
    if not uri and not settings.getbool("NEWSBITE_INCREMENTAL"):
        return None
    from newsbite.state import sqlite as _sqlite  # noqa: F401  registers the default backend
    from newsbite.state.store import default_state_uri, open_store

    return open_store(uri or default_state_uri())


def recent_items(crawler: Any, spider: Any) -> list[int] | None:
    """Stories of the recent runs of this spider and arguments; None when none are kept."""
    store = history_store(crawler)
    if store is None:
        return None
    limit = int(checks.thresholds(crawler.settings, spider.name)["recent_runs"])
    try:
        runs = store.recent_runs(spider.name, args_key(spider), limit)
    except NotImplementedError as exc:
        logger.warning("no item-count alarm: %s", exc)
        return None
    finally:
        store.close()
    return [run.items for run in runs]
