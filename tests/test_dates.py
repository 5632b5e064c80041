"""Issue 11: dates are read, never invented. Structured values (JSON-LD, meta tags, datetime
attributes) must be absolute; relative words need a reference date; a rejected value is
reported so that the chain can count ``newsbite/date_rejected``."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from parsel import Selector

from newsbite.extract.dates import is_future, normalise_date

SYDNEY = "Australia/Sydney"
ROOT = Path(__file__).resolve().parent.parent
FREE_PAGE = ROOT / "fixtures/theaustralian/paywall-statuses/pages/free.html"
FREE_URL = (
    "https://www.theaustralian.com.au/nation/politics/"
    "senate-passes-regional-road-funding-bill-free/news-story/0a1f0000000000000000000000000001"
)

ABSOLUTE = [
    ("2019-03-04T00:00:00+11:00", "2019-03-04T00:00:00+11:00"),
    ("2019-03-04T00:00:00Z", "2019-03-04T00:00:00+00:00"),
    ("2019-03-03T13:00:00.000Z", "2019-03-03T13:00:00+00:00"),
    ("2019-03-04T00:00:00+1100", "2019-03-04T00:00:00+11:00"),
    ("2019-03-04", "2019-03-04T00:00:00+11:00"),  # no offset: the site's zone
    ("2019-07-04T09:30", "2019-07-04T09:30:00+10:00"),  # winter: AEST
    ("Mon, 04 Mar 2019 00:00:00 +1100", "2019-03-04T00:00:00+11:00"),
    ("04 Mar 2019 13:00:00 GMT", "2019-03-04T13:00:00+00:00"),
    ("March 4, 2019 12:00AM", "2019-03-04T00:00:00+11:00"),
    ("4 March 2019", "2019-03-04T00:00:00+11:00"),
    ("Monday 4 March 2019 10:30am AEDT", "2019-03-04T10:30:00+11:00"),
    ("March 2019", "2019-03-01T00:00:00+11:00"),  # a month: its first day, not today's
    ("Updated March 4, 2019 12:00AM", "2019-03-04T00:00:00+11:00"),
    ("First published: 4 March 2019", "2019-03-04T00:00:00+11:00"),
]


@pytest.mark.parametrize("structured", [True, False])
@pytest.mark.parametrize("raw, expected", ABSOLUTE)
def test_absolute_dates_are_read_in_both_modes(raw, expected, structured):
    assert normalise_date(raw, SYDNEY, structured=structured, problems=[]) == expected


RELATIVE = [
    "yesterday",
    "Yesterday 5:30pm",
    "today",
    "tomorrow",
    "now",
    "just now",
    "in 3 days",
    "in a week",
    "2 hours ago",
    "5 mins ago",
    "last week",
    "next Monday",
    "this morning",
]
UNPLACEABLE = [
    "Monday",  # no year, no month
    "4 March",  # no year: dateparser would take this year's
    "March 4",
    "12:30pm",
    "1551618000",  # a Unix timestamp is not a date we can place
    "2019",
    "0001-01-01T00:00:00",  # CMS placeholder
    "1970-01-01T00:00:00Z",  # the epoch, a null in disguise
    "2019-13-45",
    "not a date",
    "TBC",
]


@pytest.mark.parametrize("structured", [True, False])
@pytest.mark.parametrize("raw", RELATIVE + UNPLACEABLE)
def test_relative_and_unplaceable_dates_are_refused_and_reported(raw, structured):
    problems: list[str] = []
    assert normalise_date(raw, SYDNEY, structured=structured, problems=problems) is None
    assert problems == ["date_rejected"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("yesterday", "2024-04-30"),
        ("2 hours ago", "2024-05-01T10:00"),
        ("in 3 days", "2024-05-04"),
        ("4 March", "2024-03-04"),
    ],
)
def test_prose_relative_dates_are_read_against_a_given_reference(raw, expected):
    reference = datetime(2024, 5, 1, 12, 0)
    value = normalise_date(raw, SYDNEY, reference=reference, problems=[])
    assert value is not None and value.startswith(expected)


def test_a_reference_does_not_open_structured_values_to_relative_words():
    problems: list[str] = []
    got = normalise_date(
        "yesterday", SYDNEY, structured=True, reference=datetime(2024, 5, 1), problems=problems
    )
    assert got is None and problems == ["date_rejected"]


@pytest.mark.parametrize("raw", [None, "", "   ", 5, ["2019-03-04"]])
def test_nothing_is_not_a_problem(raw):
    problems: list[str] = []
    assert normalise_date(raw, SYDNEY, problems=problems) is None  # type: ignore[arg-type]
    assert problems == []


def test_without_a_problems_list_a_rejection_is_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        assert normalise_date("in 3 days", SYDNEY, structured=True) is None
    assert "date_rejected" in caplog.text and "in 3 days" in caplog.text


def test_the_old_positional_signature_still_works():
    assert normalise_date("2019-03-04T00:00:00+11:00", SYDNEY) == "2019-03-04T00:00:00+11:00"


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "iso, expected",
    [
        ("2024-05-01T12:00:00+00:00", False),
        ("2024-05-02T11:00:00+00:00", False),  # within the day of slack (time zones, clocks)
        ("2024-05-02T13:00:00+00:00", True),
        ("2024-05-03T08:00:00+10:00", True),
        ("2030-01-01T00:00:00Z", True),
        ("2019-03-04T00:00:00+11:00", False),
        ("2024-05-02T13:00:00", True),  # naive: read as UTC
        (None, False),
        ("", False),
        ("garbage", False),
    ],
)
def test_is_future(iso, expected):
    assert is_future(iso, NOW) is expected


def test_is_future_slack_and_naive_now():
    assert is_future("2024-05-01T13:00:00Z", NOW, slack=timedelta(0)) is True
    assert is_future("2024-05-01T13:00:00Z", datetime(2024, 5, 1, 12, 0)) is False


def test_invented_jsonld_date_loses_to_the_markup_date():
    from newsbite.extract.newscorp_au import parse_article

    html = FREE_PAGE.read_text("utf-8")
    good = parse_article(FREE_URL, Selector(text=html), timezone=SYDNEY)
    assert good["published"]
    start = html.index('"datePublished": "') + len('"datePublished": "')
    end = html.index('"', start)
    for invented in ("yesterday", "in 3 days", "2 hours ago"):
        page = html[:start] + invented + html[end:]
        fields = parse_article(FREE_URL, Selector(text=page), timezone=SYDNEY)
        assert fields["published"] == good["published"], invented
