"""The one processing chain (DESIGN §1): what a crawl, `newsbite extract` and the benchmarks run.

    extract_fields(url, sel, publisher)   the publisher's parser generation for this page, with
                                          the generic extractor when it finds no body
    process(fields, publisher)            normalisers in order (chrome, captions, bylines,
                                          syndication, paywall), then validation -> Outcome
    extract(url, html, publisher)         both, for one saved page

Pure: no crawler, no Scrapy objects. What a stage did is counted in `Outcome.counts` (stat names
without the `newsbite/` prefix); the Scrapy pipeline adds them to the crawl's stats.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from lxml import etree
from parsel import Selector

from newsbite.items import Article
from newsbite.normalise.bylines import Byline, BylineParser
from newsbite.normalise.captions import caption_keys, merge_images
from newsbite.normalise.chrome import ChromeMatcher
from newsbite.normalise.credits import CreditRegistry
from newsbite.normalise.original import SOURCE_DOMAINS, original_links
from newsbite.normalise.paywall import (
    Thresholds,
    classify,
    ends_mid_sentence,
    is_subscribe_prompt,
    page_prompt_evidence,
)
from newsbite.publishers import Publisher, for_url, generic_for
from newsbite.text import fold, problem_counts, word_count

logger = logging.getLogger(__name__)

GENERIC_EXTRACTOR = "generic/"
FUTURE_SLACK = timedelta(days=1)
_ARTICLE_FIELDS = frozenset(f.name for f in fields(Article))


@dataclass
class Outcome:
    """What the chain made of one page: the item, or why there is none, and what it counted."""

    item: Article | None
    reason: str | None = None  # stat-friendly drop reason: empty_body, missing_headline...
    detail: str | None = None  # the validator's words, for the log line
    counts: Counter[str] = field(default_factory=Counter)


# --- parsing ---------------------------------------------------------------------------------


def choose_parser(publisher: Publisher, sel: Selector) -> Any | None:
    """The first generation (newest first) whose markup the page holds; None for none."""
    for parser in publisher.group.articles:
        if parser.matches(sel):
            return parser
    return None


def extract_fields(url: str, sel: Selector, publisher: Publisher) -> dict[str, Any]:
    """Fields of one page from exactly one parser generation, or from the generic extractor
    when no generation claims the page or the one that does finds no body."""
    fields_ = with_page_prompts(_fields(url, sel, publisher), sel)
    links = original_links_of(sel, publisher)
    if links:
        fields_["original_links"] = links
    return fields_


def original_links_of(sel: Selector, publisher: Publisher) -> dict[str, str]:
    """{credited source: URL of the original} for every source whose story the page names.
    One cheap pass over the page's links first: most pages name no known source at all."""
    root = sel.root
    if not isinstance(root, etree._Element):
        return {}
    hrefs = " ".join(_LINK_TARGETS(root))
    if not any(domain in hrefs for domains in SOURCE_DOMAINS.values() for domain in domains):
        return {}
    return original_links(sel, own=publisher)


# Compiled once, plain strings: lxml's "smart" strings keep a reference to their element each.
_LINK_TARGETS = etree.XPath("//a/@href | //link/@href | //meta/@content", smart_strings=False)


def _fields(url: str, sel: Selector, publisher: Publisher) -> dict[str, Any]:
    parser = choose_parser(publisher, sel)
    own = parser.parse(url, sel, timezone=publisher.timezone) if parser else {}
    if own.get("body"):
        return own
    from newsbite.extract import generic  # trafilatura is heavy: imported when first needed

    fallback = generic.parse_article(url, sel, timezone=publisher.timezone)
    if not publisher.group.articles:
        return fallback  # a site no entry knows: the generic extractor is its parser
    # A shell's "enable JavaScript" line is not a story: too little text is no fallback.
    if sum(len(p) for p in fallback.get("body") or []) < generic.MIN_BODY_CHARS:
        return own or {**fallback, "body": []}
    if not own:
        return fallback
    # The page's own metadata where its generation read some; the generic body, and the
    # generic extractor named as the one that read the story.
    merged = {k: v if v not in (None, "", [], {}) else fallback.get(k) for k, v in own.items()}
    merged["body"] = fallback["body"]
    merged["chrome_removed"] = fallback.get("chrome_removed") or []
    merged["extractor"] = fallback["extractor"]
    return merged


