"""Text layer: sentences and words with their exact character offsets into the text as read.

Everything downstream (fingerprints, alignment, reports) works on these spans, so ``text[start:end]`` must
always be the reported piece. Offsets are Unicode code points, end exclusive.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import blingfire
import numpy as np
import Stemmer

# Chinese and Japanese are written without spaces between words: their ideographs and kana (and Korean's
# compatibility ideographs) are each a word of their own, so the word pairs that fingerprints and the aligner compare
# are the character bigrams that search engines index such text by. As one \w+ run, a whole clause was one "word",
# and even a paragraph copied verbatim between two Chinese articles went unseen.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
#: The full stops (and question mark) of other scripts, which blingfire ends no sentence at: Armenian's, Ethiopic's,
#: the dandas of Hindi and Bengali, Urdu's, Khmer's, Burmese's, and the Arabic question mark (`_SCRIPT_ENDS`;
#: `unspun.align` ends sentences and passages at them too).
SCRIPT_STOPS = "։።।॥۔؟។။"
# A word: a run of letters and digits, or one character of those scripts. Apostrophes split ("Beijing’s" ->
# "Beijing", "s") so that a possessive matches its noun; the pieces ("s", "t", "don") are function words.
# Characters a word may hold that are no letters: invisible ones (soft hyphen, zero-width space and joiners, word
# joiner, byte-order mark: what "plagiarism bypass" tools slip into words to split them for detectors), combining
# marks (a decomposed "é"; the vowel signs of Hindi and the other Indic scripts, without which "हिन्दी" was the
# three words "ह", "न", "द") and `_POINTS`. Words compare by their `fold`, which drops the invisible ones and the
# points. (Thai and the other scripts written without spaces stay cut at their marks, as before: kept whole, a
# clause would be one word.)
_INSIDE_3 = "\u00ad\u0300-\u036f\u200b-\u200f\u2060-\u2064\ufeff"  # (as cut version 3 had it)


def _marks(blocks: list[tuple[int, int]]) -> str:
    """The combining marks (Unicode categories Mn, Mc, Me) of ``blocks``, as ranges of a character class."""
    ranges: list[list[int]] = []
    for c in (c for lo, hi in blocks for c in range(lo, hi + 1)):
        if unicodedata.category(chr(c))[0] == "M":
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


#: Marks a word reads the same without, as search engines fold them: the vowel points of Arabic (and its Quranic
#: annotation signs) and Hebrew, which a fully pointed edition writes and the news does not (they split a word into
#: pieces); the Arabic tatweel, a letter stretched (justified text; a copy stretched all over hides from a detector
#: reading words as written); variation selectors and tags, invisible. NFKC first composes what has a composed form.
_POINTS = [(0x0591, 0x05BD), (0x05BF, 0x05BF), (0x05C1, 0x05C2), (0x05C4, 0x05C5), (0x05C7, 0x05C7),
           (0x0610, 0x061A), (0x0640, 0x0640), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06DC),
           (0x06DF, 0x06E4), (0x06E7, 0x06E8), (0x06EA, 0x06ED), (0xFE00, 0xFE0F), (0xE0000, 0xE007F),
           (0xE0100, 0xE01EF)]
_POINT_CLASS = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _POINTS)
#: Combining accents and the marks of the scripts from Hebrew to Sinhala (Arabic, Syriac, Devanagari, Bengali,
#: Tamil...), with the combining blocks of Latin, Greek and Cyrillic: a scan of 3,000 characters, once.
_INSIDE = _INSIDE_3 + _POINT_CLASS + _marks([(0x0300, 0x0DFF), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF),
                                            (0xFE20, 0xFE2F)])
WORD = re.compile(rf"[^\W{_CJK}]+(?:[{_INSIDE}]+[^\W{_CJK}]*)*|[{_CJK}]")
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_RANGES = [(ord(a), ord(b)) for a, b in re.findall(r"(.)-(.)", _CJK)]
_RUN = re.compile(rf"\w+(?:[{_INSIDE}]+\w*)*")
_FOLDABLE = re.compile(rf"[^\W\x00-\x7f]|[{_INSIDE}]")
# How cut version 3 (`unspun.fingerprints.CUT_VERSION`) cut words, which split them at most marks and read them
# with their points and tatweels: how a store made then holds a text that has them (`third_cut_tokens`); `_MARKED`,
# below, finds such a text.
_WORD_3 = re.compile(rf"[^\W{_CJK}]+(?:[{_INSIDE_3}]+[^\W{_CJK}]*)*|[{_CJK}]")
_RUN_3 = re.compile(rf"\w+(?:[{_INSIDE_3}]+\w*)*")
# Letters of Cyrillic and Greek (and a few Latin variants) drawn like Latin ones, as Unicode's confusables list
# pairs them: a copy with "а" (Cyrillic) for "a" reads the same and shares no word with its source. Each pair maps
# both cases alike (Cyrillic "В" looks like "B", its "в" is read as "b" too), so that reading a word and lower-casing
# it commute: "НЕТ" and "нет" stay one word. Letters whose two cases imitate different Latin letters (Greek "Ν"
# and "ν", "Υ" and "υ") are left out.
_LOOKALIKE_PAIRS = "аaвbсcԁdеeһhіiјjкkмmнhоoрpԛqѕsтtԝwхxуyүyɑaɡgıiαaβbεeζzηhιiκkμmοoρpτtχx"
_LOOKALIKES_3 = str.maketrans(  # (as cut version 3 read words)
    {**{src.lower(): dst for src, dst in zip(_LOOKALIKE_PAIRS[::2], _LOOKALIKE_PAIRS[1::2])},
     **{src.upper(): dst.upper() for src, dst in zip(_LOOKALIKE_PAIRS[::2], _LOOKALIKE_PAIRS[1::2])
        if src.upper() != src.lower()},
     **{c: None for c in "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"}})
#: Arabic letters written one way or another as a keyboard or a writer's habit has it, read as one, as search
#: engines fold them: Persian's yeh and keheh typed as Arabic's (or the other way round), alef with or without its
#: hamza or madda, alef maksura and yeh, teh marbuta and heh (a Persian text typed on an Arabic keyboard read as a
#: paraphrase of itself, 0.46; an Arabic one without hamzas lost its first word).
_ARABIC_VARIANTS = {"ی": "ي", "ى": "ي", "ک": "ك", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ۀ": "ه"}
_LOOKALIKES = {**_LOOKALIKES_3, **{c: None for a, b in _POINTS for c in range(a, b + 1)},
               **str.maketrans(_ARABIC_VARIANTS)}
#: What cut version 4 may read or split otherwise than 3 did: a mark it lets into a word, after a letter (one after
#: a symbol, the variation selector of "❤️", is in no word), a letter it reads as another, a presentation form that
#: NFKC makes a point or such a letter of (Hebrew's, Arabic's), a sentence end of `_SCRIPT_ENDS`.
_MARKED = re.compile(f"(?<=[\\w{_INSIDE}])(?![{_INSIDE_3}])[{_INSIDE}]"
                     f"|[{''.join(_ARABIC_VARIANTS)}\ufb1d-\ufb4e\ufb50-\ufdff\ufe70-\ufeff{SCRIPT_STOPS}\u0e00-\u0e7f]")
#: What one such character counts for in the lengths that thresholds in characters judge (a passage's least length,
#: "long" loose passages): a Chinese word is about two characters where an English one, with its space, is about six,
#: so 150 characters of English say about what 50 of Chinese do. An estimate, not tuned: there is no CJK test corpus.
CJK_WIDTH = 3
# Paragraph breaks and lines: headlines, bylines and datelines stand on lines of their own in news text.
_LINE = re.compile(r"[^\n\r]+")
# Sentences longer than this many characters are split further at clause punctuation so that alignment
# can still find the reused part of a run-on sentence (scraped pages glue link text into sentences).
MAX_SENTENCE_CHARS = 600
_CLAUSE = re.compile(r"[;:]\s+|,\s+(?=\S{3,})")

_ENGLISH_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves s t d ll m re ve don doesn didn isn
    wasn aren weren won can couldn shouldn wouldn
    also may might must shall upon us""".split()
)
STOPWORDS = _ENGLISH_STOPWORDS | frozenset(
    # Chinese particles, pronouns and the commonest function characters (one character is one word, above), and every
    # hiragana: Japanese writes its particles and endings in it, its content words mostly in kanji and katakana.
    "的了着过是在和与及也就都而之其这那个们把被对为以于从将等他她它我你并或但所此则即吗呢吧啊"
) | frozenset(chr(c) for c in range(0x3041, 0x30a0))


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


