"""The generic extractor: trafilatura + structured data + whole-paragraph rules, pure (issue 10)."""

from __future__ import annotations

import ast
import gzip
import json
import os
import sys
from pathlib import Path

import pytest
from parsel import Selector

from newsbite.extract import generic
from newsbite.extract.common import hash_id
from newsbite.extract.generic import (
    EDGES,
    FURNITURE,
    GenericArticle,
    article_body,
    domain_label,
    extract_body,
    finish_body,
    parse_article,
    split_boilerplate,
    strip_boilerplate,
)
from newsbite.text import decode_html

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "generic"
EVAL_DEV = ROOT.parent / "shared" / "eval-dev"
AMBITO_URL = (
    "https://www.ambito.com/politica/paritarias/"
    "al-rojo-gremios-la-alimentacion-marcan-inflacion-53-abril-y-amenazan-paro-n5431248"
)
# Synthetic story text, invented for these tests.
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


def parse(html: str, url: str = "https://example.org/news/tram") -> dict:
    return parse_article(url, Selector(text=html))


# --- body -------------------------------------------------------------------------------------


def test_body_is_the_story_in_order_without_navigation():
    body = extract_body(page(*paras(STORY)), "https://example.org/news/tram")
    assert body == STORY


def test_teaser_labels_lines_and_credits_are_dropped_as_whole_paragraphs():
    html = page(
        *paras(STORY[:2]),
        "<p>Read more: Five things to know about the tram plan</p>",
        "<p>Lesen Sie auch: Stadtrat stimmt für neue Straßenbahn</p>",
        *paras(STORY[2:]),
        "<p>Foto: dpa / Max Mustermann</p>",
        "<p>© 2024 Example Media. All rights reserved.</p>",
    )
    fields = parse(html)
    assert fields["body"] == STORY
    assert "Read more: Five things to know about the tram plan" in fields["chrome_removed"]
    assert "Foto: dpa / Max Mustermann" in fields["chrome_removed"]


def test_teaser_heading_drops_its_run_of_short_headlines_only():
    kept, removed = split_boilerplate(
        [STORY[0], "Related articles", "Budget row deepens", "Buses to be replaced", STORY[1]]
    )
    assert kept == [STORY[0], STORY[1]]
    assert removed == ["Related articles", "Budget row deepens", "Buses to be replaced"]


def test_phrases_inside_sentences_and_long_paragraphs_are_kept():
    sentence = "Read more about it, the mayor said: the plan is online and open to comments."
    long_line = "Lea también: " + "el concejo aprobó la ampliación del tranvía. " * 6
    assert strip_boilerplate([sentence, long_line]) == [sentence, long_line]


def test_short_lines_missing_from_a_covering_articlebody_are_dropped():
    ld = ld_script({"@type": "NewsArticle", "headline": "T", "articleBody": "\n".join(STORY)})
    html = page(
        *paras(STORY[:2]),
        "<p>Trams are popular in many European cities</p>",
        *paras(STORY[2:]),
        head=ld,
    )
    fields = parse(html)
    assert fields["body"] == STORY
    # the printed headline is not in articleBody either
    assert fields["chrome_removed"] == [
        "Council backs tram extension",
        "Trams are popular in many European cities",
    ]


def test_too_short_extraction_falls_back_to_jsonld_articlebody():
    ld = ld_script({"@type": "NewsArticle", "articleBody": "\n\n".join(STORY)})
    html = f"<html><head>{ld}</head><body><div id='app'>Loading…</div></body></html>"
    assert extract_body(html) == STORY


def test_articlebody_markup_becomes_lines():
    text = article_body({"articleBody": "<p>One &amp; two.</p><p>Three<br>four</p>"})
    assert [line for line in text.split("\n") if line] == ["One & two.", "Three", "four"]
    assert article_body({"articleBody": ["a", 1]}) == "a"
    assert article_body({}) is None


# --- the edges of the body: classes of furniture, table-driven -------------------------------

