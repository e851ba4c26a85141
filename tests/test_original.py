"""Which source `check` names the likely original (`unspun.original`), from the sources' scores, dates, passages
and the aligner's direction evidence."""

from __future__ import annotations

from unspun.models import Comparison, Document, Passage, Source
from unspun.original import likely_original

CLOSE = 0.5


def _source(id: str, score: float, similarity: float, kind: str = "paraphrase", published: str | None = None
            ) -> Source:
    a, b = Document("checked text " * 50), Document("stored text " * 50, published=published)
    c = Comparison(a=a, b=b, passages=[Passage((0, 400), (0, 400), kind, similarity)], coverage_a=score,
                   coverage_b=score)
    return Source(id=id, score=score, published=published, comparison=c)


def test_a_source_of_loose_rewording_alone_is_not_named_the_original() -> None:
    """A copy of one BBC sport story checked against a store without it named another story on the same athletes,
    dated, its original: a paraphrase of similarity 0.36 over 97% of the copy, as reports of one event share (QA)."""
    original, evidence = likely_original(Document("x"), [_source("sport/051", 0.35, 0.36, published="2004-12-20")],
                                         CLOSE)
    assert original is None
    assert evidence == ["sport/051 shares only loose rewording with the checked text (the closest passage: "
                        "paraphrase 0.36, under 0.50): two reports of one event in their own words can share as "
                        "much, so no source is named the original"]
    two = [_source("b", 0.4, 0.42, "summary"), _source("a", 0.3, 0.36)]
    assert likely_original(Document("x"), two, CLOSE) == (None, [
        "its 2 sources (b explains the most) share only loose rewording with the checked text (the closest passage: "
        "summary 0.42, under 0.50): two reports of one event in their own words can share as much, so no source is "
        "named the original"])


def test_beside_a_close_source_a_loose_one_is_passed_over() -> None:
    """An older loose source beside a close one: the close one is named, by its date among the close ones."""
    loose = _source("topic", 0.9, 0.36, published="2001-01-01")
    close = _source("copy-of", 0.5, 0.95, "edited", published="2005-01-01")
    original, evidence = likely_original(Document("x"), [loose, close], CLOSE)
    assert original == "copy-of" and evidence == ["copy-of is the only dated source (2005-01-01)"]
