"""Where `check` loses the listed sources of pan13-train: retrieval, or verification.

For each `susp/` document of tasks 02-05 with cases (every N-th with --every), runs `check` as `bench/retrieval.py`
does (asked for 40 sources: 45 candidates verified, more while each is a source), and for each listed source it
does not report, says why: the source was not among the candidates retrieval handed to the aligner; or it was, and
the aligner (the same one `compare` runs) found no passage at all, or only loose ones (similarity under 0.5, and
under 400 reused characters, their shared words out of order, or only partly in order among the candidate's words:
`convincing`); or it is a source, ranked past the
40 (found when asked for 200); or its evidence was boilerplate or set text, or verification stopped before it (5
misses in a row, up to 10 once sources are found; past the 45th, one that is no source). Needs the store of
`bench/retrieval.py` (--db). Writes bench/results/retrieval-misses.{json,md}.

    .venv/bin/python bench/misses.py --every 2 --jobs 2
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from retrieval import CORPUS, _truth
from unspun.align import align_units
from unspun.fingerprints import chunks
from unspun.index import Index
from unspun.ingest import read_document
from unspun.evidence import convincing
from unspun.vectors import units

ROOT = Path(__file__).resolve().parents[1]
_IX: Index | None = None


def _init(db: str) -> None:
    global _IX
    _IX = Index(db, create=False, readonly=True)


def _why(job: tuple[str, str, list[str]]) -> list[tuple[str, str, str, str]]:
    """(task, susp, source, outcome) for each listed source of one susp document."""
    task, path, sources = job
    doc = read_document(path)
    found = {s.id for s in _IX.check(doc, top=40).sources}
    uq = units(doc.text)
    p = _IX.retrieve.deep_enough(40)
    cands = [c.doc for c in _IX.candidates(uq, chunks(uq), p).ranked(p)]
    out = []
    more: set[str] | None = None  # the sources of a check asked for 200, when needed
    for src in sources:
        if src in found:
            out.append((task, Path(path).name, src, "found"))
            continue
        key = _IX.store.doc_key(src)
        if key not in cands:
            why = "not among the candidates"
        else:
            ub = _IX._doc_units(key, _IX.store.text_of(key))
            al = align_units(uq, ub, _IX.params)
            if not al.passages:
                why = "candidate; the aligner finds no passage"
            elif not convincing(al.evidence, uq, ub, _IX.retrieve):
                why = "candidate; only loose passages, short, out of order or blending in"
            else:
                if more is None:
                    more = {s.id for s in _IX.check(doc, top=200).sources}
                why = ("a source, ranked past the 40 asked for" if src in more
                       else "candidate; boilerplate, set text, or not reached")
        out.append((task, Path(path).name, src, why))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--corpus", default=CORPUS, help="a PAN text-alignment corpus under --data (as bench/retrieval.py)")
    ap.add_argument("--db", type=Path, default=Path("/tmp/unspun-bench-retrieval"))
    ap.add_argument("--every", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    pan = args.data / args.corpus
    if not pan.is_dir():
        print(f"bench: {pan} not found; nothing to measure")
        return
    truth, _ = _truth(pan)
    jobs = [(t, str(pan / "susp" / s), sorted(v)) for t in truth
            for i, (s, v) in enumerate(sorted(truth[t].items())) if i % args.every == 0]
    rows = []
    with ProcessPoolExecutor(args.jobs, initializer=_init, initargs=(str(args.db),)) as pool:
        for r in pool.map(_why, jobs, chunksize=2):
            rows += r
    table = {t: dict(Counter(why for task, _, _, why in rows if task == t)) for t in truth}
    name = "retrieval-misses" + ("" if args.corpus == CORPUS else f"-{args.corpus}")
    out = {"corpus": args.corpus, "every": args.every, "tasks": table, "misses": [r for r in rows if r[3] != "found"]}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{name}.json").write_text(json.dumps(out, indent=2))
    kinds = sorted({k for v in table.values() for k in v} - {"found"})
    lines = [f"Listed sources of one in {args.every} susp documents with cases of {args.corpus} "
             "(`bench/misses.py`):", "",
             "| task | listed | found | " + " | ".join(kinds) + " |", "|---|---:|---:|" + "---:|" * len(kinds)]
    for t, v in table.items():
        counts = " | ".join(str(v.get(k, 0)) for k in kinds)
        lines.append(f"| {t} | {sum(v.values())} | {v.get('found', 0)} | {counts} |")
    md = "\n".join(lines)
    (args.results / f"{name}.md").write_text(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