EDGE_LINES = [
    # (line, kind at the opening edge, kind at the closing edge)
    ("July 2, 2019 12:00AM", "stamp", "stamp"),
    ("March 4, 2019 12:00AM", "stamp", "stamp"),
    ("Updated: 3 March 2019, 10:05 am", "stamp", "stamp"),
    ("Published 12th June 2020", "stamp", "stamp"),
    ("January 13, 2020 at 08:45 AM", "stamp", "stamp"),
    ("Veröffentlicht am 02.07.2019 um 14:30 Uhr", "stamp", "stamp"),
    ("Aktualisiert am 17.01.2021.", "stamp", "stamp"),
    ("Stand: 17.01.2021", "stamp", "stamp"),
    ("Mo, 02.07.2019 - 12:00", "stamp", "stamp"),
    ("Le 3 mars 2020 à 14h05", "stamp", "stamp"),
    ("2021-10-16", "stamp", "stamp"),
    ("2019-03-04T06:12:00+11:00", "stamp", "stamp"),
    ("By Louise Callaghan", "byline", "byline"),
    ("BY LOUISE CALLAGHAN", "byline", "byline"),
    ("By Jane Doe and John Smith | July 2, 2019", "byline", "byline"),
    ("By Jane Doe, 3 March 2019", "byline", "byline"),
    ("Von Anna Müller", "byline", "byline"),
    ("Par Jean-Pierre Martin", "byline", "byline"),
    ("Posted by Walter", "byline", "byline"),
    ("Share", "share", "share"),
    ("Share this:", "share", "share"),
    ("Teilen mit:", "share", "share"),
    ("Share Facebook Twitter Email", "share", "share"),
    ("Facebook | Twitter | WhatsApp | E-Mail", "share", "share"),
    ("Kontakt:", None, "label"),
    ("Teilnehmende Blogs:", None, "label"),
    # story text: never an edge class
    ("The mayor said on July 2, 2019 that work would start.", None, None),
    ("May 2019 was the wettest month on record.", None, None),
    ("By the way, the council voted.", None, None),
    ("2 people were hurt in the crash.", None, None),
    ("Share prices fell sharply on Tuesday after the announcement.", None, None),
    ("The mayor had one message for the council: build it now, and build it well.", None, None),
    (STORY[0], None, None),
]


@pytest.mark.parametrize(("line", "opening", "closing"), EDGE_LINES)
def test_edge_line_classes(line, opening, closing):
    assert EDGES.kind(line, closing=False) == opening
    assert EDGES.kind(line, closing=True) == closing


def test_edges_are_trimmed_at_both_ends_only():
    body = ["July 2, 2019 12:00AM", "By Jane Doe", *STORY, "Share this:", "Kontakt:"]
    middle = [STORY[0], "July 2, 2019 12:00AM", STORY[1]]
    out, standfirst, removed = finish_body(body, None, None)
    assert out == STORY
    assert removed == ["July 2, 2019 12:00AM", "By Jane Doe", "Share this:", "Kontakt:"]
    assert finish_body(middle, None, None)[0] == middle  # inside the story: kept
    assert finish_body(["Kontakt:", *STORY], None, None)[0] == ["Kontakt:", *STORY]


# --- furniture that addresses the reader about the site: classes, table-driven --------------

