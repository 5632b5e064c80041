"""Pure normalisers: chrome, captions, bylines, credits (DESIGN §3, §6)."""

from __future__ import annotations

import pytest

from newsbite.normalise.bylines import BylineParser, proper_name
from newsbite.normalise.captions import dedupe_repeat, merge_images, split_credit
from newsbite.normalise.chrome import ChromeMatcher
from newsbite.normalise.credits import CreditRegistry

SEED_CHROME = [
    "NewsBite",
    "Add your comment to this story",
    "To join the conversation, please Don't have an account? Register",
    "Join the conversation, you are commenting as Logout",
    "Read related topics:Isis",
    "Original URL: https://www.theaustralian.com.au/world/the-times/x/news-story/4df04eb09060ea88508cbb81762e88cf",
]


@pytest.fixture(scope="module")
def chrome() -> ChromeMatcher:
    return ChromeMatcher.default()


@pytest.mark.parametrize("line", SEED_CHROME)
def test_seed_chrome_lines_are_chrome(chrome, line):
    assert chrome.is_chrome(line)
    assert chrome.is_chrome(line.upper())  # case and spacing are folded
    assert chrome.is_chrome("  " + line.replace(" ", "  ") + " ")


@pytest.mark.parametrize(
    "line",
    [
        "\u201cRegister,\u201d the sign on the polling booth said, \u201cbefore Friday.\u201d",
        "Residents were told to Add your comment to this story on the council website.",
        "He said he could not Log in to the system for three days.",
        "Read related topics is the name of a new art installation in Hobart.",
        "ISIS fighters are furious their leader appears to have melted into the desert.",
    ],
)
def test_story_sentences_quoting_chrome_are_kept(chrome, line):
    assert not chrome.is_chrome(line)


def test_split_keeps_page_order(chrome):
    kept, removed = chrome.split(["One.", "Register", "Two.", "NewsBite"])
    assert kept == ["One.", "Two."]
    assert removed == ["Register", "NewsBite"]


def test_custom_vocab_is_data():
    matcher = ChromeMatcher.from_vocab({"phrases": ["Sponsored"], "patterns": [r"Ad \d+"]})
    assert matcher.is_chrome("sponsored") and matcher.is_chrome("Ad 12")
    assert not matcher.is_chrome("NewsBite")


@pytest.mark.parametrize(
    "printed, caption, credit",
    [
        ("Since declaring x videos. Picture: AFP", "Since declaring x videos.", "AFP"),
        ("A man walks. Picture: AFP A man walks. Picture: AFP", "A man walks.", "AFP"),
        (
            "Crowds gathered (Photo by John Smith/Getty Images)",
            "Crowds gathered",
            "John Smith/Getty Images",
        ),
        (
            "The PM in Canberra. Picture: Martin Ollman/NCA NewsWire",
            "The PM in Canberra.",
            "Martin Ollman/NCA NewsWire",
        ),
        ("A caption without credit.", "A caption without credit.", None),
        ("", None, None),
    ],
)
def test_caption_credit_split(printed, caption, credit):
    assert split_credit(printed) == (caption, credit)


def test_dedupe_repeat_only_exact_halves():
    assert dedupe_repeat("abc def abc def") == "abc def"
    assert dedupe_repeat("abc def abc xyz") == "abc def abc xyz"


def test_images_merged_by_url_caption_once():
    images = merge_images(
        [
            {"url": "u1", "caption": "A. Picture: AFP", "credit": None},
            {"url": "u1", "caption": "A. Picture: AFP", "credit": None},
            {"url": "u1", "caption": None, "credit": None},  # a lightbox copy, no caption
            {"url": "u2", "caption": None, "credit": None},
        ]
    )
    assert images == [
        {"url": "u1", "caption": "A.", "credit": "AFP"},
        {"url": "u2", "caption": None, "credit": None},
    ]


@pytest.fixture(scope="module")
def bylines() -> BylineParser:
    return BylineParser.default()


