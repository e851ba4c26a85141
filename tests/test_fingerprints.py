"""Fingerprints: chunks of a document and the word pairs of any passage of it."""

from __future__ import annotations

import numpy as np

from unspun.fingerprints import chunks, span_grams
from unspun.vectors import units

TEXT = (
    "The council approved the new tram line on Monday after a long debate. "
    "Opponents said the cost of ninety million euros would rise during construction. "
    "The mayor promised that the first trams would run through the old town by 2029. "
    "Shopkeepers on the main street asked for compensation during the works."
)


def test_span_grams_of_the_whole_text_are_the_chunks_grams() -> None:
    u = units(TEXT)
    whole = np.unique(np.concatenate([c.grams for c in chunks(u)]))
    assert np.array_equal(span_grams(u, 0, len(TEXT)), whole)


def test_span_grams_keep_to_the_span() -> None:
    u = units(TEXT)
    second = TEXT.index("Opponents")
    end = TEXT.index("The mayor")
    inside = span_grams(u, second, end)
    assert len(inside) and set(inside.tolist()) == set(span_grams(units(TEXT[second:end]), 0, end - second).tolist())
    assert len(inside) < len(span_grams(u, 0, len(TEXT)))
    assert len(span_grams(u, 5, 5)) == 0
