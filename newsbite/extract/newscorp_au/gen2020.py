"""News Corp AU, the 2020 generation: the WordPress VIP "tangram" theme (tge-/tgc- classes).

Known from a real Courier-Mail video page of April 2020 (shared/corpus/
couriermail-2020-video-htmldate; fixtures/couriermail/). What this generation gets wrong, and
how it is read here:
- JSON-LD `headline` is null: the headline is og:title.
- `author.name` holds the page URL: jsonld.person_names drops it, so no authors.
- `datePublished` is local (Brisbane) time labelled `Z`, ten hours late: the Open Graph
  `article:published_time` (a true UTC instant) is read first, JSON-LD only when it is absent.
- JSON-LD `image` is the masthead logo: the lead image is og:image.
- A video page's body is only the player; its text is the JSON-LD description, which ends
  with the footage credit ("Credit: … via Storyful"). The description becomes the body, with
  that credit as its own last paragraph for the syndication stage; no standfirst is printed.
- The log-in/subscribe buttons (`.tgc-auth-buttons_*`) are on every page: not a paywall.
"""

from __future__ import annotations

import re

from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.common import access_evidence, canonical_url, section_of
from newsbite.extract.newscorp_au import base
from newsbite.text import clean, first_attr, first_text

MARKUP = base.Markup(
    # The theme's own assets (favicons, styles) are served from its folder, in <head>.
    marker="link[href*='/newscorpau-tangram-ui/']",
    headline=("meta[property='og:title']::attr(content)",),
    published=("meta[property='article:published_time']::attr(content)",),
    modified=("meta[property='article:modified_time']::attr(content)",),
    lead_image=("meta[property='og:image']::attr(content)",),
    video=("div.vms[vms-embedcode]",),
    canonical=("link[rel=canonical]::attr(href)", "meta[property='og:url']::attr(content)"),
    language=("html::attr(lang)",),
)

# "… 19,506 deaths. Credit: Kettering General Hospital via Storyful"
_CREDIT_TAIL = re.compile(r"^(?P<text>.*?\S)\s+(?P<credit>Credit:\s*\S.*)$", re.S)


class NewsCorp2020(base.Generation):
    generation = "2020"
    markup = MARKUP

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict:
        m = self.markup
        problems: list[str] = []
        ld = jsonld.find_article(sel, problems=problems)
        canonical = canonical_url(url, sel, ld, m.canonical)
        # Markup first: this generation's JSON-LD dates are local time labelled UTC.
        published_raw = first_attr(sel, m.published)
        published = base.markup_date(published_raw, timezone, problems)
        if published is None:
            published, published_raw = base.dated(
                base.ld_text(ld, "datePublished", problems), None, timezone, problems
            )
        modified_raw = first_attr(sel, m.modified)
        modified = base.markup_date(modified_raw, timezone, problems)
        if modified is None:
            modified, modified_raw = base.dated(
                base.ld_text(ld, "dateModified", problems), None, timezone, problems
            )
        is_video = bool(first_sel(sel, m.video))
        return {
            "url": url,
            "canonical_url": canonical,
            "id": base.story_id(canonical or url),
            "headline": base.ld_text(ld, "headline", problems) or first_attr(sel, m.headline),
            "standfirst": None,
            "body": video_text(ld, problems) if is_video else [],
            "byline_raw": first_text(sel, m.byline),
            "authors": [
                {"name": n, "raw": n, "kind": k}
                for n, k in jsonld.person_names(ld.get("author"), problems=problems)
            ],
            "published": published,
            "published_raw": published_raw,
            "modified": modified,
            "modified_raw": modified_raw,
            "section": section_of(canonical or url),
            "breadcrumbs": base.breadcrumbs(sel, m, structured=True, problems=problems),
            "topics": base.topics(url, sel, m, ld, problems),
            "images": base.images(url, sel, m, first_attr(sel, m.lead_image)),
            "paywall": {
                "status": "unknown",
                "evidence": access_evidence(sel, ld, m.paywall_markup),
            },
            "language": first_attr(sel, m.language),
            "extractor": self.extractor,
            "problems": problems,
        }


def first_sel(sel: Selector, css_list: tuple[str, ...]) -> Selector | None:
    return next((node for css in css_list for node in sel.css(css)[:1]), None)


def video_text(ld: dict, problems: base.Problems = None) -> list[str]:
    """A video's description as body paragraphs, its trailing footage credit apart."""
    text = clean(base.ld_text(ld, "description", problems))
    if not text:
        return []
    match = _CREDIT_TAIL.match(text)
    if not match:
        return [text]
    return [clean(match.group("text")), clean(match.group("credit"))]
