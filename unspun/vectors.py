"""Sentence units of a document and their bag-of-stems vectors, the lexical evidence of the aligner.

A document becomes a list of units (sentences, very short ones annexed to the next so that a heading or
"He said." does not seed a match on its own), each with its tokens. Two documents share one vocabulary and one
inverse sentence frequency, so rare words weigh more than common ones in the cosine of two units.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import repeat

import numpy as np
from scipy import sparse
from threadpoolctl import ThreadpoolController

from .text import (
    CJK_WIDTH,
    OLDER_CUT_TOKENS,
    Token,
    cjk_before,
    cjk_count,
    fold,
    has_cjk,
    sentences,
    tokens,
)

#: Units with fewer content words than this are annexed to the next one.
MIN_UNIT_WORDS = 3
#: A text is cut for its fingerprints about this many characters at a time (`unit_windows`): a word costs about 40
#: times its characters while cut (a named tuple, its offsets), and a 30 MB text cut whole took 1.3 GB.
WINDOW_CHARS = 1_000_000
_LINE_END = re.compile(r"[\n\r]")


@dataclass
class Units:
    """A document cut into alignment units: spans, tokens and the token range of each unit."""

    text: str
    spans: np.ndarray  # (n, 2) int64 start, end char offsets
    tok: list[Token]
    tok_range: np.ndarray  # (n, 2) indices into tok

    def __len__(self) -> int:
        return len(self.spans)

    def overlapping(self, start: int, end: int) -> range:
        """The units that overlap ``[start, end)`` of the text (units are in text order)."""
        return range(int(np.searchsorted(self.spans[:, 1], start, side="right")),
                     int(np.searchsorted(self.spans[:, 0], end, side="left")))

    def unit_tokens(self, i: int) -> list[Token]:
        a, b = self.tok_range[i]
        return self.tok[a:b]

    @cached_property
    def stems(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The distinct stems of the units' tokens, and for each of those tokens its stem's index there and its
        unit: computed once, as a stored document is verified many times and a query against many candidates."""
        table: dict[str, int] = {}
        ids = [table.setdefault(t.stem, len(table)) for a, b in self.tok_range.tolist() for t in self.tok[a:b]]
        lengths = self.tok_range[:, 1] - self.tok_range[:, 0]
        return list(table), np.array(ids, dtype=np.int64), np.repeat(np.arange(len(self)), lengths)

    @cached_property
    def stop_share(self) -> float:
        """Share of the tokens that are English function words: a fifth to a half of English prose, a few percent of
        a Spanish text (the aligner's test for a text in another language; Chinese particles do not count)."""
        if not self.tok:
            return 0.0
        if self._cjk is None:
            return sum(t.stop for t in self.tok) / len(self.tok)
        return sum(t.stop and self.text[t.start] < "\u3040" for t in self.tok) / len(self.tok)

    @cached_property
    def _cjk(self) -> np.ndarray | None:
        """Chinese and Japanese characters before each offset (None: the text has none). Of a text longer than
        `WINDOW_CHARS` (a long stored one is aligned by regions), an empty array: its spans are counted one at a
        time, not 8 bytes a character of the whole text (240 MB and a second and a half for 30 MB, a check)."""
        if len(self.text) > WINDOW_CHARS:
            return np.zeros(0, dtype=np.int64) if has_cjk(self.text) else None
        return cjk_before(self.text)

    def width(self, start: int, end: int) -> int:
        """The length of ``[start, end)`` as thresholds in characters judge it: a Chinese or Japanese character
        counts for `unspun.text.CJK_WIDTH`."""
        if self._cjk is None:
            return end - start
        cjk = int(self._cjk[end] - self._cjk[start]) if len(self._cjk) else cjk_count(self.text, start, end)
        return end - start + (CJK_WIDTH - 1) * cjk

    @cached_property
    def words(self) -> list[str]:
        """Each token's text, case-folded and read as `unspun.text.fold` reads it (verbatim runs compare these; a
        stored document is verified many times)."""
        return [w.lower() if (w := self.text[t.start : t.end]).isascii() else fold(w).lower() for t in self.tok]


