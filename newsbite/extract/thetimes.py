"""The Times and The Sunday Times (thetimes.com, formerly thetimes.co.uk): story and topic pages.

Pure: (url, parsel.Selector) -> fields, like every platform parser. One site prints two
editions; which one printed a story is read from the page (`span.Publication`, else the
`article:publication` meta the Times' front end writes), never from the domain, and returned as
`publication` -- on the Times' own site it is not a syndication credit.

The markup knowledge is data (`MARKUP`, `LISTING`): the 2018 generation of the Times' web
front end (newsuk/times-components), as described in DESIGN §4 and in the thetimes-2018 row of
shared/corpus/README.md: h1.Article-headline, a standfirst, bylines as author elements
(`.Byline-name--article`, linking /profile/<slug>) each followed by inline text such as
", Religious Affairs Correspondent", `time.Dateline` without a datetime attribute ("March 3
2019, 12:01am") beside `span.Publication`, `ul.Topics` links to /topic/<slug>, figures with a
caption and a separate credit, Livefyre comments, and a JSON-LD NewsArticle that always says
`isAccessibleForFree: false` with `hasPart.cssSelector` naming the paid-content element (the
front end hard-codes both, free stories included: the paywall stage weighs them against the
body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.common import access_evidence, canonical_url, hash_id
from newsbite.extract.dates import normalise_date
from newsbite.text import clean, first_attr, first_text, fold, node_text, safe_url

NAME = "thetimes"
# Malformed values are named into the page's list (newsbite.text.problem_counts makes them
# stats); the fields carry it as `problems` for the chain to count and log with the URL.
Problems = list[str] | None

# A story URL ends in <slug>-<short id>: /article/<slug>-<id> (thetimes.co.uk, and under
# section paths on thetimes.com: /world/middle-east/article/<slug>-<id>) or, for older edition
# links, /edition/<section>/<slug>-<id>. The short id is 9 lower-case letters and digits;
# links from before about 2016 carry 10 or 11 (…-7m0pv78bk2z), so both are read. Article UUIDs
# (/article/<uuid>) are not short ids: their last group has 12 hex digits and never matches.
STORY_ID = re.compile(
    r"/(?:article|edition/[a-z0-9-]+)/(?:[a-z0-9]+-)*(?P<id>[a-z0-9]{9,11})/?(?:[?#]|$)"
)
TOPIC_PATH = re.compile(r"^https?://[^/]+/topic/(?P<slug>[a-z0-9-]+)/?(?:[?#]|$)")

# Printed or coded forms of the two editions -> the name the item carries.
PUBLICATIONS = {
    "the times": "The Times",
    "times": "The Times",
    "the sunday times": "The Sunday Times",
    "sunday times": "The Sunday Times",
    "sundaytimes": "The Sunday Times",
}
# "…, 12:01am, The Sunday Times" when the edition is printed inside the dateline itself.
_TRAILING_PUBLICATION = re.compile(r"[\s,|]*\bthe\s+(?:sunday\s+)?times\s*$", re.I)
# What may sit between two authors in a byline, or before the first: "By", ",", "|", "and".
_BYLINE_GLUE = re.compile(r"^(?:\s|,|\||;|&|\band\b|\bby\b)+|(?:\s|,|\||;|&|\band\b)+$", re.I)
# URL path segments that are not sections (the story id lives under them).
_NOT_SECTIONS = frozenset({"article", "edition"})


@dataclass(frozen=True)
class Markup:
    """Selectors per field, tried in order."""

    marker: tuple[str, ...] = ("h1.Article-headline", ".Byline-name--article")  # a page is ours
    headline: tuple[str, ...] = ("h1.Article-headline", "article h1", "h1")
    standfirst: tuple[str, ...] = (".Article-standfirst", ".standfirst")
    byline: tuple[str, ...] = (".Article-byline", ".Byline")
    author: str = ".Byline-name--article"
    dateline: tuple[str, ...] = ("time.Dateline", ".Dateline")
    publication: tuple[str, ...] = ("span.Publication", ".Publication")
    publication_meta: tuple[str, ...] = ("meta[name='article:publication']::attr(content)",)
    author_meta: tuple[str, ...] = ("meta[name=author]::attr(content)",)
    og_title: tuple[str, ...] = ("meta[property='og:title']::attr(content)",)
    og_description: tuple[str, ...] = (
        "meta[property='og:description']::attr(content)",
        "meta[name=description]::attr(content)",
    )
    body_container: tuple[str, ...] = (".Article-content", ".Article-body", "article.Article")
    # Blocks read from the body container, in document order. Figures are images; comments,
    # topic lists, inline puffs, ads and pull quotes (a sentence of the story printed twice)
    # are page furniture, not the story.
    body_blocks: str = (
        # descendant::, not .//: libxml2 evaluates .//*[...] in time that grows with the
        # square of the page (hours on a 20 MB page), descendant::* linearly
        "descendant::*[self::p or self::h2 or self::h3 or self::li or self::blockquote[not(.//p)]]"
        "[not(ancestor-or-self::*[self::figure or self::aside or self::script or self::style"
        " or self::nav or self::form"
        " or contains(@class, 'Comments') or contains(@class, 'fyre')"
        " or contains(@class, 'Topics') or contains(@class, 'InlineAd')"
        " or contains(@class, 'RelatedArticle') or contains(@class, 'PullQuote')"
        " or contains(@class, 'sr-only')])]"
    )
    figures: str = "article figure, main figure"
    figure_image: tuple[str, ...] = ("img::attr(data-src)", "img::attr(src)")
    figure_caption: tuple[str, ...] = (".Media-captionText", "figcaption")
    figure_credit: tuple[str, ...] = (".Media-credit",)
    topics: str = "ul.Topics a[href*='/topic/']"
    language: tuple[str, ...] = ("html::attr(lang)",)
    # The paywall portal is always in the page; it holds a prompt only when the reader is
    # kept out, so an empty one is no evidence.
    paywall_markup: tuple[str, ...] = (
        "#paywall-portal-article-footer:not(:empty)",
        "[data-paywall]",
        ".subscribe-prompt",
    )


MARKUP = Markup()


class TimesArticle2018:
    """The Times' story pages of the times-components front end (2018 onwards)."""

    name = NAME
    generation = "2018"

    def __init__(self, markup: Markup = MARKUP) -> None:
        self.markup = markup

    def matches(self, sel: Selector) -> bool:
        return any(sel.css(css) for css in self.markup.marker)

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict[str, Any]:
        """Every field of one story page; an empty headline or body is left for validation."""
        m = self.markup
        problems: list[str] = []
        ld = jsonld.find_article(sel, problems=problems)
        canonical = canonical_url(url, sel, ld)
        headline = (
            first_text(sel, m.headline)
            or ld_text(ld, "headline", problems)
            or first_attr(sel, m.og_title)
        )
        standfirst = (
            first_text(sel, m.standfirst)
            or ld_text(ld, "description", problems)
            or first_attr(sel, m.og_description)
        )
        byline_raw, authors = self.bylines(sel, ld, problems)
        published, published_raw = self.published(sel, ld, timezone, problems)
        modified_raw = ld_text(ld, "dateModified", problems)
        return {
            "url": url,
            "canonical_url": canonical,
            "id": story_id(canonical) or story_id(url) or hash_id(canonical or url),
            "headline": headline,
            "standfirst": standfirst,
            "body": self.body(sel, standfirst),
            "byline_raw": byline_raw,
            "authors": authors,
            "published": published,
            "published_raw": published_raw,
            "modified": normalise_date(modified_raw, timezone, structured=True, problems=problems),
            "modified_raw": modified_raw,
            "publication": self.publication(sel, ld, problems),
            "section": section_of(canonical or url, ld),
            "breadcrumbs": jsonld.find_breadcrumbs(sel, problems=problems),
            "topics": self.topics(url, sel, ld, problems),
            "images": self.images(url, sel, ld, problems),
            "paywall": {
                "status": "unknown",
                "evidence": access_evidence(sel, ld, m.paywall_markup),
            },
            "language": first_attr(sel, m.language),
            "extractor": f"{self.name}/{self.generation}",
            "problems": problems,
        }

    # -- fields ------------------------------------------------------------------------------
    def bylines(
        self, sel: Selector, ld: dict, problems: Problems = None
    ) -> tuple[str | None, list[dict[str, str]]]:
        """(the byline as printed, its people). Each author element is a person and the inline
        text after it, up to the next author, is that person's role. A byline printed as
        inline text only takes its people from JSON-LD (name, jobTitle), else the author meta;
        the byline stage reads the printed line either way."""
        m = self.markup
        container = next((c for css in m.byline for c in sel.css(css)[:1]), None)
        if container is None:
            names = sel.css(m.author)
            container = names[0].xpath("..")[0] if names else None
        byline_raw = node_text(container) if container is not None else None
        authors = _authors_in(container, m.author) if container is not None else []
        meta = first_attr(sel, m.author_meta)
        authors = authors or _structured_authors(ld.get("author"), problems)
        if not authors and meta:
            authors = [{"name": meta, "raw": meta}]
        return (byline_raw or meta or None), authors

    def published(
        self, sel: Selector, ld: dict, timezone: str, problems: Problems = None
    ) -> tuple[str | None, str | None]:
        """(normalised, raw): JSON-LD datePublished (it carries its offset) when it is
        trustworthy, else the dateline's prose read in the publisher's time zone."""
        structured_raw = ld_text(ld, "datePublished", problems)
        if structured_raw:
            value = normalise_date(structured_raw, timezone, structured=True, problems=problems)
            if value is not None:
                return value, structured_raw
        printed = self.dateline(sel)
        if printed:
            return normalise_date(printed, timezone, problems=problems), printed
        return None, structured_raw

    def dateline(self, sel: Selector) -> str | None:
        """The dateline's prose date without the edition name printed beside it."""
        for css in self.markup.dateline:
            for node in sel.css(css):
                text = node_text(node)
                for pub in node.css(",".join(self.markup.publication)):
                    text = text.replace(node_text(pub), " ")
                text = clean(_TRAILING_PUBLICATION.sub("", text)).strip(" ,|")
                if text:
                    return text
        return None

    def publication(self, sel: Selector, ld: dict, problems: Problems = None) -> str | None:
        printed = first_text(sel, self.markup.publication)
        meta = first_attr(sel, self.markup.publication_meta)
        publisher = ld_text(ld, "publisher", problems)
        for candidate in (printed, meta, publisher):
            name = publication_name(candidate)
            if name:
                return name
        return None

    def body(self, sel: Selector, standfirst: str | None) -> list[str]:
        container = next((c for css in self.markup.body_container for c in sel.css(css)[:1]), None)
        if container is None:
            return []
        paragraphs: list[str] = []
        skip = fold(standfirst) if standfirst else None
        for block in container.xpath(self.markup.body_blocks):
            if block.xpath(".//p | .//li"):
                continue  # a <p> inside an <li> or <blockquote> is read once, at its innermost
            text = node_text(block)
            if text and fold(text) != skip:
                paragraphs.append(text)
        return paragraphs

    def topics(
        self, url: str, sel: Selector, ld: dict, problems: Problems = None
    ) -> list[dict[str, str]]:
        """Topic links in page order, once each (the page lists them above and below the
        story); then JSON-LD keywords, except the "Section:World" tiles the front end writes
        there, which are sections, not topics."""
        topics: list[dict[str, str]] = []
        seen: set[str] = set()
        for link in sel.css(self.markup.topics):
            name = node_text(link)
            href = safe_url(url, link.attrib.get("href"))
            if name and fold(name) not in seen:
                seen.add(fold(name))
                topics.append({"name": name, "url": href} if href else {"name": name})
        for keyword in jsonld.keywords(ld.get("keywords"), problems=problems):
            if not fold(keyword).startswith("section:") and fold(keyword) not in seen:
                seen.add(fold(keyword))
                topics.append({"name": keyword})
        return topics

    def images(
        self, url: str, sel: Selector, ld: dict, problems: Problems = None
    ) -> list[dict[str, str | None]]:
        images = []
        for figure in sel.css(self.markup.figures):
            src = safe_url(url, first_attr(figure, self.markup.figure_image))
            if not src:
                continue
            credit = first_text(figure, self.markup.figure_credit)
            caption = first_text(figure, self.markup.figure_caption)
            if caption and credit and caption.endswith(credit):
                caption = clean(caption[: -len(credit)]) or None  # a figcaption holding both
            images.append({"url": src, "caption": caption, "credit": credit})
        lead = safe_url(url, jsonld.image_url(ld.get("image"), problems=problems))
        if not images and lead:
            image = ld.get("image")
            caption = ld_text(image, "caption", problems) if isinstance(image, dict) else None
            images.append({"url": lead, "caption": caption, "credit": None})
        return images


