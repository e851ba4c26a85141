"""`make demo`: compare the seed pair (an op-ed and its French round trip) and write the HTML report.

Reads ../shared/data/seeds when present; otherwise writes a small example of its own so the demo always runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rich.console import Console

from .compare import compare
from .ingest import read_document
from .report import render_html, render_text

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


def _inputs(data: Path) -> tuple[Path, Path]:
    seeds = data / "seeds"
    originals, copies = sorted(seeds.glob("001_*.txt")), sorted(seeds.glob("000_*.txt"))
    if originals and copies:
        return originals[0], copies[0]
    tmp = Path(tempfile.mkdtemp(prefix="unspun-demo-"))
    (tmp / "original.txt").write_text(_EXAMPLE_SOURCE, encoding="utf-8")
    (tmp / "copy.txt").write_text(_EXAMPLE_COPY, encoding="utf-8")
    return tmp / "original.txt", tmp / "copy.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("report.html"))
    args = ap.parse_args()
    console = Console()
    a_path, b_path = _inputs(args.data)
    if a_path.parent.name != "seeds":
        console.print(f"[yellow]{args.data / 'seeds'} not found: using a small example written to {a_path.parent}[/]")
    start = time.perf_counter()
    c = compare(read_document(a_path), read_document(b_path))
    elapsed = time.perf_counter() - start
    render_text(c, console)
    args.out.write_text(render_html(c), encoding="utf-8")
    console.print(f"compared in {elapsed:.2f} s (model load included)")
    console.print(f"[bold]report written to {args.out.resolve()}[/] — open it in a browser")


if __name__ == "__main__":
    main()
