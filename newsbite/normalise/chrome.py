"""Chrome: page furniture (comment prompts, login and topic lines), matched on whole paragraphs.

Subscriber prompts ("Subscribe to continue reading", "Already a subscriber? Log in") are chrome
as a class, wherever they sit in the body: their patterns are the paywall vocabulary's
(`newsbite.normalise.paywall.PromptMatcher`), so one list serves both stages. A chrome
vocabulary may switch them off with ``"subscriber_prompts": false``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbite.normalise.paywall import PromptMatcher, default_prompts
from newsbite.text import any_of, fold
from newsbite.vocab import load_vocab


@dataclass(frozen=True)
class ChromeMatcher:
    phrases: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    prompts: PromptMatcher | None = None

    @classmethod
    def from_vocab(cls, vocab: dict) -> ChromeMatcher:
        with_prompts = vocab.get("subscriber_prompts", True)
        return cls(
            phrases=frozenset(fold(p) for p in vocab.get("phrases", [])),
            patterns=tuple(re.compile(p, re.I | re.S) for p in vocab.get("patterns", [])),
            prompts=default_prompts() if with_prompts else None,
        )

    @classmethod
    def default(cls, path: str | None = None) -> ChromeMatcher:
        return cls.from_vocab(load_vocab("chrome", path))

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any_pattern", any_of(self.patterns, re.I | re.S))

    def is_chrome(self, paragraph: str) -> bool:
        key = fold(paragraph)
        if key in self.phrases or self._any_pattern.fullmatch(key):  # type: ignore[attr-defined]
            return True
        return self.prompts is not None and self.prompts.matches(paragraph)

    def split(self, paragraphs: list[str]) -> tuple[list[str], list[str]]:
        """(kept, removed), each in page order."""
        kept, removed = [], []
        for paragraph in paragraphs:
            (removed if self.is_chrome(paragraph) else kept).append(paragraph)
        return kept, removed
