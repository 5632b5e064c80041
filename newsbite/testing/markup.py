"""HTML, RSS and sitemap text of the simulated sites, in each platform's documented markup.

News Corp 2024: the structure of fixtures/theaustralian/isis-leader-does-a-runner (JSON-LD
NewsArticle + BreadcrumbList, article#story, h1#story-headline, #story-intro, #story-byline,
#publish-date, figures, #story-primary > p, trailing credit, "Read related topics:", comment
chrome, print footer). News Corp 2015: the structure of shared/corpus/heraldsun-2015-* (no
JSON-LD, cite.author, li.date-and-time[title], div.story-body). The Times: DESIGN §4
(h1.Article-headline, .Byline-name--article, span.Publication, ul.Topics, JSON-LD
isAccessibleForFree false with hasPart.cssSelector). Text comes from textgen: invented.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from newsbite.testing.sites import (
    ACCESS_SUBSCRIBER,
    NEWSCORP,
    SimPublisher,
    Story,
)

SUBSCRIBE_PROMPT = "Subscribe to continue reading. Already a subscriber? Log in"
PAYWALL_SELECTOR = ".story-paywall"
TIMES_PAYWALL_SELECTOR = ".Article-paywall"


def _e(text: str) -> str:
    return escape(text, quote=True)


def _ld(data: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _date_text(iso: str) -> str:
    return iso[:10] + " " + iso[11:16]


def _visible_paragraphs(story: Story, content: dict[str, Any]) -> list[str]:
    """The body as served: cut to two paragraphs for subscriber stories, credit line last."""
    paragraphs = list(content["paragraphs"])
    if story.access == ACCESS_SUBSCRIBER:
        return paragraphs[:2]
    if story.syndication:
        paragraphs.append(story.syndication)
    return paragraphs


# --- News Corp ----------------------------------------------------------------------------------


def newscorp_jsonld(
    story: Story, publisher: SimPublisher, content: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    free = story.access != ACCESS_SUBSCRIBER
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "headline": story.headline,
        "description": content["standfirst"],
        "datePublished": story.published,
        "dateModified": story.published,
        "author": [{"@type": "Person", "name": n} for n in content["authors"]],
        "publisher": {"@type": "Organization", "name": publisher.title},
        "keywords": content["keywords"],
        "articleSection": story.section.title(),
        # News Corp writes the flag as a string (DESIGN §4)
        "isAccessibleForFree": "True" if free else "False",
    }
    if not free:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": "False",
            "cssSelector": PAYWALL_SELECTOR,
        }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


def breadcrumbs_jsonld(story: Story, publisher: SimPublisher, position: Any = None) -> dict:
    section_url = f"{publisher.home}/{story.section}"
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1 if position is None else position,
                "name": story.section.title(),
                "item": section_url,
            }
        ],
    }


def newscorp_story(
    story: Story,
    publisher: SimPublisher,
    content: dict[str, Any],
    *,
    jsonld: list[Any] | None = None,
    date_attr: str | None = None,
    extra_body: str = "",
    images: list[dict[str, str]] | None = None,
    paywall_marker: bool | None = None,
    charset_meta: bool = True,
    wrap: tuple[str, str] = ("", ""),
) -> str:
    """A current-generation (2024) News Corp story page."""
    if jsonld is None:
        jsonld = [newscorp_jsonld(story, publisher, content), breadcrumbs_jsonld(story, publisher)]
    paragraphs = _visible_paragraphs(story, content)
    subscriber = story.access == ACCESS_SUBSCRIBER
    marker = subscriber if paywall_marker is None else paywall_marker
    figures = "".join(
        f'<figure class="story-image"><img src="{_e(i["src"])}" alt="">'
        f'<figcaption class="story-image__caption">{_e(i["caption"])}</figcaption>'
        f'<p class="sr-only">{_e(i["caption"])}</p></figure>\n'
        for i in (content["images"] if images is None else images)
    )
    body = "\n".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    prompt = f'<div class="story-paywall-prompt"><p>{SUBSCRIBE_PROMPT}</p></div>' if marker else ""
    topics = "".join(
        f'<a href="{publisher.home}/topics/{slug}">{_e(slug.replace("-", " ").title())}</a>'
        for slug in story.topics
    )
    bylines = "".join(f'<span class="byline__author">{_e(n)}</span>' for n in [content["byline"]])
    charset = '<meta charset="utf-8">' if charset_meta else ""
    return f"""<!DOCTYPE html>
<html lang="en-AU">
<head>
  {charset}
  <title>{_e(story.headline)} | {_e(publisher.title)}</title>
  <link rel="canonical" href="{_e(story.url)}">
  <meta property="og:url" content="{_e(story.url)}">
  <meta property="og:title" content="{_e(story.headline)}">
  <meta property="og:site_name" content="{_e(publisher.title)}">
  {"".join(_ld(d) if not isinstance(d, str) else d for d in jsonld)}
