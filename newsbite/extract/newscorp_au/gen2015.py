"""News Corp AU, the 2015 generation: the NDM "story-fni…" platform, `div#story`, no JSON-LD.

Known from a real Herald Sun opinion page of March 2015 (shared/corpus/
heraldsun-2015-readability; fixtures/heraldsun/). Every selector is scoped to `div#story`:
the page's sidebars carry teasers with their own bylines (`em.byline` "JOE HILDEBRAND"),
`p.standfirst` and `span.date-and-time`, which must not leak into this story's fields.
- byline `li.byline cite.author` (the `by:` label is a sibling, left out); the author's name
  also in `<meta name="article:author">` (there is no JSON-LD);
- date `li.date-and-time[title]` (ISO with offset);
- standfirst `.story-intro` inside `.story-body`; body paragraphs are the other `<p>` of
  `.story-body`, including the "Read more" continuation `#read-more-content`;
- image `.article-media .image`: `img[data-src]`, caption `.caption-text`, credit
  `.image-source` ("Source: Supplied");
- `<meta name="keywords">` is an SEO word list, not topics; the page has no topic links;
- `body.paywall.user-anonymous` is on every page of the site, free or not: not evidence;
- Livefyre comments (`#social-comments`) sit outside `.story-body`.
"""

from __future__ import annotations

import re

from parsel import Selector

from newsbite.extract.common import access_evidence, canonical_url, section_of
from newsbite.extract.newscorp_au import base
from newsbite.text import clean, first_attr, first_text

MARKUP = base.Markup(
    marker="div#story > div.story-body",
    headline=("div#story .story-headline h1",),
    standfirst=("div#story .story-body .story-intro",),
    byline=("div#story .story-info li.byline cite.author",),
    authors_meta=("meta[name='article:author']::attr(content)",),
    published=("div#story .story-info li.date-and-time::attr(title)",),
    body_container=("div#story > div.story-body",),
    body_blocks=(
        ".//p[not(ancestor::*[contains(@class, 'story-intro') or contains(@class, 'article-media')"
        " or contains(@class, 'story-promo') or @id = 'read-more-link'])]"
        "[not(contains(@class, 'caption'))]"
    ),
    figures="div#story .story-body .article-media .image",
    figure_image=("img::attr(data-src)", "img::attr(src)"),
    figure_caption=(".caption-text",),
    figure_credit=(".image-source",),
    canonical=("link[rel=canonical]::attr(href)", "meta[property='og:url']::attr(content)"),
    og_title=("meta[property='og:title']::attr(content)",),
    og_description=("meta[property='og:description']::attr(content)",),
    language=("html::attr(lang)",),
)

_SOURCE_LABEL = re.compile(r"^(?:Source|Picture|Photo)s?:\s*", re.I)


class NewsCorp2015(base.Generation):
    generation = "2015"
    markup = MARKUP

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict:
        m = self.markup
        no_ld: dict = {}  # this generation printed no JSON-LD: none is read
        problems: list[str] = []
        canonical = canonical_url(url, sel, no_ld, m.canonical)
        standfirst = first_text(sel, m.standfirst) or first_attr(sel, m.og_description)
        published_raw = first_attr(sel, m.published)
        names = (clean(n) for css in m.authors_meta for n in sel.css(css).getall())
        authors = list(dict.fromkeys(n for n in names if n))
        return {
            "url": url,
            "canonical_url": canonical,
            "id": base.story_id(canonical or url),
            "headline": first_text(sel, m.headline) or first_attr(sel, m.og_title),
            "standfirst": standfirst,
            "body": base.body(sel, m, standfirst),
            "byline_raw": first_text(sel, m.byline),
            "authors": [{"name": n, "raw": n, "kind": "Person"} for n in authors],
            "published": base.markup_date(published_raw, timezone, problems),
            "published_raw": published_raw,
            "modified": None,
            "modified_raw": None,
            "section": section_of(canonical or url),
            "breadcrumbs": [],
            "topics": [],
            "images": [
                {**image, "credit": _SOURCE_LABEL.sub("", image["credit"]) or None}
                if image["credit"]
                else image
                for image in base.images(url, sel, m, None)
            ],
            "paywall": {"status": "unknown", "evidence": access_evidence(sel, no_ld, ())},
            "language": first_attr(sel, m.language),
            "extractor": self.extractor,
            "problems": problems,
        }
