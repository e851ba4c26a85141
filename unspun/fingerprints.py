"""Fingerprints of a document for retrieval: passages (chunks of units) and hashed content-word pairs.

Document-level MinHash misses spun and partial copies, so the index works on passages: a document is cut into
chunks of consecutive units, and each chunk is fingerprinted by its *content-word pairs*: two neighbouring
content words (stemmed, stop words skipped), order-free. A pair survives synonym swaps of other words, word
reordering inside the pair and most of a machine-translation round trip, yet two unrelated texts rarely share
one that is not common phrasing; the common ones (boilerplate, set phrases) are down-weighted at query time by
their document frequency. Hashes are signed 64-bit integers so SQLite stores them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import xxhash

from .vectors import WINDOW_CHARS, Units, unit_windows, units

#: How documents are cut and fingerprinted, as a store records it (its meta ``cut``; stores made before it was
#: recorded: 1). 2: Chinese and Japanese are cut into characters. 3: words are read through their disguises
#: (`unspun.text.fold`). 4: Arabic and Hebrew points, the tatweel, variation selectors and tags are read through,
#: and Arabic letters' variants as one (`unspun.text.fold`); the marks of Indic scripts stay in their words; other
#: scripts' full stops end sentences (`unspun.text.sentences`). A document given again to a store of an older
#: version is cut again where a change touches it (`unspun.text.cut_changed`), however unchanged its text
#: (`Index.add`).
CUT_VERSION = 4
#: A chunk closes once it holds this many content words (and at the end of the document).
CHUNK_WORDS = 80
#: Content words further apart than this are not paired (an adjacent pair and a pair that skips one word).
PAIR_REACH = 2


@dataclass(frozen=True)
class Chunk:
    """A passage of consecutive units: its character span and the hashes of its word pairs."""

    start: int
    end: int
    grams: np.ndarray  # int64, unique


def _pair_hash(a: str, b: str) -> int:
    lo, hi = (a, b) if a <= b else (b, a)
    return xxhash.xxh64_intdigest(f"{lo}\x00{hi}".encode()) - (1 << 63)


def _pair_hashes(stems: list[str]) -> list[int]:
    """Hashes of the content-word pairs of one unit (pairs do not cross sentence ends)."""
    out = []
    for j, s in enumerate(stems):
        for k in range(j + 1, min(j + 1 + PAIR_REACH, len(stems))):
            if stems[k] != s:
                out.append(_pair_hash(s, stems[k]))
    return out


def _content_stems(u: Units, i: int, start: int = 0, end: int | None = None) -> list[str]:
    """Stems of unit ``i``'s content words (within ``[start, end)`` when given)."""
    return [t.stem for t in u.unit_tokens(i)
            if not t.stop and start <= t.start and (end is None or t.end <= end)]


def chunks(u: Units) -> list[Chunk]:
    """Cut a document's units into chunks of about `CHUNK_WORDS` content words, each with its fingerprints."""
    return list(_chunked(_unit_stems(u), CHUNK_WORDS))


def text_chunks(text: str) -> list[Chunk]:
    """``chunks(units(text))`` in bounded memory: the units of a long text a window at a time (`unit_windows`),
    as `index` cuts documents. The same chunks, to the offset."""
    if len(text) <= WINDOW_CHARS:  # (nearly every document: one window)
        return chunks(units(text))
    return list(_chunked((unit for u in unit_windows(text) for unit in _unit_stems(u)), CHUNK_WORDS))


def _unit_stems(u: Units) -> Iterator[tuple[int, int, list[str]]]:
    """Each unit's span and the stems of its content words."""
    for i, (start, end) in enumerate(u.spans.tolist()):
        yield start, end, _content_stems(u, i)


def _chunked(units: Iterable[tuple[int, int, list[str]]], words: int) -> Iterator[Chunk]:
    """Chunks of consecutive units: one closes once it holds ``words`` content words, the last at the end."""
    first = end = None
    count, grams = 0, []
    for start, end, stems in units:
        first = start if first is None else first
        grams.extend(_pair_hashes(stems))
        count += len(stems)
        if count >= words:
            yield Chunk(first, end, np.unique(np.array(grams, dtype=np.int64)))
            first, count, grams = None, 0, []
    if first is not None:
        yield Chunk(first, end, np.unique(np.array(grams, dtype=np.int64)))


def span_stems(u: Units, start: int, end: int) -> list[str]:
    """Stems of the content words inside ``[start, end)`` (a passage of the text), in text order."""
    return [s for i in u.overlapping(start, end) for s in _content_stems(u, i, start, end)]


def span_grams(u: Units, start: int, end: int) -> np.ndarray:
    """Hashes of the content-word pairs of the units' words inside ``[start, end)`` (a passage of the text)."""
    grams = [h for i in u.overlapping(start, end) for h in _pair_hashes(_content_stems(u, i, start, end))]
    return np.unique(np.array(grams, dtype=np.int64))
