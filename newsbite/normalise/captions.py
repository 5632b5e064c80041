"""Image captions: kept once, with the printed credit ("Picture: AFP") split into `credit`."""

from __future__ import annotations

import re

from newsbite.text import clean, fold

# "Picture: AFP", "Photo: Getty Images", "Image: Supplied", "Pic: John Smith/AAP", "(Photo by X/Y)"
_CREDIT = re.compile(
    r"^(?P<caption>.*?)\s*(?:\((?:Picture|Photo|Pic|Image)s?(?::| by)\s*(?P<c1>[^()]+)\)"
    r"|(?:Picture|Photo|Pic|Image)s?(?::| by)\s*(?P<c2>[^:]+?))\s*\.?$",
    re.I | re.S,
)


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """(caption, credit) of a printed caption; a caption repeated back to back is kept once."""
    text = dedupe_repeat(clean(text))
    if not text:
        return None, None
    match = _CREDIT.match(text)
    if not match:
        return text, None
    credit = clean(match.group("c1") or match.group("c2"))
    caption = clean(match.group("caption"))
    return (caption or None), (credit or None)


def dedupe_repeat(text: str) -> str:
    """A caption printed twice back to back (figure and screen-reader copy) -> once."""
    half, rest = divmod(len(text), 2)
    for cut in (half, half + 1, half - 1):
        first, second = text[:cut].strip(), text[cut:].strip()
        if first and fold(first) == fold(second):
            return first
    return text


def merge_images(images: list[dict]) -> list[dict]:
    """One entry per image URL (or per caption when URLs are missing), first caption kept."""
    merged: dict[str, dict] = {}
    for image in images:
        caption, credit = split_credit(image.get("caption"))
        credit = image.get("credit") or credit
        key = image.get("url") or fold(caption or "")
        if not key:
            continue
        if key in merged:
            known = merged[key]
            known["caption"] = known["caption"] or caption
            known["credit"] = known["credit"] or credit
            continue
        merged[key] = {**image, "caption": caption, "credit": credit}
    return list(merged.values())


def caption_keys(images: list[dict]) -> set[str]:
    """Folded forms a caption may take in body text: with and without its credit."""
    keys = set()
    for image in images:
        caption, credit = image.get("caption"), image.get("credit")
        if caption:
            keys.add(fold(caption))
            if credit:
                keys.update(
                    {fold(f"{caption} Picture: {credit}"), fold(f"{caption} Photo: {credit}")}
                )
    return keys
