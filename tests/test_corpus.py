"""read_inputs: every input format on fixtures written here, ids, metadata, and every bad input as a Failure."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from unspun import Index
from unspun.corpus import page_record, read_inputs
from unspun.models import Failure, Record, Skip

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

STORY = ("The city council voted on Tuesday to approve a new budget for schools and parks, "
         "ending months of debate over how to spend the surplus from last year. ")
ARTICLE = STORY * 4


def _all(*inputs: str | Path) -> list[Record | Failure]:
    return list(read_inputs(inputs))


def _records(items: list[Record | Failure]) -> dict[str, Record]:
    return {r.id: r for r in items if isinstance(r, Record)}


def _failures(items: list[Record | Failure]) -> dict[str, str]:
    return {f.origin: f.reason for f in items if isinstance(f, Failure) and not isinstance(f, Skip)}


def _skips(items: list[Record | Failure]) -> dict[str, str]:
    return {f.origin: f.reason for f in items if isinstance(f, Skip)}


NO_TEXT = "<html><head><title>Gallery</title></head><body><div><img src='a.jpg'></div></body></html>"


def _page(head: str = "", body: str = f"<article><h1>Budget approved</h1><p>{ARTICLE}</p></article>") -> str:
    return (f"<!DOCTYPE html><html><head>{head}</head><body><nav>Home | News | Sport</nav>{body}"
            "<footer>Copyright Example Media</footer></body></html>")


# --- files, folders and ids ---------------------------------------------------------------------------------


def test_ids_are_relative_paths_in_folders_and_names_for_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub" / "dir").mkdir(parents=True)
    (corpus / "b.txt").write_text("second")
    (corpus / "a.md").write_text("# first")
    (corpus / "sub" / "dir" / "name.txt").write_text("deep")
    (corpus / "notes.xyz").write_text("left out: unknown type inside a folder")
    (corpus / "sub" / "more.xyz").write_text("left out")
    (corpus / "sub" / "run.py").write_text("left out")
    (corpus / ".hidden.txt").write_text("ignored: hidden")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "x.txt").write_text("ignored: hidden folder")
    single = tmp_path / "single.txt"
    single.write_text("alone")

    items = _all(corpus, single)

    assert [r.id for r in items if isinstance(r, Record)] == ["a.md", "b.txt", "sub/dir/name.txt", "single.txt"]
    assert _failures(items) == {}
    (reason,) = _skips(items).values()  # counted, once, at the end of the folder
    assert isinstance(items[3], Skip) and items[3].origin == str(corpus) and items[3].count == 3
    assert reason.startswith("3 files of types no reader takes left out (.xyz 2, .py 1; supported: .txt, .md")
    deep = _records(items)["sub/dir/name.txt"]
    assert (deep.text, deep.origin, deep.encoding_note) == ("deep", str(corpus / "sub" / "dir" / "name.txt"), None)


def test_reading_is_lazy(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    stream = read_inputs([tmp_path / "a.txt", tmp_path / "missing.txt"])
    assert next(stream).id == "a.txt"  # nothing about the second input is looked at before it is reached


def test_one_path_for_the_list_of_inputs_is_refused(tmp_path: Path) -> None:
    """``read_inputs("corpus")`` read the letters c, o, r, p, u, s as paths: six "no such file" failures, or the
    files of those names where there were some (QA); a Path alone would have failed only when iterated."""
    for given in ("corpus", tmp_path / "corpus"):
        with pytest.raises(TypeError, match=r"read_inputs takes a collection of paths, not one path \(put it in"):
            read_inputs(given)  # type: ignore[arg-type]


def test_unsupported_file_given_explicitly_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "data.xyz").write_text("hello")
    (tmp_path / "README").write_text("hello")
    failures = _failures(_all(tmp_path / "data.xyz", tmp_path / "README"))
    assert failures[str(tmp_path / "data.xyz")].startswith("unsupported file type .xyz (supported: .txt, .md")
    assert failures[str(tmp_path / "README")].startswith("unsupported file type (no extension)")


def test_extensions_are_case_insensitive(tmp_path: Path) -> None:
    (tmp_path / "A.TXT").write_text("upper")
    assert _records(_all(tmp_path))["A.TXT"].text == "upper"


# --- bad files ----------------------------------------------------------------------------------------------


def test_bad_files_are_failures_and_the_rest_still_come(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "empty.jsonl").write_bytes(b"")
    (corpus / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    (corpus / "cp1252.txt").write_bytes("Caf\u00e9 costs \u00a35 \u2013 \u201cfair\u201d.\n".encode("cp1252"))
    (corpus / "good.txt").write_text("fine")
    missing = tmp_path / "nowhere"

    items = _all(corpus, missing)

    failures = _failures(items)
    assert failures == {
        str(corpus / "binary.txt"): "binary file (mostly NUL or control bytes), not plain text",
        str(corpus / "empty.txt"): "empty file",
        str(corpus / "empty.jsonl"): "empty file",
        str(corpus / "image.html"): "looks like a PNG image, not plain text",
        str(missing): "no such file or directory",
    }
    records = _records(items)
    assert records["good.txt"].text == "fine"
    legacy = records["cp1252.txt"]
    assert legacy.text == "Caf\u00e9 costs \u00a35 \u2013 \u201cfair\u201d.\n"
    assert legacy.encoding_note == "not UTF-8; decoded as cp1252"


def test_too_large_file_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import unspun.ingest

    monkeypatch.setattr(unspun.ingest.read_document, "__defaults__", (None, 100))
    (tmp_path / "big.txt").write_text("x" * 101)
    (tmp_path / "small.txt").write_text("x" * 100)
    items = _all(tmp_path)
    assert _failures(items) == {str(tmp_path / "big.txt"): "0.0 MB is larger than the 0.0001 MB limit"}
    assert set(_records(items)) == {"small.txt"}


@contextmanager
def _without_root() -> Iterator[None]:
    """Root reads files whatever their mode, so as root (CI) the reading runs with nobody's effective user id."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_unreadable_file_and_folder_are_failures() -> None:
    with tempfile.TemporaryDirectory() as name:  # not tmp_path: its parents are closed to other users
        folder = Path(name)
        folder.chmod(0o755)
        (folder / "open.txt").write_text("visible")
        (folder / "open.txt").chmod(0o644)
        for locked in ("secret.txt", "secret.jsonl", "secret.csv"):
            (folder / locked).write_text("id,text\n1,hidden\n")
            (folder / locked).chmod(0)
        (folder / "locked").mkdir(mode=0)
        with _without_root():
            items = _all(folder)
    assert _failures(items) == {str(folder / n): "permission denied"
                                for n in ("locked", "secret.csv", "secret.jsonl", "secret.txt")}
    assert set(_records(items)) == {"open.txt"}


