"""Scale run of the embedded store: index N documents (real news first, then synthetic ones), then check.

Real texts: every Reuters-21578 story and BBC article in ../shared/data (≈ 21k). The rest are synthetic, made
by bench/synthetic.py from the real ones (6-20 sentences drawn at random, 30% of their words replaced): news to
the tokenizer, sharing one sentence's worth of word pairs with a few real stories and few with each other.
Reports indexing throughput, peak RAM (this process and its workers), store bytes per document and check latency
(p50/p95) of 200 edited copies of real stories, with how often their original was ranked first. Lexical channel only by default: the
semantic channel cannot embed a million documents on 2 cores in a session (see README).

    .venv/bin/python bench/scale.py --docs 1000000 --db /tmp/unspun-scale
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=Path("/tmp/unspun-scale"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    if not (args.data / "reuters-21578").is_dir():
        print(f"bench: {args.data / 'reuters-21578'} not found; nothing to measure")
        return
    real = _real(args.data)
    args.results.mkdir(parents=True, exist_ok=True)
    partial = args.results / f"scale-{args.docs}.partial.json"
    shutil.rmtree(args.db, ignore_errors=True)
    marks = []
    t0 = time.perf_counter()
    cols = (TextColumn("index"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*cols) as bar, Index(args.db, semantic=False) as ix:
        task = bar.add_task("index", total=args.docs)
        count = 0

        def tick(_):
            nonlocal count
            count += 1
            bar.advance(task)
            if count % 50_000 == 0:
                marks.append({"documents": count, "wall_s": round(time.perf_counter() - t0, 1), "peak_mib": _peak_mib(),
                              "load1": round(os.getloadavg()[0], 2)})
                # written as it goes: a run stopped early still leaves its figures
                partial.write_text(json.dumps({"documents_so_far": count, "jobs": args.jobs, "progress": marks}, indent=2))

        ix.add(_stream(real, args.docs), progress=tick, jobs=args.jobs, batch=256)
        n = len(ix)
    wall = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in args.db.iterdir() if f.is_file())
    rng = random.Random(2)
    queries = rng.sample([r for r in real if len(r.text) > 500], 200)
    lat, first = [], 0
    with Index(args.db, create=False, readonly=True) as ix:
        ix.check(Document(_edit(queries[0].text, rng)))
        for r in queries:
            q = Document(_edit(r.text, rng))
            t = time.perf_counter()
            res = ix.check(q)
            lat.append(time.perf_counter() - t)
            first += bool(res.sources) and res.sources[0].id == r.id
    lat.sort()
    out = {"documents": n, "real": min(len(real), args.docs), "synthetic": max(0, n - len(real)),
           "index_wall_s": round(wall, 1), "docs_per_s": round(n / wall, 1), "peak_rss_mib": _peak_mib(),
           "store_bytes_per_doc": round(size / n), "check_p50_ms": round(1000 * statistics.median(lat)),
           "check_p95_ms": round(1000 * lat[int(0.95 * len(lat))]), "edited_copy_original_first": first / len(queries),
           "progress": marks, "jobs": args.jobs}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"scale-{args.docs}.json").write_text(json.dumps(out, indent=2))
    partial.unlink(missing_ok=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
