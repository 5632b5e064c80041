"""One page, one generation: each News Corp AU page is claimed by exactly one markup generation,
and parsing it consults that generation's selector table and nothing else.

Every CSS/XPath query the parser makes is recorded by a Selector subclass (the selectors it
derives are of the same class, so queries on sub-elements are recorded too). The queries must
all come from the chosen generation's `Markup` table or from the shared readers (visible text,
JSON-LD scripts), and none may be a selector only another generation has.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from parsel import Selector

from newsbite.extract import jsonld
from newsbite.extract.newscorp_au import ARTICLE_PARSERS, base, generation_for
from newsbite.text import node_text


def recording_selector() -> tuple[type[Selector], list[str]]:
    """A Selector class whose instances append every query they are asked to one list."""
    log: list[str] = []

    class Recording(Selector):
        def css(self, query):
            log.append(query)
            # Selector.css goes through self.xpath: call the base one so the query is logged once.
            return Selector.xpath(self, self._css2xpath(query))

        def xpath(self, query, namespaces=None, **kwargs):
            log.append(query)
            return super().xpath(query, namespaces, **kwargs)

    return Recording, log


def shared_queries() -> frozenset[str]:
    """What the shared readers ask of any page (text of a node, JSON-LD, the body walk)."""
    cls, log = recording_selector()
    sel = cls(text="<div><p>x</p></div>")
    node_text(sel)
    jsonld.find_article(sel)
    jsonld.find_breadcrumbs(sel)
    probe = base.Markup(marker="div", body_container=("div",), body_blocks=".//p")
    base.body(sel, probe, None)
    return frozenset(log) - probe.queries()


SHARED = shared_queries()


def _story_pages() -> list[tuple[str, Path, str]]:
    """(generation, page, url) of every article page among the News Corp fixtures."""
    pages = []
    for fixture in sorted(FIXTURES.glob("*/*/meta.json")):
        if fixture.parent.parent.name not in {"theaustralian", "heraldsun", "couriermail"}:
            continue
        handwritten = list(fixture.parent.glob(f"{fixture.parent.name}.expected.json"))
        real = json.loads(fixture.read_text(encoding="utf-8")).get("synthetic") is False
        if real and handwritten:  # real pages: their generation is written by hand
            want = json.loads(handwritten[0].read_text(encoding="utf-8"))
            pages.append((want["generation"], fixture.parent / "pages/story.html", want["url"]))
            continue
        served = json.loads((fixture.parent / "pages/pages.json").read_text())
        for page in served:
            path = fixture.parent / "pages" / (page.get("file") or "")
            if not path.name.endswith(".html"):
                continue  # feeds, sitemaps (.xml.gz) and robots.txt are no story pages
            if 'id="story"' in path.read_text(encoding="utf-8"):
                pages.append(("2024", path.resolve(), page["url"]))
    return sorted(set(pages))


PAGES = _story_pages()


def test_every_generation_has_a_page():
    assert {g for g, _, _ in PAGES} == {p.generation for p in ARTICLE_PARSERS}
    assert len(PAGES) >= 12


def test_generations_are_newest_first_and_name_their_extractor():
    assert [p.generation for p in ARTICLE_PARSERS] == ["2024", "2020", "2015"]
    assert {p.name for p in ARTICLE_PARSERS} == {"newscorp_au"}
    assert [p.extractor for p in ARTICLE_PARSERS] == [
        "newscorp_au/2024",
        "newscorp_au/2020",
        "newscorp_au/2015",
    ]


@pytest.mark.parametrize("generation, page, url", PAGES, ids=lambda v: getattr(v, "name", v))
def test_a_page_is_claimed_by_its_generation_alone(generation, page, url):
    sel = Selector(text=page.read_text(encoding="utf-8"))
    claimed = [p.generation for p in ARTICLE_PARSERS if p.matches(sel)]
    assert claimed == [generation]
    assert generation_for(sel).generation == generation


@pytest.mark.parametrize("generation, page, url", PAGES, ids=lambda v: getattr(v, "name", v))
def test_parsing_consults_only_the_chosen_generations_selectors(generation, page, url):
    cls, log = recording_selector()
    sel = cls(text=page.read_text(encoding="utf-8"))
    parser = generation_for(sel)
    log.clear()  # matches() is the choice; what follows is the parse
    fields = parser.parse(url, sel, timezone="Australia/Sydney")

    own = parser.markup.queries()
    others = frozenset().union(*(p.markup.queries() for p in ARTICLE_PARSERS if p is not parser))
    consulted = set(log)
    assert fields["extractor"] == f"newscorp_au/{generation}"
    assert consulted - own - SHARED == set()
    assert consulted & (others - own) == set()
    # the recorder saw the parse: selectors every generation always asks were recorded
    assert {parser.markup.canonical[0], parser.markup.language[0]} <= consulted


def test_the_check_fails_when_a_page_is_read_with_another_generations_table():
    """The recorder is not vacuous: the 2024 parser on the 2015 page asks 2024-only selectors."""
    page = FIXTURES / "heraldsun/angry-media-surveillance-laws-2015/pages/story.html"
    cls, log = recording_selector()
    sel = cls(text=page.read_text(encoding="utf-8"))
    current, _, oldest = ARTICLE_PARSERS
    current.parse("http://www.heraldsun.com.au/x", sel, timezone="Australia/Melbourne")
    assert set(log) - oldest.markup.queries() - SHARED


def test_tables_are_separate_and_markers_distinct():
    markers = [p.markup.marker for p in ARTICLE_PARSERS]
    assert len(set(markers)) == len(markers)
    for parser in ARTICLE_PARSERS:
        others = {p.markup.marker for p in ARTICLE_PARSERS if p is not parser}
        assert not others & parser.markup.queries()


def test_a_page_of_no_known_generation_goes_to_the_newest():
    sel = Selector(text="<html><body><main><h1>Elsewhere</h1><p>Text.</p></main></body></html>")
    assert not any(p.matches(sel) for p in ARTICLE_PARSERS)
    assert generation_for(sel) is ARTICLE_PARSERS[0]
