"""unspun clusters: links, boilerplate, clusters and originals on a synthetic store with known reuse; formats,
atomic output, HTML escaping and the one-line errors."""

from __future__ import annotations

import csv
import json
import logging
import os
import random
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import unspun.clusters as clusters
from unspun.clusters import ClusterParams, compute, output, spark
from unspun.clusters.links import merge
from unspun.errors import UnspunError
from unspun.index import Index
from unspun.models import Record


# --- synthetic corpora with known reuse (also used by test_clusters_spark) ---
_SYL = ["ka", "lo", "mi", "ren", "tas", "vo", "qui", "dor", "pel", "sun", "bra", "tek", "nim", "gol", "fa",
        "ser", "mun", "dal", "tri", "zo", "har", "lin", "pro", "vet", "cal", "mor", "bes", "gan", "ful", "rod"]
_STOP = ["the", "a", "of", "to", "and", "in", "on", "with", "for", "that"]

FOOTER = ("This report was produced by the Northern Wire Service and may not be reproduced without written "
          "permission from its editors. Readers who wish to contact the newsroom can write to the address printed "
          "on the back page of every edition. Corrections and clarifications are published every Saturday in the "
          "weekend supplement of the paper. All rights are reserved by the publishers and their licensors.")


def vocabulary(rng: random.Random, n: int = 3000) -> list[str]:
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYL) for _ in range(rng.randint(2, 3))))
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str]) -> str:
    out = []
    for _ in range(rng.randint(12, 18)):
        out.append(rng.choice(_STOP) if rng.random() < 0.3 else rng.choice(vocab))
    return out[0].capitalize() + " " + " ".join(out[1:]) + "."


def story(rng: random.Random, vocab: list[str], sentences: int) -> str:
    return " ".join(sentence(rng, vocab) for _ in range(sentences))


def small_corpus() -> list[Record]:
    """A store with known reuse: two dated stories with copies, one undated pair, a quote, a shared footer."""
    rng = random.Random(7)
    vocab = vocabulary(rng)
    s1, s2, s3 = story(rng, vocab, 12), story(rng, vocab, 10), story(rng, vocab, 10)
    quote = " ".join(sentence(rng, vocab) for _ in range(2))
    recs = [
        Record("s1-orig", s1 + "\n\n" + FOOTER, published="2020-01-01"),
        Record("s1-copy1", s1 + "\n\n" + FOOTER, published="2020-01-03"),
        Record("s1-copy2", story(rng, vocab, 2) + " " + s1, published="2020-01-02"),
        Record("s2-orig", s2, published="2021-05-01"),
        Record("s2-copy", " ".join(s2.split(". ")[:7]) + ". " + story(rng, vocab, 3) + "\n\n" + FOOTER,
               published="2021-05-04"),
        Record("s3-x", s3),
        Record("s3-y", "Intro line of the blog. " + s3),
        # quotes two sentences of story 1 inside a long story of its own: a link, never a cluster edge
        Record("quoter", story(rng, vocab, 10) + " " + s1.split(". ")[3] + ". " + s1.split(". ")[4] + ". "
               + story(rng, vocab, 10), published="2020-02-01"),
    ]
    for k in range(10):  # unrelated stories that all carry the footer
        recs.append(Record(f"other-{k:02d}", story(rng, vocab, 8) + "\n\n" + FOOTER, published=f"2019-03-{k + 1:02d}"))
    return recs


def big_corpus(n: int = 2000, seed: int = 11) -> list[Record]:
    """``n`` short documents: groups of copies (verbatim and partial) among unrelated stories, some with a footer."""
    rng = random.Random(seed)
    vocab = vocabulary(rng, 6000)
    recs: list[Record] = []
    while len(recs) < n:
        base = story(rng, vocab, rng.randint(4, 7))
        i = len(recs)
        recs.append(Record(f"d{i:05d}", base + ("\n\n" + FOOTER if rng.random() < 0.2 else ""),
                           published=f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                           if rng.random() < 0.7 else None))
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 3)):
                parts = base.split(". ")
                keep = parts[: max(3, len(parts) - rng.randint(0, 2))]
                recs.append(Record(f"d{len(recs):05d}", story(rng, vocab, 1) + " " + ". ".join(keep) + ".",
                                   published=None))
    return recs[:n]


# --- tests ---

UNSPUN = str(Path(sys.executable).with_name("unspun"))


def _store(path: Path, recs: list[Record]) -> Path:
    with Index(path, semantic=False) as ix:
        ix.add(recs)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return _store(tmp_path_factory.mktemp("clusters") / "db", small_corpus())


@pytest.fixture(scope="module")
def result(store):
    return compute(store, quiet=True)


def _pairs(res) -> set[tuple[str, str]]:
    return set(res.links)


def test_known_reuse_is_linked_once_per_pair(result):
    pairs = _pairs(result)
    for want in [("s1-copy1", "s1-orig"), ("s1-copy2", "s1-orig"), ("s1-copy1", "s1-copy2"),
                 ("s2-copy", "s2-orig"), ("s3-x", "s3-y")]:
        assert want in pairs
    assert all(a < b for a, b in pairs)


def test_link_passages_are_offsets_into_both_documents(result):
    recs = {r.id: r for r in small_corpus()}
    link = result.links[("s1-copy2", "s1-orig")]
    for p in link.passages:
        a = recs[link.a].text[p.a[0]:p.a[1]]
        b = recs[link.b].text[p.b[0]:p.b[1]]
        assert a and b and a.split()[:3] == b.split()[:3]
    assert link.coverage_b > 0.8