def test_special_file_given_explicitly_is_a_failure(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.jsonl")
    assert _failures(_all(tmp_path / "pipe.jsonl")) == {str(tmp_path / "pipe.jsonl"): "not a regular file"}
    # inside a folder, only regular files are read, and the others are said skipped
    assert _skips(_all(tmp_path)) == {str(tmp_path / "pipe.jsonl"): "not a file (a pipe, a socket or a device): "
                                                                     "nothing to read as a document"}


# --- HTML ---------------------------------------------------------------------------------------------------


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    head = ('<title>Budget approved | Daily Planet</title>'
            '<meta property="og:title" content="Budget approved">'
            '<meta property="og:site_name" content="Daily Planet">'
            '<meta property="og:url" content="https://planet.example/news/budget">'
            '<meta property="article:published_time" content="2021-03-04T10:00:00Z">')
    (tmp_path / "page.html").write_text(_page(head))

    (record,) = _all(tmp_path / "page.html")

    assert record.id == "page.html"
    assert STORY.strip() in record.text
    assert "Home | News" not in record.text and "Copyright" not in record.text
    assert (record.title, record.published, record.url, record.source) == (
        "Budget approved", "2021-03-04T10:00:00+00:00", "https://planet.example/news/budget", "Daily Planet")


@pytest.mark.parametrize("declared, published", [
    ('<meta property="article:published_time" content="2021-03-04T23:30:00-05:00">', "2021-03-04T23:30:00-05:00"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-03-04T23:30:00-05:00"}'
     '</script>', "2021-03-04T23:30:00-05:00"),
    ('<meta property="article:published_time" content="2021-03-04">', "2021-03-04"),  # no time: none is made up
])
def test_a_page_date_keeps_its_time_and_offset(tmp_path: Path, declared: str, published: str) -> None:
    (tmp_path / "page.html").write_text(_page(declared))
    (record,) = _all(tmp_path / "page.html")
    assert record.published == published


def test_html_without_metadata_and_without_text(tmp_path: Path) -> None:
    body = f"<article><p>{ARTICLE} The last such vote was held on March 3, 2015 in the old hall.</p></article>"
    (tmp_path / "bare.htm").write_text(_page(body=body))
    (tmp_path / "empty.html").write_text(NO_TEXT)
    # Navigation alone: trafilatura's fallback gave its links' labels, indexed as a document reading "Home".
    (tmp_path / "menu.html").write_text('<html><head><title>Nothing</title></head><body><nav><a href="/">Home</a> '
                                        '<a href="/news">News</a></nav></body></html>')
    # ...an XHTML page's too (its XML declaration made lxml refuse the page, and its menu was indexed).
    (tmp_path / "menu.xhtml.html").write_text('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/'
                                              '1999/xhtml"><head><title>Nothing</title></head><body><nav><a href="/">'
                                              'Home</a> <a href="/a">About us</a> <a href="/c">Contact</a></nav>'
                                              '</body></html>')
    # ...and a category page of headlines, all of them links (over 500 characters, it was indexed: QA)...
    heads = "".join(f'<li><a href="/s/{i}">Council {w} approves budget for schools and parks in ward {i}</a></li>'
                    for i, w in enumerate(["quietly", "finally", "narrowly", "again"] * 25))
    (tmp_path / "headlines.html").write_text(f"<html><head><title>News</title></head><body><main><h1>Latest</h1>"
                                             f"<ul>{heads}</ul></main></body></html>")
    # ...while a sentence that holds a link is text, and so is one whose letters are links' labels (a glossary's
    # A-Z links erased every letter of its definition).
    (tmp_path / "link.html").write_text('<html><body><p>Read <a href="/r">the full report on the bridge closure</a>'
                                        ' the council published on Tuesday.</p></body></html>')
    letters = " ".join(f'<a href="/{c}">{c}</a>' for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    (tmp_path / "glossary.html").write_text(f"<html><body><nav>{letters}</nav><article><p>Abacus: a frame with rows "
                                            "of wires along which beads are slid, used for counting.</p></article>"
                                            "</body></html>")

    # A plain-text file named .html is read as the text it is ("no main text found in HTML": QA).
    (tmp_path / "notes.html").write_text(f"{ARTICLE}\n\nThe vote is on <Tuesday> if 3 < 4.\n")

    items = _all(tmp_path)

    assert _records(items)["notes.html"].text == f"{ARTICLE}\n\nThe vote is on <Tuesday> if 3 < 4.\n"
    assert _failures(items) == {str(tmp_path / "empty.html"): "no main text found in HTML",
                                str(tmp_path / "menu.html"): "no main text found in HTML",
                                str(tmp_path / "menu.xhtml.html"): "no main text found in HTML",
                                str(tmp_path / "headlines.html"): "no main text found in HTML"}
    assert _records(items)["link.html"].text.startswith("Read the full report on the bridge closure")
    assert "Abacus: a frame with rows of wires" in _records(items)["glossary.html"].text
    bare = _records(items)["bare.htm"]
    assert STORY.strip() in bare.text
    assert (bare.url, bare.published, bare.source) == (None, None, None)  # a date in the wording is not metadata


# --- JSONL, CSV, Parquet ------------------------------------------------------------------------------------


JSONL_LINES = [
    json.dumps({"id": "a", "text": "First text.", "url": "https://x.example/a", "published": "2020-01-02",
                "source": "X", "title": "A", "lang": "en"}),
    '{"id": "b", "text": broken',
    "",
    json.dumps({"id": 7, "text": "Integer id."}),
    json.dumps({"id": "no-text"}),
    json.dumps({"text": "No id."}),
    json.dumps({"id": "blank", "text": "   "}),
    json.dumps(["not", "an", "object"]),
    json.dumps({"id": "number-date", "text": "Number as date.", "published": 1714640000}),
    json.dumps({"id": "bad-title", "text": "A title that is no text.", "title": ["a", "list"]}),
    json.dumps({"id": "last", "text": "Still read."}),
    json.dumps({"id": " \t", "text": "A blank id is none (POST /v1/documents refuses it; it was stored)."}),
]


def _check_jsonl(items: list[Record | Failure], name: str) -> None:
    records = _records(items)
    assert list(records) == ["a", "7", "number-date", "last"]
    assert records["number-date"].published == "1714640000"  # kept as written: the record and its text are not lost
    assert records["a"] == Record(id="a", text="First text.", url="https://x.example/a", published="2020-01-02",
                                  source="X", title="A", lang="en", origin=f"{name}:1")
    assert records["7"].origin == f"{name}:4"
    failures = _failures(items)
    assert failures[f"{name}:2"].startswith("malformed JSON: Expecting value")
    assert failures[f"{name}:5"] == "record has no text"
    assert failures[f"{name}:6"] == failures[f"{name}:12"] == "record has no id"
    assert failures[f"{name}:7"] == "record has empty text"
    assert failures[f"{name}:8"] == "expected a JSON object, found list"
    assert failures[f"{name}:10"] == "title must be a string, not list"
    assert len(failures) == 7


def test_jsonl_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(JSONL_LINES) + "\n")
    _check_jsonl(_all(path), str(path))


def test_jsonl_gz_records_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(JSONL_LINES) + "\n").encode()))
    _check_jsonl(_all(path), str(path))


