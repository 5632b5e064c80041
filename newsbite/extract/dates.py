"""Dates as ISO 8601 with an offset: the page's own offset kept, the site's zone only when none."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from newsbite.text import clean


def normalise_date(raw: str | None, timezone: str) -> str | None:
    """ISO 8601 with offset, or None when the text holds no date we can trust."""
    text = clean(raw)
    if not text:
        return None
    parsed = _from_iso(text) or _from_prose(text, timezone)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed.isoformat()


def _from_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _from_prose(text: str, timezone: str) -> datetime | None:
    # dateparser is slow to import; only prose dates ("March 4, 2019 12:00AM") need it.
    import dateparser

    return dateparser.parse(
        text,
        languages=["en"],
        settings={"TIMEZONE": timezone, "RETURN_AS_TIMEZONE_AWARE": True, "STRICT_PARSING": False},
    )
