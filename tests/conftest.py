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