@dataclass(frozen=True)
class PackedUnits:
    """A document's units with its tokens as arrays: what a long-lived cache holds (`Index`'s). A `Units` holds a
    named tuple a token, which Python's collector traverses at every full collection (170 ms with 4M characters of
    documents cached: a pause about once in a hundred checks); arrays and strings it does not."""

    text: str
    spans: np.ndarray
    tok_range: np.ndarray
    bounds: np.ndarray  # (tokens, 2) int64 start, end char offsets
    stem_ids: np.ndarray  # (tokens,) int32 index of each token's stem in ``stem_table``
    #: The distinct stems, space-separated (a stem is a run of word characters): those of the units' tokens first,
    #: in `Units.stems`'s order, so that its table and ids are read off these.
    stem_table: str
    unit_vocab: int  # how many of them `Units.stems` has
    stop: np.ndarray  # (tokens,) bool
    #: What every alignment asks of the document, worked out once: `Units.stop_share`, and whether the text holds
    #: Chinese or Japanese (each a scan of the whole text, ~0.1 ms a news article: a few percent of a check that
    #: verifies ten candidates). The counts `Units.width` reads are made again for such a text (8 bytes a character
    #: the cache would hold beyond its budget).
    stop_share: float
    cjk: bool

    @classmethod
    def pack(cls, u: Units) -> PackedUnits:
        vocab = u.stems[0]
        table = {w: i for i, w in enumerate(vocab)}
        ids = [table.setdefault(t.stem, len(table)) for t in u.tok]
        return cls(u.text, u.spans, u.tok_range, np.array([t[:2] for t in u.tok], dtype=np.int64).reshape(-1, 2),
                   np.array(ids, dtype=np.int32), " ".join(table), len(vocab),
                   np.array([t.stop for t in u.tok], dtype=bool), u.stop_share, u._cjk is not None)

    def unpack(self) -> Units:
        """The document's `Units` as `units` made them, its stems too (~0.15 ms a news article)."""
        table = self.stem_table.split(" ") if self.stem_table else []
        stems = [table[i] for i in self.stem_ids.tolist()]
        tok = list(map(tuple.__new__, repeat(Token), zip(self.bounds[:, 0].tolist(), self.bounds[:, 1].tolist(),
                                                         stems, self.stop.tolist())))
        u = Units(self.text, self.spans, tok, self.tok_range)
        lengths = self.tok_range[:, 1] - self.tok_range[:, 0]
        first = np.repeat(self.tok_range[:, 0] - (np.cumsum(lengths) - lengths), lengths)  # token index - position
        ids = self.stem_ids[first + np.arange(int(lengths.sum()))].astype(np.int64)
        u.__dict__["stems"] = (table[: self.unit_vocab], ids, np.repeat(np.arange(len(u)), lengths))  # (its slot)
        u.__dict__["stop_share"] = self.stop_share
        if not self.cjk:
            u.__dict__["_cjk"] = None
        return u


def units(text: str, cut: int | None = None, start: int = 0, end: int | None = None) -> Units:
    """Cut ``text[start:end]`` into units with their tokens, offsets into ``text``; short sentences are annexed to
    the following one. ``cut`` 1 or 3 (the whole text only): with the words and sentences of that cut version
    (`unspun.text.OLDER_CUT_TOKENS`), as a store made then holds them."""
    toks = tokens(text, start, end) if cut is None else OLDER_CUT_TOKENS[cut](text)
    starts = np.fromiter((t.start for t in toks), dtype=np.int64, count=len(toks))
    content = np.zeros(len(toks) + 1, dtype=np.int64)  # content words before each token
    np.cumsum(np.fromiter((not t.stop for t in toks), dtype=np.int64, count=len(toks)), out=content[1:])
    spans = np.array([(s.start, s.end) for s in sentences(text, start, end, cut)], dtype=np.int64).reshape(-1, 2)
    bounds = np.searchsorted(starts, spans)
    words = content.tolist()
    raw = [[s, e, a, b, words[b] - words[a]]  # [start, end, tok_a, tok_b, content words]
           for (s, e), (a, b) in zip(spans.tolist(), bounds.tolist()) if b > a]
    merged: list[list[int]] = []
    carry: list[int] | None = None
    for r in raw:
        if carry is not None:  # annex the pending short unit to this one
            r = [carry[0], r[1], carry[2], r[3], carry[4] + r[4]]
            carry = None
        if r[4] < MIN_UNIT_WORDS:
            carry = r
        else:
            merged.append(r)
    if carry is not None:
        if merged:
            merged[-1][1], merged[-1][3] = carry[1], carry[3]
        else:
            merged.append(carry)
    arr = np.array([m[:4] for m in merged], dtype=np.int64).reshape(-1, 4)
    return Units(text=text, spans=arr[:, :2].copy(), tok=toks, tok_range=arr[:, 2:].copy())