FURNITURE_LINES = [
    # (paragraph, class) -- synthetic lines written for these tests
    ("Never miss a story: sign up to our newsletter today!", "call"),
    ("Melden Sie sich hier für unseren Newsletter an!", "call"),
    ("Zum Newsletter anmelden", "call"),
    ("Tramway Weekly Newsletter", "call"),
    ("Mit unserem Newsletter erhalten Sie jeden Monat die wichtigsten Nachrichten.", "call"),
    ("Follow the Gazette on Twitter and Instagram @gazette.", "call"),
    ("Síguenos en Telegram, Instagram, Facebook y Twitter", "call"),
    ("¡Mira lo que tiene nuestro canal de YouTube!", "call"),
    ("For the latest stories download our apps for iOS and Android.", "call"),
    ("If you enjoyed this post, would you consider supporting our work?", "call"),
    ("Unterstütze unabhängigen Journalismus mit 3 Euro im Monat!", "call"),
    ("Submit a letter to the editor via this form.", "call"),
    ("Du musst eingeloggt sein, um Kommentare zu schreiben.", "call"),
    ("Keine Kommentare (Kommentare erscheinen erst nach Freigabe)", "call"),
    ("Anzeige, enthält Affiliate Links", "disclosure"),
    ("*Werbung. Dieser Beitrag enthält Werbung für eine Marke.", "disclosure"),
    ("This post contains references to products from our advertisers.", "disclosure"),
    ("We may receive compensation when you click on links to those products.", "disclosure"),
    ("Inhalte dieser Website stehen unter CC-BY 4.0.", "disclosure"),
    ("Material chroniony prawem autorskim - zasady przedruków określa regulamin.", "disclosure"),
    # story text: never furniture
    ("The council's newsletter reported the vote in its March issue.", None),
    ("Residents can follow the debate at the town hall on Thursday.", None),
    ("The app will show tram times to passengers on iOS and Android.", None),
    ("Supporters of the plan packed the public gallery.", None),
    ("Advertising on the new trams will pay for free wifi, the mayor said.", None),
    ("The editor of the local paper, Jane Doe, opposed the line.", None),
    ("Kommentare der Anwohner waren überwiegend positiv.", None),
    (STORY[0], None),
    ("Follow " + "the debate on Twitter, " * 12, None),  # longer than a line of furniture
]


@pytest.mark.parametrize(("line", "kind"), FURNITURE_LINES)
def test_furniture_classes(line, kind):
    assert FURNITURE.kind(line) == kind


SITE = FURNITURE.site_keys("https://www.tramgazette.co.uk/news/a", ["Tram Gazette"])

SITE_LINES = [
    ("Best deals with Tram Gazette", "site"),
    ("Auch auf tramgazette.co.uk", "site"),
    ("Get the Tram Gazette daily edition by email", "site"),
    ("Nutzen Sie TramGazette als Ihren Vorteil", "site"),
    ("Trams are back in the city centre", None),
    ("The gazette of the council printed the plan.", None),  # one word of the name only
    ("Tram " + "Gazette " * 20, None),  # longer than a site line
]


@pytest.mark.parametrize(("line", "kind"), SITE_LINES)
def test_site_lines(line, kind):
    assert FURNITURE.kind(line, SITE) == kind


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://www.example.co.uk/a", "example"),
        ("https://news.example.com.ar/x?y=1", "example"),
        ("http://example.org:8080/", "example"),
        ("hard::page.html", ""),
        (None, ""),
    ],
)
def test_domain_label(url, label):
    assert domain_label(url) == label


def test_site_names_that_are_common_words_or_short_are_not_keys():
    assert FURNITURE.site_keys("https://www.bild.de/a", ["News"]) == frozenset()
    assert FURNITURE.site_keys("https://heute.de/a", ["Heute"]) == frozenset()


def test_site_lines_are_dropped_only_when_the_story_never_names_the_site():
    head = '<meta property="og:site_name" content="Tram Gazette">'
    fields = parse(page(*paras(STORY), "<p>Best deals with Tram Gazette</p>", head=head))
    assert fields["body"] == STORY
    assert "Best deals with Tram Gazette" in fields["chrome_removed"]
    # a page about the site itself: its name is the subject, its short lines stay
    about = [
        *STORY[:2],
        "Tram Gazette was founded in 1901 and is printed in the city, "
        "where its reporters have covered the tram network for a century.",
    ]
    fields = parse(page(*paras(about), "<p>Best deals with Tram Gazette</p>", head=head))
    assert fields["body"] == [*about, "Best deals with Tram Gazette"]


def test_furniture_anywhere_in_the_body_and_a_site_tagline_as_description():
    head = (
        '<meta property="og:site_name" content="Tram Gazette">'
        '<meta name="description" content="Tram Gazette - the blog of rails and wheels">'
    )
    html = page(
        *paras(STORY[:2]),
        "<p>Sign up for our newsletter and never miss a story.</p>",
        *paras(STORY[2:]),
        "<p>Follow us on Facebook and Instagram!</p>",
        head=head,
    )
    fields = parse(html)
    assert fields["body"] == STORY
    assert fields["standfirst"] is None
    assert "Tram Gazette - the blog of rails and wheels" in fields["chrome_removed"]


