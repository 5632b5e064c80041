"""Topic and section pages of the News Corp AU titles: story links, card dates, next page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from newsbite.text import clean, first_attr


@dataclass(frozen=True)
class Card:
    """One generation of story cards: the card, its link, and the date it shows (if any)."""

    card: str
    link: str
    modified: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListingMarkup:
    """Story cards of topic and section pages, newest generation first."""

    cards: tuple[Card, ...] = (
        Card("article.storyblock", "h4.storyblock_title a::attr(href)",
             ("time::attr(datetime)", ".storyblock_timestamp::attr(title)")),
        Card(".story-block", "h3.story-block__heading a::attr(href)",
             (".story-block__timestamp::attr(title)", "time::attr(datetime)")),
    )  # fmt: skip
    # Last resort for a generation we have not described: any story link, no dates.
    any_story_link: str = "a[href*='/news-story/']::attr(href)"
    next_page: tuple[str, ...] = (
        "a[rel=next]::attr(href)",
        "link[rel=next]::attr(href)",
        "a.pagination_next::attr(href)",
        ".pagination a.next::attr(href)",
    )


LISTING = ListingMarkup()


def parse_listing(url: str, sel: Selector) -> dict:
    """Story links (absolute, in page order, once each), the date each card shows, and the next
    page. The dates let a scheduled run skip unchanged stories without downloading them."""
    stories: list[str] = []
    modified: dict[str, str] = {}
    for generation in LISTING.cards:
        for card in sel.css(generation.card):
            href = clean(card.css(generation.link).get())
            if not href:
                continue
            link = urljoin(url, href)
            if link not in stories:
                stories.append(link)
            shown = first_attr(card, generation.modified)
            if shown and link not in modified:
                modified[link] = shown
        if stories:
            break  # the first generation that matches is the page's own
    if not stories:
        for href in sel.css(LISTING.any_story_link).getall():
            link = urljoin(url, clean(href))
            if link not in stories:
                stories.append(link)
    next_page = first_attr(sel, LISTING.next_page)
    return {
        "stories": stories,
        "modified": modified,
        "next_page": urljoin(url, next_page) if next_page else None,
    }
