"""Small text helpers shared by the extractors and the pipelines."""

from __future__ import annotations

import re
import unicodedata

from parsel import Selector

_SPACE = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Collapse whitespace (NBSP included) and normalise to NFC."""
    if not text:
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def node_text(node: Selector) -> str:
    """The visible text of one element, whitespace-collapsed."""
    # Text nodes are joined as printed (inline links sit inside words' spacing);
    # a <br> is the only inline element that stands for a space.
    parts = node.xpath(".//text()[not(ancestor::script or ancestor::style)] | .//br").getall()
    return clean("".join(" " if part.startswith("<br") else part for part in parts))


def first_text(sel: Selector, css_list: tuple[str, ...]) -> str | None:
    """Text of the first selector in the list that matches something non-empty."""
    for css in css_list:
        for node in sel.css(css):
            text = node_text(node)
            if text:
                return text
    return None


def first_attr(sel: Selector, css_list: tuple[str, ...]) -> str | None:
    """First non-empty value of selectors ending in ::attr(...)."""
    for css in css_list:
        value = clean(sel.css(css).get())
        if value:
            return value
    return None


def fold(text: str) -> str:
    """A comparison key: case-folded, whitespace-collapsed, curly quotes made straight."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return clean(text.replace("\u201d", '"')).casefold()


def word_count(paragraphs: list[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)
