"""`make demo`'s store: indexed again when built from other inputs, reused otherwise, and never a user's store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from unspun.index import Index
from unspun.models import Record


def _demo(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    temp = cwd / "temp"
    temp.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "unspun.demo", "--data", str(cwd / "no-data"), *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "TMPDIR": str(temp)})


def test_the_demo_store_is_reused_rebuilt_or_refused(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "make demo DATA=" in first.stdout and "indexed 1 document " in first.stdout  # not "1 documents"
    # Captured (no terminal): the table at the reports' file width, its id on one line, not folded at 80 columns.
    assert any(line.startswith("│ 1 │ original.txt ") for line in first.stdout.splitlines()), first.stdout
    assert (tmp_path / "report.html").is_file()
    assert (tmp_path / "demo-example" / "copy.txt").is_file() and "demo-example" in first.stdout
    assert not any((tmp_path / "temp").iterdir())  # each run wrote a temporary folder it left behind
    again = _demo(tmp_path)  # the example again, rewritten
    assert "reusing the store demo.unspun" in again.stdout
    with Index(tmp_path / "demo.unspun") as ix:  # as if built from another data folder
        con = ix.store.connection()
        with con:
            ix.store.set_meta(con, "demo_inputs", '["/elsewhere/seeds"]')
    assert "was indexed from other inputs: indexing again" in _demo(tmp_path).stdout
    with Index(tmp_path / "demo.unspun") as ix:  # as if indexed by a version that cut texts otherwise
        con = ix.store.connection()
        with con:
            con.execute("DELETE FROM meta WHERE key = 'cut'")
    assert "indexed by an earlier unspun, which cut texts otherwise: indexing again" in _demo(tmp_path).stdout
    assert "reusing the store demo.unspun" in _demo(tmp_path).stdout
    with Index(tmp_path / "mine", semantic=False) as ix:
        ix.add([Record(id="precious.txt", text="My own document, kept in my own store. " * 10)])
    refused = _demo(tmp_path, "--db", "mine")
    assert refused.returncode != 0 and "is not a store `make demo` built" in refused.stderr
    with Index(tmp_path / "mine", create=False) as ix:
        assert list(ix.ids()) == ["precious.txt"]


def test_a_report_or_store_path_the_demo_cannot_use_is_one_error_line_before_any_work(tmp_path: Path) -> None:
    """A folder or a missing folder as --out ended in a traceback after the indexing and the check; a folder of
    other files as --db in a StoreError traceback, after the example was written beside it (QA)."""
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "notes.txt").write_text("mine")
    for args, said in ((["--out", "a-folder"], "--out a-folder: is a folder"),
                       (["--out", "nowhere/r.html"], "--out nowhere/r.html: no folder nowhere"),
                       (["--db", "files"], "--db files is a folder of other files (notes.txt), not a store")):
        run = _demo(tmp_path, *args)
        assert run.returncode == 1 and run.stderr.startswith(f"demo: error: {said}"), run.stderr
        assert "Traceback" not in run.stderr and not (tmp_path / "demo.unspun").exists()
    assert not (tmp_path / "demo-example").exists() and sorted(p.name for p in (tmp_path / "files").iterdir()) == [
        "notes.txt"]