ARTICLE_PARSERS = (TimesArticle2018(),)


def story_id(url: str | None) -> str | None:
    """The short id a Times story URL ends with, or None."""
    match = STORY_ID.search(url or "")
    return match.group("id") if match else None


def publication_name(printed: str | None) -> str | None:
    """The edition named by "The Sunday Times", "SUNDAYTIMES", "The Times"..., else None."""
    key = clean(printed).casefold().strip(" ,.")
    return PUBLICATIONS.get(key)


def section_of(url: str, ld: dict) -> str | None:
    """The first URL path segment (thetimes.com: /world/middle-east/article/...); thetimes.co.uk
    story URLs carry none (/article/...), so JSON-LD articleSection names it there."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) > 1 and segments[0].lower() not in _NOT_SECTIONS:
        return segments[0].lower()
    if len(segments) > 2 and segments[0].lower() == "edition":
        return segments[1].lower()
    section = jsonld.text_of(ld.get("articleSection"))  # a bad value only costs the section
    return re.sub(r"\s+", "-", section.lower()) if section else None


def _authors_in(container: Selector, author_css: str) -> list[dict[str, str]]:
    """Walk the byline's text in document order: an author element starts a person, the text
    after it (up to the next author element) is that person's role."""
    marked = {node.root for node in container.css(author_css)}
    people: list[tuple[str, list[str]]] = []

    def walk(element: Any, top: bool = False) -> None:
        if element in marked:
            people.append((clean("".join(element.itertext())), []))
        elif isinstance(element.tag, str) and element.tag not in {"script", "style"}:
            if element.text and people:
                people[-1][1].append(element.text)
            for child in element:
                walk(child)
        if not top and element.tail and people:
            people[-1][1].append(element.tail)

    walk(container.root, top=True)
    authors = []
    for name, after in people:
        if not name:
            continue
        role = _strip_glue("".join(after))
        # kind "byline": one person as the byline printed them, so the chain reads each
        # person on their own instead of re-splitting the whole printed line.
        author = {"name": name, "raw": f"{name}, {role}" if role else name, "kind": "byline"}
        if role:
            author["role"] = role
        authors.append(author)
    return authors


