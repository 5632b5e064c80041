"""The Times and The Sunday Times (News UK): one site, two editions (DESIGN §4).

Which edition printed a story is read from the page (`publication`), not from the domain.
"""

from __future__ import annotations

from newsbite.extract import thetimes as parsers
from newsbite.publishers.base import Group, Publisher, Sources

THETIMES_GROUP = Group(
    name="thetimes",
    articles=parsers.ARTICLE_PARSERS,
    listing=parsers.parse_listing,
    story_id=parsers.STORY_ID,
    topic_path=parsers.TOPIC_PATH,
    topic_url="https://www.{domain}/topic/{slug}",
)

THETIMES = Publisher(
    name="thetimes",
    title="The Times",
    # thetimes.com since 2024; thetimes.co.uk for older links, which still resolve
    domains=("thetimes.com", "thetimes.co.uk"),
    group=THETIMES_GROUP,
    timezone="Europe/London",
    language="en",
    sources=Sources(topics=("middle-east",), default=("topics",)),
)

PUBLISHERS = (THETIMES,)
