"""The generic extractor: stories from pages no platform parser knows (DESIGN §1, §9).

Pure: (url, parsel.Selector) -> fields, like the platform parsers, and stand-alone: it shares
only `newsbite.extract.common` (ids, sections, canonical URLs, access evidence) and the JSON-LD
reader with them. `GenericArticle` is its parser object (name "generic"); `extract_body(html)`
is the body alone for callers without a Selector.

Body. trafilatura's main-text extraction, in two tiers measured on the development set
(benchmarks/eval_generic.py): its fast mode first; only when that finds little text
(`RESCUE_CHARS`) the full run with trafilatura's readability/jusText fallbacks, which cost a
third of its time on every page and change the result only on such pages. Then, each step
general rather than tuned to a site:

1. Below `MIN_BODY_CHARS`: trafilatura favouring recall and the JSON-LD articleBody are tried
   too, and the longest wins.
2. Boilerplate dropped as whole paragraphs, by the multilingual `BOILERPLATE` tables
   (vocab/generic_boilerplate.json): "related content" labels alone or leading a teaser link,
   the run of teaser headlines under such a label, picture credit / copyright lines. (The
   project's chrome vocabulary is the chain's stage, run on every item: not repeated here.)
3. With a JSON-LD `articleBody` that covers the extraction, short lines it does not contain
   (captions, teasers, widgets) are dropped.
4. The headline and the standfirst are not repeated in the body.
5. The edges: date lines, bylines, "Updated" stamps, share rows and dangling labels at the
   start or end of the body are removed as classes of line (`EdgeRules`), never by string.
6. Anywhere, short lines that address the reader about the site (`Furniture`): calls to
   action (newsletter, follow, app, support, comments), advertising/affiliate/licence
   notices, and lines naming the site itself when the story never does.

Everything removed is returned in `chrome_removed`, in page order.

Metadata: extruct's JSON-LD, microdata and Open Graph first, then meta tags, then trafilatura's
title and author readers; the publication date from htmldate only when the page gives no
structured date. Bad input (empty, binary, HTML cut off before any text, absurd nesting) gives
an empty body, never an exception.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import lxml.html
from lxml import etree
from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.common import (
    PAYWALL_MARKUP,
    access_evidence,
    canonical_url,
    hash_id,
    section_of,
)
from newsbite.extract.dates import normalise_date
from newsbite.text import any_of, clean, fold, safe_url
from newsbite.vocab import load_vocab

NAME = "generic"
GENERATION = "2"
EXTRACTOR = f"{NAME}/{GENERATION}"
LOGGER = logging.getLogger(__name__)

# trafilatura's benchmark settings (the "standard" run of its evaluation), fast mode first.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
    "favor_precision": False,
    "favor_recall": False,
}
# Fast mode found less than this: run trafilatura with its fallbacks (measured: on longer
# texts they change nothing the scorer sees, and they cost a third of every page's time).
RESCUE_CHARS = 1000
MIN_BODY_CHARS = 200  # below this the extraction probably missed the story: try the fallbacks
MIN_STORY_CHARS = 60  # less text than this ("Home", "Loading…") is no story: an empty body
LD_COVERAGE = 0.7  # articleBody at least this share of the extracted text: "clearly the article"
LD_SHORT_LINE = 100  # only lines up to this length are checked against articleBody
TEASER_RUN_LINE = 60  # teaser headlines under a "related" label are at most this long
LEAD_WINDOW = 3  # a description printed among the first paragraphs is the lead, not a standfirst
BOILERPLATE_MAX = 300  # longer paragraphs are story text, whatever words they start with


# ---------------------------------------------------------------------------------------------
# Vocabulary: whole-paragraph boilerplate and the classes of edge lines


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any whitespace."""
    escaped = (re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return "|".join(sorted(escaped, key=len, reverse=True))


_NON_WORD = re.compile(r"\W+")


def _key(text: str) -> str:
    return _NON_WORD.sub("", text).casefold()


@dataclass(frozen=True)
class Boilerplate:
    """Multilingual page-furniture vocabulary, matched against whole paragraphs only."""

    teaser_labels: tuple[str, ...]
    credit_labels: tuple[str, ...]
    heading_joiners: tuple[str, ...] = ()
    credit_max: int = 150  # a credit line is its label and at most this many characters
    teaser_max: int = 200  # longest teaser headline after a label and separator
    heading_words: int = 4  # a label's heading may name a site or section in this many words

    @classmethod
    def from_vocab(cls, vocab: dict[str, Any]) -> Boilerplate:
        return cls(
            teaser_labels=tuple(vocab["teaser_labels"]),
            credit_labels=tuple(vocab["credit_labels"]),
            heading_joiners=tuple(vocab.get("heading_joiners", ())),
            credit_max=int(vocab.get("credit_max", cls.credit_max)),
            teaser_max=int(vocab.get("teaser_max", cls.teaser_max)),
            heading_words=int(vocab.get("heading_words", cls.heading_words)),
        )

    def heading(self) -> re.Pattern[str]:
        """A label alone; or naming where the teasers come from ("More stories from Business",
        "Mehr zum Thema auf example.de"); or introducing them with a colon ("Read also these
        stories:"). A sentence that merely starts with a label is longer, or has no colon."""
        labels = _alternation(self.teaser_labels)
        words = rf"\S+(?:\s+\S+){{0,{self.heading_words - 1}}}"
        joiners = _alternation(self.heading_joiners) or r"(?!)"
        named = rf"\s+(?:{joiners})\s+{words}"
        return re.compile(rf"(?:{labels})(?:{named}|\s+{words}(?=\s*:))?\s*[:.?!…»>]*", re.I)

    def teaser(self) -> re.Pattern[str]:
        labels = _alternation(self.teaser_labels)
        return re.compile(
            rf"(?:>>|»|►|▶)?\s*(?:{labels})\s*(?::|>>|»|\|)\s*\S.{{0,{self.teaser_max}}}",
            re.I | re.S,
        )

    def credit(self) -> re.Pattern[str]:
        return re.compile(
            rf"(?:{'|'.join(self.credit_labels)}).{{0,{self.credit_max}}}", re.I | re.S
        )


# Numeric dates and times: 2019-07-02, 02.07.2019, 7/2/19, 12:00AM, 14.30 Uhr, 2019 ...
_NUMERIC_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})\b"
    r"|\d{1,2}[:.h]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?\b)?"
    r"|\d{1,2}\s*[ap]\.?m\.?\b"
    r"|\b(?:1[89]|20)\d{2}\b"
)


