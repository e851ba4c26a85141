"""Fingerprints: chunks of a document and the word pairs of any passage of it."""

from __future__ import annotations

import random

import numpy as np
import pytest

from unspun import fingerprints, vectors
from unspun.fingerprints import chunks, span_grams, text_chunks
from unspun.vectors import Units, unit_windows, units

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


def _long_text(seed: int) -> str:
    """News-like paragraphs with what the cut treats apart: headings and bylines too short to stand alone (annexed
    to what follows), lines of punctuation only, Chinese, CRLF line ends, and a short last line."""
    rng = random.Random(seed)
    sentences = [*TEXT.split(". "), "He said.", "Yes.", "Read more", "—", "市议会周一批准了新的有轨电车线路。",
                 "A spokesman for the transport authority declined to comment on the delays to the project"]
    lines = []
    for _ in range(300):
        kind = rng.random()
        if kind < 0.2:
            lines.append(rng.choice(["Politics", "By Anna Berg", "***", "", "Tram line", "  "]))
        else:
            lines.append(". ".join(rng.choice(sentences) for _ in range(rng.randint(1, 6))))
    text = "\n".join(lines) + rng.choice(["\nEnd", "\n", "", "\nThe end of it all"])
    return text.replace("\n", "\r\n") if seed % 3 == 0 else text


@pytest.mark.parametrize("seed", range(6))
def test_a_text_cut_window_by_window_is_cut_as_a_whole(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """`index` cuts a long text a window at a time (a 30 MB text cut whole took 1.3 GB): its units and chunks must
    be the whole text's, to the offset, or its postings would not be those `check` and `delete` compute."""
    text = _long_text(seed)
    whole_units, whole = units(text), chunks(units(text))
    sizes: list[int] = []

    def spy(t: str, cut: int | None = None, start: int = 0, end: int | None = None) -> Units:
        sizes.append((len(t) if end is None else end) - start)
        return units(t, cut, start, end)

    monkeypatch.setattr(vectors, "units", spy)
    for size in (1, 40, 300, 2000):
        windows = list(unit_windows(text, size))
        assert [span for u in windows for span in u.spans.tolist()] == whole_units.spans.tolist()
    monkeypatch.setattr(vectors, "WINDOW_CHARS", 500)
    monkeypatch.setattr(fingerprints, "WINDOW_CHARS", 500)
    sizes.clear()
    got = text_chunks(text)
    assert len(sizes) > 10 and max(sizes) < 2000  # (the last window may be cut again with the one before)
    assert [(c.start, c.end) for c in got] == [(c.start, c.end) for c in whole]
    assert all(np.array_equal(c.grams, d.grams) for c, d in zip(got, whole))


def test_a_last_window_without_words_goes_with_the_one_before() -> None:
    """A text ending in a line end just past a window's size gave that line end a window of its own: a window
    a check retrieved and aligned for nothing."""
    text = (TEXT + "\n") * 10
    size = len(TEXT) + 1
    windows = list(vectors.window_spans(text, size))
    assert windows[-1][1] == len(text) and all(units(text, start=a, end=b) for a, b in windows)
    assert [span for a, b in windows for span in units(text, start=a, end=b).spans.tolist()] == \
        units(text).spans.tolist()


def test_a_text_without_a_line_end_is_one_window() -> None:
    text = " ".join([TEXT] * 20)
    assert len(list(unit_windows(text, 100))) == 1
