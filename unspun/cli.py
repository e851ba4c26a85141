"""The `unspun` command line: argument parsing and output only; the work is done by library functions.

Errors that are the input's fault (`UnspunError`), and a store that fails once open (damaged pages, a full disk),
print one line, ``unspun: error: ...``, and exit with status 2, like usage errors; anything else is a bug and keeps
its traceback.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import signal
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from . import __version__
from .compare import compare
from .embed import load_on_device
from .errors import InputError, UnspunError, writing
from .ingest import MAX_BYTES, PAGE_SUFFIXES, is_page, read_document, read_text
from .models import CheckResult, Comparison, Document, Failure, Skip
from .report import render_html, render_json, render_text
from .report._common import printable
from .report.text import FILE_WIDTH, console, stdout
from .signals import Terminated, sigterm_unwinds
from .report.text import stdout_errors as _stdout_errors
from .store import DB_FILE, STORE_FILES, StoreFault, store_fault, store_fault_message
from .wording import counted

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .index import Index

app = typer.Typer(
    name="unspun",
    help="Find reused text (copied, spun, paraphrased, translated) between documents.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)
eval_app = typer.Typer(help="Measure unspun on benchmark corpora.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


P = ParamSpec("P")
R = TypeVar("R")


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    pan_xml = "pan-xml"


def _say(kind: str, message: str) -> None:
    typer.echo(f"unspun: {kind}: {printable(message)}", err=True)  # names in it come from outside


#: What a killed worker process is said to be: the OOM killer's choice, as often as not (each holds the model).
_WORKER_DIED = ("a worker process died (killed, perhaps for memory: each worker of a store with the semantic channel "
                "holds the sentence model, ~280 MB)")


def _held(db: Path, since: str) -> str:
    """What a store holds after a run stopped part-way: every batch it committed before ``since``."""
    from .index import Index

    try:
        with Index(db, create=False, readonly=True) as ix:
            return f"{db} holds {counted(len(ix), 'document')}, every batch committed before {since}"
    except UnspunError:  # stopped before the store existed
        return f"{db} holds nothing yet"


def _user_errors(command: Callable[P, R] | None = None, *, model: bool = True) -> Callable[P, R]:
    """Turn an `UnspunError` into one line on stderr and exit status 2, never a traceback. With ``model``, the
    sentence model is loaded first when it runs on a device (`UNSPUN_DEVICE`), so that one it cannot use is an
    error before any work; a command that may not need the model (``model=False``) loads it itself."""
    if command is None:
        return functools.partial(_user_errors, model=model)  # type: ignore[return-value]

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            if model:
                load_on_device()
            return command(*args, **kwargs)
        except UnspunError as e:
            _say("error", str(e))
            raise typer.Exit(2) from None
        except sqlite3.DatabaseError as e:  # a store that opened but fails later: damaged pages, a full disk
            if not store_fault(e):
                raise
            _say("error", store_fault_message(e, kwargs.get("db")))  # type: ignore[arg-type]
            raise typer.Exit(2) from None
        except BrokenProcessPool:  # (`clusters`' workers; `index` says what the store holds)
            _say("error", f"{_WORKER_DIED}; run the same command again (with fewer --jobs if memory is short)")
            raise typer.Exit(2) from None

    return run


class _Said(logging.Handler):
    """The library's warnings (`logging`, logger ``unspun``) as the CLI's own lines: ``unspun: warning: ...``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            _say(record.levelname.lower(), record.getMessage())
            if record.exc_info:
                typer.echo("".join(traceback.format_exception(*record.exc_info)).rstrip(), err=True)
        except Exception:
            self.handleError(record)


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
    library = logging.getLogger("unspun")
    if not any(isinstance(h, _Said) for h in library.handlers):
        library.addHandler(_Said(logging.WARNING))  # (Python's last resort prints only what no handler took)


