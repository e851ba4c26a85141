"""Retrieval scores: per-chunk lexical evidence, its densest chunk pair, and the candidates worth an alignment."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

import unspun.index as index_module
from test_index import HARBOUR, TRAM, _records
from unspun import Index
from unspun.fingerprints import Chunk
from unspun.models import subtract
from unspun.retrieve import Candidate, RetrieveParams, lexical, merge, shared


def _chunk(*hashes: int) -> Chunk:
    return Chunk(0, 1, np.array(hashes, dtype=np.int64))


def test_lexical_sums_each_query_chunks_best_match_and_keeps_the_densest() -> None:
    # stored chunks 10 and 11 belong to document 1, chunk 20 to document 2; each hash is held by one chunk
    postings = {1: [10], 2: [10], 3: [11], 4: [11], 5: [11], 6: [20], 7: [20]}
    chunk_doc = {10: 1, 11: 1, 20: 2}
    query = [_chunk(1, 2, 6, 7), _chunk(3, 4, 5)]
    w = math.log(1 + 100 / 1)
    scores = lexical(shared(postings, query, 100, RetrieveParams()), chunk_doc)
    assert np.allclose(scores[1], (5 * w, 3 * w))
    assert np.allclose(scores[2], (2 * w, 2 * w))


def test_a_single_shared_pair_is_no_evidence() -> None:
    scores = lexical(shared({1: [10], 2: [20]}, [_chunk(1, 2)], 100, RetrieveParams()), {10: 1, 20: 2})
    assert scores == {}  # min_shared = 2 pairs in one chunk


def test_chunks_of_deleted_documents_and_too_common_pairs_are_no_evidence() -> None:
    postings = {1: [10, 11], 2: [10, 11], 3: None}
    pairs = shared(postings, [_chunk(1, 2, 3)], 100, RetrieveParams())
    assert sorted(pairs.chunk.tolist()) == [10, 11]
    assert np.allclose(pairs.weight, 2 * math.log(1 + 100 / 2))
    assert set(lexical(pairs, {11: 5})) == {5}  # chunk 10 was deleted since the postings were read


def _reference(postings: dict, chunk_doc: dict, query: list[Chunk], total: int, p: RetrieveParams) -> dict:
    """The scores spelled out with plain loops: per query chunk, its best chunk in each document."""
    docs: dict[int, list[float]] = {}
    for q in query:
        per_chunk: dict[int, list[float]] = {}
        for h in q.grams.tolist():
            for c in postings.get(h) or ():
                per_chunk.setdefault(c, []).append(math.log(1 + total / len(postings[h])))
        best: dict[int, float] = {}
        for c, ws in per_chunk.items():
            if len(ws) >= p.min_shared and c in chunk_doc:
                best[chunk_doc[c]] = max(best.get(chunk_doc[c], 0.0), sum(ws))
        for d, w in best.items():
            docs.setdefault(d, []).append(w)
    return {d: (sum(ws), max(ws)) for d, ws in docs.items()}


@pytest.mark.parametrize("seed", range(20))
def test_lexical_scores_match_plain_loops_on_random_postings(seed: int) -> None:
    rng = random.Random(seed)
    hashes = list({rng.randint(-(1 << 63), (1 << 63) - 1) for _ in range(60)})
    postings = {h: (None if rng.random() < 0.1 else sorted(rng.sample(range(1, 400), rng.randint(0, 12))))
                for h in hashes}
    chunk_doc = {c: rng.randint(1, 30) for c in range(1, 400) if rng.random() < 0.9}  # the rest were deleted
    query = [_chunk(*rng.sample(hashes, rng.randint(0, 25))) for _ in range(rng.randint(0, 6))]
    p = RetrieveParams(min_shared=rng.choice([1, 2, 3]))
    got = lexical(shared(postings, query, 5000, p), chunk_doc)
    want = _reference(postings, chunk_doc, query, 5000, p)
    assert got.keys() == want.keys()
    for d in want:
        assert np.allclose(got[d], want[d])


def test_merge_carries_the_densest_evidence_and_only_dense_candidates_are_worth_aligning() -> None:
    p = RetrieveParams(min_lexical=0.0, min_densest=30.0)
    cands = merge({1: (90.0, 45.0), 2: (60.0, 12.0)}, {}, p)
    assert [(c.doc, c.densest) for c in cands] == [(1, 45.0), (2, 12.0)]
    assert cands[0].worth_aligning(p) and not cands[1].worth_aligning(p)
    assert Candidate(3, semantic=0.8).worth_aligning(p)  # the semantic channel's candidates have no pairs to count


def test_check_skips_sparse_candidates_without_aligning_them(tmp_path: Path, monkeypatch) -> None:
    calls = []
    real = index_module.align_units
    monkeypatch.setattr(index_module, "align_units", lambda *a: calls.append(1) or real(*a))
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add(_records())
        assert [s.id for s in ix.check(TRAM).sources] == ["tram.txt"] and calls
        calls.clear()
        ix.retrieve = RetrieveParams(min_densest=1e9)
        assert ix.check(TRAM + "\n\n" + HARBOUR).sources == [] and calls == []


def test_settings_deep_enough_for_more_sources_than_verified_by_default() -> None:
    p = RetrieveParams()
    assert p.deep_enough(5) is p and p.deep_enough(p.verify - p.patience) is p
    deep = p.deep_enough(30)
    assert (deep.verify, deep.lexical_top, deep.patience) == (35, 35, p.patience)


def test_subtract_leaves_the_parts_outside_every_cut() -> None:
    assert subtract([(0, 100)], [(50, 60), (10, 20)]) == [(0, 10), (20, 50), (60, 100)]
    assert subtract([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert subtract([(0, 10)], [(0, 10)]) == [] and subtract([(0, 10)], []) == [(0, 10)]
