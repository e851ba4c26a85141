"""The `unspun` command: output formats, and one-line errors with exit status 2 for every bad input."""

from __future__ import annotations

import html
import json
import os
import re
import select
import signal
import shutil
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unspun import Index, __version__
from unspun.cli import app
from unspun.ingest import read_document
from unspun.models import Record

PARAGRAPH = (
    "The river town of Marrow Bend sits where two cold streams meet below the pine ridge. "
    "Every spring the melt swells both streams until the old stone bridge groans under the weight of the water. "
    "Local farmers have long argued about whether the bridge should be rebuilt or simply reinforced with steel. "
    "The council finally voted last autumn to commission a survey from an engineering firm in the capital. "
    "That survey found deep cracks in three of the five arches and recommended closing the bridge to lorries. "
    "Residents now drive forty minutes around the valley to reach the market on the far side.\n"
)
EDITED = PARAGRAPH.replace(
    "Local farmers have long argued about", "For decades the farmers of the district have quarrelled over"
)
GLASS = (
    "Glassblowing begins with a gather of molten silica drawn from a furnace on the end of a hollow pipe. "
    "The blower turns the pipe constantly so the soft glass does not sag toward the floor. "
    "Short puffs of air open a bubble that can be shaped with wet wooden blocks and steel jacks. "
    "Colour comes from metal oxides: cobalt gives deep blue, while copper can yield green or red. "
    "A finished piece must cool slowly in an annealing oven for many hours or it will crack. "
    "Most studios fire their furnaces day and night because reheating them takes nearly a week.\n"
)
BEES = (
    "Honeybees communicate the location of flowers through a figure-eight movement known as the waggle dance. "
    "The angle of the central run tells sisters the direction of the food relative to the sun. "
    "Its duration encodes the distance, with longer runs pointing to more remote patches of blossom. "
    "Foragers adjust the dance through the day because the sun keeps moving across the sky. "
    "Researchers decoded this language by filming hives with glass walls and timing each run. "
    "Some colonies even use similar dances to choose a new home when they swarm in early summer.\n"
)
EVIL = "<script>alert(1)</script>"
CONTRACT_KEYS = {"a", "b", "passages", "coverage", "source", "evidence", "inserted"}

runner = CliRunner()


@pytest.fixture
def docs(tmp_path: Path) -> dict[str, Path]:
    """A paragraph; an edited copy; a text quoting it verbatim between unrelated ones; an unrelated text."""
    texts = {
        "a": PARAGRAPH,
        "edited": EDITED,
        "host": f"{GLASS}\n{PARAGRAPH}\n{BEES}",
        "other": BEES,
    }
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(text, encoding="utf-8")
    legacy = PARAGRAPH.replace("Marrow Bend", "Marrow Bend\u2019s \u201cOld Town\u201d").replace("\n", "\r\n")
    paths["legacy"] = tmp_path / "legacy.txt"
    paths["legacy"].write_bytes(legacy.encode("cp1252"))
    return paths


def _invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def _assert_user_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("unspun: error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


def _json(*args: str | Path) -> dict:
    result = _invoke("compare", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _assert_contract(out: dict) -> None:
    assert set(out) == CONTRACT_KEYS
    assert set(out["a"]) == set(out["b"]) == {"path", "chars"}
    assert set(out["coverage"]) == {"a", "b"}
    for p in out["passages"]:
        assert set(p) == {"a", "b", "kind", "similarity"}


def _assert_round_trip(out: dict) -> list[tuple[str, str, str]]:
    """Each passage's offsets slice a non-empty text out of each document as read; returns (kind, a, b) texts."""
    texts = {side: read_document(out[side]["path"]).text for side in ("a", "b")}
    assert [len(texts["a"]), len(texts["b"])] == [out["a"]["chars"], out["b"]["chars"]]
    slices = []
    for p in out["passages"]:
        pair = []
        for side in ("a", "b"):
            start, end = p[side]
            assert 0 <= start < end <= len(texts[side])
            pair.append(texts[side][start:end])
        slices.append((p["kind"], *pair))
    return slices


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d / "missing.txt", ["missing.txt", "no such file"]),
        (lambda d: d, ["is a directory"]),
        (lambda d: _write(d / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ["image.txt", "PNG"]),
        (lambda d: _write(d / "nul.bin", b"\x00\x01\x02\xff\xfe binary \x80\x00"), ["nul.bin", "binary"]),
        (lambda d: _write(d / "empty.txt", b""), ["empty.txt", "empty"]),
    ],
    ids=["missing", "directory", "png", "binary", "empty"],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_bad_input_is_one_line_and_status_2(tmp_path: Path, docs, make, words: list[str], fmt: str) -> None:
    _assert_user_error(_invoke("compare", docs["a"], make(tmp_path), "--format", fmt), *words)
    _assert_user_error(_invoke("compare", make(tmp_path), docs["a"], "--format", fmt), *words)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_entry_point_reports_errors_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("unspun")
    if not exe.exists():
        pytest.skip(f"{exe} not installed (pip install -e .)")
    proc = subprocess.run([exe, "compare", tmp_path / "x.txt", tmp_path], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == f"unspun: error: {tmp_path / 'x.txt'}: no such file\n"


def test_usage_errors_exit_2(docs) -> None:
    assert _invoke("compare", docs["a"]).exit_code == 2
    assert _invoke("compare", docs["a"], docs["edited"], "--format", "pdf").exit_code == 2
    assert _invoke("frobnicate").exit_code == 2


def test_version() -> None:
    result = _invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"unspun {__version__}"


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_non_utf8_input_works_with_a_warning(docs, fmt: str) -> None:
    result = _invoke("compare", docs["legacy"], docs["other"], "--format", fmt)
    assert result.exit_code == 0, result.output
    assert f"unspun: warning: {docs['legacy']}: not UTF-8; decoded as cp1252" in result.stderr
    assert "Traceback" not in result.output


def test_json_contract_for_unrelated_texts(docs) -> None:
    out = _json(docs["a"], docs["other"])
    _assert_contract(out)
    assert out["a"] == {"path": str(docs["a"]), "chars": len(PARAGRAPH)}
    assert out["passages"] == []


def test_verbatim_copy_is_found(docs) -> None:
    out = _json(docs["a"], docs["host"])
    _assert_contract(out)
    slices = _assert_round_trip(out)
    assert slices, "a verbatim-copied paragraph must give a passage"
    for kind, a, b in slices:
        if kind == "verbatim":
            assert a.split() == b.split()
    assert any(PARAGRAPH.strip()[:40] in a for _, a, _ in slices)


def test_edited_copy_is_found(docs) -> None:
    out = _json(docs["a"], docs["edited"])
    _assert_contract(out)
    assert _assert_round_trip(out)


def test_offsets_index_decoded_text_of_a_cp1252_crlf_file(docs) -> None:
    out = _json(docs["legacy"], docs["host"])
    _assert_contract(out)
    assert _assert_round_trip(out)


def test_text_format_is_the_default(docs) -> None:
    result = _invoke("compare", docs["a"], docs["host"])
    assert result.exit_code == 0, result.output
    assert str(docs["host"]) in result.stdout and "likely source" in result.stdout
    assert result.stderr == ""


def test_html_escapes_documents_and_says_where_it_wrote(tmp_path: Path, docs) -> None:
    evil = _write(tmp_path / "evil.txt", f"{PARAGRAPH}\n{EVIL}\n".encode())
    out = tmp_path / "report.html"
    result = _invoke("compare", evil, docs["host"], "--format", "html", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.resolve().as_uri() in result.stderr
    page = out.read_text(encoding="utf-8")
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    stdout_page = _invoke("compare", evil, docs["host"], "--format", "html").stdout
    assert EVIL not in stdout_page and stdout_page.startswith("<!DOCTYPE html>")


def test_out_writes_json_to_a_file(tmp_path: Path, docs) -> None:
    out = tmp_path / "result.json"
    result = _invoke("compare", docs["a"], docs["other"], "-f", "json", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    _assert_contract(json.loads(out.read_text(encoding="utf-8")))


def test_unwritable_out_is_one_line(tmp_path: Path, docs) -> None:
    result = _invoke("compare", docs["a"], docs["other"], "-f", "json", "-o", tmp_path / "no" / "such" / "dir.json")
    _assert_user_error(result, "cannot write")


def test_pan_xml_parses(docs) -> None:
    pytest.importorskip("unspun.pan.xml", reason="unspun.pan.xml not written yet")
    result = _invoke("compare", docs["host"], docs["a"], "--format", "pan-xml")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert "host.txt" in ET.tostring(root, encoding="unicode")


def test_eval_pan_calls_the_evaluator_and_exits_with_its_status(tmp_path: Path, monkeypatch) -> None:
    calls = []

    def main(corpus: Path, out: Path, jobs: int) -> int:
        calls.append((corpus, out, jobs))
        return 3

    evaluate = types.ModuleType("unspun.pan.evaluate")
    evaluate.main = main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "unspun.pan", types.ModuleType("unspun.pan"))
    monkeypatch.setitem(sys.modules, "unspun.pan.evaluate", evaluate)
    result = _invoke("eval", "pan", tmp_path / "corpus", "--out", tmp_path / "out", "--jobs", "4")
    assert result.exit_code == 3, result.output
    assert calls == [(tmp_path / "corpus", tmp_path / "out", 4)]
    assert _invoke("eval", "pan", tmp_path / "corpus").exit_code == 2


def test_store_faults_are_user_errors_but_sql_bugs_keep_their_traceback() -> None:
    import sqlite3

    from unspun.store import store_fault as _store_fault

    assert _store_fault(sqlite3.DatabaseError("database disk image is malformed"))
    assert _store_fault(sqlite3.OperationalError("database or disk is full"))
    assert _store_fault(sqlite3.OperationalError("database is locked"))
    assert not _store_fault(sqlite3.OperationalError("no such column: x"))
    assert not _store_fault(sqlite3.IntegrityError("UNIQUE constraint failed: documents.id"))


@pytest.mark.parametrize("port", ["65536", "99999", "-1"])
def test_serve_refuses_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    result = runner.invoke(app, ["serve", "--db", str(tmp_path), "--port", port])
    assert result.exit_code == 2 and "--port" in result.output


def test_index_help_names_every_input_type_it_reads() -> None:
    from unspun.corpus import _READERS

    shown = runner.invoke(app, ["index", "--help"], env={"COLUMNS": "300"}).output
    named = set(re.findall(r"\.[a-z]+(?:\.gz)?", re.sub(r"(\.[a-z]+)\(\.gz\)", r"\1 \1.gz", shown)))
    assert set(_READERS) <= named, set(_READERS) - named


def test_index_without_input_creates_no_store_as_its_help_says(tmp_path: Path) -> None:
    shown = " ".join(runner.invoke(app, ["index", "--help"], env={"COLUMNS": "300"}).output.split())
    assert "created when missing and INPUT is given" in shown
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "typo")])
    assert result.exit_code == 2 and not (tmp_path / "typo").exists()


