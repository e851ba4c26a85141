"""The sentence model in ONNX Runtime (`unspun.embed_onnx`, the CPU pass): the package's numpy vectors, a text's
vector whatever is embedded beside it, a session of its own in each forked process and thread count, and nothing
written or sent by ONNX Runtime's telemetry."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from unspun import embed, embed_onnx

from test_embed import TEXTS

ODD = ["", " ", "x", "😀👍🏽 only emoji", "\x00\x07 control", "word " * 400]


def test_the_onnx_pass_gives_the_numpy_models_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stores embedded before (numpy) are checked by queries embedded now: the two must agree. A small token budget
    makes several runs, one of them a text longer than the budget, so texts are kept apart across runs."""
    monkeypatch.setattr(embed_onnx, "TOKEN_BUDGET", 64)
    texts = TEXTS + ODD + [TEXTS[0] + " " + TEXTS[1]]
    backend = embed.model()._backend
    assert backend.name == "onnx"
    want, got = backend.weights.encode(texts), backend.encode(texts)
    assert got.shape == want.shape == (len(texts), embed.DIM) and got.dtype == np.float32
    cosines = dict(zip(texts, (want * got).sum(axis=1)))
    assert min(cosines[t] for t in TEXTS) > 0.999, cosines
    assert min(cosines.values()) > 0.995, cosines  # "word word ..." 0.998: int8 rounds the same row 400 times
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_texts_vector_does_not_depend_on_the_texts_beside_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Activations are quantised a row at a time: with one scale for a whole run, a sentence's vector moved by up to
    0.009 with the texts embedded beside it (so a check's evidence hung on what was embedded before)."""
    backend = embed.model()._backend
    texts = TEXTS + ["word " * 400]
    together = backend.encode(texts)
    for t, v in zip(texts, together):
        assert np.allclose(backend.encode([t])[0], v, atol=1e-6), t
    monkeypatch.setattr(embed_onnx, "TOKEN_BUDGET", 16)  # each text a run of its own
    assert np.allclose(backend.encode(texts), together, atol=1e-6)


def _session_threads() -> tuple[int, int]:
    embed.encode(["a sentence of its own " + str(os.getpid())])
    backend = embed.model()._backend
    return os.getpid(), backend.session().get_session_options().intra_op_num_threads


def test_a_forked_process_and_a_new_thread_count_run_their_own_session() -> None:
    """ONNX Runtime's threads do not survive a fork (index, eval and clusters workers are forked from a process
    that may have run the model): each process opens its session, with the threads it was given."""
    before = embed.model().threads
    try:
        embed.set_threads(2)
        assert _session_threads() == (os.getpid(), 2)
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            pid, threads = pool.submit(_session_threads).result()
        assert pid != os.getpid() and threads == 2
        embed.set_threads(1)
        assert _session_threads() == (os.getpid(), 1)
    finally:
        embed.set_threads(before)


def test_the_model_runs_in_a_process_that_opened_a_vector_index_first() -> None:
    """`check` and `index` open the store's vectors before the model loads: usearch, loaded first, broke ONNX
    Runtime (1.23-1.32 died loading it, 1.22 read the graph wrong) until `index.usearch_index` loaded it after."""
    done = subprocess.run([sys.executable, "-c", "from unspun.index import usearch_index; usearch_index(); "
                           "from unspun.embed import encode; print(encode(['a sentence']).shape)"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "(1, 512)", (done.returncode, done.stderr)
    # A program of the user's that imported usearch itself first: a plain error, not ONNX Runtime's graph error.
    done = subprocess.run([sys.executable, "-c", "import usearch.index; from unspun.embed import encode; "
                           "encode(['a sentence'])"], capture_output=True, text=True)
    assert done.returncode == 1 and "UnspunError: the sentence model cannot run in this process: usearch was " \
        "imported before unspun loaded onnxruntime" in done.stderr, done.stderr


def test_onnx_runtime_writes_no_device_id_and_sends_no_telemetry(tmp_path: Path) -> None:
    """ONNX Runtime 1.29 on sends telemetry from Linux and writes a device id to TMPDIR unless told not to before it
    loads: a fresh process that embeds leaves its TMPDIR empty; a value the user set is theirs."""
    run = lambda code, env: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           env={**{k: v for k, v in os.environ.items()
                                                   if k != "ORT_DISABLE_TELEMETRY"}, **env, "TMPDIR": str(tmp_path)})
    done = run("from unspun.embed import encode; import os; encode(['a sentence']); "
               "print(os.environ['ORT_DISABLE_TELEMETRY'])", {})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1" and not done.stderr
    assert not list(tmp_path.iterdir())
    kept = run("import os, unspun.embed_onnx; print(os.environ['ORT_DISABLE_TELEMETRY'])",
               {"ORT_DISABLE_TELEMETRY": "0"})
    assert kept.stdout.strip() == "0", kept.stderr


def test_a_process_exits_cleanly_while_a_daemon_thread_embeds() -> None:
    """A daemon thread inside ONNX Runtime or the C++ tokenizer (the GIL released) as the interpreter finalised was
    ended by a thread cancellation unwinding through C++ frames: the process aborted ("terminate called without an
    active exception", status 134), where with the numpy pass it exited. An exiting process lets the call end."""
    code = """if True:
        import threading, time
        from unspun.embed import model
        started = threading.Event()
        def busy():
            while True:
                model().encode(["a long text to embed " * 600] * 2)
                started.set()
        threading.Thread(target=busy, daemon=True).start()
        started.wait(60)
        time.sleep(0.05)
        print("exiting")
    """
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.strip() == "exiting", (done.returncode, done.stderr[-300:])
