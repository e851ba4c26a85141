"""The Spark engine: the same per-document steps as the local engine, as mapPartitions over document ids.

Every worker opens the store read-only at the same path (local mode, or a path shared by the cluster's nodes) and
runs `unspun.clusters.links.doc_links`, the function the local engine runs; the driver merges the links with the
same `merge`, so both engines write the same links. PySpark comes from PyPI with its jars; nothing is downloaded
at run time. Without Java, Spark cannot start: that is a one-line `UnspunError`.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import UnspunError
from . import boilerplate
from .links import Link, doc_links, merge, open_index
from .params import ClusterParams


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


#: The master URLs Spark takes (its SparkContext refuses any other form).
_MASTER = re.compile(r"local(\[[^\]]+\])?|local-cluster\[[^\]]+\]|yarn|(spark|k8s|mesos)://\S+")


@contextmanager
def session(master: str | None) -> Iterator:
    """A SparkContext for this run, stopped afterwards; a Spark that cannot start is an `UnspunError`."""
    if master is not None and not _MASTER.fullmatch(master):
        # Spark's own refusal came as a Java stack trace, then "Java gateway process exited" for a cause (QA).
        raise UnspunError(f"--master {master}: not a Spark master URL (local, local[N], local[*], spark://HOST:PORT, "
                          "yarn, k8s://HOST:PORT)")
    if _java() is None:
        raise UnspunError("Spark cannot start: no Java found (install a Java 17 runtime or set JAVA_HOME)")
    try:
        from pyspark import SparkConf, SparkContext
    except ImportError:
        raise UnspunError("--engine spark needs pyspark, unspun's spark extra: pip install 'unspun[spark]' "
                          "(`make install` installs it)") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    conf = (SparkConf().setMaster(master or "local[*]").setAppName("unspun-clusters")
            .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
            .set("spark.python.worker.reuse", "true"))
    try:
        sc = SparkContext.getOrCreate(conf)
    except Exception as e:  # py4j/pyspark raise many types; the user needs one line either way
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UnspunError(f"Spark cannot start ({first})") from None
    sc.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory(prefix="unspun-spark-") as tmp:
        sc.addPyFile(_package_zip(Path(tmp)))  # workers of a real cluster get this very code
        try:
            yield sc
        finally:
            sc.stop()


def _package_zip(tmp: Path) -> str:
    root = Path(__file__).resolve().parents[1]
    out = tmp / "unspun.zip"
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                z.write(f, Path("unspun") / f.relative_to(root))
    return str(out)


def _hash_part(db: str, p: ClusterParams):
    def run(ids: Iterator[str]) -> Iterator[tuple[str, bytes]]:
        ix = open_index(db, p)
        try:
            for i in ids:
                yield i, boilerplate.hashes(ix.get(i).text, p).tobytes()
        finally:
            ix.close()
    return run


def _link_part(db: str, p: ClusterParams, boiler):
    def run(ids: Iterator[str]) -> Iterator[Link]:
        ix = open_index(db, p)
        try:
            for i in ids:
                yield from doc_links(ix, i, boiler.value, p)
        finally:
            ix.close()
    return run


def _slices(sc, n: int) -> int:
    return max(1, min(n, sc.defaultParallelism * 8))


@contextmanager
def _watch(sc, tick: Callable[[int], None], total: int) -> Iterator[None]:
    """Move the progress bar with Spark's finished tasks (collect itself blocks until the end)."""
    stop = threading.Event()
    tasks = _slices(sc, total)
    done = [0]

    def poll() -> None:
        tracker = sc.statusTracker()
        while not stop.wait(0.5):
            finished = sum(s.numCompletedTasks for st in tracker.getActiveStageIds()
                           if (s := tracker.getStageInfo(st)) is not None)
            docs = min(total, finished * total // max(1, tasks))
            if docs > done[0]:
                tick(docs - done[0])
                done[0] = docs

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()
        tick(total - done[0])


#: The last line of a worker's Python traceback when it raised one of unspun's user errors (`UnspunError` and its
#: subclasses).
_WORKER_ERROR = re.compile(r"^unspun\.(?:errors\.(?:Unspun|Input)Error|store\.Store(?:Error|Busy)): (.+)$",
                           re.MULTILINE)


@contextmanager
def _job(sc) -> Iterator[None]:
    """A job Spark gave up on is one error line: a master that never answers (`--master spark://typo:7077`) lets the
    context start, then kills the application a minute later, and the job ended in a Py4JJavaError traceback
    ("Task not serializable"). A user error on a worker (a store its node cannot open: workers open `--db` at the
    driver's path) is that error's line; any other failure of our code on a worker keeps its traceback."""
    from py4j.protocol import Py4JError

    try:
        yield
    except Py4JError as e:
        if "PythonException" in str(e):
            said = _WORKER_ERROR.findall(str(e))
            if said:
                raise UnspunError(f"on a Spark worker: {said[-1]}") from None
            raise
        try:
            stopped = bool(sc._jsc.sc().isStopped())
        except Exception:  # the gateway itself is gone
            stopped = True
        if stopped:
            raise UnspunError(f"Spark stopped the application before the job ran (is the master {sc.master} "
                              "running and reachable?)") from None
        reason = next((ln.strip(" :") for ln in str(e).splitlines()[1:] if ln.strip(" :")), type(e).__name__)
        raise UnspunError(f"Spark job failed ({reason})") from None


def sentence_hashes(sc, db: str, ids: Sequence[str], p: ClusterParams, tick: Callable[[int], None]) -> list[np.ndarray]:
    with _job(sc), _watch(sc, tick, len(ids)):
        got = dict(sc.parallelize(list(ids), _slices(sc, len(ids))).mapPartitions(_hash_part(db, p)).collect())
    return [np.frombuffer(got[i], dtype=np.int64) for i in ids]


def links(sc, db: str, ids: Sequence[str], boiler: frozenset[int], p: ClusterParams,
          tick: Callable[[int], None]) -> dict[tuple[str, str], Link]:
    b = sc.broadcast(boiler)
    with _job(sc), _watch(sc, tick, len(ids)):
        found = sc.parallelize(list(ids), _slices(sc, len(ids))).mapPartitions(_link_part(db, p, b)).collect()
    return merge(found)
