"""Output formats of `unspun check`: terminal text, JSON (the stable contract) and one HTML page.

The HTML page lists the sources of each checked document and embeds, per source, the side-by-side report of
`compare` in an ``iframe srcdoc``: each report keeps its own ids and script, and its text, already escaped
inside it, is escaped once more as an attribute value, so a document still cannot inject markup. The page's own
script, ``print.js``, makes each report as tall as its text when printed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models import CheckResult, Comparison
from ._common import percent, printable, shown
from ..wording import counted
from .html import _asset, render_html


def render_check_json(results: list[CheckResult]) -> str:
    """``{"documents": [CheckResult.to_json(), ...]}``."""
    return json.dumps({"documents": [r.to_json() for r in results]}, ensure_ascii=False, indent=2)


def _opening(text: str, start: int, end: int) -> str:
    """A passage's opening on one line, for a column that ends it with an ellipsis where it runs out of room: the
    elided middle of `excerpt` cut again by the column left a scrap of the passage's end beside its start."""
    return printable(" ".join(text[start:min(end, start + 400)].split()))


def strongest(c: Comparison) -> str:
    """The kind and similarity of a source's most similar passage: an edited copy ("edited 0.93") and two reports
    of one event in their own words ("paraphrase 0.36") can share as much of the text, and differ here."""
    best = max(c.passages, key=lambda p: p.similarity)
    return f"{best.kind} {best.similarity:.2f}"


def render_check_text(results: list[CheckResult], console: Console) -> None:
    for r in results:
        d = r.document
        # Lines that name documents are never folded at the console's width (120 columns in a file): an id cut in
        # two ("…-over-costs.tx" / "t") can't be searched for or copied.
        console.print(Text.assemble(("document ", "bold"), printable(d.name), f"  {d.chars:,} chars, "
                                    f"{counted(len(r.sources), 'source')}"), soft_wrap=True)
        if not r.sources:
            console.print(Text("  no reuse found in the store"))
            _print_evidence(r.evidence, console)  # (why none could be: a text too short to hold a passage)
            continue
        table = Table(show_lines=False, expand=True)
        dated = any(s.published for s in r.sources)  # a column of dashes only takes width from the ids
        for col, just in (("#", "right"), ("source", "left"), ("score", "right"), ("published", "left"),
                          ("query", "right"), ("source", "right"), ("passages", "left")):
            if col != "published" or dated:
                table.add_column(col, justify=just, no_wrap=col != "source" or just == "right", overflow="fold")
        table.add_column("first passage", no_wrap=True, overflow="ellipsis", ratio=1)
        for i, s in enumerate(r.sources, 1):
            c = s.comparison
            first = c.passages[0]
            cells = [str(i), Text(printable(s.id)), f"{s.score:.3f}", Text(printable(s.published or "—")),
                     percent(c.coverage_a), percent(c.coverage_b), f"{len(c.passages)} ({strongest(c)})",
                     Text(_opening(d.text, *first.a))]
            table.add_row(*(cells if dated else cells[:3] + cells[4:]))
        console.print(table)
        console.print(Text("  query / source: share of each side's text inside the aligned passages"))
        console.print(Text("  passages: how many, and the kind and similarity of the strongest"))
        # The evidence stands without a named original too ("the checked document predates every source"): under a
        # heading, as the HTML report puts it, not as bullets hanging from the passages' legend.
        console.print(Text.assemble(("likely original ", "bold"), printable(r.original) if r.original else "undecided"),
                      soft_wrap=True)
        _print_evidence(r.evidence, console)


def _print_evidence(evidence: list[str], console: Console) -> None:
    for e in evidence:
        console.print(Text(f"  - {printable(e)}"), soft_wrap=True)


def _evidence_html(evidence: list[str]) -> list[str]:
    """The evidence as an HTML list, as a part of the page (none without evidence)."""
    return [f"<ul>{''.join(f'<li>{shown(e)}</li>' for e in evidence)}</ul>"] if evidence else []


