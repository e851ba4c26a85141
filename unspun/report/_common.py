"""What the text and HTML reports both say, worded once."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from html import escape
from typing import get_args

from ..models import Comparison, Kind

EXCERPT_CHARS = 60
#: C0 and C1 control characters: document text, file names and ids come from outside, and an escape sequence in
#: one, printed, reached the terminal (clearing it, retitling it, rewriting what it shows). And the characters that
#: reorder what follows them on screen (bidi embeddings, overrides, isolates): a file named "invoice\u202eslx.txt"
#: showed as "invoicetxt.xls", and a source id holding one reversed the dates and shares after it (QA).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(s: str) -> str:
    """``s`` with each control character written as its escape (``\\x1b``, ``\\u202e``): reports show it as data."""
    return _CONTROL.sub(lambda m: f"\\x{c:02x}" if (c := ord(m.group())) < 0x100 else f"\\u{c:04x}", s)


def shown(s: str) -> str:
    """A name, an id or a line of evidence as HTML: escaped, its control characters written out (`printable`).
    Document text is not: it is shown as it is, and the reports cut it only into marked pieces."""
    return escape(printable(s))


def excerpt(text: str, start: int, end: int, limit: int = EXCERPT_CHARS) -> str:
    """``text[start:end]`` on one line, its middle elided past ``limit`` characters, so both ends stay visible."""
    s = printable(" ".join(text[start:end].split()))
    if len(s) <= limit:
        return s
    half = (limit - 1) // 2
    head, tail = _grapheme(s, half), _grapheme(s, len(s) - half)  # (no vowel sign cut from its letter: "…ে একটি")
    return f"{s[:head].rstrip()}…{s[tail:].lstrip()}"


def _grapheme(s: str, at: int) -> int:
    """``at``, or past the combining marks there: a cut at a letter's start, not between it and its marks."""
    while at < len(s) and unicodedata.category(s[at])[0] == "M":
        at += 1
    return at


def percent(x: float) -> str:
    """One decimal, never rounded up to a whole text or down to none: 0.9996 of a text reused is not "100.0%" (a
    whole copy), nor a short passage in a long text "0.0%" (the web page says it the same way)."""
    s = f"{x * 100:.1f}%"
    if s == "100.0%" and x < 1:
        return "99.9%"
    if s == "0.0%" and x > 0:
        return "<0.1%"
    return s


def source_line(c: Comparison) -> str:
    """Which side came first, or why we cannot say (evidence too weak or split is listed, so it is not "none")."""
    if not c.passages:  # ("undecided" above no passage read as if there were reuse to direct)
        return "none (no reused passage)"
    if c.source is None:
        why = "the evidence listed does not settle it" if c.evidence else "no evidence of direction"
        return f"undecided ({why})"
    doc = c.a if c.source == "a" else c.b
    return f"{c.source.upper()} ({doc.name})"


def kind_counts(c: Comparison) -> str:
    """e.g. "2 verbatim, 1 paraphrase", in a fixed order of kinds."""
    counts = Counter(p.kind for p in c.passages)
    return ", ".join(f"{counts[k]} {k}" for k in get_args(Kind) if counts[k]) or "none"


def encoding_notes(c: Comparison) -> list[str]:
    """One line per side whose encoding was guessed."""
    return [f"{label}: {d.name}: {d.encoding_note}" for label, d in (("A", c.a), ("B", c.b)) if d.encoding_note]
