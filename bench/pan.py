"""`make bench`: unspun on PAN 2013 training pairs beside the PAN 2014 winner's re-implementation, same scorer.

Writes bench/results/pan13-train.{json,md} and the seed compare timings, and replaces the results block of the
README between the markers `<!-- bench:pan -->` and `<!-- /bench:pan -->`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import readme
from unspun.pan.evaluate import run_eval, score_dir, to_markdown

ROOT = Path(__file__).resolve().parents[1]


def _seed_timing(data: Path) -> str:
    seeds = data / "seeds"
    a, b = sorted(seeds.glob("001_*.txt")), sorted(seeds.glob("000_*.txt"))
    if not (a and b):
        return "seed files absent: compare timing skipped"
    exe = str(Path(sys.executable).with_name("unspun"))
    cold = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([exe, "compare", str(a[0]), str(b[0]), "--format", "json"], check=True, capture_output=True)
        cold.append(time.perf_counter() - t)
    from unspun import compare
    from unspun.ingest import read_document

    da, db = read_document(a[0]), read_document(b[0])
    compare(da, db)
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        compare(da, db)
        warm.append(time.perf_counter() - t)
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return (f"`unspun compare 001 000` (seed pair): cold {med(cold):.2f} s median of 3 CLI runs (process start and "
            f"model load included); warm {med(warm) * 1000:.0f} ms median of 5 in-process runs")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    corpus = args.data / "pan13-train"
    if not corpus.is_dir():
        print(f"bench: {corpus} not found; nothing to measure (PAN data lives in ../shared/data)")
        return
    args.results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        ours = run_eval(corpus, Path(out), jobs=args.jobs)
    theirs = score_dir(corpus, args.data / "pan13-train-sanchez-perez-runs")
    seed = _seed_timing(args.data)
    md = "\n".join([
        f"unspun, `unspun eval pan ../shared/data/pan13-train --out DIR --jobs {args.jobs}` "
        f"({ours.overall.pairs} pairs, {ours.wall_s:.0f} s wall, {ours.pairs_per_s:.1f} pairs/s, model loading included):",
        "", to_markdown(ours), "",
        "PAN 2014 winner (Sanchez-Perez et al.), public re-implementation's detections "
        "(`../shared/data/pan13-train-sanchez-perez-runs`), same scorer:", "", to_markdown(theirs), "",
        *[f"- {n}" for n in theirs.notes], "", f"- {seed}",
    ])
    (args.results / "pan13-train.md").write_text(md + "\n", encoding="utf-8")
    (args.results / "pan13-train.json").write_text(json.dumps(
        {"unspun": ours.to_json(), "sanchez_perez_reimpl": theirs.to_json(), "seed_timing": seed}, indent=2))
    readme.block("pan", md)
    print(md)


if __name__ == "__main__":
    main()
