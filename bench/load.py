"""Load test of `unspun serve` (not a test): concurrent clients posting news-sized texts to POST /v1/check.

Starts the server on a free loopback port as its own process (``python -m unspun.serve``, read-only) over the
store given by ``--db``, then runs ``--clients`` clients for ``--seconds`` seconds, each posting one text after
another. Payloads are news-sized documents sampled from the store itself, one paragraph replaced by a paragraph of
another document (what a lightly rewritten copy looks like), or the .txt files under ``--texts`` if given. Reports
requests/s, latency percentiles, errors (any non-200 answer or transport failure; must be 0) and the server's RSS at
start and end, and writes bench/results/load.{json,md}. Exit status 1 when there were errors.

    .venv/bin/python bench/load.py --db news.unspun            # 8 clients, 60 s
    .venv/bin/python bench/load.py --db /tmp/small --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from unspun.index import open_index

ROOT = Path(__file__).resolve().parents[1]
#: Texts between these lengths (characters) count as news-sized.
MIN_CHARS, MAX_CHARS = 600, 6000


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def payloads_from_store(db: Path, n: int, seed: int) -> list[dict]:
    """``n`` news-sized stored texts, each with one middle paragraph swapped for another document's."""
    rng = random.Random(seed)
    with open_index(db, readonly=True) as ix:
        ids = list(ix.ids())
        rng.shuffle(ids)
        texts: list[tuple[str, str]] = []
        for doc_id in ids:
            rec = ix.get(doc_id)
            if rec and MIN_CHARS <= len(rec.text) <= MAX_CHARS and len(_paragraphs(rec.text)) >= 3:
                texts.append((doc_id, rec.text))
                if len(texts) == n:
                    break
    if not texts:
        sys.exit(f"{db}: no stored document of {MIN_CHARS}-{MAX_CHARS} characters with 3 paragraphs to use as payload")
    out = []
    for i, (doc_id, text) in enumerate(texts):
        paras = _paragraphs(text)
        donor = _paragraphs(texts[(i + 1) % len(texts)][1])
        k = len(paras) // 2
        paras[k] = donor[len(donor) // 2] if len(texts) > 1 else paras[k][::-1]
        out.append({"expect": doc_id, "text": "\n\n".join(paras)})
    return out


def payloads_from_files(folder: Path, n: int, seed: int) -> list[dict]:
    files = sorted(folder.rglob("*.txt"))
    random.Random(seed).shuffle(files)
    out = [{"expect": None, "text": f.read_text(encoding="utf-8", errors="replace")} for f in files[:n]]
    if not out:
        sys.exit(f"{folder}: no .txt files")
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "UNSPUN_WRITE_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "unspun.serve", "--db", str(db), "--port", str(port)], env=env)
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit("the server did not start")
        time.sleep(0.2)


def sample_rss(pid: int, every: float, stop: threading.Event, into: list[tuple[float, float]]) -> None:
    """Append (seconds since start, RSS MB) of ``pid`` every ``every`` seconds until ``stop`` is set."""
    t0 = time.monotonic()
    while not stop.wait(every):
        into.append((round(time.monotonic() - t0, 1), round(rss_mb(pid), 1)))


def run_clients(url: str, payloads: list[dict], clients: int, seconds: float) -> dict:
    """Each client posts payloads in turn (starting at its own offset) until the time is up."""
    latencies: list[float] = []
    errors: list[str] = []
    hits = checked = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(c: int) -> None:
        nonlocal hits, checked
        i = c * max(1, len(payloads) // clients)
        with httpx.Client(base_url=url, timeout=300) as http:
            while time.monotonic() < deadline:
                p = payloads[i % len(payloads)]
                i += 1
                t = time.perf_counter()
                try:
                    r = http.post("/v1/check", json={"text": p["text"]})
                    ok, why = r.status_code == 200, f"HTTP {r.status_code}: {r.text[:200]}"
                except httpx.HTTPError as e:
                    ok, why, r = False, f"{type(e).__name__}: {e}", None
                took = time.perf_counter() - t
                with lock:
                    if not ok:
                        errors.append(why)
                        continue
                    latencies.append(took)
                    if p["expect"] is not None:
                        checked += 1
                        sources = r.json()["sources"]
                        hits += bool(sources) and sources[0]["id"] == p["expect"]

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    return {"latencies": latencies, "errors": errors, "wall": wall, "hits": hits, "checked": checked}


def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="the store to serve")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=10,
                    help="seconds of the same load before measuring (caches fill, untimed)")
    ap.add_argument("--payloads", type=int, default=64, help="distinct texts to post")
    ap.add_argument("--texts", type=Path, help="post these .txt files instead of altered stored documents")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    a = ap.parse_args()

    payloads = payloads_from_files(a.texts, a.payloads, a.seed) if a.texts else \
        payloads_from_store(a.db, a.payloads, a.seed)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    proc = start_server(a.db, port)
    startup = time.monotonic() - t0
    try:
        documents = httpx.get(f"{url}/v1/health").json()["documents"]
        httpx.post(f"{url}/v1/check", json={"text": payloads[0]["text"]}, timeout=300)  # first-call costs, untimed
        if a.warmup > 0:
            run_clients(url, payloads[::-1], a.clients, a.warmup)  # caches and thread pool fill, untimed
        rss_start = rss_mb(proc.pid)
        series: list[tuple[float, float]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(proc.pid, 1.0, stop, series), daemon=True)
        sampler.start()
        res = run_clients(url, payloads, a.clients, a.seconds)
        stop.set()
        sampler.join()
        rss_end = rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()

    lat = res["latencies"]
    ms = lambda x: round(x * 1000, 1)  # noqa: E731
    result = {
        "store": str(a.db), "documents": documents, "clients": a.clients, "seconds": a.seconds, "warmup_s": a.warmup,
        "payloads": len(payloads), "payload_chars_mean": round(statistics.mean(len(p["text"]) for p in payloads)),
        "requests": len(lat), "errors": len(res["errors"]), "error_samples": res["errors"][:5],
        "requests_per_s": round(len(lat) / res["wall"], 2), "wall_s": round(res["wall"], 1),
        "latency_ms": {"p50": ms(percentile(lat, 50)), "p95": ms(percentile(lat, 95)), "p99": ms(percentile(lat, 99)),
                       "max": ms(max(lat, default=float("nan"))),
                       "mean": ms(statistics.mean(lat)) if lat else None},
        "source_ranked_first": f"{res['hits']}/{res['checked']}" if res["checked"] else None,
        "server_rss_mb": {"start": round(rss_start, 1), "end": round(rss_end, 1),
                          "max": max([rss_start, rss_end, *(m for _, m in series)]),
                          "every_10s": [m for t, m in series if round(t) % 10 == 0]},
        "server_startup_s": round(startup, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    a.results.mkdir(parents=True, exist_ok=True)
    (a.results / "load.json").write_text(json.dumps(result, indent=2) + "\n")
    (a.results / "load.md").write_text(markdown(result))
    print(markdown(result))
    return 1 if res["errors"] else 0


def markdown(r: dict) -> str:
    lat = r["latency_ms"]
    return (
        f"`bench/load.py`: {r['clients']} clients, {r['seconds']:g} s, POST /v1/check on loopback, store {r['store']} "
        f"({r['documents']:,} documents), {r['payloads']} payloads of {r['payload_chars_mean']:,} characters on "
        f"average ({r['date']}, {r['machine']['cpus']} CPUs, Python {r['machine']['python']}).\n\n"
        "| requests | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors | RSS start MB | RSS end MB |"
        " source ranked first |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {r['requests']} | {r['requests_per_s']} | {lat['p50']} | {lat['p95']} | {lat['p99']} | {lat['max']} "
        f"| {r['errors']} | {r['server_rss_mb']['start']} | {r['server_rss_mb']['end']} "
        f"| {r['source_ranked_first'] or 'n/a'} |\n"
    )


if __name__ == "__main__":
    sys.exit(main())
