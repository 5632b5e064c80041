"""The generic extractor: the fallback for layouts no platform parser knows (DESIGN §1, §9).

Pure: (url, parsel.Selector) -> fields, like the platform parsers; `extract_body(html)` is the
body alone, for benchmarks and callers without a Selector. The body is trafilatura's main-text
extraction (standard settings: its own readability/jusText fallbacks, tables kept, comments
dropped), then three steps chosen by measurement on the development set (see
benchmarks/eval_generic.py), each general rather than tuned to a site:

1. Boilerplate lines are dropped as whole paragraphs: the project's chrome vocabulary
   (vocab/chrome.json, the same matcher as the strip_chrome pipeline) and the multilingual
   `BOILERPLATE` table (vocab/generic_boilerplate.json): "related content" labels alone
   ("Read more", "Lesen Sie auch:", "Notas relacionadas") or leading a teaser link
   ("Lea también: <headline>"), the short run of teaser headlines under such a label, and
   picture credit / copyright lines ("Foto: dpa", "(c) 2020 ...").
2. When the page's JSON-LD article carries an `articleBody` that is clearly the article (at
   least `LD_COVERAGE` of the extracted text), short extracted lines that the publisher's own
   article text does not contain are dropped: captions, teasers and widget lines are short and
   absent from articleBody; story paragraphs are in it.
3. When the extraction is too short (`MIN_BODY_CHARS`), trafilatura with favor_recall and the
   JSON-LD articleBody are tried, and the longer text wins.

Metadata comes from JSON-LD first (newsbite.extract.jsonld), then trafilatura's metadata
(which reads Open Graph, meta tags and the markup). Bad input (empty, binary junk, HTML cut off
before any text) gives an empty body and a page cut off mid-story what was received: never an
exception.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urljoin

import lxml.html
from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.dates import normalise_date
from newsbite.extract.newscorp_au import access_evidence, section_of, story_id
from newsbite.normalise.chrome import ChromeMatcher
from newsbite.text import clean, first_attr, fold
from newsbite.vocab import load_vocab

NAME = "generic"
VERSION = 1
LOGGER = logging.getLogger(__name__)

# trafilatura's benchmark settings (the "standard" run of its evaluation): with its fallbacks.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
    "favor_precision": False,
    "favor_recall": False,
}
MIN_BODY_CHARS = 200  # below this the extraction probably missed the story: try the fallbacks
LD_COVERAGE = 0.7  # articleBody at least this share of the extracted text: "clearly the article"
LD_SHORT_LINE = 100  # only lines up to this length are checked against articleBody
TEASER_RUN_LINE = 60  # teaser headlines under a "related" label are at most this long


@dataclass(frozen=True)
class Boilerplate:
    """Multilingual page-furniture vocabulary, matched against whole paragraphs only."""

    teaser_labels: tuple[str, ...]
    credit_labels: tuple[str, ...]
    credit_max: int = 150  # a credit line is its label and at most this many characters
    teaser_max: int = 200  # longest teaser headline after a label and separator

    @classmethod
    def from_vocab(cls, vocab: dict[str, Any]) -> Boilerplate:
        return cls(
            teaser_labels=tuple(vocab["teaser_labels"]),
            credit_labels=tuple(vocab["credit_labels"]),
            credit_max=int(vocab.get("credit_max", cls.credit_max)),
            teaser_max=int(vocab.get("teaser_max", cls.teaser_max)),
        )

    @property
    def _labels(self) -> str:
        escaped = (re.escape(label).replace(r"\ ", r"\s+") for label in self.teaser_labels)
        return "|".join(sorted(escaped, key=len, reverse=True))

    def heading(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{self._labels})\s*[:.?!…»>]*", re.I)

    def teaser(self) -> re.Pattern[str]:
        return re.compile(
            rf"(?:>>|»|►|▶)?\s*(?:{self._labels})\s*(?::|>>|»|\|)\s*\S.{{0,{self.teaser_max}}}",
            re.I | re.S,
        )

    def credit(self) -> re.Pattern[str]:
        return re.compile(
            rf"(?:{'|'.join(self.credit_labels)}).{{0,{self.credit_max}}}", re.I | re.S
        )


BOILERPLATE = Boilerplate.from_vocab(load_vocab("generic_boilerplate"))


@dataclass(frozen=True)
class _Matchers:
    chrome: ChromeMatcher
    heading: re.Pattern[str]
    teaser: re.Pattern[str]
    credit: re.Pattern[str]


@cache
def _matchers() -> _Matchers:
    return _Matchers(
        ChromeMatcher.default(),
        BOILERPLATE.heading(),
        BOILERPLATE.teaser(),
        BOILERPLATE.credit(),
    )


# ---------------------------------------------------------------------------------------------
# Body


def extract_body(html: str | bytes, url: str | None = None) -> list[str]:
    """The story's paragraphs from a whole HTML page; [] when the page holds no readable text."""
    try:
        tree = _load(html)
        if tree is None:
            return []
        ld = jsonld.find_article(Selector(root=tree, type="html"))
        document = _trafilatura(tree, url, with_metadata=False)
        return _body(tree, url, document, ld)
    except Exception:  # a fallback extractor must not take the crawl down with one bad page
        LOGGER.warning("generic extraction failed: %s", url, exc_info=True)
        return []