@pytest.mark.parametrize(
    "raw, people, credit",
    [
        ("By Louise Callaghan", [("Louise Callaghan", None)], None),
        ("LOUISE CALLAGHAN", [("Louise Callaghan", None)], None),
        (
            "Louise Callaghan, Middle East correspondent",
            [("Louise Callaghan", "Middle East Correspondent")],
            None,
        ),
        ("Rhiannon Down and Ellie Dudley", [("Rhiannon Down", None), ("Ellie Dudley", None)], None),
        ("Staff writers", [], None),
        ("AFP", [], "AFP"),
        ("NCA NewsWire", [], "NCA NewsWire"),
        ("Jane Doe, The Times", [("Jane Doe", None)], "The Times"),
        (
            "By JANE MCDONALD-O'BRIEN, Political Reporter and tom de la cruz, "
            "Health and Science editor "
            "@tomdlc",
            [
                ("Jane McDonald-O'Brien", "Political Reporter"),
                ("Tom de la Cruz", "Health and Science Editor"),
            ],
            None,
        ),
        ("jane.doe@news.com.au Jane Doe", [("Jane Doe", None)], None),
        ("Greg Sheridan, Foreign Editor", [("Greg Sheridan", "Foreign Editor")], None),
    ],
)
def test_bylines(bylines, raw, people, credit):
    parsed = bylines.parse(raw)
    assert [(p["name"], p.get("role")) for p in parsed.people] == people
    assert (parsed.credit.source if parsed.credit else None) == credit
    assert all(p["raw"] and "@" not in p["raw"] for p in parsed.people)


def test_mixed_case_names_are_kept_as_printed():
    assert proper_name("Tom McDonald") == "Tom McDonald"
    assert proper_name("MARY O'BRIEN") == "Mary O'Brien"


@pytest.mark.parametrize(
    "printed, source",
    [
        ("THE SUNDAY TIMES", "The Sunday Times"),
        ("The Sunday Times", "The Sunday Times"),
        ("THE TIMES", "The Times"),
        ("AAP", "AAP"),
        ("Reuters.", "Reuters"),
        ("WSJ", "The Wall Street Journal"),
        ("The Sunday Times reported it", None),
        ("Picture: AFP", None),
    ],
)
def test_credit_registry_whole_lines(printed, source):
    found = CreditRegistry.default().lookup(printed)
    assert (found.source if found else None) == source


def test_sign_off_at_end_of_paragraph():
    registry = CreditRegistry.default()
    assert registry.sign_off("The talks ended on Friday. \u2014 AFP")[1:] == (
        "AFP",
        registry.lookup("AFP"),
    )
    assert (
        registry.sign_off("Police said the area was safe (AAP)")[0]
        == "Police said the area was safe"
    )
    assert registry.sign_off("The score was 3 - 2") is None


def test_sign_off_names_a_long_masthead_and_kind_defaults_to_masthead():
    registry = CreditRegistry.default()
    assert registry.sign_off("The talks ended. \u2014 The Sunday Times")[2].source == (
        "The Sunday Times"
    )
    custom = CreditRegistry({"sources": [{"source": "Local Wire"}]})
    assert custom.lookup("LOCAL WIRE").kind == "masthead"


@pytest.mark.parametrize(
    "line, source",
    [
        ("Credit: Jane Doe via Storyful", "Storyful"),
        ("via Storyful", "Storyful"),
        ("Source: AAP", "AAP"),
        ("Jane Doe via Storyful", "Storyful"),
        ("THE DAILY TELEGRAPH", "The Daily Telegraph"),
        ("The Courier Mail", "The Courier-Mail"),
        # a story sentence that ends with an agency is story text, not a credit line
        ("The footage was shared widely online via Reuters", None),
        # a picture credit belongs to its image, never to the story
        ("Picture: AFP", None),
        ("Credit: Jane Doe", None),
    ],
)
def test_labelled_and_relayed_credit_lines(line, source):
    from newsbite.normalise.credits import CreditRegistry

    credit = CreditRegistry.default().lookup(line)
    assert (credit.source if credit else None) == source
