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
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from operator import attrgetter

import numpy as np
from scipy import sparse

from .errors import UnspunError
from .models import Kind, Passage, Span
from .embed import encode, knows, reads, reads_all
from .text import SCRIPT_STOPS, WORD, Token, fold, has_cjk, sentences
from .vectors import PairSpace, Units, as_sparse, column_sums, cosine, dice, pair_space, units


@dataclass(frozen=True)
class Params:
    """Thresholds, tuned on the PAN 2013 training corpus only (see bench/)."""

    seed_cos: float = 0.25
    seed_dice: float = 0.25
    frag_cos: float = 0.34
    #: A seed must reach this share of the best similarity of each of its two units.
    seed_rival: float = 0.6
    gap: int = 4
    gap_least: int = 0
    summary_gap: int = 24
    #: B longer than this many times A marks a summary.
    summary_ratio: float = 3.0
    #: A case this similar is a copy, not a summary.
    summary_max_sim: float = 0.6
    #: A summary drawing on this share of B's sentences stands for the whole of B; beside a close copy, a summary
    #: must draw on that much.
    summary_spread: float = 0.15
    #: A stretch of A follows B in order, as a copy does and a summary does not, when this share of its
    #: consecutive sentences echo sentences within ``summary_step`` of each other in B.
    summary_diag: float = 0.67
    summary_step: int = 2
    #: Cases of A this many sentences apart or closer may be one summary's (`_adjacent`).
    summary_adjacent: int = 1
    #: Beside a close copy, this share of a summary's sentences must have seeds.
    summary_density: float = 0.5
    min_chars: int = 150
    #: A case this many times longer on B than on A is narrowed to its best stretch of B.
    narrow_ratio: float = 2.0
    #: Verbatim copies: runs of at least this many identical words, joined across gaps of this many words,
    #: covering this share of a passage, replace its sentence-level bounds.
    exact_words: int = 8
    exact_gap: int = 3
    #: Words a verbatim run may take past a sentence end, at either end, before they are taken for chance.
    chance_words: int = 2
    #: A second copy on B of a verbatim passage's A side is a passage of its own when it holds this share of it.
    again_share: float = 0.9
    exact_share: float = 0.9
    #: Passages this much verbatim lose a start or end that one side has and the other has not (at least
    #: ``trim_least`` characters, ``trim_slack`` times what the other side has there).
    trim_share: float = 0.5
    trim_slack: float = 4.0
    trim_least: int = 40
    #: Beside a verbatim copy, other passages need this similarity.
    beside_verbatim_sim: float = 0.6
    #: A reworded passage (paraphrase, summary, edited under 0.95) that ends this many words or fewer before its
    #: sentence's end, or starts as few after its start, takes the rest of the sentence in (`_widen_to_sentences`).
    edge_words: int = 10
    #: Inserted runs: at least ``insert_words`` words between solid words (a word with a counterpart that has at
    #: least ``insert_solid`` such words in the window of ``insert_window`` words around it).
    insert_words: int = 15
    insert_window: int = 5
    insert_solid: int = 3
    insert_shared: float = 0.5
    #: Only in passages where at least this share of words has a close counterpart.
    insert_context: float = 0.75
    insert_reach: int = 40
    #: Where the text resumes after an inserted run may lie this many words past the run's end (`_resume`).
    insert_resume: int = 3
    #: A run inside a passage (reused text on both sides of it) is inserted only where the other side has at most
    #: this many words for each of the run's (more: the stretch was reworded beyond recognition, as a translation
    #: round trip does to a sentence here and there); at a passage's edge it is cut off all the same.
    insert_bare: float = 0.5
    #: ...or this many words, a sentence's worth, whichever is fewer: a long paragraph put in place of a sentence.
    insert_other: int = 8
    #: ...and says about the same (`_same_meaning`): a sentence a round trip reworded, 0.64-0.77 against its
    #: original; a paragraph put in place of a sentence, 0.03-0.06 (texts written for the tests).
    insert_meaning: float = 0.4
    #: Semantic channel: unit pairs whose words half-agree are checked with sentence embeddings.
    semantic: bool = True
    weak_cos: float = 0.2
    weak_dice: float = 0.15
    #: Without any lexical seed, a pair needs this many half-agreeing unit pairs to be worth the model.
    weak_min: int = 6
    semantic_budget: int = 10
    semantic_cos: float = 0.65
    #: Two texts are in different languages when under ``cross_shared`` of either's words occur in the other (one
    #: language's texts share their function words: full English news articles on different stories, 26-52%; a
    #: Spanish translation and its English original only names, numbers and cognates, 13-23%) and one of them is
    #: not English: under ``cross_stop`` of its words are English function words (English news: 18-53%, even in
    #: 300 characters; Apertium's Spanish: 2-6%). Short English texts share few words with anything, hence both.
    cross_shared: float = 0.3
    cross_stop: float = 0.1
    #: Across languages, units seed a case when each is the other's most similar by sentence embedding, at least
    #: ``cross_cos``; a case is kept when its two sides' summed embeddings are at least ``cross_case`` similar.
    #: At most ``cross_units`` units of each side are embedded (~1 ms each): later ones are not searched.
    cross_cos: float = 0.5
    cross_case: float = 0.7
    cross_units: int = 1000


@dataclass
class _Case:
    """Seeds grouped into one reuse case; its unit ranges (inclusive) are the hull of its seeds unless set."""

    seeds: list[tuple[int, int]]
    sim: float = 0.0
    b_range: tuple[int, int] | None = None

    @property
    def a(self) -> tuple[int, int]:
        return min(s[0] for s in self.seeds), max(s[0] for s in self.seeds)

    @property
    def b(self) -> tuple[int, int]:
        if self.b_range is not None:
            return self.b_range
        return min(s[1] for s in self.seeds), max(s[1] for s in self.seeds)


class TooLong(UnspunError):
    """Two texts too long to align as one pair in this machine's memory."""


@dataclass
class Alignment:
    """Passages plus what judging needs: runs of text found inserted into one side inside reused passages."""

    passages: list[Passage]
    inserted_a: list[tuple[int, int]] = field(default_factory=list)
    inserted_b: list[tuple[int, int]] = field(default_factory=list)
    summary: bool = False
    #: The passages as matched, before `_widen_to_sentences` took in their sentences' first and last words (None:
    #: the same).
    matched: list[Passage] | None = None

    @property
    def evidence(self) -> list[Passage]:
        """What `check` weighs as evidence of a source: the passages as matched. Its rules were chosen on them, and
        taken to their sentences' edges, loose passages of stories on one event grew past its length threshold (23
        more sources over 2,225 BBC articles each checked against the others)."""
        return self.passages if self.matched is None else self.matched


def _split(seeds: list[tuple[int, int]], key: Callable[[tuple[int, int]], int], gap: int
           ) -> list[list[tuple[int, int]]]:
    seeds = sorted(seeds, key=key)
    groups, cur = [], [seeds[0]]
    for s in seeds[1:]:
        if key(s) - key(cur[-1]) - 1 <= gap:
            cur.append(s)
        else:
            groups.append(cur)
            cur = [s]
    groups.append(cur)
    return groups


def _cluster(seeds: list[tuple[int, int]], gap: int, untangle: bool = False) -> list[list[tuple[int, int]]]:
    """Split seeds into groups contiguous (within ``gap`` units) on both sides, alternating sides until stable;
    ``untangle``: then each group that crosses itself as well (`_crossing`). Not for summaries, which draw on their
    source in any order."""
    groups, side, stable = [seeds], 0, 0
    while stable < 2:
        new = [g for grp in groups for g in _split(grp, _on_b if side else _on_a, gap)]
        stable = stable + 1 if len(new) == len(groups) else 0
        groups, side = new, 1 - side
    if not untangle:
        return groups
    out = []
    for grp in groups:
        parts = _crossing(grp, gap)
        out += [grp] if len(parts) == 1 else [g for part in parts for g in _cluster(part, gap, untangle)]
    return out


def _crossing(seeds: list[tuple[int, int]], gap: int) -> list[list[tuple[int, int]]]:
    """The parts of a group that lie on diagonals apart (a unit of B less its A's, over ``gap`` + 1 apart: seeds in
    order, within ``gap`` units of each other on both sides, are at most that far), when two of them have two seeds
    or more: copies side by side, XY of YX or XX of X (of over ``gap`` + 1 units each), are contiguous on both sides,
    and were one passage whose two sides did not correspond (A's X against B's Y). A lone seed off its group's
    diagonal (a sentence matching its neighbour's twin) stays with the part on the diagonal nearest it. (Split at
    ``gap`` units apart already, PAN's randomly obfuscated cases lost more than they gained.)"""
    parts = _split(seeds, _diagonal, gap)
    big = [q for q in parts if len(q) > 1]
    if len(big) < 2:
        return [seeds]
    keys = [[_diagonal(s) for s in q] for q in big]
    for q in parts:
        if len(q) == 1:
            d = _diagonal(q[0])
            big[min(range(len(big)), key=lambda k: min(abs(d - x) for x in keys[k]))].append(q[0])
    return [piece for k, q in enumerate(big) for piece in _around_moved(q, [s for m, r in enumerate(big) if m != k
                                                                            for s in r])]