def test_out_that_is_an_input_is_refused_before_it_is_overwritten(docs, tmp_path: Path) -> None:
    """``compare a.txt b.txt --out a.txt`` replaced a.txt with the report; ``check --out`` onto a DOC, or a file
    inside a DOC folder, the same."""
    a, b = docs["a"], docs["edited"]
    before = a.read_bytes()
    for out in (a, tmp_path / "." / a.name):
        result = _invoke("compare", str(a), str(b), "--format", "json", "--out", str(out))
        assert result.exit_code == 2 and "an input of this command; write the report elsewhere" in result.output
        assert a.read_bytes() == before
    db = tmp_path / "db"
    assert _invoke("index", "--db", str(db), "--no-semantic", str(b)).exit_code == 0
    result = _invoke("check", "--db", str(db), str(a.parent), "--format", "json", "--out", str(a))
    assert result.exit_code == 2 and f"is inside {a.parent}, an input" in result.output
    assert a.read_bytes() == before
    fresh = tmp_path / "report.json"  # beside the inputs, not one of them: written
    assert _invoke("compare", str(a), str(b), "--format", "json", "--out", str(fresh)).exit_code == 0


def test_error_lines_print_control_characters_of_names_as_escapes(tmp_path: Path) -> None:
    """A file name is data from outside: an escape sequence in one reached the terminal through the error line."""
    result = _invoke("compare", str(tmp_path / "gone\x1b[2J.txt"), str(tmp_path / "b.txt"))
    assert result.exit_code == 2 and "\x1b" not in result.output and "gone\\x1b[2J.txt" in result.output


def test_python_m_unspun_cli_runs_the_command() -> None:
    """It printed nothing and exited 0: the module had no entry point of its own. ``python -m unspun`` (no
    ``__main__``: "cannot be directly executed") runs it too, named as the script is."""
    for module in ("unspun.cli", "unspun"):
        run = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
        assert run.returncode == 0 and run.stdout.strip() == f"unspun {__version__}", run.stderr
    run = subprocess.run([sys.executable, "-m", "unspun", "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    assert "Usage: unspun [OPTIONS] COMMAND" in run.stdout, run.stdout


def test_ctrl_c_while_the_libraries_load_ends_without_a_traceback() -> None:
    """Ctrl-C in the command's first second (numpy, SciPy, the model's runtime loading) printed a traceback from
    deep inside an import and died by the signal; during a command it exits 130 quietly. ``import unspun`` loads
    none of them, so the entry point is running when they load. The interrupt is raised where `unspun.cli` is
    imported, as the signal would."""
    script = ("import sys\n"
              "import unspun\n"
              "assert 'numpy' not in sys.modules, 'import unspun loaded numpy'\n"
              "class Interrupt:\n"
              "    def find_spec(self, name, path=None, target=None):\n"
              "        if name == 'unspun.cli':\n"
              "            raise KeyboardInterrupt\n"
              "sys.meta_path.insert(0, Interrupt())\n"
              "from unspun.__main__ import main\n"
              "main()\n")
    run = subprocess.run([sys.executable, "-c", script, "--version"], capture_output=True, text=True)
    assert run.returncode == 130 and run.stderr == "" and run.stdout == "", (run.returncode, run.stderr)
    # The public API as it was, with the command's modules loaded as well (`unspun.compare` is a function there).
    loaded = subprocess.run([sys.executable, "-c", "import unspun.cli, unspun; from unspun import Index, compare; "
                             "print(Index.__name__, unspun.Index is Index, compare.__name__, callable(compare), "
                             "'Index' in dir(unspun))"], capture_output=True, text=True)
    assert loaded.stdout.split() == ["Index", "True", "compare", "True", "True"], loaded.stderr


def test_text_reports_piped_are_what_out_writes(docs, tmp_path: Path, monkeypatch) -> None:
    """Redirected (`> report.txt`, `| grep`), stdout got rich's 80 columns: a long path or id was folded across
    lines, so grep missed it, and `check` dropped its "first passage" column; --out FILE wrote 120."""
    monkeypatch.delenv("COLUMNS", raising=False)
    long_name = tmp_path / ("source-" * 3 + ".txt")
    long_name.write_text(PARAGRAPH, encoding="utf-8")
    piped = _invoke("compare", docs["edited"], long_name)
    assert piped.exit_code == 0, piped.output
    _invoke("compare", docs["edited"], long_name, "--out", tmp_path / "report.txt")
    assert piped.stdout == (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert any(f"B {long_name}  " in line for line in piped.stdout.splitlines())  # one line, as grep needs it
    assert max(len(line) for line in piped.stdout.splitlines()) > 80
    monkeypatch.setenv("COLUMNS", "80")  # a width asked for is kept, but by no line that names a file
    narrow = _invoke("compare", docs["edited"], long_name).stdout.splitlines()
    assert max(len(line) for line in narrow if str(long_name) not in line and str(docs["edited"]) not in line) <= 80
    assert any(f"B {long_name}  " in line for line in narrow)


def test_index_summary_keeps_each_failure_on_one_line(tmp_path: Path, monkeypatch) -> None:
    """Logged (`2> index.log`), each failure was folded at 80 columns, its path or reason split over lines, so
    `grep failed index.log` showed half of it."""
    monkeypatch.delenv("COLUMNS", raising=False)
    folder = tmp_path / ("a-folder-with-a-rather-long-name-" * 2)
    folder.mkdir()
    (folder / "good.txt").write_text(PARAGRAPH, encoding="utf-8")
    bad = folder / "an-empty-file-with-a-long-name.txt"
    bad.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "db"), "--no-semantic", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"  failed {bad}: empty file" in result.stderr.splitlines(), result.stderr
    assert "indexed 1 (0 replaced), skipped 0, failed 1; the store holds 1 document" in result.stderr.splitlines()
    # The same command again ends as the first run did: the good file was read (unchanged), only the bad one failed
    # (it exited 2, "nothing indexed", so a cron job re-indexing the folder failed every time after the first).
    again = runner.invoke(app, ["index", "--db", str(tmp_path / "db"), "--no-semantic", str(folder)])
    assert again.exit_code == 0, again.output
    assert "indexed 0 (0 replaced), unchanged 1, skipped 0, failed 1; the store holds 1 document" in again.stderr


def test_index_of_a_folder_with_nothing_to_index_fails(tmp_path: Path) -> None:
    """An empty folder (mistyped, or not filled yet) printed "indexed 0 ..." and exited 0, leaving an empty store
    that `check` then answered from with "no reuse found"; a folder of file types no reader takes did the same."""
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / ".hidden.txt").write_text(PARAGRAPH, encoding="utf-8")
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "db"), "--no-semantic", str(empty)])
    assert result.exit_code == 2, result.output
    assert any(line.startswith(f"  skipped {empty}: no file in this folder") and "nothing to index" in line
               for line in result.stderr.splitlines()), result.stderr
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    (pdfs / "paper.pdf").write_bytes(b"%PDF-1.4")
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "db2"), "--no-semantic", str(pdfs)])
    assert result.exit_code == 2 and "types no reader takes" in result.stderr, result.output
    (pdfs / "paper.txt").write_text(PARAGRAPH, encoding="utf-8")
    assert runner.invoke(app, ["index", "--db", str(tmp_path / "db2"), "--no-semantic", str(pdfs)]).exit_code == 0
    # An incoming folder that is empty this time, into a store that holds documents: said, no failure.
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "db2"), "--no-semantic", str(empty)])
    assert result.exit_code == 0 and f"  skipped {empty}: no file in this folder" in result.stderr, result.output
    (empty / "sub" / "later.txt").write_text(GLASS, encoding="utf-8")  # into a store that holds one already
    assert runner.invoke(app, ["index", "--db", str(tmp_path / "db"), "--no-semantic", str(empty)]).exit_code == 0
    update = runner.invoke(app, ["index", "--db", str(tmp_path / "db")])  # no INPUT: brings the store up to date
    assert update.exit_code == 0, update.output


