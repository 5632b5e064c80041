"""Bylines in capitals followed by a role with no comma (issue 9 item 7), and their neighbours.

"By JANE CITIZEN Political Correspondent" printed the role inside the name. The case change
from a name in capitals to a role in title case is the boundary; without it (mixed-case names,
a place, an organisation that is not a role) nothing is split.
"""

from __future__ import annotations

import pytest

from newsbite.normalise.bylines import BylineParser, CapsNameRole, is_caps_word, proper_name


@pytest.fixture(scope="module")
def bylines() -> BylineParser:
    return BylineParser.default()


# raw byline -> [(name, role)], credit source
# fmt: off
CASES = [
    # the case, and roles of one, two and three words
    ("By JANE CITIZEN Political Correspondent",
     [("Jane Citizen", "Political Correspondent")], None),
    ("JANE CITIZEN Reporter", [("Jane Citizen", "Reporter")], None),
    ("By JANE CITIZEN Chief Political Correspondent",
     [("Jane Citizen", "Chief Political Correspondent")], None),
    ("By JOHN SMITH Senior Writer", [("John Smith", "Senior Writer")], None),
    ("By JOHN SMITH Economics Editor", [("John Smith", "Economics Editor")], None),
    ("By ANNA LEE Middle East Correspondent", [("Anna Lee", "Middle East Correspondent")], None),
    ("By ANNA LEE Columnist", [("Anna Lee", "Columnist")], None),
    ("By ANNA LEE Editor at Large", [("Anna Lee", "Editor at Large")], None),
    ("By ANNA LEE Correspondent in London", [("Anna Lee", "Correspondent in London")], None),
    ("By ANNA LEE Health and Science Editor", [("Anna Lee", "Health and Science Editor")], None),
    # names in capitals with Mc, O', hyphens and particles
    ("By JANE McDONALD Political Editor", [("Jane McDonald", "Political Editor")], None),
    ("By SEAN O'BRIEN National Affairs Editor",
     [("Sean O'Brien", "National Affairs Editor")], None),
    ("By MARY-ANNE McDONALD-O'BRIEN Chief Reporter",
     [("Mary-Anne McDonald-O'Brien", "Chief Reporter")], None),
    ("By JOHN DE LA CRUZ Foreign Correspondent",
     [("John de la Cruz", "Foreign Correspondent")], None),
    ("By SEAN O\u2019BRIEN Reporter", [("Sean O\u2019Brien", "Reporter")], None),
    # two people, with and without commas, with "and" and "&"
    ("By JANE CITIZEN Political Correspondent and TOM ROE Economics Editor",
     [("Jane Citizen", "Political Correspondent"), ("Tom Roe", "Economics Editor")], None),
    ("JANE CITIZEN, Political Correspondent and TOM ROE Economics Editor",
     [("Jane Citizen", "Political Correspondent"), ("Tom Roe", "Economics Editor")], None),
    ("JANE CITIZEN Political Correspondent & TOM ROE",
     [("Jane Citizen", "Political Correspondent"), ("Tom Roe", None)], None),
    ("By JANE CITIZEN and TOM ROE", [("Jane Citizen", None), ("Tom Roe", None)], None),
    # roles with a comma keep working
    ("By JANE CITIZEN, Political Correspondent",
     [("Jane Citizen", "Political Correspondent")], None),
    ("Jane Citizen, Political Correspondent", [("Jane Citizen", "Political Correspondent")], None),
    ("JANE CITIZEN, Health and Science Editor",
     [("Jane Citizen", "Health and Science Editor")], None),
    # agencies and mastheads: credits, not people
    ("By JANE CITIZEN Political Correspondent and AAP",
     [("Jane Citizen", "Political Correspondent")], "AAP"),
    ("JANE CITIZEN Europe Correspondent, The Times",
     [("Jane Citizen", "Europe Correspondent")], "The Times"),
    ("AAP", [], "AAP"),
    ("By NCA NewsWire", [], "NCA NewsWire"),
    # contacts are removed before the split
    ("By JANE CITIZEN Political Correspondent jane.citizen@news.com.au @janecitizen",
     [("Jane Citizen", "Political Correspondent")], None),
    # a name alone, in capitals or mixed case
    ("By JANE CITIZEN", [("Jane Citizen", None)], None),
    ("JANE McDONALD", [("Jane McDonald", None)], None),
    ("Jane McDonald", [("Jane McDonald", None)], None),
]
# fmt: on

NEGATIVE = [
    # no case change: a mixed-case name is not split (there is no boundary to trust)
    ("Jane Citizen Political Correspondent", [("Jane Citizen Political Correspondent", None)]),
    # a place after the name is not a role
    ("By JANE CITIZEN in Canberra", [("JANE CITIZEN in Canberra", None)]),
    # an organisation that only starts with a role word is not a role
    ("By JOHN SMITH National Press Club", [("JOHN SMITH National Press Club", None)]),
    # all in capitals: no case change, the whole line is the name
    ("By JANE CITIZEN POLITICAL CORRESPONDENT", [("Jane Citizen Political Correspondent", None)]),
    # a role in lower case after the name is not the printed title-case role
    ("JANE CITIZEN political correspondent", [("JANE CITIZEN political correspondent", None)]),
]


@pytest.mark.parametrize("raw, people, credit", CASES, ids=[c[0] for c in CASES])
def test_bylines_split_names_in_capitals_from_roles(bylines, raw, people, credit):
    parsed = bylines.parse(raw)
    assert [(p["name"], p.get("role")) for p in parsed.people] == people
    assert (parsed.credit.source if parsed.credit else None) == credit


@pytest.mark.parametrize("raw, people", NEGATIVE, ids=[c[0] for c in NEGATIVE])
def test_no_split_without_a_case_change_to_a_title_case_role(bylines, raw, people):
    assert [(p["name"], p.get("role")) for p in bylines.parse(raw).people] == people


def test_raw_keeps_the_piece_as_printed(bylines):
    people = bylines.parse("By JANE CITIZEN Political Correspondent and TOM ROE").people
    assert [p["raw"] for p in people] == ["JANE CITIZEN Political Correspondent", "TOM ROE"]


@pytest.mark.parametrize(
    "word, caps",
    [("JANE", True), ("O'BRIEN", True), ("McDONALD", True), ("MacKENZIE", True),
     ("McDONALD-O'BRIEN", True), ("Jane", False), ("McDonald", False), ("Mc", False),
     ("NSW", True), ("1990", False), ("de", False)],
)  # fmt: skip
def test_caps_words(word, caps):
    assert is_caps_word(word) is caps


def test_splitter_alone():
    splitter = CapsNameRole({"correspondent", "editor"}, {"at", "of"})
    assert splitter.split("JANE CITIZEN Political Correspondent") == (
        "JANE CITIZEN",
        "Political Correspondent",
    )
    assert splitter.split("JANE CITIZEN") == ("JANE CITIZEN", None)
    assert splitter.split("Political Correspondent") == ("Political Correspondent", None)
    assert splitter.split("JANE CITIZEN Political Analyst") == (
        "JANE CITIZEN Political Analyst",
        None,
    )  # "Analyst" is not in this splitter's vocabulary


def test_proper_name_of_capitals_with_mixed_case_prefixes():
    assert proper_name("JANE McDONALD") == "Jane McDonald"
    assert proper_name("ANNA MacKENZIE") == "Anna MacKenzie"
    assert proper_name("Tom McDonald") == "Tom McDonald"  # mixed case: kept as printed
    assert proper_name("jane citizen") == "Jane Citizen"
