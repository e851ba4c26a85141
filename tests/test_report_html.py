"""render_html: escaped text, every passage anchored and linked on both sides, overlapping spans cut correctly."""

from __future__ import annotations

import colorsys
import html
from dataclasses import replace
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from unspun.models import CheckResult, Comparison, Document, Passage, Source
from unspun.report import render_html
from unspun.report.check import render_check_html
from unspun.report.html import segments

EVIL = "<script>alert(1)</script>"


class _Pieces(HTMLParser):
    """Text of each side's document pane, piece by piece, with the passage ids covering each piece."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.side: str | None = None
        self.depth = 0
        self.stack: list[list[str]] = []
        self.pieces: dict[str, list[tuple[str, list[str]]]] = {"a": [], "b": []}
        self.anchors: dict[str, list[str]] = {"a": [], "b": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and a.get("id") in ("doc-a", "doc-b"):
            self.side, self.depth = a["id"][-1], 0
            return
        if self.side is None:
            return
        self.depth += 1
        if "anchor" in (a.get("class") or ""):
            self.anchors[self.side].append(a["id"] or "")
        self.stack.append((a.get("data-p") or "").split())

    def handle_endtag(self, tag: str) -> None:
        if self.side is None:
            return
        if self.depth == 0:
            self.side = None
            return
        self.depth -= 1
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.side is not None:
            ids = self.stack[-1] if self.stack else []
            self.pieces[self.side].append((data, ids))

    def text(self, side: str) -> str:
        return "".join(t for t, _ in self.pieces[side])

    def passage(self, side: str, pid: int) -> str:
        return "".join(t for t, ids in self.pieces[side] if str(pid) in ids)


def _parse(page: str) -> _Pieces:
    parser = _Pieces()
    parser.feed(page)
    parser.close()
    return parser


def _comparison(a: str, b: str, passages: list[Passage], **kwargs) -> Comparison:
    return Comparison(Document(a, "a.txt"), Document(b, "b.txt"), passages, 0.5, 0.25, **kwargs)


A = "The first line of A.\r\nA second line, then a third one here.\n\nAnd a last paragraph of A."
B = "Preface of B.\nThe first line of A.\r\nA second line, then a third one here.\nTail of B with more words."


def test_document_text_and_paths_are_escaped() -> None:
    text = f"Before {EVIL} & after"
    passages = [Passage((0, 6), (0, 6), "verbatim", 1.0)]
    c = Comparison(Document(text, f"dir/{EVIL}.txt"), Document(text, "b&c.txt"), passages, 1, 1)
    page = render_html(c)
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1
    assert "b&amp;c.txt" in page
    parsed = _parse(page)
    assert parsed.text("a") == text and parsed.text("b") == text


def test_page_is_self_contained() -> None:
    page = render_html(_comparison(A, B, [Passage((0, 20), (14, 34), "verbatim", 1.0)]))
    assert "<style>" in page and "<script>" in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)|<link\b|@import""", page)


def test_every_passage_is_anchored_and_covered_on_both_sides() -> None:
    passages = [
        Passage((0, 20), (14, 34), "verbatim", 1.0),
        Passage((22, 60), (36, 74), "edited", 0.91),
        Passage((62, 88), (75, 100), "paraphrase", 0.55),
    ]
    c = _comparison(A, B, passages, source="b", evidence=["B was published first"])
    page = render_html(c)
    parsed = _parse(page)
    assert parsed.text("a") == A and parsed.text("b") == B
    for i, p in enumerate(passages, 1):
        assert f'id="a-p{i}"' in page and f'id="b-p{i}"' in page
        assert f'href="#a-p{i}"' in page and f'href="#b-p{i}"' in page
        assert parsed.passage("a", i) == A[p.a[0] : p.a[1]]
        assert parsed.passage("b", i) == B[p.b[0] : p.b[1]]
    assert parsed.anchors == {"a": ["a-p1", "a-p2", "a-p3"], "b": ["b-p1", "b-p2", "b-p3"]}
    assert "B was published first" in page and "1 verbatim, 1 edited, 1 paraphrase" in page


def test_passages_get_distinct_colours() -> None:
    passages = [Passage((i, i + 1), (i, i + 1), "verbatim", 1.0) for i in range(12)]
    page = render_html(_comparison(A, B, passages))
    hues = re.findall(r'<span class="sw" style="--h:([\d.]+)">', page)
    assert len(hues) == 12 and len(set(hues)) == 12


