"""Synthetic news-like documents for scale runs, made from real ones (the data we have is ~21k real stories).

Each draws 6-20 sentences at random from the real texts and replaces 30% of their words by words drawn from the
real vocabulary: news to the tokenizer, each sentence a lightly spun copy of one sentence of some real story and the
document a patchwork of unrelated stories. So they share a sentence's worth of word pairs with a few real stories
and few with each other: what a large crawl adds to an index is mostly text like this, near but not reuse.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from unspun.models import Record


def synthetic(real: Sequence[Record], n: int, seed: int = 1, prefix: str = "synthetic/") -> Iterator[Record]:
    """``n`` synthetic records with ids ``{prefix}0000000``, ``{prefix}0000001``, ...; deterministic in ``seed``."""
    rng = random.Random(seed)
    sentences = [s.strip() for r in real for s in r.text.replace("\n", " ").split(". ") if len(s.split()) > 5]
    vocab = sorted({w for s in sentences[:50_000] for w in s.split() if w.isalpha()})
    for i in range(n):
        body = []
        for s in rng.sample(sentences, rng.randint(6, 20)):
            body.append(" ".join(rng.choice(vocab) if rng.random() < 0.3 else w for w in s.split()))
        yield Record(id=f"{prefix}{i:07d}", text=". ".join(body) + ".")