def _around_moved(part: list[tuple[int, int]], others: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """A part cut where it steps over units of one side that the other parts' seeds hold (two or more), those
    seeds' units on the other side lying outside the part: a paragraph moved elsewhere in the copy (X Y Z of X Z Y)
    leaves a hole in X Y's side of B, within ``gap`` of both, and the passage over X Y took Z's sentences in with
    it, which Z's own passage matched too; a hole, which none of the part's own seeds fills (a paraphrase draws on
    its source's sentences out of order: cut where it stepped back over them, an LLM's paraphrase became four
    pieces). (Seeds of a list or table, whose lines match many lines of the other side, lie inside the part on both
    sides: cut there, one copy became six passages, all snapped to it.)"""
    (a0, a1), (b0, b1) = (min(i for i, _ in part), max(i for i, _ in part)), (min(j for _, j in part),
                                                                              max(j for _, j in part))
    on_a = sorted(i for i, j in others if not b0 <= j <= b1)
    on_b = sorted(j for i, j in others if not a0 <= i <= a1)
    own_a, own_b = sorted(i for i, _ in part), sorted(j for _, j in part)
    pieces, cur = [], []
    for s in sorted(part):
        if cur and any(_inside(held, x, y) and not _inside(own, x, y, 1)
                       for held, own, x, y in ((on_a, own_a, cur[-1][0], s[0]), (on_b, own_b, cur[-1][1], s[1]))):
            pieces.append(cur)
            cur = []
        cur.append(s)
    return [*pieces, cur]


def _inside(held: list[int], x: int, y: int, least: int = 2) -> bool:
    """Whether ``least`` or more of the sorted units ``held`` lie strictly between units ``x`` and ``y``."""
    lo, hi = min(x, y), max(x, y)
    return bisect_left(held, hi) - bisect_left(held, lo + 1) >= least


def _on_a(s: tuple[int, int]) -> int:
    return s[0]


def _on_b(s: tuple[int, int]) -> int:
    return s[1]


def _diagonal(s: tuple[int, int]) -> int:
    return s[1] - s[0]


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


def _extend(pair: _Pair, seeds: list[tuple[int, int]], gap: int, p: Params, untangle: bool = False) -> list[_Case]:
    """Group seeds into cases (`_cluster`); a case whose fragments are not similar as a whole is re-split with a
    smaller gap."""
    out = []
    for grp in _cluster(seeds, gap, untangle):
        case = _Case(grp)
        case.sim = pair.frag_sim(case.a, case.b)
        if case.sim > p.frag_cos:
            out.append(case)
        elif gap > p.gap_least:
            out.extend(_extend(pair, grp, gap - 1, p, untangle))
    return out


def _filter(pair: _Pair, cases: list[_Case], p: Params) -> list[_Case]:
    """Keep the best of cases overlapping on A, then drop those too short to be evidence."""
    ranked = sorted(cases, key=lambda c: c.sim * sum(pair.chars(c)), reverse=True)
    kept: list[_Case] = []
    for c in ranked:
        a0, a1 = c.a
        if all(a1 < k.a[0] or a0 > k.a[1] for k in kept):
            kept.append(c)
    kept = [c for c in kept if min(pair.chars(c)) >= p.min_chars]
    return sorted(kept, key=lambda c: c.a[0])


def _seeds(pair: _Pair, p: Params) -> list[tuple[int, int]]:
    """Unit pairs similar enough to start a case, and not far weaker than the best partner of either unit (a
    sentence copied word for word also resembles its neighbours in the source; those are not seeds)."""
    cos = pair.cos
    hit = (cos > p.seed_cos) & (pair.dice > p.seed_dice)
    best_a = cos.max(axis=1, keepdims=True)
    best_b = cos.max(axis=0, keepdims=True)
    hit &= (cos >= p.seed_rival * best_a) & (cos >= p.seed_rival * best_b)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(hit))]


def _texts(u: Units, which: Iterable[int]) -> list[str]:
    """The texts of units ``which`` of ``u``."""
    return [u.text[u.spans[i, 0] : u.spans[i, 1]] for i in which]