def test_check_against_an_empty_store_is_an_error(tmp_path: Path) -> None:
    """A store with no documents (its folder indexed before it was filled) answered "no reuse found", exit 0: a
    newcomer took the text for original."""
    from unspun.index import Index

    Index(tmp_path / "db", semantic=False).close()
    doc = _write(tmp_path / "doc.txt", PARAGRAPH.encode())
    result = runner.invoke(app, ["check", "--db", str(tmp_path / "db"), str(doc)])
    assert result.exit_code == 2 and not result.stdout, result.output
    assert result.stderr.splitlines() == [f"unspun: error: {tmp_path / 'db'}: the store holds no documents; index some "
                                          f"first (unspun index --db {tmp_path / 'db'} FILE_OR_FOLDER...)"]


def test_a_text_too_short_to_hold_a_passage_says_so_in_every_format(tmp_path: Path) -> None:
    """"no reuse found" for a quotation of 131 characters copied from a stored article read as "this quotation is
    original" (QA): every format says the text is too short."""
    from unspun.index import Index

    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH)])
    doc = _write(tmp_path / "quote.txt", PARAGRAPH[:PARAGRAPH.rindex(" ", 0, 120)].encode())
    for fmt, said in (("text", "too short to find its source"), ("html", "too short to find its source"),
                      ("json", "too short to find its source")):
        result = runner.invoke(app, ["check", "--db", str(tmp_path / "db"), str(doc), "-f", fmt])
        assert result.exit_code == 0 and said in result.stdout.replace("\n", " "), result.output


def test_index_without_input_or_store_says_to_give_inputs(tmp_path: Path) -> None:
    """`index --db new` (no INPUT) answered "new: no unspun store here (run `unspun index --db new ...` first)":
    the very command just run, with the inputs it lacked hidden in "..."."""
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "new")])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"unspun: error: {tmp_path / 'new'}: no unspun store here to bring up to "
                                          "date; give the files or folders to index "
                                          f"(unspun index --db {tmp_path / 'new'} FILE_OR_FOLDER...)"]
    assert not (tmp_path / "new").exists()


def test_index_summary_keeps_a_reason_with_line_breaks_on_one_line(tmp_path: Path, monkeypatch) -> None:
    """pyarrow's message for a damaged page has line breaks: the failure's end was on lines of its own."""
    import unspun.corpus
    from unspun.models import Failure, Record

    def read_inputs(inputs):
        yield Record(id="a.txt", text=PARAGRAPH)
        yield Failure("docs.parquet:row 11", "cannot read: Couldn't deserialize thrift.\nDeserializing page header "
                                             "failed.\n; rows 11 to 20 (row group 2) skipped")

    monkeypatch.setattr(unspun.corpus, "read_inputs", read_inputs)
    result = runner.invoke(app, ["index", "--db", str(tmp_path / "db"), "--no-semantic", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert ("  failed docs.parquet:row 11: cannot read: Couldn't deserialize thrift. Deserializing page header "
            "failed. ; rows 11 to 20 (row group 2) skipped") in result.stderr.splitlines(), result.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_report_that_standard_output_cannot_take_is_one_error_line(tmp_path: Path, fmt: str) -> None:
    """`check ... > report.json` on a full disk ended in a traceback (OSError: No space left on device)."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    from unspun.index import Index
    from unspun.models import Record

    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH)])
    (tmp_path / "q.txt").write_text(PARAGRAPH, encoding="utf-8")
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "unspun.cli", "check", "--db", str(tmp_path / "db"), "-f", fmt,
                              str(tmp_path / "q.txt")], stdout=full, stderr=subprocess.PIPE, text=True)
    assert run.returncode == 2
    assert run.stderr == "unspun: error: standard output: cannot write: No space left on device\n"


def test_checking_several_documents_shows_progress(tmp_path: Path) -> None:
    """`check` of a folder's files said nothing until the whole report printed (minutes for a thousand)."""
    import io as _io

    from rich.console import Console

    from unspun.cli import _check_all
    from unspun.index import Index
    from unspun.models import Document, Record

    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH)])
        shown = _io.StringIO()
        results = _check_all(ix, [(Document(EDITED), []), (Document(BEES), []), (Document(PARAGRAPH), [])], 5,
                             Console(file=shown, force_terminal=True, width=100))
        assert [[s.id for s in r.sources] for r in results] == [["a.txt"], [], ["a.txt"]]
        assert "checking" in shown.getvalue() and "3/3" in shown.getvalue()
        one = _io.StringIO()
        _check_all(ix, [(Document(EDITED), [])], 5, Console(file=one, force_terminal=True))
        assert one.getvalue() == ""  # one document: no bar
        log = _io.StringIO()  # stderr to a file or pipe: no bar (it left an empty line behind)
        _check_all(ix, [(Document(EDITED), []), (Document(BEES), [])], 5, Console(file=log, force_terminal=False))
        assert log.getvalue() == ""


def test_checking_one_long_document_shows_progress(tmp_path: Path, monkeypatch) -> None:
    """A text long enough to be checked a window at a time takes minutes (30 MB): its progress is shown, by its
    name, as the windows are checked."""
    import io as _io

    from rich.console import Console

    import unspun.index as index_module
    from unspun.cli import _check_all
    from unspun.index import Index
    from unspun.models import Document, Record

    long = "\n".join([BEES] * 20 + [PARAGRAPH])
    monkeypatch.setattr(index_module, "LONG_TEXT_CHARS", len(long) // 2)
    monkeypatch.setattr(index_module, "QUERY_WINDOW_CHARS", len(long) // 4)
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH)])
        shown = _io.StringIO()
        name = "notes[/old]/[bold]long.txt"  # a name is no markup: "[/old]" ended the bar with a MarkupError
        results = _check_all(ix, [(Document(long, path=name), [])], 5,
                             Console(file=shown, force_terminal=True, width=100))
    assert [s.id for s in results[0].sources] == ["a.txt"]
    assert f"checking {name}" in shown.getvalue() and "100%" in shown.getvalue()


