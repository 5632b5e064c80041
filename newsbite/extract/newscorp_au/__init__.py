"""The shared parser of the News Corp Australia titles, one module per markup generation.

Pure: (url, parsel.Selector) -> fields. Each generation (`gen2024`, `gen2020`, `gen2015`) has
its own selector table and says whether a page is its own (`matches`); a page is parsed by
exactly one generation, never a mix. `ARTICLE_PARSERS` lists them newest first for the
publisher group (newsbite.publishers.newscorp_au); `parse_listing` reads topic pages.
"""

from __future__ import annotations

import re

from parsel import Selector

from newsbite.extract.common import access_evidence, section_of
from newsbite.extract.newscorp_au.base import NAME, STORY_ID, Generation, story_id
from newsbite.extract.newscorp_au.gen2015 import NewsCorp2015
from newsbite.extract.newscorp_au.gen2020 import NewsCorp2020
from newsbite.extract.newscorp_au.gen2024 import NewsCorp2024
from newsbite.extract.newscorp_au.listing import parse_listing

__all__ = [
    "ARTICLE_PARSERS",
    "NAME",
    "STORY_ID",
    "SYNDICATION_SECTIONS",
    "TOPIC_PATH",
    "access_evidence",
    "generation_for",
    "parse_article",
    "parse_listing",
    "section_of",
    "story_id",
]

ARTICLE_PARSERS: tuple[Generation, ...] = (NewsCorp2024(), NewsCorp2020(), NewsCorp2015())

TOPIC_PATH = re.compile(r"^https?://[^/]+/topics/(?P<slug>[a-z0-9-]+)/?(?:[?#]|$)")

# URL sections where a title republishes a partner's journalism.
SYNDICATION_SECTIONS = {
    "/the-times/": "The Times",
    "/the-times-sport/": "The Times",
    "/wall-street-journal/": "The Wall Street Journal",
    "/the-economist/": "The Economist",
    "/the-telegraph/": "The Telegraph",
}


def generation_for(sel: Selector) -> Generation:
    """The first generation (newest first) whose markup the page has; else the newest."""
    return next((p for p in ARTICLE_PARSERS if p.matches(sel)), ARTICLE_PARSERS[0])


def parse_article(url: str, sel: Selector, *, timezone: str = "Australia/Sydney") -> dict:
    """Fields of one story page, read by its own generation (interim entry point: the
    publisher registry and process.extract_fields pick the generation themselves)."""
    return generation_for(sel).parse(url, sel, timezone=timezone)
