"""Recognise bot walls and challenge pages: answers that look like pages but hold no story."""

from __future__ import annotations

import re

from lxml import etree
from parsel import Selector

from newsbite.text import clean

# (signal name, pattern on the <title> or first heading); kept as data so new walls are one line.
WALL_TITLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("no-cookies", re.compile(r"^no cookies\b", re.I)),
    ("cloudflare-challenge", re.compile(r"^(just a moment|attention required)", re.I)),
    ("access-denied", re.compile(r"^access denied\b", re.I)),
    ("captcha", re.compile(r"captcha|are you a robot|verify you are human", re.I)),
)
# (signal, a token the raw text must hold, the CSS that confirms it): the token test is a
# substring search, so an ordinary page never pays for the CSS walk.
CHALLENGE_MARKUP: tuple[tuple[str, str, str], ...] = (
    ("cloudflare-challenge", "challenge-form", "#challenge-form"),
    ("cloudflare-challenge", "cf-challenge-running", "#cf-challenge-running"),
    ("cloudflare-challenge", "challenge-platform", "script[src*='challenge-platform']"),
    ("perimeterx", "px-captcha", "#px-captcha"),
    ("datadome", "captcha-delivery.com", "script[src*='captcha-delivery.com']"),
)


# Walls are small pages; a long page titled "No cookies for Santa" is a story.
MAX_WALL_TEXT = 2000
# Text that does not show: subtracted from the body's text, outermost elements only.
_HIDDEN = etree.XPath(
    "/html/body/descendant::*[self::script or self::style or self::noscript or self::template]"
    "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)
_BODY_TEXT = etree.XPath("string-length(normalize-space(/html/body))")
_TITLE = etree.XPath("normalize-space((//title)[1])")
_H1 = etree.XPath("//h1")


def detect_botwall(sel: Selector, text: str | None = None) -> str | None:
    """The name of the wall signal that fired, or None for an ordinary page.

    Cheap first: the <title> and <h1> against the wall patterns (two lookups), and only when
    one matches, the page's visible text length (one linear count). Challenge markup is looked
    for only when its token is in `text` (the decoded page, when the caller has it).
    """
    root = sel.root
    if not isinstance(root, etree._Element):
        return None
    titled = _wall_title(root)
    if titled is not None and visible_text_length(sel) <= MAX_WALL_TEXT:
        return titled
    for signal, token, css in CHALLENGE_MARKUP:
        if (text is None or token in text) and sel.css(css):
            return signal
    return None


def _wall_title(root: etree._Element) -> str | None:
    title = clean(_TITLE(root))
    heading = clean(" ".join(h.xpath("normalize-space(.)") for h in _H1(root)))
    for signal, pattern in WALL_TITLES:
        if any(h and pattern.search(h) for h in (title, heading)):
            return signal
    return None


def visible_text_length(sel: Selector) -> int:
    """Characters of text the body shows (whitespace runs count as one), in linear time.

    libxml2 evaluates `//text()[not(ancestor::script)]` far worse than linearly on large
    pages (15 s for a 20 MB page); the body's whole text minus its script/style elements'
    text is two C-level passes.
    """
    root = sel.root
    if not isinstance(root, etree._Element):
        return 0
    total = int(_BODY_TEXT(root))
    hidden = sum(len(node.xpath("normalize-space(.)")) for node in _HIDDEN(root))
    return max(0, total - hidden)
