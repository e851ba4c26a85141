"""Runs of text inserted into one side of a passage with no counterpart in the other (link debris, ads,
datelines), found and cut out, so that a passage holds reused text only.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np

from ..embed import encode, reads
from ..models import Passage, Span
from ..text import Token
from .base import Params, _passage, _unit_range
from .kinds import _kind
from .pair import _Pair
from .punctuation import _close, _open


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


def _piece(pair: _Pair, ps: Passage, a: tuple[int, int], b: tuple[int, int]) -> Passage:
    """A piece of passage ``ps`` (cut around inserted text, or trimmed) with its own kind and similarity, not the
    whole's: the pieces of one passage read the same, however differently each was reworded, and a trimmed copy
    word for word read 'verbatim 0.65'. A piece of a copy word for word (similarity 0.95 or more) keeps the
    copy's similarity."""
    kind = _kind(pair, a, b, False)
    if kind == "verbatim" or (ps.kind in ("verbatim", "edited") and ps.similarity >= 0.95):
        return _passage(a, b, kind, ps.similarity)
    return _passage(a, b, kind, pair.frag_sim(_unit_range(pair.ua, a), _unit_range(pair.ub, b)))
