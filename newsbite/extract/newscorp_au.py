"""The shared parser of the News Corp Australia titles (The Australian, news.com.au, ...).

Pure: (url, parsel.Selector) -> fields. JSON-LD is read first for metadata, the markup
second; raw values are kept beside normalised ones. The markup knowledge is the
`MARKUP` table below: a new generation of the site's markup is new selectors, not new code.
Chrome lines inside the story body (comment prompts, topic lines) are left for the
strip_chrome pipeline, which serves every parser alike.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.dates import normalise_date
from newsbite.text import clean, first_attr, first_text, fold, node_text

NAME = "newscorp_au"
VERSION = 1
STORY_ID = re.compile(r"/news-story/(?P<id>[0-9a-f]{32})(?:[/?#]|$)")


@dataclass(frozen=True)
class Markup:
    """Selectors per field, tried in order: current generation first, older ones after."""

    headline: tuple[str, ...] = ("h1#story-headline", "article#story h1", "h1.story-headline", "h1")
    standfirst: tuple[str, ...] = ("#story-intro", ".story-intro", "p.standfirst", ".article-intro")
    byline: tuple[str, ...] = ("#story-byline", ".story-byline", ".byline", "cite.author")
    published: tuple[str, ...] = (
        "#publish-date::attr(title)",
        "time[datetime]::attr(datetime)",
        "li.date-and-time::attr(title)",
        "#publish-date::text",
    )
    body_container: tuple[str, ...] = (
        "#story-body",
        "#story-primary",
        "article#story .story-body",
        "div.story-body",
        "article#story",
    )
    # Blocks read from the body container, in document order; figures are images, not text.
    body_blocks: str = (
        ".//*[self::p or self::h2 or self::h3 or self::li or self::blockquote[not(.//p)]]"
        "[not(ancestor::figure or ancestor::aside or ancestor::script or ancestor::style"
        " or ancestor::nav or ancestor::*[contains(@class, 'sr-only')])]"
        "[not(contains(@class, 'sr-only'))]"
    )
    figures: str = "figure"
    figure_image: tuple[str, ...] = (
        "img::attr(data-src)",
        "img::attr(src)",
        "source::attr(srcset)",
    )
    figure_caption: tuple[str, ...] = ("figcaption", ".caption", ".story-image__caption")
    topics: str = ".story-topics a[href*='/topics/'], .related-topics a[href*='/topics/']"
    breadcrumbs: str = "nav.breadcrumbs li, .breadcrumbs li, ol.breadcrumb li"
    canonical: tuple[str, ...] = (
        "link[rel=canonical]::attr(href)",
        "meta[property='og:url']::attr(content)",
    )
    og_title: tuple[str, ...] = ("meta[property='og:title']::attr(content)",)
    og_description: tuple[str, ...] = (
        "meta[property='og:description']::attr(content)",
        "meta[name=description]::attr(content)",
    )
    modified: tuple[str, ...] = ("meta[property='article:modified_time']::attr(content)",)
    paywall_markup: tuple[str, ...] = (
        ".paywall-prompt",
        ".story-paywall-prompt",
        "#paywall",
        "[data-paywall]",
        ".subscribe-prompt",
    )
    language: tuple[str, ...] = (
        "html::attr(lang)",
        "meta[http-equiv='content-language']::attr(content)",
    )


MARKUP = Markup()


def parse_article(url: str, sel: Selector, *, timezone: str = "Australia/Sydney") -> dict:
    """Fields of one story page; an empty headline or body is left for validation to judge."""
    ld = jsonld.find_article(sel)
    canonical = _canonical(url, sel, ld)
    headline = (
        jsonld.text_of(ld.get("headline"))
        or first_text(sel, MARKUP.headline)
        or first_attr(sel, MARKUP.og_title)
    )
    standfirst = (
        first_text(sel, MARKUP.standfirst)
        or jsonld.text_of(ld.get("description"))
        or first_attr(sel, MARKUP.og_description)
    )
    published_raw = jsonld.text_of(ld.get("datePublished")) or first_attr(sel, MARKUP.published)
    modified_raw = jsonld.text_of(ld.get("dateModified")) or first_attr(sel, MARKUP.modified)
    return {
        "url": url,
        "canonical_url": canonical,
        "id": story_id(canonical or url),
        "headline": headline,
        "standfirst": standfirst,
        "body": _body(sel, standfirst),
        "byline_raw": first_text(sel, MARKUP.byline),
        "authors": [
            {"name": n, "raw": n, "kind": k} for n, k in jsonld.person_names(ld.get("author"))
        ],
        "published": normalise_date(published_raw, timezone),
        "published_raw": published_raw,
        "modified": normalise_date(modified_raw, timezone),
        "modified_raw": modified_raw,
        "section": section_of(canonical or url),
        "breadcrumbs": _breadcrumbs(sel),
        "topics": _topics(url, sel, ld),
        "images": _images(url, sel, ld),
        "paywall": {"status": "unknown", "evidence": access_evidence(sel, ld)},
        "language": first_attr(sel, MARKUP.language),
        "extractor": f"{NAME}/{VERSION}",
    }


def story_id(url: str) -> str:
    """The platform's 32-hex story id, else a stable hash of the URL."""
    match = STORY_ID.search(url)
    if match:
        return match.group("id")
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:32]


