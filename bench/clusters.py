"""`unspun clusters` benchmark (not a test): run in sections, the machine has 2 shared cores.

    python bench/clusters.py --bbc --pan --peers --reuters --spark [--pan-pairs N] [--reuters-limit N] [--scale 4]

(a) --bbc: BBC News 2225: every group of byte-identical articles (ground truth from sha256 of the files) must end
    in one cluster, and no cluster edge may join articles that share nothing but boilerplate (checked without the
    aligner: the two articles must share an 8-word shingle outside boilerplate sentences).
(b) --pan: PAN 2013 training, src/ and susp/ as one corpus: pair recall and precision for the (susp, src) pairs of
    tasks 02-04 (05 apart). The listed pairs are an incomplete sample of the real reuse, so precision is also given
    against listed-or-verbatim links (a found link with a verbatim passage counts as right).
(c) --peers: datasketch MinHashLSH (word 5-gram shingles, 128 permutations, Jaccard threshold 0.5) and text-dedup
    on the same corpora, wall time side by side.
(d) --reuters: Reuters-21578 (all stories via unspun.corpus.read_inputs): time and peak RAM (summed RSS of the
    process tree) of the local engine, of Spark local[2] with --spark, and of a run at --scale times the size to
    see memory stay bounded: the stories plus (scale - 1) times as many synthetic news-like documents made from
    them by bench/synthetic.py (more documents, candidates and postings, not more reuse).

Each clusters run is a subprocess of `unspun.clusters.run` (JSONL out); writes bench/results/clusters.{json,md}.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minhash import minhash  # noqa: E402
from unspun.clusters import boilerplate as bp  # noqa: E402
from unspun.clusters.params import ClusterParams  # noqa: E402
from unspun.corpus import read_inputs  # noqa: E402
from unspun.index import Index  # noqa: E402
from unspun.models import Record  # noqa: E402
from unspun.pan.xml import parse as parse_pan  # noqa: E402
from synthetic import synthetic  # noqa: E402

PAN_TASKS = ("02-no-obfuscation", "03-random-obfuscation", "04-translation-obfuscation")


# --- measuring -------------------------------------------------------------------------------------------------
def _tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of ``pid`` and all its descendants."""
    kids: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/statm") as f:
                rss[int(d)] = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            kids[ppid].append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += kids.get(p, [])
    return total


def measured(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Run a command; wall seconds and peak summed RSS of its process tree (sampled every second: walking /proc
    five times a second cost a third of a core)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})})
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(1.0)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    rc = proc.wait()
    th.join()
    if rc != 0:
        raise SystemExit(f"{cmd[:4]}... failed with status {rc}")
    return time.perf_counter() - t, peak[0]


def build_store(db: Path, records) -> tuple[int, float]:
    shutil.rmtree(db, ignore_errors=True)
    t = time.perf_counter()
    with Index(db, semantic=False) as ix:
        rep = ix.add(records)
    return rep.indexed, time.perf_counter() - t


def cluster(db: Path, out: Path, engine: str = "local", master: str | None = None) -> dict:
    code = ("import sys; from pathlib import Path; import unspun.clusters as c; "
            "c.run(Path(sys.argv[1]), Path(sys.argv[2]), 'jsonl', sys.argv[3], sys.argv[4] or None, False, None, None,"
            " quiet=True)")
    wall, rss = measured([sys.executable, "-c", code, str(db), str(out), engine, master or ""])
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    by = defaultdict(list)
    for r in rows:
        by[r["type"]].append(r)
    return {"wall_s": round(wall, 1), "peak_rss_mb": round(rss / 2**20), "rows": by}


# --- peers -----------------------------------------------------------------------------------------------------
_W = re.compile(r"\w+")


def minhash_pairs(records: list[Record], threshold: float = 0.5) -> tuple[set[tuple[str, str]], float]:
    from datasketch import MinHashLSH

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    pairs: set[tuple[str, str]] = set()
    for r in records:
        m = minhash(r.text)
        for other in lsh.query(m):
            pairs.add(tuple(sorted((r.id, other))))
        lsh.insert(r.id, m)
    return pairs, time.perf_counter() - t


#: text-dedup pins its own numpy/pyarrow/datasets, so it lives in its own venv (`make peers` creates it).
TEXT_DEDUP_PYTHON = Path(os.environ.get("TEXT_DEDUP_PYTHON", ROOT / ".peers" / "bin" / "python"))