def test_check_leaves_out_the_stored_documents_it_is_told_to(tmp_path: Path) -> None:
    """A document checked against the store that holds it was its own first source (100% of both sides), and only
    the HTTP API could leave it out: `--exclude ID`, as `/v1/check`'s `exclude`; an id the store lacks (a typo)
    is said, not silently ignored."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "copy.txt").write_text(EDITED, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0
    checked = str(folder / "copy.txt")

    def sources(*extra: str) -> tuple[list[str], str]:
        result = runner.invoke(app, ["check", "--db", db, checked, "-f", "json", *extra])
        assert result.exit_code == 0, result.output
        return [s["id"] for s in json.loads(result.stdout)["documents"][0]["sources"]], result.stderr

    assert sources()[0][0] == "copy.txt"
    assert sources("--exclude", "copy.txt") == (["original.txt"], "")
    found, said = sources("-x", "copy.txt", "-x", "coppy.txt")
    assert found == ["original.txt"] and f"--exclude 'coppy.txt': no document with this id in {db}" in said
    # Said once for the run, not again by each DOC's check (the library warns of ids it is given unknown).
    result = runner.invoke(app, ["check", "--db", db, checked, str(folder / "original.txt"), "-x", "coppy.txt"])
    assert result.exit_code == 0 and result.stderr.count("coppy.txt") == 1, result.stderr


def test_check_takes_folders_and_standard_input(tmp_path: Path) -> None:
    """A folder DOC was "is a directory, not a text file", and a piped text "-: no such file": a folder stands for
    the text files and pages in it (as `index` walks folders: hidden ones left out; records files such as JSONL are
    indexed, not checked), and - for standard input, once."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0
    queries = tmp_path / "queries"
    (queries / "sub").mkdir(parents=True)
    (queries / "sub" / "copy.md").write_text(EDITED, encoding="utf-8")
    (queries / "bees.txt").write_text(BEES, encoding="utf-8")
    (queries / ".hidden.txt").write_text(EDITED, encoding="utf-8")
    (queries / "records.jsonl").write_text(json.dumps({"id": "r", "text": EDITED}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--db", db, str(queries), "-f", "json"])
    assert result.exit_code == 0, result.output
    found = {Path(d["path"]).relative_to(queries).as_posix(): [s["id"] for s in d["sources"]]
             for d in json.loads(result.stdout)["documents"]}
    assert found == {"bees.txt": [], "sub/copy.md": ["original.txt"]}
    again = runner.invoke(app, ["check", "--db", db, str(queries / "bees.txt"), str(queries), "-f", "json"])
    assert [Path(d["path"]).name for d in json.loads(again.stdout)["documents"]] == ["bees.txt", "copy.md"]

    piped = runner.invoke(app, ["check", "--db", db, "-", "-f", "json"], input=EDITED.encode("cp1252"))
    assert piped.exit_code == 0, piped.output
    [doc] = json.loads(piped.stdout)["documents"]
    assert doc["path"] == "-" and [s["id"] for s in doc["sources"]] == ["original.txt"]
    twice = runner.invoke(app, ["check", "--db", db, "-", "-"], input=EDITED)
    assert twice.exit_code == 2 and "standard input (-) is given more than once" in twice.stderr
    nothing = runner.invoke(app, ["check", "--db", db, "-"], input="")
    assert nothing.exit_code == 2 and "-: empty file" in nothing.stderr


def test_compare_reads_one_side_from_standard_input(tmp_path: Path) -> None:
    original = tmp_path / "original.txt"
    original.write_text(PARAGRAPH, encoding="utf-8")
    result = runner.invoke(app, ["compare", "-", str(original), "-f", "json"], input=EDITED)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passages"]
    both = runner.invoke(app, ["compare", "-", "-"], input=EDITED)
    assert both.exit_code == 2 and "both standard input" in both.stderr


def test_a_folder_that_cannot_be_read_is_an_error_of_check(tmp_path: Path, monkeypatch) -> None:
    """A folder inside a checked folder that could not be read (permission denied) was left out without a word,
    exit status 0; a folder holding only such was "no .htm, .html, .md, .txt file in this folder"."""
    import os

    from unspun import corpus

    db = str(tmp_path / "db")
    (tmp_path / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(tmp_path / "original.txt")]).exit_code == 0
    queries = tmp_path / "queries"
    (queries / "locked").mkdir(parents=True)
    (queries / "locked" / "copy.txt").write_text(EDITED, encoding="utf-8")
    (queries / "bees.txt").write_text(BEES, encoding="utf-8")
    scandir = os.scandir

    def denied(path):  # as for another user: root reads every folder whatever its mode
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(corpus.os, "scandir", denied)
    result = runner.invoke(app, ["check", "--db", db, str(queries), "-f", "json"])
    assert result.exit_code == 2
    assert f"unspun: error: {queries / 'locked'}: permission denied" in result.stderr
    assert [d["path"] for d in json.loads(result.stdout)["documents"]] == [str(queries / "bees.txt")]
    only = runner.invoke(app, ["check", "--db", db, str(queries / "locked")])
    assert only.exit_code == 2 and "permission denied" in only.stderr and "no .htm" not in only.stderr


def test_the_html_report_lists_the_documents_that_could_not_be_read(tmp_path: Path) -> None:
    """Said on stderr alone, they were missing from the page handed on, as if every document given was checked."""
    db = str(tmp_path / "db")
    (tmp_path / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(EDITED, encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 8)
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(tmp_path / "original.txt")]).exit_code == 0
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["check", "--db", db, str(tmp_path / "copy.txt"), str(tmp_path / "gone<b>.txt"),
                                 str(tmp_path / "blob.bin"), "-o", out])
    assert result.exit_code == 2
    page = out.read_text(encoding="utf-8")
    unread = re.search(r'<section class="unread"><h2>(.*?)</h2><ul>(.*?)</ul>', page)
    assert unread.group(1) == "Not checked: 2 documents could not be read"
    items = re.findall(r"<li>(.*?)</li>", unread.group(2))
    assert len(items) == 2 and html.escape(str(tmp_path / "gone<b>.txt")) in items[0] and "blob.bin" in items[1]
    assert all(i in result.stderr for i in ("gone<b>.txt", "blob.bin")) and "original.txt" in page
    whole = runner.invoke(app, ["check", "--db", db, str(tmp_path / "copy.txt"), "-o", out])
    assert whole.exit_code == 0 and "Not checked" not in out.read_text(encoding="utf-8")
    # none readable: the report says so (an earlier run's stood at --out, read as this one's: review)
    none = runner.invoke(app, ["check", "--db", db, str(tmp_path / "blob.bin"), "-o", out])
    assert none.exit_code == 2 and "Not checked: 1 document could not be read" in out.read_text(encoding="utf-8")


