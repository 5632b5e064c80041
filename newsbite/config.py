"""Checks every NEWSBITE_* setting at crawler start: a wrong value is one line and exit 2.

`check(settings)` raises newsbite.errors.UsageError naming the setting, the value given and
what is accepted. It runs twice for `scrapy crawl` (the command checks before Scrapy logs
anything, so the user sees one line) and once for any other crawler, through `ConfigAddon`
(ADDONS), before extensions, middlewares or pipelines are built and before any request.

A NEWSBITE_* name given with `-s` that no component knows is a usage error too (likely a
typo), naming the close match. A setting is known when newsbite/settings.py (or the project's
settings module) gives it a default, or when SPEC below describes it: a component adding a
setting adds its default line to settings.py.
"""

from __future__ import annotations

import difflib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from newsbite.errors import UsageError

logger = logging.getLogger(__name__)

PREFIX = "NEWSBITE_"
# Families whose members are defined by data (publisher alarms) rather than one by one.
FAMILIES: dict[str, str] = {"NEWSBITE_ALARM_": "non_negative_float"}

Check = Callable[[str, Any], None]


# -- value checks: each raises UsageError with the setting's name, the value and the rule ----


def _fail(name: str, value: Any, accepted: str) -> None:
    raise UsageError(f"{name}={value!r} is not valid: expected {accepted}")


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    _fail(name, value, "true or false")
    raise AssertionError  # unreachable: _fail raises


def _as_number(name: str, value: Any, kind: type, accepted: str) -> float:
    if isinstance(value, bool):
        _fail(name, value, accepted)
    try:
        number = kind(value)
    except (TypeError, ValueError):
        _fail(name, value, accepted)
        raise AssertionError from None
    if kind is int and isinstance(value, float) and value != number:
        _fail(name, value, accepted)
    return number


def boolean(name: str, value: Any) -> None:
    _as_bool(name, value)


def integer(minimum: int) -> Check:
    def check(name: str, value: Any) -> None:
        accepted = f"a whole number >= {minimum}"
        if _as_number(name, value, int, accepted) < minimum:
            _fail(name, value, accepted)

    return check


def number(minimum: float = 0.0, maximum: float | None = None, open_min: bool = False) -> Check:
    low = "> " if open_min else ">= "
    accepted = f"a number {low}{minimum:g}" + (f" and <= {maximum:g}" if maximum else "")

    def check(name: str, value: Any) -> None:
        n = _as_number(name, value, float, accepted)
        if n < minimum or (open_min and n == minimum) or (maximum is not None and n > maximum):
            _fail(name, value, accepted)

    return check


def choice(*allowed: str) -> Check:
    def check(name: str, value: Any) -> None:
        if str(value).strip().lower() not in allowed:
            _fail(name, value, "one of " + ", ".join(allowed))

    return check


def text(name: str, value: Any) -> None:
    if not isinstance(value, str):
        _fail(name, value, "a string")


def existing_file(name: str, value: Any) -> None:
    if value and not Path(os.path.expanduser(str(value))).is_file():
        _fail(name, value, "the path of an existing file")


def existing_dir(name: str, value: Any) -> None:
    if value and not Path(os.path.expanduser(str(value))).is_dir():
        _fail(name, value, "the path of an existing folder")


def _writable_target(path: Path) -> str | None:
    """Why `path` cannot be written (None when it can). Its folder is created, as the
    component writing it would, and a probe file is written there: permission bits alone
    say nothing for root, a read-only mount or /proc."""
    if path.is_dir():
        return "it is a folder"
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file, not a folder"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        return f"{exc.strerror or exc} ({path.parent})"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    return None


def writable_file(name: str, value: Any) -> None:
    if not value:
        return
    problem = _writable_target(Path(os.path.expanduser(str(value))).resolve())
    if problem:
        raise UsageError(f"{name}={value!r} cannot be written: {problem}")


