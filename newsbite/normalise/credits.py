"""The credit registry: printed forms of agencies and mastheads -> one canonical source."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsbite.text import clean, fold
from newsbite.vocab import load_vocab

# "— AFP", "- AAP", "(Reuters)" closing a paragraph: the wire's sign-off.
_SIGN_OFF = re.compile(
    r"^(?P<text>.*\S)\s*(?:[-\u2013\u2014]+\s*|\()(?P<credit>[^()\-\u2013\u2014]{2,40}?)\)?$", re.S
)


# "Credit: ABC via Storyful", "Source: AAP", "Video: via Reuters": a labelled credit line.
_LABELLED = re.compile(r"^(?:credit|source|video)s?\s*:\s*(?P<rest>.+)$")
# "Jane Doe via Storyful": a short line relaying an agency; a story sentence is longer.
_RELAYED = re.compile(r"^(?P<who>.{0,60}?)\bvia\s+(?P<credit>[^,;]{2,40})$")


@dataclass(frozen=True)
class Credit:
    source: str
    kind: str  # agency | masthead


class CreditRegistry:
    def __init__(self, vocab: dict) -> None:
        self._forms: dict[str, Credit] = {}
        for entry in vocab.get("sources", []):
            credit = Credit(entry["source"], entry.get("kind", "masthead"))
            for form in [entry["source"], *entry.get("forms", [])]:
                self._forms[fold(form)] = credit

    @classmethod
    def default(cls, path: str | None = None) -> CreditRegistry:
        return cls(load_vocab("credits", path))

    def lookup(self, printed: str | None) -> Credit | None:
        """The credit a whole line names ("THE SUNDAY TIMES", "AFP", "Credit: Jane Doe via
        Storyful"), else None. Picture credits are not looked up here: they belong to images."""
        if not printed:
            return None
        key = fold(printed).strip(" .:;,")
        found = self._forms.get(key)
        labelled = _LABELLED.match(key)
        if found is None and labelled:
            key = labelled.group("rest").strip(" .:;,")
            found = self._forms.get(key)
        relayed = _RELAYED.match(key) if found is None else None
        if relayed and (labelled or len(key.split()) <= 6):
            found = self._forms.get(relayed.group("credit").strip(" .:;,"))
        return found

    def sign_off(self, paragraph: str) -> tuple[str, str, Credit] | None:
        """(paragraph without it, raw credit, credit) for a paragraph ending "— AFP"."""
        match = _SIGN_OFF.match(clean(paragraph))
        if not match:
            return None
        credit = self.lookup(match.group("credit"))
        if credit is None:
            return None
        return match.group("text"), clean(match.group("credit")), credit