def problem_counts_of(fields_: Mapping[str, Any]) -> dict[str, int]:
    """Stat names for the malformed optional fields a parser skipped on this page (its
    `problems` list): `field_rejected/<name>`, `date_rejected`..., each once per page."""
    return problem_counts(fields_.get("problems") or [])


def with_page_prompts(fields_: dict[str, Any], sel: Selector) -> dict[str, Any]:
    """A subscribe prompt printed after the story container (where parsers do not read) is
    access evidence too: a story cut short there is for subscribers. The page walk is only
    worth it when the body may be cut: a whole body is free whatever else the page prints."""
    body = fields_.get("body") or []
    whole = Thresholds()
    full = len(body) >= whole.full_paragraphs and word_count(body) >= whole.full_words
    if full and not ends_mid_sentence(body[-1]):
        return fields_
    found = page_prompt_evidence(sel)
    if found:
        paywall = dict(fields_.get("paywall") or {"status": "unknown", "evidence": []})
        paywall["evidence"] = [*paywall.get("evidence", []), *found]
        fields_["paywall"] = paywall
    return fields_


def to_article(fields_: Mapping[str, Any], publisher: Publisher, url: str) -> Article:
    """An Article from a parser's fields: the publisher's name and its one story-id rule."""
    known = {k: v for k, v in fields_.items() if k in _ARTICLE_FIELDS}
    known["url"] = url
    known["site"] = publisher.name
    known["id"] = publisher.id_for(url, known.get("canonical_url"))
    known.setdefault("scraped_at", now_iso())
    article = Article(**known)
    # Not an item field: read by the syndication stage once the credit is settled.
    article.original_links = dict(fields_.get("original_links") or {})
    return article


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- the chain -------------------------------------------------------------------------------


