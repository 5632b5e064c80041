"""Fixture tooling: replay a fixture's cassette, compare with its goldens, build synthetic ones.

Layout (DESIGN §7)::

    fixtures/<site>/<slug>/cassette.yaml   recorded (or built) HTTP traffic
                          /expected.json   items, sorted by url, without VOLATILE_FIELDS
                          /meta.json       spider, args, settings, urls, recorded_at, synthetic...
                          /pages/          synthetic fixtures only: HTML + pages.json

Crawls run in a subprocess: Twisted's reactor cannot be restarted inside one process.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import newsbite
from newsbite.middlewares.cassette import STAT_MISSED_URLS, write_cassette

VOLATILE_FIELDS = ("scraped_at", "first_seen", "last_seen")
PROJECT_ROOT = Path(newsbite.__file__).resolve().parent.parent  # holds scrapy.cfg
FIXTURES_ROOT = PROJECT_ROOT / "fixtures"
CASSETTE = "cassette.yaml"
EXPECTED = "expected.json"
META = "meta.json"

# Replay is offline: politeness delays only slow it down and never change what it yields.
REPLAY_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "NEWSBITE_BOTWALL_BACKOFF": 0,
    "TELNETCONSOLE_ENABLED": False,
    # A fixture may expect no story (a bot wall): its expected.json judges, not exit status 5.
    "NEWSBITE_EXPECT_ITEMS": False,
}


@dataclass
class CrawlResult:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    returncode: int = 0
    misses: list[str] = field(default_factory=list)


# --- files ------------------------------------------------------------------------------------


def load_meta(fixture_dir: str | Path) -> dict[str, Any]:
    path = Path(fixture_dir) / META
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_meta(fixture_dir: str | Path, meta: Mapping[str, Any]) -> None:
    _write_json(Path(fixture_dir) / META, dict(meta))


def comparable(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in VOLATILE_FIELDS}


def _sorted_items(items: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return sorted((comparable(i) for i in items), key=lambda i: str(i.get("url", "")))


def write_expected(fixture_dir: str | Path, items: list[Mapping[str, Any]]) -> Path:
    path = Path(fixture_dir) / EXPECTED
    _write_json(path, _sorted_items(items))
    return path


def load_expected(fixture_dir: str | Path) -> list[dict[str, Any]]:
    return json.loads((Path(fixture_dir) / EXPECTED).read_text(encoding="utf-8"))


def _write_json(path: Path, data: Any) -> None:
    # ensure_ascii=False keeps goldens readable (curly quotes, accents) and diffs in git small.
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def iter_fixture_dirs(root: str | Path | None = None) -> list[Path]:
    """Every fixtures/<site>/<slug>/ folder that has a meta.json."""
    base = Path(root) if root else FIXTURES_ROOT
    return sorted(p.parent for p in base.glob(f"*/*/{META}"))


# --- diff -------------------------------------------------------------------------------------


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_ABSENT = object()


def _diff_value(path: str, exp: Any, act: Any, out: list[str]) -> None:
    if exp == act:
        return
    if isinstance(exp, dict) and isinstance(act, dict):
        for key in list(exp) + [k for k in act if k not in exp]:
            _diff_value(f"{path}.{key}", exp.get(key, _ABSENT), act.get(key, _ABSENT), out)
    elif isinstance(exp, list) and isinstance(act, list):
        if len(exp) != len(act):
            out.append(f"{path}: expected {len(exp)} entries, got {len(act)}")
        for i in range(max(len(exp), len(act))):
            e = exp[i] if i < len(exp) else _ABSENT
            a = act[i] if i < len(act) else _ABSENT
            _diff_value(f"{path}[{i}]", e, a, out)
    else:
        e = "<absent>" if exp is _ABSENT else _short(exp)
        a = "<absent>" if act is _ABSENT else _short(act)
        out.append(f"{path}: expected {e}, got {a}")


def _by_url(items: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    keyed: dict[str, dict[str, Any]] = {}
    for item in items:
        url = str(item.get("url", ""))
        key, n = url, 1
        while key in keyed:  # the same URL twice is itself worth seeing in a diff
            n += 1
            key = f"{url} (#{n})"
        keyed[key] = comparable(item)
    return keyed


def diff_items(expected: list[Mapping[str, Any]], actual: list[Mapping[str, Any]]) -> list[str]:
    """Readable differences, one per line: "<url> body[3]: expected "...", got "..."."""
    exp, act = _by_url(expected), _by_url(actual)
    out: list[str] = []
    for url in sorted(exp.keys() | act.keys()):
        if url not in act:
            out.append(f"missing item: {url}")
        elif url not in exp:
            out.append(f"unexpected item: {url}")
        else:
            lines: list[str] = []
            for key in list(exp[url]) + [k for k in act[url] if k not in exp[url]]:
                _diff_value(key, exp[url].get(key, _ABSENT), act[url].get(key, _ABSENT), lines)
            out.extend(f"{url} {line}" for line in lines)
    return out


