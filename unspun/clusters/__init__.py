"""`unspun clusters`: every reuse link in a store, the clusters they form with each one's likely original, and the
boilerplate that must not count as reuse.

Three passes over the stored documents, each per document so it spreads over processes (local engine) or Spark
workers (spark engine) that open the store read-only:

1. sentence hashes, counted over the corpus: sentences in many otherwise unrelated documents are boilerplate
   (`boilerplate`);
2. `Index.check` of every document against the store without itself, boilerplate passages dropped and coverage
   recomputed (`links.doc_links`), both directions of a pair merged into one link (`links.merge`);
3. clusters over the links that explain a real share of the shorter document (`graph`).

Output: JSONL records typed ``link``, ``cluster`` and ``boilerplate``, or one Parquet/CSV file per type
(`output`); `--summary` and `--html` (`overview`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import UnspunError, writing
from ..index import Index, open_index
from ..models import Failure
from ..report.text import console, stdout_errors
from ..store import DB_FILE, STORE_FILES
from ..wording import counted
from . import boilerplate as bp
from . import local, output, overview
from .graph import Cluster, clusters
from .links import Link
from .params import ClusterParams

log = logging.getLogger("unspun.clusters")

__all__ = ["run", "compute", "ClusterParams", "ClusterResult", "Link", "Cluster"]

ENGINES = ("local", "spark")


@dataclass
class ClusterResult:
    documents: int
    links: dict[tuple[str, str], Link]
    clusters: list[Cluster]
    boilerplate: list[dict]

    def records(self) -> dict[str, list[dict]]:
        return {"link": [self.links[k].to_json() for k in sorted(self.links)],
                "cluster": [c.to_json() for c in self.clusters],
                "boilerplate": self.boilerplate}


class _Bars:
    """One rich progress bar per stage, on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.progress = Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console(stderr=True), disable=quiet, transient=False)

    @contextmanager
    def stage(self, name: str, total: int) -> Iterator:
        task = self.progress.add_task(name, total=total)
        yield lambda n: self.progress.advance(task, n)
        self.progress.update(task, completed=total)


def compute(db: str | Path, *, engine: str = "local", master: str | None = None, params: ClusterParams | None = None,
            quiet: bool = False) -> ClusterResult:
    """Links, clusters and boilerplate of a store, with either engine (the same result from both)."""
    if engine not in ENGINES:
        raise UnspunError(f"unknown engine {engine!r} (choose local or spark)")
    p = params or ClusterParams()
    db = str(db)
    ix = open_index(db)
    try:
        before = _stored(ix)
        ids = list(ix.ids())
        if not ids:
            raise UnspunError(f"{db}: the store is empty (index documents first)")
        if told := ix.writing():
            log.warning("%s: an `index` run is writing the store: the clusters are of the documents stored when this "
                        "run began, and their links may reach documents stored since", db)
        bars = _Bars(quiet)
        if engine == "spark":
            from . import spark
            ctx = spark.session(master)
        else:
            ctx = nullcontext(None)
        with ctx as sc, bars.progress:
            with bars.stage("sentences", len(ids)) as tick:
                hashes = (spark.sentence_hashes(sc, db, ids, p, tick) if sc is not None
                          else local.sentence_hashes(db, ids, p, tick))
            found = bp.detect(ids, hashes, p)
            del hashes
            boiler = frozenset(b.hash for b in found)
            with bars.stage("links", len(ids)) as tick:
                links = (spark.links(sc, db, ids, boiler, p, tick) if sc is not None
                         else local.links(db, ids, boiler, p, tick))
        boiler_records = [{"type": "boilerplate", "text": bp.example_text(ix.get(b.examples[0]).text, b.hash, p),
                           "documents": b.documents, "examples": b.examples} for b in found]
        if _stored(ix) != before and not told:
            # QA: 640 documents said, while the output named 20 documents stored after them, their links one-sided.
            log.warning("%s: the store changed while this run read it (another process indexed or deleted "
                        "documents): its output mixes the store before and after; run it again once the writer is "
                        "done", db)
        return ClusterResult(len(ids), links, clusters(links.values(), p), boiler_records)
    finally:
        ix.close()


def _stored(ix: Index) -> int:
    """SQLite's count of commits other connections made to the store, as this thread's connection sees it: a run that
    asks it at its start and its end (on one thread) learns whether anyone wrote meanwhile (counts and the newest key
    missed a replacement of the newest document, which took its key again; review)."""
    return ix.store.connection().execute("PRAGMA data_version").fetchone()[0]