def test_footer_is_boilerplate_and_makes_no_link(result):
    assert len(result.boilerplate) >= 1
    texts = " ".join(b["text"] for b in result.boilerplate)
    assert "Northern Wire Service" in texts
    top = result.boilerplate[0]
    assert top["documents"] >= 10 and len(top["examples"]) == 5
    assert not any(a.startswith("other-") or b.startswith("other-") for a, b in result.links)


def test_without_boilerplate_detection_the_footer_would_link(store, monkeypatch):
    # Every layer off: `check`'s own rules (common word pairs, in a passage or inside one; short stretches many
    # sources match) and the clusters' (sentences across documents).
    monkeypatch.setattr("unspun.index.boilerplate", lambda *args: False)
    monkeypatch.setattr("unspun.index.stands_without", lambda *args: True)
    monkeypatch.setattr("unspun.index.set_text", lambda evidence, *args: [False] * len(evidence))
    off = ClusterParams(boiler_docs=10**9, min_lexical=5)
    res = compute(store, params=off, quiet=True)
    assert any(a.startswith("other-") and b.startswith("other-") for a, b in res.links)
    on = compute(store, params=ClusterParams(min_lexical=5), quiet=True)
    assert not any(a.startswith("other-") and b.startswith("other-") for a, b in on.links)


def test_boilerplate_does_not_inflate_coverage(result):
    link = result.links[("s1-copy1", "s1-orig")]  # identical texts with the footer: the body is all reused
    assert link.coverage_a == pytest.approx(1.0, abs=0.01) and link.coverage_b == pytest.approx(1.0, abs=0.01)
    other = result.links[("s2-copy", "s2-orig")]  # 7 of 10 sentences copied, then 3 new ones and the footer
    assert 0.5 < other.coverage_a < 0.85 and 0.5 < other.coverage_b < 0.85


def test_clusters_and_originals_by_date(result):
    by_original = {c.original: c for c in result.clusters}
    c1 = by_original["s1-orig"]
    assert c1.members == ["s1-copy1", "s1-copy2", "s1-orig"]
    assert "earliest published" in c1.why and "2020-01-01" in c1.why
    assert {cp.id for cp in c1.copies} == {"s1-copy1", "s1-copy2"}
    assert by_original["s2-orig"].members == ["s2-copy", "s2-orig"]
    undated = next(c for c in result.clusters if "s3-x" in c.members)
    assert undated.members == ["s3-x", "s3-y"] and undated.why.startswith("no dates")


def test_no_merge_through_boilerplate_or_a_quote(result):
    member_of = {m: c.id for c in result.clusters for m in c.members}
    assert "quoter" not in member_of  # two quoted sentences: a link perhaps, never a cluster edge
    assert not any(m.startswith("other-") for m in member_of)
    assert member_of["s1-orig"] != member_of["s2-orig"]


def test_merge_is_order_independent(store):
    p = ClusterParams()
    from unspun.clusters.links import doc_links, open_index
    ix = open_index(str(store), p)
    found = [l for i in sorted(ix.ids()) for l in doc_links(ix, i, frozenset(), p)]
    assert merge(found) == merge(list(reversed(found)))


def test_jsonl_records(store, tmp_path):
    out = tmp_path / "out.jsonl"
    clusters.run(store, out, "jsonl", "local", None, False, None, None, quiet=True)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    types = {r["type"] for r in rows}
    assert types == {"link", "cluster", "boilerplate"}
    link = next(r for r in rows if r["type"] == "link")
    assert {"a", "b", "passages", "coverage", "source", "evidence"} <= set(link)
    assert set(link["passages"][0]) == {"a", "b", "kind", "similarity"}
    cluster = next(r for r in rows if r["type"] == "cluster")
    assert {"members", "original", "why"} <= set(cluster)


