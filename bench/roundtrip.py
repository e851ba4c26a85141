"""`make bench`: `check` of round-trip translations, the content farm's disguise, against the stores of
bench/retrieval.py, beside document-level MinHash (datasketch, as deduplication tools set it).

The 80 BBC articles of bench/crosslingual.py (tech and politics, every 10th of the first 400) are translated into
Spanish and back into English with Apertium (`apertium -u eng-spa | apertium -u spa-eng`, a rule-based translator
run as an external program). Each round trip is checked whole, and one of its paragraphs (the first of 250
characters or more after the headline) pasted into an unrelated sport article; both against the lexical store
(`--lexical-db`) and the semantic one (`--db`), which hold the English originals. Counts how often the original is
reported, first (or tied first with an identical stored copy: BBC holds duplicates), whether the pair's evidence
names the stored original as the source (the judge: which text came first), and for the pastes whether a passage
covers the pasted paragraph (at least 80% of it, and at least 80% of the passage inside it). MinHashLSH at
threshold 0.5 over the BBC articles is asked the same texts. Writes bench/results/roundtrip.{json,md} and the
README block between `<!-- bench:roundtrip -->` markers.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import readme
from datasketch import MinHashLSH
from minhash import minhash
from translated import CATEGORIES, apertium, arguments, articles, fresh, ranked_first
from unspun.index import Index
from unspun.ingest import read_document
from unspun.models import Document

#: Where pasted paragraphs go: articles of a category the round trips are not from.
HOSTS = "sport"
#: A pasted paragraph is the first one after the headline with at least this many characters.
PARAGRAPH_CHARS = 250


def _cases(data: Path, work: Path, every: int) -> list[dict]:
    """Per article: the stored id of its original, its round trip (translated once and kept in ``work``), and that
    round trip's paragraph pasted into a sport article (the host's id, the text and the pasted span)."""
    work.mkdir(parents=True, exist_ok=True)
    hosts = sorted((data / "bbc-news-2225" / HOSTS).glob("*.txt"))
    out = []
    for cat, f in articles(data, every):
        dest = work / f"{cat}_{f.name}"
        if not dest.exists():
            dest.write_text(apertium("spa-eng", apertium("eng-spa", read_document(f).text)), encoding="utf-8")
        rt = dest.read_text(encoding="utf-8")
        paras = [p.strip() for p in rt.split("\n\n")[1:] if len(p.strip()) >= PARAGRAPH_CHARS]
        host = hosts[len(out) % len(hosts)]
        h = read_document(host).text.split("\n\n")
        before = "\n\n".join(h[:3]) + "\n\n"
        pasted = before + (paras[0] if paras else "") + "\n\n" + "\n\n".join(h[3:])
        out.append({"want": f"news/{cat}/{f.name}", "round_trip": rt, "host": f"news/{HOSTS}/{host.name}",
                    "pasted": pasted, "span": (len(before), len(before) + len(paras[0])) if paras else None})
    return out


def _covers(passages: list, span: tuple[int, int]) -> bool:
    """Whether the passages' query sides cover at least 80% of ``span`` and lie at least 80% inside it."""
    inside = sum(max(0, min(p.a[1], span[1]) - max(p.a[0], span[0])) for p in passages)
    total = sum(p.a[1] - p.a[0] for p in passages)
    return inside >= 0.8 * (span[1] - span[0]) and total > 0 and inside >= 0.8 * total


