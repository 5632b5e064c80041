"""News Corp AU, the current generation (2019 on): `article#story` with id'd parts.

`h1#story-headline`, `#story-intro` (standfirst), `#story-byline`, `#publish-date[title]`,
`#story-body` / `#story-primary` paragraphs, `figure` + `figcaption`, the "Read related
topics:" links, `nav.breadcrumbs`; JSON-LD `NewsArticle` (+ `BreadcrumbList`) read first for
metadata, the markup second. Chrome lines inside the body (comment prompts, the topics line)
are left for the chrome stage, which serves every parser alike.
"""

from __future__ import annotations

from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.common import access_evidence, canonical_url, section_of
from newsbite.extract.newscorp_au import base
from newsbite.text import first_attr, first_text

MARKUP = base.Markup(
    marker="article#story",
    # The bare h1 / time are last resorts kept for pages that only half match (a bot wall
    # served at a story URL keeps its "No Cookies" heading, as before the split).
    headline=("h1#story-headline", "article#story h1", "h1"),
    standfirst=("#story-intro",),
    byline=("#story-byline",),
    published=(
        "#publish-date::attr(title)",
        "time[datetime]::attr(datetime)",
        "#publish-date::text",
    ),
    modified=("meta[property='article:modified_time']::attr(content)",),
    body_container=("#story-body", "#story-primary", "article#story"),
    # Blocks in document order; figures are images, not text.
    body_blocks=(
        # descendant::, not .//: libxml2 evaluates .//*[...] in time that grows with the
        # square of the page (hours on a 20 MB page), descendant::* linearly
        "descendant::*[self::p or self::h2 or self::h3 or self::li or self::blockquote[not(.//p)]]"
        "[not(ancestor::figure or ancestor::aside or ancestor::script or ancestor::style"
        " or ancestor::nav or ancestor::*[contains(@class, 'sr-only')])]"
        "[not(contains(@class, 'sr-only'))]"
    ),
    figures="figure",
    figure_image=("img::attr(data-src)", "img::attr(src)", "source::attr(srcset)"),
    figure_caption=("figcaption",),
    topics=".story-topics a[href*='/topics/']",
    breadcrumbs="nav.breadcrumbs li",
    canonical=("link[rel=canonical]::attr(href)", "meta[property='og:url']::attr(content)"),
    og_title=("meta[property='og:title']::attr(content)",),
    og_description=(
        "meta[property='og:description']::attr(content)",
        "meta[name=description]::attr(content)",
    ),
    paywall_markup=(
        ".paywall-prompt",
        ".story-paywall-prompt",
        "#paywall",
        "[data-paywall]",
        ".subscribe-prompt",
    ),
    language=("html::attr(lang)", "meta[http-equiv='content-language']::attr(content)"),
)


class NewsCorp2024(base.Generation):
    generation = "2024"
    markup = MARKUP

    def parse(self, url: str, sel: Selector, *, timezone: str) -> dict:
        m = self.markup
        problems: list[str] = []
        ld = jsonld.find_article(sel, problems=problems)
        canonical = canonical_url(url, sel, ld, m.canonical)
        standfirst = (
            first_text(sel, m.standfirst)
            or base.ld_text(ld, "description", problems)
            or first_attr(sel, m.og_description)
        )
        published, published_raw = base.dated(
            base.ld_text(ld, "datePublished", problems),
            first_attr(sel, m.published),
            timezone,
            problems,
        )
        modified, modified_raw = base.dated(
            base.ld_text(ld, "dateModified", problems),
            first_attr(sel, m.modified),
            timezone,
            problems,
        )
        return {
            "url": url,
            "canonical_url": canonical,
            "id": base.story_id(canonical or url),
            "headline": (
                base.ld_text(ld, "headline", problems)
                or first_text(sel, m.headline)
                or first_attr(sel, m.og_title)
            ),
            "standfirst": standfirst,
            "body": base.body(sel, m, standfirst),
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
            "images": base.images(
                url, sel, m, jsonld.image_url(ld.get("image"), problems=problems)
            ),
            "paywall": {
                "status": "unknown",
                "evidence": access_evidence(sel, ld, m.paywall_markup),
            },
            "language": first_attr(sel, m.language),
            "extractor": self.extractor,
            "problems": problems,
        }