def unit_windows(text: str, size: int | None = None) -> Iterator[Units]:
    """The units of ``text`` as `units` cuts it, a window of `window_spans` at a time: each window's units, offsets
    into ``text``, so indexing a long document holds a window's words, not all of them."""
    for start, end in window_spans(text, size):
        yield units(text, start=start, end=end)


def window_spans(text: str, size: int | None = None) -> Iterator[tuple[int, int]]:
    """``text`` in windows ``[start, end)`` of about ``size`` characters (`WINDOW_CHARS` unless given), whose units
    are exactly the whole text's: each ends at a line end after which `units` carries nothing to the next unit (see
    `_stands_alone`). A text without such a line end (one 50 MB line, a word list) is one window."""
    size = size or WINDOW_CHARS
    start, held = 0, None  # held: the start of the window not yet given, which ends where the next starts
    while start < len(text):
        end = _window_end(text, start, start + size)
        if end == len(text) and held is not None and _too_short(text, start, end):
            start = held  # `units` annexes a text's last words to the unit before them: one window with it
        elif held is not None:
            yield held, start
        held, start = start, end
    if held is not None:
        yield held, len(text)


def _too_short(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds too few words for a unit of its own (none: a text's last line end)."""
    u = units(text, start=start, end=end)
    return len(u) == 0 or (len(u) == 1 and _content(u, 0) < MIN_UNIT_WORDS)


def _content(u: Units, i: int) -> int:
    """Content words of unit ``i``."""
    return sum(not t.stop for t in u.unit_tokens(i))


def joined(parts: list[Units]) -> Units:
    """Units of one text's regions (in text order, apart) as one `Units`: what a long stored document is aligned
    by, the regions around what retrieval found in it."""
    if len(parts) == 1:
        return parts[0]
    counts = np.cumsum([0] + [len(u.tok) for u in parts[:-1]])
    return Units(text=parts[0].text, spans=np.concatenate([u.spans for u in parts]).reshape(-1, 2),
                 tok=[t for u in parts for t in u.tok],
                 tok_range=np.concatenate([u.tok_range + n for u, n in zip(parts, counts)]).reshape(-1, 2))


def _window_end(text: str, start: int, at: int) -> int:
    """The first line end at or after ``at`` where a window that starts at ``start`` (a line end, or 0) may end
    (the text's end if none)."""
    line = None  # where the line holding ``at`` starts: found once, then each next line starts past the last
    while at < len(text):
        m = _LINE_END.search(text, at)
        end = m.start() if m else len(text)
        if line is None:
            line = max(text.rfind("\n", start, end), text.rfind("\r", start, end)) + 1
        if end == len(text) or _stands_alone(text, line, end):
            return end
        at = line = end + 1
    return len(text)


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether the last sentence with words of the line ``text[start:end]`` has `MIN_UNIT_WORDS` content words: a
    unit ends with it, nothing is annexed to what follows (sentences and words never cross a line end)."""
    toks = tokens(text, start, end)
    if sum(not t.stop for t in toks) < MIN_UNIT_WORDS:  # (a list of names or words, a line at a time: no need to look)
        return False
    starts = [t.start for t in toks]
    for s in reversed(sentences(text, start, end)):
        a, b = np.searchsorted(starts, (s.start, s.end))
        if b > a:
            return sum(not t.stop for t in toks[a:b]) >= MIN_UNIT_WORDS
    return False


@dataclass
class PairSpace:
    """Count matrices of two documents' units over their shared vocabulary, with inverse sentence frequency. Dense
    arrays when both sides are small (`_small`: a news article against another), where scipy's cost per operation
    is most of the work (1.0 -> 0.4 ms a pair of BBC articles, most of what a candidate that is not a source costs
    `check`); sparse otherwise."""

    a: sparse.csr_matrix | np.ndarray  # (na, V) term counts
    b: sparse.csr_matrix | np.ndarray  # (nb, V)
    isf: np.ndarray  # (V,)

    def weighted(self, m: sparse.csr_matrix | np.ndarray) -> sparse.csr_matrix | np.ndarray:
        return m * self.isf if isinstance(m, np.ndarray) else m.multiply(self.isf).tocsr()


def pair_space(a: Units, b: Units) -> PairSpace:
    """One vocabulary and idf over the units of both documents (as PAN 2014's winner did)."""
    vocab_a, ids_a, rows_a = a.stems
    vocab_b, ids_b, rows_b = b.stems
    vocab = {w: i for i, w in enumerate(vocab_a)}
    to_shared = np.array([vocab.setdefault(w, len(vocab)) for w in vocab_b], dtype=np.int64)
    v = max(len(vocab), 1)
    ids_b = to_shared[ids_b]
    n = len(a) + len(b)
    if max(len(a), len(b)) * v <= _DENSE:
        ma = np.bincount(rows_a * v + ids_a, minlength=len(a) * v).reshape(len(a), v).astype(np.float64)
        mb = np.bincount(rows_b * v + ids_b, minlength=len(b) * v).reshape(len(b), v).astype(np.float64)
        df = (ma > 0).sum(axis=0) + (mb > 0).sum(axis=0)
    else:
        ma = sparse.csr_matrix((np.ones(len(ids_a)), (rows_a, ids_a)), shape=(len(a), v))
        mb = sparse.csr_matrix((np.ones(len(ids_b)), (rows_b, ids_b)), shape=(len(b), v))
        ma.sum_duplicates()
        mb.sum_duplicates()
        df = np.bincount(ma.indices, minlength=v) + np.bincount(mb.indices, minlength=v)
    isf = np.log(np.maximum(n, 1) / np.maximum(df, 1))
    return PairSpace(ma, mb, isf)


def as_sparse(m: sparse.csr_matrix | np.ndarray) -> sparse.csr_matrix:
    """A CSR copy of a dense matrix (the summed-area tables' products and large pairs are sparse ones)."""
    return sparse.csr_matrix(m) if isinstance(m, np.ndarray) else m


def column_sums(m: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    """Sum of each column (a word's occurrences in a document, from its count matrix)."""
    if isinstance(m, np.ndarray):
        return m.sum(axis=0)
    return np.bincount(m.indices, weights=m.data, minlength=m.shape[1])


#: Up to this many entries a side, unit-by-word matrices are made dense before the products: a news article's units
#: against another's are a few dozen rows by a few hundred words, where scipy's cost per operation exceeds the
#: arithmetic (cosine and Dice 0.95 → 0.14 ms a pair of BBC articles, equal to 1e-16). The dense products run on
#: one BLAS thread: alignments run in parallel processes (`eval pan`, clusters, index workers), and two BLAS
#: threads in each made two processes 50% slower than the sparse products.
_DENSE = 200_000


def _small(x: sparse.csr_matrix | np.ndarray, y: sparse.csr_matrix | np.ndarray) -> bool:
    return x.shape[0] * x.shape[1] <= _DENSE and y.shape[0] * y.shape[1] <= _DENSE


def _dense(m: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    return m if isinstance(m, np.ndarray) else m.toarray()


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    """The BLAS libraries numpy loaded, found once (looking them up on each product costs more than it)."""
    return ThreadpoolController()


def _product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with _blas().limit(limits=1, user_api="blas"):
        return x @ y.T


def cosine(x: sparse.csr_matrix | np.ndarray, y: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    """Dense cosine matrix between the rows of two matrices (sparse or dense)."""
    if _small(x, y):
        dx, dy = _dense(x), _dense(y)
        nx, ny = np.sqrt(np.einsum("ij,ij->i", dx, dx)), np.sqrt(np.einsum("ij,ij->i", dy, dy))
        dot = _product(dx, dy)
    else:
        x, y = as_sparse(x), as_sparse(y)
        nx = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        ny = np.sqrt(np.asarray(y.multiply(y).sum(axis=1)).ravel())
        dot = (x @ y.T).toarray()
    den = np.outer(nx, ny)
    return np.divide(dot, den, out=np.zeros_like(dot), where=den > 0)


def dice(x: sparse.csr_matrix | np.ndarray, y: sparse.csr_matrix | np.ndarray) -> np.ndarray:
    """Dense Dice coefficient between the vocabularies (sets of stems) of the rows."""
    if _small(x, y):
        bx, by = (_dense(x) > 0).astype(np.float64), (_dense(y) > 0).astype(np.float64)
        inter = _product(bx, by)
        sx, sy = bx.sum(axis=1), by.sum(axis=1)
    else:
        x, y = as_sparse(x), as_sparse(y)
        bx = (x > 0).astype(np.float64)
        by = (y > 0).astype(np.float64)
        inter = (bx @ by.T).toarray()
        sx = np.asarray(bx.sum(axis=1)).ravel()
        sy = np.asarray(by.sum(axis=1)).ravel()
    den = sx[:, None] + sy[None, :]
    return np.divide(2 * inter, den, out=np.zeros_like(inter), where=den > 0)