@dataclass(frozen=True)
class EdgeRules:
    """Lines that are page furniture when they open or close a body, recognised as classes:

    - a *stamp*: only dates, times, weekday and month names, and stamp labels ("Updated",
      "Veröffentlicht am", "Publié le"...), with at least one date or time in it;
    - a *byline*: a byline label ("By", "Von", "Par"...), then at most `byline_words`
      capitalised words (names joined by and/und/&), optionally followed by a stamp;
    - a *share row*: nothing but share verbs and network names ("Share Facebook Twitter");
    - a *dangling label* (closing edge only): a few words ending in a colon with nothing after
      it, the heading of a widget the extraction left out ("Share this:", "Kontakt:").
    """

    stamp: re.Pattern[str]
    date_token: re.Pattern[str]
    byline: re.Pattern[str]
    share: re.Pattern[str]
    label: re.Pattern[str]
    label_words: int = 4  # a dangling label has at most this many words
    max_lines: int = 4  # at most this many lines are taken from each edge

    @classmethod
    def from_vocab(cls, vocab: dict[str, Any]) -> EdgeRules:
        words = _alternation([*vocab["months"], *vocab["weekdays"]])
        labels = _alternation(vocab["stamp_labels"])
        joins = _alternation(vocab["joiners"])
        date_token = rf"(?:{_NUMERIC_DATE}|\b(?:{words})\b\.?)"
        day = r"\b\d{1,2}(?:st|nd|rd|th|er|e|\.|º)?(?!\w)"
        filler = rf"(?:{date_token}|{day}|\b(?:{labels})\b|\b(?:{joins})\b|[\s,.:;|/·•–—()\[\]-])"
        stamp = rf"(?:{filler})*"
        name_word = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*|[A-ZÀ-ÖØ-Þ]\.)"
        name_join = r"(?:,\s*|\s+(?:and|und|&|y|et|e|i|en|und)\s+|\s+)"
        n = int(vocab.get("byline_words", 6))
        byline = (
            rf"(?i:{_alternation(vocab['byline_labels'])})\s*:?\s+"
            rf"{name_word}(?:{name_join}(?:(?:von|van|de|der|den|da|del|di|du|la|le)\s+)?"
            rf"{name_word}){{0,{n - 1}}}"
            rf"(?:\s*[|,·•–—-]\s*(?i:{stamp}))?"
        )
        share = rf"(?:\b(?:{_alternation(vocab['share_words'])})\b[\s|/·•:,]*)+"
        label = r"[^\s:][^:]{0,60}:"
        return cls(
            stamp=re.compile(stamp, re.I),
            date_token=re.compile(date_token, re.I),
            byline=re.compile(byline),
            share=re.compile(share, re.I),
            label=re.compile(label),
            label_words=int(vocab.get("label_words", cls.label_words)),
            max_lines=int(vocab.get("max_lines", cls.max_lines)),
        )

    def is_stamp(self, line: str) -> bool:
        return bool(self.stamp.fullmatch(line) and self.date_token.search(line))

    def is_byline(self, line: str) -> bool:
        return bool(self.byline.fullmatch(line))

    def is_share_row(self, line: str) -> bool:
        return bool(self.share.fullmatch(line))

    def is_dangling_label(self, line: str) -> bool:
        return bool(self.label.fullmatch(line)) and len(line.split()) <= self.label_words

    def kind(self, line: str, *, closing: bool) -> str | None:
        """Which class of edge furniture the line is, or None for story text."""
        if len(line) > 160:
            return None  # a paragraph, whatever words it starts with
        if self.is_stamp(line):
            return "stamp"
        if self.is_byline(line):
            return "byline"
        if self.is_share_row(line):
            return "share"
        if closing and self.is_dangling_label(line):
            return "label"
        return None

    def trim(self, paragraphs: list[str]) -> tuple[list[str], list[str], list[str]]:
        """(leading removed, kept, trailing removed)."""
        start, end = 0, len(paragraphs)
        while start < end and start < self.max_lines:
            if self.kind(paragraphs[start], closing=False) is None:
                break
            start += 1
        while end > start and len(paragraphs) - end < self.max_lines:
            if self.kind(paragraphs[end - 1], closing=True) is None:
                break
            end -= 1
        return paragraphs[:start], paragraphs[start:end], paragraphs[end:]


