"""Publication dates: read from what records carry, and compared as the spans of time they give to say which
text came first.

Records give ``published`` as ISO 8601 (WARC, trafilatura, most feeds) or as people write dates ("March 1, 2004").
Compared as strings, "March 1, 2004" would sort after "2005-03-01" and two times with different UTC offsets by
their digits, naming the wrong original. Bare dates and times without an offset are taken as UTC; a time in a zone
known only by an abbreviation ("10:00 EST": abbreviations are ambiguous) keeps its date alone.

A date names a span of time as long as what it gives (a year alone its year, an ISO week its week, a day its UTC
day, a time an instant), and one text came first only when its span ends before the other's begins: "2024" (read as
its 1 January) was the earliest beside "2024-05-02", "2024-05-02" (its midnight) beside 10:00 that day, and
"2005-W09" (its Monday) beside its Tuesday.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Literal

from dateutil import parser as _parser

#: Fills the fields a written date leaves out; a date without a year (year 1 here) is no date.
_DEFAULT = datetime(1, 1, 1)
#: Parsed again with this default, the fields that change are those the date leaves out (month, day or time).
_OTHER = datetime(1, 2, 2, 1, 1, 1)
#: How much of a date a value gives.
Precision = Literal["year", "month", "week", "day", "time"]
#: A date as read: the instant it starts at (naive: UTC) and how much it gives.
Reading = tuple[datetime, Precision]
#: "GMT+0300" (JavaScript's Date.toString) means three hours east; dateutil reads such a sign the POSIX way, west.
_GMT_SIGN = re.compile(r"\b(?:GMT|UTC)\s*(?=[+-]\d)", re.IGNORECASE)
_UTC_NAMES = frozenset({"UTC", "GMT", "UT", "Z"})
#: ...and it ends with the zone's name in brackets: "(Moscow Standard Time)".
_ZONE_NAME = re.compile(r"\s*\([^()]*\)\s*$")
#: "1.3.2005": where dates are written with dots (German, Russian, Nordic...) the day comes first; dateutil reads
#: every numeric date month-first, the US way.
_DOTTED = re.compile(r"\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b")
#: "1/3/2005": with slashes, the US write the month first and Britain, France, India... the day. Where both numbers
#: could be a month the date is either (`_either`): one file held "03/02/2005" and "13/02/2005", and reading the
#: first month-first named the later text the original (QA).
_SLASHED = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?!\d)")
#: "2014.04", "2014/04": a year and its month (arXiv's numbering writes them so; dateutil kept the year alone).
_YEAR_MONTH = re.compile(r"\s*(\d{4})[./](\d{1,2})\s*")
#: A year among letters: a date written in another language ("3 février 2005", "2005年2月3日"), read by
#: dateparser where dateutil, which knows English month names only, reads none.
_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|2\d)\d\d(?!\d)")
_LETTER = re.compile(r"[^\W\d_]")
#: An ISO 8601 week without its day ("2005-W09"): Python reads its Monday, but it names the whole week.
_ISO_WEEK = re.compile(r"\d{4}-?W\d{2}")


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


def _either(value: str) -> tuple[str, str] | None:
    """The two days a date with slashes may name where its first two numbers may each be the month (as ISO 8601,
    with the rest of ``value`` after them), or None."""
    m = _SLASHED.match(value)
    if m is None or m.group(1) == m.group(2) or not all(1 <= int(m.group(i)) <= 12 for i in (1, 2)):
        return None
    try:
        days = [_parser.parse(m.group(0), dayfirst=first).date().isoformat() for first in (False, True)]
    except (ValueError, OverflowError):
        return None
    rest = value[m.end():]
    return days[0] + rest, days[1] + rest


def _foreign(value: str) -> Reading | None:
    """A day written in another language ("3 février 2005", "2005年2月3日", "3 de febrero de 2005"), by
    dateparser (trafilatura's own dependency, through htmldate), or None. Its day alone: what else the value gives is
    not told apart. Only absolute dates are taken ("yesterday" is relative to when it was written)."""
    if not (_YEAR.search(value) and _LETTER.search(value)):
        return None  # (dateparser takes 20-30 ms to say a value is none; a record's "N/A" seconds, the first time)
    import dateparser

    t = dateparser.parse(value, settings={"STRICT_PARSING": True, "PARSERS": ["custom-formats", "absolute-time"]})
    return (datetime(t.year, t.month, t.day), "day") if t is not None else None


def _written(value: str) -> Reading | None:
    """A date as people write it, with what it gives (an abbreviated zone gives its day alone), or None."""
    if (m := _YEAR_MONTH.fullmatch(value)) is not None:
        return (datetime(int(m.group(1)), int(m.group(2)), 1), "month") if 1 <= int(m.group(2)) <= 12 else None
    zones = _Zones()
    text = _GMT_SIGN.sub("", _ZONE_NAME.sub("", value))
    try:
        t, other = (_parser.parse(text, default=d, tzinfos=zones, dayfirst=bool(_DOTTED.match(value)))
                    for d in (_DEFAULT, _OTHER))
        t.utcoffset()  # an offset of a day or more parses, then fails here
    except (ValueError, OverflowError):
        return _foreign(value)
    if t.year == 1:
        return None
    if t.month != other.month:
        return datetime(t.year, 1, 1), "year"
    if t.day != other.day:
        return datetime(t.year, t.month, 1), "month"
    if zones.unknown or t.hour != other.hour:
        return datetime(t.year, t.month, t.day), "day"
    return t, "time"


def _iso(value: str) -> datetime | None:
    """``value`` read as ISO 8601, or None (an offset of a day or more parses, then fails when asked for)."""
    try:
        t = datetime.fromisoformat(value.strip())
        t.utcoffset()
    except ValueError:
        return None
    return t


def _read(value: str | None) -> Reading | None:
    if not value or not value.strip():
        return None
    t = _iso(value)
    if t is None:
        return _written(value)
    if _ISO_WEEK.fullmatch(value.strip()):
        return t, "week"
    return t, ("time" if re.search(r"[T ]", value.strip(), re.IGNORECASE) else "day")


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def span(value: str | None) -> tuple[datetime, datetime] | None:
    """The first instant ``value`` may name and the instant after its last (equal for a time), or None. A date with
    slashes that may be read either way (`_either`) spans both readings and the days between."""
    if value and (two := _either(value)) is not None:
        spans = [span(x) for x in two]
        if None in spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)
    read = _read(value)
    if read is None:
        return None
    t, precision = read
    start = _aware(t)
    try:
        if precision == "year":
            return start, start.replace(year=t.year + 1)
        if precision == "month":
            return start, start.replace(year=t.year + t.month // 12, month=t.month % 12 + 1)
        if precision == "week":
            return start, start + timedelta(days=7)
        return start, start + timedelta(days=1) if precision == "day" else start
    except (ValueError, OverflowError):  # the span of year 9999 ends past what datetime holds
        return start, datetime.max.replace(tzinfo=timezone.utc)


def before(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Whether the span ``a`` is certainly earlier than ``b``: it ends before ``b`` begins (two equal times tie)."""
    return a[1] <= b[0] and a[0] < b[0]


def normalise(value: str) -> tuple[str, str | None]:
    """``published`` as stored, and a note when it was rewritten or is not a date: ISO 8601 is kept as given, a
    written date becomes ISO 8601 (``2004-03-01``, with the time when it has one, ``2004-03`` or ``2004`` when it
    gives no day or month), anything else is kept as given (nothing is lost) but orders no sources."""
    if _iso(value) is not None:
        return value.strip(), None
    if (two := _either(value)) is not None and span(value) is not None:
        x, y = (normalise(v)[0] for v in two)
        return value.strip(), (f"published {value!r} may be {x} or {y} (day and month in either order); kept as "
                               "given, and ordered as either")
    read = _written(value)
    if read is None:
        return value, f"published {value!r} is not a date; kept as given, but it orders no sources"
    t, precision = read
    iso = {"year": f"{t.year:04d}", "month": f"{t.year:04d}-{t.month:02d}", "day": t.date().isoformat(),
           "time": t.isoformat()}[precision]
    return iso, f"published {value!r} read as {iso}"
