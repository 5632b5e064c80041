"""Dates as ISO 8601 with an offset: the page's own offset kept, the site's zone only when none.

Never an invented date. ``normalise_date(raw, timezone, structured=True)`` is for values a
machine wrote (JSON-LD, meta tags, ``datetime`` attributes): only absolute dates pass (ISO 8601,
RFC 2822, or a prose date with a year and a month such as "March 4, 2019 12:00AM"); "yesterday",
"in 3 days" or "2 hours ago" give None, so the parser falls back to the markup's date. Prose
(``structured=False``) is read more freely, but relative words, and dates without a year, are
still refused unless the caller gives the ``reference`` date they are relative to.

Problems: with ``problems=[...]`` a rejected non-empty value appends ``date_rejected`` (the
chain counts it as ``newsbite/date_rejected``; see ``newsbite.text.problem_counts``); with no
list it is logged at WARNING. ``is_future`` lets the chain flag a published date more than a
day ahead of the crawl (``date_future``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from newsbite.text import clean, note

# Words that make a date relative to "now": dateparser would happily resolve them.
RELATIVE = re.compile(
    r"\b(ago|yesterday|today|tomorrow|tonight|now|hence|fortnight)\b"
    r"|\bin (an?|\d+|a few) (sec|second|min|minute|hour|day|week|month|year)s?\b"
    r"|\b(last|next|this|past|coming) (week|month|year|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|weekend|morning|afternoon|evening|night)\b",
    re.IGNORECASE,
)
OLDEST_YEAR = 1900  # CMS placeholders (0001-01-01) and the Unix epoch are not publication dates
_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
_ISO_SHAPE = re.compile(
    r"^\d{4}-?\d{2}-?\d{2}([T ]\d{2}(:?\d{2}){0,2}([.,]\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"
)
# Labels printed before a date: "Updated March 4, 2019 12:00AM", "First published: ...".
_LABEL = re.compile(r"^(first )?(published|updated|posted|modified)( on| at)?\s*:?\s*", re.I)


def normalise_date(
    raw: str | None,
    timezone: str,
    *,
    structured: bool = False,
    reference: datetime | None = None,
    problems: list[str] | None = None,
) -> str | None:
    """ISO 8601 with offset, or None when the text holds no date we can trust.

    structured  the value comes from JSON-LD, a meta tag or a datetime attribute: absolute
                dates only (ISO 8601, RFC 2822, prose with a year and a month)
    reference   the date relative words are relative to (e.g. a listing's crawl time); without
                it "yesterday" is refused everywhere
    problems    receives ``date_rejected`` when a non-empty value is refused
    """
    text = _LABEL.sub("", clean(raw)) if isinstance(raw, str) else ""
    if not text:
        return None
    parsed = _read(text, timezone, structured=structured, reference=reference)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    if parsed is None or not _plausible(parsed):
        note(problems, "date_rejected", text)
        return None
    return parsed.isoformat()


def is_future(iso: str | None, now: datetime, slack: timedelta = timedelta(days=1)) -> bool:
    """Whether an ISO date lies more than ``slack`` after ``now`` (naive ``now`` is UTC)."""
    if not iso:
        return False
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt_timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt_timezone.utc)
    return when > now + slack


def _read(
    text: str, timezone: str, *, structured: bool, reference: datetime | None
) -> datetime | None:
    iso = _from_iso(text)
    if iso is not None:
        return iso
    rfc = _from_rfc2822(text)
    if rfc is not None:
        return rfc
    relative_allowed = reference is not None and not structured
    if RELATIVE.search(text) and not relative_allowed:
        return None
    if text.isdigit():
        return None  # a bare number (a Unix timestamp, a year) is not a date we can place
    return _from_prose(text, timezone, reference if relative_allowed else None)


def _from_iso(text: str) -> datetime | None:
    if not _ISO_SHAPE.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _from_rfc2822(text: str) -> datetime | None:
    # "Mon, 04 Mar 2019 00:00:00 +1100": RSS and HTTP dates; a weekday or digit first.
    if not re.match(r"^([A-Za-z]{3}, )?\d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}", text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _from_prose(text: str, timezone: str, reference: datetime | None) -> datetime | None:
    # dateparser is slow to import; only prose dates ("March 4, 2019 12:00AM") need it.
    import dateparser

    settings: dict = {
        "TIMEZONE": timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "STRICT_PARSING": False,
    }
    if reference is None:
        # Only what the text says: no "relative-time" parser, no year or month filled in
        # from today.
        # A month without a day ("March 2019") is read as its first day, not today's date.
        settings.update(
            PARSERS=["absolute-time"],
            REQUIRE_PARTS=["year", "month"],
            PREFER_DAY_OF_MONTH="first",
        )
    else:
        settings.update(RELATIVE_BASE=reference.replace(tzinfo=None), PREFER_DATES_FROM="past")
    try:
        return dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, TypeError, OverflowError):
        return None


def _plausible(when: datetime) -> bool:
    if when.year < OLDEST_YEAR:
        return False
    return when.astimezone(dt_timezone.utc) != _EPOCH
