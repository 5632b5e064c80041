"""The generic extractor: trafilatura + JSON-LD + whole-paragraph boilerplate rules, pure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from newsbite.extract import generic, newscorp_au
from newsbite.extract.generic import article_body, extract_body, parse_article, strip_boilerplate

DATA = Path(__file__).resolve().parent / "data" / "generic"
AMBITO_URL = (
    "https://www.ambito.com/politica/paritarias/"
    "al-rojo-gremios-la-alimentacion-marcan-inflacion-53-abril-y-amenazan-paro-n5431248"
)
STORY = [
    "The city council voted on Tuesday to expand the tram network to the northern suburbs, "
    "ending a debate that has divided residents and businesses for more than a decade.",
    "Supporters said the new line would cut commuting times in half for thousands of people "
    "who now depend on crowded buses, and would bring investment to neglected districts.",
    "Opponents warned that the construction works would close streets for years and that the "
    "budget, already revised twice, was likely to grow again before the first tram runs.",
    "The mayor said work would begin next spring and that the first section should open "
    "within three years, subject to approval by the regional transport authority.",
]


def page(*blocks: str, head: str = "", title: str = "Council backs tram extension") -> str:
    return (
        f"<html lang='en'><head><title>{title}</title>{head}</head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
        f"<article><h1>{title}</h1>{''.join(blocks)}</article>"
        "<footer><p>Contact us | Privacy policy | Terms of use</p></footer></body></html>"
    )


def paras(texts: list[str]) -> list[str]:
    return [f"<p>{t}</p>" for t in texts]


def ld_script(node: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


def test_body_is_the_story_in_order_without_navigation():
    body = extract_body(page(*paras(STORY)), "https://example.org/news/tram")
    assert body[-4:] == STORY
    assert not any("Privacy policy" in p for p in body)


def test_teaser_labels_lines_and_credits_are_dropped_as_whole_paragraphs():
    html = page(
        *paras(STORY[:2]),
        "<p>Read more: Five things to know about the tram plan</p>",
        "<p>Lesen Sie auch: Stadtrat stimmt für neue Straßenbahn</p>",
        *paras(STORY[2:]),
        "<p>Foto: dpa / Max Mustermann</p>",
        "<p>© 2024 Example Media. All rights reserved.</p>",
    )
    body = extract_body(html)
    assert STORY[0] in body and STORY[-1] in body
    assert not any(p.startswith(("Read more", "Lesen Sie", "Foto:", "©")) for p in body)


def test_teaser_heading_drops_its_run_of_short_headlines_only():
    kept = strip_boilerplate(
        [STORY[0], "Related articles", "Budget row deepens", "Buses to be replaced", STORY[1]]
    )
    assert kept == [STORY[0], STORY[1]]


def test_phrases_inside_sentences_and_long_paragraphs_are_kept():
    sentence = "Read more about it, the mayor said: the plan is online and open to comments."
    long_line = "Lea también: " + "el concejo aprobó la ampliación del tranvía. " * 6
    assert strip_boilerplate([sentence, long_line]) == [sentence, long_line]


def test_project_chrome_vocabulary_applies_too():
    assert strip_boilerplate(["Add your comment to this story", STORY[0]]) == [STORY[0]]


def test_short_lines_missing_from_a_covering_articlebody_are_dropped():
    ld = ld_script({"@type": "NewsArticle", "headline": "T", "articleBody": "\n".join(STORY)})
    html = page(
        *paras(STORY[:2]),
        "<p>Trams are popular in many European cities</p>",
        *paras(STORY[2:]),
        head=ld,
    )
    body = extract_body(html)
    assert body[-4:] == STORY
    assert "Trams are popular in many European cities" not in body


def test_too_short_extraction_falls_back_to_jsonld_articlebody():
    ld = ld_script({"@type": "NewsArticle", "articleBody": "\n\n".join(STORY)})
    html = f"<html><head>{ld}</head><body><div id='app'>Loading…</div></body></html>"
    assert extract_body(html) == STORY


def test_articlebody_markup_becomes_lines():
    text = article_body({"articleBody": "<p>One &amp; two.</p><p>Three<br>four</p>"})
    assert [line for line in text.split("\n") if line] == ["One & two.", "Three", "four"]
    assert article_body({"articleBody": ["a", 1]}) == "a"
    assert article_body({}) is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        b"",
        "   \n ",
        b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "<html><head><title>Council backs tram ext",
        "<<<>>><!-- <p",
        None,
    ],
)
def test_bad_input_gives_an_empty_body_not_an_exception(bad):
    assert extract_body(bad) == []


def test_truncated_page_keeps_what_was_received():
    html = page(*paras(STORY))
    cut = html[: html.index(STORY[-1]) + 40]
    body = extract_body(cut)
    assert body[-4:-1] == STORY[:3]
    assert body[-1].startswith(STORY[-1][:40])


def test_failure_inside_extraction_is_contained(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(generic, "_trafilatura", boom)
    assert extract_body(page(*paras(STORY))) == []
    fields = parse_article("https://example.org/a", Selector(text=page(*paras(STORY))))
    assert fields["body"] == []


def test_parse_article_has_the_platform_parser_fields():
    html = page(*paras(STORY))
    fields = parse_article("https://example.org/news/tram", Selector(text=html))
    reference = newscorp_au.parse_article("https://example.org/news/tram", Selector(text=html))
    assert set(fields) == set(reference)
    assert fields["extractor"] == "generic/1"
    assert fields["paywall"]["status"] == "unknown"
    assert fields["id"] == newscorp_au.story_id("https://example.org/news/tram")
    assert len(fields["id"]) == 32
    assert fields["section"] == "news"
    assert fields["body"][-4:] == STORY


def test_parse_article_metadata_jsonld_first_then_trafilatura():
    ld = ld_script(
        {
            "@type": "NewsArticle",
            "headline": "Tram plan approved",
            "description": "Council ends a decade of debate.",
            "datePublished": "2024-03-05T09:30:00+01:00",
            "author": [{"@type": "Person", "name": "Jane Doe"}],
            "keywords": "Transport, Council",
            "isAccessibleForFree": "true",
            "mainEntityOfPage": "https://example.org/news/tram-plan",
        }
    )
    html = page("<p>Council ends a decade of debate.</p>", *paras(STORY), head=ld)
    fields = parse_article("https://example.org/news/tram?utm=x", Selector(text=html))
    assert fields["headline"] == "Tram plan approved"
    assert fields["standfirst"] == "Council ends a decade of debate."
    assert "Council ends a decade of debate." not in fields["body"]
    assert fields["canonical_url"] == "https://example.org/news/tram-plan"
    assert fields["published"] == "2024-03-05T09:30:00+01:00"
    assert [a["name"] for a in fields["authors"]] == ["Jane Doe"]
    assert [t["name"] for t in fields["topics"]] == ["Transport", "Council"]
    assert fields["paywall"]["evidence"] == ["jsonld:isAccessibleForFree=true"]
    assert fields["language"] == "en"

    bare = parse_article("https://example.org/news/tram", Selector(text=page(*paras(STORY))))
    assert bare["headline"] == "Council backs tram extension"  # trafilatura's title


def test_parse_article_on_an_empty_page():
    fields = parse_article("https://example.org/", Selector(text="<html></html>"))
    assert fields["body"] == [] and fields["headline"] is None
    assert fields["section"] is None


def test_real_page_snippets():
    """A page of trafilatura's benchmark (tests/data/generic/README.md) and its snippets."""
    html = (DATA / "ambito-paritarias.html").read_bytes()
    text = "\n".join(extract_body(html, AMBITO_URL))
    for snippet in ("sindicato irá hoy a una audiencia", "cerró en 52,7% y en base"):
        assert snippet in text
    for snippet in ("Temas", "Suscribite a nuestro", "Informate más"):
        assert snippet not in text
    fields = parse_article(AMBITO_URL, Selector(text=html.decode("utf-8")))
    assert fields["headline"].startswith("Paritarias al rojo")
    assert fields["authors"][0]["name"] == "Mariano Martín"
    assert fields["published"] == "2022-05-04T03:00:00+00:00"
    assert fields["section"] == "politica"
    assert fields["language"] == "es-AR"