def _embed(pair: _Pair, ia: Sequence[int], jb: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Sentence vectors of units ``ia`` of A and ``jb`` of B, in one model call for both sides (the model costs
    ~1 ms a call on top of ~1 ms a sentence, one thread)."""
    v = encode(_texts(pair.ua, ia) + _texts(pair.ub, jb))
    return v[: len(ia)], v[len(ia) :]


def _knows(u: Units, p: Params) -> bool:
    """Whether the model knows the language of the units of ``u`` the cross-language path embeds
    (`unspun.embed.knows`)."""
    return knows(" ".join(_texts(u, range(min(len(u), p.cross_units)))))


def _read_units(u: Units, which: np.ndarray) -> np.ndarray:
    """For each of units ``which`` of ``u``, whether the model reads it (`unspun.embed.reads`: its vectors of a
    script it was not trained on would make any two sentences of that language a paraphrase): all of them where
    they hold no letter beyond the model's scripts (nearly always: one scan)."""
    distinct = sorted(set(which.tolist()))
    texts = dict(zip(distinct, _texts(u, distinct)))
    if reads_all(" ".join(texts.values())):
        return np.ones(len(which), dtype=bool)
    read = {i: reads(t) for i, t in texts.items()}
    return np.array([read[i] for i in which.tolist()], dtype=bool)


def _semantic_seeds(pair: _Pair, seeds: list[tuple[int, int]], p: Params) -> list[tuple[int, int]]:
    """Seeds from sentence embeddings among the unit pairs whose words half-agree (translation, paraphrase,
    summary), spending the model on at most ``semantic_budget`` such pairs, strongest first, of sentences it reads
    on both sides (`_read_units`)."""
    weak = (pair.cos > p.weak_cos) & (pair.dice > p.weak_dice)
    seeded_a = {i for i, _ in seeds}
    for i in seeded_a:
        weak[i, :] = False
    if weak.sum() < p.weak_min and not seeds:
        return []
    ii, jj = np.nonzero(weak)
    keep = _read_units(pair.ua, ii) & _read_units(pair.ub, jj)
    ii, jj = ii[keep], jj[keep]
    if len(ii) == 0:
        return []
    order = np.argsort(-pair.cos[ii, jj])[: p.semantic_budget]
    ii, jj = ii[order], jj[order]
    ia, jb = sorted(set(ii.tolist())), sorted(set(jj.tolist()))
    va, vb = _embed(pair, ia, jb)
    pos_a = {u: k for k, u in enumerate(ia)}
    pos_b = {u: k for k, u in enumerate(jb)}
    sims = np.einsum("ij,ij->i", va[[pos_a[i] for i in ii]], vb[[pos_b[j] for j in jj]])
    return [(int(i), int(j)) for i, j, s in zip(ii, jj, sims) if s >= p.semantic_cos]


def _languages_differ(pair: _Pair, p: Params) -> bool:
    """Whether two texts are in different languages: they share few words, and one of them has almost no English
    function words (no language model: what one language's texts have in common is their function words)."""
    # Occurrences of each word of the pair's vocabulary in each text.
    ca, cb = column_sums(pair.space.a), column_sums(pair.space.b)
    na, nb = ca.sum(), cb.sum()
    if min(na, nb) < 20:  # too short to tell
        return False
    if max(ca[cb > 0].sum() / na, cb[ca > 0].sum() / nb) >= p.cross_shared:
        return False
    return min(pair.ua.stop_share, pair.ub.stop_share) < p.cross_stop


def _translated(pair: _Pair, p: Params) -> list[Passage]:
    """The passages of a text translated from (or into) another language: words cannot match, so the units of
    both sides are embedded (up to ``cross_units`` each; the multilingual model maps a sentence and its translation
    close together), units that are each other's nearest seed cases, and a case is kept when its sides agree as
    wholes. Passages end at unit bounds: there is no word-level counterpart to refine them with."""
    ua, ub = pair.ua, pair.ub
    va, vb = _embed(pair, range(min(len(ua), p.cross_units)), range(min(len(ub), p.cross_units)))
    sim = va @ vb.T
    hit = (sim >= p.cross_cos) & (sim >= sim.max(axis=1, keepdims=True)) & (sim >= sim.max(axis=0, keepdims=True))
    seeds = [(int(i), int(j)) for i, j in zip(*np.nonzero(hit))]
    cases = []
    for grp in _cluster(seeds, p.gap, untangle=True) if seeds else []:
        case = _Case(grp)
        (a0, a1), (b0, b1) = case.a, case.b
        case.sim = _cos(va[a0 : a1 + 1].sum(axis=0), vb[b0 : b1 + 1].sum(axis=0))
        if case.sim >= p.cross_case:
            cases.append(case)
    return [Passage((int(ua.spans[c.a[0], 0]), int(ua.spans[c.a[1], 1])),
                    (int(ub.spans[c.b[0], 0]), int(ub.spans[c.b[1], 1])), "translation", round(min(1.0, c.sim), 4))
            for c in _filter(pair, cases, p)]


# --- refinement to word precision -------------------------------------------------------------------------


def _edges(toks: list[Token], other: list[Token]) -> tuple[int, int] | None:
    """Index of the first and last token of ``toks`` that start/end a run with a counterpart in ``other``."""
    if not toks:
        return None
    stems = {t.stem for t in other}
    bigrams = {(x.stem, y.stem) for x, y in zip(other, other[1:])}
    hit = [t.stem in stems for t in toks]
    n = len(toks)

    trigrams = {(x.stem, y.stem, z.stem) for x, y, z in zip(other, other[1:], other[2:])}

    def anchored_fwd(i: int) -> bool:
        if i + 2 < n and (toks[i].stem, toks[i + 1].stem, toks[i + 2].stem) in trigrams:
            return True
        if i + 1 < n and not toks[i].stop and (toks[i].stem, toks[i + 1].stem) in bigrams:
            return True
        return hit[i] and not toks[i].stop and sum(hit[i : i + 5]) >= 4

    def anchored_bwd(i: int) -> bool:
        if i >= 2 and (toks[i - 2].stem, toks[i - 1].stem, toks[i].stem) in trigrams:
            return True
        if i >= 1 and not toks[i].stop and (toks[i - 1].stem, toks[i].stem) in bigrams:
            return True
        return hit[i] and not toks[i].stop and sum(hit[max(0, i - 4) : i + 1]) >= 4

    first = next((i for i in range(n) if anchored_fwd(i)), None)
    last = next((i for i in range(n - 1, -1, -1) if anchored_bwd(i)), None)
    if first is None or last is None or last < first:
        return None
    return first, last


#: Characters a passage's end and start take in when they stand right after its last word or before its first
#: (strings: one character is looked up in them, and they strip a word's ends).
_CLOSERS = ".!?…\"'”’“‘)]»›;:%‰+°。！？；：」』）．》】〉〕؛׃\u037e\u0387" + SCRIPT_STOPS
_OPENERS = "\"'“‘„‚«‹([$£€¥¿¡#@+-−「『（《【〈〔"
#: The signs among them: two sides that both have one at an end must have the same (`_same`: "-5" is not "+5").
_SIGNS = "$£€¥#@+-−%‰°"
#: What joins emoji into one picture (a zero-width joiner: 👩‍🚒) or selects their emoji form.
_EMOJI_GLUE = "\u200d\ufe0f\ufe0e"


def _close(text: str, end: int) -> int:
    """Take in the sentence-final punctuation, closing quotes and signs (8.5%, C++) that follow a passage's last
    word, the combining marks of its last letter where they are no part of a word (Thai's tone marks: a passage
    ended between "ด" and its "้"), and emoji or other symbols that end its sentence after it ("on Friday 🏫.":
    the passage ended at "Friday"). A number the passage ends inside is taken whole, with a unit glued to it
    ("274.5p.": words split at its point, and the passage ended "274.", a full stop that is none)."""
    end = _number_end(text, end)
    end = _closers_at(text, end)
    at = end
    while at < len(text) and text[at] in " \t":
        at += 1
    symbols = at
    while symbols < len(text) and (unicodedata.category(text[symbols]) in ("So", "Sk") or text[symbols] in _EMOJI_GLUE):
        symbols += 1
    if symbols > at and (symbols == len(text) or text[symbols] in _CLOSERS or text[symbols] in "\r\n"):
        end = _closers_at(text, symbols)
    return end


def _number_end(text: str, end: int) -> int:
    """``end``, or past the rest of the number it falls inside (after a digit, before a point or comma and a
    digit: "274|.5p", "13|,000") and the letters glued to it."""
    if not (0 < end < len(text) - 1 and text[end - 1].isdigit() and text[end] in ".," and text[end + 1].isdigit()):
        return end
    while end < len(text) - 1 and text[end] in ".," and text[end + 1].isdigit():
        end += 1
        while end < len(text) and text[end].isdigit():
            end += 1
    while end < len(text) and text[end].isalpha():
        end += 1
    return end


def _number_start(text: str, start: int) -> int:
    """``start``, or back to the beginning of the number it falls inside ("13,|000 jobs")."""
    while 1 < start < len(text) and text[start].isdigit() and text[start - 1] in ".," and text[start - 2].isdigit():
        start -= 1
        while start > 0 and text[start - 1].isdigit():
            start -= 1
    return start


def _closers_at(text: str, end: int) -> int:
    """The end of the closing punctuation and combining marks from ``end`` on (`_close`)."""
    while end < len(text) and (text[end] in _CLOSERS or unicodedata.category(text[end])[0] == "M"):
        end += 1
    return end


def _open(text: str, start: int) -> int:
    """Take in the opening quotes and brackets and the signs ($5bn, #tag, @name, -5) just before a passage's first
    word, when they begin the text or follow white space: a quote right after a word or a full stop (d'autorité,
    开工。"一位) is the text before's, which `_close` takes in (both took it: two passages overlapped by that
    character). A number the passage starts inside is taken whole ("000 jobs" of "13,000 jobs")."""
    at = start = _number_start(text, start)
    while at > 0 and text[at - 1] in _OPENERS:
        at -= 1
    return at if at == 0 or text[at - 1].isspace() else start


#: Typographic quotes read as straight ones: a house style's curly quotes (or a word processor's) make no copy word
#: for word "edited".
_STRAIGHT = str.maketrans("“”„‟″‘’‚‛′", '"""""' + "'" * 5)


def _bare_words(text: str) -> list[str]:
    """The words of a passage's text as written, quotes straightened, without the quotes, brackets and signs at its
    two ends: one side's opening quote or closing full stop makes no copy word for word "edited". Read as NFC reads
    it, canonically equivalent text is the same: a decomposed "é" (macOS, some feeds) is the letter another text
    writes composed."""
    words = (text if text.isascii() else unicodedata.normalize("NFC", text)).translate(_STRAIGHT).split()
    if words:
        words[0] = words[0].lstrip(_OPENERS)
        words[-1] = words[-1].rstrip(_CLOSERS)
    return [w for w in words if w]


def _span_tokens(u: Units, lo: int, hi: int) -> tuple[int, int]:
    return int(u.tok_range[lo, 0]), int(u.tok_range[hi, 1])


def _in_order(case: _Case, p: Params) -> float:
    """Share of consecutive seeded sentences of A whose counterparts in B lie within ``summary_step`` sentences
    of each other: near 1 for a copy (it follows its source), low for a summary (it picks from all over)."""
    by_a: dict[int, list[int]] = {}
    for i, j in case.seeds:
        by_a.setdefault(i, []).append(j)
    keys = sorted(by_a)
    steps = [min(abs(y - x) for x in by_a[k0] for y in by_a[k1]) for k0, k1 in zip(keys, keys[1:])]
    return sum(s <= p.summary_step for s in steps) / len(steps) if steps else 1.0


def _narrow(pair: _Pair, case: _Case, p: Params) -> _Case:
    """A case far longer on B than on A (stray matches near a copy widen it) keeps the stretch of B (at most about
    twice its A side) that is most similar to its A side, when that stretch is more similar than the whole."""
    ca, cb = pair.chars(case)
    if cb <= p.narrow_ratio * ca:
        return case
    (a0, a1), (b0, b1) = case.a, case.b
    best, span = case.sim, None
    widest = 2 * (a1 - a0 + 1) + 2  # a copy's stretch of B is about as long as its A side
    for x in range(b0, b1 + 1):
        for y in range(x, min(b1, x + widest - 1) + 1):
            s = pair.frag_sim((a0, a1), (x, y))
            if s > best:
                best, span = s, (x, y)
    if span is None:
        return case
    seeds = [sd for sd in case.seeds if span[0] <= sd[1] <= span[1]]
    if not seeds or min(sd[0] for sd in seeds) != a0 or max(sd[0] for sd in seeds) != a1:
        seeds = [*seeds, (a0, span[0]), (a1, span[1])]  # the A side stays as it was
    return _Case(seeds, best)


def _summaries(pair: _Pair, seeds: list[tuple[int, int]], cases: list[_Case], p: Params) -> list[_Case]:
    """Summary cases: a short stretch of A condensing a long one of B (``summary_ratio`` times its length), found
    by a wider search, that draws on B out of order: a copy with stray matches around it also spans more of B
    than of A, but follows it. Beside a close copy (a case of similarity ``summary_max_sim``), only a stretch
    that takes that copy in counts (a summary quoting its source). Inside a wide stretch, cases next to each other
    are tried too (`_adjacent`); a stretch that overlaps one already taken on A is not."""
    close = [c for c in cases if c.sim >= p.summary_max_sim]
    wide = _filter(pair, _extend(pair, seeds, p.summary_gap, p), p)
    chars = [pair.chars(w) for w in wide]
    if not close and sum(cb for _, cb in chars) < p.summary_ratio * sum(ca for ca, _ in chars):
        return []  # taken together, the matches are no condensation of B
    # Runs of adjacent cases where the wide search joined them to stray matches (`_adjacent`).
    joined = [r for r in _adjacent(cases, p) if any(w.a[0] <= r.a[0] and r.a[1] <= w.a[1] for w in wide)]
    out: list[_Case] = []
    for w in wide + joined:
        ca, cb = pair.chars(w)
        if any(w.a[0] <= o.a[1] and o.a[0] <= w.a[1] for o in out):
            continue
        if cb < p.summary_ratio * ca or _in_order(w, p) >= p.summary_diag:
            continue  # too little of B, or B's sentences echoed in their order: a copy with stray matches
        if close:
            # Weak matches away from the close copies are not a summary of their own.
            spread = (w.b[1] - w.b[0] + 1) / len(pair.ub)
            if spread < p.summary_spread:
                continue
            inside = [c for c in close if c.a[0] <= w.a[1] and w.a[0] <= c.a[1]]
            if not inside or len({i for i, _ in w.seeds}) < p.summary_density * (w.a[1] - w.a[0] + 1):
                continue
        out.append(_summary_case(pair, [w], p))
    return out


def _adjacent(cases: list[_Case], p: Params) -> list[_Case]:
    """Cases that follow each other in A (at most ``summary_adjacent`` sentences apart), each run of them as one:
    a summary's sentences each condense their own part of B, so they may seed cases of their own, while the wider
    search (`summary_gap`) takes in stray matches around them, which make it too long on A to be a summary."""
    out, run = [], []
    for c in sorted(cases, key=lambda c: c.a):
        if run and c.a[0] - run[-1].a[1] > p.summary_adjacent:
            out.append(run)
            run = []
        run.append(c)
    out.append(run)
    return [_Case([s for c in r for s in c.seeds]) for r in out if len(r) > 1]


def _copied(pair: _Pair, case: _Case, runs: list[_Run], p: Params) -> bool:
    """Whether a stretch of A is mostly one verbatim copy (its runs follow each other on B): a copy with stray
    matches around it, not a summary, although summaries quote a sentence here and there."""
    a = (int(pair.ua.spans[case.a[0], 0]), int(pair.ua.spans[case.a[1], 1]))
    inside = _runs_in(runs, a)
    return bool(inside) and _exact_share(inside, a) >= p.trim_share and _follow(inside, p)


def _summary_case(pair: _Pair, cases: list[_Case], p: Params) -> _Case:
    """One case for a summary: its sentences in A, and in B the stretch they condense, the whole document when
    they draw on most of it (a summary stands for all of its source, not for the few sentences it echoes)."""
    seeds = [s for c in cases for s in c.seeds]
    case = _Case(seeds)
    b0, b1 = case.b
    n = len(pair.ub)
    if (b1 - b0 + 1) >= p.summary_spread * n:
        case.b_range = (0, n - 1)
    case.sim = pair.frag_sim(case.a, case.b)
    return case


def _refine(pair: _Pair, case: _Case) -> tuple[tuple[int, int], tuple[int, int]] | None:
    ua, ub = pair.ua, pair.ub
    ta0, ta1 = _span_tokens(ua, *case.a)
    tb0, tb1 = _span_tokens(ub, *case.b)
    toks_a, toks_b = ua.tok[ta0:ta1], ub.tok[tb0:tb1]
    ea = _edges(toks_a, toks_b)
    # The B side of a whole-document summary is kept whole; elsewhere both ends move to matched words.
    eb = (0, len(toks_b) - 1) if case.b_range is not None and toks_b else _edges(toks_b, toks_a)
    if ea is None or eb is None:
        return None
    a = (_open(ua.text, toks_a[ea[0]].start), _close(ua.text, toks_a[ea[1]].end))
    b = (_open(ub.text, toks_b[eb[0]].start), _close(ub.text, toks_b[eb[1]].end))
    return a, b


# --- inserted runs --------------------------------------------------------------------------------------


def _bigram_positions(toks: list[Token]) -> dict[tuple[str, str], list[int]]:
    """Where each stem bigram of ``toks`` starts."""
    bipos: dict[tuple[str, str], list[int]] = {}
    for k in range(len(toks) - 1):
        bipos.setdefault((toks[k].stem, toks[k + 1].stem), []).append(k)
    return bipos


def _anchored(toks: list[Token], other: list[Token], reach: int, bipos: dict[tuple[str, str], list[int]],
              expect: np.ndarray) -> np.ndarray:
    """Per token: does it share a stem bigram with ``other``, or a content stem with a neighbour that does too,
    near the same relative place in ``other`` (within ``reach`` words)? Locality keeps a run of inserted words
    from being excused by the same words elsewhere in a long passage. ``bipos``: `_bigram_positions` of
    ``other``; ``expect``: `_expected_positions` of ``toks`` in it."""
    pos: dict[str, list[int]] = {}
    for k, t in enumerate(other):
        pos.setdefault(t.stem, []).append(k)

    def near(positions: list[int] | None, i: int) -> bool:
        if not positions:
            return False
        c = expect[i]
        k = bisect_left(positions, c - reach)
        return k < len(positions) and positions[k] <= c + reach

    n = len(toks)
    hit = np.array([not t.stop and near(pos.get(t.stem), i) for i, t in enumerate(toks)], dtype=bool)
    out = np.zeros(n, dtype=bool)
    for i in range(n - 1):
        if near(bipos.get((toks[i].stem, toks[i + 1].stem)), i):
            out[i] = out[i + 1] = True
    close = np.zeros(n, dtype=bool)
    for d in (1, 2):
        close[:-d] |= hit[d:]
        close[d:] |= hit[:-d]
    return out | (hit & close)


def increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest chain of pairs increasing in both coordinates (pairs sorted by the first): the anchors in order."""
    tails: list[int] = []  # tails[L] = index into pairs of the smallest second coordinate ending a chain of L+1
    ends: list[int] = []  # ...and that second coordinate
    prev = [-1] * len(pairs)
    for n, (_, k) in enumerate(pairs):
        lo = bisect_left(ends, k)
        prev[n] = tails[lo - 1] if lo else -1
        if lo == len(tails):
            tails.append(n)
            ends.append(k)
        else:
            tails[lo], ends[lo] = n, k
    out, n = [], tails[-1] if tails else -1
    while n >= 0:
        out.append(pairs[n])
        n = prev[n]
    return out[::-1]


def _expected_positions(toks: list[Token], other: list[Token], bipos: dict[tuple[str, str], list[int]]) -> np.ndarray:
    """For each token of ``toks``, where its counterpart should sit in ``other``: interpolated between the stem
    bigrams found once on each side, in order (inserted text shifts a plain proportional guess)."""
    seen: dict[tuple[str, str], int] = {}
    for i in range(len(toks) - 1):
        key = (toks[i].stem, toks[i + 1].stem)
        seen[key] = -1 if key in seen else i
    pairs = sorted((i, bipos[k][0]) for k, i in seen.items() if i >= 0 and len(bipos.get(k, ())) == 1)
    chain = increasing(pairs)
    xs, ys = [0] + [i for i, _ in chain], [0] + [k for _, k in chain]
    xs.append(max(len(toks), xs[-1] + 1))
    ys.append(max(len(other), ys[-1] + 1))
    return np.interp(np.arange(len(toks)), xs, ys)


def _inserted_runs(toks: list[Token], other: list[Token], p: Params, bipos: dict[tuple[str, str], list[int]],
                   expect: np.ndarray) -> list[tuple[int, int]]:
    """Token ranges [i, j) of ``toks`` with no solid counterpart in ``other``: text inserted by a copier.

    A token is solid when most words around it have a counterpart nearby; an inserted run is a gap of at least
    ``insert_words`` words between solid tokens (stray shared words such as names inside link debris do not
    break the gap). ``bipos``, ``expect``: as `_anchored` takes them."""
    n = len(toks)
    if n < p.insert_words + 4:
        return []
    anch = _anchored(toks, other, max(p.insert_reach, len(other) // 12), bipos, expect).astype(np.int32)
    if anch.mean() < p.insert_context:
        return []  # loosely reworded throughout: a weak stretch is rewording, not an insertion
    dens = np.convolve(anch, np.ones(p.insert_window, dtype=np.int32), mode="same")
    solid = np.flatnonzero((anch == 1) & (dens >= p.insert_solid))
    stems = {t.stem for t in other}
    runs = []
    for x, y in zip(solid, solid[1:]):
        if _words(toks[x + 1 : y]) >= p.insert_words:
            content = [t for t in toks[x + 1 : y] if not t.stop]
            # Words found nowhere in the other passage: reworded text still shares most of its words.
            if content and sum(t.stem in stems for t in content) <= p.insert_shared * len(content):
                runs.append((int(x) + 1, int(y)))
    return runs


#: A token this long is no word: it weighs as many words as its characters would make at ``WORD_CHARS`` a word
#: when a run is measured. A 600-character hash or a run of one letter glued into a sentence was one word, and the
#: passage took it in as reused (QA); the longest words of prose (compounds, chemical names) stay under it.
LONG_TOKEN_CHARS = 30
WORD_CHARS = 8


def _words(toks: list[Token]) -> int:
    """How many words ``toks`` weigh as an inserted run: each one, an outsized one by its length."""
    return sum(1 if (n := t.end - t.start) < LONG_TOKEN_CHARS else n // WORD_CHARS for t in toks)


def _find(toks: list[Token], probe: list[Token], expect: float) -> tuple[int, int] | None:
    """Position in ``toks`` (not the first) where the content words of ``probe`` (the words that follow an
    inserted run), or their longest prefix that occurs at all, start nearest to ``expect``, and how many of them
    (up to 3) match there. Function words are skipped on both sides: a translation keeps the content words of a
    sentence but not its "has" or "the"."""
    content = [k for k in range(1, len(toks)) if not toks[k].stop]
    stems = [t.stem for t in probe if not t.stop][:3]
    for n in range(len(stems), 0, -1):
        hits = [content[i] for i in range(len(content) - n + 1)
                if all(toks[content[i + d]].stem == stems[d] for d in range(n))]
        if hits:
            at = min(hits, key=lambda i: abs(i - expect))
            # Take in the function words just before the match ("the" in "the fund").
            while at > 1 and toks[at - 1].stop and toks[at - 1].stem in {t.stem for t in probe[:3]}:
                at -= 1
            return at, n
    return None


def _resume(tx: list[Token], j: int, ty: list[Token], expect: np.ndarray, p: Params) -> tuple[int, int, int] | None:
    """Where the text resumes after a run inserted into ``tx`` that ends before token ``j``: that token, or one of
    the next ``insert_resume`` if the words from there match ``ty`` longer, and its counterpart in ``ty``. The
    run's last words may be a common word the reused text holds nearby ("... he said. Time Warner said on Friday"
    against "Time Warner said on Friday": 'said' looks anchored, and the passage after the insertion began at it,
    with the other side's "Time Warner" given to the passage before). A later token's match counts only just
    before the first's, where those words would stand: a longer match elsewhere is other text (a word reworded
    after the run made one three words long further up the passage). ``expect``: `_expected_positions`. With how
    many content words (up to 3) match there."""
    first = _find(ty, tx[j : j + 8], expect[j])
    if first is None:
        return None
    best = (j, *first)
    for k in range(j + 1, min(j + p.insert_resume + 1, len(tx))):
        hit = _find(ty, tx[k : k + 8], expect[k])
        if hit is not None and hit[1] > best[2] and 0 <= first[0] - hit[0] <= 2 * p.insert_resume:
            best = (k, *hit)
    if best[2] < 2:
        # One word alone matched where the text resumes: a word of the inserted text the other side has just
        # before the run ("The voting is due" on "vote further."; QA); the run goes on to where three match.
        for k in range(j + 1, min(j + 2 * p.insert_words, len(tx))):
            hit = _find(ty, tx[k : k + 8], expect[k])
            if hit is not None and hit[1] == 3:
                return k, *hit
    return best


def _same_meaning(x: str, y: str, p: Params) -> bool:
    """Whether two stretches say the same thing (sentence vectors at least ``insert_meaning`` similar), as far as
    the model can tell: without it, or in a script it does not read, they are taken to."""
    if not p.semantic or not (reads(x) and reads(y)):
        return True
    v = encode([x, y])
    return float(v[0] @ v[1]) >= p.insert_meaning


#: Words before where a text resumes that `_trim_back` looks among for the counterparts of the words before a run.
_TRIM_WINDOW = 8


def _trim_back(tx: list[Token], i: int, ty: list[Token], at: int, reach: int) -> int:
    """Move the start ``i`` of a run inserted into ``tx`` back (at most ``reach`` words) over the words just
    before it that have no counterpart among the `_TRIM_WINDOW` words before ``at`` (where the text resumes in
    ``ty``): debris often begins with words that also occur in the reused text around it (names, places), which
    makes them look anchored."""
    stop = max(1, i - reach)
    # Where the last three words before the run are those before where the other side resumes, the run begins
    # there: a pasted paragraph's "A Top of the Pops" held function words the other side has nearby, and stayed
    # in the passage before it (QA).
    tail = [u.stem for u in ty[max(0, at - 3) : at]]
    if len(tail) == 3:
        for k in range(i, max(stop, 3) - 1, -1):
            if [t.stem for t in tx[k - 3 : k]] == tail:
                return k
    before = {u.stem for u in ty[max(0, at - _TRIM_WINDOW) : at]}
    while i > stop and tx[i - 1].stem not in before:
        i -= 1
    return i


def _cut(pair: _Pair, ps: Passage, p: Params, inserted: dict[str, list[tuple[int, int]]]) -> list[Passage]:
    """Split a passage around runs inserted into one side, so the passage holds only reused text."""
    ua, ub = pair.ua, pair.ub
    for side, (ux, uy, sx, sy) in (("a", (ua, ub, ps.a, ps.b)), ("b", (ub, ua, ps.b, ps.a))):
        tx = [t for t in ux.tok if sx[0] <= t.start and t.end <= sx[1]]
        ty = [t for t in uy.tok if sy[0] <= t.start and t.end <= sy[1]]
        bipos = _bigram_positions(ty)
        expect = _expected_positions(tx, ty, bipos)  # (for the runs, and where the text resumes after each)
        runs = _inserted_runs(tx, ty, p, bipos, expect)
        merged = None  # the start of a run taken on into the next
        for k, (i, j) in enumerate(runs):
            i, merged = (i, None) if merged is None else (merged, None)
            resumed = _resume(tx, j, ty, expect, p)
            if resumed is None:
                continue
            # The text cannot resume on the other side before where it left it (such a match is far back); far
            # beyond what the run would have replaced there, it is taken only where no run follows close by.
            left = expect[i - 1]
            behind = resumed[1] < left - p.insert_words
            far = resumed[1] - left > 2 * _words(tx[i:j]) + p.insert_words
            if (resumed[2] < 2 or behind or far) and k + 1 < len(runs) and runs[k + 1][0] - j <= p.insert_words:
                # One insertion whose few words between two runs held a stray shared word or two: the text
                # "resumed" on one word far off ("share decline" for "shared purpose", 760 characters on; QA).
                merged = i
                continue
            if behind:
                continue
            j, at, _ = resumed
            start, i = i, _trim_back(tx, i, ty, at, p.insert_words)
            x1 = (sx[0], _close(ux.text, tx[i - 1].end))
            x2 = (_open(ux.text, tx[j].start), sx[1])
            y2 = (_open(uy.text, ty[at].start), sy[1])
            parts = _parts(pair, side, (x1, x2), ((sy[0], _close(uy.text, ty[at - 1].end)), y2), p)
            # The run as found, and its place on the other side: `_trim_back` compares its first words with those
            # before where the other side resumes, which is past that side's own text there, if it has some.
            there = _place(tx, start, ty, at, expect)
            if len(parts) == 2 and at - there > min(p.insert_bare * _words(tx[start:j]), p.insert_other):
                # Inside the passage, the other side has about as many words there: reworded, unless it says
                # something else, a sentence replaced by other text: both left out, and no side named by them.
                if _same_meaning(ux.text[tx[start].start : tx[j - 1].end], uy.text[ty[there].start : ty[at - 1].end],
                                 p):
                    continue
                x1 = (sx[0], _close(ux.text, tx[start - 1].end))
                y1 = (sy[0], _close(uy.text, ty[there - 1].end) if there else sy[0])
                parts = _parts(pair, side, (x1, x2), (y1, y2), p)
            else:
                inserted[side].append((tx[i].start, tx[j - 1].end))
            return [q for a, b in parts for q in _cut(pair, _piece(pair, ps, a, b), p, inserted)]
    return [ps]


def _place(tx: list[Token], i: int, ty: list[Token], at: int, expect: np.ndarray) -> int:
    """Where a run that begins at token ``i`` of ``tx`` sits in ``ty``, which resumes at ``at``: after the
    counterpart of the token before the run, the same word within 3 of where `_expected_positions` puts it (the
    guess itself otherwise), and before ``at``."""
    guess = min(at - 1, max(0, round(float(expect[i - 1])) + 1))
    for k in sorted(range(guess - 4, guess + 3), key=lambda k: abs(k - guess + 1)):
        if 0 <= k < at - 1 and ty[k].stem == tx[i - 1].stem:
            return k + 1
    return guess


def _parts(pair: _Pair, side: str, xs: tuple[Span, Span], ys: tuple[Span, Span], p: Params) -> list[tuple[Span, Span]]:
    """The two pieces of a passage cut on ``side`` (``xs``: its spans before and after the cut, ``ys``: the other
    side's), as (A span, B span), less one too short to report."""
    parts = [(xs[0], ys[0]), (xs[1], ys[1])] if side == "a" else [(ys[0], xs[0]), (ys[1], xs[1])]
    return [(a, b) for a, b in parts if min(pair.ua.width(*a), pair.ub.width(*b)) >= p.min_chars // 3]


def _pieces(pair: _Pair, ps: Passage, p: Params, inserted: dict[str, list[tuple[int, int]]]) -> list[Passage]:
    """`_cut`'s pieces of a passage, adding to ``inserted`` the runs it cut out that lie between two of them: beside
    a piece too short to report, a run is text at the passage's edge (on PAN, often a neighbouring case's), which
    no reader can see inserted inside reused text."""
    found: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}
    pieces = _cut(pair, ps, p, found)
    for side, runs in found.items():
        spans = [q.a if side == "a" else q.b for q in pieces]
        inserted[side] += [r for r in runs if any(e <= r[0] for _, e in spans) and any(r[1] <= s for s, _ in spans)]
    return pieces


def _passage(a: tuple[int, int], b: tuple[int, int], kind: Kind, similarity: float) -> Passage:
    """A passage; one copied word for word is of similarity 1.0, though the sentences it was scored on may reach
    beyond the words copied."""
    return Passage(a, b, kind, 1.0 if kind == "verbatim" else round(min(1.0, similarity), 4))


def _piece(pair: _Pair, ps: Passage, a: tuple[int, int], b: tuple[int, int]) -> Passage:
    """A piece of passage ``ps`` (cut around inserted text, or trimmed) with its own kind and similarity, not the
    whole's: the pieces of one passage read the same, however differently each was reworded, and a trimmed copy
    word for word read 'verbatim 0.65'. A piece of a copy word for word (similarity 0.95 or more) keeps the
    copy's similarity."""
    kind = _kind(pair, a, b, False)
    if kind == "verbatim" or (ps.kind in ("verbatim", "edited") and ps.similarity >= 0.95):
        return _passage(a, b, kind, ps.similarity)
    return _passage(a, b, kind, pair.frag_sim(_unit_range(pair.ua, a), _unit_range(pair.ub, b)))


def _unit_range(u: Units, span: tuple[int, int]) -> tuple[int, int]:
    """The first and last (inclusive, as cases hold them) units that overlap a span of characters."""
    r = u.overlapping(*span)
    return r.start, max(r.start, r.stop - 1)


# --- verbatim runs -----------------------------------------------------------------------------------------


def _exact_runs(wa: list[str], wb: list[str], k: int) -> list[list[int]]:
    """Maximal runs of identical words at least ``k`` long: [a_tok0, a_tok1, b_tok0, b_tok1). Only stretches of
    ``k`` or more words of A that all occur in B can start one (a long candidate shares few such stretches with a
    news article: indexing all its k-grams was most of the time of verifying it)."""
    vocab_b = set(wb)
    index: dict[tuple[str, ...], list[int]] | None = None
    runs: list[list[int]] = []
    covered: set[tuple[int, int]] = set()  # (i - j, i) diagonals already inside a run
    run = 0
    for e, w in enumerate(wa):
        run = run + 1 if w in vocab_b else 0
        if run < k:
            continue
        if index is None:  # B's k-grams made only of words of A, built when A has a stretch that needs them
            vocab_a, index, run_b = set(wa), {}, 0
            for f, v in enumerate(wb):
                run_b = run_b + 1 if v in vocab_a else 0
                if run_b >= k:
                    index.setdefault(tuple(wb[f - k + 1 : f + 1]), []).append(f - k + 1)
        i = e - k + 1
        for j in index.get(tuple(wa[i : e + 1]), ()):
            if (i - j, i) in covered:
                continue
            x = i + k
            while x < len(wa) and x - i + j < len(wb) and wa[x] == wb[x - i + j]:
                x += 1
            covered.update((i - j, y) for y in range(i, x))
            runs.append([i, x, j, j + x - i])
    return runs


def _chain(runs: list[list[int]], gap: int) -> list[list[int]]:
    """Join runs that follow each other on both sides within ``gap`` words (a changed word, a typo)."""
    out: list[list[int]] = []
    for r in sorted(runs):
        if out and 0 <= r[0] - out[-1][1] <= gap and 0 <= r[2] - out[-1][3] <= gap:
            out[-1][1], out[-1][3] = max(out[-1][1], r[1]), max(out[-1][3], r[3])
        else:
            out.append(list(r))
    return out


#: A verbatim run: its characters in A and in B.
_Run = tuple[tuple[int, int], tuple[int, int]]


_WORD_CHAR = re.compile(r"\w")
#: Characters that end a sentence (the full-width ones with no space after them), where a run of identical words
#: may have crossed into the next one by chance (`judge` tells whole sentences by them too): Latin's, Chinese and
#: Japanese, Arabic's question mark and Urdu's full stop, the dandas of Hindi and Bengali, the full stops of
#: Armenian, Hebrew, Ethiopic, Khmer and Burmese, the Greek question mark.
SENTENCE_ENDS = ".!?…。！？׃\u037e" + SCRIPT_STOPS
FULL_WIDTH_ENDS = "。！？"


def _ends_sentence(text: str, end: int, start: int) -> int:
    """How the text between two words (``text[end:start]``) closes a sentence: 2 with a line break, 1 with a full
    stop (question, exclamation mark) followed by white space or written in Chinese or Japanese, else 0."""
    gap = text[end:start]
    if "\n" in gap:
        return 2
    return int(any(c in SENTENCE_ENDS and (c in FULL_WIDTH_ENDS or gap[-1:].isspace()) for c in gap))


def _chance_edges(ua: Units, ub: Units, c: list[int], most: int) -> list[int]:
    """A chain of identical words without the ``most`` words or fewer it took in past a sentence end at either of
    its ends, where both texts end a sentence there: past a line break, any words that begin a line going on in
    either text (a pasted paragraph followed on both sides by one that begins "Ms Hewitt" ran on by those words, and
    the passage beside it overlapped), not a whole line (a heading, a byline: "By Earth911" at a copy's start was
    cut off it); past a full stop, function words only ("…in December. The"; PAN's cases end so, after a
    sentence, in a heading's words)."""
    i0, i1, j0, j1 = c

    def chance(a_end: int, a_start: int, b_end: int, b_start: int, words: list[Token], line_goes_on: bool) -> bool:
        ends = min(_ends_sentence(ua.text, a_end, a_start), _ends_sentence(ub.text, b_end, b_start))
        return (ends == 2 and line_goes_on) or (ends == 1 and all(t.stop for t in words))

    def goes_on(u: Units, at: int, forward: bool) -> bool:  # more words on the line, after (or before) ``at``
        if forward:
            stop = u.text.find("\n", at)
            return _WORD_CHAR.search(u.text, at, len(u.text) if stop < 0 else stop) is not None
        return _WORD_CHAR.search(u.text, u.text.rfind("\n", 0, at) + 1, at) is not None

    for k in range(1, most + 1):  # the last k words follow a sentence end on both sides
        if i1 - k - i0 > most and chance(
                ua.tok[i1 - k - 1].end, ua.tok[i1 - k].start, ub.tok[j1 - k - 1].end, ub.tok[j1 - k].start,
                ua.tok[i1 - k : i1], goes_on(ua, ua.tok[i1 - 1].end, True) or goes_on(ub, ub.tok[j1 - 1].end, True)):
            i1, j1 = i1 - k, j1 - k
            break
    for k in range(1, most + 1):  # the first k words come before one
        if i1 - i0 - k > most and chance(
                ua.tok[i0 + k - 1].end, ua.tok[i0 + k].start, ub.tok[j0 + k - 1].end, ub.tok[j0 + k].start,
                ua.tok[i0 : i0 + k], goes_on(ua, ua.tok[i0].start, False) or goes_on(ub, ub.tok[j0].start, False)):
            i0, j0 = i0 + k, j0 + k
            break
    return [i0, i1, j0, j1]


def _sentence_edges(ua: Units, ub: Units, c: list[int], p: Params) -> list[int]:
    """A chain of identical words that starts or ends inside a sentence, taken back to that sentence's start and on
    to its end where a word or a few changed there (up to ``exact_gap`` on either side) and the words beyond them,
    identical on both sides, at least one of them a content word, reach that start or end in both texts (or the
    one word changed is the sentence's first or last), crossing no other sentence end: a copy that changed one word
    of its lead ("The city council of Bristol presented" → "unveiled") was a verbatim passage that left its first
    five words out, an unreported stretch of the copy. (A chain already at its sentences' bounds keeps them: the
    next sentence, another in each text, was taken in where it differed in its first words only.)"""
    wa, wb, n, m = ua.words, ub.words, len(ua.tok), len(ub.tok)
    i0, i1, j0, j1 = c

    def starts(u: Units, k: int) -> bool:  # a sentence begins at token k
        return k == 0 or _ends_sentence(u.text, u.tok[k - 1].end, u.tok[k].start) > 0

    def ends(u: Units, k: int) -> bool:  # a sentence ends after the word before token k
        return k == len(u.tok) or _ends_sentence(u.text, u.tok[k - 1].end, u.tok[k].start) > 0

    if not (starts(ua, i0) and starts(ub, j0)):
        for sa, sb in ((x, y) for x in range(p.exact_gap + 1) for y in range(p.exact_gap + 1) if x + y):
            a, b = i0 - sa, j0 - sb  # back: sa words of A and sb of B changed before the chain
            if min(a, b) < 0:
                continue
            k = 0
            while k < p.exact_words and a - k > 0 and b - k > 0 and wa[a - k - 1] == wb[b - k - 1]:
                k += 1
            if starts(ua, a - k) and starts(ub, b - k) and (
                    any(not t.stop for t in ua.tok[a - k : a]) if k else sa == sb == 1) and not any(
                    starts(ua, x) for x in range(a - k + 1, i0 + 1)) and not any(
                    starts(ub, x) for x in range(b - k + 1, j0 + 1)):
                i0, j0 = a - k, b - k
                break
    if not (ends(ua, i1) and ends(ub, j1)):
        for sa, sb in ((x, y) for x in range(p.exact_gap + 1) for y in range(p.exact_gap + 1) if x + y):
            a, b = i1 + sa, j1 + sb  # on: after the chain
            if a > n or b > m:
                continue
            k = 0
            while k < p.exact_words and a + k < n and b + k < m and wa[a + k] == wb[b + k]:
                k += 1
            if ends(ua, a + k) and ends(ub, b + k) and (
                    any(not t.stop for t in ua.tok[a : a + k]) if k else sa == sb == 1) and not any(
                    ends(ua, x) for x in range(i1, a + k)) and not any(ends(ub, x) for x in range(j1, b + k)):
                i1, j1 = a + k, b + k
                break
    return [i0, i1, j0, j1]


def _to_sentence_edges(pair: _Pair, ps: Passage, p: Params) -> Passage:
    """A copy word for word (`_verbatim`'s) taken back to its sentences' start and on to their end over a word or a
    few changed there (`_sentence_edges`), with its own kind and similarity then. Done once the passages are
    settled: the runs that decide what is a copy and what a summary are left as they were (with the words beyond a
    change in them, summaries of PAN that keep a sentence's wording were taken for copies of that sentence)."""
    ua, ub = pair.ua, pair.ub
    start, end = attrgetter("start"), attrgetter("end")
    c = [bisect_left(ua.tok, ps.a[0], key=start), bisect_right(ua.tok, ps.a[1], key=end),  # the words inside
         bisect_left(ub.tok, ps.b[0], key=start), bisect_right(ub.tok, ps.b[1], key=end)]
    if c[0] >= c[1] or c[2] >= c[3]:
        return ps
    i0, i1, j0, j1 = _sentence_edges(ua, ub, c, p)
    if (i0, i1, j0, j1) == tuple(c):
        return ps
    a = (_open(ua.text, ua.tok[i0].start) if i0 != c[0] else ps.a[0],
         _close(ua.text, ua.tok[i1 - 1].end) if i1 != c[1] else ps.a[1])
    b = (_open(ub.text, ub.tok[j0].start) if j0 != c[2] else ps.b[0],
         _close(ub.text, ub.tok[j1 - 1].end) if j1 != c[3] else ps.b[1])
    kind = _kind(pair, a, b, False)
    return _passage(a, b, kind, 1.0 if kind == "verbatim" else min(
        ps.similarity, pair.frag_sim(_unit_range(ua, a), _unit_range(ub, b))))


def _verbatim_runs(pair: _Pair, p: Params) -> list[_Run]:
    """Runs of identical words in both texts, joined across small changes, as character spans."""
    ua, ub = pair.ua, pair.ub
    chains = [_chance_edges(ua, ub, c, p.chance_words)
              for c in _chain(_exact_runs(ua.words, ub.words, p.exact_words), p.exact_gap)]
    return [
        ((_open(ua.text, ua.tok[c[0]].start), _close(ua.text, ua.tok[c[1] - 1].end)),
         (_open(ub.text, ub.tok[c[2]].start), _close(ub.text, ub.tok[c[3] - 1].end)))
        for c in chains
    ]


def _follow(runs: list[_Run], p: Params) -> bool:
    """Whether verbatim runs (sorted on A) follow each other on B at about the distances they keep on A, as the
    pieces of one copy do; shuffled or spread-out runs (a summary quoting here and there) do not."""
    for (x, y), (x2, y2) in zip(runs, runs[1:]):
        gap_a, gap_b = x2[0] - x[1], y2[0] - y[1]
        if gap_b < -p.trim_least or abs(gap_a - gap_b) > max(gap_a, gap_b) / 2 + p.trim_least:
            return False
    return True


def _runs_in(runs: list[_Run], a: tuple[int, int], b: tuple[int, int] | None = None) -> list[_Run]:
    """The runs that overlap A span ``a`` (and B span ``b`` when given), sorted on A, less those inside another
    one on A (a phrase the copy repeats)."""
    out: list[_Run] = []
    for r in sorted(r for r in runs if r[0][0] < a[1] and a[0] < r[0][1]
                    and (b is None or (r[1][0] < b[1] and b[0] < r[1][1]))):
        if not out or r[0][1] > out[-1][0][1]:
            out.append(r)
    return out


def _exact_share(runs: list[_Run], a: tuple[int, int]) -> float:
    """Share of A span ``a`` inside the runs (as _runs_in gives them: none inside another)."""
    return sum(min(r[0][1], a[1]) - max(r[0][0], a[0]) for r in runs) / max(1, a[1] - a[0])


def _verbatim(pair: _Pair, passages: list[Passage], spans: list[_Run], p: Params,
              keep_clear: list[Passage] = ()) -> list[Passage]:
    """Snap passages that are copies word for word to the exact copied text, and add copies the sentence-level
    search missed (outside ``keep_clear``, and where no passage is but a weakly similar one of another stretch of B);
    beside a verbatim copy, a weakly similar passage is noise and is dropped, and the copies it kept out are added
    then."""
    out: list[Passage] = []
    used: set[_Run] = set()
    for ps in passages:
        inside = _runs_in(spans, ps.a, ps.b)
        exact = _exact_share(inside, ps.a)
        if inside and exact >= p.exact_share and (twice := _twice(pair, inside, p)):
            used.update(inside)  # one text twice in the other: a passage for each copy, whose sides correspond
            out += [Passage(a, b, "verbatim" if _same(pair, a, b) else "edited", 1.0) for a, b in twice]
        elif inside and exact >= p.exact_share:
            kept = _one_copy(inside, ps.a, ps.b)
            a = (min(r[0][0] for r in kept), max(r[0][1] for r in kept))
            b = (min(r[1][0] for r in kept), max(r[1][1] for r in kept))
            used.update(inside)
            if any(q.a == a and q.b == b for q in out):
                continue  # pieces of one copy the sentence-level search found apart, snapped to its run: one passage
            out.append(_passage(a, b, "verbatim" if _same(pair, a, b) else "edited", max(ps.similarity, 0.95)))
        elif inside and exact >= p.trim_share:
            out.append(_trim_to_runs(pair, ps, inside, p))
        else:
            out.append(ps)
    def add_missed() -> None:
        for a, b in spans:
            if (a, b) in used or min(pair.ua.width(*a), pair.ub.width(*b)) < p.min_chars or any(
                    _overlaps(a, q.a) for q in keep_clear):
                continue
            over = [q for q in out if _overlaps(a, q.a)]
            weak = not any(q.similarity >= p.beside_verbatim_sim or _overlaps(b, q.b) for q in over)
            # A second copy on B of all of a verbatim passage's A side (X of XX): it was lost, and the result
            # depended on which text was A. (Of a part only: a source of repeated template lines gave a passage
            # for each of its lines' copies.)
            again = over and not any(_overlaps(b, q.b) for q in out) and _same(pair, a, b) and all(
                q.kind == "verbatim" and min(a[1], q.a[1]) - max(a[0], q.a[0]) >= p.again_share * (q.a[1] - q.a[0])
                for q in over)
            if weak or again:
                used.add((a, b))
                out.append(Passage(a, b, "verbatim" if _same(pair, a, b) else "edited", 1.0))

    add_missed()
    if any(q.similarity >= 0.95 and q.kind in ("verbatim", "edited") for q in out):
        out[:] = [q for q in out if q.similarity >= p.beside_verbatim_sim]
        add_missed()  # the copies a dropped passage kept out
    return sorted(out, key=lambda q: q.a)


def _one_copy(runs: list[_Run], a: Span, b: Span) -> list[_Run]:
    """The runs of a passage (A span ``a``, B span ``b``) that pair each stretch with one place on the other side:
    of two runs over one stretch of both sides (a text that repeats a paragraph pairs it with both places), the one
    more inside the passage. Snapped to both, a passage's sides no longer corresponded: A 1917-5520 with B
    3634-6314, its first 953 characters of A the repeat's (QA)."""
    def inner(r: _Run) -> int:
        return min(min(r[0][1], a[1]) - max(r[0][0], a[0]), min(r[1][1], b[1]) - max(r[1][0], b[0]))

    kept: list[_Run] = []
    for r in sorted(runs, key=inner, reverse=True):
        if not any(_overlaps(r[0], k[0]) and _overlaps(r[1], k[1]) for k in kept):
            kept.append(r)
    return kept


def _twice(pair: _Pair, runs: list[_Run], p: Params) -> list[_Run]:
    """The copies of a passage's runs when one side holds the other's text twice, side by side (XX of X, too short
    to lie on diagonals apart, `_crossing`): two runs of `min_chars` or more over one stretch of a side (sharing
    ``again_share`` of the shorter), no two over one stretch of both; snapped to all its runs, the passage paired
    both copies with the one (A 0-448 with B 0-223, "edited", similarity 1.0). Else none (a text that repeats
    itself at shifts has runs over one stretch of both sides: one copy of it became five passages)."""
    long = [r for r in runs if min(pair.ua.width(*r[0]), pair.ub.width(*r[1])) >= p.min_chars]
    pairs = [(x, y) for k, x in enumerate(long) for y in long[k + 1 :]]
    if any(_overlaps(x[0], y[0]) and _overlaps(x[1], y[1]) for x, y in pairs):
        return []
    twice = any(min(x[s][1], y[s][1]) - max(x[s][0], y[s][0]) >= p.again_share * min(x[s][1] - x[s][0],
                                                                                     y[s][1] - y[s][0])
                for x, y in pairs for s in (0, 1))
    return long if twice else []


def _overlaps(x: tuple[int, int], y: tuple[int, int]) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def _trim_to_runs(pair: _Pair, ps: Passage, runs: list[_Run], p: Params) -> Passage:
    """Cut the text before the first and after the last verbatim run of a passage from one side when the other
    side has (next to) nothing there: a neighbouring sentence taken in by the sentence-level search has no
    counterpart, while a reworded start or end has one on both sides."""
    (a0, a1), (b0, b1) = ps.a, ps.b
    if not _follow(runs, p):
        return ps  # shuffled or spread out: the runs do not say where a copy starts and ends
    ra0, rb0 = min(r[0][0] for r in runs), min(r[1][0] for r in runs)
    ra1, rb1 = max(r[0][1] for r in runs), max(r[1][1] for r in runs)
    lead_a, lead_b = max(0, ra0 - a0), max(0, rb0 - b0)
    trail_a, trail_b = max(0, a1 - ra1), max(0, b1 - rb1)
    if lead_a > p.trim_slack * lead_b + p.trim_least:
        a0 = ra0
    elif lead_b > p.trim_slack * lead_a + p.trim_least:
        b0 = rb0
    if trail_a > p.trim_slack * trail_b + p.trim_least:
        a1 = ra1
    elif trail_b > p.trim_slack * trail_a + p.trim_least:
        b1 = rb1
    if (a0, a1, b0, b1) == (*ps.a, *ps.b):
        return ps
    return _piece(pair, ps, (a0, a1), (b0, b1))


def _same(pair: _Pair, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans say the same word for word: their words (`_bare_words`), and the signs at their ends where
    both have one (a sign one side alone has is one `_open` or `_close` took in there)."""
    x, y = pair.ua.text[a[0] : a[1]].strip(), pair.ub.text[b[0] : b[1]].strip()
    if _bare_words(x) != _bare_words(y):
        return False
    for ex, ey in ((_signs(x), _signs(y)), (_signs(x[::-1]), _signs(y[::-1]))):
        if ex and ey and ex != ey:
            return False
    return True


def _signs(text: str) -> str:
    """The signs among the quotes and brackets that begin ``text``."""
    end = len(text) - len(text.lstrip(_OPENERS + _CLOSERS))
    return "".join(c for c in text[:end] if c in _SIGNS)


# --- kinds ------------------------------------------------------------------------------------------------


def _written_words(text: str) -> list[str]:
    """Words as written, punctuation attached, each read as `unspun.text.fold` reads it; Chinese and Japanese runs,
    written without spaces, by character."""
    out: list[str] = []
    for w in (text.replace("\u1361", " ") if "\u1361" in text else text).split():  # (Ethiopic's word separator)
        if w.isascii():
            out.append(w)
        elif has_cjk(w):
            out += WORD.findall(fold(w))
        else:
            out.append(fold(w))
    return out


def _kind(pair: _Pair, a: tuple[int, int], b: tuple[int, int], summary: bool) -> Kind:
    text_a, text_b = pair.ua.text[a[0] : a[1]], pair.ub.text[b[0] : b[1]]
    if _same(pair, a, b):  # as written: a copy in look-alike letters is edited, not verbatim
        return "verbatim"
    if summary:
        return "summary"
    ta, tb = _written_words(text_a), _written_words(text_b)
    # Share of word trigrams in common: high for edited copies, low for paraphrase and translation.
    ga = {tuple(ta[i : i + 3]) for i in range(len(ta) - 2)}
    gb = {tuple(tb[i : i + 3]) for i in range(len(tb) - 2)}
    overlap = len(ga & gb) / max(1, min(len(ga), len(gb)))
    return "edited" if overlap >= 0.5 else "paraphrase"


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


def _widen_to_sentences(pair: _Pair, passages: list[Passage], p: Params,
                        inserted: dict[str, list[tuple[int, int]]]) -> list[Passage]:
    """Reworded passages (paraphrase, summary, edited under 0.95) whose ends lie within ``p.edge_words`` words of
    their sentences' ends take those words in: `_refine` ends a passage at its last matched word, so an edited copy
    ended "...asked Vladimir Putin to" where its other side read "...asked Vladimir Putin to restore order." (the
    words "bring back order" were reworded). Not over another passage or an ``inserted`` run; its kind and
    similarity stay those of its matched stretch; in Chinese and Japanese a word is a character. Chosen on
    pan13-train (plagdet 03 / 04 / 05): 0.904 / 0.907 / 0.787 without; with paraphrases and summaries taken to their
    units' edges, 0.908 / 0.911 / 0.788 at 3 words, 0.913 / 0.917 / 0.789 at 10, 0.914 / 0.918 / 0.789 at 15, 0.909
    / 0.913 / 0.790 always; edited passages too, at 10: 03 +0.0005; to sentences' edges (a unit holds a short line
    beside its sentence, which a passage must not take in), with the dateline guard: 0.914 / 0.918 / 0.789; 02 and
    task 01 the same throughout."""
    out = []
    for i, q in enumerate(passages):
        if q.kind not in ("paraphrase", "summary", "edited") or q.similarity >= 0.95:  # (see `_to_sentence_edges`)
            out.append(q)
            continue
        others = passages[:i] + passages[i + 1:]
        a = _snap(pair.ua, q.a, p.edge_words, [x.a for x in others] + inserted["a"])
        b = _snap(pair.ub, q.b, p.edge_words, [x.b for x in others] + inserted["b"])
        out.append(replace(q, a=a, b=b))
    return out


def _dateline(word: str) -> bool:
    """Whether a word before a passage's start may be a dateline's or a scraper's date line's ("date 2022-01-21
    Kazakhstan began...", "LONDON (Reuters) -"): a number, or a word in capitals."""
    return any(c.isdigit() for c in word) or (len(word) > 1 and word.isupper())


def _snap(u: Units, span: tuple[int, int], most: int, others: list[tuple[int, int]]) -> tuple[int, int]:
    """``span`` moved out to the start of the sentence it starts in and the end of the one it ends in where at most
    ``most`` words lie beyond it there, and no span of ``others`` does. Sentences, not units: a unit holds a short
    line beside its sentence (a headline, "Advertisement", "Read more"), which a passage must not take in."""
    lo, hi = span
    units = u.overlapping(lo, hi)
    if not len(units):
        return span
    first, last = units.start, units.stop - 1
    in_first = sentences(u.text, *map(int, u.spans[first]))
    in_last = in_first if last == first else sentences(u.text, *map(int, u.spans[last]))  # (most: one unit)
    head = next((x for x in in_first if x.end > lo), None)
    tail = next((x for x in reversed(in_last) if x.start < hi), None)
    if head is not None:
        before = [t for t in u.unit_tokens(first) if head.start <= t.start < lo]
        if (before and len(before) <= most and not any(x0 < lo and x1 > head.start for x0, x1 in others)
                and not any(_dateline(u.text[t.start:t.end]) for t in before)):
            lo = _open(u.text, before[0].start)
    if tail is not None:
        after = [t for t in u.unit_tokens(last) if hi < t.end <= tail.end]
        if after and len(after) <= most and not any(x1 > hi and x0 < tail.end for x0, x1 in others):
            hi = _close(u.text, after[-1].end)
    return lo, hi


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