def test_truncated_jsonl_gz_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    lines = [json.dumps({"id": str(i), "text": f"Document {i}: {STORY}{i * 7919}"}) for i in range(2000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    good = tmp_path / "after.txt"
    good.write_text("the next input is still read")

    items = _all(path, good)

    records = _records(items)
    assert 100 < len(records) - 1 < 2000
    assert list(records)[:3] == ["0", "1", "2"]
    assert records["after.txt"].text == "the next input is still read"
    ((origin, reason),) = _failures(items).items()
    assert origin == f"{path}:{len(records)}"  # the line after the last complete one
    assert reason == "file ends early (truncated); rest of file skipped"


RECORDS = [{"id": str(i), "text": STORY} for i in range(20)]


@pytest.mark.parametrize("text, what", [
    (json.dumps(RECORDS, indent=2), "a JSON array"),
    ("[" + ",\n".join(json.dumps(r) for r in RECORDS) + "]", "a JSON array"),
    (json.dumps(RECORDS[0], indent=2), "JSON written over several lines (indented)")], ids=["indented", "a record a line", "object"])
def test_json_that_is_no_json_lines_is_one_failure(tmp_path: Path, text: str, what: str) -> None:
    """An export written with json.dump(..., indent=2) gave a failure per line (82 for 20 records), the first
    "malformed JSON: Expecting value: line 2 column 1" of a line that has no line 2."""
    path = tmp_path / "export.jsonl"
    path.write_text(text)
    ((origin, reason),) = _failures(_all(path)).items()
    assert origin == str(path) and reason.startswith(f"{what}, not JSON Lines")


def test_a_record_naming_a_field_twice_is_a_failure(tmp_path: Path) -> None:
    """JSON keeps the last of two keys: one of two ids or texts was indexed without a word (a CSV header naming a
    field twice is refused). Keys no record field has are no concern of ours."""
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "a", "text": "One.", "id": "b"}\n{"id": "c", "text": "Two.", "meta": {"k": 1, "k": 2}}\n')
    items = _all(path)
    assert _failures(items) == {f"{path}:1": "the field 'id' is given twice in one record"}
    assert list(_records(items)) == ["c"]


def test_a_record_file_without_records_is_said_skipped(tmp_path: Path) -> None:
    """A CSV of a header alone, blank lines named .jsonl, a text named .sgm: read as nothing, named nowhere
    ("indexed 0, skipped 0, failed 0")."""
    (tmp_path / "export.csv").write_text("id,text\n")
    (tmp_path / "export.jsonl").write_text("\n\n")
    (tmp_path / "story.sgm").write_text(STORY)
    (tmp_path / "ok.csv").write_text(f'id,text\n1,"{STORY}"\n')
    items = _all(tmp_path)
    assert list(_records(items)) == ["1"] and not _failures(items)
    assert _skips(items) == {str(tmp_path / "export.csv"): "no records in it: nothing to index",
                             str(tmp_path / "export.jsonl"): "no records in it: nothing to index",
                             str(tmp_path / "story.sgm"): "no <REUTERS> element in it (not Reuters-21578 SGML): "
                                                          "nothing to index"}


def test_jsonl_gz_that_is_not_gzip(tmp_path: Path) -> None:
    path = tmp_path / "plain.jsonl.gz"
    path.write_text('{"id": "1", "text": "x"}\n')
    ((origin, reason),) = _failures(_all(path)).items()
    assert origin == f"{path}:1"
    assert reason.startswith("corrupt gzip data (Not a gzipped file")


def test_jsonl_bad_utf8_line_is_a_failure(tmp_path: Path) -> None:
    """Said as "malformed JSON: 'utf-8' codec can't decode...", as if the JSON were bad, not its encoding."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "1", "text": "caf\xe9"}\n{"id": "2", "text": "ok"}\n')
    items = _all(path)
    assert list(_records(items)) == ["2"]
    assert _failures(items)[f"{path}:1"] == ("not UTF-8 (byte 0xe9 at byte 25 of the line): JSON Lines are UTF-8; "
                                             "convert the file (e.g. iconv -f cp1252 -t utf-8)")


def test_a_binary_or_utf16_file_named_as_records_is_one_failure(tmp_path: Path) -> None:
    """A library renamed lib.jsonl gave one "malformed JSON" per "line" (26,356 for 10 MB), gzipped noise one per
    line too; JSONL and CSV never hold a NUL byte."""
    noise = bytes(range(256)) * 40
    (tmp_path / "lib.jsonl").write_bytes(b"\x7fELF" + noise)
    (tmp_path / "noise.jsonl.gz").write_bytes(gzip.compress(b"\n".join([noise] * 30)))
    (tmp_path / "export.jsonl").write_bytes('{"id": "1", "text": "ok"}\n'.encode("utf-16"))
    (tmp_path / "sheet.csv").write_bytes(b"id,text\n1,\x00\x01\x02" + noise)
    (tmp_path / "good.jsonl").write_text('{"id": "g", "text": "the next file is still read"}\n')
    items = _all(tmp_path)
    assert list(_records(items)) == ["g"]
    assert _failures(items) == {
        str(tmp_path / "lib.jsonl"): "looks like an executable (ELF), not records",
        str(tmp_path / "noise.jsonl.gz"): "binary file (contains NUL bytes), not records",
        str(tmp_path / "export.jsonl"): "UTF-16 text (byte order mark): records must be UTF-8 (iconv -f UTF-16 -t "
                                        "UTF-8)",
        str(tmp_path / "sheet.csv"): "binary file (contains NUL bytes), not records"}


def test_a_csv_header_that_holds_a_signature_past_its_start_is_read() -> None:
    """"url,ftype,..." holds the MP4 signature "ftyp" at offset 4, which no text starts with but a header may hold."""
    from unspun.ingest import not_records

    assert not_records(b"url,ftype,id,text\nx,y,1,A text.\n") is None


def test_a_csv_naming_a_field_twice_is_refused_not_read_by_its_last_column(tmp_path: Path) -> None:
    """``id,text,text``: csv.DictReader kept the last column, and the document was stored as the 5 characters
    "other", without a word."""
    path = tmp_path / "dup.csv"
    path.write_text('id,text,text\nd1,"A long article.",other\n')
    assert _failures(_all(path)) == {str(path): "the header names text more than once (columns: id, text, text): "
                                                "which is meant cannot be told"}


def test_a_csv_row_with_more_fields_than_its_header_fails_not_cut_short(tmp_path: Path) -> None:
    """An unquoted comma in a text made an extra field: the text was stored up to the comma (the rest went to
    ``published``, or was dropped) and the run said "failed 0". A short row loses nothing and is read."""
    path = tmp_path / "m.csv"
    path.write_text("id,text,published\n"
                    "r1,First part of the story, and the rest of it.,2020-01-01\n"
                    "r2,A whole row of text.,2020-01-02\n"
                    "r3,A row without its date.\n"
                    "r4,A row with a trailing comma.,2020-01-04,\n", encoding="utf-8")
    items = _all(path)
    assert _failures(items) == {f"{path}:2": "malformed CSV: 4 fields, the header names 3 (a comma inside a field "
                                             "that is not quoted?)"}
    records = _records(items)
    assert sorted(records) == ["r2", "r3", "r4"] and records["r2"].published == "2020-01-02"
    assert records["r3"].text == "A row without its date." and records["r3"].published is None


def test_csv_records(tmp_path: Path) -> None:
    path = tmp_path / "docs.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "published", "extra"])
        w.writerow(["a", "Line one,\nline two with \"quotes\".", "2020-01-02", "ignored"])
        w.writerow(["b", "", "", ""])
        w.writerow(["c", "x" * 200_000, "", ""])  # beyond csv's default field size limit
    items = _all(path)
    records = _records(items)
    assert records["a"] == Record(id="a", text='Line one,\nline two with "quotes".', published="2020-01-02",
                                  origin=f"{path}:2")
    assert records["c"].origin == f"{path}:5" and len(records["c"].text) == 200_000
    assert _failures(items) == {f"{path}:4": "record has empty text"}


def test_csv_field_over_the_limit_is_one_failure_and_the_rows_after_it_come(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """csv gives up on a field over its limit mid-field and resumes at the next line: each line of the rest of a
    quoted field became a row ("filler words" indexed thousands of times) and the row after it was swallowed."""
    import unspun.corpus

    monkeypatch.setattr(unspun.corpus, "MAX_BYTES", 1000)
    path = tmp_path / "docs.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerow(["a", "Before the big one."])
        w.writerow(["big", 'filler words, "quoted" and more\n' * 100])
        w.writerow(["b", "After the big one."])
    limit = csv.field_size_limit(1000)
    try:
        items = _all(path)
    finally:
        csv.field_size_limit(limit)
    assert {i: r.text for i, r in _records(items).items()} == {"a": "Before the big one.", "b": "After the big one."}
    assert _failures(items) == {f"{path}:3": "a field is larger than the 0.001 MB limit"}
    assert _records(items)["b"].origin == f"{path}:104"


def test_csv_without_columns_or_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "nocol.csv").write_text("name,body\nx,y\n")
    (tmp_path / "wide.csv").write_bytes("id,text\n1,ok\n".encode("utf-16"))  # guessed: UTF-16, no line to cut
    (tmp_path / "empty.csv").write_text("")
    failures = _failures(_all(tmp_path))
    assert failures == {str(tmp_path / "nocol.csv"): "no id or text column (columns: name, body)",
                        str(tmp_path / "empty.csv"): "empty file",
                        str(tmp_path / "wide.csv"): "UTF-16 text (byte order mark): records must be UTF-8 "
                                                    "(iconv -f UTF-16 -t UTF-8)"}


def test_csv_exported_in_a_legacy_encoding_keeps_every_row(tmp_path: Path) -> None:
    """A spreadsheet's cp1252 export: the first accented row ended the file ("CSV files must be UTF-8"), rows of
    plain ASCII after it lost; now its lines are decoded in the guessed encoding and said to be."""
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="cp1252") as f:
        csv.writer(f).writerows([("id", "text"), ("r1", "First row, ASCII text about the budget vote."),
                                 ("r2", "The café owner said the décor cost 500 euros, “a bargain”."),
                                 ("r3", "Third row, ASCII, about a football match.")])

    items = _all(path)

    records = _records(items)
    assert list(records) == ["r1", "r2", "r3"] and not _failures(items)
    assert records["r2"].text == "The café owner said the décor cost 500 euros, “a bargain”."
    assert records["r2"].encoding_note == "not UTF-8; decoded as cp1252"
    assert records["r1"].encoding_note is None and records["r3"].encoding_note is None


def test_csv_in_cp1252_with_a_byte_it_leaves_undefined_keeps_the_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("id,text\r\nr1,\"The café owner said the décor cost £500, “a bargain”.\"\r\n".encode("cp1252")
                     + b"r2,A stray \x81 byte in an otherwise plain row.\r\n")
    records = _records(_all(path))
    assert records["r1"].text == "The café owner said the décor cost £500, “a bargain”."
    assert records["r2"].text == "A stray \x81 byte in an otherwise plain row."


def test_csv_in_utf8_with_one_line_in_another_encoding(tmp_path: Path) -> None:
    """The guess is made from the lines that are not UTF-8: from the bytes after the first one, the Polish UTF-8
    rows that followed a cp1252 line made it "no encoding fits", and every row after it was lost."""
    path = tmp_path / "mixed.csv"
    with path.open("wb") as f:
        f.write(b"id,text\r\nb,caf\xe9 cr\xe8me\r\n")
        for i in range(300):
            f.write(f"p{i},\"{POLISH}\"\r\n".encode())

    records = _records(_all(path))

    assert len(records) == 301
    assert (records["b"].text, records["b"].encoding_note) == ("café crème", "not UTF-8; decoded as cp1252")
    assert records["p299"].text == POLISH and records["p299"].encoding_note is None


def test_parquet_records_by_batches(tmp_path: Path) -> None:
    path = tmp_path / "docs.parquet"
    n = 600  # more than one batch
    table = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "text": pa.array([f"Text {i}" if i != 300 else None for i in range(n)]),
        "published": pa.array([datetime(2021, 5, 6, 7, 8, 9)] * n, pa.timestamp("s")),
        "url": pa.array([f"https://x.example/{i}" for i in range(n)]),
        "unused": pa.array([b"\x00"] * n),
    })
    pq.write_table(table, path, row_group_size=100)

    items = _all(path)

    records = _records(items)
    assert len(records) == n - 1
    assert records["0"] == Record(id="0", text="Text 0", url="https://x.example/0", published="2021-05-06T07:08:09",
                                  origin=f"{path}:row 1")
    assert records["599"].origin == f"{path}:row 600"
    assert _failures(items) == {f"{path}:row 301": "record has no text"}


def test_a_damaged_parquet_row_group_loses_its_rows_only(tmp_path: Path) -> None:
    """Read all at once, one damaged page in the middle group lost every row of the file ("row 1")."""
    path = tmp_path / "docs.parquet"
    pq.write_table(pa.table({"id": [f"d{i}" for i in range(30)], "text": [f"Text {i} " * 50 for i in range(30)]}),
                   path, row_group_size=10, compression="none")
    middle = pq.ParquetFile(path).metadata.row_group(1).column(1)
    data = bytearray(path.read_bytes())
    start = middle.data_page_offset
    data[start:start + 64] = b"\xff" * 64  # the page header of the second group's text
    path.write_bytes(bytes(data))

    items = _all(path)

    assert set(_records(items)) == {f"d{i}" for i in (*range(10), *range(20, 30))}
    assert _records(items)["d20"].origin == f"{path}:row 21"
    [(origin, reason)] = _failures(items).items()
    assert origin == f"{path}:row 11" and reason.endswith("; rows 11 to 20 (row group 2) skipped")


def test_bad_parquet_files(tmp_path: Path) -> None:
    (tmp_path / "fake.parquet").write_text("not parquet at all")
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "nocol.parquet")
    failures = _failures(_all(tmp_path))
    assert failures[str(tmp_path / "fake.parquet")].startswith("not a readable Parquet file:")
    assert failures[str(tmp_path / "nocol.parquet")] == "no id or text column (columns: body)"


# --- WARC ---------------------------------------------------------------------------------------------------


def _warc(gzip_records: bool) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip_records)
    dated = '<meta property="article:published_time" content="2019-07-08">'

    def response(uri: str, status: str, content_type: str, body: str, when: str) -> None:
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body.encode()), http_headers=headers,
            warc_headers_dict={"WARC-Date": when}))

    writer.write_record(writer.create_warc_record("https://x.example/", "warcinfo", payload=io.BytesIO(b"x: y\r\n")))
    response("https://x.example/a", "200 OK", "text/html; charset=utf-8", _page(), "2020-01-01T00:00:00Z")
    response("https://x.example/gone", "404 Not Found", "text/html", _page(), "2020-01-01T00:00:01Z")
    response("https://x.example/logo.png", "200 OK", "image/png", "PNG", "2020-01-01T00:00:02Z")
    response("https://x.example/b", "200 OK", "text/html", _page(dated), "2020-01-01T00:00:03Z")
    response("https://x.example/menu", "200 OK", "text/html", NO_TEXT, "2020-01-01T00:00:04Z")
    return buf.getvalue()


def test_a_pages_date_that_is_no_date_gives_way_to_the_crawls() -> None:
    """A template's placeholder as the page's date threw the WARC's crawl date away: kept as given, it ordered no
    sources (QA). With a crawl date, the placeholder gives way; without one, it is kept as given, as a record's is."""
    junk = _page('<meta property="article:published_time" content="{{ post.date }}">')
    assert page_record(junk, "a", "a", published="2020-01-01T00:00:00Z").published == "2020-01-01T00:00:00Z"
    assert page_record(junk, "a", "a").published == "{{ post.date }}"


@pytest.mark.parametrize("name, gzip_records", [("crawl.warc", False), ("crawl.warc.gz", True)])
def test_warc_html_responses(tmp_path: Path, name: str, gzip_records: bool) -> None:
    path = tmp_path / name
    path.write_bytes(_warc(gzip_records))

    items = _all(path)

    records = _records(items)
    assert list(records) == ["https://x.example/a", "https://x.example/b"]
    a, b = records.values()
    assert STORY.strip() in a.text
    assert (a.url, a.published) == ("https://x.example/a", "2020-01-01T00:00:00Z")  # crawl date: page has none
    assert (b.url, b.published) == ("https://x.example/b", "2019-07-08")  # the page's own date wins
    assert a.origin.startswith(f"{path}:") and int(a.origin.rsplit(":", 1)[1]) > 0
    ((origin, reason),) = _failures(items).items()
    assert reason == "no main text found in HTML"
    assert _skips(items) == {str(path): "2 responses that are not HTML pages with status 200 left out "
                                        "(image/png 1, status 404 1)"}
    assert path.read_bytes()[int(origin.rsplit(":", 1)[1]):].startswith(b"\x1f\x8b" if gzip_records else b"WARC/")


def test_a_warc_gzipped_whole_is_read_to_its_end(tmp_path: Path) -> None:
    """`gzip crawl.warc` compresses the file as one stream, not record by record: warcio read its first record and
    failed with its own message of many lines, at offset -317; every page after the first was lost. Read through
    the decompressed bytes, it gives what the plain file gives, offsets into those bytes."""
    plain, whole = tmp_path / "crawl.warc", tmp_path / "whole.warc.gz"
    plain.write_bytes(_warc(False))
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    items, expected = _all(whole), _all(plain)
    assert [(r.id, r.text, r.published, r.origin.replace(str(whole), "F")) for r in _records(items).values()] == [
        (r.id, r.text, r.published, r.origin.replace(str(plain), "F")) for r in _records(expected).values()]
    assert len(_records(items)) == 2 and len(_failures(items)) == 1 and len(_skips(items)) == 1
    cut = tmp_path / "cut.warc.gz"  # ...and a truncated one still says so, keeping the pages before the cut
    cut.write_bytes(whole.read_bytes()[:-200])  # (they were all lost with the block read ahead: QA)
    items = _all(cut)
    assert any("truncated" in f for f in _failures(items).values())
    assert [(r.id, r.text, r.origin.replace(str(cut), "F")) for r in _records(items).values()] == [
        (r.id, r.text, r.origin.replace(str(plain), "F")) for r in _records(expected).values()][:1]  # (the 2nd: cut)
    tail = tmp_path / "tail.warc.gz"  # bytes after the stream that are no gzip: the run crashed on zlib.error
    tail.write_bytes(whole.read_bytes() + b"not gzip at all")
    items = _all(tail)
    assert [r.text for r in _records(items).values()] == [r.text for r in _records(expected).values()]
    assert list(_failures(items).values())[-1] == ("corrupt gzip data (Error -3 while decompressing data: incorrect "
                                                   "header check); rest of file skipped")


POLISH = ("Zażółć gęślą jaźń. Łódź jest dużym miastem w Polsce, a Wrocław leży nad Odrą. Rząd ogłosił wczoraj nowy "
          "budżet na przyszły rok, a opozycja zapowiedziała, że będzie głosować przeciwko niemu w przyszłym tygodniu.")


QUOTED = "He said “good morning” to the café owner – as always – and left. " * 4


@pytest.mark.parametrize("content_type, text, written, codec, declared", [
    ("text/html; charset=ISO-8859-2", POLISH, "iso-8859-2", "iso8859-2", True),
    ('text/html; Charset="iso-8859-2"', POLISH, "iso-8859-2", "iso8859-2", True),
    # Labels read as browsers read them: ISO-8859-1 is cp1252 (its curly quotes were C1 controls, then dropped).
    ("text/html; charset=ISO-8859-1", QUOTED, "cp1252", "cp1252", True),
    # cp1252 under a Latin-2 label reads its quotes as C1 controls: not believed, guessed.
    ("text/html; charset=iso-8859-2", QUOTED, "cp1252", "cp1252", False),
    # Labels that don't fit the bytes, or name no text encoding a page is written in: guessed, as for no label
    # (base64 escaped as an error that skipped the rest of the WARC file; utf-16 decoded cp1252 bytes to CJK).
    ("text/html; charset=utf-8", QUOTED, "cp1252", "cp1252", False),
    ("text/html; charset=base64", QUOTED, "cp1252", "cp1252", False),
    ("text/html; charset=utf-16", QUOTED, "cp1252", "cp1252", False),
])
def test_warc_page_decoded_in_the_charset_its_server_declared(tmp_path: Path, content_type: str, text: str,
                                                                written: str, codec: str, declared: bool) -> None:
    # Many servers name the charset in the HTTP header alone: it was guessed (iso8859-10, "Zaŋóģæ gęķlą").
    body = f"<html><head><title>W</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>"
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://x.example/pl", "response", http_headers=headers,
                                                  payload=io.BytesIO(body.encode(written))))
    (tmp_path / "pl.warc.gz").write_bytes(buf.getvalue())

    items = _all(tmp_path / "pl.warc.gz")

    [record] = _records(items).values()
    assert not _failures(items)
    assert text.strip() in record.text
    assert record.encoding_note == (f"not UTF-8; decoded as {codec}, the charset it was declared in" if declared
                                    else f"not UTF-8; decoded as {codec}")


