"""Where a syndicated story first appeared: `syndication.url` (DESIGN §2, §6).

A republished story often names its original: a canonical link or og:url pointing at the
partner ("rel=canonical" to thetimes.co.uk), JSON-LD `isBasedOn`, or a credit link in the
page ("This article first appeared in <a href=…>The Times</a>"). The general rule: the first
URL of a *story* on the credited source's own domain, in that order of evidence. A link to
the source's home page or a topic page is not the original.

Pure: a parsel Selector and the credited source's name in, a URL or None out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

from newsbite.publishers import Publisher, all_publishers
from newsbite.text import fold, safe_url

# Sources that are no publisher entry of ours, and mastheads printed under another name than
# their entry's title (The Sunday Times is on The Times' site). Domains as the source serves
# them today and formerly.
SOURCE_DOMAINS: dict[str, tuple[str, ...]] = {
    "The Times": ("thetimes.com", "thetimes.co.uk"),
    "The Sunday Times": ("thetimes.com", "thetimes.co.uk"),
    "AFP": ("afp.com",),
    "AP": ("apnews.com",),
    "AAP": ("aap.com.au",),
    "Reuters": ("reuters.com",),
    "Bloomberg": ("bloomberg.com",),
    "The Wall Street Journal": ("wsj.com",),
    "The Telegraph": ("telegraph.co.uk",),
    "The Economist": ("economist.com",),
    "The New York Times": ("nytimes.com",),
}

# A story path has a slug or a long number: /article/some-headline-abc12, /2019/03/03/...
_STORY_PATH = re.compile(r"[a-z0-9]+-[a-z0-9]+-[a-z0-9]+|\d{5,}|/\d{4}/\d{1,2}/", re.I)
_TRACKING = re.compile(r"^(utm_|sharetoken$|cmpid$|ito$)", re.I)


def _entry_for(source: str) -> Publisher | None:
    key = fold(source)
    for publisher in all_publishers():
        names = (publisher.title, *publisher.credit_names)
        if any(fold(name) == key for name in names):
            return publisher
    return None


def source_domains(source: str) -> tuple[str, ...]:
    """The credited source's own domains: its publisher entry's, else the table above."""
    entry = _entry_for(source)
    table = next((d for name, d in SOURCE_DOMAINS.items() if fold(name) == fold(source)), ())
    return tuple(dict.fromkeys((*(entry.domains if entry else ()), *table)))


def _on(url: str, domains: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def _is_story(url: str, entry: Publisher | None) -> bool:
    if entry is not None and entry.group.story_id is not None:
        return entry.is_story(url) and not entry.is_topic(url)
    return bool(_STORY_PATH.search(urlsplit(url).path))


def _clean(url: str) -> str:
    """Without fragment and tracking parameters (share tokens, utm_*)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = urlencode([(k, v) for k, v in query if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, kept, ""))


def _jsonld_urls(sel: Selector) -> Iterator[str]:
    """isBasedOn / isBasedOnUrl / sameAs values of the page's JSON-LD, in page order."""
    for script in sel.css('script[type="application/ld+json"]::text').getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue  # bad JSON-LD is the parsers' to report; here it is just no evidence
        yield from _walk(data)


def _walk(node: object) -> Iterator[str]:
    if isinstance(node, list):
        for value in node:
            yield from _walk(value)
    elif isinstance(node, dict):
        for key in ("isBasedOn", "isBasedOnUrl", "sameAs"):
            value = node.get(key)
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict) and isinstance(value.get("url"), str):
                yield value["url"]
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _walk(value)


def candidates(sel: Selector) -> Iterator[str]:
    """Every URL that could name an original, strongest evidence first: canonical, og:url,
    JSON-LD, then links inside the story, then the page's other links."""
    yield from sel.css('link[rel="canonical"]::attr(href)').getall()
    yield from sel.css('meta[property="og:url"]::attr(content)').getall()
    yield from _jsonld_urls(sel)
    story = sel.css("article a[href], [itemprop='articleBody'] a[href]")
    yield from story.css("::attr(href)").getall()
    yield from sel.css("a[href]::attr(href)").getall()


def original_url(sel: Selector, syndication_source: str | None) -> str | None:
    """The URL of the story on the credited source's own domain that this page names, or
    None: no source, a source whose domains we do not know, or no such link."""
    if not syndication_source:
        return None
    domains = source_domains(syndication_source)
    if not domains:
        return None
    return _first_original(_resolved(sel), syndication_source, domains)


def _resolved(sel: Selector) -> list[str]:
    """The candidates as absolute http(s) URLs, each once, strongest first."""
    base = getattr(sel.root, "base", None)
    return [u for u in dict.fromkeys(safe_url(base, raw) for raw in candidates(sel)) if u]


def _first_original(urls: list[str], source: str, domains: tuple[str, ...]) -> str | None:
    entry = _entry_for(source)
    for url in urls:
        if _on(url, domains) and _is_story(url, entry):
            return _clean(url)
    return None


def original_links(sel: Selector, own: Publisher | None = None) -> dict[str, str]:
    """For a parser that does not yet know the credit (it is settled later, from the body's
    last line): every known source (SOURCE_DOMAINS) whose story this page names, with its
    URL. The page's own publisher is left out: its canonical is no original."""
    found: dict[str, str] = {}
    urls = _resolved(sel)  # read and resolved once for every source
    for source in SOURCE_DOMAINS:
        domains = source_domains(source)
        if own is not None and set(domains) & set(own.domains):
            continue
        url = _first_original(urls, source, domains) if domains else None
        if url:
            found[source] = url
    return found
