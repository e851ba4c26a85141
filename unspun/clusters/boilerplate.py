"""Boilerplate: sentences repeated across many otherwise unrelated documents (bylines, footers, disclaimers).

A sentence is hashed after lower-casing and keeping only its words. One held by at least ``boiler_docs``
documents is a candidate; it is boilerplate only when those documents share little else: a wire story copied by
twenty outlets repeats all of its sentences together, a footer sits among sentences found nowhere else. So a
widely copied story stays reuse while the footer under it does not make links or coverage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import xxhash
from scipy import sparse

from ..text import WORD
from .params import ClusterParams

_LINE = re.compile(r"[^\n\r]+")
# Chinese and Japanese full stops end a sentence with no space after them.
_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|(?<=[。！？])[」』”）]*\s*")


def sentences(text: str) -> Iterable[tuple[int, int]]:
    """Spans of lines cut at sentence ends: coarse, but the same for every document and cheap."""
    for m in _LINE.finditer(text):
        start = m.start()
        for e in _END.finditer(m.group()):
            yield from _stripped(text, start, m.start() + e.start())
            start = m.start() + e.end()
        yield from _stripped(text, start, m.end())


def _stripped(text: str, s: int, e: int) -> Iterable[tuple[int, int]]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        yield s, e


def sentence_hash(sentence: str, min_words: int) -> int | None:
    words = WORD.findall(sentence.lower())
    if len(words) < min_words:
        return None
    return xxhash.xxh64_intdigest(" ".join(words).encode()) - (1 << 63)


def hashes(text: str, p: ClusterParams) -> np.ndarray:
    """Unique sentence hashes of a document (int64): what the boilerplate pass counts."""
    hs = {h for s, e in sentences(text) if (h := sentence_hash(text[s:e], p.sentence_words)) is not None}
    return np.array(sorted(hs), dtype=np.int64)


def spans(text: str, boiler: frozenset[int], p: ClusterParams) -> list[tuple[int, int]]:
    """Character spans of a document's boilerplate sentences."""
    if not boiler:
        return []
    return [(s, e) for s, e in sentences(text) if sentence_hash(text[s:e], p.sentence_words) in boiler]


@dataclass(frozen=True)
class Boilerplate:
    """One boilerplate sentence: its hash, how many documents hold it and a few of them (ids in order)."""

    hash: int
    documents: int
    examples: list[str]


def detect(ids: Sequence[str], doc_hashes: Sequence[np.ndarray], p: ClusterParams) -> list[Boilerplate]:
    """Boilerplate among the documents' sentence hashes (``doc_hashes[i]`` belongs to ``ids[i]``)."""
    if not doc_hashes:
        return []
    allh = np.concatenate(doc_hashes) if doc_hashes else np.array([], np.int64)
    uniq, counts = np.unique(allh, return_counts=True)
    cand = set(uniq[counts >= p.boiler_docs].tolist())
    if not cand:
        return []
    holders: dict[int, list[int]] = {h: [] for h in cand}
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    for i in order:
        for h in doc_hashes[i].tolist():
            if h in cand:
                holders[h].append(i)
    found: set[int] = set()
    for _ in range(2):  # the second round discounts boilerplate found in the first (byline + footer together)
        ignore = np.array(sorted(found), dtype=np.int64)
        found |= {h for h in sorted(cand - found) if _unrelated(holders[h], h, doc_hashes, ignore, p)}
    return sorted((Boilerplate(h, len(holders[h]), [ids[i] for i in holders[h][:5]]) for h in found),
                  key=lambda b: (-b.documents, b.examples[0], b.hash))


def _unrelated(docs: list[int], h: int, doc_hashes: Sequence[np.ndarray], ignore: np.ndarray,
               p: ClusterParams) -> bool:
    """Whether documents holding sentence ``h`` share, median over every pair of them (of ``boiler_sample`` spread
    evenly over their ids, where more hold it), little besides it. Every pair, not neighbours in id order: four
    copies of a story and the article one paragraph of it was pasted into made two close pairs and two distant
    ones, or three and one, by how their ids sorted, and the story's own sentences were boilerplate in one order
    and not in the other (Reuters-21578: 297 boilerplate sentences, 295 before, all wire templates either way)."""
    pick = np.linspace(0, len(docs) - 1, min(len(docs), p.boiler_sample)).round().astype(int)
    sample = [docs[k] for k in sorted(set(pick.tolist()))]
    drop = np.union1d(ignore, np.array([h], dtype=np.int64))
    sets = [np.setdiff1d(doc_hashes[i], drop, assume_unique=True) for i in sample]
    cols, where = np.unique(np.concatenate(sets), return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), [len(x) for x in sets])
    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, where)), shape=(len(sets), len(cols)))
    common = (m @ m.T).toarray()
    sizes = np.array([len(x) for x in sets])
    i, j = np.triu_indices(len(sets), k=1)
    small = np.minimum(sizes[i], sizes[j])
    shares = np.where(small == 0, 0.0, common[i, j] / np.maximum(small, 1))
    return bool(len(shares)) and float(np.median(shares)) < p.boiler_overlap


def example_text(text: str, h: int, p: ClusterParams) -> str | None:
    """The sentence of ``text`` with hash ``h``, as written there."""
    for s, e in sentences(text):
        if sentence_hash(text[s:e], p.sentence_words) == h:
            return text[s:e]
    return None
