"""The HTML report: one self-contained page with both documents side by side and every passage linked across them.

All document text and every path pass through `html.escape`; the only markup is ours, and the only script is
static: ``passages.js``, which the pages of `unspun serve` use too, and its two calls, and ``print.js`` (no data is
ever written into a script), so a document cannot inject anything into the page.
Passages may overlap on one side, so each side is cut at every passage boundary and each piece is tagged with the
set of passages covering it (``data-p="1 3"``). Passages are numbered from 1, as in the text report.
"""

from __future__ import annotations

import re
from html import escape
from importlib.resources import files
from itertools import pairwise

from ..models import Comparison, Document, Span
from ._common import encoding_notes, excerpt, kind_counts, percent, shown, source_line

#: Successive hues this far apart stay distinct however many passages there are.
GOLDEN_ANGLE = 137.508
#: What the colours mean and what a click does: the swatches alone left both to guess, the darker dotted pieces too.
LEGEND = ('<p class="legend">Each colour marks one passage, the same on both sides; a darker piece underlined with '
          "dots lies in more than one passage. Click a passage, or choose it below (Tab, then Enter), to bring its "
          "counterpart into view.</p>")
#: Said when a side holds runs inserted into reused text: the evidence counted them, and no one could point at them.
INSERTED_LEGEND = ('<p class="legend"><span class="ins">Text marked so</span> was found inserted into reused text, '
                   "with no counterpart on the other side (link debris, ads, datelines, or whole sentences): the "
                   "evidence of which side came first counts it.</p>")
#: A side longer than this (more than `unspun serve` takes) shows its text outside the passages only within
#: `GAP_CONTEXT` characters of them and of its ends: a 30 MB text checked against 5 sources made a page holding it
#: 5 times.
LONG_SIDE_CHARS = 200_000
GAP_CONTEXT = 1_000
#: How far a gap's ends move to white space.
_SNAP = 100
_SPACE = re.compile(r"\s")
#: The report's own script, after passages.js: link the passages, open each side at its first one.
START = "Passages.link(document.body);\nPassages.showFirst(document.body);\n"


def render_html(c: Comparison) -> str:
    """The whole page as a string; CSS and JS are inlined so the file can be mailed or opened offline."""
    hues = [round(i * GOLDEN_ANGLE % 360, 1) for i in range(len(c.passages))]
    title = shown(f"unspun: {c.a.name} vs {c.b.name}")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}</title>",
            f"<style>\n{_asset('report.css')}</style>",
            "</head><body>",
            "<h1>unspun report</h1>",
            _summary(c),
            _passage_list(c, hues),
            '<div class="docs">',
            _side("a", c.a, [p.a for p in c.passages], hues, c.inserted_a),
            _side("b", c.b, [p.b for p in c.passages], hues, c.inserted_b),
            "</div>",
            f"<script>\n{_asset('passages.js')}{START}{_asset('print.js')}</script>",
            "</body></html>",
            "",
        ]
    )


def segments(n: int, spans: list[Span]) -> list[tuple[int, int, list[int]]]:
    """Cut ``[0, n)`` at every span boundary: (start, end, indices of the spans covering the piece, shortest first).

    Shortest first so a nested passage, not the one around it, gives the piece its colour and its click target.
    """
    cuts = sorted({0, n, *(min(max(x, 0), n) for span in spans for x in span)})
    out = []
    for lo, hi in pairwise(cuts):
        ids = [i for i, (s, e) in enumerate(spans) if s <= lo and hi <= e]
        ids.sort(key=lambda i: (spans[i][1] - spans[i][0], i))
        out.append((lo, hi, ids))
    return out


