"""News Corp Australia: one platform, thirteen mastheads (DESIGN §4).

The group holds the platform's knowledge: the story-id rule, topic pages, the listing parser
and the article parser generations (newest first). A masthead is one `Publisher` entry below
plus its line in vocab/credits.json (the names it is printed under) and its fixture.
"""

from __future__ import annotations

from newsbite.extract import newscorp_au as parsers
from newsbite.publishers.base import Group, Publisher, Sources

NEWSCORP_AU = Group(
    name="newscorp_au",
    articles=parsers.ARTICLE_PARSERS,
    listing=parsers.parse_listing,
    story_id=parsers.STORY_ID,
    topic_path=parsers.TOPIC_PATH,
    topic_url="https://www.{domain}/topics/{slug}",
    syndication_sections=parsers.SYNDICATION_SECTIONS,
)


def masthead(
    name: str,
    title: str,
    domain: str,
    timezone: str,
    *,
    topics: tuple[str, ...],
    rss: tuple[str, ...] = (),
    render: str | None = None,
) -> Publisher:
    """A News Corp title: the group's rules with the masthead's own domain, zone and sources."""
    return Publisher(
        name=name,
        title=title,
        domains=(domain,),
        group=NEWSCORP_AU,
        timezone=timezone,
        language="en",
        sources=Sources(topics=topics, rss=rss, sitemaps=(), default=("topics",)),
        render=render,
    )


# Queensland (Brisbane, Gold Coast, Townsville, Cairns) and the Northern Territory keep no
# daylight saving; Adelaide and Darwin are on half hours. Each title gets its own IANA zone.
PUBLISHERS = (
    masthead("theaustralian", "The Australian", "theaustralian.com.au", "Australia/Sydney",
             topics=("isis",), rss=("/feed",)),
    masthead("newscomau", "news.com.au", "news.com.au", "Australia/Sydney",
             topics=("politics",), rss=("/content-feeds/latest-news-national",)),
    masthead("dailytelegraph", "The Daily Telegraph", "dailytelegraph.com.au",
             "Australia/Sydney", topics=("nsw-politics",), rss=("/news/nsw/rss",)),
    masthead("heraldsun", "Herald Sun", "heraldsun.com.au", "Australia/Melbourne",
             topics=("victoria",), rss=("/news/victoria/rss",)),
    masthead("couriermail", "The Courier-Mail", "couriermail.com.au", "Australia/Brisbane",
             topics=("queensland",), rss=("/news/queensland/rss",)),
    masthead("adelaidenow", "The Advertiser", "adelaidenow.com.au", "Australia/Adelaide",
             topics=("south-australia",), rss=("/news/south-australia/rss",)),
    masthead("ntnews", "NT News", "ntnews.com.au", "Australia/Darwin",
             topics=("northern-territory",), rss=("/news/northern-territory/rss",)),
    masthead("themercury", "The Mercury", "themercury.com.au", "Australia/Hobart",
             topics=("tasmania",), rss=("/news/tasmania/rss",)),
    masthead("geelongadvertiser", "Geelong Advertiser", "geelongadvertiser.com.au",
             "Australia/Melbourne", topics=("geelong",), rss=("/news/geelong/rss",)),
    masthead("goldcoastbulletin", "Gold Coast Bulletin", "goldcoastbulletin.com.au",
             "Australia/Brisbane", topics=("gold-coast",), rss=("/news/gold-coast/rss",)),
    masthead("townsvillebulletin", "Townsville Bulletin", "townsvillebulletin.com.au",
             "Australia/Brisbane", topics=("townsville",), rss=("/news/townsville/rss",)),
    masthead("cairnspost", "The Cairns Post", "cairnspost.com.au", "Australia/Brisbane",
             topics=("cairns",), rss=("/news/cairns/rss",)),
    masthead("weeklytimesnow", "The Weekly Times", "weeklytimesnow.com.au",
             "Australia/Melbourne", topics=("agribusiness",), rss=("/news/rss",)),
)  # fmt: skip
