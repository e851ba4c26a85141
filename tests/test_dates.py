"""Publication dates compare as the spans of time they give, whatever form a record gives them in."""

from __future__ import annotations

import pytest

from unspun.align import Alignment
from unspun.clusters.graph import _original
from unspun.clusters.links import Link
from unspun.dates import before, normalise, span
from unspun.judge import _direction
from unspun.models import Document


@pytest.mark.parametrize("value, stored, noted", [
    ("2005-03-01", "2005-03-01", False),
    ("2005-03-01T23:30:00-05:00", "2005-03-01T23:30:00-05:00", False),
    (" 2005-03-02T01:00:00Z ", "2005-03-02T01:00:00Z", False),
    ("March 1, 2004", "2004-03-01", True),
    ("1 Mar 2004 10:00 +0100", "2004-03-01T10:00:00+01:00", True),
    ("March 3", "March 3", True),  # no year: not a date, kept as given
    ("2004-13-45", "2004-13-45", True),
    ("soon", "soon", True),
    ("Mon Mar 01 2004 10:00:00 GMT+0300 (Moscow Standard Time)", "2004-03-01T10:00:00+03:00", True),  # east
    ("Mar 1 2004 10:00 UTC", "2004-03-01T10:00:00+00:00", True),
    ("1 Mar 2004 23:30", "2004-03-01T23:30:00", True),  # no zone: the time is kept (and taken as UTC)
    ("Mar 1 2004 10:00 EST", "2004-03-01", True),  # an abbreviated zone: the day is certain, the hour is not
    ("2004-03-01T10:00:00+25:00", "2004-03-01T10:00:00+25:00", True),  # no such offset: not a date
    ("2004-03-01 10:00 +9900", "2004-03-01 10:00 +9900", True),
    ("1.3.2005", "2005-03-01", True),  # dots: day first, as where dates are written so
    ("01.03.2005 14:30", "2005-03-01T14:30:00", True),
    ("1/3/2005", "1/3/2005", True),  # slashes: 3 January (the US) or 1 March (Britain): either, kept as given
    ("13/3/2005", "2005-03-13", True),  # ...unless one number cannot be a month
    ("3/3/2005", "2005-03-03", True),
    ("2014.04", "2014-04", True),  # a year and its month (arXiv's numbering): was the year alone
    ("3 février 2005", "2005-02-03", True),  # other languages than English (dateparser)
    ("2005年2月3日", "2005-02-03", True),
    ("3 de febrero de 2005 a las 10:00", "2005-02-03", True),
    ("yesterday", "yesterday", True),  # relative: no date
    ("N/A", "N/A", True),
    ("2004", "2004", True),  # a year alone is no 1 January
    ("March 2004", "2004-03", True),
    ("2004-03", "2004-03", True),
    ("1 Mar 2004 00:00", "2004-03-01T00:00:00", True),  # a time given at midnight is a time
])
def test_normalise(value: str, stored: str, noted: bool) -> None:
    got, note = normalise(value)
    assert got == stored and (note is not None) == noted


def test_dates_order_across_forms_and_offsets() -> None:
    assert before(span("March 1, 2004"), span("2005-03-01"))
    assert before(span("2005-03-02T02:00:00Z"), span("2005-03-01T23:30:00-05:00"))
    assert span("2005-03-01")[0] == span("2005-03-01T00:00:00+00:00")[0]  # a bare date's day begins at midnight UTC
    assert span(None) is None and span("  ") is None and span("March 3") is None
    assert span("March 1, 2004 10:00 pm") == span("2004-03-01T22:00:00Z")
    assert span("2004-03-01T10:00:00+25:00") is None  # parses, then its offset fails: no date, no crash


