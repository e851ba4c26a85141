"""Publication dates: read from what records carry, and compared as instants to say which text came first.

Records give ``published`` as ISO 8601 (WARC, trafilatura, most feeds) or as people write dates ("March 1, 2004").
Compared as strings, "March 1, 2004" would sort after "2005-03-01" and two times with different UTC offsets by
their digits, naming the wrong original. Bare dates and times without an offset are taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

from dateutil import parser as _parser

#: Fills the fields a written date leaves out; a date without a year (year 1 here) is no date.
_DEFAULT = datetime(1, 1, 1)


def _written(value: str) -> datetime | None:
    try:
        t = _parser.parse(value, default=_DEFAULT)
    except (ValueError, OverflowError):
        return None
    return None if t.year == 1 else t


def instant(value: str | None) -> datetime | None:
    """The moment ``value`` names (timezone-aware), or None when it is missing or not a date."""
    if not value or not value.strip():
        return None
    try:
        t = datetime.fromisoformat(value.strip())
    except ValueError:
        t = _written(value)
        if t is None:
            return None
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def normalise(value: str) -> tuple[str | None, str | None]:
    """``published`` as stored, and a note when it was rewritten or is not a date: ISO 8601 is kept as given, a
    written date becomes ISO 8601 (``2004-03-01``, with the time when it has one), anything else is kept as given
    (nothing is lost) but orders no sources."""
    try:
        datetime.fromisoformat(value.strip())
        return value.strip(), None
    except ValueError:
        pass
    t = _written(value)
    if t is None:
        return value, f"published {value!r} is not a date; kept as given, but it orders no sources"
    iso = t.date().isoformat() if (t.time() == datetime.min.time() and t.tzinfo is None) else t.isoformat()
    return iso, f"published {value!r} read as {iso}"