class Chain:
    """The normalisers and the compiled validator, built once (vocabularies loaded, schema
    compiled) and run on every item."""

    def __init__(
        self,
        chrome: ChromeMatcher,
        credits: CreditRegistry,
        bylines: BylineParser,
        thresholds: Thresholds,
        schema: dict[str, Any] | None = None,
    ) -> None:
        self.chrome = chrome
        self.credits = credits
        self.bylines = bylines
        self.thresholds = thresholds
        self.validate = fastjsonschema.compile(schema or load_schema())

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None) -> Chain:
        """NEWSBITE_CHROME_VOCAB, NEWSBITE_CREDITS_VOCAB and NEWSBITE_PAYWALL_* where given."""
        s = settings or {}
        credits = CreditRegistry.default(s.get("NEWSBITE_CREDITS_VOCAB") or None)
        base = Thresholds()
        thresholds = Thresholds(
            full_paragraphs=int(s.get("NEWSBITE_PAYWALL_FULL_PARAGRAPHS", base.full_paragraphs)),
            full_words=int(s.get("NEWSBITE_PAYWALL_FULL_WORDS", base.full_words)),
            short_paragraphs=int(s.get("NEWSBITE_PAYWALL_SHORT_PARAGRAPHS", base.short_paragraphs)),
            short_words=int(s.get("NEWSBITE_PAYWALL_SHORT_WORDS", base.short_words)),
        )
        return cls(
            ChromeMatcher.default(s.get("NEWSBITE_CHROME_VOCAB") or None),
            credits,
            BylineParser.default(credits),
            thresholds,
        )

    def run(self, item: Article, publisher: Publisher, now: datetime | None = None) -> Outcome:
        counts: Counter[str] = Counter()
        self.strip_chrome(item, counts)
        self.captions(item, counts)
        self.byline(item, counts)
        self.syndication(item, publisher, counts)
        self.paywall(item, counts)
        self.dates(item, counts, now or datetime.now(timezone.utc))
        return self.validated(item, counts)

    # -- stages, in DESIGN §1 order ----------------------------------------------------------
    def strip_chrome(self, item: Article, counts: Counter[str]) -> None:
        """Comment, login, masthead and footer chrome, on whole paragraphs only."""
        kept, removed = self.chrome.split(list(item.body))
        if removed:
            item.body = kept
            item.chrome_removed = [*item.chrome_removed, *removed]
            counts["chrome_removed"] += len(removed)

    def captions(self, item: Article, counts: Counter[str]) -> None:
        """Captions once per image, credits split out, caption copies taken out of the body."""
        item.images = merge_images(list(item.images))
        keys = caption_keys(item.images)
        if not keys:
            return
        kept = [p for p in item.body if fold(p) not in keys]
        if len(kept) != len(item.body):
            counts["captions/removed_from_body"] += len(item.body) - len(kept)
            item.body = kept

    def byline(self, item: Article, counts: Counter[str]) -> None:
        """People with proper-cased names and title-cased roles; agencies become credits.
        The printed byline is what readers saw; structured authors fill in when it is absent,
        and a parser that read the byline person by person (kind "byline") is taken as read."""
        per_person = bool(item.authors) and all(a.get("kind") == "byline" for a in item.authors)
        if item.byline_raw and not per_person:
            byline = self.bylines.parse(item.byline_raw)
        else:
            byline = self._from_structured(item.authors)
        item.authors = byline.people
        if byline.credit and not item.syndication:
            item.syndication = {"source": byline.credit.source, "raw": byline.credit_raw}
            counts["syndication/from_byline"] += 1

    def _from_structured(self, authors: list[dict]) -> Byline:
        result = Byline()
        for author in authors:
            parsed = self.bylines.parse(author.get("raw") or author.get("name"))
            result.people.extend(parsed.people)
            if parsed.credit and not result.credit:
                result.credit, result.credit_raw = parsed.credit, parsed.credit_raw
        return result

    def syndication(self, item: Article, publisher: Publisher, counts: Counter[str]) -> None:
        """A trailing credit line ("THE SUNDAY TIMES", "— AFP") becomes `syndication`, out of
        the body; else the URL section (/world/the-times/) is the evidence."""
        self._credit(item, publisher, counts)
        links = getattr(item, "original_links", None)
        if item.syndication and links and item.syndication.get("source") in links:
            item.syndication = {**item.syndication, "url": links[item.syndication["source"]]}
            counts["syndication/original_url"] += 1

    def _credit(self, item: Article, publisher: Publisher, counts: Counter[str]) -> None:
        found = self._trailing_credit(item.body)
        if found is not None:
            body, credit = found
            item.body = body
            if fold(credit["source"]) == fold(publisher.title):
                # A masthead signing its own story is not syndication: the line is furniture.
                item.chrome_removed = [*item.chrome_removed, credit["raw"]]
                counts["syndication/own_masthead"] += 1
                return
            item.syndication = credit  # the story's own closing line outranks the byline
            counts["syndication/from_body"] += 1
            return
        if item.syndication:
            return
        url = item.canonical_url or item.url
        for path, source in publisher.group.syndication_sections.items():
            if url and path in url:
                item.syndication = {"source": source, "raw": path}
                counts["syndication/from_section"] += 1
                return

    def _trailing_credit(self, body: list[str]) -> tuple[list[str], dict] | None:
        if not body:
            return None
        last = body[-1]
        credit = self.credits.lookup(last)
        if credit:
            return body[:-1], {"source": credit.source, "raw": last}
        signed = self.credits.sign_off(last)
        if signed:
            text, raw, credit = signed
            return [*body[:-1], text], {"source": credit.source, "raw": raw}
        return None

    def paywall(self, item: Article, counts: Counter[str]) -> None:
        """Settle `paywall` from the parser's declared signals and what the body holds (§5)."""
        before = dict(item.paywall or {})
        session = bool(before.get("session"))
        evidence = [e for e in before.get("evidence") or [] if isinstance(e, str)]
        botwall = next((e.split(":", 1)[1] for e in evidence if e.startswith("botwall:")), None)
        body = list(item.body)
        if body and is_subscribe_prompt(body[-1]):
            # A subscribe prompt printed inside the story container is page furniture.
            item.body = body[:-1]
            item.chrome_removed = [*item.chrome_removed, body[-1]]
            counts["paywall/prompt_removed"] += 1
        result = classify(
            list(item.body),
            [e for e in evidence if not e.startswith("botwall:")],
            removed=list(item.chrome_removed),
            botwall=botwall,
            session=session,
            thresholds=self.thresholds,
            ended=counts["syndication/from_body"] > 0,
        )
        if session:
            result["session"] = True
        item.paywall = result
        if any(e.startswith("contradiction:") for e in result["evidence"]):
            counts["paywall/contradiction"] += 1

    def dates(self, item: Article, counts: Counter[str], now: datetime) -> None:
        """A published date more than a day ahead is flagged and not kept: the raw text stays
        in published_raw, and the stat and the log say so."""
        when = parse_iso(item.published)
        if when is not None and when - now > FUTURE_SLACK:
            logger.warning(
                "published date %s is in the future, not kept: %s", item.published, item.url
            )
            counts["date_future"] += 1
            item.published = None

    # -- the last gate -----------------------------------------------------------------------
    def validated(self, item: Article, counts: Counter[str]) -> Outcome:
        """Derived fields settled, then the JSON Schema; a failing item is dropped."""
        item.word_count = word_count(item.body)  # every stage may change the body: count last
        try:
            self.validate(_as_dict(item))
        except fastjsonschema.JsonSchemaValueException as error:
            reason = drop_reason(error)
            counts[f"dropped/{reason}"] += 1
            counts["dropped"] += 1
            # fastjsonschema's message already names the field ("data.headline must be ...").
            return Outcome(None, reason, error.message, counts)
        counts["items/valid"] += 1
        return Outcome(item, counts=counts)