def test_a_folder_of_pages_is_said_to_be_read_by_main_text_once(tmp_path: Path) -> None:
    """Each web page checked printed its own line saying its main text is used: a folder of a thousand pages
    printed a thousand, around the errors worth reading."""
    db = str(tmp_path / "db")
    (tmp_path / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(tmp_path / "original.txt")]).exit_code == 0
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, text in (("a.html", EDITED), ("b.htm", BEES), ("c.html", PARAGRAPH)):
        (pages / name).write_text(f"<html><body><article><p>{text}</p></article></body></html>", encoding="utf-8")
    result = runner.invoke(app, ["check", "--db", db, str(pages), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["documents"]) == 3
    said = [line for line in result.stderr.splitlines() if "main text" in line]
    assert said == [f"unspun: info: 3 web pages ({pages / 'a.html'}, ...): each is checked by its main text, as "
                    "`index` stores pages (offsets are into that text)"]
    one = runner.invoke(app, ["check", "--db", db, str(pages / "b.htm")])
    assert f"{pages / 'b.htm'}: a web page: its main text is used" in one.stderr


def test_standard_input_closed_unreadable_or_a_terminal(tmp_path: Path) -> None:
    """`-` read standard input whatever it was: closed (a job started with it closed) or open only for writing,
    a traceback; a terminal, a silent wait that looked like a hang. Now an input error, or a line on what is
    awaited."""
    import os
    import pty

    original = tmp_path / "original.txt"
    original.write_text(PARAGRAPH, encoding="utf-8")
    command = [sys.executable, "-m", "unspun.cli", "compare", "-", str(original), "-f", "json"]
    closed = subprocess.run(command, capture_output=True, text=True, preexec_fn=lambda: os.close(0))
    assert closed.returncode == 2 and closed.stderr == "unspun: error: -: standard input is closed\n"
    with open(os.devnull, "wb") as write_only:
        unreadable = subprocess.run(command, stdin=write_only, capture_output=True, text=True)
    assert unreadable.returncode == 2
    assert unreadable.stderr == "unspun: error: -: cannot read standard input: Bad file descriptor\n"
    leader, follower = pty.openpty()
    try:
        typed = subprocess.Popen(command, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(leader, EDITED.encode() + b"\x04")  # the text, then Ctrl-D at the start of a line
        out, err = typed.communicate(timeout=120)
    finally:
        os.close(leader)
        os.close(follower)
    assert typed.returncode == 0, err
    assert "unspun: info: reading the document from standard input (the terminal) until end of input" in err
    assert json.loads(out)["passages"]


def test_standard_input_over_the_limit_is_not_given_a_size(tmp_path: Path, monkeypatch) -> None:
    """Standard input is read up to the limit and a byte more, so its size is unknown: 300 MB piped in was
    "-: 50.0 MB is larger than the 50 MB limit"."""
    from unspun import cli

    original = tmp_path / "original.txt"
    original.write_text(PARAGRAPH, encoding="utf-8")
    monkeypatch.setattr(cli, "MAX_BYTES", 1000)
    result = runner.invoke(app, ["compare", "-", str(original)], input="word " * 1000)
    assert result.exit_code == 2
    assert result.stderr == "unspun: error: -: standard input is larger than the 0.001 MB limit\n"


def test_paths_are_read_by_unspun_not_refused_by_the_option_parser(tmp_path: Path, monkeypatch) -> None:
    """typer's Path arguments checked readability first: one unreadable file or folder among the DOCs (INPUTs) was
    a usage error that stopped the whole run, where each bad input is one error line (one failure) and the others
    go on. Simulated with `os.access` saying no, as the parser asked it (these tests run as root)."""
    good = tmp_path / "good.txt"
    good.write_text(PARAGRAPH, encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(EDITED, encoding="utf-8")
    db = str(tmp_path / "db")
    access = os.access
    denied = {str(good), str(copy)}
    monkeypatch.setattr(os, "access", lambda path, *args, **kw: str(path) not in denied and access(path, *args, **kw))
    index = runner.invoke(app, ["index", "--db", db, "--no-semantic", str(good)])
    assert index.exit_code == 0 and "Invalid value" not in index.output, index.output
    check = runner.invoke(app, ["check", "--db", db, str(copy)])
    assert check.exit_code == 0, check.output
    assert runner.invoke(app, ["compare", str(copy), str(good)]).exit_code == 0


def test_a_file_named_dash_is_a_file(tmp_path: Path, monkeypatch) -> None:
    """`./-` names a file called "-" (a `Path` made it "-", standard input)."""
    (tmp_path / "-").write_text(EDITED, encoding="utf-8")
    (tmp_path / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["compare", "./-", "original.txt", "-f", "json"], input="not this")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passages"]


def test_exclude_self_checks_an_indexed_folder_against_its_store(tmp_path: Path) -> None:
    """Checking the folder a store was indexed from, each document was its own first source, and `--exclude` (for
    every DOC) could only leave all of them out; `--exclude-self` leaves out each DOC's own id, as `index` names it."""
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "sub" / "copy.txt").write_text(EDITED, encoding="utf-8")
    (folder / "bees.txt").write_text(BEES, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0

    def sources(*args: str) -> dict[str, list[str]]:
        result = runner.invoke(app, ["check", "--db", db, *args, "-f", "json"])
        assert result.exit_code == 0, result.output
        return {Path(d["path"]).name: [s["id"] for s in d["sources"]] for d in json.loads(result.stdout)["documents"]}

    assert sources(str(folder))["copy.txt"][0] == "sub/copy.txt"
    assert sources(str(folder), "--exclude-self") == {"bees.txt": [], "original.txt": ["sub/copy.txt"],
                                                      "copy.txt": ["original.txt"]}
    assert sources(str(folder / "original.txt"), "--exclude-self") == {"original.txt": ["sub/copy.txt"]}


def test_exclude_self_says_so_when_it_names_no_stored_document(tmp_path: Path) -> None:
    """`check corpus/sub --exclude-self` of a store indexed from `corpus` names "copy.txt", stored as "sub/copy.txt":
    nothing was left out and each document was its own first source, without a word."""
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "sub" / "copy.txt").write_text(EDITED, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0
    wrong = runner.invoke(app, ["check", "--db", db, str(folder / "sub"), "--exclude-self", "-f", "json"])
    assert wrong.exit_code == 0, wrong.output
    assert "--exclude-self: no DOC has a stored document of its own id" in wrong.stderr
    assert "'copy.txt'" in wrong.stderr and "folder given to `index`" in wrong.stderr
    (folder / "new.txt").write_text(BEES, encoding="utf-8")  # a new document beside stored ones: no mistake
    right = runner.invoke(app, ["check", "--db", db, str(folder), "--exclude-self", "-f", "json"])
    assert right.exit_code == 0 and "--exclude-self" not in right.stderr, right.output


def test_an_unwritable_out_is_refused_before_checking(tmp_path: Path, monkeypatch) -> None:
    """--out was tried only after every DOC was checked: the work of a folder was lost to a typo in the path."""
    from unspun.index import Index

    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(tmp_path / "a.txt")]).exit_code == 0
    monkeypatch.setattr(Index, "check", lambda *a, **k: pytest.fail("checked before --out was found unwritable"))
    for out in (tmp_path / "no" / "such" / "r.json", tmp_path):
        result = runner.invoke(app, ["check", "--db", db, str(tmp_path / "a.txt"), "-f", "json", "--out", str(out)])
        assert result.exit_code == 2 and f"{out}: cannot write" in result.stderr, result.output
    result = runner.invoke(app, ["compare", str(tmp_path / "a.txt"), str(tmp_path / "a.txt"), "--out",
                                 str(tmp_path / "no" / "r.txt")])
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_exclude_self_leaves_out_every_id_a_file_named_twice_has(tmp_path: Path) -> None:
    """A file named and also inside a folder named is checked once, and kept only the id of whichever came first:
    `check corpus/sub/copy.txt corpus --exclude-self` left "sub/copy.txt" in, so the copy was its own first source,
    and the order of the DOCs changed the report."""
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "sub" / "copy.txt").write_text(EDITED, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0
    copy = str(folder / "sub" / "copy.txt")
    for docs in ([copy, str(folder)], [str(folder), copy], [str(folder / "sub"), str(folder)]):
        result = runner.invoke(app, ["check", "--db", db, *docs, "--exclude-self", "-f", "json"])
        assert result.exit_code == 0, result.output
        found = {Path(d["path"]).name: [s["id"] for s in d["sources"]] for d in json.loads(result.stdout)["documents"]}
        assert found == {"copy.txt": ["original.txt"], "original.txt": ["sub/copy.txt"]}, docs


def test_an_out_file_that_can_be_written_in_a_folder_that_cannot_is_taken(tmp_path: Path, monkeypatch) -> None:
    """An existing file is written in place, whatever its folder allows: `--out /dev/null` (a folder no user may
    write to) was refused as "permission denied". Simulated with `os.access` saying no, as the tests run as root."""
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    folder = tmp_path / "shared"
    folder.mkdir()
    out = folder / "report.json"
    out.write_text("", encoding="utf-8")
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, *a, **k: Path(path) != folder and access(path, *a, **k))
    a = str(tmp_path / "a.txt")
    result = runner.invoke(app, ["compare", a, a, "-f", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["passages"]
    result = runner.invoke(app, ["compare", a, a, "-f", "json", "--out", str(folder / "new.json")])
    assert result.exit_code == 2 and "cannot write: permission denied" in result.stderr


def test_check_says_what_it_leaves_out_of_a_folder_and_how_it_reads_a_records_file(tmp_path: Path) -> None:
    """A link to a folder inside a DOC folder is a warning (not followed, as `index` does not), a records file
    named as a DOC is checked as one text with a warning, and a folder of records files says to index them."""
    original = tmp_path / "original.txt"
    original.write_text(PARAGRAPH, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(original)]).exit_code == 0
    records = tmp_path / "records"
    records.mkdir()
    (records / "a.jsonl").write_text(json.dumps({"id": "x", "text": EDITED}) + "\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "copy.txt").write_text(EDITED, encoding="utf-8")
    (folder / "linked").symlink_to(records, target_is_directory=True)
    result = runner.invoke(app, ["check", "--db", db, str(folder), str(records / "a.jsonl"), str(records), "-f",
                                 "json"])
    assert result.exit_code == 0, result.output
    assert [[s["id"] for s in d["sources"]] for d in json.loads(result.stdout)["documents"]] == [["original.txt"]] * 2
    assert f"warning: {folder / 'linked'}: a link to a folder, not followed" in result.stderr
    assert f"warning: {records / 'a.jsonl'}: checked as one plain text" in result.stderr
    assert f"warning: {records}: no .htm, .html, .md, .txt file in this folder" in result.stderr
    assert "index them" in result.stderr


def test_a_file_named_dash_is_not_reported_as_standard_input(tmp_path: Path, monkeypatch) -> None:
    """`./-` was read as the file, but named "-" in the report and in its errors (a `Path` drops the "./"): checked
    beside standard input, two documents were both "-", and a missing `./-` was "-: no such file"."""
    (tmp_path / "original.txt").write_text(PARAGRAPH, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(tmp_path / "original.txt")]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    missing = runner.invoke(app, ["compare", "./-", "original.txt"])
    assert missing.exit_code == 2 and missing.stderr == "unspun: error: ./-: no such file\n"
    (tmp_path / "-").write_text(EDITED, encoding="utf-8")
    result = runner.invoke(app, ["check", "--db", db, "./-", "-", "-f", "json"], input=BEES)
    assert result.exit_code == 0, result.output
    assert [(d["path"], len(d["sources"])) for d in json.loads(result.stdout)["documents"]] == [("./-", 1), ("-", 0)]


def test_an_empty_doc_argument_is_refused_not_the_current_folder(tmp_path: Path, monkeypatch) -> None:
    """`check --db DB ""` checked every file of the current folder (`Path("")` is "."), `compare "" x` said
    ".: is a directory"."""
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for args in (["check", "--db", str(tmp_path / "db"), ""], ["compare", "", "a.txt"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and "an empty DOC argument" in result.stderr, result.output


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash for process substitution")
def test_compare_reads_a_shells_process_substitution(docs, tmp_path: Path) -> None:
    """`unspun compare <(command) b.txt`: the shell names a pipe, read as the file it stands for."""
    exe = Path(sys.executable).with_name("unspun")
    if not exe.exists():
        pytest.skip(f"{exe} not installed (pip install -e .)")
    piped = subprocess.run(["bash", "-c", f'"{exe}" compare -f json <(cat "{docs["a"]}") "{docs["edited"]}"'],
                           capture_output=True, text=True)
    direct = subprocess.run([exe, "compare", "-f", "json", docs["a"], docs["edited"]], capture_output=True, text=True)
    assert piped.returncode == 0, piped.stderr
    got, want = json.loads(piped.stdout), json.loads(direct.stdout)
    assert got["a"]["path"].startswith("/dev/fd/") and got["passages"] == want["passages"] != []


def test_index_of_inputs_that_do_not_exist_makes_no_store(tmp_path: Path) -> None:
    """A mistyped path made an empty store, its channels fixed by that first run, and `check` then said it holds no
    documents; a missing input beside real ones is a failure of the run, as before."""
    db = tmp_path / "db"
    result = runner.invoke(app, ["index", "--db", str(db), "--no-semantic", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "nope: no such file or directory; nothing indexed" in result.stderr
    assert not db.exists()
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    result = runner.invoke(app, ["index", "--db", str(db), "--no-semantic", str(tmp_path / "nope"),
                                 str(tmp_path / "a.txt")])
    assert result.exit_code == 0 and "indexed 1" in result.stderr and "failed 1" in result.stderr, result.output


def _lose_the_vector_file(db: Path, monkeypatch) -> None:
    (db / "vectors.usearch").unlink()


def _delete_and_be_killed_before_the_save(db: Path, monkeypatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(Index, "_save_vectors", lambda self, force=False: None)
        assert runner.invoke(app, ["delete", "--db", str(db), "b.txt"]).exit_code == 0


@pytest.mark.parametrize("harm, said_as, least", [
    (_lose_the_vector_file, r"embedded again (\d+) passages? that had no vector", 2),
    (_delete_and_be_killed_before_the_save, r"dropped (\d+) vectors? of passages no longer stored", 1)])
def test_index_without_inputs_says_what_it_repaired(tmp_path: Path, monkeypatch, harm, said_as: str,
                                                    least: int) -> None:
    """`index --db DB` alone embeds the passages a lost vector file left without vectors, and said only "indexed 0";
    it drops the vectors of passages a run killed before its save had deleted, and says so too."""
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / "b.txt").write_text(BEES, encoding="utf-8")
    db = tmp_path / "db"
    assert runner.invoke(app, ["index", "--db", str(db), str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
                         ).exit_code == 0
    harm(db, monkeypatch)
    result = runner.invoke(app, ["index", "--db", str(db)])
    assert result.exit_code == 0, result.output
    said = re.search(said_as, result.stderr)
    assert said and int(said.group(1)) >= least, result.stderr
    again = runner.invoke(app, ["index", "--db", str(db)])
    assert again.exit_code == 0 and not re.search(said_as, again.stderr), again.stderr


def test_compare_warns_of_a_records_file_compared_as_one_text(tmp_path: Path) -> None:
    """`check` warned that a JSONL or CSV file is one text to it; `compare` compared it without a word."""
    rows = tmp_path / "rows.csv"
    rows.write_text("id,text\nx," + EDITED.replace("\n", " ") + "\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    result = runner.invoke(app, ["compare", str(tmp_path / "a.txt"), str(rows), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert f"warning: {rows}: compared as one plain text; its records are documents to `index`" in result.stderr
    plain = runner.invoke(app, ["compare", str(tmp_path / "a.txt"), str(tmp_path / "a.txt"), "-f", "json"])
    assert "warning" not in plain.stderr


def test_a_compressed_records_file_as_a_doc_says_where_it_belongs(tmp_path: Path) -> None:
    """A `.warc.gz` given to `check` or `compare` was "looks like a gzip archive, not plain text", where a plain
    `.warc` got "its records are documents to `index`" (QA): the usual, gzipped, form says so too."""
    import gzip

    crawl = tmp_path / "crawl.warc.gz"
    crawl.write_bytes(gzip.compress(b"WARC/1.0\r\n"))
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    result = runner.invoke(app, ["compare", str(crawl), str(tmp_path / "a.txt")])
    assert result.exit_code == 2
    assert result.stderr == (f"unspun: error: {crawl}: looks like a gzip archive, not plain text; its records are "
                             f"documents to `index` (unspun index --db DB {crawl})\n")


def test_index_of_a_warc_says_nothing_in_warcio_s_own_words(tmp_path: Path) -> None:
    """warcio logs the records it mends ("Replacing spaces in invalid WARC-Target-URI: ..."): with no logging set
    up, Python printed that raw among `index`'s lines, twice."""
    import io as _io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = _io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    page = f"<html><body><article><p>{PARAGRAPH}</p></article></body></html>".encode()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://x.example/a b", "response", payload=_io.BytesIO(page),
                                                  http_headers=headers))
    (tmp_path / "crawl.warc.gz").write_bytes(buf.getvalue())

    run = subprocess.run([sys.executable, "-m", "unspun", "index", "--db", str(tmp_path / "db"), "--no-semantic",
                          str(tmp_path / "crawl.warc.gz")], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "CI": "true"})

    assert run.returncode == 0, run.stderr
    assert "Replacing" not in run.stderr and "WARC-Target-URI" not in run.stderr
    assert "indexed 1 (0 replaced), skipped 0, failed 0" in run.stdout + run.stderr


def test_delete_removes_documents_from_a_store(tmp_path: Path) -> None:
    """A file taken out of an indexed folder stayed stored, and was named the original of its copies, with no way
    to remove it but the Python or HTTP API."""
    from unspun.index import Index
    from unspun.models import Record

    db = tmp_path / "db"
    with Index(db, semantic=False) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH), Record(id="bees.txt", text=BEES)])
    doc = _write(tmp_path / "copy.txt", EDITED.encode())
    assert json.loads(runner.invoke(app, ["check", "--db", str(db), "-f", "json", str(doc)]).stdout
                      )["documents"][0]["sources"][0]["id"] == "a.txt"

    result = runner.invoke(app, ["delete", "--db", str(db), "a.txt", "a.txt", "gone.txt"])

    assert result.exit_code == 2  # an id it doesn't hold: said, and a script sees it
    assert result.stderr.splitlines() == [f"unspun: warning: 'gone.txt': no document with this id in {db}",
                                          "deleted 1; the store holds 1 document"]
    found = json.loads(runner.invoke(app, ["check", "--db", str(db), "-f", "json", str(doc)]).stdout)
    assert found["documents"][0]["sources"] == []
    assert runner.invoke(app, ["delete", "--db", str(db), "bees.txt"]).exit_code == 0
    result = runner.invoke(app, ["delete", "--db", str(tmp_path / "nowhere"), "x"])
    assert result.exit_code == 2 and result.stderr.startswith("unspun: error: ")


def test_delete_says_it_waits_for_another_process_writing_the_store(tmp_path: Path) -> None:
    """While `index` wrote the store, `delete` waited for it without a word, as if hung."""
    from unspun.index import Index
    from unspun.models import Record

    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH), Record(id="bees.txt", text=BEES)])
    holder = Index(db, linger=600)  # holds the writer lock after its write, as a long `index` run does
    try:
        holder.add([Record(id="c.txt", text=EDITED)])
        proc = subprocess.Popen([str(Path(sys.executable).with_name("unspun")), "delete", "--db", str(db), "a.txt"],
                                stderr=subprocess.PIPE, text=True)
        said, _, _ = select.select([proc.stderr], [], [], 60)  # a deadline for a line, not a timing
        assert said, "delete said nothing while it waited"
        line = proc.stderr.readline()
        assert line.startswith(f"unspun: note: {db}: waiting for another process writing to this store"), line
        assert proc.poll() is None
    finally:
        holder.close()
    assert proc.wait(timeout=120) == 0
    assert "deleted 1; the store holds 2 documents" in proc.stderr.read()