# --- synthetic fixtures -----------------------------------------------------------------------


def page_responses(fixture_dir: str | Path) -> list[tuple[str, int, dict[str, str], bytes]]:
    """(url, status, headers, body) of each entry of pages/pages.json, encoded and gzipped
    as the site serves it: what the cassette builder records and the simulator serves."""
    pages = Path(fixture_dir) / "pages"
    served = []
    for entry in json.loads((pages / "pages.json").read_text(encoding="utf-8")):
        encoding = entry.get("encoding")
        if entry.get("file"):
            raw = (pages / entry["file"]).read_bytes()
            # Files are utf-8 on disk; "encoding" says how the site serves them.
            body = raw.decode("utf-8").encode(encoding) if encoding else raw
        else:
            text = entry.get("body") or ""
            body = text.encode(encoding or "utf-8") if isinstance(text, str) else bytes(text)
        default_type = f"text/html; charset={encoding or 'utf-8'}"
        headers = dict(entry.get("headers") or {"Content-Type": default_type})
        if entry.get("gzip"):
            body = gzip.compress(body, mtime=0)  # mtime=0: rebuilding gives the same bytes
            headers["Content-Encoding"] = "gzip"
        served.append((entry["url"], int(entry.get("status", 200)), headers, body))
    return served


def build_synthetic_cassette(fixture_dir: str | Path) -> Path:
    """Write cassette.yaml from pages/pages.json (see module doc of DESIGN §7)."""
    path = Path(fixture_dir) / CASSETTE
    write_cassette(path, page_responses(fixture_dir))
    return path


# --- crawling ---------------------------------------------------------------------------------


def _setting_text(value: Any) -> str:
    # What Scrapy parses back from `-s`: getlist() splits on commas, getdict() reads JSON.
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return json.dumps(value)


def run_crawl(
    spider: str,
    args: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    out_path: str | Path | None = None,
    timeout: float = 900,
) -> CrawlResult:
    """Run `python -m scrapy crawl` in a subprocess from the project root; read items back."""
    with tempfile.TemporaryDirectory(prefix="newsbite-crawl-") as tmp:
        out = Path(out_path) if out_path else Path(tmp) / "items.jsonl"
        stats_file = Path(tmp) / "stats.json"
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
        for key, value in (args or {}).items():
            cmd += ["-a", f"{key}={value}"]
        all_settings = {
            **(settings or {}),
            # FEEDS, not -O: Scrapy merges -O with the project's FEEDS, which would also write
            # output/<spider>/<time>.jsonl on every fixture run.
            "FEEDS": {str(out): {"format": "jsonlines", "encoding": "utf8", "overwrite": True}},
            "NEWSBITE_STATS_FILE": str(stats_file),
        }
        for key, value in all_settings.items():
            cmd += ["-s", f"{key}={_setting_text(value)}"]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
        proc = subprocess.run(
            cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        items = []
        if out.is_file():
            lines = out.read_text(encoding="utf-8").splitlines()
            items = [json.loads(line) for line in lines if line.strip()]
        stats = json.loads(stats_file.read_text()) if stats_file.is_file() else {}
    log = proc.stdout + proc.stderr
    misses = list(stats.get(STAT_MISSED_URLS) or [])
    if not stats:  # no stats file written: fall back to the middleware's ERROR lines
        marker = "ERROR: cassette miss: "
        misses = [ln.split(marker, 1)[1].split(" ")[-1] for ln in log.splitlines() if marker in ln]
    return CrawlResult(items=items, stats=stats, log=log, returncode=proc.returncode, misses=misses)


def run_fixture_crawl(
    fixture_dir: str | Path,
    out_path: str | Path | None = None,
    extra_settings: Mapping[str, Any] | None = None,
) -> CrawlResult:
    """Replay one fixture's cassette through its spider, offline."""
    fixture_dir = Path(fixture_dir).resolve()
    meta = load_meta(fixture_dir)
    if not meta.get("spider"):
        raise ValueError(f"{fixture_dir / META}: no 'spider'")
    settings = {
        **REPLAY_SETTINGS,
        **(meta.get("settings") or {}),
        **(extra_settings or {}),
        "NEWSBITE_CASSETTE_MODE": "replay",
        "NEWSBITE_CASSETTE": str(fixture_dir / CASSETTE),
    }
    return run_crawl(meta["spider"], meta.get("args") or {}, settings, out_path)