def _as_dict(item: Article) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every nested value; the validator only reads them.
    return {name: getattr(item, name) for name in _ARTICLE_FIELDS}


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else None


def drop_reason(error: fastjsonschema.JsonSchemaValueException) -> str:
    """A short stat-friendly reason: `missing_headline`, `empty_body`, `invalid_published`..."""
    path = [p for p in (error.path or []) if isinstance(p, str) and p != "data"]
    name = path[0] if path else "item"
    if error.rule == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "field"
        return f"missing_{missing}" if name == "item" else f"invalid_{name}"
    if error.value is None:
        return f"missing_{name}"
    if error.rule in {"minItems", "minLength"}:
        return f"empty_{name}"
    return f"invalid_{name}"


def load_schema() -> dict[str, Any]:
    text = resources.files("newsbite.schema").joinpath("article.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def default_chain() -> Chain:
    return Chain.from_settings()


# --- one call for one page ---------------------------------------------------------------------


def process(item: Article | Mapping[str, Any], publisher: Publisher) -> Outcome:
    """The normalisers and validation on one parsed story (an Article or a parser's fields)."""
    if not isinstance(item, Article):
        item = to_article(item, publisher, str(item.get("url") or ""))
    return default_chain().run(item, publisher)


def publisher_for(url: str, name: str | None = None) -> Publisher:
    """The named publisher, else the one whose domain serves `url`, else a generic one."""
    if name:
        from newsbite.publishers import get

        return get(name)
    return for_url(url) or generic_for(url)


def extract(url: str, html: str | bytes, publisher: Publisher | None = None) -> Outcome:
    """One saved page through the whole chain: parse, normalise, validate."""
    if isinstance(html, bytes):
        sel = Selector(body=html, type="html", base_url=url)
    else:
        sel = Selector(text=html, type="html", base_url=url)
    return extract_selector(url, sel, publisher)


def extract_selector(url: str, sel: Selector, publisher: Publisher | None = None) -> Outcome:
    """An already parsed page (a crawl's classified Selector) through the whole chain."""
    publisher = publisher or publisher_for(url)
    fields_ = extract_fields(url, sel, publisher)
    article = to_article(fields_, publisher, url)
    outcome = default_chain().run(article, publisher)
    outcome.counts.update(problem_counts_of(fields_))
    if article.extractor and article.extractor.startswith(GENERIC_EXTRACTOR):
        if publisher.group.articles:
            outcome.counts["extract/generic_fallback"] += 1
    return outcome