def test_check_says_when_passages_have_no_vector_yet(tmp_path: Path) -> None:
    """After an `index` run was killed before it saved its vectors (or while one writes), a translation of the
    passages it wrote was not found, and "no reuse found" said nothing of it (QA)."""
    from unspun.index import Index
    from unspun.models import Record

    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add([Record(id="bees.txt", text=BEES)])
    query = tmp_path / "q.txt"
    query.write_text(PARAGRAPH, encoding="utf-8")
    unspun = str(Path(sys.executable).with_name("unspun"))

    def warned() -> str:
        run = subprocess.run([unspun, "check", "--db", str(db), str(query)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return "\n".join(line for line in run.stderr.splitlines() if "warning" in line)

    assert warned() == ""
    holder = Index(db, linger=600)  # an `index` run writing: its vectors are saved when it ends
    try:
        holder.add([Record(id="a.txt", text=PARAGRAPH)])
        assert "an `index` run is writing the store, and 1 passage it wrote has no vector yet" in warned()
    finally:
        holder.close()
    assert warned() == ""
    # killed before it saved them
    killed = ("import os, sys; from unspun.index import Index; from unspun.models import Record; "
              "ix = Index(sys.argv[1], linger=600); ix.add([Record(id='c.txt', text=sys.argv[2])]); os._exit(0)")
    subprocess.run([sys.executable, "-c", killed, str(db), EDITED], check=True)
    assert (f"{db}: 1 passage has no vector (an `index` run was stopped before it saved them): a translation of "
            f"them is not found until `unspun index --db {db}` embeds them") in warned()
    subprocess.run([unspun, "index", "--db", str(db)], check=True, capture_output=True)
    assert warned() == ""


def test_index_warns_when_a_file_replaces_one_of_the_same_id_from_another_folder(tmp_path: Path) -> None:
    """Indexing bbc/business, then bbc/politics, replaced the business articles of the same file names without a word
    (QA). The same folder spelt otherwise, an edited file, and JSONL records are no such thing."""
    for folder, text in (("business", PARAGRAPH), ("politics", BEES)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "001.txt").write_text(text, encoding="utf-8")
    db = str(tmp_path / "db")

    def index(*inputs: str) -> str:
        run = runner.invoke(app, ["index", "--db", db, "--no-semantic", *inputs])
        assert run.exit_code == 0, run.output
        return "\n".join(line for line in run.stderr.splitlines() if "warning" in line)

    assert index(str(tmp_path / "business")) == ""
    assert index(str(tmp_path / "politics")) == (
        f"unspun: warning: 1 document replaced one of the same id read from another folder (e.g. '001.txt', stored "
        f"from {tmp_path / 'business' / '001.txt'}, now from {tmp_path / 'politics' / '001.txt'}): a file under a "
        "folder INPUT is named by its path inside that folder; to keep both, index the folder above both into a new "
        "store (ids then begin with their folder's name).")
    (tmp_path / "politics" / "001.txt").write_text(EDITED, encoding="utf-8")
    assert index(str(tmp_path / "politics") + "/") == ""  # edited, in the folder it was read from
    (tmp_path / "r.jsonl").write_text('{"id": "001.txt", "text": "A record of its own, with other words."}\n')
    assert index(str(tmp_path / "r.jsonl")) == ""
    # records whose line numbers end with their ids ("n.jsonl:11", id 1), moved down by new lines (review)
    lines = [json.dumps({"id": i, "text": f"Record {i} says something of its own, number {i}."}) for i in (1, 2, 3)]
    (tmp_path / "n.jsonl").write_text("\n".join(lines) + "\n")
    assert index(str(tmp_path / "n.jsonl")) == ""
    (tmp_path / "n.jsonl").write_text("\n".join(["{}"] * 10 + [x.replace("says", "said") for x in lines]) + "\n")
    assert index(str(tmp_path / "n.jsonl")) == ""
    # the same folder read from inside it, then by its path (review)
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path / "politics")
        (tmp_path / "politics" / "001.txt").write_text(PARAGRAPH, encoding="utf-8")
        assert index(".") == ""
    finally:
        os.chdir(cwd)
    (tmp_path / "politics" / "001.txt").write_text(BEES, encoding="utf-8")
    assert index(str(tmp_path / "politics")) == ""


def test_delete_interrupted_says_what_is_still_stored(tmp_path: Path) -> None:
    """Ctrl-C while `delete` waited for another writer exited 130 without a word: was anything deleted? (QA)"""
    from unspun.index import Index
    from unspun.models import Record

    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add([Record(id="a.txt", text=PARAGRAPH), Record(id="bees.txt", text=BEES)])
    holder = Index(db, linger=600)
    try:
        holder.add([Record(id="c.txt", text=EDITED)])
        # Ctrl-C is the default in a terminal's job, whatever the test runner's shell set (a job started in the
        # background by a script has SIGINT ignored, and passes that on)
        proc = subprocess.Popen([str(Path(sys.executable).with_name("unspun")), "delete", "--db", str(db), "a.txt",
                                 "bees.txt"], stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        said, _, _ = select.select([proc.stderr], [], [], 60)
        assert said and "waiting for another process" in proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
        assert proc.stderr.read() == (f"unspun: error: interrupted: 2 documents of the ids given still stored in {db} "
                                      "(a deletion is one transaction: all of them are deleted, or none)\n")
    finally:
        holder.close()


def test_compare_aligns_two_texts_too_long_to_align_as_one_pair_in_parts(tmp_path: Path, monkeypatch) -> None:
    """3 MB against 2 MB of prose asked for 20 GB of similarity matrices: a MemoryError traceback after a minute,
    then a refusal. Such a pair is aligned a window of A at a time against the parts of B that share its words, with
    a warning saying so; one whose windows are still too many sentences against B is one error line."""
    import unspun.align as align_module
    import unspun.index as index_module

    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / "b.txt").write_text(EDITED, encoding="utf-8")
    whole = _invoke("compare", tmp_path / "a.txt", tmp_path / "b.txt", "--format", "json")
    assert whole.exit_code == 0 and json.loads(whole.stdout)["coverage"]["a"] == 1.0 and not whole.stderr
    monkeypatch.setattr(align_module, "MAX_UNIT_PAIRS", 35)  # 6 x 6 sentences here
    monkeypatch.setattr(index_module, "PART_WINDOW_CHARS", 150)  # windows of one or two sentences
    parts = _invoke("compare", tmp_path / "a.txt", tmp_path / "b.txt", "--format", "json")
    assert parts.exit_code == 0, parts.output
    assert json.loads(parts.stdout)["coverage"]["a"] > 0.9  # (one edited sentence crosses a window's end)
    assert parts.stderr.startswith(f"unspun: warning: {tmp_path / 'a.txt'} and {tmp_path / 'b.txt'} are too long to "
                                   "align as one pair: aligning a window of A at a time"), parts.stderr
    assert len(parts.stderr.splitlines()) == 1
    monkeypatch.setattr(index_module, "PART_WINDOW_CHARS", 10_000)  # one window: 6 x 6 again
    result = _invoke("compare", tmp_path / "a.txt", tmp_path / "b.txt", "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("unspun: error: A and B are too long to align even in parts")
    assert "Traceback" not in result.output


def test_an_output_file_s_suffix_names_its_format(tmp_path: Path, docs: dict[str, Path]) -> None:
    """`-o report.html` without --format wrote the text table into report.html (clusters took the suffix's
    format already); a --format the suffix contradicts is refused, as clusters refuses it."""
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(docs["a"])]).exit_code == 0
    page, data = tmp_path / "report.html", tmp_path / "report.json"
    assert runner.invoke(app, ["check", "--db", db, str(docs["edited"]), "-o", str(page)]).exit_code == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert runner.invoke(app, ["compare", str(docs["edited"]), str(docs["a"]), "-o", str(data)]).exit_code == 0
    assert set(json.loads(data.read_text(encoding="utf-8"))) == CONTRACT_KEYS
    refused = runner.invoke(app, ["compare", str(docs["edited"]), str(docs["a"]), "-o", str(page), "-f", "json"])
    assert refused.exit_code == 2 and "names html but --format is json" in refused.stderr
    text = tmp_path / "report.txt"
    assert runner.invoke(app, ["check", "--db", db, str(docs["edited"]), "-o", str(text), "-f", "json"]).exit_code == 0
    assert json.loads(text.read_text(encoding="utf-8"))["documents"]
    # A suffix naming a format the command does not write: `check -o out.xml` wrote a text table into out.xml.
    for args, said in ((["check", "--db", db, str(docs["edited"]), "-o", str(tmp_path / "out.xml")],
                        "names pan-xml, which this command does not write (it writes text, json, html)"),
                       (["compare", str(docs["edited"]), str(docs["a"]), "-o", str(tmp_path / "out.csv")],
                        "names csv, which this command does not write (it writes text, json, html, pan-xml)"),
                       # (no command compresses: `clusters --out links.jsonl.gz` wrote plain JSON lines, QA)
                       (["compare", str(docs["edited"]), str(docs["a"]), "-o", str(tmp_path / "out.json.gz"), "-f",
                         "json"], "names gzip, which this command does not write"),
                       (["clusters", "--db", db, "-o", str(tmp_path / "out.jsonl.gz")],
                        "names gzip, which this command does not write (it writes jsonl, parquet, csv)")):
        refused = runner.invoke(app, args)
        assert refused.exit_code == 2 and said in refused.stderr, refused.output
    assert not list(tmp_path.glob("out.*"))


