"""Unit-level similarity matrices: the dense shortcut for small pairs and the sparse path agree with plain numpy."""

import numpy as np
import pytest
from scipy import sparse

import unspun.vectors as vectors
from unspun.vectors import cosine, dice


def _random(rng: np.random.Generator, rows: int, cols: int) -> sparse.csr_matrix:
    m = rng.random((rows, cols)) * (rng.random((rows, cols)) < 0.05)
    m[0] = 0.0  # an empty unit: no division by zero
    return sparse.csr_matrix(m)


@pytest.mark.parametrize("dense_limit", [0, 10**9])  # the sparse path, then the dense one
def test_cosine_and_dice_match_plain_numpy(monkeypatch, dense_limit: int) -> None:
    monkeypatch.setattr(vectors, "_DENSE", dense_limit)
    rng = np.random.default_rng(5)
    x, y = _random(rng, 30, 400), _random(rng, 25, 400)
    dx, dy = x.toarray(), y.toarray()
    norms = np.outer(np.linalg.norm(dx, axis=1), np.linalg.norm(dy, axis=1))
    want = np.divide(dx @ dy.T, norms, out=np.zeros((30, 25)), where=norms > 0)
    assert np.allclose(cosine(x, y), want, atol=1e-12)
    bx, by = dx > 0, dy > 0
    sizes = bx.sum(axis=1)[:, None] + by.sum(axis=1)[None, :]
    inter = bx.astype(float) @ by.T.astype(float)
    assert np.array_equal(dice(x, y), np.divide(2 * inter, sizes, out=np.zeros((30, 25)), where=sizes > 0))
    assert cosine(x, y)[0].tolist() == [0.0] * 25 and dice(x, y)[0].tolist() == [0.0] * 25


@pytest.mark.parametrize("dense_limit", [0, 10**9])
def test_cosine_and_dice_take_dense_matrices_as_sparse_ones(monkeypatch, dense_limit: int) -> None:
    # A pair's count matrices are dense arrays when small (`pair_space`); above the limit they went to scipy's
    # methods (`.multiply`, `.toarray`), which an array lacks.
    monkeypatch.setattr(vectors, "_DENSE", dense_limit)
    rng = np.random.default_rng(7)
    x, y = _random(rng, 30, 400), _random(rng, 25, 400)
    for a, b in [(x.toarray(), y.toarray()), (x.toarray(), y), (x, y.toarray())]:
        assert np.array_equal(cosine(a, b), cosine(x, y)) and np.array_equal(dice(a, b), dice(x, y))


@pytest.mark.parametrize("text", ["", "   \n ", "...", "Word.", "Ünïcödé wörds — “quoted”; 12.5% of them.\n\nA second "
                                  "paragraph, with a clause: and more.", "日本語のテキスト。もう一つ。", "spam " * 400,
                                  "The prophet ﷺ said these words; ΚΑΙ, και, НЕТ and нет."])
def test_packed_units_unpack_to_the_same_units(text: str) -> None:
    """The index keeps stored documents' units packed (arrays, not a named tuple a token) and unpacks them for each
    alignment: the same tokens, spans, stems and everything derived from them."""
    u = vectors.units(text)
    v = vectors.PackedUnits.pack(u).unpack()
    assert v.tok == u.tok and all(type(t) is type(s) for t, s in zip(v.tok, u.tok)) and v.text == u.text
    assert np.array_equal(v.spans, u.spans) and np.array_equal(v.tok_range, u.tok_range)
    assert v.stems[0] == u.stems[0] and all(np.array_equal(x, y) for x, y in zip(v.stems[1:], u.stems[1:]))
    assert v.words == u.words and v.stop_share == u.stop_share
    assert [v.width(0, e) for e in range(len(text) + 1)] == [u.width(0, e) for e in range(len(text) + 1)]
    if u.tok:
        assert v.tok[0].stem == u.tok[0].stem and v.tok[-1].end == u.tok[-1].end
