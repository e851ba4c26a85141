"""Connected components of a graph given as pairs of node indices (scipy's csgraph): the copies of one story
(`evidence.stories`), the documents of one cluster (`clusters.graph`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def components(n: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """For each of nodes ``0 .. n-1``, the smallest node of its component (its own index when no pair joins it)."""
    edges = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    _, label = connected_components(coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)),
                                    directed=False)
    first: dict[int, int] = {}
    return [first.setdefault(c, k) for k, c in enumerate(label.tolist())]
