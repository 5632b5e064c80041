"""`newsbite merge a.jsonl b.jsonl [-o out.jsonl] [--link-copies]`: one line per story.

Workers of a distributed crawl each write their own JSONL; a story can be in two of them (a
worker killed after writing it, its request crawled again by another). Merge keeps, per
(site, id), the highest ``version``, then the latest ``scraped_at``, in the order stories
first appear, and says on stderr how many duplicates it removed. A directory argument means
every ``*.jsonl`` in it. Lines that are not JSON objects with a site and an id are skipped
with a warning naming the file and line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbite import exitcodes
from newsbite.items import feed_items


@dataclass
class MergeResult:
    items: list[dict[str, Any]]
    lines: int = 0
    duplicates: int = 0
    bad: list[str] = field(default_factory=list)  # "file:line: reason"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="FEED", help="JSONL files or folders")
    parser.add_argument("-o", "--output", help="write here (default: standard output)")
    parser.add_argument(
        "--link-copies",
        action="store_true",
        help="mark near-duplicate stories (same_story_as) with newsbite.linking",
    )
    parser.add_argument(
        "--collapse",
        action="store_true",
        help="keep one item per group of copies (the original publisher's), listing the "
        "others' ids in same_story_as; implies --link-copies",
    )


def expand(inputs: Iterable[str]) -> list[Path]:
    """Files as given; a folder gives its ``*.jsonl`` files, sorted. UsageError-style
    ValueError for a path that does not exist."""
    paths: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            paths.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            paths.append(path)
        else:
            raise ValueError(f"no such file or folder: {name}")
    return paths


def read_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(line number, item or None, reason when None): a story needs its site and id."""
    return feed_items(path, ("site", "id"), "no site and id")


def rank(item: dict[str, Any]) -> tuple[int, str]:
    """Which copy wins: the highest version, then the latest scrape."""
    try:
        version = int(item.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    return version, str(item.get("scraped_at") or "")


def merge(paths: Iterable[Path]) -> MergeResult:
    best: dict[tuple[str, str], dict[str, Any]] = {}
    result = MergeResult(items=[])
    for path in paths:
        for number, item, reason in read_lines(path):
            result.lines += 1
            if item is None:
                result.bad.append(f"{path}:{number}: {reason}")
                continue
            key = (str(item["site"]), str(item["id"]))
            kept = best.get(key)
            if kept is None:
                best[key] = item  # dicts keep insertion order: first appearance
                continue
            result.duplicates += 1
            if rank(item) > rank(kept):
                best[key] = item
    result.items = list(best.values())
    return result


def link_copies(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from newsbite.linking import link_items  # MinHash; only when asked for

    return list(link_items(items))


def _is_original_of(item: dict[str, Any], group: list[dict[str, Any]]) -> bool:
    """The item's publisher is the source another member credits (The Times' story, when
    The Australian's copy says `syndication.source: The Sunday Times`)."""
    from newsbite.normalise.original import source_domains
    from newsbite.publishers import for_url

    publisher = for_url(str(item.get("url") or ""))
    if publisher is None:
        return False
    for other in group:
        source = (other.get("syndication") or {}).get("source")
        if other is not item and source and set(source_domains(source)) & set(publisher.domains):
            return True
    return False


def _keeper_rank(item: dict[str, Any], group: list[dict[str, Any]], order: int) -> tuple:
    """Which copy stays: the credited source's own item, then one that credits nobody,
    then the earliest published, then feed order."""
    return (
        not _is_original_of(item, group),
        bool(item.get("syndication")),
        str(item.get("published") or "9999"),
        order,
    )


def collapse(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """One item per group of linked copies (same_story_as), in feed order of the kept ones;
    the kept item lists every dropped copy's id. Returns (items, copies dropped)."""
    by_id = {str(item["id"]): item for item in items}
    order = {str(item["id"]): n for n, item in enumerate(items)}
    dropped: set[str] = set()
    kept: list[dict[str, Any]] = []
    for item in items:
        story_id = str(item["id"])
        if story_id in dropped:
            continue
        ids = [story_id, *(i for i in item.get("same_story_as") or [] if i in by_id)]
        group = [by_id[i] for i in dict.fromkeys(ids)]
        if len(group) == 1:
            kept.append(item)
            continue
        keeper = min(group, key=lambda g: _keeper_rank(g, group, order[str(g["id"])]))
        copies = [str(g["id"]) for g in group if g is not keeper]
        keeper["same_story_as"] = list(dict.fromkeys([*keeper.get("same_story_as", []), *copies]))
        dropped.update(copies)
        if str(keeper["id"]) in dropped:
            continue
        dropped.add(str(keeper["id"]))
        kept.append(keeper)
    kept.sort(key=lambda g: order[str(g["id"])])
    return kept, len(items) - len(kept)


def write(items: Iterable[dict[str, Any]], output: str | None) -> None:
    lines = (json.dumps(item, ensure_ascii=False) + "\n" for item in items)
    if not output:
        sys.stdout.writelines(lines)
        return
    # Through a temporary file and a rename: -o may name one of the inputs.
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(lines)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    try:
        paths = expand(args.inputs)
    except ValueError as exc:
        print(f"newsbite merge: {exc}", file=sys.stderr)
        return exitcodes.USAGE
    if not paths:
        print("newsbite merge: no *.jsonl files in the folders given", file=sys.stderr)
        return exitcodes.USAGE
    result = merge(paths)
    for line in result.bad:
        print(f"newsbite merge: WARNING skipped {line}", file=sys.stderr)
    items = result.items
    collapsed = 0
    if args.link_copies or args.collapse:
        try:
            items = link_copies(items)
        except ImportError as exc:
            print(f"newsbite merge: --link-copies needs newsbite.linking: {exc}", file=sys.stderr)
            return exitcodes.USAGE
    if args.collapse:
        items, collapsed = collapse(items)
    write(items, args.output)
    print(
        f"newsbite merge: {len(paths)} files, {result.lines} lines, {len(items)} stories, "
        f"{result.duplicates} duplicates removed, {len(result.bad)} bad lines skipped",
        file=sys.stderr,
    )
    if args.collapse:
        print(
            f"newsbite merge: {collapsed} copies collapsed into the stories they copy",
            file=sys.stderr,
        )
    return exitcodes.OK
