"""JSON-LD reading shared by every parser: find the article node, read its fields tolerantly.

Every reader here is total: it takes any JSON value (strings, numbers, booleans, null, lists,
objects, lists of objects, nested ``@graph``) and never raises. A malformed optional field
costs that field, never the story.

Problems API. Each reader takes a keyword ``problems: list[str] | None``:

- given a list, a malformed value appends a short name and the reader returns what it can
  (None, [] or the usable part). Names: ``jsonld_invalid_json`` (a script that is not JSON),
  ``jsonld_bad_graph``, ``jsonld_bad_type`` (``@type`` not a string or list of strings),
  ``jsonld_bad_breadcrumbs``, ``jsonld_bad_position`` (a breadcrumb ``position`` that is not
  a number), ``jsonld_bad_<field>`` from `text_of` (``field=`` names it; ``jsonld_bad_text``
  by default), ``jsonld_bad_author``, ``jsonld_bad_keywords``, ``jsonld_bad_bool``,
  ``jsonld_bad_image``, ``jsonld_unsafe_url`` (a ``javascript:``/``data:`` image).
  The caller logs one WARNING per page naming the URL and the names, and counts each name
  once per page as ``newsbite/field_rejected/<name>``: ``newsbite.text.problem_counts`` maps
  a page's list to those stat names.
- given None (parsers written before issue 11), the reader logs the problem at WARNING itself.

    problems: list[str] = []
    ld = jsonld.find_article(sel, problems=problems)
    headline = jsonld.text_of(ld.get("headline"), problems=problems, field="headline")
    ...
    for stat, n in problem_counts(problems).items(): stats.inc_value(f"newsbite/{stat}", n)
"""

from __future__ import annotations

import math
from typing import Any

from extruct.jsonld import JsonLdExtractor
from parsel import Selector

from newsbite.text import clean, note

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
_MAX_NESTING = 6  # @graph inside @graph, {"name": {"@value": ...}}: deeper is not data
_UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")

Problems = list[str] | None


def jsonld_nodes(sel: Selector, *, problems: Problems = None) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph flattened; a broken script is skipped alone."""
    nodes: list[dict[str, Any]] = []
    for script in sel.xpath('//script[@type="application/ld+json"]'):
        try:
            items = _EXTRACTOR.extract_items(script.root)
        except Exception:  # json, jstyleson and deeply nested JSON all raise differently
            # Publishers ship invalid JSON-LD; the markup still has the story.
            note(problems, "jsonld_invalid_json", script.get()[:80])
            continue
        for item in items:
            _flatten(item, nodes, problems, 0)
    return nodes


def _flatten(value: Any, nodes: list[dict[str, Any]], problems: Problems, depth: int) -> None:
    if depth > _MAX_NESTING:
        note(problems, "jsonld_bad_graph", "nesting")
        return
    if isinstance(value, list):
        for entry in value:
            _flatten(entry, nodes, problems, depth + 1)
    elif isinstance(value, dict):
        if "@graph" not in value:
            nodes.append(value)
        elif isinstance(value["@graph"], (list, dict)):
            _flatten(value["@graph"], nodes, problems, depth + 1)
        else:
            note(problems, "jsonld_bad_graph", value["@graph"])
    elif value is not None:
        note(problems, "jsonld_bad_graph", value)


def types_of(node: Any, *, problems: Problems = None) -> set[str]:
    """The node's @type names; anything but a string or a list of strings is a problem."""
    if not isinstance(node, dict):
        return set()
    value = node.get("@type")
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return set(value)
    note(problems, "jsonld_bad_type", value)
    return {t for t in value if isinstance(t, str)} if isinstance(value, list) else set()


def find_article(sel: Selector, *, problems: Problems = None) -> dict[str, Any]:
    """The most article-like node ({} when none): a NewsArticle beats a WebPage."""
    best: dict[str, Any] = {}
    for node in jsonld_nodes(sel, problems=problems):
        kinds = types_of(node, problems=problems) & ARTICLE_TYPES
        if not kinds:
            continue
        if kinds - {"WebPage"}:
            return node
        best = best or node
    return best


