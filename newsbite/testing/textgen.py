"""Invented text for the simulator: words, names and paragraphs from a seeded RNG.

Nothing here is publisher text: words are built from syllables, so pages are free of copyright
and every page is the same bytes for the same (seed, index).
"""

from __future__ import annotations

import hashlib
import random

SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ga ge gi go ka ke ki ko ku la le li lo lu ma me "
    "mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi "
    "vo za ze zo bar den fel gor han kel lin mar nor pel ran sol tam ver wen yor zan"
).split()
# Ordinary English glue words, so sentences read like prose to boilerplate detectors.
GLUE = (
    "the a of to and in on for with at from by after before over under said says would could "
    "will was were has had that this their its new more than about"
).split()


def rng_for(*parts: object) -> random.Random:
    """A Random seeded from the parts: str seeds hash with SHA-512, stable across runs."""
    return random.Random(":".join(str(p) for p in parts))


def hex_digest(*parts: object, length: int = 32) -> str:
    return hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=32).hexdigest()[
        :length
    ]


def word(rng: random.Random, lo: int = 1, hi: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(lo, hi)))


def name(rng: random.Random) -> str:
    """An invented person: 'Belo Marvanti'."""
    return f"{word(rng, 2, 2).capitalize()} {word(rng, 2, 3).capitalize()}"


def sentence(rng: random.Random, lo: int = 8, hi: int = 20) -> str:
    words = [
        rng.choice(GLUE) if rng.random() < 0.4 else word(rng) for _ in range(rng.randint(lo, hi))
    ]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 4)) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def headline(rng: random.Random) -> str:
    words = [word(rng) for _ in range(rng.randint(5, 9))]
    words[rng.randrange(len(words))] = rng.choice(("minister", "council", "court", "voters"))
    return " ".join(words).capitalize()


def slugify(text: str) -> str:
    return "-".join("".join(c for c in w.lower() if c.isalnum()) for w in text.split() if w)
