"""Human rewrites against answers in one's own words: Clough & Stevenson's short-answer plagiarism corpus.

95 answers of 200-300 words to five questions, each written against a Wikipedia article: copied and pasted
(``cut``), lightly or heavily revised (``light``, ``heavy``), or written from the student's own knowledge after
reading it (``non``: same topic, own words; not reuse). Each answer is compared with its article: `compare`
reports reuse when it aligns any passage, and `check`'s rule (`evidence.convincing`: a passage of similarity
≥ 0.5, or loose ones whose shared words keep their order, and stand out from the answer's other words where
they are only partly in order) decides whether that is evidence. Beside it,
document-level MinHash as deduplication runs it (datasketch, 5-word shingles, 128 permutations): reuse when the
estimated Jaccard reaches 0.5, the usual LSH threshold. No threshold is tuned on this corpus. Writes
bench/results/clough.{json,md} and the README block between `<!-- bench:clough -->` markers.

    .venv/bin/python bench/clough.py
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
from pathlib import Path

import readme
from minhash import minhash
from unspun.align import align_units
from unspun.ingest import read_document
from unspun.evidence import convincing
from unspun.retrieve import RetrieveParams
from unspun.vectors import units

ROOT = Path(__file__).resolve().parents[1]
CORPUS = "clough-stevenson-short-answer-plagiarism"
CATEGORIES = ("cut", "light", "heavy", "non")


def _answer(folder: Path, name: str, task: str, category: str) -> dict:
    a, b = read_document(folder / name).text, read_document(folder / f"orig_task{task}.txt").text
    ua, ub = units(a), units(b)
    al = align_units(ua, ub)
    passages = al.passages
    covered = sum(p.a[1] - p.a[0] for p in passages) / max(1, len(a))
    return {"file": name, "task": task, "category": category, "passages": len(passages),
            "kinds": sorted({str(p.kind) for p in passages}), "coverage": round(covered, 3),
            "compare": bool(passages), "check": convincing(al.evidence, ua, ub, RetrieveParams()),
            "minhash_jaccard": round(minhash(a).jaccard(minhash(b)), 3)}


def _binary(rows: list[dict], key: str) -> dict:
    """Reuse (cut, light, heavy) against own words (non): precision, recall, F1, accuracy."""
    tp = sum(r[key] and r["category"] != "non" for r in rows)
    fp = sum(r[key] and r["category"] == "non" for r in rows)
    fn = sum(not r[key] and r["category"] != "non" for r in rows)
    tn = len(rows) - tp - fp - fn
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / max(1e-9, p + r), 3),
            "accuracy": round((tp + tn) / len(rows), 3)}


def _markdown(rows: list[dict], systems: dict[str, str]) -> str:
    lines = ["Clough & Stevenson's 95 short answers, each against its Wikipedia source (`bench/clough.py`): share of "
             "each kind of answer reported as reuse", "",
             "| system | " + " | ".join(f"{c} ({sum(r['category'] == c for r in rows)})" for c in CATEGORIES)
             + " | precision | recall | F1 | accuracy |", "|---|" + "---:|" * (len(CATEGORIES) + 4)]
    for key, label in systems.items():
        share = [sum(r[key] for r in rows if r["category"] == c) / sum(r["category"] == c for r in rows)
                 for c in CATEGORIES]
        b = _binary(rows, key)
        lines.append(f"| {label} | " + " | ".join(f"{s:.2f}" for s in share)
                     + f" | {b['precision']:.3f} | {b['recall']:.3f} | **{b['f1']:.3f}** | {b['accuracy']:.3f} |")
    cov = {c: statistics.mean(r["coverage"] for r in rows if r["category"] == c) for c in CATEGORIES}
    jac = {c: statistics.mean(r["minhash_jaccard"] for r in rows if r["category"] == c) for c in CATEGORIES}
    lines += ["", "- mean share of the answer inside `compare`'s passages: "
              + ", ".join(f"{c} {v:.2f}" for c, v in cov.items()),
              "- mean MinHash Jaccard with the source: " + ", ".join(f"{c} {v:.2f}" for c, v in jac.items())]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    folder = args.data / CORPUS
    if not (folder / "file_information.csv").is_file():
        print(f"bench: {folder} not found; nothing to measure")
        return
    with open(folder / "file_information.csv", newline="", encoding="utf-8") as f:
        info = [r for r in csv.DictReader(f) if r["Category"] in CATEGORIES]
    rows = [_answer(folder, r["File"], r["Task"], r["Category"]) for r in info]
    for r in rows:
        r["minhash"] = r["minhash_jaccard"] >= 0.5
    systems = {"compare": "unspun `compare` (any passage)", "check": "unspun, `check`'s evidence rule",
               "minhash": "MinHash, Jaccard ≥ 0.5"}
    md = _markdown(rows, systems)
    out = {"answers": rows, "binary": {k: _binary(rows, k) for k in systems}}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "clough.json").write_text(json.dumps(out, indent=2))
    (args.results / "clough.md").write_text(md + "\n")
    readme.block("clough", md)
    print(md)


if __name__ == "__main__":
    main()