def _structured_authors(value: Any, problems: Problems = None) -> list[dict[str, str]]:
    """People of JSON-LD `author`, with `jobTitle` as the role; the front end's fallback
    author, the Organization "The Times", is no person."""
    authors = []
    for entry in value if isinstance(value, list) else [value]:
        if not isinstance(entry, dict) or entry.get("@type", "Person") != "Person":
            continue
        name, role = ld_text(entry, "name", problems), ld_text(entry, "jobTitle", problems)
        if not name:
            continue
        author = {"name": name, "raw": f"{name}, {role}" if role else name}
        if role:
            author["role"] = role
        authors.append(author)
    return authors


def ld_text(ld: dict, key: str, problems: Problems = None) -> str | None:
    """A JSON-LD field as text; a malformed value is named into problems as jsonld_bad_<key>."""
    return jsonld.text_of(ld.get(key), problems=problems, field=key)


def _strip_glue(text: str) -> str:
    return clean(_BYLINE_GLUE.sub("", clean(text)))


# --- topic pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListingMarkup:
    """Story cards of /topic/<slug> pages (the times-components article list)."""

    cards: tuple[str, ...] = ("[data-testid=article-list-item]", ".ArticleListItem")
    date: tuple[str, ...] = ("time::attr(datetime)", "[data-published]::attr(data-published)")
    next_page: tuple[str, ...] = (
        "a[data-testid=page-next]::attr(href)",
        "a[rel=next]::attr(href)",
        "link[rel=next]::attr(href)",
    )


