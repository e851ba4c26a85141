"""The aligner: every passage of A reused in B, with exact character offsets on both sides.

Seed, extend, filter (the scheme of the PAN 2014 winner, Sanchez-Perez et al.), then refine:

1. *Seeds* are pairs of units (sentences) that share enough rare words (tf-isf cosine and Dice), or, where the
   words differ (translation, paraphrase), whose sentence embeddings agree.
2. *Extension* groups seeds that lie close together on both sides into cases, splitting a group whose fragments
   are not similar enough as a whole and retrying with smaller gaps.
3. *Filtering* resolves cases that overlap on A and drops tiny ones.
4. *Refinement* moves each case's ends to the first and last words that have a counterpart, and cuts out runs of
   text inserted into one side with no counterpart (link debris, ads, datelines), so passages are exact to the
   word rather than to the sentence.

Two texts in different languages share no words to seed with: there, every sentence of both is embedded with the
multilingual model, and sentences that are each other's nearest seed `translation` passages (`_translated`).

`align_units` runs the stages, each in its module: `seeds` (1-3, summaries, texts in two languages, each case's ends),
`verbatim` (word-for-word runs), `inserted` (4's inserted runs), `sentences` (passages to their sentences' edges),
`kinds` (which kind each passage is), over `pair` (the similarity of any two stretches), `punctuation` and `base`
(settings, cases, passages).
"""

from __future__ import annotations

from functools import lru_cache

from ..vectors import Units, units
from .base import Alignment, Params, TooLong, _passage
from .inserted import _pieces, increasing
from .kinds import _kind
from .pair import _Pair
from .seeds import (_extend, _filter, _knows, _languages_differ, _narrow, _refine, _seeds, _semantic_seeds, _summaries,
                    _translated)
from .sentences import _to_sentence_edges, _widen_to_sentences
from .verbatim import _copied, _verbatim, _verbatim_runs

__all__ = ["Alignment", "MAX_UNIT_PAIRS", "Params", "TooLong", "align", "align_units", "increasing"]


def align_units(ua: Units, ub: Units, params: Params | None = None) -> Alignment:
    """Align two prepared documents (prepared once, aligned against many in the index)."""
    p = params or Params()
    if len(ua) == 0 or len(ub) == 0:
        return Alignment([])
    pair = _Pair(ua, ub)
    if p.semantic and _languages_differ(pair, p) and all(_knows(u, p) for u in (ua, ub)):
        return Alignment(_translated(pair, p))
    seeds = _seeds(pair, p)
    if p.semantic:
        seeds += _semantic_seeds(pair, seeds, p)
    if not seeds:
        if not (pair.space.isf == 0).any():
            return Alignment([])
        # A word in every unit of both texts weighs nothing (isf 0), so a text of one sentence said over and over had
        # no seed, even against itself (0 passages, 0% coverage); its word-for-word copies are still found, longest
        # first (such a text matches itself at every shift of its sentence, and itself unshifted is the longest).
        runs = sorted(_verbatim_runs(pair, p), key=lambda r: (r[0][0] - r[0][1], r[0][0], r[1][0]))
        return Alignment(_verbatim(pair, [], runs, p))
    cases = _filter(pair, _extend(pair, seeds, p.gap, p, untangle=True), p)
    runs = _verbatim_runs(pair, p)
    summaries = [s for s in _summaries(pair, seeds, cases, p) if not _copied(pair, s, runs, p)]
    if summaries:
        # A summary replaces the small cases it is made of; cases elsewhere in A stay.
        cases = [c for c in cases if not any(c.a[0] <= s.a[1] and s.a[0] <= c.a[1] for s in summaries)]
    cases = [_narrow(pair, c, p) for c in cases]
    passages, condensed = [], []
    for c, summary in [(c, False) for c in cases] + [(s, True) for s in summaries]:
        spans = _refine(pair, c)
        if spans is None:
            continue
        a, b = spans
        if min(pair.ua.width(*a), pair.ub.width(*b)) < p.min_chars:
            continue
        ps = _passage(a, b, _kind(pair, a, b, summary), c.sim)
        (condensed if summary else passages).append(ps)
    passages = [_to_sentence_edges(pair, q, p) if q.kind in ("verbatim", "edited") and q.similarity >= 0.95 else q
                for q in _verbatim(pair, passages, runs, p, keep_clear=condensed)]
    inserted: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    passages = [q for ps in passages for q in _pieces(pair, ps, p, inserted)]
    matched = sorted(passages + condensed, key=lambda q: q.a)
    passages = _widen_to_sentences(pair, matched, p, inserted)
    return Alignment(passages, inserted["a"], inserted["b"], summary=bool(condensed), matched=matched)


@lru_cache(maxsize=32)
def _units(text: str) -> Units:
    """Units of a text, kept for the next pairs: a batch of comparisons (`eval pan`, clusters) meets the same
    document in several pairs in a row, and cutting it into units is a third of the work of a pair."""
    return units(text)


#: Unit pairs an alignment of two whole texts may hold similarity matrices for: ~44 bytes each at the peak (a million
#: characters of prose against another, 78 million pairs, took 3.4 GB; 3 MB against 2 MB failed at 11 GB).
MAX_UNIT_PAIRS = 100_000_000


def align(a: str, b: str, params: Params | None = None) -> Alignment:
    """Every passage of text ``a`` reused in text ``b``. Two texts too long to align as one pair (`MAX_UNIT_PAIRS`)
    are refused before the work (`TooLong`: `compare` then aligns them a window and a region at a time)."""
    ua, ub = _units(a), _units(b)
    if len(ua) * len(ub) > MAX_UNIT_PAIRS:
        _units.cache_clear()  # (the units of such texts are hundreds of MB, of no use to the next pair)
        raise TooLong(f"A and B are too long to align as one pair ({len(ua):,} x {len(ub):,} sentences, over "
                      f"{MAX_UNIT_PAIRS:,} pairs: ~{len(ua) * len(ub) * 44 / 1e9:.0f} GB)")
    return align_units(ua, ub, params)
