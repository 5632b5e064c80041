"""Chrome: page furniture (comment prompts, login and topic lines), matched on whole paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbite.text import fold
from newsbite.vocab import load_vocab


@dataclass(frozen=True)
class ChromeMatcher:
    phrases: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def from_vocab(cls, vocab: dict) -> ChromeMatcher:
        return cls(
            phrases=frozenset(fold(p) for p in vocab.get("phrases", [])),
            patterns=tuple(re.compile(p, re.I | re.S) for p in vocab.get("patterns", [])),
        )

    @classmethod
    def default(cls, path: str | None = None) -> ChromeMatcher:
        return cls.from_vocab(load_vocab("chrome", path))

    def is_chrome(self, paragraph: str) -> bool:
        key = fold(paragraph)
        return key in self.phrases or any(p.fullmatch(key) for p in self.patterns)

    def split(self, paragraphs: list[str]) -> tuple[list[str], list[str]]:
        """(kept, removed), each in page order."""
        kept, removed = [], []
        for paragraph in paragraphs:
            (removed if self.is_chrome(paragraph) else kept).append(paragraph)
        return kept, removed
