"""`compare` on LLM-paraphrased plagiarism: the PAN 2025 generated-plagiarism sample (five arXiv paper pairs).

In each pair an LLM rewrote a candidate paper: paragraphs marked ``plagiarism`` paraphrase a named paragraph of the
source paper; paragraphs marked ``altered`` are the candidate's own text reworded (not reuse: they make the task
harder); two pairs hold no plagiarism at all (``original``, ``altered``). Each paper becomes one text (title,
abstract, section titles and paragraphs, one per line), so that every paragraph has character offsets; the cases
are the plagiarised paragraphs' spans against their source paragraphs' spans, scored with PAN's measures. A
paragraph counts as found when the passages cover more than half of it. Beside it, the document-level view of
MinHash (datasketch, 5-word shingles, 128 permutations): the pair's estimated Jaccard and whether LSH at threshold
0.5 would pair the two papers. Writes bench/results/pan25.{json,md} and the README block between
`<!-- bench:pan25 -->` markers.

    .venv/bin/python bench/pan25.py
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import readme
from minhash import minhash
from unspun.compare import compare
from unspun.models import Document
from unspun.pan.measures import score
from unspun.pan.xml import Case

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path("pan25-generated-plagiarism-sample") / "pan25-sample_raw" / "extracted"


def _paragraphs(doc: dict) -> list[tuple[str | None, dict]]:
    """(heading, paragraph) in reading order: abstract, then sections and their subsections."""
    out = [(None, p) for p in doc.get("abstract") or []]

    def walk(sec: dict) -> None:
        out.append((sec.get("title"), {}))
        out.extend((None, p) for p in sec.get("paragraphs") or [])
        for sub in sec.get("subsections") or []:
            walk(sub)

    for sec in doc.get("sections") or []:
        walk(sec)
    return out


#: A paragraph of a paper's text: its id, its span in the text, and (when marked) its plagiarism type and source
#: paragraph. Ids repeat in some papers, so paragraphs are kept in order, not by id.
Para = tuple[str, tuple[int, int], str | None, str | None]


def _text(doc: dict) -> tuple[str, list[Para]]:
    """A paper as one text (title, then headings and paragraphs, one per line) and its paragraphs."""
    title = doc.get("title") or ""
    parts, paras, at = [title], [], len(title) + 1
    for heading, p in _paragraphs(doc):
        body = (heading or "").strip() if not p else p.get("content", "").strip()
        if not body:
            continue
        if p:
            mark = p.get("plagiarism") or {}
            paras.append((p.get("id", ""), (at, at + len(body)), mark.get("type"), mark.get("source_paragraph_id")))
        parts.append(body)
        at += len(body) + 1
    return "\n".join(parts), paras


def _found(span: tuple[int, int], passages: list[tuple[int, int]]) -> bool:
    covered = sum(max(0, min(span[1], e) - max(span[0], s)) for s, e in passages)
    return covered > 0.5 * (span[1] - span[0])


def _pair(path: Path) -> dict:
    d = json.loads(path.read_text(encoding="utf-8"))
    a, a_paras = _text(d["candidate"])
    b, b_paras = _text(d["source"])
    b_spans: dict[str, tuple[int, int]] = {}
    for pid, span, _, _ in b_paras:
        b_spans.setdefault(pid, span)  # a repeated id: its first paragraph
    cases = [Case(span, b_spans[src], "source") for _, span, kind, src in a_paras
             if kind == "plagiarism" and src in b_spans]
    t = time.perf_counter()
    c = compare(Document(a, path="candidate"), Document(b, path="source"))
    wall = time.perf_counter() - t
    dets = [Case(p.a, p.b, "source") for p in c.passages]
    on_a = [p.a for p in c.passages]
    altered = [span for _, span, kind, _ in a_paras if kind == "altered"]
    return {
        "pair": d["id"], "type": d["plagiarism"].get("type"), "llm": d["plagiarism"].get("llm"),
        "severity": d["plagiarism"].get("severity"), "candidate_chars": len(a), "source_chars": len(b),
        "plagiarised_paragraphs": len(cases), "found": sum(_found(x.this, on_a) for x in cases),
        "altered_paragraphs": len(altered), "altered_flagged": sum(_found(x, on_a) for x in altered),
        "passages": len(c.passages), "passage_chars": sum(e - s for s, e in on_a),
        "kinds": sorted({str(p.kind) for p in c.passages}), "compare_s": round(wall, 2),
        "minhash_jaccard": round(minhash(a).jaccard(minhash(b)), 3), "_cases": cases, "_dets": dets,
    }


def _markdown(rows: list[dict], s) -> str:
    lines = ["`compare` on the PAN 2025 generated-plagiarism sample (`bench/pan25.py`; candidate paper as A, source "
             "as B; a paragraph is found when passages cover over half of it):", "",
             "| pair | LLM, severity | plagiarised paragraphs found | altered (own) paragraphs flagged | passages "
             "| MinHash Jaccard (LSH at 0.5 pairs them?) |", "|---|---|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['pair']} ({r['type']}) | {r['llm']}, {r['severity']} | {r['found']} / "
                     f"{r['plagiarised_paragraphs']} | {r['altered_flagged']} / {r['altered_paragraphs']} | "
                     f"{r['passages']} | {r['minhash_jaccard']} ({'yes' if r['minhash_jaccard'] >= 0.5 else 'no'}) |")
    found = sum(r["found"] for r in rows)
    total = sum(r["plagiarised_paragraphs"] for r in rows)
    lines += ["", f"- all pairs: {found} of {total} plagiarised paragraphs found; PAN measures over the "
              f"{len(rows)} pairs: recall {s.recall:.3f}, precision {s.precision:.3f}, granularity "
              f"{s.granularity:.3f}, plagdet **{s.plagdet:.3f}**, case F {s.case_f:.3f}, document F {s.doc_f:.3f}"]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    files = sorted((args.data / SAMPLE).glob("*.json"))
    if not files:
        print(f"bench: {args.data / SAMPLE} not found; nothing to measure")
        return
    rows = [_pair(f) for f in files]
    s = score([(r["_cases"], r["_dets"]) for r in rows])
    md = _markdown(rows, s)
    out = {"pairs": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], "scores": s.__dict__}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "pan25.json").write_text(json.dumps(out, indent=2))
    (args.results / "pan25.md").write_text(md + "\n")
    readme.block("pan25", md)
    print(md)


if __name__ == "__main__":
    main()