#: The check page's own rules. The table of sources scrolls sideways in its own box, framed as the passage list is
#: so that a column cut at its edge reads as more to scroll to: eight columns are wider than a phone, and the whole
#: page, iframes and all, scrolled sideways with it.
_CHECK_CSS = """iframe { width: 100%; height: 80vh; border: 1px solid #ccc; }
h3, p, li, .sources td { overflow-wrap: anywhere; }
.sources { overflow-x: auto; border: 1px solid #ddd; background: #fff; }
.printing .sources { overflow: visible; }
.sources table { border-collapse: collapse; }
.sources td, .sources th { padding: 2px 10px; text-align: left; }
.caption { color: #555; margin: 0 0 4px; }
.unread { color: #8a4b00; }
"""


#: What the sources table's columns mean (the text report says as much under its table; a newcomer to the page
#: had only the column names).
_LEGEND = ('<p class="caption">score: the share of the checked document the source explains, each passage weighted '
           "by its similarity; query / source reused: the share of each side's text inside the aligned passages; "
           "strongest passage: the kind and similarity of the closest one. Each source's side-by-side report "
           "follows.</p>")


def render_check_html(results: list[CheckResult], unread: Sequence[str] = ()) -> str:
    """One self-contained page: per document, its sources ranked, each with the embedded side-by-side report.
    ``unread``: why each document that could not be read was not, listed first (said on stderr alone, they were
    missing from the page handed on, which read as if every document given had been checked)."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>unspun check</title>",
             f"<style>\n{_asset('report.css')}\n{_CHECK_CSS}</style>",
             "</head><body>", "<h1>unspun check</h1>"]
    if unread:
        parts.append(f'<section class="unread"><h2>Not checked: {counted(len(unread), "document")} could not be '
                     f"read</h2><ul>{''.join(f'<li>{shown(why)}</li>' for why in unread)}</ul></section>")
    for n, r in enumerate(results, 1):
        parts.append(f"<h2>{shown(r.document.name)}</h2>")
        if not r.sources:
            parts += ["<p>No reuse found in the store.</p>", *_evidence_html(r.evidence)]
            continue
        # The evidence stands without a named original too: "the checked document predates every source".
        named = f"<strong>{shown(r.original)}</strong>" if r.original else "undecided"
        parts += [f"<p>Likely original: {named}</p>", *_evidence_html(r.evidence)]
        rows = "".join(
            f'<tr><td class="num">{i}</td><td><a href="#d{n}s{i}">{shown(s.id)}</a></td>'
            f'<td class="num">{s.score:.3f}</td><td>{shown(s.published or "—")}</td>'
            f'<td class="num">{percent(s.comparison.coverage_a)}</td><td class="num">{percent(s.comparison.coverage_b)}</td>'
            f'<td class="num">{len(s.comparison.passages)}</td><td>{escape(strongest(s.comparison))}</td></tr>'
            for i, s in enumerate(r.sources, 1))
        parts.append('<div class="sources"><table><tr><th>#</th><th>source</th><th>score</th><th>published</th>'
                     "<th>query reused</th><th>source reused</th><th>passages</th><th>strongest passage</th></tr>"
                     f"{rows}</table></div>")
        parts.append(_LEGEND)
        for i, s in enumerate(r.sources, 1):
            # A pair's own "likely source" (often undecided) read as contradicting the original named above.
            parts.append(f'<h3 id="d{n}s{i}">{i}. {shown(s.id)}</h3>'
                         f'<p class="caption">A: the checked document, B: {shown(s.id)}. The report below names a '
                         'likely source from this pair alone; the likely original above weighs every source found, '
                         'and their dates.</p>'
                         f'<iframe title="{shown(s.id)}" srcdoc="{escape(render_html(s.comparison), quote=True)}"></iframe>')
    parts += [f"<script>\n{_asset('print.js')}</script>", "</body></html>", ""]
    return "\n".join(parts)