@dataclass(frozen=True)
class Furniture:
    """Short paragraphs that address the reader about the site, not the story, as classes:

    - a *call* to action: sign up for the newsletter, follow us, get the app, support us,
      write a letter, log in to comment (vocabulary `calls_to_action`);
    - a *disclosure*: advertising and affiliate notices, licence and reprint lines
      (`disclosures`);
    - a *site line*: a short line naming the publisher itself ("Gut versorgt mit <site>",
      "Auch auf <site>"), the site known from its declared name and its domain, when the
      rest of the text never names it: on a page about the site's own product or company
      ("Python", "Docker") the name is the story's subject, not furniture.

    Each is matched anywhere in the body, on paragraphs up to `max_chars` (site lines:
    `site_line_max`): a story paragraph is longer.
    """

    calls: re.Pattern[str]
    disclosures: re.Pattern[str]
    stopwords: frozenset[str]
    words: tuple[str, ...]  # each pattern needs one of these: none, no regular expression run
    max_chars: int = 250
    site_line_max: int = 120
    site_words: int = 4  # a site name spans at most this many words ("The Times of Israel")
    min_site_key: int = 5  # shorter names ("Bild", "taz") are common words in some language

    @classmethod
    def from_vocab(cls, vocab: dict[str, Any]) -> Furniture:
        return cls(
            calls=any_of(vocab.get("calls_to_action", []), re.I | re.S),
            disclosures=any_of(vocab.get("disclosures", []), re.I | re.S),
            stopwords=frozenset(_key(w) for w in vocab.get("site_name_stopwords", [])),
            words=tuple(w.casefold() for w in vocab.get("furniture_words", [])),
            max_chars=int(vocab.get("furniture_max", cls.max_chars)),
            site_line_max=int(vocab.get("site_line_max", cls.site_line_max)),
        )

    def site_keys(self, url: str | None, names: Iterable[str | None]) -> frozenset[str]:
        """The site's names as `_key`s: its declared names and its domain's own label."""
        found = {_key(n) for n in names if isinstance(n, str)}
        found.add(_key(domain_label(url)))
        return frozenset(
            k for k in found if len(k) >= self.min_site_key and k not in self.stopwords
        )

    def names_site(self, paragraph: str, keys: frozenset[str]) -> bool:
        """Some run of up to `site_words` words of the paragraph, joined, is a site key."""
        if not keys:
            return False
        words = [w.casefold() for w in _WORD.findall(paragraph)]
        return any(
            "".join(words[i : i + n]) in keys
            for n in range(1, self.site_words + 1)
            for i in range(len(words) - n + 1)
        )

    def kind(self, paragraph: str, site: frozenset[str] = frozenset()) -> str | None:
        """Which class of furniture the paragraph is, or None for story text; `site` are the
        keys of the site's names (`site_keys`) the story text does not use."""
        if len(paragraph) > self.max_chars:
            return None
        folded = paragraph.casefold()
        if any(word in folded for word in self.words):  # substring tests: cheap, few pass
            if self.calls.search(paragraph):
                return "call"
            if self.disclosures.search(paragraph):
                return "disclosure"
        if len(paragraph) <= self.site_line_max and self.names_site(paragraph, site):
            return "site"
        return None

    def unused_names(self, story: Iterable[str], site: frozenset[str]) -> frozenset[str]:
        """The site keys that occur nowhere in `story` (as a substring of its `_key`: any
        doubt keeps the lines)."""
        if not site:
            return site
        text = _key(" ".join(story))
        return frozenset(k for k in site if k not in text)

    def split(
        self, paragraphs: list[str], site: frozenset[str] = frozenset()
    ) -> tuple[list[str], list[str], frozenset[str]]:
        """(kept, removed, the site keys the kept text never uses), lists in page order."""
        if site:
            named = [len(p) <= self.site_line_max and self.names_site(p, site) for p in paragraphs]
            story = (p for p, n in zip(paragraphs, named, strict=True) if not n)
            site = self.unused_names(story, site)
        kept: list[str] = []
        removed: list[str] = []
        for paragraph in paragraphs:
            (removed if self.kind(paragraph, site) else kept).append(paragraph)
        return kept, removed, site