def _load(html: str | bytes) -> lxml.html.HtmlElement | None:
    if not html or not isinstance(html, (str, bytes)):
        return None
    from trafilatura.utils import load_html

    tree = load_html(html)
    return tree if isinstance(tree, lxml.html.HtmlElement) else None


def _trafilatura(tree: Any, url: str | None, *, with_metadata: bool, **overrides: Any) -> Any:
    """trafilatura's Document (None when it finds nothing); the tree is copied, not changed."""
    from trafilatura import bare_extraction

    options = {**TRAFILATURA_OPTIONS, **overrides}
    return bare_extraction(
        tree, url=url, with_metadata=with_metadata, output_format="python", **options
    )


def _lines(text: str | None) -> list[str]:
    return [line for line in (clean(raw) for raw in (text or "").split("\n")) if line]


def _body(tree: Any, url: str | None, document: Any, ld: dict) -> list[str]:
    paragraphs = _lines(getattr(document, "text", None))
    ld_text = article_body(ld)
    if len("".join(paragraphs)) < MIN_BODY_CHARS:
        paragraphs = _fallback(tree, url, paragraphs, ld_text)
    elif ld_text and len(paragraphs) == 1 and _key(paragraphs[0]) == _key(ld_text):
        # trafilatura's last resort read articleBody as one run-on paragraph: keep its lines
        paragraphs = _lines(ld_text)
    paragraphs = strip_boilerplate(paragraphs)
    if ld_text:
        paragraphs = _keep_in_article_body(paragraphs, ld_text)
    return paragraphs