LISTING = ListingMarkup()


def parse_listing(url: str, sel: Selector) -> dict[str, Any]:
    """Story links of a topic page (absolute, in page order, once each, without query or
    fragment), the date each card shows, and the next page. Only story-shaped links are
    taken: section, topic and profile links on the page are not stories."""
    stories: list[str] = []
    modified: dict[str, str] = {}
    cards = [card for css in LISTING.cards for card in sel.css(css)]
    for card in cards:
        link = next(
            (s for s in (_story_link(url, h) for h in card.css("a::attr(href)").getall()) if s),
            None,
        )
        if link is None:
            continue
        if link not in stories:
            stories.append(link)
        shown = first_attr(card, LISTING.date)
        if shown and link not in modified:
            modified[link] = shown
    if not cards:  # a card layout we have not described: any story link on the page
        for href in sel.css("a::attr(href)").getall():
            link = _story_link(url, href)
            if link and link not in stories:
                stories.append(link)
    return {
        "stories": stories,
        "modified": modified,
        "next_page": safe_url(url, first_attr(sel, LISTING.next_page)),
    }


def _story_link(page_url: str, href: str | None) -> str | None:
    """The absolute story URL without query string or fragment, or None for other links."""
    absolute = safe_url(page_url, href)
    if not absolute:
        return None
    parts = urlsplit(absolute)
    bare = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return bare if story_id(bare) else None