_WORD = re.compile(r"\w+")
# Second-level labels that are not the site's own name: example.co.uk, example.com.ar ...
_REGISTRY_LABELS = frozenset({"co", "com", "org", "net", "gov", "gob", "ac", "edu", "or", "ne"})


def domain_label(url: str | None) -> str:
    """The label that names the site in its host: "www.example.co.uk" -> "example"."""
    host = (url or "").split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    labels = [label for label in host.split(".") if label and label != "www"][:-1]
    while len(labels) > 1 and labels[-1] in _REGISTRY_LABELS:
        labels.pop()
    return labels[-1] if labels else ""


_VOCAB = load_vocab("generic_boilerplate")
BOILERPLATE = Boilerplate.from_vocab(_VOCAB)
EDGES = EdgeRules.from_vocab(_VOCAB["edges"])
FURNITURE = Furniture.from_vocab(_VOCAB)


@dataclass(frozen=True)
class _Matchers:
    heading: re.Pattern[str]
    teaser: re.Pattern[str]
    credit: re.Pattern[str]


@cache
def _matchers() -> _Matchers:
    return _Matchers(BOILERPLATE.heading(), BOILERPLATE.teaser(), BOILERPLATE.credit())


# ---------------------------------------------------------------------------------------------
# Body


@dataclass
class Body:
    paragraphs: list[str]
    removed: list[str]  # boilerplate taken out, in page order


def extract_body(html: str | bytes | None, url: str | None = None) -> list[str]:
    """The story's paragraphs from a whole HTML page; [] when the page holds no readable text."""
    sel = selector_for(html)
    if sel is None:
        return []
    return parse_article(url or "", sel)["body"]


def selector_for(html: str | bytes | None) -> Selector | None:
    """A Selector over the page as trafilatura reads it (its encoding detection), or None."""
    if not html or not isinstance(html, (str, bytes)):
        return None
    try:
        from trafilatura.utils import load_html

        tree = load_html(html)
    except Exception:  # noqa: BLE001 - undecodable or unparsable: no page
        return None
    if not isinstance(tree, lxml.html.HtmlElement):
        return None
    return Selector(root=tree, type="html")


