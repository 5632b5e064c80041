"""Copies of one story, recognised by their body text (DESIGN §2 `same_story_as`).

A story The Australian republishes from The Times, a wire story printed by several mastheads:
the bodies are near-duplicates even when the headline is rewritten, the spelling localised
("Isis" -> "ISIS"), a credit line appended or page chrome left in. Each body becomes a set of
word shingles of its normalised text (case, accents and punctuation folded), summarised by a
MinHash signature (datasketch, fixed seed and permutations, so signatures are stable across
runs and processes). A MinHashLSH index finds candidates in sub-linear time; a candidate is
linked only when the estimated Jaccard similarity of the two signatures reaches
`LINK_THRESHOLD` as well, because LSH banding lets some lower pairs through.

Memory: bodies are never kept. Per story the linker holds the signature (NUM_PERM uint32
values, 624 bytes as a numpy array) and the LSH index's 8 band keys and buckets: about 3.1 kB
a story in all, measured with tracemalloc over 20,000 stories (155 MB for 50,000). So a crawl's
linker keeps a window: the `window` most recent stories (NEWSBITE_LINK_WINDOW, 10,000 by
default: about 31 MB however long the crawl), the oldest forgotten as each new one comes in.
The trade-off: a copy more than `window` stories after its original in one crawl is not linked
by the crawl; `newsbite merge --link-copies`, whose linker keeps every story of the feeds it
merges, still links them.

Pure: no Scrapy. The crawl's pipeline is newsbite.pipelines.linking; `newsbite merge
--link-copies` calls `link_items`.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

# Chosen by measurement on the positives and negatives of tests/test_linking.py (estimated
# Jaccard; 4-word shingles, 128 permutations; `pytest tests/test_linking.py -s` prints them):
# copies of the seed story (its Times original as is, upper-cased, with the credit line, with
# chrome left in; the raw seed text) score 0.83-0.97; invented stories with two paragraphs
# cut or edited 0.73-1.0; the seed cut to 75% of its paragraphs 0.63, to 60% 0.52. Ten
# different stories on one topic sharing two boilerplate paragraphs, names and vocabulary
# score at most 0.25 (true Jaccard 0.22) against each other and the seed. 0.5 lies between,
# several standard errors of the estimate (about 0.04 at 128 permutations) from each side.
LINK_THRESHOLD = 0.5
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"  # uint32 hash values: half the memory of the 64-bit schemes
SHINGLE_WORDS = 4  # word 4-grams: one changed word touches at most four shingles
MIN_WORDS = 30  # shorter bodies (teasers, stubs) are not fingerprinted: too few shingles
# LSH bands x rows. The chance that a pair becomes a candidate is 1 - (1 - J**2) ** 8:
# 0.90 at J = 0.5, 0.97 at 0.6, 0.995 at 0.7, 0.9997 at 0.8; 0.28 at 0.2 (same-topic
# pairs, then rejected by the Jaccard check). Memory grows with the bands (datasketch keeps
# a set per bucket, about 300 bytes a band): 8 bands measured 2.5 kB a story, datasketch's
# own choice for threshold 0.5 (30 bands of 4) 9 kB.
LSH_PARAMS = (8, 2)

_WORD = re.compile(r"[^\W_]+")  # letters and digits; punctuation and symbols separate words


@cache
def _no_marks() -> dict[int, None]:
    # str.translate with this table drops every combining mark in one C loop (built once).
    return dict.fromkeys(c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c)))


def normalise(text: str) -> list[str]:
    """Words of `text`, case-folded, accents and punctuation folded: "Isis ‘leader’",
    "ISIS 'leader'", "isis leader" and "Isís leader" give the same words."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_no_marks())
    return _WORD.findall(text.casefold())


def body_text(body: str | Sequence[str] | None) -> str:
    """A body as one text: an item's list of paragraphs, or a string as it is."""
    if not body:
        return ""
    if isinstance(body, str):
        return body
    return "\n".join(p for p in body if isinstance(p, str))


def shingles(words: Sequence[str], size: int = SHINGLE_WORDS) -> set[bytes]:
    """Overlapping word n-grams, encoded for hashing."""
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def _band_key(band: bytes) -> bytes:
    # The index keeps one key per band per story: an 8-byte digest instead of the band's raw
    # hash values (rows x 4 bytes) keeps that small; a collision only adds a candidate,
    # which the Jaccard check then rejects.
    return hashlib.blake2b(band, digest_size=8).digest()