def section_of(url: str) -> str | None:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[0].lower() if segments else None


def _canonical(url: str, sel: Selector, ld: dict) -> str:
    main = ld.get("mainEntityOfPage")
    ld_url = main.get("@id") if isinstance(main, dict) else main if isinstance(main, str) else None
    found = first_attr(sel, MARKUP.canonical) or clean(ld_url) or clean(ld.get("url") or "")
    return urljoin(url, found) if found else url


def _body(sel: Selector, standfirst: str | None) -> list[str]:
    container = next((c for css in MARKUP.body_container for c in sel.css(css)[:1]), None)
    if container is None:
        return []
    paragraphs: list[str] = []
    skip = fold(standfirst) if standfirst else None
    for block in container.xpath(MARKUP.body_blocks):
        # A <p> inside an <li> or <blockquote> is read once, at its innermost block.
        if block.xpath(".//p | .//li"):
            continue
        text = node_text(block)
        if text and fold(text) != skip:
            paragraphs.append(text)
    return paragraphs


def _breadcrumbs(sel: Selector) -> list[str]:
    printed = [node_text(li) for li in sel.css(MARKUP.breadcrumbs)]
    return [p for p in printed if p] or jsonld.find_breadcrumbs(sel)


def _topics(url: str, sel: Selector, ld: dict) -> list[dict]:
    """Related-topic links first, in page order; then JSON-LD keywords not already there."""
    topics: list[dict] = []
    seen: set[str] = set()
    for link in sel.css(MARKUP.topics):
        name = node_text(link)
        href = link.attrib.get("href")
        if name and fold(name) not in seen:
            seen.add(fold(name))
            topics.append({"name": name, "url": urljoin(url, href) if href else None})
    for keyword in jsonld.keywords(ld.get("keywords")):
        if fold(keyword) not in seen:
            seen.add(fold(keyword))
            topics.append({"name": keyword})
    return [{k: v for k, v in t.items() if v is not None} for t in topics]


def _images(url: str, sel: Selector, ld: dict) -> list[dict]:
    images = []
    for figure in sel.css(MARKUP.figures):
        src = first_attr(figure, MARKUP.figure_image)
        if not src:
            continue
        caption = first_text(figure, MARKUP.figure_caption)
        images.append({"url": urljoin(url, src.split()[0]), "caption": caption, "credit": None})
    lead = jsonld.image_url(ld.get("image"))
    if not images and lead:
        images.append({"url": urljoin(url, lead), "caption": None, "credit": None})
    return images


def access_evidence(sel: Selector, ld: dict) -> list[str]:
    """What the page declares about access, as evidence; the paywall stage weighs it."""
    evidence = []
    free = jsonld.as_bool(ld.get("isAccessibleForFree"))
    if free is not None:
        evidence.append(f"jsonld:isAccessibleForFree={str(free).lower()}")
    parts = ld.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if (
            isinstance(part, dict)
            and part.get("cssSelector")
            and jsonld.as_bool(part.get("isAccessibleForFree")) is False
        ):
            evidence.append(f"jsonld:hasPart:{part['cssSelector']}")
    for css in MARKUP.paywall_markup:
        if sel.css(css):
            evidence.append(f"markup:{css}")
    return evidence


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


# --- interim: the lead's registry reads these; the versioned package replaces this module ---
TOPIC_PATH = re.compile(r"^https?://[^/]+/topics/(?P<slug>[a-z0-9-]+)/?(?:[?#]|$)")
SYNDICATION_SECTIONS = {
    "/the-times/": "The Times",
    "/the-times-sport/": "The Times",
    "/wall-street-journal/": "The Wall Street Journal",
    "/the-economist/": "The Economist",
    "/the-telegraph/": "The Telegraph",
}


class _Current:
    name = NAME
    generation = "2024"

    def matches(self, sel: Selector) -> bool:
        return True

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict:
        return parse_article(url, sel, timezone=timezone)


ARTICLE_PARSERS = (_Current(),)
