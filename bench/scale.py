"""Scale run of the embedded store: index N documents (real news first, then synthetic ones), then check.

Real texts: every Reuters-21578 story and BBC article in ../shared/data (≈ 21k). The rest are synthetic, made
by bench/synthetic.py from the real ones (6-20 sentences drawn at random, 30% of their words replaced): news to
the tokenizer, sharing one sentence's worth of word pairs with a few real stories and few with each other.
Reports indexing throughput, peak RAM (this process and its workers), store bytes per document and check latency
(p50/p95) of 200 edited copies of real stories, with how often their original was ranked first. A stopped run
goes on with ``--resume`` (its wall time is the sum of its runs, each listed). Lexical channel only by default: the
semantic channel cannot embed a million documents on 2 cores in a session (see README).

    .venv/bin/python bench/scale.py --docs 1000000 --db /tmp/unspun-scale
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from synthetic import synthetic
from unspun.corpus import read_inputs
from unspun.index import Index
from unspun.models import Document, Record

ROOT = Path(__file__).resolve().parents[1]


def _real(data: Path) -> list[Record]:
    return [r for r in read_inputs([data / "reuters-21578", data / "bbc-news-2225"])
            if isinstance(r, Record) and len(r.text) > 200]


def _stream(real: list[Record], n: int, seed: int = 1):
    yield from real[:n]
    yield from synthetic(real, max(0, n - len(real)), seed)


def _edit(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(len(words) // 10):
        words[rng.randrange(len(words))] = rng.choice(("reportedly", "indeed", "also", "now"))
    return "Updated: " + " ".join(words)


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + kids) / 1024, 1)


def _check(db: Path, real: list[Record]) -> dict:
    """Check latency of 200 edited copies of real stories, and how often the original is ranked first."""
    rng = random.Random(2)
    queries = rng.sample([r for r in real if len(r.text) > 500], 200)
    lat, first = [], 0
    with Index(db, create=False, readonly=True) as ix:
        ix.check(Document(_edit(queries[0].text, rng)))
        for r in queries:
            q = Document(_edit(r.text, rng))
            t = time.perf_counter()
            res = ix.check(q)
            lat.append(time.perf_counter() - t)
            first += bool(res.sources) and res.sources[0].id == r.id
        n = len(ix)
        tables = len(ix.store.posting_tables())
    lat.sort()
    return {"checked_at_documents": n, "posting_tables": tables, "check_p50_ms": round(1000 * statistics.median(lat)),
            "check_p95_ms": round(1000 * lat[int(0.95 * len(lat))]), "edited_copy_original_first": first / len(queries)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/unspun-scale"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--resume", action="store_true",
                    help="go on from the documents already in --db (a run stopped part-way; the stream is the same)")
    ap.add_argument("--check-only", action="store_true",
                    help="only measure check on the store in --db as it is: a stopped run's (into the partial "
                         "results) or a finished one's (added to its results as a recheck)")
    args = ap.parse_args()
    if not (args.data / "reuters-21578").is_dir():
        print(f"bench: {args.data / 'reuters-21578'} not found; nothing to measure")
        return
    real = _real(args.data)
    args.results.mkdir(parents=True, exist_ok=True)
    partial = args.results / f"scale-{args.docs}.partial.json"
    if args.check_only:
        check = _check(args.db, real)
        final = args.results / f"scale-{args.docs}.json"
        if final.exists():  # a finished run's store, checked again by a later version: kept beside the first
            data = json.loads(final.read_text())
            commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
            data.setdefault("rechecks", []).append({**check, "commit": commit.stdout.strip(),
                                                    "date": time.strftime("%Y-%m-%d"),
                                                    "load1": round(os.getloadavg()[0], 2)})
            final.write_text(json.dumps(data, indent=2))
        else:  # a stopped run's store: its check latency at the size it reached
            data = json.loads(partial.read_text()) if partial.exists() else {}
            data["check"] = check
            partial.write_text(json.dumps(data, indent=2))
        print(json.dumps(check, indent=2))
        return
    earlier = json.loads(partial.read_text()) if args.resume and partial.exists() else {}
    if not args.resume:
        shutil.rmtree(args.db, ignore_errors=True)
    marks = earlier.get("progress", [])
    t0 = time.perf_counter()
    cols = (TextColumn("index"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*cols) as bar, Index(args.db, semantic=False) as ix:
        start = len(ix)  # documents a stopped run left (0 unless --resume)
        task = bar.add_task("index", total=args.docs, completed=start)
        count = start

        def tick(_):
            nonlocal count
            count += 1
            bar.advance(task)
            if count % 50_000 == 0:
                marks.append({"documents": count, "wall_s": round(time.perf_counter() - t0, 1), "peak_mib": _peak_mib(),
                              "load1": round(os.getloadavg()[0], 2), "run": len(earlier.get("runs", [])) + 1})
                # written as it goes: a run stopped early still leaves its figures
                so_far = runs + [{"from": start, "to": count, "wall_s": round(time.perf_counter() - t0, 1)}]
                partial.write_text(json.dumps({**earlier, "documents_so_far": count, "jobs": args.jobs,
                                               "progress": marks, "runs": so_far}, indent=2))

        runs = earlier.get("runs", [])
        # A record whose id came earlier replaces that document (the real stories hold one such id), so the
        # stream goes on until the store holds --docs documents; a resumed run re-adds at most that many first.
        stream = itertools.islice(_stream(real, 2 * args.docs), start, None)
        while (missing := args.docs - len(ix)) > 0:
            ix.add(itertools.islice(stream, missing), progress=tick, jobs=args.jobs, batch=256)
        n = len(ix)
        runs.append({"from": start, "to": n, "wall_s": round(time.perf_counter() - t0, 1)})
    wall = sum(r["wall_s"] for r in runs)
    size = sum(f.stat().st_size for f in args.db.iterdir() if f.is_file())
    out = {"documents": n, "real": min(len(real), args.docs), "synthetic": max(0, n - len(real)),
           "index_wall_s": round(wall, 1), "docs_per_s": round(n / wall, 1), "peak_rss_mib": _peak_mib(),
           "store_bytes_per_doc": round(size / n), **_check(args.db, real),
           "progress": marks, "runs": runs, "jobs": args.jobs}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"scale-{args.docs}.json").write_text(json.dumps(out, indent=2))
    partial.unlink(missing_ok=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