def test_parquet_and_csv_one_file_per_type(store, tmp_path, result):
    clusters.run(store, tmp_path / "out.parquet", "parquet", "local", None, False, None, None, quiet=True)
    links = pq.read_table(tmp_path / "out.links.parquet").to_pylist()
    assert len(links) == len(result.links)
    assert links[0]["passages"][0]["kind"]
    assert pq.read_table(tmp_path / "out.clusters.parquet").num_rows == len(result.clusters)
    assert pq.read_table(tmp_path / "out.boilerplate.parquet").num_rows == len(result.boilerplate)
    clusters.run(store, tmp_path / "res", "csv", "local", None, False, None, None, quiet=True)
    with open(tmp_path / "res.links.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(result.links)
    assert json.loads(rows[0]["passages"])[0]["a"]
    with open(tmp_path / "res.clusters.csv", newline="") as f:
        assert json.loads(next(csv.DictReader(f))["members"])


def test_output_is_atomic(store, tmp_path, monkeypatch):
    out = tmp_path / "out.parquet"
    clusters.run(store, out, "parquet", "local", None, False, None, None, quiet=True)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(path, t, rows):
        Path(path).write_bytes(b"half")
        if t == "cluster":
            raise RuntimeError("crash while writing")
        return real(path, t, rows)

    real = output._parquet
    monkeypatch.setattr(output, "_parquet", boom)
    with pytest.raises(RuntimeError):
        clusters.run(store, out, "parquet", "local", None, False, None, None, quiet=True)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # old files intact, no temporary left behind


def test_summary_and_html(store, tmp_path, capsys):
    html = tmp_path / "overview.html"
    clusters.run(store, tmp_path / "o.jsonl", "jsonl", "local", None, True, html, None, quiet=True)
    printed = capsys.readouterr().out
    assert "cluster 1: 3 documents, original s1-orig" in printed
    page = html.read_text()
    assert "s1-orig" in page and "Boilerplate" in page
    pairs = sorted((tmp_path / "overview-pairs").iterdir())
    assert pairs and all(p.suffix == ".html" for p in pairs)
    assert 'href="overview-pairs/' in page


def test_html_leaves_no_pair_report_of_an_earlier_run(store, tmp_path):
    """A run with fewer clusters left the last run's pair reports beside its own, naming pairs this one may not;
    a file of the user's own in the folder stays."""
    html = tmp_path / "overview.html"
    folder = tmp_path / "overview-pairs"
    folder.mkdir()
    (folder / "c99-1.html").write_text("an earlier run's pair")
    (folder / "notes.html").write_text("mine")
    clusters.run(store, tmp_path / "o.jsonl", "jsonl", "local", None, False, html, None, quiet=True)
    names = {p.name for p in folder.iterdir()}
    assert "c99-1.html" not in names and "notes.html" in names
    linked = set(re.findall(r'href="overview-pairs/([^"]+)"', html.read_text()))
    assert linked and names - {"notes.html"} == linked


def test_html_links_reach_the_pair_reports_whatever_the_page_is_called(store, tmp_path):
    """A page called "run #2 50%.html" linked to "run #2 50%-pairs/...": a URL whose '#' starts a fragment."""
    from urllib.parse import unquote, urlsplit

    html = tmp_path / "run #2 50%?.html"
    clusters.run(store, tmp_path / "o.jsonl", "jsonl", "local", None, False, html, None, quiet=True)
    hrefs = re.findall(r'<a href="([^"]+)"', html.read_text())
    assert hrefs
    for href in hrefs:
        url = urlsplit(href)
        assert not url.fragment and not url.query, href
        assert (tmp_path / unquote(url.path)).is_file(), href


def test_outputs_get_the_mode_of_new_files(store, tmp_path):
    html = tmp_path / "overview.html"
    old = os.umask(0o022)
    try:
        clusters.run(store, tmp_path / "o.jsonl", "jsonl", "local", None, False, html, None, quiet=True)
    finally:
        os.umask(old)
    for f in [tmp_path / "o.jsonl", html, *(tmp_path / "overview-pairs").iterdir()]:
        assert f.stat().st_mode & 0o777 == 0o644, f  # not mkstemp's 0600


def test_unwritable_targets_are_refused_before_clustering(store, tmp_path, monkeypatch):
    monkeypatch.setattr(clusters, "compute", lambda *a, **k: pytest.fail("computed before checking the targets"))
    (tmp_path / "taken-pairs").write_text("a file where the pair reports go")
    for out, html, words in ((tmp_path, None, "is a directory"),
                             (tmp_path / "o.jsonl", tmp_path, "is a directory"),
                             (tmp_path / "o.jsonl", tmp_path / "taken.html", "exists and is not a folder"),
                             (tmp_path / "file.txt" / "o.jsonl", None, "cannot create its folder: .*file.txt is a file")):
        (tmp_path / "file.txt").write_text("x")
        with pytest.raises(UnspunError, match=words):
            clusters.run(store, out, "jsonl", "local", None, False, html, None, quiet=True)
    assert not (tmp_path.parent / f"{tmp_path.name}-pairs").exists()


def test_a_pair_folder_that_cannot_be_made_is_refused_before_clustering(store, tmp_path, monkeypatch):
    """The page's name was checked but not its pairs' folder, which has 6 more characters: a name that fits where the
    folder's does not ended, after all the clustering, in an OSError traceback."""
    monkeypatch.setattr(clusters, "compute", lambda *a, **k: pytest.fail("computed before checking the targets"))
    html = tmp_path / f"{'x' * 250}.html"
    with pytest.raises(UnspunError, match="cannot create the folder for the pair reports"):
        clusters.run(store, tmp_path / "o.jsonl", "jsonl", "local", None, False, html, None, quiet=True)
    assert list(tmp_path.iterdir()) == []


def test_outputs_never_land_on_each_other_or_on_the_store(store, tmp_path, monkeypatch):
    """`--html` named as `--out` replaced the records with the page, and `--out DB/unspun.sqlite` replaced the store
    with the records, both without a word."""
    monkeypatch.setattr(clusters, "compute", lambda *a, **k: pytest.fail("computed before checking the targets"))
    before = (store / "unspun.sqlite").stat().st_mtime_ns
    for out, fmt, html, words in ((tmp_path / "o.jsonl", "jsonl", tmp_path / "o.jsonl", "is also where --out writes"),
                                  (tmp_path / "o", "csv", tmp_path / "o.links.csv", "is also where --out writes"),
                                  (tmp_path / "p-pairs", "jsonl", tmp_path / "p.html", "is also where --out"),
                                  (store / "unspun.sqlite", "jsonl", None, "is a file of the store"),
                                  (store / ".." / store.name / "unspun.sqlite-wal", "jsonl", None, "file of the store"),
                                  (tmp_path / "o.jsonl", "jsonl", store / "unspun.sqlite", "is a file of the store")):
        with pytest.raises(UnspunError, match=words):
            clusters.run(store, out, fmt, "local", None, False, html, None, quiet=True)
    assert (store / "unspun.sqlite").stat().st_mtime_ns == before


def test_a_write_that_fails_is_one_error_and_leaves_no_file(store, tmp_path, monkeypatch):
    """A full disk while the records or the overview were written ended in an OSError traceback."""
    import errno

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    for module, name, fmt in ((output, "_jsonl", "jsonl"), (output, "_parquet", "parquet"),
                              (clusters.overview, "_atomic", "jsonl")):
        with monkeypatch.context() as m:
            m.setattr(module, name, full)
            with pytest.raises(UnspunError, match="cannot write: No space left on device"):
                clusters.run(store, tmp_path / "o", fmt, "local", None, False, tmp_path / "o.html", None, quiet=True)
        left = sorted(f.name for f in tmp_path.iterdir())
        assert left == ([] if name != "_atomic" else ["o", "o-pairs"]), left


def test_unspun_jobs_that_is_not_a_number_is_one_error(store, tmp_path, monkeypatch):
    """UNSPUN_JOBS=abc ended in a ValueError traceback."""
    from unspun.clusters import local

    monkeypatch.setenv("UNSPUN_JOBS", "abc")
    with pytest.raises(UnspunError, match="UNSPUN_JOBS='abc': not a whole number"):
        local.jobs()
    monkeypatch.setenv("UNSPUN_JOBS", "")
    assert local.jobs() == (os.cpu_count() or 1)


def test_a_summary_that_standard_output_cannot_take_is_one_error_line(store, tmp_path):
    """`clusters --summary > summary.txt` on a full disk ended in a traceback (OSError: No space left on device), where
    `compare` and `check` say it in one line."""
    import subprocess
    import sys

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "unspun.cli", "clusters", "--db", str(store), "--out",
                              str(tmp_path / "o.jsonl"), "--summary"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == "unspun: error: standard output: cannot write: No space left on device"
    assert "Traceback" not in run.stderr and (tmp_path / "o.jsonl").is_file()


def test_summary_escapes_control_characters_of_ids() -> None:
    from unspun.clusters.graph import Cluster
    from unspun.clusters.overview import summary

    c = Cluster(1, ["\x1b[31mred", "b"], "\x1b[31mred", "earliest", [], [])
    assert "original \\x1b[31mred" in summary([c], 1, 0, 2) and "\x1b" not in summary([c], 1, 0, 2)


def test_html_escapes_document_text(tmp_path):
    recs = small_corpus()
    evil = [Record("<script>alert(1)</script>" if r.id == "s3-x" else r.id,
                   r.text.replace("Intro line", "<img src=x onerror=alert(2)> Intro"), published=r.published)
            for r in recs]
    db = _store(tmp_path / "db", evil)
    html = tmp_path / "o.html"
    clusters.run(db, tmp_path / "o.jsonl", "jsonl", "local", None, False, html, None, quiet=True)
    for f in [html, *(tmp_path / "o-pairs").iterdir()]:
        text = f.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text


def test_input_files_are_indexed_then_clustered(tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": r.id, "text": r.text, "published": r.published}) + "\n"
                           for r in small_corpus()))
    out = tmp_path / "o.jsonl"
    clusters.run(tmp_path / "db", out, "jsonl", "local", None, False, None, [src], quiet=True)
    links = {(r["a"], r["b"]) for r in map(json.loads, out.read_text().splitlines()) if r["type"] == "link"}
    assert ("s1-copy1", "s1-orig") in links


