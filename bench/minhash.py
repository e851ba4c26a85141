"""The document-level MinHash the peers run, as deduplication tools set it: word 5-gram shingles, 128 permutations
(datasketch)."""

from __future__ import annotations

import re

from datasketch import MinHash

_W = re.compile(r"\w+")


def minhash(text: str) -> MinHash:
    """MinHash of a text's lower-cased word 5-grams (a shorter text: its whole word sequence)."""
    w = _W.findall(text.lower())
    m = MinHash(num_perm=128)
    m.update_batch([" ".join(w[i:i + 5]).encode() for i in range(max(1, len(w) - 4))])
    return m
