"""Seed, extend, filter: unit pairs that share enough rare words (or, where the words differ, whose sentence
embeddings agree) grouped into cases; summaries; texts in two languages; each case's ends refined to its words.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..embed import encode, knows, reads, reads_all
from ..models import Passage
from ..text import Token
from ..vectors import column_sums, Units
from .base import Params, _Case, _span_tokens
from .pair import _Pair, _cos
from .punctuation import _close, _open


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