def test_check_in_json_of_documents_that_all_fail_is_still_json(tmp_path: Path, docs: dict[str, Path]) -> None:
    """Every DOC unreadable: nothing on stdout, where one good DOC among them gave {"documents": [...]}: a script
    had two shapes to read."""
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(docs["a"])]).exit_code == 0
    result = runner.invoke(app, ["check", "--db", db, str(tmp_path / "nope.txt"), "-f", "json"])
    assert result.exit_code == 2 and json.loads(result.stdout) == {"documents": []}
    assert "nope.txt" in result.stderr


def test_a_long_id_in_check_s_text_report_is_never_cut(tmp_path: Path, monkeypatch) -> None:
    """Written to a file (120 columns), "likely original" printed a long id in two lines ("…-over-costs.tx", "t")."""
    monkeypatch.delenv("COLUMNS", raising=False)
    folder = tmp_path / "corpus"
    folder.mkdir()
    name = "a-story-with-a-very-long-file-name-about-a-river-town-its-bridge-and-the-cost-of-mending-it-over-costs.txt"
    (folder / name).write_text(PARAGRAPH, encoding="utf-8")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0
    out = tmp_path / "report.txt"
    assert runner.invoke(app, ["check", "--db", db, str(folder / name), "-o", str(out)]).exit_code == 0
    assert f"likely original {name}" in out.read_text(encoding="utf-8").splitlines()