@pytest.mark.parametrize("name, gzip_records", [("cut.warc", False), ("cut.warc.gz", True)])
@pytest.mark.parametrize("keep", [0.3, 0.55, 0.8])
def test_truncated_warc_keeps_the_records_before_the_break(tmp_path: Path, name: str, gzip_records: bool,
                                                           keep: float) -> None:
    data = _warc(gzip_records)
    path = tmp_path / name
    path.write_bytes(data[: int(len(data) * keep)])

    items = _all(path)

    failures = [f for f in items if isinstance(f, Failure)]
    assert failures[-1].reason in {"file ends early (truncated); rest of file skipped",
                                   "damaged or truncated WARC record; rest of file skipped"}
    assert failures[-1].origin.startswith(f"{path}:")
    assert set(_records(items)) <= {"https://x.example/a", "https://x.example/b"}


@pytest.mark.parametrize("text", ["hello world\nthis is no WARC\n", f"Headline\n\n{STORY}\n\n{STORY}\n"])
@pytest.mark.parametrize("name", ["x.warc", "x.warc.gz"])
def test_not_a_warc(tmp_path: Path, text: str, name: str) -> None:
    """An article named .warc read as "file ends early (truncated)", sending its user after a broken download."""
    data = text.encode()
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert _failures(_all(tmp_path / name)) == {
        str(tmp_path / name): "not a WARC file (it does not begin with a WARC/1.x record)"}