def state_uri(name: str, value: Any) -> None:
    """Empty (the default), a path, or sqlite:///path; other schemes check their own URIs."""
    if not value:
        return
    uri = str(value)
    scheme = urlsplit(uri).scheme.lower()
    if scheme == "sqlite":
        path = uri[len("sqlite:///") :] if uri.startswith("sqlite:///") else ""
        if not path:
            _fail(name, value, "sqlite:///relative.sqlite or sqlite:////absolute.sqlite")
    elif len(scheme) <= 1:  # a plain path (or a Windows drive letter)
        path = uri
    else:
        return  # redis://... and other backends check their own URIs when they connect
    writable_file(name, path)


def redis_url(name: str, value: Any) -> None:
    if value and urlsplit(str(value)).scheme not in ("redis", "rediss", "unix"):
        _fail(name, value, "a redis://, rediss:// or unix:// URL")


def host_map(name: str, value: Any) -> None:
    """`host=127.0.0.1:PORT,host2=...` (DESIGN §10) or a dict of the same."""
    if not value or isinstance(value, Mapping):
        return
    for pair in str(value).split(","):
        host, sep, target = pair.strip().partition("=")
        if not (host and sep and target):
            _fail(name, value, "comma-separated host=address:port pairs")


def non_negative_float(name: str, value: Any) -> None:
    number(0.0)(name, value)


# Every NEWSBITE_* setting with a rule. Names only in settings.py are known but unchecked.
SPEC: dict[str, Check] = {
    "NEWSBITE_CASSETTE_MODE": choice("none", "record", "replay"),
    "NEWSBITE_CASSETTE": text,
    "NEWSBITE_CASSETTE_SAVE_EVERY": integer(1),
    "NEWSBITE_FIXTURES_DIR": existing_dir,
    "NEWSBITE_DEFAULT_FEED": text,
    "NEWSBITE_STATS_FILE": writable_file,
    "NEWSBITE_TOPIC_DEPTH": integer(0),
    "NEWSBITE_MAX_TOPIC_PAGES": integer(1),
    "NEWSBITE_INCREMENTAL": boolean,
    "NEWSBITE_LINK_COPIES": boolean,
    "NEWSBITE_LINK_WINDOW": integer(0),
    "NEWSBITE_MAX_PAGE_BYTES": integer(0),
    "NEWSBITE_RETRY_AFTER_MAX": number(0.0),
    "NEWSBITE_REDIS_ROLE": choice("", "seed", "worker"),
    "NEWSBITE_IDLE_CLOSE": number(0),
    "NEWSBITE_WORKER_TTL": number(0, open_min=True),
    "NEWSBITE_IDLE_POLL": number(0, open_min=True),
    "NEWSBITE_REDIS_RELIABLE": boolean,
    "NEWSBITE_REDIS_ITEMS": boolean,
    "NEWSBITE_STATE_URI": state_uri,
    "NEWSBITE_STATE_FULL": boolean,
    "NEWSBITE_FEED_FSYNC": boolean,
    "NEWSBITE_PACE": number(0.0),
    "NEWSBITE_RENDER": choice("never", "auto", "always"),
    "NEWSBITE_RENDER_WAIT_UNTIL": choice("load", "domcontentloaded", "networkidle", "commit"),
    "NEWSBITE_RENDER_EFFECTIVE": text,  # set by newsbite.render.RenderAddon, not by users
    "NEWSBITE_CHROMIUM": text,
    "NEWSBITE_BOTWALL_ENABLED": boolean,
    "NEWSBITE_BOTWALL_RETRIES": integer(0),
    "NEWSBITE_BOTWALL_BACKOFF": number(0.0),
    "NEWSBITE_BOTWALL_BACKOFF_MAX": number(0.0),
    "NEWSBITE_BOTWALL_MAX_RATIO": number(0.0, 1.0, open_min=True),
    "NEWSBITE_BOTWALL_MIN_RESPONSES": integer(1),
    "NEWSBITE_COOKIES_FILE": existing_file,
    "NEWSBITE_SESSION_COOKIES": text,
    "NEWSBITE_CHROME_VOCAB": existing_file,
    "NEWSBITE_CREDITS_VOCAB": existing_file,
    "NEWSBITE_PAYWALL_FULL_PARAGRAPHS": integer(0),
    "NEWSBITE_PAYWALL_FULL_WORDS": integer(0),
    "NEWSBITE_PAYWALL_SHORT_PARAGRAPHS": integer(0),
    "NEWSBITE_PAYWALL_SHORT_WORDS": integer(0),
    "NEWSBITE_HOST_MAP": host_map,
    "NEWSBITE_REDIS_URL": redis_url,
    "NEWSBITE_PROGRESS": boolean,
    # example URLs kept per reason: a bound on what the coverage extension holds
    "NEWSBITE_REPORT_EXAMPLES": integer(0),
    "NEWSBITE_EXPECT_ITEMS": boolean,
}

