"""What of the aligner's evidence names a stored document a source of the checked text: a close passage, or loose
ones that keep the source's order and stand out from the text around them (`convincing`); not boilerplate (common
phrasing around a source's own text), nor set text (a stretch many other stories match too), nor evidence that
stands only on the checked text's common phrasing (`stands_without`). `Index.check` asks these of each candidate
the aligner verified; retrieval (`unspun.retrieve`) decided which were worth verifying.
"""

from __future__ import annotations

import math

import numpy as np

from .align import Params, align_units, increasing
from .components import components
from .fingerprints import span_grams, span_stems
from .models import Passage, subtract
from .retrieve import RetrieveParams
from .text import WORD, has_cjk
from .vectors import Units, units


def boilerplate(passage, grams: np.ndarray, common: set[int], source_chars: int, query: Units,
                p: RetrieveParams) -> bool:
    """Whether a passage (with ``grams``, its query-side word pairs) is common phrasing around a source's own text
    (``query``: the checked text's units)."""
    if passage.b[1] - passage.b[0] >= p.boiler_source * source_chars:
        return False
    a, z = passage.a
    if z - a >= p.boiler_query * len(query.text) and query.width(a, z) >= p.min_reused_chars:
        return False
    if not len(grams):
        return True
    return sum(1 for h in grams.tolist() if h in common) > p.boiler_share * len(grams)


def convincing(passages: list, ua: Units, ub: Units, p: RetrieveParams, aligned: list | None = None) -> bool:
    """Whether the aligner's passages between the query (``ua``) and one candidate (``ub``), boilerplate left out,
    are evidence enough to name it a source: a close passage, or loose ones that keep the candidate's order
    (`order_z`) and, long but only partly in order, stand out from the query around them (`surroundings`); not
    paraphrase alone under ``p.min_paraphrase``.
    ``aligned``: all the pair's passages, boilerplate included (its text is neither evidence nor surroundings)."""
    if not passages:
        return False
    if any(x.similarity >= p.strong_similarity for x in passages):
        return True
    if all(x.kind == "paraphrase" and x.similarity < p.min_paraphrase for x in passages):
        return False
    long = sum(ua.width(*x.a) for x in passages) >= p.min_reused_chars
    z, shared = order_z(ua, ub, passages)
    if (long and shared < p.order_least) or z >= p.order_strong:
        return True
    if not long or z < p.order_min:
        return False
    around = surroundings(ua, ub, passages, p, aligned)
    return around is None or around <= p.blend_share


def surroundings(ua: Units, ub: Units, passages: list, p: RetrieveParams, aligned: list | None = None
                 ) -> float | None:
    """The share of the query's content words around ``passages`` (``p.flank_chars`` before the first and after
    the last, or as far as the passages reach if farther; the text of any ``aligned`` passage left out) that the
    candidate holds in its own text around them (as far on each side): a text on the candidate's topic uses its
    words there, a pasted copy sits among its host's (the candidate's whole text would hold more of any query the
    longer it is: a 40,000-character source held 45% of an unrelated host's words). None where the passages span
    more than ``p.flank_least`` of the query or leave under ``p.flank_words`` words around them (a query that is
    mostly one source's rewording has no text of its own to tell by: the rest of a heavily revised copy is
    reworded too, further than the aligner follows), or in Chinese or Japanese, where every character is a
    word and any two texts share many (not measured there)."""
    a0, a1 = min(x.a[0] for x in passages), max(x.a[1] for x in passages)
    if a1 - a0 > p.flank_least * len(ua.text):
        return None
    reach = max(a1 - a0, p.flank_chars)
    flanks = subtract([(max(0, a0 - reach), a0), (a1, min(len(ua.text), a1 + reach))],
                      [x.a for x in (aligned or passages)])
    b0, b1 = min(x.b[0] for x in passages), max(x.b[1] for x in passages)
    reach_b = max(b1 - b0, p.flank_chars)
    b0, b1 = max(0, b0 - reach_b), min(len(ub.text), b1 + reach_b)
    if any(has_cjk(ua.text[s:e]) for s, e in flanks) or has_cjk(ub.text[b0:b1]):
        return None
    around = [w for s, e in flanks for w in span_stems(ua, s, e)]
    if len(around) < p.flank_words:
        return None
    held = set(span_stems(ub, b0, b1))
    return sum(w in held for w in around) / len(around)


