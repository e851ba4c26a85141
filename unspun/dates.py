"""Publication dates: read from what records carry, and compared as instants to say which text came first.

Records give ``published`` as ISO 8601 (WARC, trafilatura, most feeds) or as people write dates ("March 1, 2004").
Compared as strings, "March 1, 2004" would sort after "2005-03-01" and two times with different UTC offsets by
their digits, naming the wrong original. Bare dates and times without an offset are taken as UTC; a time in a zone
known only by an abbreviation ("10:00 EST": abbreviations are ambiguous) keeps its date alone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from dateutil import parser as _parser

#: Fills the fields a written date leaves out; a date without a year (year 1 here) is no date.
_DEFAULT = datetime(1, 1, 1)
#: "GMT+0300" (JavaScript's Date.toString) means three hours east; dateutil reads such a sign the POSIX way, west.
_GMT_SIGN = re.compile(r"\b(?:GMT|UTC)\s*(?=[+-]\d)", re.IGNORECASE)
_UTC_NAMES = frozenset({"UTC", "GMT", "UT", "Z"})
#: ...and it ends with the zone's name in brackets: "(Moscow Standard Time)".
_ZONE_NAME = re.compile(r"\s*\([^()]*\)\s*$")
#: "1.3.2005": where dates are written with dots (German, Russian, Nordic...) the day comes first; dateutil reads
#: every numeric date month-first, the US way (which writes slashes, left as they are: "1/3/2005" is ambiguous).
_DOTTED = re.compile(r"\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")


class _Zones:
    """dateutil's ``tzinfos``: numeric offsets and UTC's names as they are; any other name remembered as unknown."""

    def __init__(self) -> None:
        self.unknown = False

    def __call__(self, name: str | None, offset: int | None) -> int | None:
        if offset is not None:
            return offset
        if name is None:  # no zone at all: a naive time, taken as UTC later
            return None
        if name.upper() in _UTC_NAMES:
            return 0
        self.unknown = True
        return None


def _written(value: str) -> datetime | date | None:
    """A date as people write it: a datetime, a date when only the day is certain, None when it is no date."""
    zones = _Zones()
    try:
        t = _parser.parse(_GMT_SIGN.sub("", _ZONE_NAME.sub("", value)), default=_DEFAULT, tzinfos=zones,
                          dayfirst=bool(_DOTTED.match(value)))
        t.utcoffset()  # an offset of a day or more parses, then fails here
    except (ValueError, OverflowError):
        return None
    if t.year == 1:
        return None
    return t.date() if zones.unknown else t


def _iso(value: str) -> datetime | None:
    """``value`` read as ISO 8601, or None (an offset of a day or more parses, then fails when asked for)."""
    try:
        t = datetime.fromisoformat(value.strip())
        t.utcoffset()
    except ValueError:
        return None
    return t


def _read(value: str | None) -> datetime | date | None:
    if not value or not value.strip():
        return None
    t = _iso(value)
    return t if t is not None else _written(value)


def instant(value: str | None) -> datetime | None:
    """The moment ``value`` names (timezone-aware), or None when it is missing or not a date."""
    t = _read(value)
    if t is None:
        return None
    if not isinstance(t, datetime):
        t = datetime(t.year, t.month, t.day)
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def normalise(value: str) -> tuple[str, str | None]:
    """``published`` as stored, and a note when it was rewritten or is not a date: ISO 8601 is kept as given, a
    written date becomes ISO 8601 (``2004-03-01``, with the time when it has one), anything else is kept as given
    (nothing is lost) but orders no sources."""
    if _iso(value) is not None:
        return value.strip(), None
    t = _written(value)
    if t is None:
        return value, f"published {value!r} is not a date; kept as given, but it orders no sources"
    if isinstance(t, datetime) and t.time() == datetime.min.time() and t.tzinfo is None:
        t = t.date()
    iso = t.isoformat()
    return iso, f"published {value!r} read as {iso}"