# --- Reuters-21578 SGML -------------------------------------------------------------------------------------


REUTERS = """<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<UNKNOWN>&#5;&#5;&#5;C T
&#22;&#22;&#1;f0704&#31;reute</UNKNOWN>
<TEXT>&#2;
<TITLE>BAHIA COCOA &lt;REVIEW&gt;</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout the week &amp; more.
    Prices rose &lt;sharply&gt;.
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5545" NEWID="2">
<DATE>  3-MAR-1987  09:15:05.40</DATE>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>HEADLINE ONLY, NO BODY
</TITLE>
&#3;</TEXT>
</REUTERS>
<REUTERS TOPICS="NO" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5546" NEWID="3">
<DATE>31-MAR-1987 605:12:19.12</DATE>
<TEXT TYPE="UNPROC">&#2;
<BODY>Untitled story with a garbled date.
</BODY></TEXT>
</REUTERS>
"""


def test_reuters_sgml(tmp_path: Path) -> None:
    path = tmp_path / "reut2-000.sgm"
    path.write_text(REUTERS)

    items = _all(path)

    assert [r.id for r in items if isinstance(r, Record)] == ["reut2-000.sgm:1", "reut2-000.sgm:3"]
    assert _skips(items) == {str(path): "1 story without a <BODY> (headlines only) left out"}
    first, third, _ = items
    assert first == Record(
        id="reut2-000.sgm:1",
        text="BAHIA COCOA <REVIEW>\n\nShowers continued throughout the week & more.\n    Prices rose <sharply>.\n"
             " Reuter\n",
        published="1987-02-26T15:01:01",
        title="BAHIA COCOA <REVIEW>",
        origin=f"{path}:2",
    )
    assert (third.text, third.title, third.published) == ("Untitled story with a garbled date.\n", None, None)