def _fallback(tree: Any, url: str | None, paragraphs: list[str], ld_text: str | None) -> list[str]:
    """The longest of: what we have, trafilatura favouring recall, the JSON-LD articleBody."""
    # On a tie the earlier wins: articleBody keeps its line breaks, where trafilatura's own
    # last resort (which reads articleBody too) gives one run-on paragraph.
    candidates = [paragraphs, _lines(ld_text)]
    recall = _trafilatura(tree, url, with_metadata=False, favor_recall=True)
    candidates.append(_lines(getattr(recall, "text", None)))
    return max(candidates, key=lambda c: len(_key("".join(c))))


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Drop whole-paragraph chrome, teaser labels with their run of headlines, credit lines."""
    match = _matchers()
    kept: list[str] = []
    in_teasers = False
    for paragraph in paragraphs:
        if match.heading.fullmatch(paragraph):
            in_teasers = True  # the label of a teaser block: its short headlines follow
            continue
        if in_teasers and _is_headline(paragraph):
            continue
        in_teasers = False
        if (
            match.chrome.is_chrome(paragraph)
            or match.teaser.fullmatch(paragraph)
            or match.credit.fullmatch(paragraph)
        ):
            continue
        kept.append(paragraph)
    return kept


def _is_headline(paragraph: str) -> bool:
    """A teaser headline: short, and not ending like a sentence or a clause."""
    return len(paragraph) <= TEASER_RUN_LINE and not re.search(r"[.!?:;,]\W*$", paragraph)


_NON_WORD = re.compile(r"\W+")


def _key(text: str) -> str:
    return _NON_WORD.sub("", text).casefold()


def _keep_in_article_body(paragraphs: list[str], ld_text: str) -> list[str]:
    """With an articleBody that covers the extraction, drop short lines it does not contain."""
    ld_key = _key(ld_text)
    if len(ld_key) < LD_COVERAGE * len(_key("".join(paragraphs))):
        return paragraphs  # a teaser or a truncated articleBody: it cannot judge the lines
    return [p for p in paragraphs if len(p) > LD_SHORT_LINE or _key(p) in ld_key]


_MARKUP = re.compile(r"<(?:p|br|div|span|a|strong|em|b|i|h\d|ul|li)\b[^>]*>", re.I)


def article_body(ld: dict) -> str | None:
    """JSON-LD articleBody as plain text with its line breaks; markup removed."""
    value = ld.get("articleBody")
    if isinstance(value, list):
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return None
    if _MARKUP.search(value):
        try:
            fragment = lxml.html.fromstring(f"<div>{value}</div>")
        except (ValueError, lxml.etree.ParserError):
            return None
        for block in fragment.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
            block.tail = "\n" + (block.tail or "")
        value = fragment.text_content()
    return html_lib.unescape(value).strip() or None


# ---------------------------------------------------------------------------------------------
# Article fields


@dataclass(frozen=True)
class Markup:
    """The few selectors a generic page offers beyond JSON-LD and trafilatura's metadata."""

    canonical: tuple[str, ...] = (
        "link[rel=canonical]::attr(href)",
        "meta[property='og:url']::attr(content)",
    )
    standfirst: tuple[str, ...] = (
        "meta[property='og:description']::attr(content)",
        "meta[name=description]::attr(content)",
    )
    byline: tuple[str, ...] = (
        "meta[name=author]::attr(content)",
        "meta[property='article:author']::attr(content)",
    )
    published: tuple[str, ...] = (
        "meta[property='article:published_time']::attr(content)",
        "meta[itemprop=datePublished]::attr(content)",
        "time[datetime]::attr(datetime)",
    )
    modified: tuple[str, ...] = (
        "meta[property='article:modified_time']::attr(content)",
        "meta[itemprop=dateModified]::attr(content)",
    )
    section: tuple[str, ...] = ("meta[property='article:section']::attr(content)",)
    tags: str = "meta[property='article:tag']::attr(content)"
    language: tuple[str, ...] = (
        "html::attr(lang)",
        "meta[http-equiv='content-language']::attr(content)",
        "meta[property='og:locale']::attr(content)",
    )


MARKUP = Markup()