def fold(word: str) -> str:
    """A word as detectors should read it: compatibility forms made plain (full-width "Ｐｕｔｉｎ", ligatures,
    mathematical letters: NFKC, which also composes accents), invisible characters and Arabic and Hebrew points
    (`_POINTS`) dropped, Cyrillic and Greek look-alikes read as the Latin letters they imitate. Plain ASCII words,
    nearly all of English, are as given."""
    if word.isascii():
        return word
    # NFKC spells a few signs out in several words ("ﷺ"): a word stays one word (stems are stored space-separated).
    # A word of points or tatweels alone (a line of "ـــــ" between paragraphs) keeps them: no word is empty.
    word = unicodedata.normalize("NFKC", word)
    return "".join(word.translate(_LOOKALIKES).split()) or "".join(word.translate(_LOOKALIKES_3).split())


def _third_fold(word: str) -> str:
    """`fold` as cut version 3 read words: without `_POINTS` dropped."""
    if word.isascii():
        return word
    return "".join(unicodedata.normalize("NFKC", word).translate(_LOOKALIKES_3).split())


def _word(w: str) -> tuple[str, bool]:
    lower = fold(w).lower()
    x = (_stemmer().stemWord(lower), lower in STOPWORDS)
    if len(_WORD_CACHE) < 500_000:
        _WORD_CACHE[w] = x
    return x


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]`` with offsets into ``text`` (the inner loop of cutting every stored document a
    check verifies: one dictionary look-up a word, tuples made without the named tuple's constructor)."""
    out = []
    new, cache = tuple.__new__, _WORD_CACHE
    end = len(text) if end is None else end
    # Text without Chinese or Japanese (nearly all): the plain pattern, half again as fast as WORD's alternation.
    words = WORD if _CJK_CHAR.search(text, start, end) else _RUN
    for m in words.finditer(text, start, end):
        w = m.group()
        x = cache.get(w) or _word(w)
        out.append(new(Token, (*m.span(), *x)))
    return out


def first_cut_tokens(text: str) -> list[Token]:
    """Words as cut version 1 cut them (a run of word characters each, read as written, English function words):
    how a store made before cut versions were recorded fingerprinted a document, so that its postings can be found
    to remove it. Slow and seldom asked for (only of texts `cut_changed` since 1)."""
    out = []
    for m in _FIRST_CUT_WORD.finditer(text):
        lower = m.group().lower()
        out.append(Token(m.start(), m.end(), _stemmer().stemWord(lower), lower in _ENGLISH_STOPWORDS))
    return out


_FIRST_CUT_WORD = re.compile(r"\w+")


def third_cut_tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words of ``text[start:end]`` as cut version 3 cut them (`_WORD_3`, `_third_fold`): how a store made then
    fingerprinted a text with marks it split words at or points it read, so that its postings can be found to
    remove it. Seldom asked for (only of texts `cut_changed` since 3)."""
    out = []
    end = len(text) if end is None else end
    for m in (_WORD_3 if _CJK_CHAR.search(text, start, end) else _RUN_3).finditer(text, start, end):
        lower = _third_fold(m.group()).lower()
        out.append(Token(m.start(), m.end(), _stemmer().stemWord(lower), lower in STOPWORDS))
    return out


def cut_changed(text: str, since: int) -> bool:
    """Whether this version cuts ``text`` into other words than cut version ``since`` did (see
    `unspun.fingerprints.CUT_VERSION`): 2 cut Chinese and Japanese into characters, 3 reads words through `fold`,
    4 keeps `_POINTS` and Indic marks in their words, reads the words without the points and Arabic letters as one
    (`_ARABIC_VARIANTS`), and ends sentences at other scripts' full stops (`_SCRIPT_ENDS`). Plain ASCII text is cut
    as it always was."""
    if text.isascii():
        return False
    if since < 2 and has_cjk(text):
        return True
    if since < 3 and foldable(text) and any(not w.isascii() and fold(w) != w for w in WORD.findall(text)):
        return True
    if since >= 4 or _MARKED.search(text) is None:
        return False
    # A mark may leave the words as they were (a variation selector after an emoji): compared, a line at a time (no
    # word or sentence crosses a line end), up to the first that differs.
    for line in _LINE.finditer(text):
        s, e = line.span()
        if _MARKED.search(text, s, e) is not None and (tokens(text, s, e) != third_cut_tokens(text, s, e)
                                                       or sentences(text, s, e) != sentences(text, s, e, 3)):
            return True
    return False


def foldable(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether ``text[start:end]`` holds a word `fold` might read otherwise: a letter beyond ASCII, or an invisible
    character (English news, curly quotes and dashes aside, holds none: one scan, in C)."""
    return _FOLDABLE.search(text, start, len(text) if end is None else end) is not None


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese or Japanese character (one scan, in C)."""
    return _CJK_CHAR.search(text) is not None


def cjk_count(text: str, start: int, end: int) -> int:
    """How many Chinese or Japanese characters ``text[start:end]`` holds."""
    return sum(1 for _ in _CJK_CHAR.finditer(text, start, end))


def cjk_before(text: str) -> np.ndarray | None:
    """For each offset of ``text``, how many Chinese or Japanese characters come before it (None: the text has none,
    the common case, answered by one scan)."""
    if not has_cjk(text):
        return None
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk = np.zeros(len(points), dtype=bool)
    for lo, hi in _CJK_RANGES:
        cjk |= (points >= lo) & (points <= hi)
    out = np.zeros(len(points) + 1, dtype=np.int64)
    np.cumsum(cjk, out=out[1:])
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _split_long(text: str, start: int, end: int, word: re.Pattern = WORD) -> list[tuple[int, int]]:
    """Cut a run-on sentence at clause punctuation into pieces of at most about MAX_SENTENCE_CHARS (``word``: what a
    word is, for the windows of a piece without any: as the cut version asked for finds them)."""
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
            words = [m.start() for m in word.finditer(text, a, b)]
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


#: Where blingfire does not end a sentence: after the full stops of Armenian, Ethiopic, Hindi and Bengali (the
#: dandas), Urdu, Khmer and Burmese, and the Arabic question mark, when white space (or Ethiopic's word separator
#: "፡") follows; and between two Thai phrases, which Thai separates by a space alone. (A whole Armenian or Hindi
#: article was one sentence: a copied paragraph with three words changed in it went unseen.)
_SCRIPT_ENDS = re.compile(rf"(?<=[{SCRIPT_STOPS}])[\s\u1361]+|(?<=[\u0e00-\u0e7f])\s+(?=[\u0e00-\u0e7f])")
_SCRIPT_END_CHAR = re.compile(f"[{SCRIPT_STOPS}\u0e00-\u0e7f]")  # (a line without any: one scan, in C)


#: What a word is to each cut version `sentences` splits as (None: this one), and the words of the older cut
#: versions a store's text is cut into again to remove it (2 cut all but Chinese and Japanese as 1 did).
_CUT_WORDS = {None: WORD, 1: _FIRST_CUT_WORD, 3: _WORD_3}
OLDER_CUT_TOKENS = {1: first_cut_tokens, 3: third_cut_tokens}


def sentences(text: str, start: int = 0, end: int | None = None, cut: int | None = None) -> list[Sentence]:
    """Split ``text[start:end]`` into sentences with offsets into ``text``: each line is split on its own (headlines
    and bylines end at the line break even without a full stop), then by blingfire, whose abbreviation handling
    copes with "Jan.", "U.S.", quotes and initials, then where other scripts end a sentence (`_SCRIPT_ENDS`). ``cut``
    1 or 3: as that cut version split them, for a store it made (no `_SCRIPT_ENDS`; its words in long ones)."""
    word = _CUT_WORDS[cut]
    out: list[Sentence] = []
    for line in _LINE.finditer(text, start, len(text) if end is None else end):
        base = line.start()
        chunk = line.group()
        if not chunk.strip():
            continue
        split = cut is None and _SCRIPT_END_CHAR.search(chunk) is not None
        for s, e in _sentence_offsets(chunk):
            s, e = _strip(text, base + s, base + e)
            if e <= s:
                continue
            for piece in (_split_scripts(text, s, e) if split else [(s, e)]):
                for a, b in _split_long(text, *piece, word):
                    a, b = _strip(text, a, b)
                    if b > a:
                        out.append(Sentence(a, b))
    return out


def _split_scripts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut where `_SCRIPT_ENDS` ends a sentence, the white space there left out."""
    cuts = [m.span() for m in _SCRIPT_ENDS.finditer(text, start, end)]
    if not cuts:
        return [(start, end)]
    bounds = [start, *(x for span in cuts for x in span), end]
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
