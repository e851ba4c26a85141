"""What the benches of translated text share (bench/crosslingual.py, bench/roundtrip.py): which BBC articles they
translate, Apertium (a rule-based translator run as an external program: `apt-get install apertium
apertium-eng-spa`), their arguments, and a check run in a fresh process."""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from unspun.index import Index
from unspun.models import Source

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
#: BBC categories translated: held out from the business articles the cross-language thresholds were chosen on.
CATEGORIES = ("tech", "politics")


def articles(data: Path, every: int) -> list[tuple[str, Path]]:
    """(category, file) of every ``every``-th of the first 400 articles of each category."""
    return [(cat, f) for cat in CATEGORIES
            for f in sorted((data / "bbc-news-2225" / cat).glob("*.txt"))[:400][every // 2 :: every]]


def apertium(pair: str, text: str) -> str:
    """``text`` translated by Apertium's ``pair`` (eng-spa, spa-eng), unknown words left as they are."""
    return subprocess.run(["apertium", "-u", pair], input=text, text=True, capture_output=True, check=True).stdout


def arguments(work: str) -> argparse.Namespace | None:
    """The benches' arguments (``work``: where translations are kept), or None, said why, when Apertium or the
    BBC articles are missing."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--db", type=Path, default=Path("/tmp/unspun-bench-semantic"))
    ap.add_argument("--lexical-db", type=Path, default=Path("/tmp/unspun-bench-retrieval"))
    ap.add_argument("--work", type=Path, default=Path(work))
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    if shutil.which("apertium") is None:
        print("bench: apertium not installed (apt-get install apertium apertium-eng-spa); nothing to measure")
        return None
    if not (args.data / "bbc-news-2225").is_dir():
        print(f"bench: {args.data / 'bbc-news-2225'} not found; nothing to measure")
        return None
    return args


def fresh(run: Callable[..., T], *args: object) -> T:
    """``run(*args)`` in a fresh process: the sentence-vector cache of one run would speed up the next."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run, *args).result()


def ranked_first(ix: Index, sources: list[Source], want: str) -> bool:
    """Whether stored document ``want`` is ranked first among a check's ``sources``, or tied first with a stored
    copy identical to it (BBC holds duplicates)."""
    if not sources:
        return False
    orig = ix.store.record(ix.store.doc_key(want)).text
    tied = {s.id for s in sources if s.score == sources[0].score}
    return sources[0].id == want or (want in tied and ix.store.record(ix.store.doc_key(sources[0].id)).text == orig)
