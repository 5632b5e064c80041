"""Recognise bot walls and challenge pages: answers that look like pages but hold no story."""

from __future__ import annotations

import re

from parsel import Selector

from newsbite.text import clean

# (signal name, pattern on the <title> or first heading); kept as data so new walls are one line.
WALL_TITLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("no-cookies", re.compile(r"^no cookies\b", re.I)),
    ("cloudflare-challenge", re.compile(r"^(just a moment|attention required)", re.I)),
    ("access-denied", re.compile(r"^access denied\b", re.I)),
    ("captcha", re.compile(r"captcha|are you a robot|verify you are human", re.I)),
)
CHALLENGE_MARKUP = (
    (
        "cloudflare-challenge",
        "#challenge-form, #cf-challenge-running, script[src*='challenge-platform']",
    ),
    ("perimeterx", "#px-captcha"),
    ("datadome", "script[src*='captcha-delivery.com']"),
)


# Walls are small pages; a long page titled "No cookies for Santa" is a story.
MAX_WALL_TEXT = 2000


def detect_botwall(sel: Selector) -> str | None:
    """The name of the wall signal that fired, or None for an ordinary page."""
    if _visible_text_length(sel) <= MAX_WALL_TEXT:
        title = clean(sel.css("title::text").get())
        heading = clean(" ".join(sel.css("h1 ::text").getall()))
        for signal, pattern in WALL_TITLES:
            if any(h and pattern.search(h) for h in (title, heading)):
                return signal
    for signal, css in CHALLENGE_MARKUP:
        if sel.css(css):
            return signal
    return None


def _visible_text_length(sel: Selector) -> int:
    texts = sel.xpath("//body//text()[not(ancestor::script or ancestor::style)]").getall()
    return sum(len(t.strip()) for t in texts)