def order_z(ua: Units, ub: Units, passages: list) -> tuple[float, int]:
    """How far the content words that the passages' two sides share keep their order, and how many they are: the
    longest run of them in the same order on both sides, in deviations above that of a random permutation of as
    many words (the asymptotic mean 2√n - 1.77·n^(1/6) and deviation 0.90·n^(1/6) of Baik, Deift and Johansson,
    1999: a yardstick, not an exact probability; for n under ~30 the true mean is about half a deviation higher,
    and the thresholds were chosen on data)."""
    a = [s for x in passages for s in span_stems(ua, *x.a)]
    first: dict[str, int] = {}
    for i, s in enumerate(s for x in passages for s in span_stems(ub, *x.b)):
        first.setdefault(s, i)
    seen: set[str] = set()
    seq = [first[s] for s in a if s in first and not (s in seen or seen.add(s))]
    if not seq:
        return -math.inf, 0
    n = len(seq)
    longest = len(increasing(list(enumerate(seq))))
    return (longest - (2 * math.sqrt(n) - 1.77 * n ** (1 / 6))) / (0.90 * n ** (1 / 6)), n


#: Copies of one story (`stories`): texts with at least this share (Jaccard) of their word n-grams in common...
STORY_JACCARD = 0.5
#: ...n words long (5, as deduplication tools shingle).
STORY_WORDS = 5


def _same_stretch(x: Passage, y: Passage) -> bool:
    """Whether another source's passage ``y`` matches the stretch of the checked text that ``x`` covers: 80% of
    the shorter in common on the checked text, and, for a loose passage, at most twice as long (a template's
    matches vary a little at their ends; a loose passage twice as long or more is a topical neighbour's around
    the stretch, while a copy that holds the stretch and more holds the same words)."""
    (x0, x1), (y0, y1) = x.a, y.a
    shorter, longer = sorted((x1 - x0, y1 - y0))
    if min(x1, y1) - max(x0, y0) < 0.8 * max(1, shorter):
        return False
    return longer <= 2 * shorter or y.kind in ("verbatim", "edited")


def set_text(evidence: list[list[Passage]], source_chars: list[int], p: RetrieveParams, query: Units | None = None,
             texts: list[str] | None = None) -> list[bool]:
    """For each verified source (its evidence passages, its text's length): whether all its evidence is set text,
    i.e. short stretches of the query that at least ``set_text_sources`` other stories match as well
    (`_same_stretch`: a topical neighbour's loose paraphrase around a pasted paragraph is no match of it), each
    covering little of its source. A sentence held by four or more stored documents says nothing of where this one
    came from; a story syndicated in full covers most of each copy, a long passage is evidence wherever else it
    appears too, and copies of one story (``texts``: the sources' texts, `stories`) count once: a paragraph pasted
    from a wire story stored on five sites is no template. ``query``: the checked text's units, to measure its
    stretches as `Units.width` does."""
    if p.set_text_sources is None:
        return [False] * len(evidence)
    candidate = []
    for i, passages in enumerate(evidence):
        width = sum(query.width(*x.a) if query is not None else x.a[1] - x.a[0] for x in passages)
        small = sum(x.b[1] - x.b[0] for x in passages) < p.boiler_source * source_chars[i]
        candidate.append(width < p.min_reused_chars and small)
    if not any(candidate):
        return candidate
    story = stories(texts) if texts is not None else list(range(len(evidence)))
    return [c and all(len({story[j] for j, other in enumerate(evidence) if story[j] != story[i]
                           and any(_same_stretch(x, y) for y in other)}) >= p.set_text_sources for x in passages)
            for i, (c, passages) in enumerate(zip(candidate, evidence))]