def parse_article(url: str, sel: Selector, *, timezone: str = "UTC") -> dict:
    """Fields of one page of unknown layout; an empty headline or body is left for validation."""
    ld = jsonld.find_article(sel)
    document = None
    body: list[str] = []
    try:
        document = _trafilatura(sel.root, url, with_metadata=True)
        body = _body(sel.root, url, document, ld)
    except Exception:  # see extract_body: a bad page gives an empty body, validation drops it
        LOGGER.warning("generic extraction failed: %s", url, exc_info=True)
    meta = _Meta(document)
    canonical = _canonical(url, sel, ld, meta.get("url"))
    headline = jsonld.text_of(ld.get("headline")) or meta.get("title")
    standfirst = (
        jsonld.text_of(ld.get("description"))
        or first_attr(sel, MARKUP.standfirst)
        or meta.get("description")
    )
    authors = [{"name": n, "raw": n, "kind": k} for n, k in jsonld.person_names(ld.get("author"))]
    byline_raw = first_attr(sel, MARKUP.byline) or meta.get("author")
    if not authors and meta.get("author"):
        authors = [{"name": n, "raw": n, "kind": "Person"} for n in _split_authors(meta["author"])]
    published_raw = (
        jsonld.text_of(ld.get("datePublished"))
        or first_attr(sel, MARKUP.published)
        or meta.get("date")
    )
    modified_raw = jsonld.text_of(ld.get("dateModified")) or first_attr(sel, MARKUP.modified)
    return {
        "url": url,
        "canonical_url": canonical,
        "id": story_id(canonical or url),
        "headline": headline,
        "standfirst": standfirst,
        "body": _without_repeats(body, headline, standfirst),
        "byline_raw": byline_raw,
        "authors": authors,
        "published": normalise_date(published_raw, timezone),
        "published_raw": published_raw,
        "modified": normalise_date(modified_raw, timezone),
        "modified_raw": modified_raw,
        "section": section_of(canonical or url),
        "breadcrumbs": jsonld.find_breadcrumbs(sel),
        "topics": _topics(sel, ld, meta),
        "images": _images(url, sel, ld, meta),
        "paywall": {"status": "unknown", "evidence": access_evidence(sel, ld)},
        "language": _language(sel, ld, meta),
        "extractor": f"{NAME}/{VERSION}",
    }


class _Meta:
    """trafilatura's metadata fields as cleaned strings (or lists), None when absent."""

    def __init__(self, document: Any) -> None:
        self._document = document

    def get(self, name: str) -> Any:
        value = getattr(self._document, name, None) if self._document is not None else None
        if isinstance(value, str):
            return clean(value) or None
        if isinstance(value, list):
            return [clean(v) for v in value if isinstance(v, str) and clean(v)]
        return None


def _canonical(url: str, sel: Selector, ld: dict, meta_url: str | None) -> str:
    main = ld.get("mainEntityOfPage")
    ld_url = main.get("@id") if isinstance(main, dict) else main if isinstance(main, str) else None
    found = (
        first_attr(sel, MARKUP.canonical)
        or clean(ld_url if isinstance(ld_url, str) else "")
        or clean(ld.get("url") if isinstance(ld.get("url"), str) else "")
        or meta_url
    )
    return urljoin(url, found) if found else url


def _split_authors(raw: str) -> list[str]:
    """trafilatura joins several authors with "; "."""
    return [name for name in (clean(part) for part in raw.split(";")) if name]


def _without_repeats(body: list[str], headline: str | None, standfirst: str | None) -> list[str]:
    """The standfirst is never repeated in the body, nor the headline as its first line."""
    skip = {fold(standfirst)} if standfirst else set()
    out = [p for p in body if fold(p) not in skip]
    if out and headline and fold(out[0]) == fold(headline):
        out = out[1:]
    return out


def _topics(sel: Selector, ld: dict, meta: _Meta) -> list[dict]:
    """JSON-LD keywords, then article:tag and trafilatura's tags, once each (case-insensitive)."""
    names = jsonld.keywords(ld.get("keywords"))
    names += [clean(t) for t in sel.css(MARKUP.tags).getall()]
    names += meta.get("tags") or []
    topics, seen = [], set()
    for name in names:
        if name and fold(name) not in seen:
            seen.add(fold(name))
            topics.append({"name": name})
    return topics


def _images(url: str, sel: Selector, ld: dict, meta: _Meta) -> list[dict]:
    lead = jsonld.image_url(ld.get("image")) or meta.get("image")
    if not lead:
        return []
    return [{"url": urljoin(url, lead), "caption": None, "credit": None}]


def _language(sel: Selector, ld: dict, meta: _Meta) -> str | None:
    declared = jsonld.text_of(ld.get("inLanguage")) or first_attr(sel, MARKUP.language)
    return (declared or meta.get("language") or "").replace("_", "-") or None