def test_overlapping_and_nested_spans() -> None:
    passages = [
        Passage((0, 40), (0, 30), "edited", 0.8),
        Passage((20, 60), (10, 30), "edited", 0.7),
        Passage((25, 30), (12, 20), "verbatim", 1.0),
    ]
    parsed = _parse(render_html(_comparison(A, B, passages)))
    for side, text in (("a", A), ("b", B)):
        assert parsed.text(side) == text
        for i, p in enumerate(passages, 1):
            s, e = getattr(p, side)
            assert parsed.passage(side, i) == text[s:e]
    innermost = [ids for t, ids in parsed.pieces["a"] if "3" in ids]
    assert innermost == [["3", "1", "2"]]  # shortest first, then in order


def test_segments_cut_at_every_boundary() -> None:
    assert segments(10, [(0, 6), (4, 10), (4, 6)]) == [(0, 4, [0]), (4, 6, [2, 0, 1]), (6, 10, [1])]
    assert segments(10, [(2, 2)]) == [(0, 2, []), (2, 10, [])]
    assert segments(0, []) == []


def test_no_passages() -> None:
    page = render_html(_comparison(A, B, []))
    parsed = _parse(page)
    assert parsed.text("a") == A and parsed.text("b") == B
    assert 'class="p' not in page and "No reused passages found" in page
    assert "none (no reused passage)" in page and "undecided" not in page


def test_encoding_notes_are_shown() -> None:
    a = Document("caf\u00e9", "old.txt", encoding="cp1252", encoding_note="not UTF-8; decoded as cp1252")
    page = render_html(Comparison(a, Document("x", "b.txt"), [], 0, 0))
    assert "old.txt: not UTF-8; decoded as cp1252" in page


def test_check_page_gives_the_evidence_when_no_original_is_named() -> None:
    """A checked document older than every source names no original; the page once dropped the reason with it."""
    why = "the checked document (2005-01-01) predates every source; it may be the original"
    source = Source("b.txt", 1.0, "2010-05-05", _comparison(A, B, [Passage((0, 20), (14, 34), "verbatim", 1.0)]))
    page = render_check_html([CheckResult(Document(A, "a.html", published="2005-01-01"), [source], None, [why])])
    assert "Likely original: undecided" in page and f"<li>{why}</li>" in page
    named = render_check_html([CheckResult(Document(A, "a.txt"), [source], "b.txt", ["b.txt is the earliest"])])
    assert "Likely original: <strong>b.txt</strong>" in named and "<li>b.txt is the earliest</li>" in named
    # Each pair report inside says which side is which and that its verdict is the pair's own (an "undecided"
    # there read as contradicting the original named here).
    assert "A: the checked document, B: b.txt. The report below names a likely source from this pair alone" in named


def test_undecided_source_with_evidence_does_not_claim_there_is_none() -> None:
    """A date in one side's text alone decides nothing; the page once said "no evidence of direction" above it."""
    weak = ("A carries a date in its text (2024-05-02) that B lacks: a scraper's date line, or the original's own, so "
            "it names no side")
    page = render_html(_comparison(A, B, [Passage((0, 20), (14, 34), "verbatim", 1.0)], evidence=[weak]))
    assert "no evidence of direction" not in page and "does not settle it" in page and html.escape(weak) in page
    assert "no evidence of direction" in render_html(_comparison(A, B, [Passage((0, 20), (14, 34), "verbatim", 1.0)]))
    # with no passage, there is nothing to direct ("undecided" read as if there were)
    assert "<dt>Likely source</dt><dd>none (no reused passage)</dd>" in render_html(_comparison(A, B, []))


def _luminance(r: float, g: float, b: float) -> float:
    """WCAG relative luminance of an sRGB colour (channels 0 to 1)."""
    return sum(w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
               for w, c in zip((0.2126, 0.7152, 0.0722), (r, g, b), strict=True))


@pytest.mark.parametrize("css", ["report/report.css", "serve/static/unspun.css"])
def test_passage_text_keeps_its_contrast_in_every_state(css: str) -> None:
    """Dark text on a passage's colour, plain, lit (hover) or chosen, for the hues of 30 passages: WCAG AA 4.5:1.
    A chosen passage once fell to 2.6:1 on blue (its background at 60% lightness)."""
    import unspun

    sheet = (Path(unspun.__file__).parent / css).read_text(encoding="utf-8")
    text = _luminance(*(int(x, 16) / 255 for x in re.findall("..", re.search(r"color: #(\w{6})", sheet).group(1))))
    states = re.findall(r"^(\.p[.\w]*) \{ background: hsl\(var\(--h\) (\d+)% (\d+)%\)", sheet, re.M)
    assert {s for s, _, _ in states} == {".p", ".p.overlap", ".p.on", ".p.sel"}
    hues = [i * 137.508 % 360 for i in range(30)]
    for state, sat, light in states:
        worst = min(_luminance(*colorsys.hls_to_rgb(h / 360, int(light) / 100, int(sat) / 100)) for h in hues)
        assert (worst + 0.05) / (text + 0.05) >= 4.5, state