def test_cli_input_is_indexed_into_the_store_with_the_local_engine(tmp_path):
    """`--input` is no Spark-only option and never reads around the store: the records go into --db first."""
    from typer.testing import CliRunner

    from unspun.cli import app

    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": r.id, "text": r.text}) + "\n" for r in small_corpus()))
    help_text = " ".join(CliRunner().invoke(app, ["clusters", "--help"], env={"COLUMNS": "200"}).output.split())
    assert "indexed into --db first" in help_text and "instead of the store" not in help_text
    run = CliRunner().invoke(app, ["clusters", "--db", str(tmp_path / "db"), "--out", str(tmp_path / "o.jsonl"),
                                   "--input", str(src)])
    assert run.exit_code == 0, run.output
    with Index(tmp_path / "db", create=False, readonly=True) as ix:
        assert len(ix) == len(small_corpus()) and not ix.semantic
    assert any(json.loads(line)["type"] == "link" for line in (tmp_path / "o.jsonl").read_text().splitlines())


def test_cli_warns_that_master_without_the_spark_engine_runs_locally(store, tmp_path):
    from typer.testing import CliRunner

    from unspun.cli import app

    run = CliRunner().invoke(app, ["clusters", "--db", str(store), "--out", str(tmp_path / "o.jsonl"),
                                   "--master", "spark://nowhere:7077"])
    assert run.exit_code == 0, run.output
    assert "unspun: warning: --master spark://nowhere:7077 is for --engine spark" in run.stderr
    assert (tmp_path / "o.jsonl").is_file()


