"""Access classification: free / subscriber / botwall / unknown, from combined signals (DESIGN §5).

Pure: the declared signals a parser found (JSON-LD ``isAccessibleForFree``, ``hasPart``
paywalled sections, paywall markup) are weighed against what the body actually holds. Publishers
mislabel, so the body has the last word: a story declared not free whose full body is present is
``free`` (the contradiction is kept in the evidence); one declared free whose body stops short
at a subscribe prompt is ``subscriber``.

Evidence strings are stable, machine-readable tokens, e.g. ``jsonld:isAccessibleForFree=false``,
``body:full(14p,612w)``, ``body:subscribe-prompt``,
``contradiction:declared-not-free-but-full-body``, ``page:subscribe-prompt``,
``body:ends-mid-sentence``.

Subscriber prompts ("Subscribe to The Australian to continue reading", "Already a subscriber?
Log in", in many wordings) are data: newsbite/vocab/paywall.json, read by `PromptMatcher`.
They are page furniture wherever they sit in the body: the chrome stage removes them
(newsbite.normalise.chrome) and `classify` counts them as evidence of a cut story, as it does
a prompt found elsewhere in the page (`page_prompt_evidence`) when the body is not whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from parsel import Selector

from newsbite.text import fold
from newsbite.vocab import load_vocab

FREE, SUBSCRIBER, BOTWALL, UNKNOWN = "free", "subscriber", "botwall", "unknown"
STATUSES = (FREE, SUBSCRIBER, BOTWALL, UNKNOWN)


@dataclass(frozen=True)
class PromptMatcher:
    """Subscriber prompt lines, from the `paywall` vocabulary (newsbite/vocab/paywall.json).

    A line is a prompt when it is short and every sentence of it is a prompt or an action
    ("Log in"), at least one a prompt: "This story is for subscribers only. Subscribe to
    continue reading, or log in if you are already a subscriber." is one; "Subscribers to the
    newsletter were told on Monday ..." is story text.
    """

    prompts: tuple[re.Pattern[str], ...]
    actions: tuple[re.Pattern[str], ...]
    max_chars: int = 300

    @classmethod
    def from_vocab(cls, vocab: dict) -> PromptMatcher:
        parts = vocab.get("parts", {})

        def compile_all(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(_expand(p, parts)) for p in patterns)

        return cls(
            prompts=compile_all(vocab.get("prompt", [])),
            actions=compile_all(vocab.get("action", [])),
            max_chars=int(vocab.get("max_chars", 300)),
        )

    @classmethod
    def default(cls, path: str | None = None) -> PromptMatcher:
        return cls.from_vocab(load_vocab("paywall", path))

    def matches(self, paragraph: str) -> bool:
        text = fold(paragraph)
        if not text or len(text) >= self.max_chars:
            return False
        found_prompt = False
        for sentence in _sentences(text):
            if any(p.fullmatch(sentence) for p in self.prompts):
                found_prompt = True
            elif not any(p.fullmatch(sentence) for p in self.actions):
                return False  # a sentence of story text: the line is not a prompt
        return found_prompt


def _expand(pattern: str, parts: dict[str, str]) -> str:
    # Only {name} of a known part is replaced: regex quantifiers such as {0,3} stay.
    return re.sub(r"\{([a-z_]+)\}", lambda m: parts.get(m.group(1), m.group(0)), pattern)


# Sentence ends (also "subscriber?Log in", printed without a space) and bar/bullet separators.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s*(?=[a-z$])|\s+[|\u00b7\u2022]\s+")
_LEAD = re.compile(r"^[^a-z0-9$]+|^please ")
_TRAIL = re.compile(r"[^a-z0-9$)]+$")


def _sentences(folded: str) -> list[str]:
    out = []
    for piece in _SENTENCE_BREAK.split(folded):
        sentence = _TRAIL.sub("", _LEAD.sub("", _LEAD.sub("", piece.strip())))
        if sentence:
            out.append(sentence)
    return out


@cache
def _default_prompts() -> PromptMatcher:
    return PromptMatcher.default()


def __getattr__(name: str) -> object:
    # SUBSCRIBE_PROMPTS was a module constant before the vocabulary: kept for old importers.
    if name == "SUBSCRIBE_PROMPTS":
        return _default_prompts().prompts
    raise AttributeError(name)


@dataclass(frozen=True)
class Thresholds:
    """What counts as a full body vs a body that stops short."""

    full_paragraphs: int = 5  # at least this many paragraphs ...
    full_words: int = 150  # ... and this many words is a full body
    short_paragraphs: int = 3  # at most this many paragraphs, or ...
    short_words: int = 90  # ... this few words, is a body that stops short


DEFAULT = Thresholds()


def is_subscribe_prompt(paragraph: str) -> bool:
    """Whether a whole paragraph is a subscriber prompt (see `PromptMatcher`)."""
    return _default_prompts().matches(paragraph)


def ends_mid_sentence(paragraph: str) -> bool:
    """A paragraph a paywall cut: it ends in an ellipsis, or on a word or comma. A closing
    line in capitals ("LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR") is the writer's
    tagline, printed whole without a full stop: not a cut."""
    text = paragraph.rstrip()
    if text.endswith(("...", "\u2026")):
        return True
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return False
    return bool(re.search(r"[\w,;\u2013-]$", text))


def page_prompt_evidence(sel: Selector) -> list[str]:
    """[PAGE_PROMPT] when a subscriber prompt is printed anywhere in the page's content (also
    after the story container, where the parser does not read), else [].

    Header, navigation, footer and aside furniture is skipped: "Subscribe" buttons live there
    on free pages too. Add the result to the parser's access evidence before `classify`; a
    page prompt only marks a story subscriber when its body is not whole.
    """
    # lxml elements and one string() each: a parsel Selector per node costs more than the test
    for element in sel.root.xpath(_PROMPT_NODES):
        text = element.xpath("normalize-space()")
        if text and is_subscribe_prompt(text):
            return [PAGE_PROMPT]
    return []


PAGE_PROMPT = "page:subscribe-prompt"
_PROMPT_NODES = (
    "//body/descendant::*[self::p or self::div or self::span or self::h2 or self::h3 or self::h4"
    " or self::strong or self::li or self::section]"
    "[not(ancestor-or-self::header or ancestor-or-self::nav or ancestor-or-self::footer"
    " or ancestor-or-self::aside or ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor-or-self::*[@role='banner' or @role='navigation'])]"
    "[not(*[self::p or self::div or self::section or self::li])]"
    "[string-length(normalize-space()) > 10 and string-length(normalize-space()) < 300]"
)


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
    ended: bool = False,
) -> dict:
    """{status, evidence} for one story.

    body      the story paragraphs as they stand (chrome already removed)
    evidence  the parser's declared signals (``paywall.evidence``); kept, in order, first
    removed   paragraphs an earlier stage removed as chrome (a subscribe prompt may be there)
    botwall   the bot-wall signal, when the page was a wall rather than a story
    session   the page was fetched with the subscriber's own session cookies
    ended     the story's own closing credit line ("THE TIMES", "— AFP") was on the page: its
              end is there, so a short body is a short story, not a cut one
    """
    found = list(dict.fromkeys(evidence))  # keep order, drop repeats
    if botwall:
        return {"status": BOTWALL, "evidence": [*found, f"botwall:{botwall}"]}

    paragraphs = [p for p in body if p and p.strip()]
    # A prompt is furniture wherever it sits in the body (first, last, a trailing run).
    story = [p for p in paragraphs if not is_subscribe_prompt(p)]
    prompt_in_body = len(story) < len(paragraphs)
    paragraphs = story
    n_par = len(paragraphs)
    n_words = sum(len(p.split()) for p in paragraphs)
    ends_cut = n_par > 0 and ends_mid_sentence(paragraphs[-1])
    whole_length = n_par >= thresholds.full_paragraphs and n_words >= thresholds.full_words
    # A credit line closes a story printed to its end; a cut preview never reaches it.
    full = whole_length or (ended and n_par > 0 and not ends_cut and not prompt_in_body)
    short = n_par <= thresholds.short_paragraphs or n_words <= thresholds.short_words
    # A prompt elsewhere in the page (PAGE_PROMPT, from `page_prompt_evidence`) may be site
    # furniture on a free page: it only speaks for a body that is not whole.
    page_prompt = PAGE_PROMPT in found and (not full or ends_cut)
    prompt_here = prompt_in_body or any(is_subscribe_prompt(p) for p in removed)
    prompt = prompt_here or page_prompt

    declared = declared_free(found)
    walled = paywall_markup(found)
    says_locked = declared is False or bool(walled)

    if prompt_here:
        found.append("body:subscribe-prompt")
    if n_par == 0:
        found.append("body:empty")
    elif full:
        found.append(f"body:full({n_par}p,{n_words}w)")
        if not whole_length:
            found.append("body:ends-with-credit")
    elif short:
        found.append(f"body:short({n_par}p,{n_words}w)")
    else:
        found.append(f"body:partial({n_par}p,{n_words}w)")
    if ends_cut and prompt:
        found.append("body:ends-mid-sentence")
    if session:
        found.append("session:subscriber")

    # A whole-length preview that stops mid-sentence at a prompt is cut too.
    cut = n_par > 0 and (
        (prompt and (not full or ends_cut)) or (not full and short and says_locked)
    )
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
