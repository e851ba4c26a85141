"""Word-for-word runs: passages that are copies are bounded by their exact runs of words, and a text copied
twice is aligned with each copy.
"""

from __future__ import annotations

from ..models import Passage, Span
from ..text import Token
from ..vectors import Units
from .base import Params, _Case, _passage
from .inserted import _piece
from .kinds import _same
from .pair import _Pair
from .punctuation import _WORD_CHAR, _close, _ends_sentence, _open


def _copied(pair: _Pair, case: _Case, runs: list[_Run], p: Params) -> bool:
    """Whether a stretch of A is mostly one verbatim copy (its runs follow each other on B): a copy with stray
    matches around it, not a summary, although summaries quote a sentence here and there."""
    a = (int(pair.ua.spans[case.a[0], 0]), int(pair.ua.spans[case.a[1], 1]))
    inside = _runs_in(runs, a)
    return bool(inside) and _exact_share(inside, a) >= p.trim_share and _follow(inside, p)


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