def test_errors(tmp_path, monkeypatch, store):
    empty = tmp_path / "empty"
    Index(empty, semantic=False).close()
    with pytest.raises(UnspunError, match="empty"):
        clusters.run(empty, tmp_path / "o.jsonl", "jsonl", "local", None, False, None, None, quiet=True)
    lonely = _store(tmp_path / "lonely", small_corpus()[3:4] + small_corpus()[5:6])
    with pytest.raises(UnspunError, match="no reuse link"):
        clusters.run(lonely, tmp_path / "o.jsonl", "jsonl", "local", None, False, None, None, quiet=True)
    assert not (tmp_path / "o.jsonl").exists()
    # Boilerplate alone is written, as its own records (QA: unrelated stories under one footer gave an error).
    footers = _store(tmp_path / "footers", [r for r in small_corpus() if r.id.startswith("other-")])
    clusters.run(footers, tmp_path / "f.jsonl", "jsonl", "local", None, False, None, None, quiet=True)
    rows = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text().splitlines()]
    assert {r["type"] for r in rows} == {"boilerplate"} and len(rows) >= 1
    with pytest.raises(UnspunError, match="no unspun store"):
        clusters.run(tmp_path / "missing", tmp_path / "o.jsonl", "jsonl", "local", None, False, None, None, quiet=True)
    with pytest.raises(UnspunError, match="format"):
        clusters.run(store, tmp_path / "o.x", "xml", "local", None, False, None, None, quiet=True)
    with pytest.raises(UnspunError, match="engine"):
        clusters.run(store, tmp_path / "o.jsonl", "jsonl", "hadoop", None, False, None, None, quiet=True)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(UnspunError, match="no Java") as e:
        clusters.run(store, tmp_path / "o.jsonl", "jsonl", "spark", None, False, None, None, quiet=True)
    assert "\n" not in str(e.value)
    # pyspark is an extra: installed without it, the Spark engine says how to get it.
    monkeypatch.setattr(spark, "_java", lambda: "/usr/bin/java")
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(UnspunError, match=r"pip install 'unspun\[spark\]'"):
        clusters.run(store, tmp_path / "o.jsonl", "jsonl", "spark", None, False, None, None, quiet=True)


def test_output_paths():
    assert output.paths(Path("x/out.parquet"), "parquet")["link"] == Path("x/out.links.parquet")
    assert output.paths(Path("out"), "csv")["boilerplate"] == Path("out.boilerplate.csv")
    assert set(output.paths(Path("o.jsonl"), "jsonl").values()) == {Path("o.jsonl")}


def test_a_short_passage_from_a_document_stored_four_times_links_to_each_copy(tmp_path: Path) -> None:
    """`check`'s set-text rule would drop a short passage that four verified sources match (the copies of one
    document: pan13-train holds such duplicates); clusters count every link, and leave passages shared across
    the corpus to their own boilerplate layer, which keeps a document copied whole."""
    rng = random.Random(11)
    vocab = vocabulary(rng)
    source = story(rng, vocab, 14)
    recs = [Record(f"copy{i}", source) for i in range(4)]
    passage = " ".join(source.split(". ")[5:7]) + "."  # two sentences, ~200 characters
    recs.append(Record("borrower", story(rng, vocab, 8) + " " + passage + " " + story(rng, vocab, 8)))
    recs += [Record(f"x{i}", story(rng, vocab, 12)) for i in range(6)]
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add(recs)
    res = compute(tmp_path / "db", params=ClusterParams(min_lexical=5), quiet=True)
    assert {b for a, b in res.links if a == "borrower"} | {a for a, b in res.links if b == "borrower"} == {
        f"copy{i}" for i in range(4)}


def test_a_short_piece_no_boilerplate_touches_stays_in_the_link() -> None:
    """The aligner cuts a passage around inserted text into pieces as short as 50 characters, as `compare` shows
    them; only boilerplate takes a passage out of a link (BBC business 260/354 lost a piece of 68 characters, and
    its coverage fell from 0.907 to 0.883, in a store without any boilerplate)."""
    from unspun.clusters.links import _clean
    from unspun.judge import coverage
    from unspun.models import Comparison, Document, Passage

    rng = random.Random(5)
    vocab = vocabulary(rng)
    piece, body = sentence(rng, vocab)[:70], story(rng, vocab, 3)
    a = piece + " " + body
    b = piece + " Read more: www.example.com/news/latest and subscribe. " + body
    passages = [Passage((0, 70), (0, 70), "edited", 0.95),
                Passage((71, len(a)), (len(b) - len(body), len(b)), "verbatim", 1.0)]
    c = Comparison(Document(a, path="a"), Document(b, path="b"), passages, 0.0, 0.0)
    link = _clean(c, "a", "b", [], [], ClusterParams())
    assert link is not None and link.passages == tuple(passages)
    assert link.coverage_a == pytest.approx(coverage(a, [p.a for p in passages]))
    assert link.coverage_b == pytest.approx(coverage(b, [p.b for p in passages]))
    cut = _clean(c, "a", "b", [(0, 70)], [], ClusterParams())  # the piece is boilerplate on one side: dropped
    assert cut is not None and cut.passages == tuple(passages[1:])


def test_direction_evidence_in_a_circle_is_not_called_none() -> None:
    """Three undated members whose links each name a source (a over b, b over c, c over a) give every member a net
    score of 0: the guess that follows must not say there was no direction evidence."""
    from unspun.clusters.graph import clusters as build
    from unspun.clusters.links import Link

    def link(a: str, b: str, source: str) -> Link:
        return Link(a, b, (), 0.9, 0.9, 1000, 1000, source, ("inserted runs",))

    (c,) = build([link("a", "b", "a"), link("b", "c", "a"), link("a", "c", "b")], ClusterParams())
    assert "no direction evidence" not in c.why and "in a circle" in c.why
    (plain,) = build([link("a", "b", None), link("b", "c", None)], ClusterParams())  # type: ignore[arg-type]
    assert plain.why.startswith("no dates and no direction evidence: a guess")