def _run(db: Path, cases: list[dict]) -> dict:
    """In a fresh process (`translated.fresh`): the sentence-vector cache of one run would speed up the next. The
    model takes every core, as in `unspun check`."""
    from unspun.embed import model, use_all_cores

    use_all_cores()
    model()
    ix = Index(db, create=False, readonly=True)
    cases = [c for c in cases if ix.store.doc_key(c["want"]) is not None]  # originals stored only
    whole = {"found": 0, "first": 0, "source_named": 0, "copy_named": 0}
    paste = {"found": 0, "covered": 0}
    lat = []
    for c in cases:
        t = time.perf_counter()
        res = ix.check(Document(c["round_trip"], path="round-trip"))
        lat.append(time.perf_counter() - t)
        hit = next((s for s in res.sources if s.id == c["want"]), None)
        if hit is not None:
            whole["found"] += 1
            whole["first"] += ranked_first(ix, res.sources, c["want"])
            whole["source_named"] += hit.comparison.source == "b"
            whole["copy_named"] += hit.comparison.source == "a"
        if c["span"] is None:
            continue
        res = ix.check(Document(c["pasted"], path="pasted"))
        hit = next((s for s in res.sources if s.id == c["want"]), None)
        if hit is not None:
            paste["found"] += 1
            paste["covered"] += _covers(hit.comparison.passages, c["span"])
    lat.sort()
    return {"documents": len(cases), "pastes": sum(c["span"] is not None for c in cases), "store_documents": len(ix),
            "whole": whole, "paste": paste,
            "p50_ms": round(1000 * statistics.median(lat)), "p95_ms": round(1000 * lat[int(0.95 * len(lat))])}


def _minhash(data: Path, cases: list[dict]) -> dict:
    """datasketch's MinHashLSH at threshold 0.5 over the BBC articles, asked the round trips and the pastes."""
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for f in sorted((data / "bbc-news-2225").glob("*/*.txt")):
        lsh.insert(f"news/{f.parent.name}/{f.name}", minhash(read_document(f).text))
    whole = sum(c["want"] in lsh.query(minhash(c["round_trip"])) for c in cases)
    pastes = [c for c in cases if c["span"] is not None]
    return {"documents": len(cases), "pastes": len(pastes), "whole_found": whole,
            "paste_found": sum(c["want"] in lsh.query(minhash(c["pasted"])) for c in pastes)}


def main() -> None:
    args = arguments("/tmp/unspun-bench-roundtrip")
    if args is None:
        return
    stores = [(name, db) for name, db in (("lexical", args.lexical_db), ("semantic", args.db))
              if (db / "unspun.sqlite").exists()]
    if not stores:
        print(f"bench: needs a store of `bench/retrieval.py` at {args.lexical_db} or {args.db}", file=sys.stderr)
        return
    cases = _cases(args.data, args.work, args.every)
    out = {"translator": "apertium -u eng-spa | apertium -u spa-eng", "categories": list(CATEGORIES),
           "hosts": HOSTS, "every": args.every, "minhash": _minhash(args.data, cases)}
    for name, db in stores:
        out[name] = fresh(_run, db, cases)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "roundtrip.json").write_text(json.dumps(out, indent=2))
    n, m = len(cases), out["minhash"]
    rows = [f"| unspun, {name} store | {r['whole']['found']}/{r['documents']} | {r['whole']['first']}/{r['documents']} "
            f"| {r['whole']['source_named']} / {r['whole']['copy_named']} | {r['paste']['found']}/{r['pastes']} "
            f"| {r['paste']['covered']}/{r['pastes']} | {r['p50_ms']} / {r['p95_ms']} |"
            for name, r in ((name, out[name]) for name, _ in stores)]
    store_docs = out[stores[0][0]]["store_documents"]
    md = "\n".join([
        f"{n} BBC articles ({', '.join(CATEGORIES)}, one in {args.every} of the first 400) translated into Spanish "
        f"and back by Apertium, checked whole and with one paragraph pasted into a {HOSTS} article, against the "
        f"{store_docs:,}-document stores that hold the English originals (one fresh process per store, model loaded "
        "before timing); datasketch MinHashLSH (threshold 0.5, 128 permutations, word 5-grams) over the 2,225 BBC "
        "articles asked the same texts:", "",
        "| system | whole: found | first | which came first: the original / the copy | pasted paragraph: found | "
        "covered | whole: p50 / p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        f"| MinHashLSH | {m['whole_found']}/{n} | - | - | {m['paste_found']}/{m['pastes']} | - | - |"])
    (args.results / "roundtrip.md").write_text(md + "\n")
    readme.block("roundtrip", md)
    print(md)


if __name__ == "__main__":
    main()