def test_check_s_text_report_heads_evidence_without_an_original(tmp_path: Path) -> None:
    """A checked document dated before its only source names no original: the evidence hung under the passages'
    legend as if it were more of it, with no "likely original" line above it (QA)."""
    db = str(tmp_path / "db")
    rec = tmp_path / "r.jsonl"
    rec.write_text(json.dumps({"id": "later", "text": PARAGRAPH, "published": "2020-01-02"}) + "\n", encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_text(f'<html><head><meta property="article:published_time" content="2019-05-01"></head><body>'
                    f"<article><p>{PARAGRAPH}</p></article></body></html>", encoding="utf-8")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(rec)]).exit_code == 0
    run = runner.invoke(app, ["check", "--db", db, str(page)])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    at = lines.index("likely original undecided")
    assert lines[at + 1].startswith("  - the checked document (2019-05-01) predates every source"), lines[at:]


def test_a_link_in_a_checked_folder_is_said_to_be_checked_as_its_file(tmp_path: Path) -> None:
    """A folder holding a file and a link to it: the file is checked once, and the other name was in no line of
    the report."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "orig.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "alias.txt").symlink_to("orig.txt")
    db = str(tmp_path / "db")
    assert runner.invoke(app, ["index", "--db", db, "--no-semantic", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["check", "--db", db, str(folder), "-f", "json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)["documents"]) == 1
    said = f"{folder / 'orig.txt'}: the same file as {folder / 'alias.txt'} (which is a link to it), checked once"
    assert said in result.stderr


def test_index_on_a_full_disk_says_what_the_store_kept_and_how_to_complete_it(tmp_path: Path, monkeypatch) -> None:
    """A disk that filled part-way said only "database or disk is full": not that the batches before were kept, nor
    that running again completes the store (QA). SQLite's own page limit stands in for the disk."""
    import unspun.store as store

    db = tmp_path / "db"
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(300):
        (docs / f"{i:03}.txt").write_text(f"Report {i}. " + PARAGRAPH + GLASS + BEES, encoding="utf-8")
    assert runner.invoke(app, ["index", "--db", str(db), "--no-semantic", "-j", "1", str(docs / "000.txt")]
                         ).exit_code == 0
    full = (db / "unspun.sqlite").stat().st_size // 4096 + 300  # room for a batch or more, not for all
    connection = store.Store.connection

    def limited(self):
        con = connection(self)
        con.execute(f"PRAGMA max_page_count = {full}")
        return con

    monkeypatch.setattr(store.Store, "connection", limited)
    result = runner.invoke(app, ["index", "--db", str(db), "--no-semantic", "-j", "1", str(docs)])
    assert result.exit_code == 2, result.output
    line = result.output.strip().splitlines()[-1]
    assert re.fullmatch(rf"unspun: error: {re.escape(str(db))}: database or disk is full: {re.escape(str(db))} holds "
                        r"\d+ documents, every batch committed before the disk filled; free some space, then run the "
                        r"same command again to complete it", line), line
    held = int(re.search(r"holds (\d+) documents", line)[1])
    assert 1 < held < 300, held
    monkeypatch.setattr(store.Store, "connection", connection)
    result = runner.invoke(app, ["index", "--db", str(db), "--no-semantic", "-j", "1", str(docs)])
    assert result.exit_code == 0 and "the store holds 300 documents" in " ".join(result.output.split()), result.output