def text_dedup_run(records: list[Record], groups: list[list[str]], work: Path) -> dict | str:
    """text-dedup's MinHash deduplication (5-grams, 128 permutations, threshold 0.5) on the same records:
    how many documents it removes and how many byte-identical groups it reduces to one member."""
    py = TEXT_DEDUP_PYTHON
    if not py.exists():
        return f"not installed ({py} missing: run `make peers`)"
    src, ds, out = work / "td.jsonl", work / "td_ds", work / "td_out"
    with open(src, "w", encoding="utf-8") as f:
        for i, r in enumerate(records):
            f.write(json.dumps({"idx": i, "id": r.id, "text": r.text}) + "\n")
    prep = f"from datasets import load_dataset; load_dataset('json', data_files={str(src)!r}, split='train').save_to_disk({str(ds)!r})"
    subprocess.run([str(py), "-c", prep], check=True, capture_output=True)
    cmd = [str(py), "-m", "text_dedup.minhash", "--local", "--path", str(ds), "--column", "text", "--output", str(out),
           "--threshold", "0.5", "--ngram", "5", "--num_perm", "128", "--num_proc", "2"]
    t = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if run.returncode != 0:
        return "failed: " + (run.stderr.strip().splitlines() or ["?"])[-1]
    kept = subprocess.run([str(py), "-c", f"from datasets import load_from_disk; import json; "
                           f"print(json.dumps(list(load_from_disk({str(out)!r})['id'])))"], capture_output=True, text=True,
                          check=True)
    kept_ids = set(json.loads(kept.stdout))
    return {"command": " ".join(["python"] + cmd[1:]), "wall_s": round(wall, 1),
            "removed": len(records) - len(kept_ids),
            "groups_reduced_to_one": sum(1 for g in groups if len(kept_ids & set(g)) == 1),
            "note": "outputs a deduplicated dataset: no pairs, links or passages"}