@app.command("compare")
@_user_errors
def compare_command(
    a: Annotated[str, typer.Argument(
        metavar="A", help="The document suspected of reuse (-: standard input).", show_default=False)],
    b: Annotated[str, typer.Argument(
        metavar="B", help="The document it may reuse (-: standard input).", show_default=False)],
    fmt: Annotated[Format | None, typer.Option(
        "--format", "-f", help="Output format (default: the one --out's suffix names, else text).",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Align A against B: reused passages with exact character offsets, coverage, and the likely source. A web
    page (.html, .htm) is compared by its main text, as `index` and `check` read pages."""
    fmt = _named_format(out, fmt, Format, Format.text)
    if a == b == STDIN:
        raise UnspunError("A and B are both standard input (-): give one of them as a file")
    _writable(out, [a, b])
    doc_a, doc_b = _read(_doc(a)), _read(_doc(b))
    for given, doc in ((a, doc_a), (b, doc_b)):
        if given != STDIN and Path(given).suffix.lower() in RECORD_SUFFIXES:
            _say("warning", f"{given}: compared as one plain text; its records are documents to `index`")
        if doc.encoding_note:
            _say("warning", f"{doc.name}: {doc.encoding_note}")
    result = _compare_shown(doc_a, doc_b, console(stderr=True))
    if fmt is Format.text and out is None:
        with _stdout_errors():
            render_text(result, stdout(FILE_WIDTH))
        return
    _write(_render(result, fmt, Path(a), Path(b)), out)
    if fmt is Format.html and out is not None:
        _say("info", f"HTML report written to {out.resolve().as_uri()}")


def _bar(verb: str, console: Console, shown: bool = True) -> Progress:
    """A progress bar on stderr, in characters, gone once done, after ``verb`` and its task's ``which`` field (a
    document's name, printed as it is: not read as Rich markup); none unless ``shown`` and stderr is a terminal."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(f"{verb} {{task.fields[which]}}", markup=False), BarColumn(), TaskProgressColumn(),
                    TimeElapsedColumn(), console=console, transient=True, disable=not shown or not console.is_terminal)


def _compare_shown(a: Document, b: Document, console: Console) -> Comparison:
    """`compare`, saying so when A and B are too long to align as one pair: they are then aligned a window at a
    time, for minutes on texts of megabytes, with progress in characters of A on stderr where it is a terminal (no
    bar otherwise: a bar started for every comparison hid the cursor and cleared a line of stderr). SIGTERM unwinds
    as Ctrl-C does, so the temporary store of B is removed."""
    bar = _bar("aligning", console)
    task: list[TaskID] = []

    def progress(done: int, total: int) -> None:
        if not task:
            _say("warning", f"{printable(a.name)} and {printable(b.name)} are too long to align as one pair: "
                 "aligning a window of A at a time against the parts of B that share its words")
            bar.start()
            task.append(bar.add_task("aligning", total=total, which=printable(a.name)))
        bar.update(task[0], completed=done)

    with sigterm_unwinds():
        try:
            return compare(a, b, progress=progress)
        finally:
            bar.stop()


#: The argument that stands for standard input (`curl ... | unspun check --db DB -`); a file named so is ``./-``.
STDIN = "-"
#: What a folder given to `check` stands for: the files `index` reads as one document each (records files, such as
#: JSONL or WARC, hold many documents: they are indexed, not checked).
CHECKED_SUFFIXES = frozenset({".txt", ".md", *PAGE_SUFFIXES})
#: Text files of many documents each, named as a DOC: checked as one text, with a warning (compressed and binary
#: ones are refused as any such file).
RECORD_SUFFIXES = frozenset({".jsonl", ".csv", ".warc", ".sgm"})
#: Compressed or binary files of many documents: refused as a DOC, as any such file, with where they belong.
PACKED_RECORD_SUFFIXES = (".jsonl.gz", ".warc.gz", ".parquet")


def _doc(arg: str) -> Path | str:
    """A DOC argument: a path, or `STDIN` as the string itself (a `Path` would make ``./-`` of it too)."""
    if not arg:
        raise UnspunError("an empty DOC argument: name a file, a folder, or - for standard input")  # Path("") is "."
    return STDIN if arg == STDIN else Path(arg)


def _writable(out: Path | None, inputs: Sequence[str] = (), store: Path | None = None) -> None:
    """Refuse an --out that cannot be written before the work, not after it (a folder of checks was lost so), or
    that is one of the command's own inputs (``compare a.txt b.txt --out a.txt`` replaced a.txt with the report),
    or a file of the ``store`` read (``check --out DB/unspun.sqlite`` replaced every stored document with the
    report)."""
    if out is None:
        return
    own = [store / name for name in STORE_FILES] if store is not None else []
    if any(out.resolve() == f.resolve() or (out.exists() and f.exists() and os.path.samefile(out, f)) for f in own):
        raise UnspunError(f"{out}: is a file of the store {store}; write the report elsewhere")
    for given in inputs:
        doc = _doc(given)
        if isinstance(doc, Path) and out.exists() and doc.exists() and (
                out.resolve().is_relative_to(doc.resolve()) if doc.is_dir() else os.path.samefile(out, doc)):
            raise UnspunError(f"{out}: is {'inside ' if doc.is_dir() else ''}{given}, an input of this command; "
                              "write the report elsewhere")
    where = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise UnspunError(f"{out}: cannot write: is a directory")
    if not where.is_dir():
        raise UnspunError(f"{out}: cannot write: no such directory {where}")
    if not os.access(out if out.exists() else where, os.W_OK):  # a file is written in place: /dev/null's folder
        raise UnspunError(f"{out}: cannot write: permission denied")


def _read(path: Path | str, *, tell: bool = True) -> Document:
    """A text file as read, or a web page's main text, as `index` reads pages (the HTML extractor is loaded only
    for a page; ``tell``: say so); ``-``: standard input, decoded as a text file is."""
    if path == STDIN:
        return _read_stdin()
    if str(path) == STDIN:  # the file `./-` (a `Path` drops the "./"): not named as standard input is
        path = f"./{STDIN}"
    if not is_page(path):
        try:
            return read_document(path)
        except InputError as e:
            if str(path).lower().endswith(PACKED_RECORD_SUFFIXES):  # "looks like a gzip archive" said no more
                raise InputError(f"{e}; its records are documents to `index` (unspun index --db DB {path})") from None
            raise
    from .corpus import read_page

    if tell:
        _say("info", f"{path}: a web page: its main text is used, as `index` stores pages (offsets are into that text)")
    return read_page(path)


def _read_stdin() -> Document:
    """Standard input as a document. A terminal gets a line saying what is awaited (a stray `-` waited silently);
    a closed or unreadable one (a job run with stdin closed) is an input error, not a traceback."""
    if sys.stdin is None:
        raise InputError(f"{STDIN}: standard input is closed")
    if sys.stdin.isatty():
        _say("info", "reading the document from standard input (the terminal) until end of input (Ctrl-D)")
    try:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    except OSError as e:
        raise InputError(f"{STDIN}: cannot read standard input: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:  # read no further: how much more there is stays unknown ("50.0 MB is larger" misled)
        raise InputError(f"{STDIN}: standard input is larger than the {MAX_BYTES / 1e6:g} MB limit")
    return read_text(data, STDIN, max_bytes=MAX_BYTES)


def _render(c: Comparison, fmt: Format, a: Path, b: Path) -> str:
    if fmt is Format.json:
        return render_json(c) + "\n"
    if fmt is Format.html:
        return render_html(c)
    if fmt is Format.pan_xml:
        from .pan.xml import detections_xml

        return detections_xml(c, this_reference=a.name, source_reference=b.name)
    buf = io.StringIO()
    render_text(c, console(file=buf, width=FILE_WIDTH))
    return buf.getvalue()


def _write(text: str, out: Path | None) -> None:
    if out is None:
        with _stdout_errors():
            typer.echo(text, nl=False)
        return
    with writing(out):
        out.write_text(text, encoding="utf-8")


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


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


@app.command("index")
@_user_errors(model=False)
def index_command(
    db: Annotated[Path, typer.Option(
        "--db", help="Store directory (created when missing and INPUT is given).", show_default=False)],
    inputs: Annotated[list[Path] | None, typer.Argument(
        metavar="INPUT", help="Files or directories: .txt .md .html .htm .jsonl(.gz) .csv .parquet .warc(.gz) "
        ".sgm. None: bring the store up to date (embed passages a crash or a lost vector file left without vectors).",
        show_default=False, readable=False)] = None,  # an unreadable one is a failure of its own, not the run's
    semantic: Annotated[bool | None, typer.Option(
        "--semantic/--no-semantic", help="Embed passages for the semantic channel (set when the store is created; "
        "default: on).", show_default=False)] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1, help="Processes cutting, fingerprinting and embedding text (with UNSPUN_DEVICE set, "
        "the writer embeds on that device and they only cut).")] = 2,
) -> None:
    """Add documents to a store; the same id again replaces the document. Summary of indexed/skipped/failed."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .corpus import read_inputs
    from .embed import use_all_cores
    from .index import Index

    if not inputs and not (db / DB_FILE).is_file():  # the store's own message told to run the command just run
        raise UnspunError(f"{db}: no unspun store here to bring up to date; give the files or folders to index "
                          f"(unspun index --db {db} FILE_OR_FOLDER...)")
    if inputs and not (db / DB_FILE).is_file() and not any(os.path.lexists(i) for i in inputs):
        # A typo: no store is made (with its channels fixed by this run). Into a store, it fails as any input does.
        others = "" if len(inputs) == 1 else " (nor any other input)"
        raise UnspunError(f"{inputs[0]}: no such file or directory{others}; nothing indexed")
    use_all_cores()
    if semantic is not False:  # a lexical store (--no-semantic) never runs the model
        load_on_device()
    err = console(stderr=True)
    with sigterm_unwinds():
        try:
            with Index(db, semantic=semantic, create=bool(inputs)) as ix, Progress(
                SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(pulse_style="cyan"),
                TextColumn("{task.completed} read"), TimeElapsedColumn(), console=err, transient=False,
            ) as bar:
                task = bar.add_task("indexing", total=None)
                report = ix.add(read_inputs(inputs or []), progress=lambda _: bar.advance(task), jobs=jobs,
                                status=lambda msg: bar.update(task, description=msg or "indexing"))
                total = len(ix)
        except (KeyboardInterrupt, Terminated) as stop:
            # A second Ctrl-C or SIGTERM must not cut this line short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            what = "terminated" if isinstance(stop, Terminated) else "interrupted"
            _say("error", f"{what}: {_held(db, 'the interrupt')}; run the same command again to complete it")
            if isinstance(stop, Terminated):
                raise  # `sigterm_unwinds` ends the process by the signal (status 143 in a shell), as before
            raise typer.Exit(130) from None
        except StoreFault as fault:
            if "full" not in str(fault):
                raise
            # (said only "database or disk is full": nothing said that the batches before it are kept, QA)
            raise UnspunError(f"{fault}: {_held(db, 'the disk filled')}; free some space, then run the same command "
                              "again to complete it") from None
        except BrokenProcessPool:  # (a 63-line traceback and exit status 1)
            _say("error", f"{_WORKER_DIED}: {_held(db, 'it died')}; run the same command again to complete it "
                          "(with fewer --jobs if memory is short)")
            raise typer.Exit(2) from None
    # One line per item, never folded at the console's width (80 columns in a log file): `grep failed` must
    # find each whole path and reason.
    # "unchanged" only where there are some: the line a first run prints stays as it was.
    same = f"unchanged {report.unchanged}, " if report.unchanged else ""
    # "indexed 2 ... the store holds 1 document" read as a lost document: repeats (indexed or unchanged) are said.
    again = f"repeated {report.repeated}, " if report.repeated else ""
    err.print(f"indexed {report.indexed} ({report.replaced} replaced), {same}{again}skipped {report.skipped_count}, "
                  f"failed {len(report.failed)}; the store holds {counted(total, 'document')}",
                  soft_wrap=True)
    if ix.reembedded:  # what `index --db DB` alone is for; it said only "indexed 0"
        err.print(f"embedded again {counted(ix.reembedded, 'passage')} that had no vector "
                      "(a run killed before it saved them, or a lost or damaged vector file)", soft_wrap=True)
    if ix.dropped_stale:
        err.print(f"dropped {counted(ix.dropped_stale, 'vector')} of passages no longer stored (a run killed before "
                  "it saved the vectors)", soft_wrap=True)
    if report.repeated:
        _say("warning", f"{counted(report.repeated, 'document')} repeated an id given earlier in this run, and the "
                        f"last one read was kept (e.g. {', '.join(report.repeated_ids)}). A file under a folder INPUT "
                        "is named by its path inside that folder (two folders holding the same file names collide), "
                        "a record by its id, a WARC response by its URL (a page crawled twice).")
    if report.elsewhere:
        # Indexing bbc/business, then bbc/politics, replaced 19 business articles without a word (QA).
        doc_id, before, now = report.elsewhere_ids[0]
        _say("warning", f"{counted(report.elsewhere, 'document')} replaced one of the same id read from another "
                        f"folder (e.g. {doc_id!r}, stored from {before}, now from {now}): a file under a folder INPUT "
                        "is named by its path inside that folder; to keep both, index the folder above both into a "
                        "new store (ids then begin with their folder's name).")
    for word, items in (("note", report.notes), ("skipped", report.skipped), ("failed", report.failed)):
        for f in items:
            err.print(printable(f"  {word} {f.origin}: {_one_line(f.reason)}"), markup=False, highlight=False,
                          soft_wrap=True)
    if not report.indexed and not report.unchanged and (report.failed or (inputs and not total)):
        # nothing could be read (or the inputs held nothing a reader takes, each said above, and the store is
        # empty): a script must not take this run for a success. Documents found unchanged were read: the same
        # command run again (a folder with one bad file in it) ends as the first run did.
        raise typer.Exit(2)


@app.command("delete")
@_user_errors(model=False)
def delete_command(
    ids: Annotated[list[str], typer.Argument(
        metavar="ID", help="Ids of stored documents, as `index` named them and `check` reports them (after `--` "
        "for ids starting with -).",
        show_default=False)],
    db: Annotated[Path, typer.Option("--db", help="Store directory made by `unspun index`.", show_default=False)],
) -> None:
    """Remove documents from a store (a file taken out of an indexed folder stays stored, and found, until then).
    An id the store doesn't hold is one warning line, and the exit status is 2; the others are still removed."""
    from .index import open_index

    def waiting(message: str | None) -> None:  # `index` writing the store: said, not a silent hang
        if message:
            _say("note", f"{db}: {message} (Ctrl-C to give up; nothing is deleted then)")

    try:
        with open_index(db, readonly=False) as ix:
            missing = ix.delete_many(ids, status=waiting)
            total = len(ix)
    except KeyboardInterrupt:  # (it exited 130 without a word: was anything deleted?)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with open_index(db) as ix:
            left = sum(ix.store.doc_key(i) is not None for i in set(ids))
        _say("error", f"interrupted: {counted(left, 'document')} of the ids given still stored in {db} (a deletion is "
                      "one transaction: all of them are deleted, or none)")
        raise typer.Exit(130) from None
    for id in missing:
        _say("warning", f"{id!r}: no document with this id in {db}")
    gone = len(set(ids)) - len(missing)
    typer.echo(f"deleted {gone}; the store holds {counted(total, 'document')}", err=True)
    if missing:
        raise typer.Exit(2)


def _one_line(reason: str) -> str:
    """A reason on one line: libraries' messages carry line breaks (pyarrow's "...No more data to read.\\nDeserializing
    page header failed.\\n"), which split a failure over lines `grep failed` does not show."""
    return " ".join(reason.split())


def _checked_files(docs: list[Path | str]) -> list[tuple[Path | str | Failure, list[str]]]:
    """The DOCs, each folder among them standing for its text files and web pages (hidden ones left out, in name
    order, as `index` walks folders), and the folders inside that could not be read (they were left out without a
    word, and a folder holding only such was "no .txt file in this folder"); each file once, standard input at most
    once. Each with the ids `index` gives that file (its path inside the folder given, or its name): a file named
    twice (itself and inside a folder, or inside two folders) has each, in whatever order the DOCs came."""
    from .corpus import walk

    if docs.count(STDIN) > 1:
        raise UnspunError("standard input (-) is given more than once")
    out: list[tuple[Path | str | Failure, list[str]]] = []
    ids: dict[str, list[str]] = {}  # by real path: a file named and also inside a folder named is checked once
    first: dict[str, Path] = {}  # ...as the path it was first found by
    for d in docs:
        if d == STDIN or not os.path.isdir(d):  # an unreadable path is read, and said so, as a file
            found: list[tuple[Path | str | Failure, str | None]] = [(d, None if d == STDIN else d.name)]
        else:
            found = [(f, None if isinstance(f, Failure) else f.relative_to(d).as_posix()) for f in walk(d)
                     if isinstance(f, Failure) or f.suffix.lower() in CHECKED_SUFFIXES]
            if not found:
                _say("warning", f"{d}: no {', '.join(sorted(CHECKED_SUFFIXES))} file in this folder (JSONL, CSV, "
                                "Parquet and WARC files hold many documents: index them)")
        for f, own in found:
            if not isinstance(f, Path):
                out.append((f, []))
            elif (key := os.path.realpath(f)) in ids:
                ids[key].append(own)
                if os.path.abspath(f) != os.path.abspath(first[key]):  # a link: the report named it nowhere
                    how = "a link to it" if os.path.islink(f) else "which is a link to it"
                    _say("info", f"{f}: the same file as {first[key]} ({how}), checked once as that")
            else:
                ids[key], first[key] = [own], f
                out.append((f, ids[key]))
    return out


def _read_checked(ix: Index, files: list[tuple[Path | str | Failure, list[str]]], exclude: list[str],
                  exclude_self: bool) -> tuple[list[tuple[Document, list[str]]], list[str]]:
    """Each DOC read, with the stored ids its check leaves out, and why each DOC that could not be read was not
    (each said on its line). A DOC's own id that is not stored is no mistake (`_no_selves` says when none is)."""
    # Pages are said of once, not line by line: a folder of a thousand pages drowned the errors in those lines.
    pages = [f for f, _ in files if isinstance(f, Path) and is_page(f)]
    if len(pages) > 1:
        _say("info", f"{len(pages)} web pages ({pages[0]}, ...): each is checked by its main text, as `index` "
                     "stores pages (offsets are into that text)")
    documents, unread = [], []
    for d, own in files:
        try:
            if isinstance(d, Skip):  # a link to a folder inside
                _say("warning", f"{d.origin}: {d.reason}")
                continue
            if isinstance(d, Failure):  # a folder inside that could not be read
                raise InputError(f"{d.origin}: {d.reason}")
            if isinstance(d, Path) and d.suffix.lower() in RECORD_SUFFIXES:
                _say("warning", f"{d}: checked as one plain text; its records are documents to `index`")
            doc = _read(d, tell=len(pages) < 2)
        except InputError as e:
            unread.append(str(e))
            _say("error", str(e))
            continue
        if doc.encoding_note:
            _say("warning", f"{doc.name}: {doc.encoding_note}")
        mine = [i for i in own if ix.store.doc_key(i) is not None] if exclude_self else []
        documents.append((doc, exclude + mine))
    return documents, unread


def _no_selves(ix: Index, files: list[tuple[Path | str | Failure, list[str]]], db: Path) -> None:
    """Warn when `--exclude-self` leaves nothing out: the ids it names are paths inside the folders given to `check`,
    and a folder above or below the one given to `index` (``check bbc/tech`` of a store indexed from ``bbc``) names
    none that is stored, so every document was its own first source, without a word. Some documents not stored
    (new ones checked beside old ones) are no mistake."""
    named = [(f, own) for f, own in files if isinstance(f, Path) and own]
    if named and not any(ix.store.doc_key(i) is not None for _, own in named for i in own):
        f, own = named[0]
        _say("warning", f"--exclude-self: no DOC has a stored document of its own id in {db} (e.g. {f} would be "
                        f"{own[0]!r}); ids are paths inside the folder given to `index` (or file names): give "
                        "`check` that same folder")


def _check_all(ix: Index, documents: list[tuple[Document, list[str]]], top: int, console: Console
               ) -> list[CheckResult]:
    """Each document checked in turn, each with the stored ids it leaves out. Progress on stderr, in characters,
    gone once it prints: for several documents (a folder of a thousand took minutes with nothing on screen before
    the whole report) or one long enough to be checked a window at a time (a 30 MB text takes minutes); none where
    stderr is no terminal, which kept the empty line it left."""
    from .index import LONG_TEXT_CHARS

    shown = len(documents) > 1 or any(len(d.text) > LONG_TEXT_CHARS for d, _ in documents)
    results: list[CheckResult] = []
    with _bar("checking", console, shown) as bar:
        task = bar.add_task("checking", total=sum(len(d.text) for d, _ in documents) or 1, which="")
        before = 0
        for n, (d, exclude) in enumerate(documents, 1):
            bar.update(task, which=f"{n}/{len(documents)}" if len(documents) > 1 else printable(d.name))
            results.append(ix.check(d, top=top, exclude=exclude,
                                    progress=lambda done, _, at=before: bar.update(task, completed=at + done)))
            before += len(d.text)
    return results


@app.command("check")
@_user_errors
def check_command(
    docs: Annotated[list[str], typer.Argument(
        metavar="DOC",
        help="Documents to check: files (.txt .md .html .htm), folders of them, - for standard input.",
        show_default=False)],
    db: Annotated[Path, typer.Option("--db", help="Store directory made by `unspun index`.", show_default=False)],
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="Sources reported per document.")] = 5,
    fmt: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", help="Output format (default: the one --out's suffix names, else text).",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", "-x", metavar="ID", show_default=False,
        help="Leave out the stored document with this id, for every DOC (repeatable).")] = None,
    exclude_self: Annotated[bool, typer.Option(
        "--exclude-self", help="Leave out, for each DOC, the stored document with the id `index` gives that file "
        "(its path inside the folder given, or its file name): a corpus checked against the store it was indexed "
        "into, where each document would be its own first source.")] = False,
) -> None:
    """Find the indexed sources of each document: ranked, aligned passage by passage, the likely original named.
    A document that can't be read is one error line; the others are still checked, and the exit status is 2."""
    from .embed import use_all_cores
    from .index import open_index
    from .report.check import render_check_html, render_check_json, render_check_text

    fmt = _named_format(out, fmt, CheckFormat, CheckFormat.text)
    _writable(out, docs, db)
    given = [_doc(d) for d in docs]
    use_all_cores()  # one check at a time: the query's embeddings may take every core
    with open_index(db) as ix:
        if not len(ix):  # "no reuse found" from a store with nothing in it would read as "this text is original"
            raise UnspunError(f"{db}: the store holds no documents; index some first "
                              f"(unspun index --db {db} FILE_OR_FOLDER...)")
        # A translation of a passage without its vector is not found, and "no reuse found" said nothing of it (QA).
        waiting = ix.unembedded()
        have = "has" if waiting == 1 else "have"
        if waiting and ix.writing():
            _say("warning", f"{db}: an `index` run is writing the store, and {counted(waiting, 'passage')} it wrote "
                            f"{have} no vector yet (saved when it ends): until then a translation of them is not found")
        elif waiting:
            _say("warning", f"{db}: {counted(waiting, 'passage')} {have} no vector (an `index` run was stopped before "
                            f"it saved them): a translation of them is not found until `unspun index --db {db}` "
                            "embeds them")
        known = []
        for i in exclude or []:
            if ix.store.doc_key(i) is None:
                _say("warning", f"--exclude {i!r}: no document with this id in {db}")
            else:
                known.append(i)
        files = _checked_files(given)
        if exclude_self:
            _no_selves(ix, files, db)
        documents, unread = _read_checked(ix, files, known, exclude_self)
        if not documents:
            if fmt is CheckFormat.json:  # the shape a script reads whatever failed: no output was a second one
                _write(render_check_json([]) + "\n", out)
            elif fmt is CheckFormat.html:  # a report of an earlier run stood at --out, read as this one's (review)
                _write(render_check_html([], unread), out)
            raise typer.Exit(2)
        results = _check_all(ix, documents, top, console(stderr=True))
    if fmt is CheckFormat.json:
        _write(render_check_json(results) + "\n", out)
    elif fmt is CheckFormat.html:
        _write(render_check_html(results, unread), out)
        if out is not None:
            _say("info", f"HTML report written to {out.resolve().as_uri()}")
    elif out is None:
        with _stdout_errors():
            render_check_text(results, stdout(FILE_WIDTH))
    else:
        buf = io.StringIO()
        render_check_text(results, console(file=buf, width=FILE_WIDTH))
        _write(buf.getvalue(), out)
    if unread:
        raise typer.Exit(2)