def _asset(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _summary(c: Comparison) -> str:
    rows = []
    for label, doc, cov in (("A", c.a, c.coverage_a), ("B", c.b, c.coverage_b)):
        rows.append(f"<dt>{label}</dt><dd>{shown(doc.name)}: {doc.chars:,} chars, {percent(cov)} reused</dd>")
    evidence = "".join(f"<li>{shown(e)}</li>" for e in c.evidence)
    rows.append(f"<dt>Likely source</dt><dd>{shown(source_line(c))}{f'<ul>{evidence}</ul>' if evidence else ''}</dd>")
    rows.append(f"<dt>Passages</dt><dd>{len(c.passages)} ({escape(kind_counts(c))})</dd>")
    rows.extend(f'<dt>Encoding</dt><dd class="note">{shown(n)}</dd>' for n in encoding_notes(c))
    return f'<dl class="summary">{"".join(rows)}</dl>'


def _passage_list(c: Comparison, hues: list[float]) -> str:
    if not c.passages:
        return "<p>No reused passages found.</p>"
    rows = []
    for i, (p, hue) in enumerate(zip(c.passages, hues, strict=True), 1):
        links = "".join(
            f'<td class="num"><a href="#{s}-p{i}" data-go="{i}">{s.upper()} {lo}–{hi}</a></td>'
            for s, (lo, hi) in (("a", p.a), ("b", p.b))
        )
        rows.append(
            f'<tr><td class="num"><span class="sw" style="--h:{hue}"></span>{i}</td><td>{p.kind}</td>'
            f'<td class="num">{p.similarity:.2f}</td>{links}<td>{escape(excerpt(c.a.text, *p.a))}</td></tr>'
        )
    head = "<tr><th>#</th><th>kind</th><th>similarity</th><th>A</th><th>B</th><th>A text</th></tr>"
    table = f'<div class="list"><table>{head}{"".join(rows)}</table></div>'
    marked = INSERTED_LEGEND if c.inserted_a or c.inserted_b else ""
    return f"<details open><summary>Passages</summary>{LEGEND}{marked}{table}</details>"


def _gap(text: str, a: int, b: int) -> tuple[int, int]:
    """The gap ``[a, b)`` of ``text`` with its ends moved to white space near them (into the gap), so that the text
    shown on either side of it cuts no word."""
    space = _SPACE.search(text, a, min(a + _SNAP, b))
    a = space.start() if space else a
    return a, max((m.end() for m in _SPACE.finditer(text, max(b - _SNAP, a), b)), default=b)


def _side(side: str, doc: Document, spans: list[Span], hues: list[float], inserted: list[Span]) -> str:
    """One side's pane: its text cut at every passage's and inserted run's ends, each piece in the passages over it
    (``spans``), or marked inserted (``inserted``: those outside every passage)."""
    other = "B" if side == "a" else "A"
    anchors: dict[int, list[int]] = {}
    for i, (start, _) in enumerate(spans):
        anchors.setdefault(min(max(start, 0), doc.chars), []).append(i)

    def anchor(pos: int) -> str:
        return "".join(f'<span class="anchor" id="{side}-p{i + 1}"></span>' for i in anchors.get(pos, ()))

    parts = []
    for lo, hi, over in segments(doc.chars, spans + inserted):
        ids = [i for i in over if i < len(spans)]
        parts.append(anchor(lo))
        if not over and doc.chars > LONG_SIDE_CHARS and hi - lo > 3 * GAP_CONTEXT:
            a, b = _gap(doc.text, lo + GAP_CONTEXT, hi - GAP_CONTEXT)
            piece = (f'{escape(doc.text[lo:a])}<span class="gap">[… {b - a:,} characters without a passage …]'
                     f'</span>{escape(doc.text[b:hi])}')
        else:
            piece = escape(doc.text[lo:hi])
        if ids:
            cls = "p overlap" if len(ids) > 1 else "p"
            members = " ".join(str(i + 1) for i in ids)
            piece = f'<span class="{cls}" data-p="{members}" style="--h:{hues[ids[0]]}">{piece}</span>'
        elif over:
            piece = f'<span class="ins" title="inserted: no counterpart in {other}">{piece}</span>'
        parts.append(piece)
    parts.append(anchor(doc.chars))
    return (
        f"<section><h2>{side.upper()}: {shown(doc.name)}</h2>"
        f'<div class="doc" id="doc-{side}">{"".join(parts)}</div></section>'
    )