def find_breadcrumbs(sel: Selector, *, problems: Problems = None) -> list[str]:
    """Breadcrumb names in `position` order (list order when a position is unusable)."""
    for node in jsonld_nodes(sel, problems=problems):
        if "BreadcrumbList" not in types_of(node, problems=problems):
            continue
        elements = node.get("itemListElement")
        if isinstance(elements, dict):
            elements = [elements]
        if not isinstance(elements, list):
            note(problems, "jsonld_bad_breadcrumbs", elements)
            return []
        entries = [e for e in elements if isinstance(e, dict)]
        if len(entries) < len(elements):
            note(problems, "jsonld_bad_breadcrumbs", elements)
        positions = [_number(e.get("position")) for e in entries]
        if any(p is None for p in positions):
            note(problems, "jsonld_bad_position", [e.get("position") for e in entries])
        else:
            # sorted() is stable: equal positions keep their list order.
            order = sorted(range(len(entries)), key=lambda k: positions[k])
            entries = [entries[k] for k in order]
        names = [_crumb_name(e, problems) for e in entries]
        return [n for n in names if n]
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _crumb_name(entry: dict[str, Any], problems: Problems) -> str | None:
    name = text_of(entry.get("name"), problems=problems, field="breadcrumb")
    item = entry.get("item")
    if not name and isinstance(item, dict):  # a bare URL string as `item` names nothing
        name = text_of(item.get("name"), problems=problems, field="breadcrumb")
    return name


def text_of(value: Any, *, problems: Problems = None, field: str = "text") -> str | None:
    """A JSON-LD value as text: strings as they are, numbers printed, {"name": ...} by name
    (or @value / text), lists by their first usable entry; None for anything else."""
    text = _text(value, 0)
    if text is None and value not in (None, "", [], {}) and not _blank(value):
        note(problems, f"jsonld_bad_{field}", value)
    return text


def _text(value: Any, depth: int) -> str | None:
    if depth > _MAX_NESTING or value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return clean(value) or None
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    if isinstance(value, list):
        return next((t for t in (_text(v, depth + 1) for v in value) if t), None)
    if isinstance(value, dict):
        for key in ("name", "@value", "text"):
            text = _text(value.get(key), depth + 1)
            if text:
                return text
    return None


def _blank(value: Any) -> bool:
    """Whitespace or nothing, however wrapped: an absent value, not a malformed one."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(_blank(v) for v in value)
    return value is None


def person_names(value: Any, *, problems: Problems = None) -> list[tuple[str, str]]:
    """(name, @type) of each author; URLs posing as names are dropped."""
    values = value if isinstance(value, list) else [value]
    out = []
    for entry in values:
        if entry is None:
            continue
        name = text_of(entry, problems=problems, field="author")
        if not name:
            continue
        if name.startswith(("http://", "https://")):
            note(problems, "jsonld_bad_author", name)
            continue
        kind = _kind(entry.get("@type") if isinstance(entry, dict) else None)
        out.append((name, kind))
    return out


def _kind(value: Any) -> str:
    """An author's @type: Organization wins in a list; anything unusable is a Person."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        kinds = [k for k in value if isinstance(k, str)]
        return "Organization" if "Organization" in kinds else (kinds[0] if kinds else "Person")
    return "Person"


def keywords(value: Any, *, problems: Problems = None) -> list[str]:
    """keywords as a list, whether given as a list or one comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        note(problems, "jsonld_bad_keywords", value)
        return []
    out = []
    for entry in value:
        if isinstance(entry, list):  # one level of nesting: [["a", "b"], "c"]
            out.extend(keywords(entry, problems=problems))
            continue
        text = text_of(entry, problems=problems, field="keywords")
        if text:
            out.append(text)
    return out


_TRUE = {"true", "https://schema.org/true", "http://schema.org/true"}
_FALSE = {"false", "https://schema.org/false", "http://schema.org/false"}


def as_bool(value: Any, *, problems: Problems = None) -> bool | None:
    """isAccessibleForFree comes as a boolean, as the strings "true"/"false", or as the
    schema.org enumeration URLs (https://schema.org/False)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE or key in _FALSE:
            return key in _TRUE
    if value is not None:
        note(problems, "jsonld_bad_bool", value)
    return None


def image_url(value: Any, *, problems: Problems = None) -> str | None:
    """The lead image's URL as given (maybe relative; callers join it with `safe_url`), from a
    string, an ImageObject (url / contentUrl) or a list of either; never a script URL."""
    url = _image(value, 0)
    if url and url.lower().startswith(_UNSAFE_SCHEMES):
        note(problems, "jsonld_unsafe_url", url)
        return None
    if url is None and value not in (None, "", [], {}) and not _blank(value):
        note(problems, "jsonld_bad_image", value)
    return url


def _image(value: Any, depth: int) -> str | None:
    if depth > _MAX_NESTING:
        return None
    if isinstance(value, str):
        return clean(value) or None
    if isinstance(value, list):
        return next((u for u in (_image(v, depth + 1) for v in value) if u), None)
    if isinstance(value, dict):
        for key in ("url", "contentUrl", "@id"):
            url = _image(value.get(key), depth + 1)
            if url:
                return url
    return None