def body_of(tree: Any, url: str | None, ld: dict) -> Body:
    """The story's paragraphs and what was removed on the way (never raises)."""
    try:
        return _body(tree, url, ld)
    except Exception:  # a fallback extractor must not take the crawl down with one bad page
        LOGGER.warning("generic extraction failed: %s", url, exc_info=True)
        return Body([], [])


def _trafilatura(tree: Any, url: str | None, **overrides: Any) -> Any:
    """trafilatura's Document (None when it finds nothing); the tree is copied, not changed."""
    from trafilatura import bare_extraction

    options = {**TRAFILATURA_OPTIONS, **overrides}
    return bare_extraction(tree, url=url, with_metadata=False, output_format="python", **options)


def _text(document: Any) -> str:
    text = getattr(document, "text", None)
    return text if isinstance(text, str) else ""


def _lines(text: str | None) -> list[str]:
    return [line for line in (clean(raw) for raw in (text or "").split("\n")) if line]


def _main_text(tree: Any, url: str | None) -> str:
    """trafilatura fast; its fallbacks (readability, jusText) only when fast found little."""
    text = _text(_trafilatura(tree, url, fast=True))
    if len(text) < RESCUE_CHARS:
        text = _text(_trafilatura(tree, url, fast=False)) or text
    return text


def _body(tree: Any, url: str | None, ld: dict) -> Body:
    if not isinstance(tree, etree._Element):
        return Body([], [])
    paragraphs = _lines(_main_text(tree, url))
    ld_text = article_body(ld)
    if len("".join(paragraphs)) < MIN_BODY_CHARS:
        paragraphs = _fallback(tree, url, paragraphs, ld_text)
    elif ld_text and len(paragraphs) == 1 and _key(paragraphs[0]) == _key(ld_text):
        # trafilatura's last resort read articleBody as one run-on paragraph: keep its lines
        paragraphs = _lines(ld_text)
    paragraphs, removed = split_boilerplate(paragraphs)
    if ld_text:
        paragraphs, not_in_ld = _split_by_article_body(paragraphs, ld_text)
        removed += not_in_ld
    return Body(paragraphs, removed)


def _fallback(tree: Any, url: str | None, paragraphs: list[str], ld_text: str | None) -> list[str]:
    """The longest of: what we have, trafilatura favouring recall, the JSON-LD articleBody."""
    # On a tie the earlier wins: articleBody keeps its line breaks, where trafilatura's own
    # last resort (which reads articleBody too) gives one run-on paragraph.
    candidates = [paragraphs, _lines(ld_text)]
    candidates.append(_lines(_text(_trafilatura(tree, url, favor_recall=True))))
    return max(candidates, key=lambda c: len(_key("".join(c))))


