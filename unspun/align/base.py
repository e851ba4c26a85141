"""The aligner's settings (`Params`), what it returns (`Alignment`), and the cases and passages it builds on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UnspunError
from ..models import Kind, Passage
from ..vectors import Units


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


def _span_tokens(u: Units, lo: int, hi: int) -> tuple[int, int]:
    return int(u.tok_range[lo, 0]), int(u.tok_range[hi, 1])


def _passage(a: tuple[int, int], b: tuple[int, int], kind: Kind, similarity: float) -> Passage:
    """A passage; one copied word for word is of similarity 1.0, though the sentences it was scored on may reach
    beyond the words copied."""
    return Passage(a, b, kind, 1.0 if kind == "verbatim" else round(min(1.0, similarity), 4))


def _unit_range(u: Units, span: tuple[int, int]) -> tuple[int, int]:
    """The first and last (inclusive, as cases hold them) units that overlap a span of characters."""
    r = u.overlapping(*span)
    return r.start, max(r.start, r.stop - 1)
