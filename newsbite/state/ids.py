"""Story keys a crawl remembers, held compactly: one small int per story.

A crawl remembers every story it wrote (the written-once guard, the closing summary) and, when
incremental, every story it decided. As ``(site, id)`` tuples of two strings that is about 250
bytes a story, 12 MB for 50,000; as a 64-bit BLAKE2b digest of the pair kept as an int in a
set it is about 80 bytes, like the fingerprints Scrapy's own dupefilter keeps per request.

The price is a collision: two different stories with one digest. Among n stories the chance of
any is about n**2 / 2**65 (3e-8 for a million), and its cost is one story taken for another (a
story not written as a duplicate, or counted unchanged), never a story written twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

StoryKey = tuple[str, str]  # (site, story id)


def key_digest(site: str, story_id: str) -> int:
    """The 64-bit digest of one (site, id) pair, the same in every process."""
    # NUL separates the two: no site name or id contains it, so ("ab", "c") != ("a", "bc").
    data = f"{site}\0{story_id}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def text_digest(text: str) -> int:
    """A 64-bit digest of a string (a content hash kept per story in memory)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


class StoryIds:
    """A set of (site, id) pairs: add, ``in``, ``len``, update, and the count two sets share."""

    __slots__ = ("_digests",)

    def __init__(self, keys: Iterable[StoryKey] = ()) -> None:
        self._digests: set[int] = set()
        self.update(keys)

    def add(self, key: StoryKey) -> None:
        self._digests.add(key_digest(*key))

    def update(self, keys: Iterable[StoryKey]) -> None:
        self._digests.update(key_digest(*key) for key in keys)

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        return key_digest(str(key[0]), str(key[1])) in self._digests

    def __len__(self) -> int:
        return len(self._digests)

    def common(self, other: StoryIds) -> int:
        """How many keys are in both sets."""
        return len(self._digests & other._digests)