def test_members_the_direction_evidence_names_alike_are_said_to_tie() -> None:
    """A farm copy with its own debris linked to the original and to three clean copies names each of the four
    the source once: the smallest id was named as if the evidence had named it (QA)."""
    from unspun.clusters.graph import clusters as build
    from unspun.clusters.links import Link

    def link(a: str, b: str, source: str | None) -> Link:
        return Link(a, b, (), 0.9, 0.9, 1000, 1000, source, ("inserted runs",) if source else ())

    others = ["clean1", "clean2", "orig"]
    edges = [link("debris", m, "b") for m in others] + [link(m, n, None) for m in others for n in others if m < n]
    (c,) = build(edges, ClusterParams())
    assert c.original == "clean1"
    assert c.why.startswith("no dates; the aligner's direction evidence names 3 members the source alike (net 1 "
                            "link each: clean1, clean2, orig): a guess among them, the one linked to the most "
                            "others (3 of 3), smallest id on ties; debris vs clean1: inserted runs"), c.why
    (c,) = build(edges + [link("orig", "debris2", "a")], ClusterParams())
    assert c.original == "orig" and c.why.startswith("no dates; the aligner's direction evidence names it the "
                                                     "source (net 2 links)"), c.why


def test_direction_evidence_the_dates_overrule_is_said() -> None:
    """The original stored undated among dated farm copies: the earliest dated copy is named, and the aligner's
    evidence that the undated one is their source went unsaid (QA); as `check` says it."""
    from unspun.clusters.graph import clusters as build
    from unspun.clusters.links import Link

    def link(a: str, b: str, source: str | None, pa: str | None, pb: str | None) -> Link:
        return Link(a, b, (), 0.9, 0.9, 1000, 1000, source, ("debris",) if source else (), pa, pb)

    (c,) = build([link("copy1", "orig", "b", "2005-03-02", None), link("copy1", "copy2", None, "2005-03-02",
                                                                         "2005-03-03")], ClusterParams())
    assert c.original == "copy1" and c.why == (
        "earliest published of the 2 dated members (2005-03-02); 1 member has no date; but the aligner's direction "
        "evidence names orig, undated, the source (net 1 link) and copy1 a copy (net 1 link): orig may be the "
        "original")
    (c,) = build([link("copy1", "orig", "b", "2005-03-02", "unknown")], ClusterParams())
    assert c.why.startswith("the only dated member (2005-03-02); 1 member has no date (or one that reads as none); ")
    # Dated the same day, the two are told apart by the evidence, as `check` does (the smaller id was named).
    (c,) = build([link("a", "b", "b", "2005-03-01", "2005-03-01")], ClusterParams())
    assert c.original == "b" and c.why == (
        "earliest published of the 2 dated members (2005-03-01); the dates do not order it before a (2005-03-01), "
        "chosen as the aligner's direction evidence names it the source more often (net 1 link, a -1)")
    (c,) = build([link("copy1", "copy2", "b", "2005-03-02", "2005-03-03")], ClusterParams())
    assert c.why == ("earliest published of the 2 dated members (2005-03-02); but the aligner's direction evidence "
                     "names copy1 a copy (net 1 link)")


def test_a_copy_s_reused_share_names_the_member_it_is_of() -> None:
    """A member linked to another copy but not to the original was listed "98% reused" under that original, which
    it shares nothing with (QA): the share is its link's to that copy, and the copy is named."""
    from unspun.clusters.graph import clusters as build
    from unspun.clusters.links import Link
    from unspun.clusters.overview import summary

    links = [Link("orig", "copy", (), 0.7, 0.6, 1000, 1000, published_a="2020-01-01", published_b="2020-01-02"),
             Link("copy", "later", (), 0.5, 0.98, 1000, 1000, published_a="2020-01-02", published_b="2020-01-03"),
             Link("orig", "third", (), 0.4, 0.45, 1000, 1000, published_a="2020-01-01", published_b="2020-01-04"),
             Link("copy", "third", (), 0.9, 0.9, 1000, 1000, published_a="2020-01-02", published_b="2020-01-04")]
    (c,) = build(links, ClusterParams())
    assert c.original == "orig"
    # Linked to the original: its link to it, though another explains more of it.
    assert [(cp.id, cp.reused, cp.source) for cp in c.copies] == [
        ("later", 0.98, "copy"), ("copy", 0.6, "orig"), ("third", 0.45, "orig")]
    assert c.to_json()["copies"][0] == {"id": "later", "published": "2020-01-03", "reused": 0.98, "from": "copy"}
    text = summary([c], len(links), 0, 4)
    assert "later  2020-01-03  98% reused (of copy)" in text and "copy  2020-01-02  60% reused\n" in text


def test_a_member_a_later_one_copied_is_said_to_be_copied_by_it() -> None:
    """An original pasted into a later compilation, linked to it alone, read "50% reused (of the compilation)", and
    an earlier story "98% reused (of" the later one its link named the copy (QA): a link that does not name the
    member the source is its `from` where there is one, and where none is, the summary and page say "copied by"."""
    from unspun.clusters.graph import clusters as build
    from unspun.clusters.links import Link
    from unspun.clusters.overview import summary

    links = [Link("orig", "mix", (), 0.6, 0.3, 1000, 2000, "a", published_a="2020-01-01", published_b="2020-03-01"),
             Link("mix", "pasted", (), 0.3, 0.5, 2000, 1000, "b", published_a="2020-03-01", published_b="2020-01-02"),
             Link("orig", "early", (), 0.7, 0.6, 1000, 1000, "a", published_a="2020-01-01", published_b="2020-01-03"),
             Link("early", "late", (), 0.98, 0.97, 1000, 1000, "a", published_a="2020-01-03", published_b="2020-01-04"),
             Link("late", "mix", (), 0.99, 0.4, 1000, 2000, "a", published_a="2020-01-04", published_b="2020-03-01")]
    (c,) = build(links, ClusterParams())
    got = {cp.id: (cp.source, cp.copied_by) for cp in c.copies}
    assert c.original == "orig" and got["pasted"] == ("mix", True) and got["late"] == ("early", False)
    text = summary([c], len(links), 0, 5)
    assert "pasted  2020-01-02  50% reused (copied by mix)" in text and "late  2020-01-04  97% reused (of early)" in text
    assert {"id": "pasted", "published": "2020-01-02", "reused": 0.5, "from": "mix"} in c.to_json()["copies"]