def test_reuters_sgml_in_a_folder_keeps_the_relative_path(tmp_path: Path) -> None:
    (tmp_path / "reuters").mkdir()
    (tmp_path / "reuters" / "reut2-001.sgm").write_bytes(REUTERS.replace("more.", "m\u00f6re.").encode("cp1252"))
    first = _all(tmp_path)[0]
    assert first.id == "reuters/reut2-001.sgm:1"
    assert "m\u00f6re." in first.text and first.encoding_note == "not UTF-8; decoded as cp1252"


def test_reuters_sgml_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "cut.sgm"
    path.write_text(REUTERS[: REUTERS.index("</REUTERS>")] + REUTERS[REUTERS.index("</REUTERS>") + 10:])
    items = _all(path)
    assert _failures(items) == {f"{path}:2": "story has no closing </REUTERS> (file truncated?)"}
    assert list(_skips(items)) == [str(path)]
    assert [r.id for r in items if isinstance(r, Record)] == ["cut.sgm:3"]


@pytest.mark.slow
def test_shared_reuters_and_bbc_stream_quickly() -> None:
    reuters, bbc = DATA / "reuters-21578", DATA / "bbc-news-2225"
    if not (reuters.is_dir() and bbc.is_dir()):
        pytest.skip(f"../shared/data/reuters-21578 or bbc-news-2225 absent under {DATA}")
    start = time.perf_counter()
    stories = [r for r in read_inputs([reuters]) if isinstance(r, Record) and r.id.startswith("reut2-")]
    articles = [r for r in read_inputs([bbc]) if isinstance(r, Record)]
    elapsed = time.perf_counter() - start
    assert len(stories) >= 19_000
    assert sum(1 for r in stories if r.published and r.published.startswith("1987-")) >= 19_000
    assert len({r.id for r in stories}) == len(stories)
    assert len(articles) >= 2225 and "business/001.txt" in {r.id for r in articles}
    assert elapsed < 120, f"{elapsed:.1f} s"  # a guard against a reader gone quadratic (~5 s), not a speed target


