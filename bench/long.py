"""`make bench`: `compare` of two texts too long to align as one pair, aligned in parts (`index.align_in_parts`).

Two pairs built from the data, each compared in a fresh process (its peak RSS is the pair's): the first 3,000,000
characters of pan13-train's src documents end to end against the first 2,000,000 of them (A's first 2 MB is B: a
copy the windows must find whole), and the first 3,000,000 characters of the BBC articles end to end against the
first 10,000,000 of those src documents (no copy: texts whose few shared words lie all over B, where each window
falls back to its heavy evidence). Writes bench/results/long.{json,md} and the README block `<!-- bench:long -->`.

    .venv/bin/python bench/long.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import readme

ROOT = Path(__file__).resolve().parents[1]

#: Run in a fresh process: reads A and B from files, compares them, prints what was measured.
CHILD = r"""
import json, resource, sys, time
from unspun.compare import compare
a, b = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
t = time.perf_counter()
c = compare(a, b)
print(json.dumps({"seconds": round(time.perf_counter() - t, 1),
                  "peak_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
                  "passages": len(c.passages), "coverage_a": round(c.coverage_a, 4),
                  "coverage_b": round(c.coverage_b, 4),
                  "longest_passage": max((p.a[1] - p.a[0] for p in c.passages), default=0)}))
"""


def _end_to_end(folder: Path, chars: int) -> str:
    """The ``.txt`` files under ``folder``, by name, joined by blank lines, cut to ``chars`` characters."""
    out, n = [], 0
    for f in sorted(folder.rglob("*.txt")):
        out.append(f.read_text(encoding="utf-8", errors="replace"))
        n += len(out[-1]) + 2
        if n >= chars:
            break
    return "\n\n".join(out)[:chars]


def _compare(name: str, a: str, b: str, work: Path) -> dict:
    (work / "a.txt").write_text(a, encoding="utf-8")
    (work / "b.txt").write_text(b, encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", CHILD, str(work / "a.txt"), str(work / "b.txt")], capture_output=True,
                         text=True, cwd=ROOT)
    if run.returncode:
        sys.exit(f"bench: {name}: compare failed:\n{run.stderr[-2000:]}")
    return {"pair": name, "a_chars": len(a), "b_chars": len(b), **json.loads(run.stdout.strip().splitlines()[-1])}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--work", type=Path, default=Path("/tmp/unspun-bench-long"))
    args = ap.parse_args()
    src, bbc = args.data / "pan13-train" / "src", args.data / "bbc-news-2225"
    if not src.is_dir() or not bbc.is_dir():
        print(f"bench: {src} or {bbc} not found; nothing to measure (data lives in ../shared/data)")
        return
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [_compare("pan13-train src 3 MB against its first 2 MB", _end_to_end(src, 3_000_000),
                     _end_to_end(src, 2_000_000), args.work),
            _compare("BBC 3 MB against pan13-train src 10 MB", _end_to_end(bbc, 3_000_000),
                     _end_to_end(src, 10_000_000), args.work)]
    lines = ["| pair | A chars | B chars | wall s | peak GB | passages | coverage A | coverage B | longest passage |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['pair']} | {r['a_chars']:,} | {r['b_chars']:,} | {r['seconds']} | {r['peak_gb']} "
              f"| {r['passages']} | {r['coverage_a']:.1%} | {r['coverage_b']:.1%} | {r['longest_passage']:,} |"
              for r in rows]
    md = ("`unspun compare` of pairs too long to align as one pair (aligned in parts; one fresh process each, "
          "`bench/long.py`):\n\n" + "\n".join(lines))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "long.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    (args.results / "long.md").write_text(md + "\n", encoding="utf-8")
    readme.block("long", md)
    print(md)


if __name__ == "__main__":
    main()
