"""The local engine: the per-document steps in this process, or in a pool of processes on a larger store."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ..errors import UnspunError
from ..workers import pool
from . import boilerplate
from .links import Link, doc_links, merge, open_index
from .params import ClusterParams

#: Below this many documents a pool costs more than it saves.
POOL_MIN_DOCS = 200
#: Documents per task sent to a worker.
BATCH = 16

_IX = None
_P: ClusterParams | None = None


def jobs() -> int:
    """Worker processes: UNSPUN_JOBS, else every core. A value that is not a number is a user error (it was a
    ValueError traceback)."""
    given = os.environ.get("UNSPUN_JOBS", "").strip() or "0"
    try:
        n = int(given)
    except ValueError:
        raise UnspunError(f"UNSPUN_JOBS={given!r}: not a whole number of processes") from None
    return max(1, n or os.cpu_count() or 1)


def _init(db: str, p: ClusterParams) -> None:
    global _IX, _P
    _IX, _P = open_index(db, p), p


def _hash_batch(ids: list[str]) -> list[np.ndarray]:
    return [boilerplate.hashes(_IX.get(i).text, _P) for i in ids]


def _link_batch(args: tuple[list[str], frozenset[int]]) -> list[Link]:
    ids, boiler = args
    return [l for i in ids for l in doc_links(_IX, i, boiler, _P)]


def _batches(ids: Sequence[str]) -> Iterator[list[str]]:
    for k in range(0, len(ids), BATCH):
        yield list(ids[k:k + BATCH])


def _map(db: str, p: ClusterParams, fn: Callable, args: list, tick: Callable[[int], None], sizes: list[int]):
    """``fn`` over ``args`` in order, in-process for small stores, else in a pool; ``tick`` after each batch."""
    if len(args) * BATCH < POOL_MIN_DOCS or jobs() == 1:
        _init(db, p)
        for a, n in zip(args, sizes):
            yield fn(a)
            tick(n)
        return
    with pool(jobs(), _init, (db, p)) as workers:
        for out, n in zip(workers.map(fn, args), sizes):
            yield out
            tick(n)


def sentence_hashes(db: str, ids: Sequence[str], p: ClusterParams, tick: Callable[[int], None]) -> list[np.ndarray]:
    batches = list(_batches(ids))
    return [h for out in _map(db, p, _hash_batch, batches, tick, [len(b) for b in batches]) for h in out]


def links(db: str, ids: Sequence[str], boiler: frozenset[int], p: ClusterParams,
          tick: Callable[[int], None]) -> dict[tuple[str, str], Link]:
    batches = list(_batches(ids))
    found: dict[tuple[str, str], Link] = {}
    for out in _map(db, p, _link_batch, [(b, boiler) for b in batches], tick, [len(b) for b in batches]):
        merge(out, found)
    return found