def _index_inputs(db: Path, inputs: list[Path]) -> None:
    """Index JSONL/Parquet/folders into ``db`` (created when missing) before clustering, like `unspun index`."""
    from ..corpus import read_inputs

    if not (db / DB_FILE).is_file() and not any(i.exists() or i.is_symlink() for i in inputs):
        # A typo made an empty store before the error that it is empty (`index` makes none either).
        others = "" if len(inputs) == 1 else " (nor any other --input)"
        raise UnspunError(f"{inputs[0]}: no such file or directory{others}; nothing indexed")
    with Index(db, create=True, semantic=False) as ix:
        report = ix.add(read_inputs(inputs))
    bad: list[Failure] = report.failed
    if bad:
        print(f"unspun: warning: {counted(len(bad), 'input')} not indexed (first: {bad[0].origin}: {bad[0].reason})",
              file=sys.stderr)
    if report.skipped:
        s = report.skipped[0]
        more = f" (and {len(report.skipped) - 1} more skip reports)" if len(report.skipped) > 1 else ""
        print(f"unspun: warning: skipped {s.origin}: {s.reason}{more}", file=sys.stderr)


def _apart(db: Path, targets: list[Path], html: Path | None, inputs: list[Path]) -> None:
    """No file is written over another output, the store or an input: `--html` named as `--out` replaced the records
    with the page, `--out DB/unspun.sqlite` replaced the store with the records, and `--out` named as an `--input`
    replaced the user's records with links (QA), each without a word."""
    def real(p: Path) -> Path:  # (`Path.resolve` raised on a loop of links: a traceback)
        return Path(os.path.realpath(p))

    store = {real(db / name) for name in STORE_FILES}
    given = {real(i) for i in inputs}
    pages = [] if html is None else [html, overview.pair_dir(html)]
    outs = {real(t): t for t in targets}
    for t in [*targets, *pages]:
        if real(t) in store:
            raise UnspunError(f"{t}: is a file of the store {db}; write the output elsewhere")
        if real(t) in given:
            raise UnspunError(f"{t}: is also given as --input; write the output elsewhere")
        if folder := next((i for i in inputs if real(i).is_dir() and real(i) in real(t).parents), None):
            # A later run with the same command read the links back as documents (review).
            raise UnspunError(f"{t}: is inside the --input folder {folder}, where a later run would index it as a "
                              "document; write the output elsewhere")
    for page in pages:
        if real(page) in outs:
            raise UnspunError(f"{page}: is also where --out writes {outs[real(page)].name}; give --html another name")


def run(db: Path, out: Path, fmt: str = "jsonl", engine: str = "local", master: str | None = None,
        summary: bool = False, html: Path | None = None, input: list[Path] | None = None,
        params: ClusterParams | None = None, quiet: bool = False) -> None:
    """`unspun clusters`: compute and write everything; user errors are one-line `UnspunError`s."""
    if fmt not in output.FORMATS:
        raise UnspunError(f"unknown format {fmt!r} (choose {', '.join(output.FORMATS)})")
    db, out = Path(db), Path(out)
    if fmt != "jsonl" and output.in_place(out):
        raise UnspunError(f"{out}: not a regular file (a device or a pipe); --format {fmt} writes a file per record "
                          "type, named after --out: give a file name")
    targets = list(dict.fromkeys(output.paths(out, fmt).values()))
    for target in targets:
        output.writable(target)
    if html is not None:
        overview.check_target(Path(html))
    _apart(db, targets, None if html is None else Path(html), [Path(i) for i in input or []])
    if input:
        _index_inputs(db, [Path(i) for i in input])
    res = compute(db, engine=engine, master=master, params=params, quiet=quiet)
    if not res.links and not res.boilerplate:
        raise UnspunError(f"{db}: no reuse link among its {counted(res.documents, 'document')}; nothing to cluster")
    # Boilerplate without any link (a licence footer under unrelated stories) is still written: an audit of a
    # corpus's boilerplate got an error and no file.
    records = res.records()
    bars = _Bars(quiet)
    with bars.progress:
        with bars.stage("writing", sum(map(len, records.values()))) as tick, writing(out):
            output.write(out, fmt, records, tick)
        if html is not None:
            with (bars.stage("html", min(len(res.clusters), overview.SHOW)) as tick, writing(Path(html)),
                  open_index(db) as ix):
                overview.write_html(Path(html), ix, res.clusters, res.links, res.boilerplate, res.documents, tick)
    if summary:  # on a full disk (`> summary.txt`), one error line as `compare` and `check` say it, not a traceback
        with stdout_errors():
            print(overview.summary(res.clusters, len(res.links), len(res.boilerplate), res.documents), flush=True)