def test_a_link_to_a_folder_is_skipped_and_said(tmp_path: Path) -> None:
    """Links to folders are not followed (a link loop would never end), and were dropped without a word: the
    documents behind one were missing from the store with nothing in the summary."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("A document behind a link to its folder.", encoding="utf-8")
    top = tmp_path / "top"
    top.mkdir()
    (top / "b.txt").write_text("A document in the folder itself.", encoding="utf-8")
    (top / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
    (top / "loop").symlink_to(top, target_is_directory=True)
    items = list(read_inputs([top]))
    assert [r.id for r in items if isinstance(r, Record)] == ["b.txt"]
    skipped = sorted((Path(s.origin).name, s.reason) for s in items if isinstance(s, Skip))
    assert [name for name, _ in skipped] == ["linked", "loop"]
    assert all("a link to a folder, not followed" in why for _, why in skipped)


def test_a_broken_link_in_a_folder_is_a_failure_not_silence(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A document that is there.", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    items = list(read_inputs([tmp_path]))
    assert [r.id for r in items if isinstance(r, Record)] == ["good.txt"]
    [bad] = [f for f in items if isinstance(f, Failure)]
    assert Path(bad.origin).name == "gone.txt" and "a broken link" in bad.reason


def test_a_loop_of_links_in_a_folder_is_a_failure_and_the_rest_is_read(tmp_path: Path) -> None:
    """Two links naming each other (ELOOP when followed) ended the walk with a traceback at every run, and the
    files after them in name order were never indexed."""
    (tmp_path / "a.txt").write_text("A document before the loop.", encoding="utf-8")
    (tmp_path / "m1").symlink_to(tmp_path / "m2")
    (tmp_path / "m2").symlink_to(tmp_path / "m1")
    (tmp_path / "z.txt").write_text("A document after the loop.", encoding="utf-8")
    items = list(read_inputs([tmp_path]))
    assert [r.id for r in items if isinstance(r, Record)] == ["a.txt", "z.txt"]
    failed = [(Path(f.origin).name, f.reason) for f in items if isinstance(f, Failure)]
    assert failed == [(n, "cannot read: Too many levels of symbolic links") for n in ("m1", "m2")]


def test_a_link_to_a_device_in_a_folder_is_skipped_as_what_it_is(tmp_path: Path) -> None:
    """It was "a broken link (what it names does not exist)": /dev/null exists."""
    (tmp_path / "good.txt").write_text("A document that is there.", encoding="utf-8")
    (tmp_path / "null.txt").symlink_to("/dev/null")
    items = list(read_inputs([tmp_path]))
    assert [r.id for r in items if isinstance(r, Record)] == ["good.txt"]
    [skip] = [f for f in items if isinstance(f, Failure)]  # a Skip is a Failure that is no fault
    assert isinstance(skip, Skip)
    assert Path(skip.origin).name == "null.txt" and "a link to something that is not a file" in skip.reason



@pytest.mark.parametrize("declared, published", [
    ('<meta property="article:published_time" content="2024-02">', "2024-02"),
    ('<meta property="article:published_time" content="2024-02-30">', "2024-02-30"),
    ('<meta name="DATE" content="2019">', "2019"),
    ('<meta itemprop="datePublished" content="2020-05-06T07:08:09Z">', "2020-05-06T07:08:09+00:00"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-05-02"}</script>',
     "2023-05-02"),
    ('<meta name="date" content="2024-06-30"><meta property="article:published_time" content="2024-05-02">',
     "2024-05-02"),
    ('<script type="application/ld+json">{"relatedLink": [{"datePublished": "2019-01-01"}], '
     '"mainEntity": {"datePublished": "2024-05-02"}}</script>', "2024-05-02"),
], ids=["month", "no such day", "year", "itemprop", "JSON-LD", "most specific", "JSON-LD's own"])
def test_a_page_s_date_is_read_as_declared(tmp_path: Path, declared: str, published: str) -> None:
    """htmldate made a day up where the page gave none or one that does not exist ("2024-02" became 2024-02-28,
    "2024-02-30" 2024-02-01), and that day could decide which text came first: a declared date is kept as written
    and read as a record's is (a month is the whole month; an impossible day is said to be no date)."""
    (tmp_path / "page.html").write_text(_page("<title>Budget approved</title>" + declared))
    (tmp_path / "page.xhtml.html").write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                                              + _page("<title>Budget approved</title>" + declared))
    assert [r.published for r in _all(tmp_path)] == [published, published]  # an XHTML page's declaration too