def test_judge_and_clusters_order_by_instant() -> None:
    older, newer = Document("x", published="March 1, 2004"), Document("x", published="2005-03-01")
    side, evidence, *_ = _direction(newer, older, Alignment(passages=[]))
    assert side == "b" and "B was published first (March 1, 2004 vs 2005-03-01" in evidence[0]
    link = Link("n", "o", (), 1.0, 1.0, 10, 10, published_a="2005-03-01", published_b="March 1, 2004")
    first, why = _original(["n", "o"], {"n": "2005-03-01", "o": "March 1, 2004"}, [link])
    assert first == "o" and "(March 1, 2004)" in why


def test_a_date_with_slashes_that_reads_either_way_spans_both_readings() -> None:
    """One file held an original dated "03/02/2005" and a copy "13/02/2005": the first, read month-first (2 March),
    named the copy the original (QA). Read either way, it orders neither."""
    either = span("03/02/2005")
    assert either == (span("2005-02-03")[0], span("2005-03-02")[1])
    assert not before(either, span("13/02/2005")) and not before(span("13/02/2005"), either)
    assert before(span("2005-02-02"), either) and before(either, span("2005-03-03"))
    assert span("03/02/2005 10:00") == (span("2005-02-03T10:00Z")[0], span("2005-03-02T10:00Z")[1])


def test_a_date_is_earlier_only_when_all_it_may_name_is() -> None:
    year, day, morning, evening = span("2004"), span("2004-03-01"), span("2004-03-01T10:00Z"), span("2004-03-01 23:30")
    assert year and day and morning and evening
    assert not before(year, day) and not before(day, year)  # 2004 may be any day of 2004
    assert not before(day, morning) and not before(morning, day)  # the day alone may be after 10:00
    assert before(morning, evening) and not before(morning, morning)  # equal times tie
    assert before(span("2003"), day) and before(day, span("2004-03-02T00:00Z")) and before(day, span("2004-04"))
    assert span("9999")[1].year == 9999  # its year's end is past what a datetime holds


def test_judge_does_not_order_a_year_alone_against_a_day_of_it() -> None:
    side, evidence, *_ = _direction(Document("x", published="2004"), Document("x", published="2004-05-02"),
                                Alignment(passages=[]))
    assert side is None and evidence == []
    side, evidence, *_ = _direction(Document("x", published="2004-05-02T10:00Z"),
                                Document("x", published="2004-05-02T12:00+02:00"), Alignment(passages=[]))
    assert side is None and evidence == []  # the same instant


def test_clusters_say_when_the_dates_do_not_order_the_first_two() -> None:
    link = Link("d", "y", (), 1.0, 1.0, 10, 10, published_a="2004-05-02", published_b="2004")
    first, why = _original(["d", "y"], {"d": "2004-05-02", "y": "2004"}, [link])
    assert first == "y" and why == ("earliest published of the 2 dated members (2004); the dates do not order it "
                                    "before d (2004-05-02)")


@pytest.mark.parametrize("written, said", [
    ("", True),  # the original gives no date: the copy's date line is one a scraper adds
    ("Published January 21, 2022. ", False), ("Posted 21 Jan. 2022. ", False), ("Updated 1/21/2022. ", False),
    ("Published January 22, 2022. ", True),  # another day
])
def test_a_date_line_the_other_text_gives_in_words_is_not_one_it_lacks(written: str, said: bool) -> None:
    """`compare` said "A carries a date in its text (2022-01-21) that B lacks" of a B that gives "January 21, 2022":
    only ISO dates were looked for."""
    text = "The council voted on Monday to build a tramway from the station to the campus. " * 3
    side, evidence, *_ = _direction(Document("date 2022-01-21 " + text), Document(written + text),
                                    Alignment(passages=[]))
    assert side is None and any("carries a date" in e for e in evidence) == said


def test_an_iso_week_is_the_whole_week() -> None:
    """"2005-W09" was read as its Monday alone: a source dated so was certainly earlier than one of its Tuesday."""
    week, tuesday, next_monday = span("2005-W09"), span("2005-03-01"), span("2005-03-07")
    assert (week[1] - week[0]).days == 7
    assert not before(week, tuesday) and not before(tuesday, week)
    assert before(week, next_monday) and span("2005-W09-2") == tuesday