@app.command("serve")
@_user_errors
def serve_command(
    db: Annotated[Path, typer.Option("--db", help="Store directory made by `unspun index`.", show_default=False)],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free one).")] = 8000,
    write_token: Annotated[str | None, typer.Option(
        "--write-token", envvar="UNSPUN_WRITE_TOKEN",
        help="Bearer token for POST/DELETE /v1/documents; without one the server is read-only.")] = None,
    max_body: Annotated[int, typer.Option(help="Largest request body in bytes (413 above).")] = 10_000_000,
    workers: Annotated[int | None, typer.Option(
        help="Requests handled at once; others queue (default: one per core, 2 to 8).", show_default=False)] = None,
    max_text: Annotated[int, typer.Option(
        help="Longest text /v1/check and /v1/compare take, in characters (413 above).")] = 200_000,
) -> None:
    """HTTP API (/v1/check, /v1/compare, /v1/documents) and a web page over a store."""
    from .serve import run

    run(db, host, port, write_token, max_body, workers, max_text)


class ClusterFormat(StrEnum):
    jsonl = "jsonl"
    parquet = "parquet"
    csv = "csv"


class Engine(StrEnum):
    local = "local"
    spark = "spark"


@app.command("clusters")
@_user_errors
def clusters_command(
    db: Annotated[Path, typer.Option("--db", help="Store directory made by `unspun index`.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (written atomically).", show_default=False)],
    fmt: Annotated[ClusterFormat | None, typer.Option(
        "--format", "-f", help="Output format (default: the one --out's suffix names, else jsonl).",
        show_default=False)] = None,
    engine: Annotated[Engine, typer.Option(help="Where to compute: this process or PySpark.")] = Engine.local,
    master: Annotated[str | None, typer.Option(
        help="Spark master URL, with --engine spark (default local[*]).")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Print the largest clusters.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write an HTML overview here.")] = None,
    input: Annotated[list[Path] | None, typer.Option(
        "--input", help="JSONL/Parquet records (any `index` input) indexed into --db first, with either engine; "
        "a new store is lexical-only (repeatable).")] = None,
) -> None:
    """Every reuse link in a store, clusters of documents that share a story with its original, and boilerplate."""
    from .clusters import run

    if master is not None and engine is not Engine.spark:
        _say("warning", f"--master {master} is for --engine spark; the local engine ignores it (it runs on this "
                        "machine)")
    run(db, out, _named_format(out, fmt, ClusterFormat, ClusterFormat.jsonl).value, engine.value, master, summary,
        html, input)


#: The formats output files' suffixes name.
_SUFFIX_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".xml": "pan-xml",
                   ".jsonl": "jsonl", ".parquet": "parquet", ".csv": "csv",
                   # No command compresses: `--out links.jsonl.gz` was plain JSON lines that zcat refused (QA).
                   ".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}

F = TypeVar("F", bound=StrEnum)


def _named_format(out: Path | None, fmt: F | None, formats: type[F], default: F) -> F:
    """The format ``--out``'s suffix names (among ``formats``) unless ``--format`` says one, which must not
    contradict it: `--out map.parquet` wrote JSON lines into map.parquet, which Parquet readers refuse, and
    `-o report.html` a text table. A suffix naming a format the command does not write is refused too."""
    suffix = out.suffix.lower() if out is not None else ""
    named = next((f for f in formats if f.value == _SUFFIX_FORMATS.get(suffix)), None)
    if named is None and suffix in _SUFFIX_FORMATS:  # `check -o out.xml` wrote a text table into out.xml
        raise UnspunError(f"--out {out} names {_SUFFIX_FORMATS[suffix]}, which this command does not write (it "
                          f"writes {', '.join(f.value for f in formats)}): give --out another name")
    if fmt is None:
        return named or default
    if named is not None and named is not fmt:
        raise UnspunError(f"--out {out} names {named.value} but --format is {fmt.value}: give --out another name, "
                          "or leave --format out")
    return fmt


if __name__ == "__main__":  # `python -m unspun.cli ...` runs the command, as the `unspun` script does
    app()