def test_check_reports_name_each_sources_strongest_passage() -> None:
    """Coverage alone reads the same for an edited copy and for two reports of one event in their own words; the
    kind and similarity of the closest passage tell them apart at a glance (the JSON has them per passage)."""
    import io

    from rich.console import Console

    from unspun.report.check import render_check_text

    passages = [Passage((0, 20), (14, 34), "paraphrase", 0.41), Passage((21, 40), (35, 54), "edited", 0.87)]
    result = CheckResult(Document(A, "a.txt"), [Source("b.txt", 0.5, None, _comparison(A, B, passages))], "b.txt", [])
    page = render_check_html([result])
    assert "<td>edited 0.87</td>" in page
    # The columns are said under the table, as in the text report (the demo's page had the column names alone).
    legend = page.index("score: the share of the checked document the source explains")
    assert page.index("</table>") < legend < page.index("<iframe") and "query / source reused: the share" in page
    out = io.StringIO()
    render_check_text([result], Console(file=out, width=160))
    [row] = [line for line in out.getvalue().splitlines() if "b.txt" in line and "│" in line]
    assert "2 (edited 0.87)" in row and "paraphrase" not in row
    assert out.getvalue().startswith(f"document a.txt  {len(A)} chars, 1 source\n")  # it read "1 source(s)"
    assert "published" not in out.getvalue()  # no source has a date: a column of dashes would narrow the ids
    dated = CheckResult(result.document, [Source("b.txt", 0.5, "2005-03-01", result.sources[0].comparison)], "b.txt", [])
    out = io.StringIO()
    render_check_text([dated], Console(file=out, width=160))
    assert "published" in out.getvalue() and "2005-03-01" in out.getvalue()


def test_check_text_shows_a_passages_opening_cut_once() -> None:
    """The first-passage cell held `excerpt`'s "head…tail", which the column cut again: "Ink helps drive democracy
    in…di…", a scrap of the passage's end beside its start. It holds the opening, cut once where room runs out."""
    import io

    from rich.console import Console

    from unspun.report.check import render_check_text

    text = " ".join(f"word{i}" for i in range(300))
    passage = Passage((0, len(text)), (0, len(text)), "verbatim", 1.0)
    result = CheckResult(Document(text, "a.txt"), [Source("b.txt", 1.0, None, _comparison(text, text, [passage]))],
                         "b.txt", [])
    out = io.StringIO()
    render_check_text([result], Console(file=out, width=120))
    [row] = [line for line in out.getvalue().splitlines() if "b.txt" in line and "│" in line]
    cell = row.split("│")[-2].strip()
    assert cell.startswith("word0 word1 word2") and cell.count("…") == 1 and cell.endswith("…")
    assert "word299" not in cell


def test_check_text_prints_control_characters_of_documents_and_ids_as_escapes() -> None:
    """Ids, dates, names and passages come from documents: an escape sequence in one reached the terminal."""
    import io

    from rich.console import Console

    from unspun.report.check import render_check_text

    text = "\x1b[2J" + A
    passage = Passage((0, 40), (0, 40), "verbatim", 1.0)
    result = CheckResult(Document(text, "q\x1b[31m.txt"),
                         [Source("b\x1b]0;x\x07.txt", 1.0, "2005\x1b[0m", _comparison(text, text, [passage]))],
                         "b\x1b]0;x\x07.txt", ["b\x1b]0;x\x07.txt explains the most"])
    out = io.StringIO()
    render_check_text([result], Console(file=out, width=200))
    got = out.getvalue()
    assert "\x1b" not in got and "\x07" not in got
    for shown in ("q\\x1b[31m.txt", "b\\x1b]0;x\\x07.txt", "2005\\x1b[0m", "\\x1b[2J"):
        assert shown in got, shown


def test_names_that_reorder_the_text_around_them_are_written_out() -> None:
    """U+202E in an id or a file name showed "invoice\u202eslx.txt" as "invoicetxt.xls", and reversed the dates and
    shares of the evidence after it (QA); the text report printed it as it is. Document text keeps its own."""
    import io

    from rich.console import Console

    from unspun.report.check import render_check_html, render_check_text

    rlo = "invoice\u202eslx.txt"
    text = "Arabic \u2067quoted\u2069 " + A
    passage = Passage((0, 40), (0, 40), "verbatim", 1.0)
    result = CheckResult(Document(text, rlo), [Source("evil-\u202dgnp.exe", 1.0, "2004\u202e-05-01",
                                                      _comparison(text, text, [passage]))],
                         "evil-\u202dgnp.exe", ["evil-\u202dgnp.exe was published first (2004-05-01)"])
    pages = [render_check_html([result]),
             render_html(Comparison(Document(text, rlo), Document(text, "b.txt"), [passage], 1, 1))]
    out = io.StringIO()
    render_check_text([result], Console(file=out, width=200))
    for got in [*pages, out.getvalue()]:
        assert "\u202e" not in got and "\u202d" not in got
    assert "<title>unspun: invoice\\u202eslx.txt vs b.txt</title>" in pages[1]
    for shown in ("invoice\\u202eslx.txt", "evil-\\u202dgnp.exe was published first", "2004\\u202e-05-01"):
        assert shown in pages[0] and shown in out.getvalue(), shown
    assert "\u2067quoted\u2069" in pages[1]  # the text itself as it is


