"""What the News Corp AU markup generations share: the selector-table shape and the readers.

A generation is a `Markup` table (its own selectors, nothing inherited from another
generation) plus a `parse` that decides which source wins for each field. The readers here
only ever query the table they are given, so one page is read with one generation's
selectors alone (tests/test_generations.py records every query to prove it).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, fields

from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.common import hash_id
from newsbite.extract.dates import normalise_date
from newsbite.text import first_attr, first_text, fold, node_text, safe_url

NAME = "newscorp_au"
# The platform's 32-hex story id. The item id is decided by the publisher entry (`id_for`);
# parsers still fill `id` with the same rule until every caller has moved over.
# One story-id rule for every generation's URLs: /news-story/<32 hex> (2019 on), video pages
# /video/<32 hex>, and the 2010s' /story-<section code>-<13-digit id>.
STORY_ID = re.compile(
    r"/(?:news-story/|video/|story-[a-z0-9]{6,10}-)(?P<id>[0-9a-f]{32}|\d{10,13})(?:[/?#]|$)"
)

# dates.normalise_date gains `structured=True` (JSON-LD values, stricter); older trees lack it.
_STRUCTURED = "structured" in inspect.signature(normalise_date).parameters
# Malformed values are named into the page's list (newsbite.text.problem_counts makes them
# stats); the fields carry the list as `problems` for the chain to count and log with the URL.
Problems = list[str] | None


@dataclass(frozen=True)
class Markup:
    """One generation's selectors per field, tried in order; an empty tuple: it has none."""

    marker: str  # CSS whose presence says a page is of this generation (checked cheaply)
    headline: tuple[str, ...] = ()
    standfirst: tuple[str, ...] = ()
    byline: tuple[str, ...] = ()
    authors_meta: tuple[str, ...] = ()  # author names in <meta>, where there is no JSON-LD
    published: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    body_container: tuple[str, ...] = ()
    body_blocks: str = ""  # XPath from the container: the blocks that are paragraphs
    figures: str = ""
    figure_image: tuple[str, ...] = ()
    figure_caption: tuple[str, ...] = ()
    figure_credit: tuple[str, ...] = ()  # a credit printed apart from its caption
    lead_image: tuple[str, ...] = ()  # the lead image in <meta>, when figures give none
    video: tuple[str, ...] = ()  # a video player: the page is a video, not a text story
    topics: str = ""
    breadcrumbs: str = ""
    canonical: tuple[str, ...] = ()
    og_title: tuple[str, ...] = ()
    og_description: tuple[str, ...] = ()
    paywall_markup: tuple[str, ...] = ()
    language: tuple[str, ...] = ()

    def queries(self) -> frozenset[str]:
        """Every selector string of the table (what a page of this generation may be asked)."""
        found: set[str] = set()
        for f in fields(self):
            value = getattr(self, f.name)
            found.update([value] if isinstance(value, str) else value)
        return frozenset(q for q in found if q)


class Generation:
    """Base of the ArticleParser classes (newsbite.publishers.base.ArticleParser)."""

    name = NAME
    generation = ""
    markup: Markup

    @property
    def extractor(self) -> str:
        return f"{self.name}/{self.generation}"

    def matches(self, sel: Selector) -> bool:
        return bool(sel.css(self.markup.marker))

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.extractor}>"


def story_id(url: str) -> str:
    """The platform's 32-hex story id, else a stable hash of the URL."""
    match = STORY_ID.search(url)
    return match.group("id") if match else hash_id(url)


def ld_text(ld: dict, key: str, problems: Problems = None) -> str | None:
    """A JSON-LD field as text; a malformed value is named into problems as jsonld_bad_<key>."""
    return jsonld.text_of(ld.get(key), problems=problems, field=key)


def structured_date(raw: str | None, timezone: str, problems: Problems = None) -> str | None:
    """A JSON-LD date, read strictly where dates.py offers it (None: do not trust it)."""
    if _STRUCTURED:
        return normalise_date(raw, timezone, structured=True, problems=problems)
    return normalise_date(raw, timezone)


def markup_date(raw: str | None, timezone: str, problems: Problems = None) -> str | None:
    if _STRUCTURED:
        return normalise_date(raw, timezone, problems=problems)
    return normalise_date(raw, timezone)


def dated(
    structured_raw: str | None,
    markup_raw: str | None,
    timezone: str,
    problems: Problems = None,
) -> tuple[str | None, str | None]:
    """(normalised, raw): the structured date when it is trustworthy, else the markup's."""
    if structured_raw:
        value = structured_date(structured_raw, timezone, problems)
        if value is not None or not markup_raw:
            return value, structured_raw
    return markup_date(markup_raw, timezone, problems), markup_raw


def body(sel: Selector, markup: Markup, standfirst: str | None) -> list[str]:
    """Paragraphs of the first body container, in order; the standfirst is never repeated."""
    container = next((c for css in markup.body_container for c in sel.css(css)[:1]), None)
    if container is None:
        return []
    paragraphs: list[str] = []
    skip = fold(standfirst) if standfirst else None
    for block in container.xpath(markup.body_blocks):
        # A <p> inside an <li> or <blockquote> is read once, at its innermost block.
        if block.xpath(".//p | .//li"):
            continue
        text = node_text(block)
        if text and fold(text) != skip:
            paragraphs.append(text)
    return paragraphs


def breadcrumbs(
    sel: Selector, markup: Markup, *, structured: bool, problems: Problems = None
) -> list[str]:
    printed = [node_text(li) for li in sel.css(markup.breadcrumbs)] if markup.breadcrumbs else []
    printed = [p for p in printed if p]
    return printed or (jsonld.find_breadcrumbs(sel, problems=problems) if structured else [])


def topics(
    url: str, sel: Selector, markup: Markup, ld: dict, problems: Problems = None
) -> list[dict]:
    """Related-topic links first, in page order; then JSON-LD keywords not already there."""
    found: list[dict] = []
    seen: set[str] = set()
    for link in sel.css(markup.topics) if markup.topics else []:
        name = node_text(link)
        href = link.attrib.get("href")
        if name and fold(name) not in seen:
            seen.add(fold(name))
            found.append({"name": name, "url": safe_url(url, href)})
    for keyword in jsonld.keywords(ld.get("keywords"), problems=problems):
        if fold(keyword) not in seen:
            seen.add(fold(keyword))
            found.append({"name": keyword})
    return [{k: v for k, v in t.items() if v is not None} for t in found]


def images(url: str, sel: Selector, markup: Markup, lead: str | None) -> list[dict]:
    """Figures with their raw caption (the caption stage splits "Picture: X"); else the lead."""
    out = []
    for figure in sel.css(markup.figures) if markup.figures else []:
        src = first_attr(figure, markup.figure_image)
        # javascript:, data: and other non-http sources are not images a reader can fetch
        src = safe_url(url, src.split()[0]) if src else None
        if not src:
            continue
        out.append(
            {
                "url": src,
                "caption": first_text(figure, markup.figure_caption),
                "credit": first_text(figure, markup.figure_credit),
            }
        )
    lead = safe_url(url, lead) if lead else None
    if not out and lead:
        out.append({"url": lead, "caption": None, "credit": None})
    return out
