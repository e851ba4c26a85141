"""The `unspun` command line: argument parsing and output only; the work is done by library functions.

Errors that are the input's fault (`UnspunError`) print one line, ``unspun: error: ...``, and exit with status 2,
like usage errors; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from . import __version__
from .compare import compare
from .errors import UnspunError
from .ingest import read_document
from .models import Comparison
from .report import render_html, render_json, render_text

app = typer.Typer(
    name="unspun",
    help="Find reused text (copied, spun, paraphrased, translated) between documents.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)
eval_app = typer.Typer(help="Measure unspun on benchmark corpora.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

#: Width of text reports written to a file, where there is no terminal to measure.
FILE_WIDTH = 120

P = ParamSpec("P")
R = TypeVar("R")


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    pan_xml = "pan-xml"


def _say(kind: str, message: str) -> None:
    typer.echo(f"unspun: {kind}: {message}", err=True)


def _user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn an `UnspunError` into one line on stderr and exit status 2, never a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UnspunError as e:
            _say("error", str(e))
            raise typer.Exit(2) from None

    return run


def _version(value: bool) -> None:
    if value:
        typer.echo(f"unspun {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Find reused text (copied, spun, paraphrased, translated) between documents."""


@app.command("compare")
@_user_errors
def compare_command(
    a: Annotated[Path, typer.Argument(metavar="A", help="The document suspected of reuse.", show_default=False)],
    b: Annotated[Path, typer.Argument(metavar="B", help="The document it may reuse.", show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Align A against B: reused passages with exact character offsets, coverage, and the likely source."""
    doc_a, doc_b = read_document(a), read_document(b)
    for doc in (doc_a, doc_b):
        if doc.encoding_note:
            _say("warning", f"{doc.name}: {doc.encoding_note}")
    result = compare(doc_a, doc_b)
    if fmt is Format.text and out is None:
        render_text(result, Console())
        return
    _write(_render(result, fmt, a, b), out)
    if fmt is Format.html and out is not None:
        _say("info", f"HTML report written to {out.resolve().as_uri()}")


def _render(c: Comparison, fmt: Format, a: Path, b: Path) -> str:
    if fmt is Format.json:
        return render_json(c) + "\n"
    if fmt is Format.html:
        return render_html(c)
    if fmt is Format.pan_xml:
        from .pan.xml import detections_xml

        return detections_xml(c, this_reference=a.name, source_reference=b.name)
    buf = io.StringIO()
    render_text(c, Console(file=buf, width=FILE_WIDTH))
    return buf.getvalue()


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as e:
        raise UnspunError(f"{out}: cannot write: {e.strerror or e}") from None


@eval_app.command("pan")
@_user_errors
def eval_pan(
    corpus: Annotated[
        Path, typer.Argument(metavar="CORPUS_DIR", help="A PAN text alignment corpus directory.", show_default=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for detections and scores.", show_default=False)],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Pairs aligned in parallel.")] = 1,
) -> None:
    """Run unspun on a PAN corpus and score it with the PAN measures."""
    from .pan.evaluate import main as evaluate

    raise typer.Exit(evaluate(corpus, out, jobs))
