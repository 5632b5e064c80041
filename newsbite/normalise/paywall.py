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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from lxml import etree
from parsel import Selector

from newsbite.text import any_of, fold
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

    def __post_init__(self) -> None:
        # One alternation per list: a sentence costs one regex call, not one per pattern.
        # Verdicts are remembered per line (bounded): the chrome stage, the paywall stage and
        # `classify` ask about the same paragraphs of one story.
        object.__setattr__(self, "_any_prompt", any_of(self.prompts))
        object.__setattr__(self, "_any_action", any_of(self.actions))
        object.__setattr__(self, "_verdict", lru_cache(maxsize=4096)(self._matches))

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
        return self._verdict(paragraph)  # type: ignore[attr-defined]

    def _matches(self, paragraph: str) -> bool:
        text = fold(paragraph)
        if not text or len(text) >= self.max_chars:
            return False
        found_prompt = False
        any_prompt, any_action = self._any_prompt, self._any_action  # type: ignore[attr-defined]
        for sentence in _sentences(text):
            if any_prompt.fullmatch(sentence):
                found_prompt = True
            elif not any_action.fullmatch(sentence):
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
def default_prompts() -> PromptMatcher:
    """The bundled vocabulary's matcher, built once (its verdict cache is shared)."""
    return PromptMatcher.default()


def __getattr__(name: str) -> object:
    # SUBSCRIBE_PROMPTS was a module constant before the vocabulary: kept for old importers.
    if name == "SUBSCRIBE_PROMPTS":
        return default_prompts().prompts
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
    return default_prompts().matches(paragraph)


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
    root = sel.root
    if not hasattr(root, "iter"):
        return []
    body = next(root.iter("body"), None)
    if body is None:
        return []
    for text in _prompt_sized_lines(body):
        if is_subscribe_prompt(text):
            return [PAGE_PROMPT]
    return []


PAGE_PROMPT = "page:subscribe-prompt"
# Where a prompt line may stand, what is never content, and the blocks that make an element a
# wrapper rather than a line.
_LINE_TAGS = frozenset({"p", "div", "span", "h2", "h3", "h4", "strong", "li", "section"})
_NOT_CONTENT = frozenset({"header", "nav", "footer", "aside", "script", "style", "noscript"})
_NOT_CONTENT_ROLES = frozenset({"banner", "navigation"})
_BLOCK_TAGS = frozenset({"p", "div", "section", "li"})
_LINE_MIN, _LINE_MAX = 10, 300
# Text a reader sees: a <div> holding a 100 kB state <script> is not a 100 kB line.
_SEEN_TEXT = etree.XPath(
    "descendant::text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]",
    smart_strings=False,
)


def _is_content(element: etree._Element) -> bool:
    tag = element.tag
    return (
        isinstance(tag, str)  # comments and processing instructions are not
        and tag not in _NOT_CONTENT
        and tag != "template"
        and element.get("role") not in _NOT_CONTENT_ROLES
    )


def _prompt_sized_lines(body: etree._Element) -> Iterator[str]:
    """The whitespace-collapsed text of every line-like element of the body's content (one
    with no block children), 11 to 299 characters long, in document order.

    One walk of the tree that never enters header, navigation, footer, aside or script
    subtrees: an XPath with ancestor tests and two string values per element costs time in
    the page size times its depth (12 ms on a 230 kB page against 1 ms here)."""
    stack = [child for child in reversed(body) if _is_content(child)]
    while stack:
        element = stack.pop()
        children = list(element)
        if element.tag in _LINE_TAGS and not any(c.tag in _BLOCK_TAGS for c in children):
            text = " ".join("".join(_SEEN_TEXT(element)).split())
            if _LINE_MIN < len(text) < _LINE_MAX:
                yield text
        stack.extend(child for child in reversed(children) if _is_content(child))


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