def stories(texts: list[str]) -> list[int]:
    """For each text, the story it tells: the index of the first text it is a copy of, directly or through others
    (at least `STORY_JACCARD` of their word `STORY_WORDS`-grams in common, as deduplication tools judge copies), its
    own index otherwise."""
    shingles = []
    for t in texts:
        w = WORD.findall(t.lower())
        shingles.append({hash(tuple(w[k : k + STORY_WORDS])) for k in range(max(1, len(w) - STORY_WORDS + 1))})
    copies = []
    for i in range(len(texts)):
        for j in range(i):
            x, y = len(shingles[i]), len(shingles[j])
            if min(x, y) < STORY_JACCARD * max(x, y):  # (too unlike in size)
                continue
            inter = len(shingles[i] & shingles[j])
            if inter >= STORY_JACCARD * (x + y - inter):
                copies.append((i, j))
    return components(len(texts), copies)


#: A unit is common phrasing (`CommonUnits`) only with this many word pairs at least: a sentence of a promo or a
#: disclaimer, not a fragment whose few pairs are common by chance (on pan13-train, with fragments such as "Crosby,
#: Stills, Nash & Young" or "You be earning $10,000 or $20,000 time?" blanked inside long passages, the rest aligned
#: otherwise: 8 sources lost, 1 listed; 2 with this floor, none listed; the promo's sentences hold 29 and 51).
MIN_COMMON_GRAMS = 12


class CommonUnits:
    """Which units of the query are common phrasing: at least `MIN_COMMON_GRAMS` word pairs, more than
    ``p.boiler_share`` of them common in the store (`Retrieved.common`), as a boilerplate passage's are. Each unit
    is read once it is asked of: the units inside a source's evidence, not all of the query's."""

    def __init__(self, uq: Units, common: set[int], p: RetrieveParams) -> None:
        self.uq, self.common, self.share = uq, common, p.boiler_share
        self.known: dict[int, bool] = {}

    def __getitem__(self, i: int) -> bool:
        if i not in self.known:
            grams = span_grams(self.uq, *self.uq.spans[i].tolist()).tolist() if self.common else []
            self.known[i] = (len(grams) >= MIN_COMMON_GRAMS
                             and sum(h in self.common for h in grams) > self.share * len(grams))
        return self.known[i]


def stands_without(evidence: list, common: CommonUnits, uq: Units, ub: Units, params: Params,
                    p: RetrieveParams) -> bool:
    """Whether a candidate's evidence is evidence without the query's common phrasing inside it (`CommonUnits`).
    A site's newsletter promo inside each of its articles drew the aligner on through the words around it, on the
    topic they share, into one long passage: a few common pairs among many, no boilerplate passage, and two of the
    site's stories named copies of each other (of 150 pages, 8 named 11 sources; QA). Where common units and others
    share the evidence, the query without the common ones is aligned again, and must be convincing on its own. Where
    the common ones are most of the evidence (by their characters), `boilerplate` has judged it: a story stored
    many times over, its own words common, is evidence as it is."""
    inside = sorted({i for x in evidence for i in uq.overlapping(*x.a)})
    flagged = [i for i in inside if common[i]]
    widths = uq.spans[:, 1] - uq.spans[:, 0]
    if not flagged or widths[flagged].sum() > widths[inside].sum() - widths[flagged].sum():
        return True
    # Blanked, not left out: the aligner reads the text around its units too (a verbatim run grows over it). The
    # common units outside the evidence stay: their passages, if any, are judged as any other.
    text = list(uq.text)
    for s, e in uq.spans[flagged].tolist():
        text[s:e] = " " * (e - s)
    rest = units("".join(text))
    return convincing(align_units(rest, ub, params).evidence, rest, ub, p)
