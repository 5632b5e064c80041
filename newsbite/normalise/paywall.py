"""Access classification: free / subscriber / botwall / unknown, from combined signals (DESIGN §5).

Pure: the declared signals a parser found (JSON-LD ``isAccessibleForFree``, ``hasPart``
paywalled sections, paywall markup) are weighed against what the body actually holds. Publishers
mislabel, so the body has the last word: a story declared not free whose full body is present is
``free`` (the contradiction is kept in the evidence); one declared free whose body stops short
at a subscribe prompt is ``subscriber``.

Evidence strings are stable, machine-readable tokens, e.g. ``jsonld:isAccessibleForFree=false``,
``body:full(14p,612w)``, ``body:subscribe-prompt``,
``contradiction:declared-not-free-but-full-body``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from newsbite.text import fold

FREE, SUBSCRIBER, BOTWALL, UNKNOWN = "free", "subscriber", "botwall", "unknown"
STATUSES = (FREE, SUBSCRIBER, BOTWALL, UNKNOWN)

# Whole-paragraph prompts that end a cut body (matched on fold()ed text; kept as data).
SUBSCRIBE_PROMPTS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"^(this (story|article|content) is (only )?(for|available to) (subscribers|members))",
        r"\b(subscribe|subscription) (now |today )?to (continue|keep) reading\b",
        r"^(continue|keep) reading (with|for) (a |your )?(subscription|subscriber|\$)",
        r"\balready a subscriber\??\b",
        r"^(subscribe|sign up|join) (now|today)?\s*(for|from) (only |just )?\$?\d",
        r"^(log|sign) ?in (or subscribe )?to (continue|read|unlock)",
        r"^unlock (this|the full) (story|article)",
        r"^(to )?(read|continue reading) (the full|this) (story|article),? "
        r"(please )?(subscribe|log ?in)",
        r"^subscribers only\b",
        r"^exclusive subscriber content\b",
    )
)


@dataclass(frozen=True)
class Thresholds:
    """What counts as a full body vs a body that stops short."""

    full_paragraphs: int = 5  # at least this many paragraphs ...
    full_words: int = 150  # ... and this many words is a full body
    short_paragraphs: int = 3  # at most this many paragraphs, or ...
    short_words: int = 90  # ... this few words, is a body that stops short


DEFAULT = Thresholds()


def is_subscribe_prompt(paragraph: str) -> bool:
    text = fold(paragraph)
    return len(text) < 300 and any(p.search(text) for p in SUBSCRIBE_PROMPTS)


def declared_free(evidence: Iterable[str]) -> bool | None:
    """What JSON-LD isAccessibleForFree said, if it said anything (the last word wins)."""
    value = None
    for e in evidence:
        if e.startswith("jsonld:isAccessibleForFree="):
            value = e.rsplit("=", 1)[1].strip().lower() == "true"
    return value


def paywall_markup(evidence: Iterable[str]) -> list[str]:
    """hasPart paywalled sections and paywall/subscribe elements the parser saw."""
    return [e for e in evidence if e.startswith(("jsonld:hasPart", "markup:"))]


def classify(
    body: Sequence[str],
    evidence: Iterable[str] = (),
    *,
    removed: Sequence[str] = (),
    botwall: str | None = None,
    session: bool = False,
    thresholds: Thresholds = DEFAULT,
) -> dict:
    """{status, evidence} for one story.

    body      the story paragraphs as they stand (chrome already removed)
    evidence  the parser's declared signals (``paywall.evidence``); kept, in order, first
    removed   paragraphs an earlier stage removed as chrome (a subscribe prompt may be there)
    botwall   the bot-wall signal, when the page was a wall rather than a story
    session   the page was fetched with the subscriber's own session cookies
    """
    found = list(dict.fromkeys(evidence))  # keep order, drop repeats
    if botwall:
        return {"status": BOTWALL, "evidence": [*found, f"botwall:{botwall}"]}

    paragraphs = [p for p in body if p and p.strip()]
    prompt_in_body = bool(paragraphs) and is_subscribe_prompt(paragraphs[-1])
    if prompt_in_body:
        paragraphs = paragraphs[:-1]
    prompt = prompt_in_body or any(is_subscribe_prompt(p) for p in removed)
    n_par = len(paragraphs)
    n_words = sum(len(p.split()) for p in paragraphs)
    full = n_par >= thresholds.full_paragraphs and n_words >= thresholds.full_words
    short = n_par <= thresholds.short_paragraphs or n_words <= thresholds.short_words

    declared = declared_free(found)
    walled = paywall_markup(found)
    says_locked = declared is False or bool(walled)

    if prompt:
        found.append("body:subscribe-prompt")
    if n_par == 0:
        found.append("body:empty")
    elif full:
        found.append(f"body:full({n_par}p,{n_words}w)")
    elif short:
        found.append(f"body:short({n_par}p,{n_words}w)")
    else:
        found.append(f"body:partial({n_par}p,{n_words}w)")
    if session:
        found.append("session:subscriber")

    cut = n_par > 0 and not full and (prompt or (short and says_locked))
    if prompt and n_par == 0:
        cut = True  # nothing but the prompt: the whole story is behind the wall

    if cut:
        status = SUBSCRIBER
        if declared is True:
            found.append("contradiction:declared-free-but-body-cut")
    elif full and not prompt:
        if says_locked and session:
            # The subscriber's own session opened it: the story is for subscribers.
            status = SUBSCRIBER
        else:
            status = FREE
            if says_locked:
                found.append("contradiction:declared-not-free-but-full-body")
    elif n_par == 0:
        status = SUBSCRIBER if says_locked else UNKNOWN
    elif says_locked:
        status = SUBSCRIBER
    elif declared is True:
        status = FREE
    elif prompt:
        status = SUBSCRIBER
    else:
        # A body and no access signal at all: nothing says it is locked.
        status = FREE
        found.append("no-paywall-signal")
    return {"status": status, "evidence": found}
