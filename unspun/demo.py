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
from .fingerprints import CUT_VERSION
from .index import Index
from .ingest import read_document
from .store import DB_FILE, Store
from .report.check import render_check_html, render_check_text
from .report.text import FILE_WIDTH, stdout

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
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--db", type=Path, default=DEFAULT_DB)
    ap.add_argument("--out", type=Path, default=Path("report.html"))
    args = ap.parse_args()
    console = stdout(FILE_WIDTH)  # piped or logged, ids are not folded at 80 columns
    inputs, copy = _inputs(args.data, args.db.parent / EXAMPLE)
    example = copy.parent.name != "seeds"
    if example:
        console.print(f"[yellow]{args.data / 'seeds'} not found: using a small example written to {copy.parent}; "
                      "point the demo at the data with `make demo DATA=/path/to/data`[/]")
    use_all_cores()
    built_from = "the built-in example" if example else json.dumps([str(p.resolve()) for p in inputs])
    if (args.db / DB_FILE).is_file():
        was, documents, current = _built_from(args.db)
        if was is None and documents and args.db != DEFAULT_DB:  # (the default one: an older demo's)
            raise SystemExit(f"{args.db} is not a store `make demo` built: give another --db (it is left as it is)")
        if was != built_from:  # another data folder, or the example: it would answer for the wrong corpus
            console.print(f"{args.db} was indexed from other inputs: indexing again")
            shutil.rmtree(args.db)
        elif not current:  # its documents' fingerprints would not all match this version's queries
            console.print(f"{args.db} was indexed by an earlier unspun, which cut texts otherwise: indexing again")
            shutil.rmtree(args.db)
    start = time.perf_counter()
    with Index(args.db) as ix:
        reused = len(ix) > 0
        if not reused:
            with Progress(console=console) as bar:
                task = bar.add_task(f"indexing into {args.db}", total=None)
                rep = ix.add(read_inputs(inputs), progress=lambda _: bar.advance(task))
            con = ix.store.connection()
            with con:
                ix.store.set_meta(con, DEMO_INPUTS, built_from)
            console.print(f"indexed {rep.indexed} document{'' if rep.indexed == 1 else 's'} "
                          f"({', '.join(str(p) for p in inputs)}) in "
                          f"{time.perf_counter() - start:.1f} s ({len(rep.failed)} failed)")
        else:
            console.print(f"reusing the store {args.db} ({len(ix)} documents; delete it to index again)")
        t = time.perf_counter()
        result = ix.check(read_document(copy))
        elapsed = time.perf_counter() - t
    render_check_text([result], console)
    args.out.write_text(render_check_html([result]), encoding="utf-8")
    console.print(f"checked {copy.name} against the store in {elapsed:.2f} s"
                  + (" (model load included)" if reused else ""))
    console.print(f"[bold]report written to {args.out.resolve()}[/] — open it in a browser")


if __name__ == "__main__":
    main()