class CopyLinker:
    """Stories seen so far, as signatures; `add` says which earlier ones a new body copies."""

    def __init__(
        self,
        threshold: float = LINK_THRESHOLD,
        num_perm: int = NUM_PERM,
        seed: int = SEED,
        shingle_words: int = SHINGLE_WORDS,
        min_words: int = MIN_WORDS,
        window: int | None = None,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
        if window is not None and window < 1:
            raise ValueError(f"window must be at least 1 story, not {window!r}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.min_words = min_words
        self.window = window  # None: every story is kept (merging feeds)
        self.evicted = 0  # stories forgotten to keep the window
        # Permutations made once from the seed and shared by every signature: making them is
        # most of the cost of a MinHash, and equal seeds give equal permutations anyway.
        self._permutations = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self._lsh = MinHashLSH(num_perm=num_perm, params=LSH_PARAMS, hashfunc=_band_key)
        # id -> uint32 hash values, oldest first: the order copies are reported in, and the
        # order the window forgets them.
        self._signatures: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._signatures

    def signature(self, body: str | Sequence[str] | None) -> MinHash | None:
        """The body's MinHash, or None when it has fewer than `min_words` words."""
        words = normalise(body_text(body))
        if len(words) < self.min_words:
            return None
        minhash = MinHash(
            num_perm=self.num_perm,
            permutations=self._permutations,
            scheme=SCHEME,
            # CRC-32 (C, deterministic across processes) instead of the default SHA-1: the
            # affine32 scheme mixes the input hash with MurmurHash3's finalizer before use.
            hashfunc=zlib.crc32,
        )
        minhash.update_batch(list(shingles(words, self.shingle_words)))
        return minhash

    def similarity(self, a: MinHash, item_id: str) -> float:
        """Estimated Jaccard similarity of `a` and the stored story `item_id`."""
        stored = self._signatures[item_id]
        return float(np.count_nonzero(a.hashvalues == stored)) / self.num_perm

    def copies_of(self, minhash: MinHash, exclude: str | None = None) -> list[str]:
        """Ids of stored stories whose estimated Jaccard with `minhash` reaches the
        threshold, in the order they were added."""
        found = [
            key
            for key in self._lsh.query(minhash)
            if key != exclude and self.similarity(minhash, key) >= self.threshold
        ]
        order = {key: n for n, key in enumerate(self._signatures)} if len(found) > 1 else {}
        return sorted(found, key=lambda key: order.get(key, 0))

    def add_signature(self, item_id: str, minhash: MinHash) -> list[str]:
        """Index `minhash` under `item_id`; the ids of earlier copies. An id already indexed
        (the same story seen again) is compared, not indexed twice."""
        earlier = self.copies_of(minhash, exclude=item_id)
        if item_id not in self._signatures:
            self._lsh.insert(item_id, minhash, check_duplication=False)
            self._signatures[item_id] = np.asarray(minhash.hashvalues, dtype=np.uint32).copy()
            self._keep_window()
        return earlier

    def _keep_window(self) -> None:
        """Forget the oldest stories beyond the window: their signatures and index entries."""
        if self.window is None:
            return
        while len(self._signatures) > self.window:
            oldest = next(iter(self._signatures))
            del self._signatures[oldest]
            self._lsh.remove(oldest)
            self.evicted += 1

    def add(self, item_id: str, body: str | Sequence[str] | None) -> list[str]:
        """Index one story's body; the ids of earlier stories it copies (or that copy it),
        oldest first. A body too short to fingerprint is not indexed: []."""
        minhash = self.signature(body)
        if minhash is None:
            return []
        return self.add_signature(item_id, minhash)


# --- whole feeds --------------------------------------------------------------------------


class _Groups:
    """Union-find over item positions: copies of copies are one story."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def link_items(
    items: Iterable[Mapping[str, Any]], linker: CopyLinker | None = None
) -> list[dict[str, Any]]:
    """The items (copies, in the same order) with `same_story_as` filled on every member of
    each group of copies, both directions: the ids of the other members in feed order, after
    the ids an item already listed. Links a crawl already made (a later copy naming an
    earlier one) join the groups too. Items of no group are returned unchanged."""
    out = [dict(item) for item in items]
    linker = linker or CopyLinker()
    groups = _Groups(len(out))
    position: dict[str, int] = {}
    for n, item in enumerate(out):
        item_id = str(item.get("id") or "")
        if not item_id:
            continue
        if item_id in position:  # the same id twice (two sites): one story already
            groups.union(position[item_id], n)
        position.setdefault(item_id, n)
        for earlier in linker.add(item_id, item.get("body")):
            groups.union(position[earlier], n)
    for n, item in enumerate(out):
        for listed in item.get("same_story_as") or []:
            if listed in position:
                groups.union(position[listed], n)
    members: dict[int, list[int]] = {}
    for n in range(len(out)):
        members.setdefault(groups.find(n), []).append(n)
    for group in members.values():
        if len(group) < 2:
            continue
        ids = [str(out[n].get("id")) for n in group]
        for n in group:
            own = str(out[n].get("id"))
            listed = list(out[n].get("same_story_as") or [])
            others = [i for i in dict.fromkeys(ids) if i != own and i not in listed]
            out[n]["same_story_as"] = listed + others
    return out