def split_boilerplate(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """(kept, removed): teaser labels with their run of headlines, teaser links, credit lines.

    The project's chrome vocabulary is not applied here: the chain's chrome stage
    (newsbite.process) runs it on every item, whichever parser read the page."""
    match = _matchers()
    kept: list[str] = []
    removed: list[str] = []
    in_teasers = False
    for paragraph in paragraphs:
        bare = paragraph.strip(_CELL_EDGES)  # a table row's cell borders ("| Related |")
        if match.heading.fullmatch(bare):
            in_teasers = True  # the label of a teaser block: its short headlines follow
            removed.append(paragraph)
            continue
        if in_teasers and _is_headline(bare):
            removed.append(paragraph)
            continue
        in_teasers = False
        if len(bare) <= BOILERPLATE_MAX and (
            match.teaser.fullmatch(bare) or match.credit.fullmatch(bare)
        ):
            removed.append(paragraph)
            continue
        kept.append(paragraph)
    return kept, removed


_CELL_EDGES = " |•·"


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """The paragraphs `split_boilerplate` keeps."""
    return split_boilerplate(paragraphs)[0]


def _is_headline(paragraph: str) -> bool:
    """A teaser headline: short, and not ending like a sentence or a clause."""
    return len(paragraph) <= TEASER_RUN_LINE and not re.search(r"[.!?:;,]\W*$", paragraph)


def _split_by_article_body(paragraphs: list[str], ld_text: str) -> tuple[list[str], list[str]]:
    """With an articleBody that covers the extraction, short lines it lacks are removed."""
    ld_key = _key(ld_text)
    if len(ld_key) < LD_COVERAGE * len(_key("".join(paragraphs))):
        return paragraphs, []  # a teaser or a truncated articleBody: it cannot judge the lines
    kept, removed = [], []
    for p in paragraphs:
        (kept if len(p) > LD_SHORT_LINE or _key(p) in ld_key else removed).append(p)
    return kept, removed


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
        except (ValueError, etree.ParserError):
            return None
        for block in fragment.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4"):
            block.tail = "\n" + (block.tail or "")
        value = fragment.text_content()
    return html_lib.unescape(value).strip() or None


def finish_body(
    body: list[str], headline: str | None, standfirst: str | None
) -> tuple[list[str], str | None, list[str]]:
    """(body, standfirst, removed): no headline atop the body, the edges trimmed.

    A page's description is its standfirst only when the page does not print it as the
    opening of its text: when it does, that paragraph is the story's lead, kept in the body
    (the description was copied from it), and the item has no separate standfirst.
    """
    removed: list[str] = []
    out = list(body)
    if out and headline and fold(out[0]) == fold(headline):
        removed.append(out.pop(0))
    leading, out, trailing = EDGES.trim(out)
    if out and headline and fold(out[0]) == fold(headline):  # a date line above the headline
        removed.append(out.pop(0))
    if standfirst and any(fold(p) == fold(standfirst) for p in out[:LEAD_WINDOW]):
        standfirst = None
    return out, standfirst, [*leading, *removed, *trailing]


# ---------------------------------------------------------------------------------------------
# Metadata: extruct (JSON-LD, microdata, Open Graph), meta tags, then trafilatura's title


class MetaTags:
    """Every <meta> of the page by name, property, itemprop and http-equiv (lower case),
    read in one walk of the tree instead of one CSS query per field."""

    def __init__(self, root: Any) -> None:
        self.values: dict[str, list[str]] = {}
        for element in root.iter("meta"):
            content = clean(element.get("content"))
            if not content:
                continue
            for attribute in ("name", "property", "itemprop", "http-equiv"):
                key = element.get(attribute)
                if key:
                    self.values.setdefault(key.strip().lower(), []).append(content)

    def first(self, *keys: str) -> str | None:
        for key in keys:
            if key in self.values:
                return self.values[key][0]
        return None

    def all(self, key: str) -> list[str]:
        return self.values.get(key, [])


@dataclass(frozen=True)
class Structured:
    """The page's structured data, best source first: JSON-LD, microdata, Open Graph; then
    plain meta tags."""

    ld: dict[str, Any]
    microdata: dict[str, Any]
    og: dict[str, list[str]]
    meta: MetaTags

    def first(self, *names: str) -> Any:
        """The first non-empty value of any of `names` in JSON-LD, then microdata."""
        for node in (self.ld, self.microdata):
            for name in names:
                value = node.get(name)
                if value not in (None, "", [], {}):
                    return value
        return None

    def og_value(self, *names: str) -> str | None:
        for name in names:
            for value in self.og.get(name, []):
                if clean(value):
                    return clean(value)
        return None


_ARTICLE_SUFFIXES = ("Article", "BlogPosting", "NewsArticle", "Report", "Posting")


def structured_data(url: str, sel: Selector, problems: list[str]) -> Structured:
    """JSON-LD, microdata and Open Graph through extruct; each source fails alone."""
    root = sel.root
    return Structured(
        ld=_safe(lambda: jsonld.find_article(sel, problems=problems), {}),
        microdata=_safe(lambda: _microdata_article(root, url), {}),
        og=_safe(lambda: _opengraph(root), {}),
        meta=_safe(lambda: MetaTags(root), None) or MetaTags(etree.Element("html")),
    )


def _safe(read: Any, default: Any) -> Any:
    try:
        return read()
    except Exception:  # noqa: BLE001 - broken structured data is common: the page still reads
        LOGGER.debug("structured data unreadable", exc_info=True)
        return default


def _microdata_article(root: Any, url: str) -> dict[str, Any]:
    """The properties of the first microdata item typed as an article, names as in JSON-LD."""
    if next(root.iterfind(".//*[@itemscope]"), None) is None:
        return {}  # most pages have none: skip extruct's walk of the tree
    from extruct.w3cmicrodata import MicrodataExtractor

    for item in MicrodataExtractor().extract_items(root, url or None):
        kinds = item.get("type") or []
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if any(isinstance(k, str) and k.endswith(_ARTICLE_SUFFIXES) for k in kinds):
            return dict(item.get("properties") or {})
    return {}


def _opengraph(root: Any) -> dict[str, list[str]]:
    from extruct.opengraph import OpenGraphExtractor

    found: dict[str, list[str]] = {}
    for item in OpenGraphExtractor().extract_items(root):
        for name, value in item.get("properties", []):
            found.setdefault(name, []).append(value)
    return found


def parse_article(url: str, sel: Selector, *, timezone: str = "UTC") -> dict:
    """Fields of one page of unknown layout; an empty headline or body is left for validation.

    `problems` names malformed structured values (newsbite.text.problem_counts counts them).
    """
    problems: list[str] = []
    data = structured_data(url, sel, problems)
    tree = sel.root
    body = body_of(tree, url or None, data.ld)
    canonical = _safe(lambda: canonical_url(url, sel, data.ld), url) or url
    headline = _headline(tree, data, problems)
    standfirst = (
        jsonld.text_of(data.first("description"), problems=problems, field="description")
        or data.og_value("og:description")
        or data.meta.first("description", "twitter:description")
    )
    site = FURNITURE.site_keys(url, _site_names(data))
    kept, furniture, site = FURNITURE.split(body.paragraphs, site)
    if standfirst and FURNITURE.kind(standfirst, site):  # the site's tagline, not the story's
        furniture, standfirst = [*furniture, standfirst], None
    paragraphs, standfirst, edges = finish_body(kept, headline, standfirst)
    edges = [*furniture, *edges]
    if sum(len(p) for p in paragraphs) < MIN_STORY_CHARS:
        paragraphs, edges = [], [*edges, *paragraphs]
    byline_raw, authors = _bylines(data, problems)
    published_raw, published = _date(
        data, ("datePublished", "dateCreated"), PUBLISHED, timezone, problems
    )
    modified_raw, modified = _date(data, ("dateModified",), MODIFIED, timezone, problems)
    if not published:
        published_raw = _htmldate(tree) or published_raw
        published = normalise_date(published_raw, timezone, structured=True, problems=problems)
    return {
        "url": url,
        "canonical_url": canonical,
        "id": hash_id(canonical or url),
        "headline": headline,
        "standfirst": standfirst,
        "body": paragraphs,
        "chrome_removed": [*body.removed, *edges],
        "byline_raw": byline_raw,
        "authors": authors,
        "published": published,
        "published_raw": published_raw,
        "modified": modified,
        "modified_raw": modified_raw,
        "section": section_of(canonical or url),
        "breadcrumbs": _safe(lambda: jsonld.find_breadcrumbs(sel, problems=problems), []),
        "topics": _topics(data, problems),
        "images": _images(url, data, problems),
        "paywall": {
            "status": "unknown",
            "evidence": _safe(lambda: _access_evidence(sel, data.ld), []),
        },
        "language": _language(tree, data, problems),
        "extractor": EXTRACTOR,
        "problems": problems,
    }


def _site_names(data: Structured) -> list[str | None]:
    """The site's declared names: Open Graph, meta tags, the JSON-LD publisher."""
    publisher = data.ld.get("publisher")
    ld_name = publisher.get("name") if isinstance(publisher, dict) else None
    return [
        data.og_value("og:site_name"),
        data.meta.first("application-name", "apple-mobile-web-app-title"),
        ld_name if isinstance(ld_name, str) else None,
    ]


@cache
def _any_paywall_markup() -> etree.XPath:
    """One XPath for all of PAYWALL_MARKUP: one walk of the tree instead of one per selector."""
    from parsel.csstranslator import HTMLTranslator

    return etree.XPath(f"boolean({HTMLTranslator().css_to_xpath(', '.join(PAYWALL_MARKUP))})")


def _access_evidence(sel: Selector, ld: dict) -> list[str]:
    """`access_evidence`, its per-selector markup queries run only when one of them matches
    (most pages have no paywall markup at all)."""
    markup = PAYWALL_MARKUP if _any_paywall_markup()(sel.root) else ()
    return access_evidence(sel, ld, markup)


class GenericArticle:
    """The generic extractor as an `ArticleParser` (newsbite.publishers.base): any page."""

    name = NAME
    generation = GENERATION

    def matches(self, sel: Selector) -> bool:
        return True

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict[str, Any]:
        return parse_article(url, sel, timezone=timezone)


# Meta tags (lower-case names) for dates, after JSON-LD, microdata and Open Graph.
PUBLISHED = (
    "article:published_time",
    "datepublished",
    "parsely-pub-date",
    "date",
    "dc.date.issued",
    "dcterms.created",
)
MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")
BYLINE = ("author", "parsely-author", "sailthru.author", "dc.creator", "article:author")


def _date(
    data: Structured,
    ld_names: tuple[str, ...],
    meta_names: tuple[str, ...],
    timezone: str,
    problems: list[str],
) -> tuple[str | None, str | None]:
    """(raw, ISO with offset) of the first structured date that reads."""
    raws = [
        jsonld.text_of(data.first(*ld_names), problems=problems, field="date"),
        data.og_value(*meta_names),
        data.meta.first(*meta_names),
    ]
    first_raw = next((r for r in raws if r), None)
    for raw in raws:
        if raw:
            iso = normalise_date(raw, timezone, structured=True, problems=problems)
            if iso:
                return raw, iso
    return first_raw, None


def _headline(tree: Any, data: Structured, problems: list[str]) -> str | None:
    found = jsonld.text_of(data.first("headline", "name"), problems=problems, field="headline")
    found = found or data.og_value("og:title") or data.meta.first("twitter:title")
    if found:
        return found
    from trafilatura.metadata import extract_title

    return clean(_safe(lambda: extract_title(tree), None)) or None


def _bylines(data: Structured, problems: list[str]) -> tuple[str | None, list[dict]]:
    """(byline as printed, authors): structured authors first, then the meta tags' byline."""
    names = _safe(
        lambda: jsonld.person_names(data.first("author", "creator"), problems=problems), []
    )
    authors = [{"name": n, "raw": n, "kind": k} for n, k in names]
    byline_raw = next(
        (v for v in (data.meta.all(k)[0] for k in BYLINE if data.meta.all(k)) if not _is_url(v)),
        None,
    )
    if byline_raw and not authors:
        authors = [{"name": n, "raw": n, "kind": "Person"} for n in _split_authors(byline_raw)]
    return byline_raw, authors


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "//"))


