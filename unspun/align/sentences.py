"""Passages taken to their sentences' edges: verbatim ones to where the copy's sentences end, reworded ones
over the few words their matched stretch left out.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import replace
from operator import attrgetter

from ..models import Passage
from ..text import sentences
from ..vectors import Units
from .base import Params, _passage, _unit_range
from .kinds import _kind
from .pair import _Pair
from .punctuation import _close, _ends_sentence, _open


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
