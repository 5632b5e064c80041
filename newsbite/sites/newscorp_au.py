"""News Corp Australia: one platform, many mastheads (DESIGN §4).

Every title shares the story URL shape, the topic pages and the story markup, so a
title is one `newscorp_title(...)` call; differences stay in data.
"""

from __future__ import annotations

import re

from newsbite.sites.base import SiteProfile

STORY_URL = re.compile(r"/news-story/(?P<id>[0-9a-f]{32})(?:[/?#]|$)")
TOPIC_PATH = re.compile(r"^https?://[^/]+/topics/(?P<slug>[a-z0-9-]+)/?(?:[?#]|$)")

# URL sections where a title republishes a partner's journalism.
SYNDICATION_SECTIONS = {
    "/the-times/": "The Times",
    "/the-times-sport/": "The Times",
    "/wall-street-journal/": "The Wall Street Journal",
    "/the-economist/": "The Economist",
    "/the-telegraph/": "The Telegraph",
}


def newscorp_title(
    name: str, domain: str, default_topics: tuple[str, ...] = (), render: str | None = None
) -> SiteProfile:
    return SiteProfile(
        name=name,
        domains=(domain,),
        platform="newscorp_au",
        topic_url=f"https://www.{domain}/topics/{{slug}}",
        default_topics=default_topics,
        story_url=STORY_URL,
        topic_path=TOPIC_PATH,
        timezone="Australia/Sydney",
        language="en",
        syndication_sections=SYNDICATION_SECTIONS,
        render=render,
    )