TEASER_HEADINGS = [
    ("| Weitere Artikel zum Thema |", True),
    ("More stories from Business", True),
    ("Mehr zum Thema auf example.de", True),
    ("Lesen Sie auch die folgenden Beiträge:", True),
    ("Contenido relacionado", True),
    ("Weitere Informationen zum Coronavirus in Sachsen:", True),
    # story text that starts with a label word
    ("More from the council's budget will go to buses than to trams this year.", False),
    ("Related to the vote, a petition gathered 3,000 signatures.", False),
    ("Watch the crowd cheer as the first tram arrives", False),
]


@pytest.mark.parametrize(("line", "is_heading"), TEASER_HEADINGS)
def test_teaser_headings_with_a_name_or_a_colon(line, is_heading):
    kept, removed = split_boilerplate([STORY[0], line, STORY[1]])
    assert (removed == [line]) is is_heading
    assert kept == ([STORY[0], STORY[1]] if is_heading else [STORY[0], line, STORY[1]])


def test_news_corp_page_the_platform_parser_does_not_read_starts_with_the_story():
    """Unknown News Corp-like markup (synthetic): the date line and byline above the text
    are not the body's first paragraphs."""
    html = page(
        "<p>July 2, 2019 12:00AM</p><p>By Jane Doe</p>",
        *paras(STORY),
        title="Council backs tram extension",
    )
    fields = parse(html, "https://www.heraldsun.com.au/news/tram/news-story/" + "a" * 32)
    assert fields["body"] == STORY
    assert "July 2, 2019 12:00AM" in fields["chrome_removed"]


def test_headline_and_standfirst_are_not_repeated():
    standfirst = "Council ends a decade of debate over the northern line."
    ld = ld_script({"@type": "NewsArticle", "headline": "Council backs tram extension"})
    desc = f'<meta property="og:description" content="{standfirst}">'
    html = page(f"<p class='intro'>{standfirst}</p>", *paras(STORY), head=ld + desc)
    fields = parse(html)
    # printed as the opening of the text: the story's lead, kept; no separate standfirst
    assert fields["body"][0] == standfirst and fields["standfirst"] is None
    assert fields["body"][1:] == STORY
    elsewhere = page(*paras(STORY), head=ld + desc)
    fields = parse(elsewhere)
    assert fields["standfirst"] == standfirst and fields["body"] == STORY


# --- metadata ---------------------------------------------------------------------------------


def test_meta_author_without_jsonld_author_does_not_crash():
    """The issue-10 defect: a meta author and no JSON-LD author raised TypeError."""
    head = '<meta name="author" content="Jane Doe, John Smith">' + ld_script(
        {"@type": "NewsArticle", "headline": "Tram plan approved"}
    )
    fields = parse(page(*paras(STORY), head=head))
    assert fields["byline_raw"] == "Jane Doe, John Smith"
    assert [a["name"] for a in fields["authors"]] == ["Jane Doe", "John Smith"]


