"""Bylines as printed -> people (name, role, raw) and a credit when an agency or masthead is named.

"By JANE DOE, Middle East correspondent and Tom Roe" -> Jane Doe (Middle East Correspondent),
Tom Roe. "AFP" -> no people, credit AFP. "Jane Doe, The Times" -> Jane Doe, credit The Times.
"By JANE DOE Political Correspondent" (no comma) -> Jane Doe (Political Correspondent): the
case change from a name in capitals to a role in title case is the boundary (issue 9 item 7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from nameparser import HumanName

from newsbite.normalise.credits import Credit, CreditRegistry
from newsbite.text import clean, fold
from newsbite.vocab import load_vocab

_EMAIL = re.compile(r"\S+@\S+\.\w+")
_HANDLE = re.compile(r"(?:^|(?<=\s))(?:twitter:\s*)?@\w{1,30}\b", re.I)
_SEPARATORS = re.compile(r"\s+(?:and|&)\s+|\s*;\s*|\s*\|\s*|\s*\n\s*", re.I)
# Name prefixes printed in mixed case inside a name in capitals: McDONALD, MacKENZIE.
_CAPS_PREFIX = re.compile(r"^(?:Mc|Mac)(?=[A-Z])")


def is_caps_word(word: str) -> bool:
    """A word printed in capitals: JANE, O'BRIEN, McDONALD-SMITH (Mc/Mac may stay mixed)."""
    parts = [_CAPS_PREFIX.sub("", part) for part in re.split(r"[-'\u2019]", word)]
    letters = "".join(ch for part in parts for ch in part if ch.isalpha())
    return bool(letters) and letters.isupper()


class CapsNameRole:
    """Splits a name printed in capitals from a title-case role that follows it with no comma.

    "JANE CITIZEN Political Correspondent" -> ("JANE CITIZEN", "Political Correspondent").
    The role starts at the first word not in capitals; it is taken only when every word from
    there is in title case (or a small word such as "of", "at") and it names a role: its last
    word is a role word (Correspondent, Editor, Writer, Chief ...), or a role word is followed
    by a small word ("Editor at Large", "Correspondent in London"). Anything else ("JOHN SMITH
    National Press Club", a mixed-case "Jane Citizen Political Correspondent") is left whole:
    without the case change there is no boundary to trust.
    """

    def __init__(self, role_words: set[str], small_words: set[str]) -> None:
        self.role_words = role_words
        self.small_words = small_words

    def split(self, text: str) -> tuple[str, str | None]:
        words = text.split()
        cut = next((i for i, w in enumerate(words) if not is_caps_word(w)), len(words))
        name, role = words[:cut], words[cut:]
        if not name or not role or not self._is_role(role):
            return text, None
        return " ".join(name), " ".join(role)

    def _is_role(self, words: list[str]) -> bool:
        folded = [fold(w).strip(".,") for w in words]
        for word, key in zip(words, folded, strict=True):
            if key in self.small_words:
                continue
            if not word[:1].isupper() or is_caps_word(word) and len(word) > 4:
                return False  # lower case or a long word in capitals: not a printed role
        if folded[-1] in self.role_words:
            return True
        return any(a in self.role_words and b in self.small_words for a, b in pairwise(folded))


@dataclass
class Byline:
    people: list[dict] = field(default_factory=list)
    credit: Credit | None = None
    credit_raw: str | None = None


class BylineParser:
    def __init__(self, vocab: dict, credits: CreditRegistry) -> None:
        self.prefixes = sorted((fold(p) for p in vocab.get("prefixes", [])), key=len, reverse=True)
        self.not_people = {fold(p) for p in vocab.get("not_people", [])}
        self.role_words = {fold(w) for w in vocab.get("role_words", [])}
        self.small_words = {fold(w) for w in vocab.get("role_small_words", [])}
        self.caps_name_role = CapsNameRole(self.role_words, self.small_words)
        self.credits = credits

    @classmethod
    def default(cls, credits: CreditRegistry | None = None) -> BylineParser:
        return cls(load_vocab("bylines"), credits or CreditRegistry.default())

    def parse(self, raw: str | None) -> Byline:
        result = Byline()
        text = self._strip_contacts(clean(raw))
        text = self._strip_prefix(text)
        for piece in self._pieces(text):
            self._read_piece(piece, result)
        return result

    def _strip_contacts(self, text: str) -> str:
        text = _HANDLE.sub(" ", _EMAIL.sub(" ", text))
        return clean(text).strip(" ,;|")

    def _strip_prefix(self, text: str) -> str:
        lowered = text.casefold()
        for prefix in self.prefixes:
            if lowered.startswith(prefix + " "):
                return text[len(prefix) + 1 :].strip()
        return text

    def _pieces(self, text: str) -> list[str]:
        """Split on and, &, ";"; a role cut at its own "and" (Health and Science Editor) rejoins
        the piece before it when that piece already holds a role (after a comma or a name in
        capitals), unless the new piece is a person of its own ("TOM ROE Economics Editor")."""
        pieces: list[str] = []
        for piece in (p.strip(" ,") for p in _SEPARATORS.split(text)):
            if not piece:
                continue
            if (
                pieces
                and ("," in pieces[-1] or self.caps_name_role.split(pieces[-1])[1])
                and "," not in piece
                and self._is_role(piece)
                and self.caps_name_role.split(piece)[1] is None  # "TOM ROE Economics Editor"
            ):
                pieces[-1] = f"{pieces[-1]} and {piece}"
            else:
                pieces.append(piece)
        return pieces

    def _read_piece(self, piece: str, result: Byline) -> None:
        credit = self.credits.lookup(piece)
        if credit:
            result.credit, result.credit_raw = result.credit or credit, result.credit_raw or piece
            return
        if fold(piece) in self.not_people:
            return
        name, _, rest = (clean(s) for s in piece.partition(","))
        name, role = self.caps_name_role.split(name)
        person = {"name": proper_name(name), "raw": piece}
        if role:
            person["role"] = self.title_case(role)
        for extra in (clean(s) for s in rest.split(",") if clean(s)):
            extra_credit = self.credits.lookup(extra)
            if extra_credit:
                result.credit, result.credit_raw = (
                    result.credit or extra_credit,
                    result.credit_raw or extra,
                )
            elif "role" not in person:
                person["role"] = self.title_case(extra)
        if person["name"]:
            result.people.append(person)

    def _is_role(self, text: str) -> bool:
        words = [fold(w) for w in text.split()]
        return bool(words) and words[-1] in self.role_words

    def title_case(self, role: str) -> str:
        words = role.split()
        return " ".join(
            w.lower() if i and fold(w) in self.small_words else _cap_word(w)
            for i, w in enumerate(words)
        )


def proper_name(name: str) -> str:
    """Proper case for names printed in capitals or lower case; mixed case is kept as printed."""
    name = clean(name)
    in_capitals = all(is_caps_word(w) for w in name.split() if any(c.isalpha() for c in w))
    if not name or (not in_capitals and not name.islower()):
        return name
    human = HumanName(name)
    human.capitalize(force=True)
    return str(human) or name


def _cap_word(word: str) -> str:
    if word.isupper() and len(word) <= 4:  # acronyms in roles: "US Correspondent", "NSW Editor"
        return word
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
