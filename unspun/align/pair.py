"""Two texts as one pair of unit spaces (`_Pair`): the similarity of any stretch of A against any stretch of B,
from tf-isf vectors, with summed-area tables where the same long side is asked of many times.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from scipy import sparse

from ..vectors import as_sparse, cosine, dice, pair_space, PairSpace, Units
from .base import _Case


#: Squared norms below this are recomputed exactly by frag_sim.
_TINY = 1e-6


#: frag_sim sums rows itself for this many calls per pair before it builds summed-area tables, and builds those of
#: a side's own Gram matrix only up to this many units.
_DIRECT = 48


_SAT_ROWS = 1500


def _summed_area(m: np.ndarray) -> np.ndarray:
    """Zero-padded 2-D prefix sums: the sum of any block of ``m`` in four look-ups."""
    out = np.zeros((m.shape[0] + 1, m.shape[1] + 1))
    np.cumsum(np.cumsum(m, axis=0), axis=1, out=out[1:, 1:])
    return out


def _block(sat: np.ndarray, rows: tuple[int, int], cols: tuple[int, int]) -> float:
    """Sum of rows[0]..rows[1] x cols[0]..cols[1] (inclusive) of the matrix behind ``sat``."""
    r0, r1, c0, c1 = rows[0], rows[1] + 1, cols[0], cols[1] + 1
    return float(sat[r1, c1] - sat[r0, c1] - sat[r1, c0] + sat[r0, c0])


def _row_sum(w: sparse.csr_matrix | np.ndarray, rows: tuple[int, int]) -> np.ndarray:
    """Sum of rows[0]..rows[1] (inclusive) of a matrix; a CSR one's read off its arrays (slicing costs more than
    the sum). Both add the rows in order: the same sums to the last bit."""
    if isinstance(w, np.ndarray):
        return w[rows[0] : rows[1] + 1].sum(axis=0)
    lo, hi = w.indptr[rows[0]], w.indptr[rows[1] + 1]
    return np.bincount(w.indices[lo:hi], weights=w.data[lo:hi], minlength=w.shape[1])


def _cos(x: np.ndarray, y: np.ndarray) -> float:
    den = np.linalg.norm(x) * np.linalg.norm(y)
    return float(x @ y / den) if den > 0 else 0.0


class _SquaredNorms:
    """Squared norm of the sum of rows i..j of a matrix: from a summed-area table of its Gram matrix when it has
    at most ``_SAT_ROWS`` rows, else summed and remembered per range (a 5,000-sentence candidate's table took 200 MB
    and two seconds to verify against a news article)."""

    def __init__(self, w) -> None:
        self.w = w
        self.sat: np.ndarray | None = None
        self.memo: dict[tuple[int, int], float] = {}

    def __call__(self, rows: tuple[int, int]) -> float:
        if self.w.shape[0] <= _SAT_ROWS:
            if self.sat is None:
                self.sat = _summed_area((self.w @ self.w.T).toarray())
            return _block(self.sat, rows, rows)
        if rows not in self.memo:
            v = _row_sum(self.w, rows)
            self.memo[rows] = float(v @ v)
        return self.memo[rows]


class _Pair:
    """Two documents prepared for alignment: units, vectors and unit-level similarity matrices."""

    def __init__(self, ua: Units, ub: Units) -> None:
        self.ua, self.ub = ua, ub
        self.space: PairSpace = pair_space(ua, ub)
        self.wa, self.wb = self.space.weighted(self.space.a), self.space.weighted(self.space.b)
        self.cos = cosine(self.wa, self.wb)
        self.dice = dice(self.space.a, self.space.b)
        self._ab: np.ndarray | None = None
        self._calls = 0

    # Summed-area tables, made sparse first (as are all but a news article's matrices): only for pairs asked many
    # times (most candidates `check` verifies stop at cos and dice).
    @cached_property
    def _sparse(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        return as_sparse(self.wa), as_sparse(self.wb)

    @cached_property
    def _na(self) -> _SquaredNorms:
        return _SquaredNorms(self._sparse[0])

    @cached_property
    def _nb(self) -> _SquaredNorms:
        return _SquaredNorms(self._sparse[1])

    def frag_sim(self, a: tuple[int, int], b: tuple[int, int]) -> float:
        """Cosine of the summed vectors of units a[0]..a[1] and b[0]..b[1].

        Long documents with many cases ask thousands of times per pair: there the dot product of two sums is read
        in O(1) as a block of a summed-area table of the A x B Gram matrix. The table costs O(len(A) x len(B)) to
        build and most pairs `check` verifies ask a dozen times, so the first ``_DIRECT`` calls sum rows."""
        self._calls += 1
        if self._calls > _DIRECT:
            if self._ab is None:
                self._ab = _summed_area((self._sparse[0] @ self._sparse[1].T).toarray())
            na, nb = self._na(a), self._nb(b)
            # (Near) empty vectors: the exact sums below, not differences of large prefix sums.
            if min(na, nb) > _TINY:
                return float(_block(self._ab, a, b) / np.sqrt(na * nb))
        return _cos(_row_sum(self.wa, a), _row_sum(self.wb, b))

    def chars(self, case: _Case) -> tuple[int, int]:
        a, b = case.a, case.b
        return (
            self.ua.width(int(self.ua.spans[a[0], 0]), int(self.ua.spans[a[1], 1])),
            self.ub.width(int(self.ub.spans[b[0], 0]), int(self.ub.spans[b[1], 1])),
        )
