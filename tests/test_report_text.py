"""render_text: the summary and passage table a person reads in the terminal."""

from __future__ import annotations

import io

from rich.console import Console

from unspun.models import Comparison, Document, Passage
from unspun.report import render_text
from unspun.report._common import excerpt

A = "Alpha [bold]not markup[/bold] opens the piece. " + "Filler words go on and on here. " * 6 + "Omega ends A."
B = "Intro of B. " + A


def _render(c: Comparison) -> str:
    buf = io.StringIO()
    render_text(c, Console(file=buf, width=200, color_system=None))
    return buf.getvalue()


def test_summary_and_table() -> None:
    a = Document(A, "dir/a.txt", encoding="cp1252", encoding_note="not UTF-8; decoded as cp1252")
    passages = [Passage((0, len(A)), (12, len(B)), "verbatim", 0.9876), Passage((0, 5), (12, 17), "summary", 0.4)]
    c = Comparison(a, Document(B, "b.txt"), passages, 1.0, 0.93, source="b", evidence=["B has an earlier date"])
    out = _render(c)
    for expected in (
        "dir/a.txt",
        f"{len(A):,} chars, 100.0% reused",
        "93.0% reused",
        "likely source B (b.txt)",
        "B has an earlier date",
        "dir/a.txt: not UTF-8; decoded as cp1252",
        "2 (1 verbatim, 1 summary)",
        f"0-{len(A)}",
        f"12-{len(B)}",
        "0.99",
        "summary",
        "[bold]not markup[/bold]",
        "…",
    ):
        assert expected in out, expected


def test_no_passages_prints_no_table() -> None:
    out = _render(Comparison(Document("x", "a.txt"), Document("y", "b.txt"), [], 0.0, 0.0))
    assert "passages 0 (none)" in out
    assert "likely source none (no reused passage)" in out and "undecided" not in out
    assert "┃" not in out


def test_excerpt_keeps_both_ends_on_one_line() -> None:
    text = "start of it\r\n" + "middle " * 30 + "the very end"
    short = excerpt(text, 0, len(text), limit=30)
    assert len(short) <= 30 and short.startswith("start of it mi") and short.endswith("the very end")
    assert "\n" not in short and "…" in short
    assert excerpt("a  b\nc", 0, 6) == "a b c"


def test_control_characters_from_documents_print_as_escapes() -> None:
    """An escape sequence in a document's text or name reached the terminal as is (rich prints control characters
    it is given): ``\\x1b[2J`` cleared the screen, ``\\x1b]0;...\\x07`` retitled it."""
    text = "\x1b[2JThe council approved the \x1b]0;owned\x07tram line. " + "Filler words go on. " * 3
    a = Document(text, "evil\x1b[31m.txt")
    c = Comparison(a, Document(text, "b.txt"), [Passage((0, len(text)), (0, len(text)), "verbatim", 1.0)], 1.0, 1.0,
                   evidence=["evil\x1b[31m.txt says\x00 so"])
    out = _render(c)
    assert "\x1b" not in out and "\x07" not in out and "\x00" not in out
    assert "evil\\x1b[31m.txt" in out and "\\x1b[2JThe council" in out and "says\\x00 so" in out


def test_a_share_is_never_rounded_up_to_a_whole_text_or_down_to_none() -> None:
    """0.9995 of a text showed "100.0%" on the web page and "99.9%" in the report beside it (QA): neither rounds
    to a whole copy, nor a short passage in a long text to "0.0%"."""
    from unspun.report._common import percent

    assert [percent(x) for x in (1.0, 0.99953, 0.9994, 0.5, 0.0004, 0.0)] == [
        "100.0%", "99.9%", "99.9%", "50.0%", "<0.1%", "0.0%"]