</head>
<body class="paywall user-anonymous">
  <header class="header"><a class="header__logo" href="{publisher.home}/">{_e(publisher.title)}</a>
  <a class="header__user-login" href="{publisher.home}/login">Log in</a></header>
  <nav class="breadcrumbs" aria-label="breadcrumb"><ol><li>
  <a href="{publisher.home}/{story.section}">{_e(story.section.title())}</a></li></ol></nav>
  <main>{wrap[0]}
    <article id="story" class="story">
      <div class="story-header">
        <h1 id="story-headline">{_e(story.headline)}</h1>
        <p id="story-intro">{_e(content["standfirst"])}</p>
        <div id="story-byline" class="byline">{bylines}</div>
        <div id="publish-date" class="date-and-time" title="{_e(date_attr or story.published)}">
          {_date_text(date_attr or story.published)}</div>
      </div>
      <div id="story-body" class="story-body">
        <p class="app-label">NewsBite</p>
        {figures}
        <div id="story-primary" class="story-paywall">
{body}
        </div>
        {prompt}{extra_body}
        <p class="story-topics">Read related topics:{topics}</p>
        <div id="story-comments" class="comments">
          <p class="comments__cta">Add your comment to this story</p>
          <div class="coral-comments" data-coral-story-url="{_e(story.url)}"></div>
        </div>
        <p class="print-only">Original URL: {_e(story.url)}</p>
      </div>
    </article>{wrap[1]}
  </main>
  <footer class="footer"><p>© News Pty Ltd. All rights reserved.</p></footer>
</body>
</html>
"""


def newscorp_story_2015(story: Story, publisher: SimPublisher, content: dict[str, Any]) -> str:
    """An older (2015) News Corp story page: no JSON-LD, cite.author, li.date-and-time."""
    paragraphs = _visible_paragraphs(story, content)
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    prompt = (
        f'<div class="subscribe-prompt"><p>{SUBSCRIBE_PROMPT}</p></div>'
        if story.access == ACCESS_SUBSCRIBER
        else ""
    )
    authors = content["authors"] or [content["byline"]]
    images = "".join(
        f'<div class="image"><img data-src="{_e(i["src"])}" alt="">'
        f'<p class="caption"><span class="caption-text">{_e(i["caption"])}</span></p></div>'
        for i in content["images"]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(story.headline)} | {_e(publisher.title)}</title>
<link rel="canonical" href="{_e(story.url)}">
<meta property="og:url" content="{_e(story.url)}">
<meta name="article:author" content="{_e(authors[0])}">
</head>
<body class="paywall user-anonymous">
<div id="content">
<div id="section-header"><h2>{_e(story.section.title())}</h2></div>
<div id="story">
  <div class="story-header">
    <div class="story-headline"><h1 class="heading">{_e(story.headline)}</h1></div>
    <div class="story-info"><ul>
      <li class="byline first"><span class="source-prefix">by:</span>
      <cite class="author">{_e(authors[0])}</cite></li>
      <li class="source"><span class="source-prefix">From:</span>
      <cite>{_e(publisher.title)}</cite></li>
      <li class="date-and-time last" title="{_e(story.published)}">
      <span class="datestamp">{story.published[:10]}</span>
      <span class="timestamp">{story.published[11:16]}</span></li>
    </ul></div>
  </div>
  <div class="story-body">
    <div class="article-media article-media-main">{images}</div>
    <div class="story-intro"><p><strong>{_e(content["standfirst"])}</strong></p></div>
    {body}{prompt}
  </div>
  <div id="social-comments"><span class="livefyre-commentcount">0</span></div>
</div>
</div>
</body>
</html>
"""


