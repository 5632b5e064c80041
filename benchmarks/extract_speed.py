"""Extraction speed of the News Corp AU parser against trafilatura, measured in the same run.

    python benchmarks/extract_speed.py [--rounds N]

Reads every story page bundled under fixtures/theaustralian/*/pages/, parses each with
newsbite's pure parser (the full pipeline normalisers included) and with trafilatura.extract,
and prints pages/s for both and the ratio. Absolute numbers depend on the machine; the ratio
is what to compare between commits.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from parsel import Selector

from newsbite.extract.newscorp_au import parse_article
from newsbite.normalise.bylines import BylineParser
from newsbite.normalise.captions import merge_images
from newsbite.normalise.chrome import ChromeMatcher

ROOT = Path(__file__).resolve().parent.parent


def story_pages() -> list[tuple[str, str]]:
    pages = []
    for manifest in sorted(ROOT.glob("fixtures/theaustralian/*/pages/pages.json")):
        for entry in json.loads(manifest.read_text("utf-8")):
            path = entry.get("file")
            if path and "/news-story/" in entry["url"]:
                pages.append((entry["url"], (manifest.parent / path).read_text("utf-8")))
    return pages


def newsbite_once(pages, chrome: ChromeMatcher, bylines: BylineParser) -> int:
    words = 0
    for url, html in pages:
        fields = parse_article(url, Selector(text=html))
        body, _ = chrome.split(fields["body"])
        merge_images(fields["images"])
        bylines.parse(fields["byline_raw"])
        words += sum(len(p.split()) for p in body)
    return words


def trafilatura_once(pages) -> int:
    import trafilatura

    words = 0
    for url, html in pages:
        text = trafilatura.extract(html, url=url, include_comments=False) or ""
        words += len(text.split())
    return words


def timed(fn, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pages = story_pages()
    chrome, bylines = ChromeMatcher.default(), BylineParser.default()
    newsbite_once(pages, chrome, bylines)  # warm-up: imports and caches on both sides
    trafilatura_once(pages)
    ours = timed(lambda: newsbite_once(pages, chrome, bylines), args.rounds)
    theirs = timed(lambda: trafilatura_once(pages), args.rounds)
    n = len(pages) * args.rounds
    print(f"pages: {len(pages)} x {args.rounds} rounds")
    print(f"newsbite newscorp_au: {n / ours:8.1f} pages/s")
    print(f"trafilatura.extract:  {n / theirs:8.1f} pages/s")
    print(f"speed ratio newsbite/trafilatura: {theirs / ours:.2f}")


if __name__ == "__main__":
    main()
