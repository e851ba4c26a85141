"""The terminal report: what `unspun compare` prints by default.

Document text and paths go in as `rich.text.Text`, never as markup, so a document containing ``[bold]`` prints as is.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import UnspunError
from ..models import Comparison
from ._common import encoding_notes, excerpt, kind_counts, percent, printable, source_line


#: Width of text reports written to a file or a pipe, where there is no terminal to measure.
FILE_WIDTH = 120


def console(**kwargs: object) -> Console:
    """A rich console (``kwargs`` as `Console` takes them) that prints names and numbers as they are: rich read
    ":100:" in "bad.jsonl:100: malformed JSON" and ":smile:" in a file name as emoji codes."""
    return Console(emoji=False, **kwargs)


def stdout(width: int) -> Console:
    """The console a report prints to on stdout: a terminal's own width; redirected or piped (`> report.txt`,
    `| grep`, a log), ``width``, not rich's 80 columns, which folded ids across lines ("001_b96…" / ".txt") and cut
    tables ("04-tr…"). COLUMNS, when set, still decides."""
    terminal = console()
    if terminal.is_terminal or "COLUMNS" in os.environ:
        return terminal
    return console(width=width)


@contextmanager
def stdout_errors() -> Iterator[None]:
    """A report that standard output cannot take (`> report.json` on a full disk) is one error line, not a
    traceback; a reader that stopped early (`| head`) is left to click, which exits quietly."""
    try:
        yield
    except OSError as e:
        if e.errno == errno.EPIPE:
            raise
        try:  # what stays in the buffer would fail again, with a traceback, when Python flushes it at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # no file descriptor behind it
            pass
        raise UnspunError(f"standard output: cannot write: {e.strerror or e}") from None


def render_text(c: Comparison, console: Console) -> None:
    """Print the summary, then one table row per passage."""
    for label, doc, cov in (("A", c.a, c.coverage_a), ("B", c.b, c.coverage_b)):
        line = Text.assemble((f"{label} ", "bold"), printable(doc.name),
                             f"  {doc.chars:,} chars, {percent(cov)} reused")
        console.print(line, soft_wrap=True)  # a path folded at 120 columns in a file can't be searched for
    console.print(Text.assemble(("likely source ", "bold"), printable(source_line(c))), soft_wrap=True)
    for reason in c.evidence:  # (of A and B, named above: folded at the width asked for)
        console.print(Text(f"  - {printable(reason)}"))
    for note in encoding_notes(c):
        console.print(Text.assemble(("encoding ", "bold yellow"), printable(note)), soft_wrap=True)
    console.print(Text.assemble(("passages ", "bold"), f"{len(c.passages)} ({kind_counts(c)})"))
    if not c.passages:
        return
    table = Table(show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("kind")
    table.add_column("sim", justify="right")
    table.add_column("A span", no_wrap=True)
    table.add_column("B span", no_wrap=True)
    table.add_column("A text", ratio=1)
    table.add_column("B text", ratio=1)
    for i, p in enumerate(c.passages, 1):
        table.add_row(
            str(i),
            p.kind,
            f"{p.similarity:.2f}",
            f"{p.a[0]}-{p.a[1]}",
            f"{p.b[0]}-{p.b[1]}",
            Text(excerpt(c.a.text, *p.a)),
            Text(excerpt(c.b.text, *p.b)),
        )
    console.print(table)