def _split_authors(raw: str) -> list[str]:
    """Several names in one meta tag: "A; B", "A, B", "A and B"."""
    parts = re.split(r"\s*[;,]\s*|\s+(?:and|und|&)\s+", raw)
    return [name for name in (clean(part) for part in parts) if name]


def _htmldate(tree: Any) -> str | None:
    """htmldate's reading of the page's date (markup and URL), for pages with no
    structured date; its fast mode, without the extensive text search."""
    try:
        from htmldate import find_date

        found = find_date(tree, extensive_search=False, original_date=True)
    except Exception:  # noqa: BLE001 - a date is optional; the body matters more
        return None
    return found if isinstance(found, str) else None


def _topics(data: Structured, problems: list[str]) -> list[dict]:
    """Structured keywords, then article:tag, then meta keywords, once each (case-folded)."""
    names = _safe(lambda: jsonld.keywords(data.first("keywords"), problems=problems), [])
    names += data.og.get("article:tag", [])
    if not names:
        names += (data.meta.first("keywords", "news_keywords") or "").split(",")
    topics, seen = [], set()
    for name in (clean(n) for n in names if isinstance(n, str)):
        if name and fold(name) not in seen:
            seen.add(fold(name))
            topics.append({"name": name})
    return topics


def _images(url: str, data: Structured, problems: list[str]) -> list[dict]:
    lead = _safe(lambda: jsonld.image_url(data.first("image"), problems=problems), None)
    lead = lead or data.og_value("og:image", "og:image:url", "og:image:secure_url")
    if not lead or not isinstance(lead, str):
        return []
    absolute = safe_url(url, lead)
    return [{"url": absolute, "caption": None, "credit": None}] if absolute else []


def _language(tree: Any, data: Structured, problems: list[str]) -> str | None:
    declared = (
        jsonld.text_of(data.first("inLanguage"), problems=problems, field="language")
        or clean(tree.get("lang") if tree.tag == "html" else None)
        or data.meta.first("content-language", "language")
        or data.og_value("og:locale")
    )
    return (declared or "").replace("_", "-") or None
