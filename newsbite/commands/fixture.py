"""`scrapy fixture record|build|update|check`: the only way cassettes and goldens change.

Every crawl runs in a subprocess (newsbite.fixtures.run_crawl): Twisted's reactor cannot be
restarted, and one command may replay many fixtures.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from newsbite import fixtures as fx
from newsbite.middlewares.cassette import STAT_MISS

ACTIONS = ("record", "build", "update", "check")
SHOWN_DIFF_LINES = 30
# A fixture's items are judged by its expected.json (a bot-wall fixture expects none), not by
# the no_items exit status of a crawl.
JUDGED_BY_EXPECTED = {"NEWSBITE_EXPECT_ITEMS": False}


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # crawls happen in subprocesses
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return (
            "record <dir> --spider NAME -a urls=... | build <dir>... | update|check <dir>...|--all"
        )

    def short_desc(self) -> str:
        return "Record, build, update or check replay fixtures (cassette + expected.json)"

    def long_desc(self) -> str:
        return (
            "record: crawl live in record mode into <dir>/cassette.yaml, write meta.json, "
            "then regenerate expected.json by replaying.\n"
            "build: build a synthetic cassette from <dir>/pages/pages.json, then regenerate "
            "expected.json.\n"
            "update: replay and rewrite expected.json, printing what changed.\n"
            "check: replay and compare with expected.json; exit 1 on any difference or miss."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--spider", help="spider to record with (default: meta.json)")
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument for record (may be repeated)",
        )
        parser.add_argument("--all", action="store_true", help="every fixture with a meta.json")
        parser.add_argument(
            "--allow-misses",
            action="store_true",
            help="update/build: write expected.json even if the replay missed the cassette",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args or args[0] not in ACTIONS:
            raise UsageError(f"first argument must be one of: {', '.join(ACTIONS)}")
        action, dirs = args[0], [Path(d).resolve() for d in args[1:]]
        if opts.all:
            if action == "record":
                raise UsageError("record takes one fixture folder, not --all")
            root = self.settings.get("NEWSBITE_FIXTURES_DIR") if self.settings else ""
            dirs = fx.iter_fixture_dirs(root or None)
        if not dirs:
            raise UsageError("no fixture folder given (or --all found none)")
        ok = True
        if action == "record":
            if len(dirs) != 1:
                raise UsageError("record takes exactly one fixture folder")
            ok = self.record(dirs[0], opts)
        else:
            for d in dirs:
                if action == "build":
                    ok &= self.build(d, opts.allow_misses)
                elif action == "update":
                    ok &= self.update(d, opts.allow_misses)
                else:
                    ok &= self.check(d)
        self.exitcode = 0 if ok else 1

    # actions -------------------------------------------------------------------------------

    def record(self, fixture_dir: Path, opts: argparse.Namespace) -> bool:
        meta: dict[str, Any] = fx.load_meta(fixture_dir)
        spider = opts.spider or meta.get("spider")
        if not spider:
            raise UsageError("record needs --spider (or a meta.json naming one)")
        spargs = arglist_to_dict(opts.spargs) or meta.get("args") or {}
        urls = str(spargs.get("urls", "")).replace(",", " ").split()
        foreign = self.foreign_urls(spider, urls)
        if foreign:
            # The crawl would drop them as offsite, record nothing and still "succeed".
            raise UsageError(
                f"{', '.join(foreign)}: not on {spider}'s domains "
                f"({', '.join(self.spider_domains(spider))}); record it with the spider of "
                "its site, or with `--spider news`"
            )
        # -s settings are kept in meta.json so that replays run the crawl the same way.
        settings = {**(meta.get("settings") or {}), **arglist_to_dict(opts.set)}
        fixture_dir.mkdir(parents=True, exist_ok=True)
        cassette = fixture_dir / fx.CASSETTE
        result = fx.run_crawl(
            spider,
            spargs,
            {**settings, "NEWSBITE_CASSETTE_MODE": "record", "NEWSBITE_CASSETTE": str(cassette)},
        )
        if result.returncode != 0 or not cassette.is_file():
            print(result.log[-3000:])
            print(f"FAIL record {fixture_dir}: crawl exited {result.returncode}")
            return False
        recorded = count_interactions(cassette)
        if not recorded:
            print(result.log[-3000:])
            print(f"FAIL record {fixture_dir}: the crawl recorded no response")
            return False
        meta.update(
            spider=spider,
            args=spargs,
            settings=settings,
            recorded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            synthetic=bool(meta.get("synthetic", False)),
        )
        meta["urls"] = urls or sorted(str(i.get("url")) for i in result.items)
        fx.write_meta(fixture_dir, meta)
        print(f"recorded {fixture_dir / fx.CASSETTE} ({len(result.items)} items live)")
        return self.update(fixture_dir, allow_misses=False)

    def spider_domains(self, spider: str) -> tuple[str, ...]:
        """The publisher's domains (the spider class's allowed_domains for a spider with no
        publisher entry); empty for a spider that crawls any site (`news`)."""
        try:
            from newsbite import publishers

            return tuple(publishers.get(spider).domains)
        except (ImportError, KeyError):
            pass
        from scrapy.spiderloader import get_spider_loader

        try:
            spidercls = get_spider_loader(self.settings).load(spider)
        except KeyError:
            raise UsageError(f"no spider called {spider!r}") from None
        return tuple(getattr(spidercls, "allowed_domains", None) or ())

    def foreign_urls(self, spider: str, urls: list[str]) -> list[str]:
        domains = self.spider_domains(spider)
        if not domains:
            return []
        try:
            from newsbite import publishers

            owns = publishers.get(spider).owns
        except (ImportError, KeyError):
            return [url for url in urls if not _on_domains(url, domains)]
        return [url for url in urls if not owns(url)]

    def build(self, fixture_dir: Path, allow_misses: bool) -> bool:
        if not fx.load_meta(fixture_dir).get("spider"):
            print(f"FAIL build {fixture_dir}: meta.json must name the spider")
            return False
        path = fx.build_synthetic_cassette(fixture_dir)
        print(f"built {path}")
        return self.update(fixture_dir, allow_misses)

    def update(self, fixture_dir: Path, allow_misses: bool) -> bool:
        result = fx.run_fixture_crawl(fixture_dir, extra_settings=JUDGED_BY_EXPECTED)
        if result.returncode != 0 or (result.misses and not allow_misses):
            self._report_failure("update", fixture_dir, result)
            print("  expected.json left unchanged")
            return False
        old = fx.load_expected(fixture_dir) if (fixture_dir / fx.EXPECTED).is_file() else []
        fx.write_expected(fixture_dir, result.items)
        changes = fx.diff_items(old, result.items)
        print(
            f"updated {fixture_dir / fx.EXPECTED}: {len(result.items)} items, "
            f"{len(changes)} change(s)"
        )
        self._print_lines(changes)
        return True

    def check(self, fixture_dir: Path) -> bool:
        if not (fixture_dir / fx.EXPECTED).is_file():
            print(f"FAIL {fixture_dir}: no {fx.EXPECTED} (run `scrapy fixture update`)")
            return False
        result = fx.run_fixture_crawl(fixture_dir, extra_settings=JUDGED_BY_EXPECTED)
        if result.returncode != 0 or result.misses:
            self._report_failure("check", fixture_dir, result)
            return False
        diffs = fx.diff_items(fx.load_expected(fixture_dir), result.items)
        if diffs:
            print(f"FAIL {fixture_dir}: {len(diffs)} difference(s)")
            self._print_lines(diffs)
            return False
        print(f"ok   {fixture_dir} ({len(result.items)} items)")
        return True

    # output --------------------------------------------------------------------------------

    @staticmethod
    def _report_failure(action: str, fixture_dir: Path, result: fx.CrawlResult) -> None:
        # The stats name the first misses only (MAX_MISSED_URLS_KEPT) but count them all.
        count = max(int(result.stats.get(STAT_MISS) or 0), len(result.misses))
        print(f"FAIL {action} {fixture_dir}: exit {result.returncode}, {count} cassette miss(es)")
        for url in result.misses:
            print(f"  cassette miss: {url}")
        if count > len(result.misses):
            print(f"  ... and {count - len(result.misses)} more (in the crawl log)")
        if result.returncode != 0:
            print(result.log[-3000:])

    @staticmethod
    def _print_lines(lines: list[str]) -> None:
        for line in lines[:SHOWN_DIFF_LINES]:
            print(f"  {line}")
        if len(lines) > SHOWN_DIFF_LINES:
            print(f"  ... and {len(lines) - SHOWN_DIFF_LINES} more")


def _on_domains(url: str, domains: tuple[str, ...]) -> bool:
    """Publisher.owns's rule (the domain or a subdomain of it), for any list of domains."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def count_interactions(cassette: Path) -> int:
    """How many responses a recorded cassette holds (vcrpy YAML: a list under interactions)."""
    try:
        data = yaml.safe_load(cassette.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return 0
    return len(data.get("interactions") or [])
