"""Judging an alignment: how much of each side is reused, and which side is the likely source, with reasons.

The direction of copying is only claimed on evidence a person can check: publication dates (metadata, or a date
written in the text of one side), and text that sits inside reused passages on one side only, such as the link
debris, ads and datelines a scraper glues into its copy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import lru_cache

import numpy as np

from .align import Alignment
from .align.punctuation import FULL_WIDTH_ENDS, SENTENCE_ENDS
from .dates import before, span
from .models import Comparison, Document, Side
from .text import WORD, fold, foldable, has_cjk
from .wording import counted

_DATE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
#: Inserted text inside reused passages that points to the copy: at least this many characters on one side...
MIN_INSERTED_CHARS = 80
#: ...and this many times more than on the other side.
INSERTED_RATIO = 3.0


#: Words written in disguise inside reused passages (see `_disguised`) that point to the copy: at least this many on
#: one side, and this many times more than on the other.
MIN_DISGUISED_WORDS = 3
DISGUISED_RATIO = 3.0


#: Every code point for which ``str.isspace`` is true (Unicode White_Space and the ASCII separators); the last is
#: U+3000, so the search stops there (the whole of Unicode cost 0.1 s at every start of the CLI).
_SPACES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)


def coverage(text: str, spans: list[tuple[int, int]]) -> float:
    """Share of the non-space characters of ``text`` inside the union of ``spans``: those of the spans' text, over
    the whole text's, kept from the call before (a long text is judged against each of its sources: its whole mask,
    made each time, was most of a check of a 30 MB text)."""
    total = _solid_total(text)
    if total == 0:
        return 0.0
    union, reach = [], 0
    for s, e in sorted(spans):
        s = max(s, reach)
        if e > s:
            union.append(text[s:e])
            reach = e
    return _solid("".join(union)) / total


def weighted_share(text: str, spans: list[tuple[tuple[int, int], float]]) -> float:
    """Share of the non-space characters of ``text`` inside ``spans``, each weighed (its similarity), at most 1:
    counted as `coverage` counts, so that a copy whose text ends in blank lines scores what it covers."""
    total = _solid_total(text)
    if total == 0:
        return 0.0
    return min(1.0, sum(w * _solid(text[s:e]) for (s, e), w in spans) / total)


@lru_cache(maxsize=2)
def _solid_total(text: str) -> int:
    """`_solid` of a whole text, kept for the next call (the same text is judged against each of its sources)."""
    return _solid(text)


#: Whether each code point up to U+3000 is white space (all of them that are, `_SPACES`); any above is not.
_IS_SPACE = np.zeros(0x3002, dtype=bool)
_IS_SPACE[_SPACES] = True


def _solid(text: str) -> int:
    """Non-space characters of ``text`` (numpy over code points: called for both sides of every pair, it was a
    tenth of `eval pan`'s time as a Python loop)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return len(points) - int(_IS_SPACE[np.minimum(points, 0x3001)].sum())


@lru_cache(maxsize=2)
def _dates(text: str) -> tuple[date, ...]:
    """The ISO dates written in ``text``, kept for the next call (as `coverage`'s count: a long text's were read
    again for each of its sources)."""
    out = []
    for m in _DATE.finditer(text):
        try:
            out.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            continue
    return tuple(out)


@lru_cache(maxsize=4)
def _written_in(text: str, d: date) -> bool:
    """Whether ``text`` gives the day ``d`` as people write it ("January 21, 2022", "21 Jan. 2022", "1/21/2022",
    "21.01.2022"): a scraper's ISO date line says the copy carries a date the original lacks only when the original
    does not give that day in its own words."""
    month = rf"(?:{d.strftime('%B')}|{d.strftime('%b')}\.?)"
    day = rf"0?{d.day}(?:st|nd|rd|th)?"
    m = rf"0?{d.month}"
    forms = (rf"{month}\s+{day},?\s+{d.year}", rf"{day}\s+(?:of\s+)?{month},?\s+{d.year}",
             rf"{m}/0?{d.day}/{d.year}", rf"0?{d.day}[./]{m}[./]{d.year}", rf"{d.year}/{m}/0?{d.day}")
    return re.search(rf"\b(?:{'|'.join(forms)})\b", text, re.IGNORECASE) is not None


#: Invisible characters no text needs inside a word (a soft hyphen, kept by some sites' hyphenation, and the
#: direction marks of right-to-left text are left out): zero-width space, word joiner, byte order mark; and
#: (`_JOINERS`) the zero-width joiner and non-joiner, variation selectors and tags, which Persian, Hindi or Bengali
#: spell with ("می‌شود", "র‍্যাব"), or Burmese, and Latin, Cyrillic and Greek words never need.
_HIDDEN = frozenset("\u200b\u2060\ufeff")
_JOINERS = frozenset("\u200c\u200d" + "".join(map(chr, [*range(0xFE00, 0xFE10), *range(0xE0000, 0xE0080),
                                                        *range(0xE0100, 0xE01F0)])))
_FULL_WIDTH_LATIN = re.compile("[\uff21-\uff3a\uff41-\uff5a]")
#: Latin "i" typed for the Ukrainian and Belarusian "і" is a keyboard habit, not a disguise: it mixes no script.
_ONE_LETTER = frozenset("iI")


def _disguise(word: str, cjk: bool) -> str | None:
    """The word ``word`` disguises (as `unspun.text.fold` reads it, lower-cased), or None: a word of three letters
    or more, mixing Latin letters with Cyrillic or Greek ones (look-alikes of either script in the other: "еxample",
    "пpимep"), or holding an invisible character, or written in full-width forms outside Chinese and Japanese text
    (whose house style writes them). A word wholly of one script is none, however it reads (Russian "Не" is "he",
    French "café" mixes no script); scripts are read after NFKC, which makes the micro sign of "µSv" the Greek mu of
    "μSv", so two spellings of one letter are one."""
    if word.isascii():
        return None
    f = fold(word).lower()
    if sum(c.isalpha() for c in f) < 3:
        return None
    scripts = {unicodedata.name(c, "").partition(" ")[0]
               for c in unicodedata.normalize("NFKC", word) if c.isalpha() and c not in _ONE_LETTER}
    if ("LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}) or _HIDDEN.intersection(word):
        return f
    if _JOINERS.intersection(word) and scripts and scripts <= {"LATIN", "CYRILLIC", "GREEK"}:
        return f
    return f if not cjk and _FULL_WIDTH_LATIN.search(word) else None


def _disguised(mine: str, theirs: str, passages: list[tuple[tuple[int, int], tuple[int, int]]]) -> int:
    """How many words of ``mine``'s side of the passages are disguised forms (`_disguise`) of words ``theirs``
    writes plainly there. Tools made to slip copies past detectors write so; an author has no reason to."""
    count = 0
    for (ms, me), (ts, te) in passages:
        if not foldable(mine, ms, me):
            continue
        cjk, their_cjk = has_cjk(mine[ms:me]), has_cjk(theirs[ts:te])
        plain = {fold(w).lower() for w in WORD.findall(theirs, ts, te) if _disguise(w, their_cjk) is None}
        count += sum(1 for w in WORD.findall(mine, ms, me) if (f := _disguise(w, cjk)) is not None and f in plain)
    return count


#: The closing quotes and brackets that may follow a sentence's end, and the opening ones that may begin the next.
_CLOSING = "\"'”’»)]」』）"
_OPENING = "\"'“‘„«‹([「『（"


def _begins(text: str, start: int) -> bool:
    """Whether ``text[start:]`` begins the text, a line, or a sentence after another's end and white space (a quote or
    bracket opening it)."""
    i = start
    while i > 0 and text[i - 1] in _OPENING:
        i -= 1
    opened = i
    while i > 0 and text[i - 1].isspace():
        i -= 1
    gap = text[i:opened]
    while i > 0 and text[i - 1] in _CLOSING:
        i -= 1
    return i == 0 or "\n" in gap or (text[i - 1] in SENTENCE_ENDS and (gap != "" or text[i - 1] in FULL_WIDTH_ENDS))


def _whole_sentences(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is whole sentences: it begins the text, a line, or a sentence (`_begins`), and it
    ends one. Sentences one side has inside a reused passage and the other lacks may be what a copier added or what a
    sub-editor cut from the copy (wire copy is trimmed to fit): no evidence of direction. Link debris glued into a
    sentence ("Vladimir Vladimirovich PutinIran announces … MORE", or "…on Tuesday.Read more: …"), an ad line without
    a full stop, a dateline before a sentence's first word are not whole sentences."""
    return _begins(text, start) and _ends(text, start, end, lambda i: text[i] in SENTENCE_ENDS)


def _ends(text: str, start: int, end: int, is_end: Callable[[int], bool]) -> bool:
    """Whether run ``text[start:end]`` ends a sentence: the mark ending it, or the one just after it, closing quotes
    and brackets aside, is an end (``is_end`` of its index)."""
    j = end
    while j > start and text[j - 1] in _CLOSING:
        j -= 1
    k = end
    while k < len(text) and text[k] in _CLOSING:
        k += 1
    return (j > start and is_end(j - 1)) or (k < len(text) and is_end(k))


#: End marks that end a sentence inside a run of inserted text ("…" elides)...
_MARKS = SENTENCE_ENDS.replace("…", "")
#: ...followed by closing quotes or brackets (TeX's "$" and "}" too) and white space: where the next sentence begins.
_END_INSIDE = re.compile(rf"([{re.escape(_MARKS)}])[{re.escape(_CLOSING)}$}}]*\s+")


def _ends_here(text: str, i: int) -> bool:
    """Whether the end mark ``text[i]`` ends a sentence: not the point of an initial or an abbreviation ("U.S.",
    "Dr.", "Jan.") nor one after a word in capitals ("MORE."), as link debris and headlines hold them."""
    if text[i] not in _MARKS:
        return False
    w = i
    while w > 0 and text[w - 1].isalpha():
        w -= 1
    word = text[w:i]
    if not word:  # after a number, a bracket, a formula: no abbreviation
        return True
    return len(word) >= 2 and not word.isupper() and not (word[0].isupper() and len(word) <= 3)


#: The marks that set an aside off inside a sentence, each with those that may close it.
_ASIDES = {",": ",;", "-": "-", "–": "–", "—": "—", "(": ")", "[": "]"}


def _aside(text: str, start: int, end: int) -> bool:
    """Whether run ``text[start:end]`` is an aside of three words or more set off inside a sentence by commas, dashes
    or brackets (its own first and last marks, or those just outside it): a relative clause or an apposition a
    sub-editor cut from a copy ("Portman, who has been nominated for … Closer, joins" against "Portman joins"), which
    made the original the side with text inserted, and so the copy (QA: 3 of 8 such cuts of BBC articles)."""
    i, j = start, end
    while i < j and text[i].isspace():
        i += 1
    while j > i and text[j - 1].isspace():
        j -= 1
    if i == j:
        return False
    if text[i] in _ASIDES:
        opener, i = text[i], i + 1
    else:
        k = start
        while k > 0 and text[k - 1].isspace():
            k -= 1
        opener = text[k - 1] if k > 0 else ""
    if opener not in _ASIDES:
        return False
    if text[j - 1] in _ASIDES[opener]:
        j -= 1
    else:
        k = end
        while k < len(text) and text[k].isspace():
            k += 1
        if k == len(text) or text[k] not in _ASIDES[opener]:
            return False
    return len(WORD.findall(text, i, j)) >= 3


def _prose(text: str, start: int, end: int) -> bool:
    """Whether run ``text[start:end]`` is prose that names no side: whole sentences (`_whole_sentences`), a run that
    ends a sentence, one that holds a whole sentence of three words or more, or an aside (`_aside`). A rewrite cuts
    and adds clauses and sentences as a copier adds debris, and the text a rewrite dropped reads as inserted into
    the original (an LLM's paraphrase of an arXiv paper, PAN 2025's sample, and a student's heavy revision of a
    Wikipedia article, Clough and Stevenson's, were named the sources of their originals). Debris reads otherwise: link text and headlines
    glued into a sentence ("Vladimir Vladimirovich PutinIran announces naval exercises … MORE to restore order",
    "U.S. Senate passes bill"), an ad line, a dateline."""
    if (_whole_sentences(text, start, end) or _ends(text, start, end, lambda i: _ends_here(text, i))
            or _aside(text, start, end)):
        return True
    cuts = [m.end() for m in _END_INSIDE.finditer(text, start, end) if _ends_here(text, m.start(1))]
    opened = [start] if _begins(text, start) else []
    return any(len(WORD.findall(text, a, b)) >= 3 for a, b in zip(opened + cuts, cuts if opened else cuts[1:]))


def _direction(a: Document, b: Document, al: Alignment) -> tuple[Side | None, list[str], Side | None, list[str]]:
    """The likely source and its evidence; then the same from the texts alone, without the dates' vote and line
    (what `check` orders sources by where their dates tie)."""
    evidence: list[str] = []
    votes: dict[Side, int] = {"a": 0, "b": 0}
    ta, tb = span(a.published), span(b.published)
    first: Side | None = None
    if ta is not None and tb is not None:
        first = "a" if before(ta, tb) else "b" if before(tb, ta) else None
    if first is not None:
        votes[first] += 2
        early, late = (a.published, b.published) if first == "a" else (b.published, a.published)
        evidence.append(f"{first.upper()} was published first ({early} vs {late}, from metadata)")
    inserted = {"a": (a.text, al.inserted_a), "b": (b.text, al.inserted_b)}
    debris = {side: [r for r in runs if not _prose(text, *r)] for side, (text, runs) in inserted.items()}
    chars = {side: sum(e - s for s, e in runs) for side, runs in debris.items()}
    for side, other in (("a", "b"), ("b", "a")):
        mine, theirs = chars[side], chars[other]
        sentences = sum(e - s for s, e in inserted[side][1]) - mine
        if mine >= MIN_INSERTED_CHARS and mine >= INSERTED_RATIO * max(theirs, 1):
            votes[other] += 1
            evidence.append(
                f"{side.upper()} has {mine} characters in {counted(len(debris[side]), 'run')} inserted into the "
                f"reused text with no counterpart in {other.upper()} (link debris, ads or datelines a copier adds), so "
                f"{side.upper()} looks like a copy and {other.upper()} like the source (or a cleaner copy of the "
                "same original)"
            )
        elif sentences >= MIN_INSERTED_CHARS:
            evidence.append(
                f"{side.upper()} has {sentences} characters of whole sentences or sentences' ends within the reused "
                f"text that {other.upper()} lacks: sentences a copier adds and sentences an editor or a rewrite trims "
                "from a copy look alike, so they name no side"
            )
    if min(chars.values()) >= MIN_INSERTED_CHARS and not any(
            chars[x] >= INSERTED_RATIO * chars[y] for x, y in (("a", "b"), ("b", "a"))):
        # Two farm copies of one original, each with its own debris: "no evidence of direction" hid that both are.
        evidence.append(f"A and B each have runs inserted into the reused text with no counterpart in the other "
                        f"(A {chars['a']} characters, B {chars['b']}): both look like copies, of each other or of a "
                        "third text, so they name no side")
    spans = [(p.a, p.b) for p in al.passages]
    dis_a, dis_b = _disguised(a.text, b.text, spans), _disguised(b.text, a.text, [(y, x) for x, y in spans])
    for side, mine, theirs in (("a", dis_a, dis_b), ("b", dis_b, dis_a)):
        if mine >= MIN_DISGUISED_WORDS and mine >= DISGUISED_RATIO * theirs:
            other = "b" if side == "a" else "a"
            votes[other] += 1
            evidence.append(
                f"{side.upper()} writes {mine} words of the reused passages in disguise (look-alike letters of another "
                f"script, invisible characters or full-width forms) that {other.upper()} writes plainly, as tools "
                f"made to slip a copy past detectors do, so {other.upper()} looks like the source"
            )
    da, db = _dates(a.text), _dates(b.text)
    if da and not db and not _written_in(b.text, min(da)):
        evidence.append(f"A carries a date in its text ({min(da).isoformat()}) that B lacks: a scraper's date line, "
                        "or the original's own, so it names no side")
    elif db and not da and not _written_in(a.text, min(db)):
        evidence.append(f"B carries a date in its text ({min(db).isoformat()}) that A lacks: a scraper's date line, "
                        "or the original's own, so it names no side")
    texts = {side: n - 2 * (side == first) for side, n in votes.items()}  # the dates' vote, and line, come first
    disagree = []
    if first is not None and (by_text := _winner(texts)) not in (None, first):
        # Both were said, each on its own line, and nothing said they disagree (QA): a copy dated before its original
        # is a wrong date or an original republished with debris, and a reader should weigh which.
        outcome = "the dates decide" if _winner(votes) == first else "so neither is named"
        disagree.append(f"the dates and the texts disagree: the dates name {first.upper()}, the texts "
                        f"{by_text.upper()} the source; {outcome} (a date may be wrong: a re-crawl's, an import's)")
    # A date given that reads as none would vanish without a word, as if the texts alone had been weighed (QA;
    # `check` says so of the checked document's).
    unread = [f"{side.upper()}'s published {given!r} is not a date, so the dates were not compared"
              for side, given, when in (("a", a.published, ta), ("b", b.published, tb))
              if given and given.strip() and when is None]
    return (_winner(votes), unread + evidence + disagree, _winner(texts),
            evidence[1:] if first is not None else list(evidence))


def _winner(votes: dict[Side, int]) -> Side | None:
    return None if votes["a"] == votes["b"] else "a" if votes["a"] > votes["b"] else "b"


def judge(a: Document, b: Document, al: Alignment) -> Comparison:
    """Coverage of each side and the likely source, on top of the aligner's passages."""
    passages = al.passages
    source, evidence, text_source, text_evidence = _direction(a, b, al) if passages else (None, [], None, [])
    return Comparison(
        a=a,
        b=b,
        passages=passages,
        coverage_a=coverage(a.text, [p.a for p in passages]),
        coverage_b=coverage(b.text, [p.b for p in passages]),
        source=source,
        evidence=evidence,
        text_source=text_source,
        text_evidence=text_evidence,
        inserted_a=list(al.inserted_a),
        inserted_b=list(al.inserted_b),
    )
