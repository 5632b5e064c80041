"""JSON-LD reading shared by every parser: find the article node, read its fields tolerantly."""

from __future__ import annotations

from typing import Any

from extruct.jsonld import JsonLdExtractor
from parsel import Selector

from newsbite.text import clean

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "VideoObject",
        "WebPage",
    }
)
_EXTRACTOR = JsonLdExtractor()


def jsonld_nodes(sel: Selector) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph flattened; a broken script is skipped alone."""
    nodes: list[dict[str, Any]] = []
    for script in sel.xpath('//script[@type="application/ld+json"]'):
        try:
            items = _EXTRACTOR.extract_items(script.root)
        except ValueError:
            continue  # publishers ship invalid JSON-LD; the markup still has the story
        for item in items:
            if isinstance(item, dict):
                nodes.extend(g for g in item.get("@graph", [item]) if isinstance(g, dict))
    return nodes


def types_of(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", [])
    return {value} if isinstance(value, str) else {t for t in value if isinstance(t, str)}


def find_article(sel: Selector) -> dict[str, Any]:
    """The most article-like node ({} when none): a NewsArticle beats a WebPage."""
    best: dict[str, Any] = {}
    for node in jsonld_nodes(sel):
        kinds = types_of(node) & ARTICLE_TYPES
        if not kinds:
            continue
        if kinds - {"WebPage"}:
            return node
        best = best or node
    return best


def find_breadcrumbs(sel: Selector) -> list[str]:
    for node in jsonld_nodes(sel):
        if "BreadcrumbList" in types_of(node):
            items = sorted(
                (i for i in node.get("itemListElement", []) if isinstance(i, dict)),
                key=lambda i: int(i.get("position") or 0),
            )
            names = [text_of(i.get("name") or (i.get("item") or {}).get("name")) for i in items]
            return [n for n in names if n]
    return []


def text_of(value: Any) -> str | None:
    """A JSON-LD value as text: strings as they are, {"name": ...} by name, lists by first."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if value is None or isinstance(value, bool):
        return None
    return clean(str(value)) or None


def person_names(value: Any) -> list[tuple[str, str]]:
    """(name, @type) of each author; URLs posing as names are dropped."""
    values = value if isinstance(value, list) else [value]
    out = []
    for entry in values:
        name = text_of(entry)
        if not name or name.startswith(("http://", "https://")):
            continue
        kind = entry.get("@type", "Person") if isinstance(entry, dict) else "Person"
        out.append((name, kind if isinstance(kind, str) else "Person"))
    return out


def keywords(value: Any) -> list[str]:
    """keywords as a list, whether given as a list or one comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [k for k in (text_of(v) for v in value) if k]


def as_bool(value: Any) -> bool | None:
    """isAccessibleForFree comes as a boolean or as the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def image_url(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return clean(value) if isinstance(value, str) else None