def test_runs_inserted_into_reused_text_are_marked() -> None:
    """The evidence said "A has 425 characters in 2 runs inserted" and nothing showed where: a fact-checker could not
    point at the link debris (QA)."""
    debris = "PutinIran announces naval exercises MORE"
    a = "Tokayev asked Vladimir " + debris + " to restore order. Then more words follow here."
    b = "Tokayev asked Vladimir Putin to restore order. Then more words follow here."
    at = a.index(debris)
    c = Comparison(Document(a, "a.txt"), Document(b, "b.txt"),
                   [Passage((0, at), (0, 22), "verbatim", 1.0),
                    Passage((at + len(debris), len(a)), (28, len(b)), "verbatim", 1.0)], 0.8, 1.0,
                   inserted_a=[(at, at + len(debris))])
    page = render_html(c)
    assert f'<span class="ins" title="inserted: no counterpart in B">{debris}</span>' in page
    assert "Text marked so</span> was found inserted into reused text" in page
    assert _parse(page).text("a") == a  # the text itself unchanged
    plain = render_html(replace(c, inserted_a=[]))
    assert 'class="ins"' not in plain


def test_report_says_what_its_colours_mean() -> None:
    """The passage list's swatches were the only key: what a colour, a darker dotted piece or a click meant was left
    to guess. A page without passages has no colours to explain."""
    page = render_html(_comparison(A, B, [Passage((0, 20), (14, 34), "verbatim", 1.0)]))
    legend = re.search(r'<p class="legend">(.*?)</p>', page).group(1)
    assert "Each colour marks one passage, the same on both sides" in legend and "more than one passage" in legend
    assert "Enter" in legend
    assert 'class="legend"' not in render_html(_comparison(A, B, []))


def test_a_long_side_shows_the_text_between_its_passages_only_near_them() -> None:
    """A 30 MB text checked against 5 sources made a check page holding it 5 times (150 MB no browser opens): a side
    over `LONG_SIDE_CHARS` keeps `GAP_CONTEXT` characters on either side of a passage and says how much it leaves
    out; the passages themselves, and a text under the limit, are shown whole."""
    from dataclasses import replace

    from unspun.report.html import GAP_CONTEXT, LONG_SIDE_CHARS

    filler = (f"Unrelated words {EVIL} fill the page. " * 12_000)[: LONG_SIDE_CHARS + 50_000]
    copied = "The copied paragraph that both texts share, word for word, to the last full stop."
    long = filler[:100_000] + copied + filler[100_000:]
    start = 100_000
    c = Comparison(a=Document(long, path="long.txt"), b=Document(copied, path="short.txt"),
                   passages=[Passage((start, start + len(copied)), (0, len(copied)), "verbatim", 1.0)],
                   coverage_a=0.0003, coverage_b=1.0, source=None, evidence=[])
    page = render_html(c)
    assert len(page) < 20_000 < len(long)
    gaps = [int(n.replace(",", "")) for n in re.findall(r"\[… ([\d,]+) characters without a passage …\]", page)]
    assert len(gaps) == 2
    for gap, around in zip(gaps, (start, len(long) - start - len(copied))):
        assert around - 2 * GAP_CONTEXT - 200 <= gap <= around - 2 * GAP_CONTEXT  # ends moved to white space
    assert f">{copied}</span>" in page and EVIL not in page
    shown = html.unescape(re.sub(r"<[^>]+>", "", page.split('id="doc-a">')[1].split("</section>")[0]))
    at = 0
    for piece, gap in zip(re.split(r"\[… [\d,]+ characters without a passage …\]", shown), [*gaps, 0]):
        assert long[at:at + len(piece)] == piece  # all else shown, in place
        at += len(piece)
        if gap:
            assert long[at].isspace() and long[at + gap - 1].isspace()  # no word cut at a gap
            at += gap
    assert at == len(long)
    assert long[start - GAP_CONTEXT: start + len(copied) + GAP_CONTEXT] in shown
    shorter = replace(c, a=Document(long[:LONG_SIDE_CHARS], path="long.txt"))
    assert "characters without a passage" not in render_html(shorter)