# Environment variables and spider arguments that share the prefix but are not settings.
NOT_SETTINGS = frozenset({"NEWSBITE_HOME", "NEWSBITE_ARGS"})


def _module_names(module_name: str | None) -> set[str]:
    if not module_name:
        return set()
    try:
        module = __import__(module_name, fromlist=["_"])
    except ImportError:
        return set()
    return {n for n in dir(module) if n.startswith(PREFIX)}


def known_names() -> set[str]:
    """SPEC, newsbite's own defaults and the project settings module's NEWSBITE_* names."""
    project = os.environ.get("SCRAPY_SETTINGS_MODULE")
    return set(SPEC) | _module_names("newsbite.settings") | _module_names(project)


def _family(name: str) -> Check | None:
    for prefix, check_name in FAMILIES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return globals()[check_name]
    return None


def check_unknown(settings: BaseSettings) -> None:
    """-s NEWSBITE_TOPIC_DEPHT=2 is a typo until a component says otherwise."""
    known = known_names()
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    for name in sorted(settings.attributes):
        if not name.startswith(PREFIX) or name in known or _family(name):
            continue
        if (settings.getpriority(name) or 0) < cmdline:
            continue  # set in code (a settings module, a spider): the author meant it
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(sorted(known))})"
        raise UsageError(f"unknown setting {name}{hint}")


def check(settings: BaseSettings) -> None:
    """Raise UsageError for the first NEWSBITE_* setting whose value is not accepted."""
    check_unknown(settings)
    for name in sorted(settings.attributes):
        if not name.startswith(PREFIX) or name in NOT_SETTINGS:
            continue
        rule = SPEC.get(name) or _family(name)
        value = settings.get(name)
        if rule is not None and value is not None:
            rule(name, value)
    if str(settings.get("NEWSBITE_CASSETTE_MODE", "none")).lower() == "replay":
        existing_file("NEWSBITE_CASSETTE", settings.get("NEWSBITE_CASSETTE"))


# -- routine "Disabled ..." lines ------------------------------------------------------------

_DISABLED = "Disabled %(clspath)s: %(eargs)s"


class RoutineDisabledFilter(logging.Filter):
    """Scrapy logs a component that raised NotConfigured with a reason at WARNING. newsbite's
    optional components (incremental, session, pace, JOBDIR...) are off by design in most
    crawls, so their reason is INFO: a clean crawl's WARNING lines are real warnings only."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, Mapping) else {}
        if (
            record.levelno == logging.WARNING
            and record.msg == _DISABLED
            and str(args.get("clspath", "")).startswith("newsbite.")
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_routine_disables() -> None:
    for name in ("scrapy.middleware", "scrapy.addons"):
        log = logging.getLogger(name)
        if not any(isinstance(f, RoutineDisabledFilter) for f in log.filters):
            log.addFilter(RoutineDisabledFilter())


class ConfigAddon:
    """ADDONS entry that runs first: settings are checked before any component is built."""

    def update_settings(self, settings: BaseSettings) -> None:
        quiet_routine_disables()
        check(settings)
