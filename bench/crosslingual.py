"""`make bench`: `check` of texts translated from another language, against the English stores of bench/retrieval.py.

BBC articles (tech and politics, every 10th of the first 400 of each: held out from the business articles the
cross-language thresholds were chosen on) are translated into Spanish with Apertium (`apertium -u eng-spa`, a
rule-based translator run as an external program: `apt-get install apertium apertium-eng-spa`), then each is
checked against the store that holds its original: the semantic store (`--db`, from `bench/retrieval.py
--semantic`) and the lexical-only one (`--lexical-db`). Counts how often the original is reported, and first
(or tied first with an identical stored copy: BBC holds duplicates), with the aligner's cross-language path on
and off (off: `Params(cross_shared=0)`, the aligner before it). Writes bench/results/crosslingual.{json,md} and
the README block between `<!-- bench:crosslingual -->` markers.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import readme
from translated import CATEGORIES, apertium, arguments, articles, fresh, ranked_first
from unspun.align import Params
from unspun.index import Index
from unspun.ingest import read_document
from unspun.models import Document


def _translate(data: Path, work: Path, every: int) -> list[tuple[str, str]]:
    """(stored id of the original, its Spanish translation), translated once and kept in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    out = []
    for cat, f in articles(data, every):
        dest = work / f"{cat}_{f.name}"
        if not dest.exists():
            dest.write_text(apertium("eng-spa", read_document(f).text), encoding="utf-8")
        out.append((f"news/{cat}/{f.name}", dest.read_text(encoding="utf-8")))
    return out


def _run(db: Path, docs: list[tuple[str, str]], params: Params) -> dict:
    """In a fresh process each (`translated.fresh`): the sentence-vector cache of one run would speed up the next.
    The model takes every core, as in `unspun check`."""
    from unspun.embed import model, use_all_cores

    use_all_cores()
    model()
    ix = Index(db, create=False, readonly=True, params=params)
    docs = [(want, text) for want, text in docs if ix.store.doc_key(want) is not None]  # originals stored only
    found = first = 0
    lat = []
    for want, text in docs:
        t = time.perf_counter()
        res = ix.check(Document(text, path="translation"))
        lat.append(time.perf_counter() - t)
        ids = [s.id for s in res.sources]
        found += want in ids
        first += ranked_first(ix, res.sources, want)
    lat.sort()
    return {"documents": len(docs), "store_documents": len(ix), "found": found, "first": first,
            "p50_ms": round(1000 * statistics.median(lat)), "p95_ms": round(1000 * lat[int(0.95 * len(lat))])}


def main() -> None:
    args = arguments("/tmp/unspun-bench-crosslingual")
    if args is None:
        return
    if not (args.db / "unspun.sqlite").exists():
        print(f"bench: needs the store of `bench/retrieval.py --semantic` at {args.db}")
        return
    docs = _translate(args.data, args.work, args.every)
    out = {"translator": "apertium -u eng-spa", "categories": list(CATEGORIES), "every": args.every,
           "semantic_store": fresh(_run, args.db, docs, Params()),
           "semantic_store_cross_language_path_off": fresh(_run, args.db, docs, Params(cross_shared=0.0))}
    if (args.lexical_db / "unspun.sqlite").exists():
        out["lexical_store"] = fresh(_run, args.lexical_db, docs, Params())
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "crosslingual.json").write_text(json.dumps(out, indent=2))
    rows = [("semantic channel, cross-language path on", out["semantic_store"]),
            ("semantic channel, cross-language path off", out["semantic_store_cross_language_path_off"])]
    if "lexical_store" in out:
        rows.append(("lexical channel only, cross-language path on", out["lexical_store"]))
    md = "\n".join([
        f"{len(docs)} BBC articles ({', '.join(CATEGORIES)}, every {args.every}th of the first 400) translated into "
        f"Spanish by Apertium, each checked against the {out['semantic_store']['store_documents']:,}-document store "
        "that holds its English original (one fresh process per row, model loaded before timing):", "",
        "| store, aligner | found | first | p50 ms | p95 ms |", "|---|---:|---:|---:|---:|",
        *[f"| {name} | {r['found']}/{r['documents']} | {r['first']}/{r['documents']} | {r['p50_ms']} | {r['p95_ms']} |"
          for name, r in rows]])
    (args.results / "crosslingual.md").write_text(md + "\n")
    readme.block("crosslingual", md)
    print(md)


if __name__ == "__main__":
    main()