def components(pairs: set[tuple[str, str]]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in sorted(pairs):
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = defaultdict(set)
    for x in list(parent):
        groups[find(x)].add(x)
    return list(groups.values())


# --- (a) BBC ---------------------------------------------------------------------------------------------------
def bbc(data: Path, work: Path, peers: bool) -> dict:
    root = data / "bbc-news-2225"
    by_hash: dict[str, list[str]] = defaultdict(list)
    for f in sorted(root.rglob("*.txt")):
        if f.parent != root:
            by_hash[hashlib.sha256(f.read_bytes()).hexdigest()].append(f.relative_to(root).as_posix())
    groups = [sorted(g) for g in by_hash.values() if len(g) > 1]
    records = [r for r in read_inputs([root]) if isinstance(r, Record) and "/" in r.id]
    n, index_s = build_store(work / "bbc.db", records)
    res = cluster(work / "bbc.db", work / "bbc.jsonl")
    member_of = {m: c["id"] for c in res["rows"]["cluster"] for m in c["members"]}
    links = {(l["a"], l["b"]) for l in res["rows"]["link"]}
    found = [g for g in groups if len({member_of.get(m) for m in g}) == 1 and member_of.get(g[0]) is not None]
    pairs = [(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1:]]
    # boilerplate-only joins, checked without the aligner
    p = ClusterParams()
    boiler = {bp.sentence_hash(b["text"], p.sentence_words) for b in res["rows"]["boilerplate"]}
    texts = {r.id: r.text for r in records}

    def shingles(doc: str) -> set[str]:
        spans = bp.spans(texts[doc], frozenset(boiler), p)
        t = texts[doc]
        for s, e in spans:
            t = t[:s] + " " * (e - s) + t[e:]
        w = _W.findall(t.lower())
        return {" ".join(w[i:i + 8]) for i in range(len(w) - 7)}

    def shared_boiler(x: str, y: str) -> bool:
        return bool(set(bp.hashes(texts[x], p).tolist()) & set(bp.hashes(texts[y], p).tolist()) & boiler)

    edges = [tuple(k) for c in res["rows"]["cluster"] for k in c["links"]]
    no_shingle = [k for k in edges if not shingles(k[0]) & shingles(k[1])]  # reworded reuse, or boilerplate only
    bad_edges = [k for k in no_shingle if shared_boiler(*k)]
    out = {"documents": n, "index_s": round(index_s, 1), "clusters_wall_s": res["wall_s"],
           "peak_rss_mb": res["peak_rss_mb"], "identical_groups": len(groups), "groups_in_one_cluster": len(found),
           "identical_pairs": len(pairs), "identical_pairs_linked": sum(1 for x in pairs if x in links),
           "links": len(res["rows"]["link"]), "clusters": len(res["rows"]["cluster"]),
           "largest_cluster": max((c["size"] for c in res["rows"]["cluster"]), default=0),
           "boilerplate": [(b["documents"], b["text"][:80]) for b in res["rows"]["boilerplate"]],
           "cluster_edges": len(edges), "edges_sharing_only_boilerplate": len(bad_edges),
           "edges_without_shared_8gram_outside_boilerplate": len(no_shingle), "missed_groups": [g for g in groups if g not in found][:5]}
    if peers:
        mp, wall = minhash_pairs(records)
        comp = components(mp)
        mo = {m: i for i, c in enumerate(comp) for m in c}
        out["minhash"] = {"wall_s": round(wall, 1), "pairs": len(mp),
                          "groups_in_one_component": sum(1 for g in groups if g[0] in mo
                                                         and len({mo.get(m) for m in g}) == 1),
                          "identical_pairs_found": sum(1 for x in pairs if x in mp)}
        out["text_dedup"] = text_dedup_run(records, groups, work)
    return out


# --- (b) PAN ---------------------------------------------------------------------------------------------------
def pan(data: Path, work: Path, peers: bool, limit: int | None) -> dict:
    root = data / "pan13-train"
    truth: dict[str, set[tuple[str, str]]] = {}
    for t in (*PAN_TASKS, "05-summary-obfuscation", "01-no-plagiarism"):
        lines = [x.split() for x in (root / t / "pairs").read_text().splitlines() if x.strip()][:limit]
        # A reuse pair is one whose ground-truth XML holds a case: most listed 05 pairs hold none.
        if t != "01-no-plagiarism":
            lines = [(s, r) for s, r in lines if parse_pan(root / t / f"{s[:-4]}-{r[:-4]}.xml")]
        truth[t] = {(f"susp/{s}", f"src/{r}") for s, r in lines}
    names = sorted({d for ps in truth.values() for pr in ps for d in pr}) if limit else None
    if names is None:
        names = [f"src/{f.name}" for f in sorted((root / "src").glob("*.txt"))] + \
                [f"susp/{f.name}" for f in sorted((root / "susp").glob("*.txt"))]
    from unspun.ingest import read_document
    records = [Record(id=n, text=read_document(root / n).text) for n in names]
    n, index_s = build_store(work / "pan.db", records)
    res = cluster(work / "pan.db", work / "pan.jsonl")

    def susp_src(a: str, b: str) -> tuple[str, str] | None:
        if a.startswith("src/") and b.startswith("susp/"):
            return b, a
        return None  # a < b, so a susp-src link is always ("src/..", "susp/..")

    found = {}
    for l in res["rows"]["link"]:
        k = susp_src(l["a"], l["b"])
        if k:
            found[k] = any(p["kind"] == "verbatim" for p in l["passages"])
    listed = set().union(*(truth[t] for t in (*PAN_TASKS, "05-summary-obfuscation")))
    main = set().union(*(truth[t] for t in PAN_TASKS))
    out = {"documents": n, "subset": f"documents of the first {limit} pairs of each task" if limit else "all",
           "index_s": round(index_s, 1), "clusters_wall_s": res["wall_s"], "peak_rss_mb": res["peak_rss_mb"],
           "links": len(res["rows"]["link"]), "susp_src_links": len(found)}
    for t in (*PAN_TASKS, "05-summary-obfuscation"):
        out[f"recall_{t[:2]}"] = round(len(truth[t] & set(found)) / max(1, len(truth[t])), 4)
    out["recall_02_04"] = round(len(main & set(found)) / max(1, len(main)), 4)
    out["precision_listed"] = round(sum(1 for k in found if k in listed) / max(1, len(found)), 4)
    out["precision_listed_or_verbatim"] = round(sum(1 for k, v in found.items() if k in listed or v)
                                                / max(1, len(found)), 4)
    out["links_on_task01_negative_pairs"] = sum(1 for k in found if k in truth["01-no-plagiarism"])
    # Precision over the pairs whose label is known: listed pairs with a case (02-04) against listed pairs
    # without reuse (01). Links to unlisted pairs are left out: the pairs files sample the corpus's reuse.
    tp = len(main & set(found))
    out["precision_known_pairs"] = round(tp / max(1, tp + out["links_on_task01_negative_pairs"]), 4)
    if peers:
        mp, wall = minhash_pairs(records)
        mf = {k for a, b in mp if (k := susp_src(a, b))}
        out["minhash"] = {"wall_s": round(wall, 1), "susp_src_pairs": len(mf),
                          "recall_02_04": round(len(main & mf) / max(1, len(main)), 4),
                          "recall_05": round(len(truth["05-summary-obfuscation"] & mf)
                                             / max(1, len(truth["05-summary-obfuscation"])), 4),
                          "precision_listed": round(len(mf & listed) / max(1, len(mf)), 4)}
        td = text_dedup_run(records, [list(k) for k in sorted(main)], work)
        if isinstance(td, dict):  # a listed pair counts as found when text-dedup keeps one of its two documents
            td["recall_02_04_upper_bound"] = round(td.pop("groups_reduced_to_one") / max(1, len(main)), 4)
        out["text_dedup"] = td
    return out


# --- (d) Reuters -----------------------------------------------------------------------------------------------
def reuters(data: Path, work: Path, spark: bool, limit: int | None, scale: int, base_run: bool = True) -> dict:
    base = [r for r in read_inputs([data / "reuters-21578"]) if isinstance(r, Record)][:limit]
    out: dict = {"stories": len(base)}
    runs = ([(1, "local")] if base_run else []) + ([(1, "spark")] if spark else []) + ([(scale, "local")] if scale > 1 else [])
    for k, engine in runs:
        db = work / f"reuters{k}.db"
        if not (db / "unspun.sqlite").exists():
            recs = [*base, *synthetic(base, (k - 1) * len(base))]
            n, index_s = build_store(db, recs)
            out[f"x{k}_documents"], out[f"x{k}_index_s"] = n, round(index_s, 1)
        res = cluster(db, work / f"reuters{k}-{engine}.jsonl", engine, "local[2]" if engine == "spark" else None)
        out[f"x{k}_{engine}"] = {"wall_s": res["wall_s"], "peak_rss_mb": res["peak_rss_mb"],
                                 "links": len(res["rows"]["link"]), "clusters": len(res["rows"]["cluster"]),
                                 "boilerplate": len(res["rows"]["boilerplate"])}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--work", type=Path, default=None, help="where stores go (default: a temporary folder)")
    for s in ("bbc", "pan", "peers", "reuters", "spark"):
        ap.add_argument(f"--{s}", action="store_true")
    ap.add_argument("--pan-pairs", type=int, default=None, help="only the documents of the first N pairs per task")
    ap.add_argument("--reuters-limit", type=int, default=None)
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--scale-only", action="store_true",
                    help="--reuters: only the run at --scale times the size (other figures kept from earlier runs)")
    a = ap.parse_args()
    if a.work:
        a.work.mkdir(parents=True, exist_ok=True)
        run(a, a.work)
    else:  # its stores are hundreds of MB: gone with the run
        with tempfile.TemporaryDirectory(prefix="unspun-bench-") as tmp:
            run(a, Path(tmp))


def run(a: argparse.Namespace, work: Path) -> None:
    """The benches asked for, their stores under ``work``; results merged into those of earlier runs."""
    a.results.mkdir(parents=True, exist_ok=True)
    path = a.results / "clusters.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    machine = f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start"
    if a.bbc:
        results["bbc"] = {**bbc(a.data, work, a.peers), "machine": machine}
    if a.pan:
        results["pan"] = {**pan(a.data, work, a.peers, a.pan_pairs), "machine": machine}
    if a.reuters:
        runs = reuters(a.data, work, a.spark and not a.scale_only, a.reuters_limit, a.scale, not a.scale_only)
        results["reuters"] = {**results.get("reuters", {}), **runs, f"machine_x{a.scale}" if a.scale_only else "machine": machine}
    path.write_text(json.dumps(results, indent=1) + "\n")
    (a.results / "clusters.md").write_text(_markdown(results))
    print(_markdown(results))


def _markdown(r: dict) -> str:
    lines = ["# unspun clusters bench", ""]
    for section, vals in r.items():
        lines += [f"## {section}", "", "| measure | value |", "|---|---|"]
        lines += [f"| {k} | {json.dumps(v) if not isinstance(v, (int, float, str)) else v} |" for k, v in vals.items()]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
