"""The Spark engine finds the same links, clusters and boilerplate as the local engine on ~2000 documents."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("pyspark")

from unspun.clusters import compute, run  # noqa: E402
from unspun.errors import UnspunError  # noqa: E402

from test_clusters import big_corpus  # noqa: E402

N_DOCS = 2000


@pytest.mark.skipif(shutil.which("java") is None, reason="no Java on this machine: Spark cannot start")
def test_spark_gives_the_same_links_as_local(tmp_path):
    src = tmp_path / "docs.jsonl"
    recs = big_corpus(N_DOCS)
    src.write_text("".join(json.dumps({"id": r.id, "text": r.text, "published": r.published}) + "\n" for r in recs))
    db, out = tmp_path / "db", tmp_path / "spark.jsonl"
    run(db, out, "jsonl", "spark", "local[2]", False, None, [src], quiet=True)  # JSONL in, indexed, then Spark
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    spark_links = {(r["a"], r["b"]): r for r in rows if r["type"] == "link"}

    local = compute(db, quiet=True)
    local_rows = local.records()
    assert len(local.links) > 300  # the corpus has hundreds of copies
    assert spark_links == {(r["a"], r["b"]): r for r in local_rows["link"]}
    assert [r for r in rows if r["type"] == "cluster"] == local_rows["cluster"]
    assert [r for r in rows if r["type"] == "boilerplate"] == local_rows["boilerplate"]
    assert local_rows["boilerplate"] and local_rows["cluster"]


def test_a_job_spark_gave_up_on_is_one_error_line():
    """A master that never answers lets the context start and kills the application a minute later: the job ended
    in a Py4JJavaError traceback ("Task not serializable"). Our own code failing on a worker keeps its traceback."""
    from types import SimpleNamespace

    from py4j.protocol import Py4JError

    from unspun.clusters.spark import _job
    from unspun.errors import UnspunError

    def context(stopped: bool) -> SimpleNamespace:
        return SimpleNamespace(master="spark://nowhere:7077",
                               _jsc=SimpleNamespace(sc=lambda: SimpleNamespace(isStopped=lambda: stopped)))

    failed = "An error occurred while calling z:collectAndServe.\n: org.apache.spark.SparkException: Task not serializable"
    with pytest.raises(UnspunError, match=r"stopped the application .* master spark://nowhere:7077") as e:
        with _job(context(True)):
            raise Py4JError(failed)
    assert "\n" not in str(e.value)
    with pytest.raises(UnspunError, match=r"Spark job failed \(org.apache.spark.SparkException: Task not serial"):
        with _job(context(False)):
            raise Py4JError(failed)
    with pytest.raises(Py4JError):
        with _job(context(False)):
            raise Py4JError("...\n: org.apache.spark.api.python.PythonException: Traceback (most recent call last)")


def test_a_user_error_on_a_worker_is_its_line():
    """Workers open --db at the driver's path: a node where no store is there ended in a Py4JJavaError traceback
    holding the worker's (checked by hand: a link to the store switched to an empty folder as Spark starts)."""
    from types import SimpleNamespace

    from py4j.protocol import Py4JError

    from unspun.clusters.spark import _job
    from unspun.errors import UnspunError

    sc = SimpleNamespace(master="local[2]", _jsc=SimpleNamespace(sc=lambda: SimpleNamespace(isStopped=lambda: False)))
    failed = ("An error occurred while calling z:collectAndServe.\n: org.apache.spark.SparkException: Job aborted\n"
              "org.apache.spark.api.python.PythonException: Traceback (most recent call last):\n"
              '  File "/x/unspun/clusters/spark.py", line 95, in run\n'
              "unspun.store.StoreError: db: no unspun store here (run `unspun index --db db ...` first)\n"
              "\tat org.apache.spark.api.python.BasePythonRunner.handlePythonException\n")
    with pytest.raises(UnspunError, match=r"^on a Spark worker: db: no unspun store here \(run") as e:
        with _job(sc):
            raise Py4JError(failed)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("master", ["bogus://nowhere", "local[2", "spark:/host:7077", "Local[*]"])
def test_a_master_url_spark_does_not_take_is_one_line_before_java_starts(master: str, monkeypatch) -> None:
    """A mistyped --master gave Spark's Java stack trace, then "Java gateway process exited" for a cause (QA)."""
    from unspun.clusters import spark

    monkeypatch.setattr(spark, "_java", lambda: pytest.fail("Java looked for"))
    with pytest.raises(UnspunError, match=r"^--master .*: not a Spark master URL \(local, local\[N\]"):
        with spark.session(master):
            pass


@pytest.mark.parametrize("master", ["local", "local[2]", "local[*]", "local[4,2]", "local-cluster[2,1,1024]", "yarn",
                                    "spark://host:7077", "spark://h1:7077,h2:7077", "k8s://https://host:443"])
def test_master_urls_spark_takes_pass(master: str) -> None:
    from unspun.clusters.spark import _MASTER

    assert _MASTER.fullmatch(master)