def test_jsonld_first_then_microdata_then_open_graph():
    ld = ld_script(
        {
            "@type": "NewsArticle",
            "headline": "Tram plan approved",
            "datePublished": "2024-03-05T09:30:00+01:00",
            "author": [{"@type": "Person", "name": "Jane Doe"}],
            "keywords": "Transport, Council",
            "isAccessibleForFree": "true",
            "mainEntityOfPage": "https://example.org/news/tram-plan",
        }
    )
    og = (
        '<meta property="og:title" content="OG title">'
        '<meta property="og:description" content="OG description of the plan.">'
        '<meta property="article:published_time" content="2020-01-01T00:00:00+00:00">'
        '<meta property="og:image" content="/img/tram.jpg">'
    )
    fields = parse(page(*paras(STORY), head=ld + og), "https://example.org/news/tram?utm=x")
    assert fields["headline"] == "Tram plan approved"
    assert fields["standfirst"] == "OG description of the plan."
    assert fields["canonical_url"] == "https://example.org/news/tram-plan"
    assert fields["id"] == hash_id("https://example.org/news/tram-plan")
    assert fields["published"] == "2024-03-05T09:30:00+01:00"
    assert [a["name"] for a in fields["authors"]] == ["Jane Doe"]
    assert [t["name"] for t in fields["topics"]] == ["Transport", "Council"]
    assert fields["paywall"]["evidence"] == ["jsonld:isAccessibleForFree=true"]
    assert fields["images"][0]["url"] == "https://example.org/img/tram.jpg"
    assert fields["language"] == "en"

    microdata = (
        "<div itemscope itemtype='https://schema.org/NewsArticle'>"
        "<h2 itemprop='headline'>Microdata headline</h2>"
        "<meta itemprop='datePublished' content='2023-06-01T08:00:00+02:00'></div>"
    )
    fields = parse(page(*paras(STORY), microdata, head=og))
    assert fields["headline"] == "Microdata headline"
    assert fields["published"] == "2023-06-01T08:00:00+02:00"

    fields = parse(page(*paras(STORY), head=og))
    assert fields["headline"] == "OG title"
    assert fields["published"] == "2020-01-01T00:00:00+00:00"


def test_date_from_htmldate_when_the_page_gives_no_structured_date():
    html = page("<p class='date'>2021-10-16</p>", *paras(STORY))
    fields = parse(html, "https://example.org/2021/10/16/tram")
    assert fields["published"].startswith("2021-10-16")
    assert parse(page(*paras(STORY)), "https://example.org/tram")["published"] is None


def test_parse_article_fields_and_parser_object():
    fields = GenericArticle().parse(
        "https://example.org/news/tram", Selector(text=page(*paras(STORY))), timezone="UTC"
    )
    assert GenericArticle().matches(Selector(text="<html></html>"))
    assert fields["extractor"] == f"generic/{GenericArticle.generation}"
    assert fields["paywall"]["status"] == "unknown"
    assert fields["id"] == hash_id("https://example.org/news/tram")
    assert fields["section"] == "news"
    assert fields["headline"] == "Council backs tram extension"  # trafilatura's title reader
    assert fields["body"] == STORY
    assert fields["problems"] == []


def test_malformed_structured_data_is_named_not_raised():
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    fields = parse(page(*paras(STORY), head=ld))
    assert fields["body"] == STORY
    assert "jsonld_invalid_json" in fields["problems"]


