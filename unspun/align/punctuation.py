"""Where a passage may start and end: the punctuation, quotes, brackets, signs and sentence ends around words.
"""

from __future__ import annotations

import re
import unicodedata

from ..text import SCRIPT_STOPS


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


def _signs(text: str) -> str:
    """The signs among the quotes and brackets that begin ``text``."""
    end = len(text) - len(text.lstrip(_OPENERS + _CLOSERS))
    return "".join(c for c in text[:end] if c in _SIGNS)
