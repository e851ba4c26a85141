"""`make demo`: the main job on the embedded store: index news, check a copy, write the HTML report.

Indexes the seed original (an op-ed) among the BBC politics articles of ../shared/data into `demo.unspun/`,
checks the seed copy (its French round trip, with link debris) against it and writes `report.html`. Without
../shared/data it writes a small example of its own to `demo-example/` beside the store, so the demo always runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path


from rich.progress import Progress

from .corpus import read_inputs
from .embed import use_all_cores
from .errors import UnspunError
from .fingerprints import CUT_VERSION
from .index import Index
from .ingest import read_document
from .store import DB_FILE, Store, _not_the_stores
from .report.check import render_check_html, render_check_text
from .report.text import FILE_WIDTH, stdout
from .wording import counted

#: Store metadata naming the inputs a demo store was built from: another data folder means another store.
DEMO_INPUTS = "demo_inputs"
EXAMPLE = "demo-example"  # beside the store: the example written when the data is absent
DEFAULT_DB = Path("demo.unspun")

#: BBC sections indexed around the seed original: real news as distractors, small enough for a quick demo.
NEWS = ("politics",)

_EXAMPLE_SOURCE = (
    "City council approves new tram line\n\n"
    "The city council voted on Monday to build a tram line linking the railway station to the university campus. "
    "Supporters said the line would cut traffic in the old town and serve twenty thousand riders a day. "
    "Opponents warned that the cost, estimated at ninety million euros, could rise during construction. "
    "The mayor said work would begin next year and last about three years.\n"
)
_EXAMPLE_COPY = (
    "date 2024-05-02 On Monday the municipal council voted to construct a tramway connecting the train station "
    "to the university campus. Supporters said that the line would reduce traffic in the historic centre and carry "
    "twenty thousand passengers each day. Read more: Ten best cafés near the station you must visit this summer "
    "and why locals love them so much MORE Opponents cautioned that the cost, estimated at ninety million euros, "
    "might increase during the works. The mayor said construction would start next year and take around three "
    "years.\n"
)


def _inputs(data: Path, example: Path) -> tuple[list[Path], Path]:
    """(what to index, the copy to check): the seed original among real news, or a small example of our own
    written to the folder ``example`` (one folder rewritten each run, so runs leave nothing behind elsewhere)."""
    seeds = data / "seeds"
    originals, copies = sorted(seeds.glob("001_*.txt")), sorted(seeds.glob("000_*.txt"))
    if originals and copies:
        news = [data / "bbc-news-2225" / c for c in NEWS if (data / "bbc-news-2225" / c).is_dir()]
        return [*news, originals[0]], copies[0]
    (example / "corpus").mkdir(parents=True, exist_ok=True)
    (example / "corpus" / "original.txt").write_text(_EXAMPLE_SOURCE, encoding="utf-8")
    (example / "copy.txt").write_text(_EXAMPLE_COPY, encoding="utf-8")
    return [example / "corpus"], example / "copy.txt"


def _built_from(path: Path) -> tuple[str | None, bool, bool]:
    """What a store was built from (None: not by the demo), whether it holds documents and whether this version
    cuts texts as it was cut (`CUT_VERSION`), read without opening it for writing (which would embed a semantic
    store's pending passages)."""
    store = Store(path, readonly=True)
    try:
        documents = store.connection().execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None
        return store.meta(DEMO_INPUTS), documents, store.cut == CUT_VERSION
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"),
                    help="the shared data folder (seeds/, bbc-news-2225/); without it, a small example of the demo's "
                         "own (default: %(default)s)")
    ap.add_argument("--db", type=Path, default=DEFAULT_DB,
                    help="the demo's store: made, or reused when built from the same inputs (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("report.html"), help="the HTML report (default: %(default)s)")
    args = ap.parse_args()
    try:
        _run(args.data, args.db, args.out)
    except (UnspunError, OSError) as e:  # a traceback before, some after the indexing and the check
        raise SystemExit(f"demo: error: {e}") from None


def _run(data: Path, db: Path, out: Path) -> None:
    """Index ``data``'s seed original among news into ``db`` (or reuse it), check the seed copy, write ``out``;
    paths it cannot use are refused before any work."""
    if out.is_dir() or not out.parent.is_dir():  # (found once the work was done)
        raise UnspunError(f"--out {out}: {'is a folder' if out.is_dir() else f'no folder {out.parent}'}; give the "
                          "report's file name")
    console = stdout(FILE_WIDTH)  # piped or logged, ids are not folded at 80 columns
    was, current = None, True
    if (db / DB_FILE).is_file():
        was, documents, current = _built_from(db)
        if was is None and documents and db != DEFAULT_DB:  # (the default one: an older demo's)
            raise UnspunError(f"{db} is not a store `make demo` built: give another --db (it is left as it is)")
    elif db.is_dir() and (others := _not_the_stores(db)):  # (the example was written beside it, then a traceback)
        raise UnspunError(f"--db {db} is a folder of other files ({others}), not a store: give another --db")
    inputs, copy = _inputs(data, db.parent / EXAMPLE)
    example = copy.parent.name != "seeds"
    if example:
        console.print(f"[yellow]{data / 'seeds'} not found: using a small example written to {copy.parent}; "
                      "point the demo at the data with `make demo DATA=/path/to/data`[/]")
    use_all_cores()
    built_from = "the built-in example" if example else json.dumps([str(p.resolve()) for p in inputs])
    if (db / DB_FILE).is_file():
        if was != built_from:  # another data folder, or the example: it would answer for the wrong corpus
            console.print(f"{db} was indexed from other inputs: indexing again")
            shutil.rmtree(db)
        elif not current:  # its documents' fingerprints would not all match this version's queries
            console.print(f"{db} was indexed by an earlier unspun, which cut texts otherwise: indexing again")
            shutil.rmtree(db)
    start = time.perf_counter()
    with Index(db) as ix:
        reused = len(ix) > 0
        if not reused:
            with Progress(console=console) as bar:
                task = bar.add_task(f"indexing into {db}", total=None)
                rep = ix.add(read_inputs(inputs), progress=lambda _: bar.advance(task))
            con = ix.store.connection()
            with con:
                ix.store.set_meta(con, DEMO_INPUTS, built_from)
            console.print(f"indexed {counted(rep.indexed, 'document')} "
                          f"({', '.join(str(p) for p in inputs)}) in "
                          f"{time.perf_counter() - start:.1f} s ({len(rep.failed)} failed)", soft_wrap=True)
        else:
            console.print(f"reusing the store {db} ({len(ix)} documents; delete it to index again)")
        t = time.perf_counter()
        result = ix.check(read_document(copy))
        elapsed = time.perf_counter() - t
    render_check_text([result], console)
    out.write_text(render_check_html([result]), encoding="utf-8")
    console.print(f"checked {copy.name} against the store in {elapsed:.2f} s"
                  + (" (model load included)" if reused else ""))
    console.print(f"[bold]report written to {out.resolve()}[/] — open it in a browser")


if __name__ == "__main__":
    main()