def test_generic_extractor_stands_alone():
    """It imports nothing from a platform parser (newsbite.extract.common is the shared part)."""
    tree = ast.parse(Path(generic.__file__).read_text("utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert not any("newscorp" in name or "thetimes" in name for name in imported)


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


# --- no page may crash it -------------------------------------------------------------------


def test_failure_inside_extraction_is_contained(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(generic, "_trafilatura", boom)
    assert extract_body(page(*paras(STORY))) == []
    fields = parse(page(*paras(STORY)))
    assert fields["body"] == [] and fields["headline"] == "Council backs tram extension"


def _deep(levels: int) -> str:
    return "<html><body>" + "<div>" * levels + "".join(paras(STORY)) + "</div>" * levels


HOSTILE = {
    "empty": "",
    "empty-bytes": b"",
    "blank": "   \n ",
    "none": None,
    "binary": b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
    "cut-in-head": "<html><head><title>Council backs tram ext",
    "junk-markup": "<<<>>><!-- <p",
    "nested-10000": _deep(10_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gives_an_empty_body_not_an_exception(name):
    body = extract_body(HOSTILE[name], "https://example.org/a")
    assert isinstance(body, list) and all(isinstance(p, str) and p for p in body)
    if name != "nested-10000":
        assert body == []


def test_truncated_page_keeps_what_was_received():
    html = page(*paras(STORY))
    cut = html[: html.index(STORY[-1]) + 40]
    body = extract_body(cut)
    assert body[:3] == STORY[:3]
    assert body[3].startswith(STORY[-1][:40])


def test_huge_page_is_read():
    html = page(*paras(STORY * 2000))  # about 2.5 MB of story text
    body = extract_body(html)
    assert len(body) > 100 and body[:4] == STORY


def _bundled_pages() -> list[Path]:
    pages = sorted(ROOT.glob("fixtures/**/pages/*.html"))
    pages += sorted((ROOT / "tests" / "data").glob("**/*.html"))
    return pages


def test_every_bundled_page_parses_without_an_exception():
    pages = _bundled_pages()
    assert len(pages) >= 10
    failures = []
    for path in pages:
        try:
            fields = parse_article(
                "https://example.org/page", Selector(text=decode_html(path.read_bytes())[0])
            )
            assert isinstance(fields["body"], list)
        except Exception as error:  # collected: the test names every page that broke
            failures.append(f"{path.relative_to(ROOT)}: {type(error).__name__}: {error}")
    assert failures == []


def test_every_eval_dev_page_parses_without_an_exception():
    """The development set (../shared/eval-dev, beside the checkout in CI): 990 real pages."""
    if not (EVAL_DEV / "eval.json").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI: the development set is missing at {EVAL_DEV}")
        pytest.skip("no ../shared/eval-dev beside this checkout")
    entries = json.loads((EVAL_DEV / "eval.json").read_text("utf-8"))
    failures, with_body = [], 0
    for entry in entries:
        raw = gzip.decompress((EVAL_DEV / entry["file"]).read_bytes())
        url = entry["url"] if "://" in entry["url"] else "https://example.org/"
        try:
            fields = parse_article(url, Selector(text=decode_html(raw)[0]))
            with_body += bool(fields["body"])
        except Exception as error:  # collected: the test names every page that broke
            failures.append(f"{entry['id']}: {type(error).__name__}: {error}")
    assert failures == []
    assert with_body >= 0.98 * len(entries)


def test_a_page_with_only_a_few_words_of_text_has_no_body():
    html = "<html><head><title>Nothing</title></head><body><nav>Home</nav></body></html>"
    fields = parse(html)
    assert fields["body"] == [] and fields["chrome_removed"] == ["Home"]


# --- the paywall-markup pre-check and the evaluation benchmark's helpers ---------------------


@pytest.mark.parametrize(
    "markup, expected",
    [
        ('<div class="box paywall-prompt">Subscribe</div>', ["markup:.paywall-prompt"]),
        ("<section data-paywall>Subscribe</section>", ["markup:[data-paywall]"]),
        (
            '<div id="paywall"></div><p class="subscribe-prompt">x</p>',
            ["markup:#paywall", "markup:.subscribe-prompt"],
        ),
        ('<div class="paywall">no prompt class</div>', []),
    ],
)
def test_paywall_markup_evidence_is_the_same_with_the_one_walk_pre_check(markup, expected):
    sel = Selector(text=f"<html><body><p>Story text.</p>{markup}</body></html>")
    ld = {"isAccessibleForFree": "false"}
    found = generic._access_evidence(sel, ld)
    assert found == ["jsonld:isAccessibleForFree=false", *expected]
    assert found == generic.access_evidence(sel, ld)


def _eval_generic():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "eval_generic", ROOT / "benchmarks" / "eval_generic.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return sys.modules[spec.name]


def test_benchmark_scores_the_standfirst_once_before_the_body():
    bench = _eval_generic()
    item = {"standfirst": "The lead  line.", "body": ["First.", "Second."]}
    assert bench.story_text(item) == "The lead  line.\nFirst.\nSecond."
    assert bench.body_text(item) == "First.\nSecond."
    repeated = {"standfirst": "First.", "body": ["First.", "Second."]}
    assert bench.story_text(repeated) == "First.\nSecond."
    assert bench.story_text({"error": "no story: empty_body"}) is None


def test_benchmark_splits_german_pages_by_declared_language_then_domain():
    bench = _eval_generic()
    page = {"url": "https://example.de/a"}
    assert bench.is_german(page, b'<html lang="de-DE"><body></body></html>')
    assert not bench.is_german(page, b'<html lang="en"><body></body></html>')
    assert bench.is_german(page, b"<html><body></body></html>")
    assert not bench.is_german({"url": "hard::example.com"}, b"<html></html>")
