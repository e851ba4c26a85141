"""Text layer: sentences and words with their exact character offsets into the text as read.

Everything downstream (fingerprints, alignment, reports) works on these spans, so ``text[start:end]`` must
always be the reported piece. Offsets are Unicode code points, end exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import blingfire
import Stemmer

# A word: a run of letters and digits. Apostrophes split ("Beijing’s" -> "Beijing", "s") so that a possessive
# matches its noun; the pieces ("s", "t", "don") are function words.
_WORD = re.compile(r"\w+", re.UNICODE)
# Paragraph breaks and lines: headlines, bylines and datelines stand on lines of their own in news text.
_LINE = re.compile(r"[^\n\r]+")
# Sentences longer than this many characters are split further at clause punctuation so that alignment
# can still find the reused part of a run-on sentence (scraped pages glue link text into sentences).
MAX_SENTENCE_CHARS = 600
_CLAUSE = re.compile(r"[;:]\s+|,\s+(?=\S{3,})")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves s t d ll m re ve don doesn didn isn
    wasn aren weren won can couldn shouldn wouldn
    also may might must shall upon us""".split()
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or clause of a very long one) as a span of the document's text."""

    start: int
    end: int


class Token(NamedTuple):
    """A word: its span, its stem (the unit of lexical matching) and whether it is a function word. A named tuple:
    documents hold hundreds of thousands of them, and a tuple is the cheapest object Python builds."""

    start: int
    end: int
    stem: str
    stop: bool


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


#: A word as written -> (its lower-cased Snowball stem, whether it is a function word): documents repeat their words
#: many times, and `tokens` asks both of each, in one look-up.
_WORD_CACHE: dict[str, tuple[str, bool]] = {}


def _word(w: str) -> tuple[str, bool]:
    lower = w.lower()
    x = (_stemmer().stemWord(lower), lower in STOPWORDS)
    if len(_WORD_CACHE) < 500_000:
        _WORD_CACHE[w] = x
    return x


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]`` with offsets into ``text`` (the inner loop of cutting every stored document a
    check verifies: one dictionary look-up a word, tuples made without the named tuple's constructor)."""
    out = []
    new, cache = tuple.__new__, _WORD_CACHE
    for m in _WORD.finditer(text, start, len(text) if end is None else end):
        w = m.group()
        x = cache.get(w) or _word(w)
        out.append(new(Token, (*m.span(), *x)))
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a run-on sentence at clause punctuation into pieces of at most about MAX_SENTENCE_CHARS."""
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)]
    cuts = [m.end() for m in _CLAUSE.finditer(text, start, end)]
    pieces, piece_start, last_cut = [], start, start
    for cut in cuts + [end]:
        if cut - piece_start > MAX_SENTENCE_CHARS and last_cut > piece_start:
            pieces.append((piece_start, last_cut))
            piece_start = last_cut
        last_cut = cut
    pieces.append((piece_start, end))
    out = []
    for a, b in pieces:
        # No clause punctuation at all: fall back to fixed word windows so nothing grows unbounded.
        if b - a > 2 * MAX_SENTENCE_CHARS:
            words = [m.start() for m in _WORD.finditer(text, a, b)]
            step = 60
            bounds = [a] + words[step::step] + [b]
            out.extend((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1))
        else:
            out.append((a, b))
    return out


def _sentence_offsets(line: str) -> list[tuple[int, int]]:
    """blingfire's sentence bounds in one line. Its offsets call maps bytes to characters in Python, the costliest
    step of indexing; its plain call is C only, so sentences are located by search and the offsets call is kept
    for the rare line whose sentences blingfire rewrote."""
    out, pos = [], 0
    for sent in blingfire.text_to_sentences(line).split("\n"):
        at = line.find(sent, pos)
        if not sent or at < 0:
            return blingfire.text_to_sentences_and_offsets(line)[1]
        out.append((at, at + len(sent)))
        pos = at + len(sent)
    return out


def sentences(text: str) -> list[Sentence]:
    """Split into sentences with offsets: each line is split on its own (headlines and bylines end at the line
    break even without a full stop), then by blingfire, whose abbreviation handling copes with "Jan.", "U.S.",
    quotes and initials."""
    out: list[Sentence] = []
    for line in _LINE.finditer(text):
        base = line.start()
        chunk = line.group()
        if not chunk.strip():
            continue
        for s, e in _sentence_offsets(chunk):
            s, e = _strip(text, base + s, base + e)
            if e <= s:
                continue
            for a, b in _split_long(text, s, e):
                a, b = _strip(text, a, b)
                if b > a:
                    out.append(Sentence(a, b))
    return out