def newscorp_topic_page(
    publisher: SimPublisher, slug: str, page: int, stories: list[Story], more: bool
) -> str:
    cards = "\n".join(
        f'<article class="storyblock"><h4 class="storyblock_title"><a href="{_e(s.url)}">'
        f"{_e(s.headline)}</a></h4>"
        f'<time class="storyblock_timestamp" datetime="{_e(s.published)}">{s.published[:10]}</time>'
        "</article>"
        for s in stories
    )
    nav = (
        f'<div class="pagination"><a class="pagination_next" rel="next" '
        f'href="{publisher.home}/topics/{slug}?page={page + 1}">Next</a></div>'
        if more
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en-AU"><head><meta charset="utf-8"><title>{_e(slug)} | {_e(publisher.title)}</title>
<link rel="canonical" href="{publisher.home}/topics/{slug}"></head>
<body><main><div class="page-header">
<h1 class="page-header__title">{_e(slug.replace("-", " ").title())}</h1></div>
<section class="topic-stories">
{cards}
</section>
{nav}</main></body></html>
"""


# --- The Times ----------------------------------------------------------------------------------


def times_story(story: Story, publisher: SimPublisher, content: dict[str, Any], host: str) -> str:
    subscriber = story.access == ACCESS_SUBSCRIBER
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.headline,
        "description": content["standfirst"],
        "datePublished": story.published,
        "dateModified": story.published,
        "isAccessibleForFree": not subscriber,
        "publisher": {"@type": "Organization", "name": "The Times"},
        "keywords": content["keywords"],
    }
    if subscriber:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": TIMES_PAYWALL_SELECTOR,
        }
    home = f"https://{host}"
    paragraphs = _visible_paragraphs(story, content)
    body = "\n".join(f'<p class="Article-paragraph">{_e(p)}</p>' for p in paragraphs)
    prompt = f'<div class="Article-paywall"><p>{SUBSCRIBE_PROMPT}</p></div>' if subscriber else ""
    names = content["authors"] or [content["byline"]]
    bylines = " and ".join(
        f'<strong class="Byline-name Byline-name--article">'
        f'<a href="{home}/profile/{"-".join(n.lower().split())}">{_e(n)}</a></strong>'
        for n in names
    )
    topics = "".join(
        f'<li class="Topics-item"><a href="{home}/topic/{slug}">'
        f"{_e(slug.replace('-', ' ').title())}</a></li>"
        for slug in story.topics
    )
    figures = "".join(
        f'<figure class="Article-figure"><img src="{_e(i["src"])}" alt="">'
        f'<figcaption class="Article-caption">{_e(i["caption"])}</figcaption></figure>'
        for i in content["images"]
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{_e(story.headline)} | World | The Times</title>
<link rel="canonical" href="{_e(story.url)}">
<meta name="author" content="{_e(names[0])}">
{_ld(data)}
</head>
<body>
<a class="GlobalMenu-parentLink--logIn" href="{home}/login">Log in</a>
<article class="Article">
  <h1 class="Article-headline">{_e(story.headline)}</h1>
  <p class="Article-standfirst">{_e(content["standfirst"])}</p>
  <div class="Byline">{bylines}</div>
  <div class="Dateline-wrapper"><time class="Dateline">{_date_text(story.published)}</time>
  <span class="Publication">The Times</span></div>
  <ul class="Topics Topics--top">{topics}</ul>
  {figures}
  <div class="Article-body">
{body}
  </div>
  {prompt}
  <ul class="Topics Topics--bottom">{topics}</ul>
</article>
</body>
</html>
"""


def times_topic_page(host: str, slug: str, page: int, stories: list[Story], more: bool) -> str:
    home = f"https://{host}"
    cards = "\n".join(
        f'<article class="Item"><h3 class="Item-headline"><a href="{home}{s.path}">'
        f'{_e(s.headline)}</a></h3><time datetime="{_e(s.published)}">'
        f"{s.published[:10]}</time></article>"
        for s in stories
    )
    nav = f'<a rel="next" href="{home}/topic/{slug}?page={page + 1}">Next</a>' if more else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{_e(slug)} | The Times</title></head>
<body><h1 class="TopicHeading">{_e(slug.replace("-", " ").title())}</h1>
<section class="Slice">
{cards}
</section>
{nav}</body></html>
"""


# --- feeds, robots, sitemaps --------------------------------------------------------------------


def robots_txt(home: str) -> str:
    return (
        "User-agent: *\nDisallow: /search\nDisallow: /login\nAllow: /\n\n"
        f"Sitemap: {home}/sitemap.xml\n"
    )


def rss(home: str, title: str, section: str, stories: list[Story], host_home: str) -> str:
    items = "\n".join(
        f"<item><title>{xml_escape(s.headline)}</title><link>{host_home}{s.path}</link>"
        f'<guid isPermaLink="true">{host_home}{s.path}</guid>'
        f"<pubDate>{format_datetime(datetime.fromisoformat(s.published))}</pubDate></item>"
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{xml_escape(title)}: {section}</title>
<link>{home}/{section}</link><description>{section}</description>
{items}
</channel></rss>
"""


def sitemap_index(locations: list[str]) -> str:
    entries = "\n".join(f"<sitemap><loc>{xml_escape(loc)}</loc></sitemap>" for loc in locations)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}\n</sitemapindex>\n"
    )


def news_sitemap(title: str, stories: list[Story], host_home: str, language: str) -> str:
    entries = "\n".join(
        f"<url><loc>{xml_escape(host_home + s.path)}</loc><news:news><news:publication>"
        f"<news:name>{xml_escape(title)}</news:name><news:language>{language}</news:language>"
        f"</news:publication><news:publication_date>{s.published}</news:publication_date>"
        f"<news:title>{xml_escape(s.headline)}</news:title></news:news></url>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{entries}\n</urlset>\n"
    )


def is_newscorp(publisher: SimPublisher) -> bool:
    return publisher.kind == NEWSCORP
