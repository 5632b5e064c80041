from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.utils.reactor import install_reactor

# The project runs on the asyncio reactor (scrapy-playwright needs it); crawlers built in
# tests check for it, so it is installed once, before anything imports the default one.
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SEED_URL = (
    "https://www.theaustralian.com.au/world/the-times/"
    "jihadists-irate-as-isis-leader-does-a-runner-in-the-desert/news-story/"
    "4df04eb09060ea88508cbb81762e88cf"
)


@pytest.fixture
def seed_html() -> str:
    return (FIXTURES / "theaustralian/isis-leader-does-a-runner/pages/story.html").read_text(
        "utf-8"
    )


class FixtureCrawls:
    """Replays of fixture folders, each run once per test session and shared by every test
    that asks (test_regression, test_expectations...). Crawls are subprocesses, so the ones a
    session will need are started together, a few at a time, rather than one after another."""

    def __init__(self, workers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fixture-crawl")
        self._runs: dict = {}

    def prefetch(self, fixture_dirs) -> None:
        from newsbite.fixtures import run_fixture_crawl

        for fixture_dir in fixture_dirs:
            key = Path(fixture_dir).resolve()
            if key not in self._runs:
                self._runs[key] = self._pool.submit(run_fixture_crawl, key)

    def __call__(self, fixture_dir):
        self.prefetch([fixture_dir])
        return self._runs[Path(fixture_dir).resolve()].result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


@pytest.fixture(scope="session")
def crawls(request):
    """`crawls(fixture_dir)` -> newsbite.fixtures.CrawlResult, one replay per folder per session.
    The folders that the session's collected tests take as `fixture_dir` are started at once."""
    import os

    runner = FixtureCrawls(workers=max(2, (os.cpu_count() or 2)))
    runner.prefetch(
        item.callspec.params["fixture_dir"]
        for item in request.session.items
        if "crawls" in getattr(item, "fixturenames", ())
        and "fixture_dir" in getattr(getattr(item, "callspec", None), "params", {})
    )
    yield runner
    runner.close()