def test_the_format_follows_the_out_suffix_unless_given(store, tmp_path):
    """`--out map.parquet` without --format wrote JSON lines into map.parquet, which Parquet readers refuse."""
    from typer.testing import CliRunner

    from unspun.cli import app

    run = CliRunner().invoke(app, ["clusters", "--db", str(store), "--out", str(tmp_path / "map.parquet")])
    assert run.exit_code == 0, run.output
    assert pq.read_table(tmp_path / "map.links.parquet").num_rows > 0 and not (tmp_path / "map.parquet").exists()
    run = CliRunner().invoke(app, ["clusters", "--db", str(store), "--out", str(tmp_path / "map.CSV")])
    assert run.exit_code == 0 and (tmp_path / "map.links.csv").is_file(), run.output
    run = CliRunner().invoke(app, ["clusters", "--db", str(store), "--out", str(tmp_path / "map.jsonl"),
                                   "--format", "parquet"])
    assert run.exit_code == 2 and "names jsonl but --format is parquet" in run.stderr
    assert not list(tmp_path.glob("map.jsonl*"))
    run = CliRunner().invoke(app, ["clusters", "--db", str(store), "--out", str(tmp_path / "map.json")])
    assert run.exit_code == 2 and "names json, which this command does not write" in run.stderr, run.output
    assert not list(tmp_path.glob("map.json*"))
    run = CliRunner().invoke(app, ["clusters", "--db", str(store), "--out", str(tmp_path / "links.out")])
    assert run.exit_code == 0 and (tmp_path / "links.out").read_text().startswith('{"type"'), run.output


def test_chinese_sentences_end_at_their_full_stops_for_boilerplate() -> None:
    """Chinese puts no space after "。": a whole paragraph was one sentence, and one copied sentence of a footer
    never matched another's."""
    from unspun.clusters.boilerplate import sentence_hash, sentences

    text = "本文版权归新华社所有，未经许可不得转载。记者今天从市政府获悉，新的地铁线路将于明年开通。"
    spans = list(sentences(text))
    assert [text[s:e] for s, e in spans] == ["本文版权归新华社所有，未经许可不得转载。", "记者今天从市政府获悉，新的地铁线路将于明年开通。"]
    n = ClusterParams().sentence_words
    footer = sentence_hash(text[slice(*spans[0])], n)
    assert footer is not None and footer == sentence_hash("另一篇文章。本文版权归新华社所有，未经许可不得转载。"[6:], n)


def test_a_story_copied_four_times_and_pasted_once_is_no_boilerplate_whatever_the_ids() -> None:
    """Four copies of a story (each missing a fifth of it) and an article one paragraph of it was pasted into:
    the paragraph's sentences were judged over neighbours in id order, and came out boilerplate when the host's
    id sorted among the copies' (two distant pairs of four) and not when it sorted last."""
    from unspun.clusters.boilerplate import detect

    import numpy as np

    story = np.arange(1, 21, dtype=np.int64)
    copies = [np.setdiff1d(story, story[k * 4:k * 4 + 4]) for k in range(1, 5)]  # all keep sentence 1-4
    host = np.concatenate([story[:2], np.arange(100, 130, dtype=np.int64)])
    seen = set()
    for at in range(5):
        docs = copies[:at] + [host] + copies[at:]
        ids = [f"d{i}" for i in range(5)]
        seen.add(tuple(b.hash for b in detect(ids, docs, ClusterParams())))
    assert seen == {()}
    footer = [np.array([7, 1000 + 10 * i, 1001 + 10 * i, 1002 + 10 * i], dtype=np.int64) for i in range(6)]
    assert [b.hash for b in detect([f"f{i}" for i in range(6)], footer, ClusterParams())] == [7]


def test_the_summary_line_says_one_link_not_one_links() -> None:
    """`--summary` and the overview page said "1 links, 1 clusters" (QA)."""
    from unspun.clusters.overview import counts

    assert counts(2, 1, 1, 0) == "2 documents, 1 link, 1 cluster, 0 boilerplate sentences"
    assert counts(1, 0, 2, 1) == "1 document, 0 links, 2 clusters, 1 boilerplate sentence"