ARTICLE_BODY = f"<article><h1>Budget approved</h1><p>{ARTICLE}</p></article>"


@pytest.mark.parametrize("head, after, published", [
    ("", '<aside class="related"><h3>Recent posts</h3><a href="/a">Oil falls</a> <time datetime="2004-06-12">June '
         "12</time></aside>", None),
    ("", '<section class="comments"><p>Great!</p><time datetime="2004-11-03T10:00:00Z">3 Nov</time></section>', None),
    ('<script type="application/ld+json">[{"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", '
     '"datePublished": "2003-01-01"}]}]</script>', "", None),
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "datePublished": "2001-01-01"}, '
     '{"@type": "NewsArticle", "datePublished": "2005-02-01"}]}</script>', "", "2005-02-01"),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2005-02-01",}</script>', "",
     "2005-02-01"),
    ("", '<aside class="related"><time datetime="2004-06-12">June 12</time></aside>', "2005-02-01"),
    ("frame", "", "2005-02-01"),
], ids=["sidebar", "comment", "listed article", "graph's site", "trailing comma", "own time beside a sidebar",
        "own time in an article its theme names 'related'"])
def test_a_page_is_not_dated_by_other_pages_or_its_readers(tmp_path: Path, head: str, after: str,
                                                           published: str | None) -> None:
    """A farm copy declaring no date took the date of its sidebar's "Recent posts" (2004), or of a comment, or of a
    related article its JSON-LD lists, and was then named the original of a newsroom's article of 2005; a @graph
    listing the WebSite (founded 2001) before the NewsArticle gave the page 2001 (QA). The page's own <time> in its
    article is still read."""
    body = ARTICLE_BODY
    if head == "frame":  # the page's own frame is never taken out, whatever its classes say
        head, body = "", body.replace("<article>", '<article class="post related-enabled">')
    if published == "2005-02-01" and not head:
        body = body.replace("<h1>", '<time datetime="2005-02-01">1 Feb 2005</time><h1>')
    (tmp_path / "page.html").write_text(_page("<title>Budget approved</title>" + head, body + after))
    assert [r.published for r in _all(tmp_path)] == [published]


def test_a_store_inside_an_indexed_folder_is_one_skip(tmp_path: Path) -> None:
    """`index --db docs/store docs` read the store's own files (unspun.sqlite, its log, its vectors) as inputs of
    types no reader takes, four or six of them, run after run."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with Index(tmp_path / "store", semantic=False):
        items = _all(tmp_path)
    assert [r.id for r in items if isinstance(r, Record)] == ["a.txt"]
    assert _skips(items) == {str(tmp_path / "store"): "an unspun store: its own files are no documents"}