def test_out_that_is_a_device_a_pipe_or_a_link_is_written_through(store, tmp_path):
    """`--out /dev/null` (beside --summary) or `/dev/stdout` was replaced by a file (as root: the machine's own, QA),
    and a symlink by a file, the file it named keeping the earlier output. A device or a pipe is written into, a
    link's target replaced; csv and parquet (a file per record type named after --out) and --html refuse them."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    clusters.run(store, fifo, "jsonl", "local", None, False, None, None, quiet=True)
    reader.join(60)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and got and b'"type": "link"' in got[0]
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_text("earlier\n")
    link.symlink_to(real.name)
    clusters.run(store, link, "jsonl", "local", None, False, None, None, quiet=True)
    assert link.is_symlink() and b'"type": "link"' in real.read_bytes()
    for out, fmt, html in ((fifo, "csv", None), (tmp_path / "o.jsonl", "jsonl", fifo)):
        with pytest.raises(UnspunError, match="not a regular file"):
            clusters.run(store, out, fmt, "local", None, False, html, None, quiet=True)


def test_out_named_as_an_input_is_refused(tmp_path):
    """`--input docs.jsonl --out docs.jsonl` replaced the user's records with links, without a word (QA)."""
    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": r.id, "text": r.text}) + "\n" for r in small_corpus()))
    before = src.read_bytes()
    with pytest.raises(UnspunError, match="is also given as --input"):
        clusters.run(tmp_path / "db", src, "jsonl", "local", None, False, None, [src], quiet=True)
    assert src.read_bytes() == before and not (tmp_path / "db").exists()
    # (inside an --input folder, the next run with the same command indexed the links as a document: review)
    with pytest.raises(UnspunError, match="is inside the --input folder"):
        clusters.run(tmp_path / "db", tmp_path / "out" / "links.jsonl", "jsonl", "local", None, False, None, [tmp_path],
                     quiet=True)
    assert not (tmp_path / "db").exists()


def test_an_input_that_does_not_exist_makes_no_store(tmp_path):
    """A mistyped --input made an empty store, then said it was empty (`index` makes none)."""
    with pytest.raises(UnspunError, match="nosuch.jsonl: no such file or directory; nothing indexed"):
        clusters.run(tmp_path / "db", tmp_path / "o.jsonl", "jsonl", "local", None, False, None,
                     [tmp_path / "nosuch.jsonl"], quiet=True)
    assert not (tmp_path / "db").exists()


def test_a_store_written_meanwhile_is_said(tmp_path, monkeypatch, caplog):
    """`clusters` while `index` wrote: 640 documents said, the output naming documents stored after them, their
    links one-sided, and no word of it (QA)."""
    db = _store(tmp_path / "db", small_corpus())
    links = clusters.local.links

    newest = small_corpus()[-1]  # (stored last: a replacement takes its key again, review)
    for write in (lambda ix: ix.add([Record(newest.id, newest.text + " Updated.")]),
                  lambda ix: ix.add([Record("late", "A story stored while the run read the store. " * 10)])):
        def meanwhile(*args, **kwargs):
            with Index(db) as ix:
                write(ix)
            return links(*args, **kwargs)

        monkeypatch.setattr(clusters.local, "links", meanwhile)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="unspun"):
            compute(db, quiet=True)
        assert any("the store changed while this run read it" in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(clusters.local, "links", links)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="unspun"):
        compute(db, quiet=True)
    assert not any("changed" in r.getMessage() for r in caplog.records)


def test_html_writes_out_control_characters_of_ids(tmp_path):
    """The overview wrote ids as they were: U+202E showed "rtl \u202egnp.exe" as "rtl exe.png", and escapes and NULs
    reached the page (the pair reports wrote them out, QA)."""
    recs = [Record("rtl \u202egnp.exe" if r.id == "s1-copy1" else r.id, r.text, published=r.published)
            for r in small_corpus()]
    db = _store(tmp_path / "db", recs)
    html = tmp_path / "o.html"
    clusters.run(db, tmp_path / "o.jsonl", "jsonl", "local", None, False, html, None, quiet=True)
    page = html.read_text()
    assert "\u202e" not in page and "rtl \\u202egnp.exe" in page


def test_an_overview_without_clusters_makes_no_pair_folder(tmp_path):
    """Boilerplate alone (unrelated stories under one footer): the page was written beside an empty pairs folder."""
    footers = _store(tmp_path / "footers", [r for r in small_corpus() if r.id.startswith("other-")])
    clusters.run(footers, tmp_path / "f.jsonl", "jsonl", "local", None, False, tmp_path / "f.html", None, quiet=True)
    assert "Boilerplate" in (tmp_path / "f.html").read_text() and not (tmp_path / "f-pairs").exists()


def test_clusters_to_standard_output_sent_to_a_file_keep_what_is_there(store, tmp_path):
    """`--out /dev/stdout --summary > f` opened the file anew: truncated (`>>` lost the log before it) and the summary,
    printed after, wrote over the first records; `/dev/fd/1` replaced the file, the summary lost (review)."""
    for out in ("/dev/stdout", "/dev/fd/1"):
        log = tmp_path / f"log-{out.count('/')}.txt"
        log.write_text("earlier line\n")
        with open(log, "a") as f:
            run = subprocess.run([UNSPUN, "clusters", "--db", str(store), "--out", out, "--summary"], stdout=f,
                                 stderr=subprocess.PIPE, text=True)
        assert run.returncode == 0, run.stderr
        lines = log.read_text().splitlines()
        records = [json.loads(x) for x in lines[1:] if x.startswith("{")]
        assert lines[0] == "earlier line" and records and {r["type"] for r in records} >= {"link", "cluster"}
        assert lines[len(records) + 1].endswith(" boilerplate sentences") or "documents," in lines[len(records) + 1]


def test_an_input_that_is_a_loop_of_links_is_one_error(tmp_path):
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    with pytest.raises(UnspunError, match="empty"):
        clusters.run(tmp_path / "db", tmp_path / "o.jsonl", "jsonl", "local", None, False, None,
                     [tmp_path / "loop1"], quiet=True)
