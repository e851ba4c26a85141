"""The HTTP API of `unspun serve`: every endpoint, auth, body limits, bad JSON, concurrent reads and writes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import re
import sqlite3
import subprocess
import sys
import random
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

with warnings.catch_warnings():  # Starlette prefers httpx2 for its TestClient; httpx works the same here
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient

from unspun.compare import compare
from unspun.errors import UnspunError
from unspun.index import Index
from unspun.models import Document, Record, text_digest
from unspun.serve import create_app, run
from unspun.serve.pages import CSP
from unspun.serve.server import background, bind
from unspun.store import StoreBusy

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2")

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

ORIGINAL = (
    "The harbour town of Lindqvist voted on Tuesday to close its old ferry terminal after ninety years of service. "
    "Councillors said the wooden piers had become too expensive to repair after two winters of heavy storms. "
    "A new terminal will be built on the northern shore, where the water is deeper and the wind is calmer. "
    "Fishermen who use the old harbour protested outside the town hall, saying the move would cost them hours. "
    "The mayor promised that a shuttle bus would connect the old quay with the new terminal every half hour. "
    "Construction is expected to begin next spring and to last at least three years, according to the council."
)
COPY = (
    "The harbour town of Lindqvist decided on Tuesday to shut its old ferry terminal after ninety years of service. "
    "Councillors said the wooden piers had become far too costly to repair after two winters of heavy storms. "
    "A new terminal will be built on the northern shore, where the water is deeper and the wind is calmer. "
    "The mayor promised that a shuttle bus would link the old quay with the new terminal every half hour."
)
OTHER = (
    "Researchers at a mountain observatory have catalogued a faint comet that will pass the sun in October. "
    "The comet's orbit suggests it last came near the inner planets some four thousand years ago. "
    "Amateur astronomers may see it with binoculars for a few days before dawn, weather permitting."
)


def _records() -> list[Record]:
    return [
        Record(id="news/ferry", text=ORIGINAL, published="2024-03-05", title="Ferry terminal to close"),
        Record(id="news/comet", text=OTHER, published="2024-03-06"),
    ]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "db"
    with Index(db, semantic=False) as ix:
        ix.add(_records())
    return db


@pytest.fixture
def index(store: Path):
    ix = Index(store, semantic=False)
    yield ix
    ix.close()


@pytest.fixture
def client(index: Index):
    """A writable server with a token."""
    with TestClient(create_app(index, write_token=TOKEN)) as c:
        yield c


@pytest.fixture
def readonly_client(store: Path):
    ix = Index(store, readonly=True)
    with TestClient(create_app(ix)) as c:
        yield c
    ix.close()


# --- reads -----------------------------------------------------------------------------------------------------


def test_a_check_of_an_empty_store_is_refused_as_the_cli_refuses_it(client: TestClient) -> None:
    """A store holding no document answered "no source found" (200), read as "this text is original", where the CLI
    says the store holds nothing (QA); once a document is added, checks are answered."""
    for doc_id in [r.id for r in _records()]:
        assert client.delete(f"/v1/documents/{doc_id}", headers=AUTH).status_code == 200
    r = client.post("/v1/check", json={"text": "Any text at all, to be checked against nothing."})
    assert r.status_code == 409 and r.json()["detail"].startswith("the store holds no documents: add some first")
    added = client.post("/v1/documents", json={"id": "x", "text": "A first document."}, headers=AUTH)
    assert added.status_code == 200
    assert client.post("/v1/check", json={"text": "Any text."}).status_code == 200


def test_health(client: TestClient, readonly_client: TestClient) -> None:
    h = client.get("/v1/health").json()
    assert h["status"] == "ok" and h["documents"] == 2 and h["writable"] is True
    assert h["max_text"] == 200_000  # the most a check takes: the document page checks no more of a stored text
    assert h["unembedded"] == 0  # (a store without vectors)
    assert readonly_client.get("/v1/health").json()["writable"] is False


def test_health_counts_the_passages_without_a_vector(tmp_path: Path) -> None:
    """A run killed before it saved its vectors leaves passages no check finds by meaning: the CLI warns, and a
    probe of the server said nothing (QA)."""
    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add(_records())
    killed = ("import os, sys; from unspun.index import Index; from unspun.models import Record; "
              "ix = Index(sys.argv[1], linger=600); ix.add([Record(id='c', text=sys.argv[2])]); os._exit(0)")
    subprocess.run([sys.executable, "-c", killed, str(db), COPY], check=True)
    with Index(db, readonly=True) as ix, TestClient(create_app(ix)) as c:
        assert c.get("/v1/health").json()["unembedded"] == 1
    Index(db).close()  # a writer embeds them
    with Index(db, readonly=True) as ix, TestClient(create_app(ix)) as c:
        assert c.get("/v1/health").json()["unembedded"] == 0


def test_check_finds_the_source_with_the_contract_keys(client: TestClient, index: Index) -> None:
    r = client.post("/v1/check", json={"text": COPY, "title": "copy.txt", "published": "2024-04-01"})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["path", "chars", "sources", "original", "evidence"]
    assert body["path"] == "copy.txt" and body["chars"] == len(COPY)
    top = body["sources"][0]
    assert list(top) == ["id", "score", "published", "coverage", "passages", "inserted", "digest"]
    assert top["id"] == "news/ferry" and top["published"] == "2024-03-05"
    assert set(top["coverage"]) == {"query", "source"}
    p = top["passages"][0]
    assert list(p) == ["query", "source", "kind", "similarity"]
    assert body["original"] == "news/ferry"
    # the same as the library gives
    expected = index.check(Document(COPY, path="copy.txt", published="2024-04-01")).to_json()
    assert body == json.loads(json.dumps(expected))


def test_check_exclude_and_top(client: TestClient) -> None:
    body = client.post("/v1/check", json={"text": COPY, "exclude": ["news/ferry"], "top": 1}).json()
    assert all(s["id"] != "news/ferry" for s in body["sources"])
    assert len(body["sources"]) <= 1


def test_check_of_unrelated_text_is_empty(client: TestClient) -> None:
    body = client.post("/v1/check", json={"text": "Nothing here resembles any stored article at all."}).json()
    assert body["sources"] == [] and body["original"] is None


@pytest.mark.parametrize("payload, field", [
    ({}, "text"),
    ({"text": "   \n "}, "text"),
    ({"text": 5}, "text"),
    ({"text": "x", "top": 0}, "top"),
    ({"text": "x", "top": True}, "top"),  # was read as 1
    ({"text": "x", "top": "3"}, "top"),  # was read as 3
    ({"text": "x", "top": 2.5}, "top"),
    ({"text": "x", "colour": "red"}, "colour"),
])
def test_check_rejects_bad_fields_with_422(client: TestClient, payload: dict, field: str) -> None:
    r = client.post("/v1/check", json=payload)
    assert r.status_code == 422
    assert any(field in e["loc"] for e in r.json()["detail"])


def test_compare(client: TestClient) -> None:
    r = client.post("/v1/compare", json={"a": COPY, "b": ORIGINAL})
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["a", "b", "passages", "coverage", "source", "evidence", "inserted"]
    assert body["passages"] and body["a"]["chars"] == len(COPY)
    expected = compare(Document(COPY, path="a"), Document(ORIGINAL, path="b")).to_json()
    assert body == json.loads(json.dumps(expected))
    assert client.post("/v1/compare", json={"a": "x"}).status_code == 422


def test_compare_names_the_source_by_the_dates_given(client: TestClient) -> None:
    # The CLI names the original of two dated pages; the API took no dates, and could not.
    assert client.post("/v1/compare", json={"a": COPY, "b": ORIGINAL}).json()["source"] is None
    dated = client.post("/v1/compare", json={"a": COPY, "b": ORIGINAL, "a_published": "2024-04-01",
                                             "b_published": "March 5, 2024"}).json()
    assert dated["source"] == "b" and "published first" in dated["evidence"][0]
    # A date that is no date was taken and ordered nothing: refused, naming the field (so in a check)
    r = client.post("/v1/compare", json={"a": COPY, "b": ORIGINAL, "a_published": "yesterday"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "a_published"]
    assert "is not a date" in r.json()["detail"][0]["msg"]
    r = client.post("/v1/check", json={"text": COPY, "published": "5 March"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "published"]
    assert client.post("/v1/check", json={"text": COPY, "published": 2024}).status_code == 200
    assert client.post("/v1/check", json={"text": COPY, "published": " "}).status_code == 200  # blank: none, as was
    # a page's declared date that is no date is not handed on by /v1/extract, for the page to send back (review)
    page = ("<html><head><meta property='article:published_time' content='{{date}}'></head><body><article>"
            + "".join(f"<p>{x}.</p>" for x in ORIGINAL.split(". ")) + "</article></body></html>")
    extracted = client.post("/v1/extract", json={"html": page}).json()
    assert extracted["published"] is None and "ferry terminal" in extracted["text"]


def test_compare_refuses_two_texts_with_too_many_sentences_as_a_text_too_long(client: TestClient,
                                                                                 monkeypatch) -> None:
    """200,000 characters of short sentences a side is ~190 million pairs of sentences (~8 GB): refused as a text
    over --max-text is (413), with no advice to run CLI commands; a smaller pair is compared."""
    import unspun.align as align_module
    from unspun.vectors import units

    pairs = len(units(COPY)) * len(units(ORIGINAL))
    monkeypatch.setattr(align_module, "MAX_UNIT_PAIRS", pairs - 1)
    r = client.post("/v1/compare", json={"a": COPY, "b": ORIGINAL})
    assert r.status_code == 413
    assert "too long to align as one pair" in r.json()["detail"] and "unspun index" not in r.json()["detail"]
    monkeypatch.setattr(align_module, "MAX_UNIT_PAIRS", pairs)
    assert client.post("/v1/compare", json={"a": COPY, "b": ORIGINAL}).status_code == 200


def test_extract_html(client: TestClient) -> None:
    page = ("<html><head><title>Ferry news</title></head><body><nav>Home | Sport</nav><article><h1>Ferry</h1>"
            + "".join(f"<p>{s}.</p>" for s in ORIGINAL.split(". ")) + "</article></body></html>")
    r = client.post("/v1/extract", json={"html": page})
    assert r.status_code == 200
    assert "old ferry terminal" in r.json()["text"]
    assert client.post("/v1/extract", json={"html": "<html><body></body></html>"}).status_code == 422


def test_read_decodes_an_upload_as_index_reads_files(client: TestClient) -> None:
    """The page decoded uploads by rules of its own (any legacy file as Windows-1252, a few file signatures); it
    sends the bytes here, where `unspun.ingest` reads them as `index` does."""
    r = client.post("/v1/read", params={"name": "legacy.txt"}, content="Caf\u00e9 d\u00e9j\u00e0 vu".encode("cp1252"))
    assert r.status_code == 200
    assert r.json() == {"text": "Caf\u00e9 d\u00e9j\u00e0 vu", "note": "not UTF-8; decoded as cp1252"}
    r = client.post("/v1/read", params={"name": "plain.txt"}, content=ORIGINAL.encode())
    assert r.json() == {"text": ORIGINAL, "note": None}
    r = client.post("/v1/read", params={"name": "report.pdf"}, content=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    assert r.status_code == 422 and r.json()["detail"].startswith("report.pdf: looks like a PDF document")
    assert client.post("/v1/read", params={"name": "empty.txt"}, content=b"").status_code == 422


def test_get_document_is_a_read(readonly_client: TestClient) -> None:
    r = readonly_client.get("/v1/documents/news/ferry")
    assert r.status_code == 200
    assert r.json() == {"id": "news/ferry", "text": ORIGINAL, "url": None, "published": "2024-03-05", "source": None,
                        "title": "Ferry terminal to close", "lang": None, "digest": text_digest(ORIGINAL)}
    assert readonly_client.get("/v1/documents/nope").status_code == 404


def test_a_source_replaced_since_a_check_has_another_digest(client: TestClient) -> None:
    """A check gives offsets into each source's text as checked; the page fetched the source's text after a writer
    replaced it and drew them on the new text (QA). The check and the document give the text's digest: a source
    replaced since shows another."""
    (top, *_) = client.post("/v1/check", json={"text": COPY}).json()["sources"]
    stored = client.get(f"/v1/documents/{top['id']}").json()
    assert top["digest"] == stored["digest"] == text_digest(stored["text"])
    r = client.post("/v1/documents", headers=AUTH, json={"id": top["id"], "text": "UPDATE: corrected.\n\n" + ORIGINAL})
    assert r.status_code == 200, r.text
    assert client.get(f"/v1/documents/{top['id']}").json()["digest"] != top["digest"]


# --- writes and auth ---------------------------------------------------------------------------------------------


def test_readonly_server_refuses_writes_with_403(readonly_client: TestClient) -> None:
    for r in (readonly_client.post("/v1/documents", json={"id": "x", "text": "some text"}, headers=AUTH),
              readonly_client.delete("/v1/documents/news/ferry", headers=AUTH)):
        assert r.status_code == 403
        assert "read-only" in r.json()["detail"]
    assert readonly_client.get("/v1/documents/news/ferry").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": TOKEN}])
def test_wrong_or_missing_token_is_401(client: TestClient, headers: dict) -> None:
    r = client.post("/v1/documents", json={"id": "x", "text": "some text"}, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.delete("/v1/documents/news/ferry", headers=headers).status_code == 401
    assert client.get("/v1/documents/x").status_code == 404


def test_the_write_token_is_declared_as_a_bearer_scheme(client: TestClient) -> None:
    """/docs could not send the token: it was declared as a header parameter named Authorization, which Swagger UI
    leaves out of requests (every write from /docs was a 401), with no Authorize button (QA)."""
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http", "scheme": "bearer", "description": "The server's --write-token (or UNSPUN_WRITE_TOKEN)."}
    writes = {(path, method) for path, ops in schema["paths"].items() for method, op in ops.items()
              if op.get("security") == [{"HTTPBearer": []}]}
    assert writes == {("/v1/documents", "post"), ("/v1/documents/{doc_id}", "delete")}
    assert not [prm for ops in schema["paths"].values() for op in ops.values() for prm in op.get("parameters", [])
                if prm["name"].lower() == "authorization"]


@pytest.mark.parametrize("raw, content_type", [(b"{bad json", "application/json"), (b"\xff\xfe garbage", "application/json"),
                                               (b'{"id": "x", "text": "t"}', "text/plain"), (b"[" * 100_000, "application/json")])
def test_a_write_without_the_token_is_refused_before_its_body_is_read(client: TestClient, readonly_client: TestClient,
                                                                      raw: bytes, content_type: str) -> None:
    """FastAPI parses a JSON body before it runs dependencies: a malformed write without the token was answered 422,
    saying what the route accepts, to a client that may not write at all."""
    r = client.post("/v1/documents", content=raw, headers={"Content-Type": content_type})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.post("/v1/documents", content=raw, headers={"Content-Type": content_type,
                                                               "Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/v1/documents", content=raw, headers={"Content-Type": content_type, **AUTH}).status_code == 422
    assert readonly_client.post("/v1/documents", content=raw, headers={"Content-Type": content_type}).status_code == 403


@pytest.mark.parametrize("token, sent", [("tøken-é", "tøken-é".encode()), ("tok\udcff", b"tok\xff"),
                                         ("à", "à".encode())])
def test_a_token_that_is_not_ascii_is_matched_as_the_bytes_sent(index: Index, token: str, sent: bytes) -> None:
    """Headers arrive decoded as Latin-1 and the token was compared as UTF-8: `--write-token tøken` never matched
    what curl sends (401 for every write), and a token from bytes that are not UTF-8 failed every write with 500."""
    with background(create_app(index, write_token=token)) as url:  # TestClient re-encodes such headers
        r = httpx.delete(f"{url}/v1/documents/news/comet", headers={"Authorization": b"Bearer " + sent})
        assert r.status_code == 200, r.text
        wrong = httpx.delete(f"{url}/v1/documents/news/ferry", headers={"Authorization": b"Bearer " + sent[:-1] + b"x"})
        assert wrong.status_code == 401


def test_add_replace_get_delete(client: TestClient) -> None:
    one = {"id": "a/b c?", "text": COPY, "url": "https://example.org/x", "published": "2024-04-01",
           "source": "Example", "title": "Copy", "lang": "en"}
    r = client.post("/v1/documents", json=one, headers=AUTH)
    assert r.status_code == 200 and r.json() == {"indexed": 1, "replaced": 0, "repeated": 0, "unchanged": 0,
                                                 "skipped": [], "failed": [], "notes": []}
    path = "/v1/documents/a/b%20c%3F"
    assert client.get(path).json() == {**one, "digest": text_digest(COPY)}
    again = client.post("/v1/documents", json=one, headers=AUTH).json()
    assert (again["indexed"], again["replaced"], again["unchanged"]) == (0, 0, 1)
    r = client.post("/v1/documents", json=[{**one, "text": OTHER}, {"id": 7, "text": "Seven is a number."}],
                    headers=AUTH)
    assert r.json()["indexed"] == 2 and r.json()["replaced"] == 1
    assert client.get(path).json()["text"] == OTHER
    assert client.get("/v1/documents/7").json()["id"] == "7"
    assert client.get("/v1/health").json()["documents"] == 4
    assert client.delete(path, headers=AUTH).json() == {"id": "a/b c?", "deleted": True}
    assert client.get(path).status_code == 404
    assert client.delete(path, headers=AUTH).status_code == 404
    assert client.get("/v1/health").json()["documents"] == 3


def test_a_write_while_another_process_writes_the_store_is_503(tmp_path: Path) -> None:
    """`unspun index` holding the store: a write waiting for it would hold every check behind it (writers are
    preferred), so the server answers 503 at once and checks go on."""
    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add(_records())
    with Index(db) as indexer, Index(db) as served, TestClient(create_app(served, write_token=TOKEN)) as c:
        with indexer._writing():
            r = c.post("/v1/documents", json={"id": "copy", "text": COPY}, headers=AUTH)
            assert r.status_code == 503 and "another process is writing" in r.json()["detail"]
            assert r.headers["retry-after"] == "60"
            assert c.delete("/v1/documents/news/comet", headers=AUTH).status_code == 503
            assert c.post("/v1/check", json={"text": COPY}).json()["sources"][0]["id"] == "news/ferry"
        assert c.post("/v1/documents", json={"id": "copy", "text": COPY}, headers=AUTH).status_code == 200


def test_an_id_in_the_url_that_is_not_utf8_names_no_document(client: TestClient) -> None:
    # Starlette decodes %FF to U+FFFD: it must not find (or delete) the document whose id is U+FFFD.
    assert client.post("/v1/documents", json={"id": "\ufffd", "text": COPY}, headers=AUTH).json()["indexed"] == 1
    for r in (client.get("/v1/documents/%FF"), client.delete("/v1/documents/%FF", headers=AUTH)):
        assert r.status_code == 404 and "not UTF-8" in r.json()["detail"]
    assert client.get("/v1/documents/%EF%BF%BD").json()["id"] == "\ufffd"
    twice = [{"id": "t", "text": COPY, "published": "March 1, 2004"}, {"id": "t", "text": OTHER}]
    r = client.post("/v1/documents", json=twice, headers=AUTH).json()
    assert (r["indexed"], r["replaced"], r["repeated"]) == (2, 0, 1)  # the last one read is kept
    assert r["notes"] == [{"origin": "POST /v1/documents (id t)",
                           "reason": "published 'March 1, 2004' read as 2004-03-01", "count": 1}]
    assert client.get("/v1/documents/t").json()["text"] == OTHER


def test_a_number_in_a_documents_field_is_kept_as_written_as_jsonl_keeps_it(client: TestClient) -> None:
    """An epoch `published` was a 422 over HTTP while the same JSONL line was indexed, noted as no date."""
    r = client.post("/v1/documents", json={"id": "epoch", "text": COPY, "published": 1109635200, "source": 7},
                    headers=AUTH)
    assert r.status_code == 200 and r.json()["indexed"] == 1
    assert r.json()["notes"][0]["reason"].startswith("published '1109635200' is not a date")
    stored = client.get("/v1/documents/epoch").json()
    assert (stored["published"], stored["source"]) == ("1109635200", "7")
    r = client.post("/v1/check", json={"text": COPY, "published": 2004, "title": 2004})
    assert r.status_code == 200 and r.json()["path"] == "2004"
    r = client.post("/v1/documents", json={"id": "x", "text": COPY, "published": True}, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "document", "published"]


def test_an_id_with_a_newline_names_that_document_and_no_other(client: TestClient) -> None:
    """Starlette's `path` parameter stopped at a newline and its `$` matched before a trailing one: DELETE
    /v1/documents/news/comet%0A deleted news/comet, and an id holding a newline could be added but not read."""
    r = client.delete("/v1/documents/news/comet%0A", headers=AUTH)
    assert r.status_code == 404 and client.get("/v1/documents/news/comet").status_code == 200
    for doc_id in ("two\nlines", "trailing\n", "crlf\r\nid"):
        assert client.post("/v1/documents", json={"id": doc_id, "text": COPY}, headers=AUTH).status_code == 200
        path = "/v1/documents/" + quote(doc_id, safe="")
        assert client.get(path).json()["id"] == doc_id
        assert client.get("/documents/" + quote(doc_id, safe="")).status_code == 200  # its page
        assert client.delete(path, headers=AUTH).json() == {"id": doc_id, "deleted": True}
    assert client.get("/v1/health").json()["documents"] == 2


@pytest.mark.parametrize("payload", [{"text": "no id"}, {"id": "", "text": "x"}, {"id": "x", "text": " "},
                                     {"id": "x", "text": "t", "published": [2024]}, [{"id": "x"}], "a string",
                                     {"id": True, "text": "t"}, {"id": 1.5, "text": "t"}])
def test_bad_documents_are_422(client: TestClient, payload: object) -> None:
    assert client.post("/v1/documents", json=payload, headers=AUTH).status_code == 422
    assert client.get("/v1/health").json()["documents"] == 2


def test_a_bad_document_or_list_is_told_only_what_is_wrong_with_it(client: TestClient) -> None:
    """The body is one document or a list: an object missing its text was also told "Input should be a valid list",
    and a list with one bad item "Input should be a valid dictionary", errors about the form it was not."""
    one = client.post("/v1/documents", json={"id": "x", "publised": "2024"}, headers=AUTH).json()["detail"]
    assert sorted((e["loc"], e["type"]) for e in one) == [(["body", "document", "publised"], "extra_forbidden"),
                                                           (["body", "document", "text"], "missing")]
    many = client.post("/v1/documents", json=[{"id": "x", "text": "t"}, {"text": "t"}], headers=AUTH).json()["detail"]
    assert [(e["loc"], e["type"]) for e in many] == [(["body", "list", 1, "id"], "missing")]


def test_a_store_damaged_while_served_is_said_as_check_says_it(client: TestClient, index: Index, monkeypatch
                                                                ) -> None:
    """Damaged pages found by a request answered "internal error: DatabaseError"; SQL of our own that fails stays
    an internal error (a bug)."""
    import sqlite3

    def damaged(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(index.store, "postings", damaged)
    r = client.post("/v1/check", json={"text": COPY})
    assert r.status_code == 500
    assert r.json()["detail"] == (f"{index.path}: database disk image is malformed; the store file is damaged: "
                                  "index the documents again into a new store")

    def bug(*args, **kwargs):
        raise sqlite3.OperationalError("no such column: x")

    monkeypatch.setattr(index.store, "postings", bug)
    r = client.post("/v1/check", json={"text": COPY})
    assert r.status_code == 500 and r.json()["detail"] == "internal error: OperationalError"


# --- limits and malformed requests -------------------------------------------------------------------------------


def test_body_over_the_limit_is_413(index: Index) -> None:
    with TestClient(create_app(index, write_token=TOKEN, max_body=2_000)) as c:
        r = c.post("/v1/check", json={"text": "word " * 1_000})
        assert r.status_code == 413 and "limit" in r.json()["detail"]
        # no Content-Length: a chunked body is counted as it arrives
        r = c.post("/v1/check", content=iter([b'{"text": "', b"x" * 3_000, b'"}']),
                   headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.post("/v1/check", json={"text": COPY}).status_code == 200


def test_a_text_over_the_text_limit_is_413_before_any_work(index: Index, monkeypatch) -> None:
    """A comparison's memory grows with the product of its texts' sentences: two texts of 800k characters, well
    inside the body limit, took 1.8 GB of an anonymous server; a check's time grows with its text."""
    import unspun.serve.api as api

    monkeypatch.setattr(api, "compare", lambda *a: pytest.fail("compared a text over the limit"))
    with TestClient(create_app(index, max_text=len(COPY) - 1)) as c:
        r = c.post("/v1/compare", json={"a": "A short note.", "b": COPY})
        assert r.status_code == 413
        assert r.json()["detail"] == (f"b has {len(COPY):,} characters, over this server's limit of "
                                      f"{len(COPY) - 1:,} a text (unspun serve --max-text)")
        r = c.post("/v1/check", json={"text": COPY})
        assert r.status_code == 413 and r.json()["detail"].startswith(f"text has {len(COPY):,} characters")
        assert c.post("/v1/check", json={"text": COPY[:-1]}).status_code == 200


def test_413_over_a_real_socket(index: Index) -> None:
    """uvicorn in front: the refusal reaches the client before it has sent the whole body, and the server goes on."""
    with background(create_app(index, max_body=1_000)) as url:
        for body in (b"x" * 2_000, b"x" * 11_000_000):
            r = httpx.post(f"{url}/v1/check", content=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 413
        r = httpx.post(f"{url}/v1/check", content=iter([b"y" * 100_000] * 50),
                       headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert httpx.get(f"{url}/v1/health").status_code == 200


def test_default_limit_is_10_mb(client: TestClient) -> None:
    r = client.post("/v1/check", content=b"x" * 10_000_001, headers={"Content-Type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("raw", [b"{bad json", b'{"text": "unterminated', b"\xff\xfe\x00garbage", b"",
                                 b'{"text": "caf\xe9 au lait"}', b"[" * 100_000,
                                 b'{"text": "x", "top": ' + b"1" * 5000 + b"}"])
def test_malformed_json_is_422_with_a_reason(client: TestClient, raw: bytes) -> None:
    r = client.post("/v1/check", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail and detail[0]["msg"] and detail[0]["type"] in ("json_invalid", "missing")  # "missing": empty


@pytest.mark.parametrize("path, content_type", [
    ("/v1/check", "application/x-www-form-urlencoded"),  # what `curl -d` sends
    ("/v1/check", "text/plain; charset=utf-8"),
    ("/v1/documents", "application/x-www-form-urlencoded"),
    ("/v1/check", None),
])
def test_json_sent_without_a_json_content_type_is_422_saying_so(client: TestClient, path: str,
                                                                 content_type: str) -> None:
    # Well-formed JSON under another Content-Type is never parsed: the reason names the header, not the JSON.
    r = client.post(path, content=json.dumps({"id": "d", "text": "some text"}).encode(),
                    headers={**({"Content-Type": content_type} if content_type else {}), **AUTH})
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert e["type"] == "json_invalid" and e["loc"] == ["body"]
    assert (content_type or "without a Content-Type") in e["ctx"]["error"]
    assert "Content-Type: application/json" in e["ctx"]["error"]
    # The same JSON with the header is read; a wrong shape under it keeps its own reason.
    assert client.post("/v1/check", content=b'{"text": "some text"}',
                       headers={"Content-Type": "application/json"}).status_code == 200
    (e,) = client.post("/v1/check", json=["some text"]).json()["detail"]
    assert e["type"] == "model_attributes_type"


@pytest.mark.parametrize("path, raw", [
    ("/v1/compare", b'{"a": "\\udc00 text"}'),  # b missing; a holds a lone surrogate
    ("/v1/check", b'{"text": NaN}'),
    ("/v1/check", b'{"text": "hello", "top": Infinity}'),
    ("/v1/documents", b'[{"id": "s1", "text": "x \\ud800 y"}, {"id": "", "text": "no id"}]'),
    ("/v1/documents", b'{"id": NaN, "text": "x"}'),
])
def test_rejected_values_json_cannot_echo_are_422_not_500(client: TestClient, path: str, raw: bytes) -> None:
    r = client.post(path, content=raw, headers={"Content-Type": "application/json", **AUTH})
    assert r.status_code == 422 and r.json()["detail"][0]["msg"]
    assert "input" not in r.json()["detail"][0]  # a bad list item does not echo the whole body


def test_422_limits_stay_numbers(client: TestClient) -> None:
    (e,) = client.post("/v1/check", json={"text": "x", "top": 0}).json()["detail"]
    assert e["loc"] == ["body", "top"] and e["ctx"] == {"ge": 1}


def test_a_lone_surrogate_in_exclude_is_no_server_error(client: TestClient) -> None:
    r = client.post("/v1/check", content=b'{"text": "hello there", "exclude": ["\\ud800"]}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "exclude", 0]


def test_an_exclude_id_the_store_lacks_is_refused(client: TestClient) -> None:
    """A typo in `exclude` ("news/Ferry") left the document in, as the text's first source, without a word (QA):
    the CLI warns; an answer has no place for a warning."""
    r = client.post("/v1/check", json={"text": COPY, "exclude": ["news/ferry", "news/Ferry"]})
    assert r.status_code == 422 and r.json()["detail"] == [
        {"loc": ["body", "exclude", 1], "msg": "no stored document with id 'news/Ferry'", "type": "value_error"}]


def test_an_integer_id_is_excluded_as_its_text(client: TestClient) -> None:
    """POST /v1/documents takes an integer id (stored as its text); `exclude` refused one (422 string_type), and a
    client keeping article numbers as integers had to convert them for this field alone (QA)."""
    added = client.post("/v1/documents", json={"id": 42, "text": COPY}, headers=AUTH)
    assert added.status_code == 200
    ids = [s["id"] for s in client.post("/v1/check", json={"text": COPY, "top": 50}).json()["sources"]]
    assert "42" in ids
    r = client.post("/v1/check", json={"text": COPY, "exclude": [42], "top": 50})
    assert r.status_code == 200 and "42" not in [s["id"] for s in r.json()["sources"]]
    for wrong in (True, 4.2, None):  # as `id` refuses them
        assert client.post("/v1/check", json={"text": COPY, "exclude": [wrong]}).status_code == 422


def test_wrong_json_shape_is_422(client: TestClient) -> None:
    for raw in ([COPY], COPY, None, 5):
        assert client.post("/v1/check", json=raw).status_code == 422
    assert client.post("/v1/documents", json={"id": {"x": 1}, "text": "t"}, headers=AUTH).status_code == 422


# --- docs and pages ------------------------------------------------------------------------------------------------


def test_openapi_and_local_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/v1/check", "/v1/compare", "/v1/documents", "/v1/documents/{doc_id}", "/v1/health"):
        assert path in schema["paths"]
    # The errors each route gives are declared (none were: clients generated from the schema knew none; QA), and
    # /v1/read's body, a file's bytes (/docs could not send one).
    paths = schema["paths"]
    declared = {(p, m): set(op["responses"]) for p, ops in paths.items() for m, op in ops.items()}
    assert {"409", "413", "503"} <= declared[("/v1/check", "post")]
    assert {"401", "403", "413", "503"} <= declared[("/v1/documents", "post")]
    assert {"404", "503"} <= declared[("/v1/documents/{doc_id}", "get")]
    assert {"401", "403", "404"} <= declared[("/v1/documents/{doc_id}", "delete")]
    assert "application/octet-stream" in paths["/v1/read"]["post"]["requestBody"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text and "https://" not in docs.text and "//cdn" not in docs.text
    for asset in ("/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"):
        assert client.get(asset).status_code == 200


def test_pages_are_local_and_locked_down(client: TestClient) -> None:
    for path in ("/", "/documents/news/ferry", "/static/passages.js", "/static/view.js", "/static/check.js",
                 "/static/document.js", "/static/unspun.css"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "http://" not in r.text and "https://" not in r.text, path
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp


def test_head_answers_as_get_does(index: Index) -> None:
    """FastAPI's GET routes answered HEAD with 405 (`curl -I`, uptime checks), while the static files beside them
    answered 200 and /static/passages.js 404 (the static mount, which lacks it)."""
    with background(create_app(index)) as url:
        for path in ("/", "/documents/news/ferry", "/static/passages.js", "/static/view.js", "/docs", "/v1/health",
                     "/v1/documents/news/ferry", "/v1/documents/nothing"):
            got, head = httpx.get(url + path), httpx.head(url + path)
            assert head.status_code == got.status_code, path
            assert head.content == b"" and head.headers.get("content-length") == got.headers.get("content-length")
            assert head.headers.get("content-security-policy") == got.headers.get("content-security-policy"), path


def test_the_api_docs_and_the_bundled_swagger_pages_have_a_csp(client: TestClient) -> None:
    """/docs and the Swagger UI bundle's own pages (its demo index.html fetches petstore.swagger.io) had no CSP."""
    docs = client.get("/docs").headers["content-security-policy"]
    assert "default-src 'self'" in docs and "script-src 'self' 'sha256-" in docs and "connect-src 'self'" in docs
    for path in ("/static/swagger/index.html", "/static/swagger/oauth2-redirect.html", "/static/view.js"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-security-policy"] == CSP, path
        assert r.headers["x-content-type-options"] == "nosniff", path


def test_pages_link_passages_with_the_reports_script(client: TestClient) -> None:
    """The passages of a side-by-side view were linked by two copies of one script, the report's and the pages',
    which drifted apart (the report's took no keyboard); the pages now load the script the report inlines."""
    from unspun.report import render_html

    script = client.get("/static/passages.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    c = compare(Document(COPY, path="a"), Document(ORIGINAL, path="b"))
    assert script.text in render_html(c)
    for path in ("/", "/documents/news/ferry"):
        page = client.get(path).text
        assert page.index('src="/static/passages.js"') < page.index('src="/static/view.js"'), path


def test_static_pages_never_write_data_as_html() -> None:
    unspun_dir = Path(__file__).parent.parent / "unspun"
    for js in [*(unspun_dir / "serve" / "static").glob("*.js"), unspun_dir / "report" / "passages.js"]:
        src = js.read_text()
        for sink in (".innerHTML", ".outerHTML", "insertAdjacentHTML(", "document.write(", "eval("):
            assert sink not in src, f"{js.name} uses {sink}"


# --- concurrency -------------------------------------------------------------------------------------------------


def test_concurrent_writes_and_checks_keep_the_store_intact(index: Index, store: Path) -> None:
    """Writers add, replace and delete documents while readers check; every call succeeds, the store stays whole.
    Unrelated documents fill the store first: in a store of a dozen, the ferry story's word pairs, held by 9 of them
    at times (the writers' copies), were common phrasing to a small store (`index.SMALL_COMMON_DF`), and a check
    found no source (a clean clone's run, once)."""
    rng = random.Random(7)
    index.add([Record(id=f"filler/{i}", text=". ".join(" ".join(f"term{rng.randrange(10 ** 6)}" for _ in range(12))
                                                       for _ in range(8)) + ".") for i in range(30)])
    errors: list[str] = []
    final: dict[str, str] = {}
    lock = threading.Lock()
    with background(create_app(index, write_token=TOKEN)) as url:

        def writer(w: int) -> None:
            with httpx.Client(base_url=url, headers=AUTH, timeout=60) as c:
                for i in range(6):
                    doc_id = f"w{w}/{i % 3}"  # ids come back: replaces race with checks
                    text = f"Writer {w} round {i}. " + (ORIGINAL if (w + i) % 2 else OTHER)
                    r = c.post("/v1/documents", json=[{"id": doc_id, "text": text}])
                    if r.status_code != 200:
                        errors.append(f"add {r.status_code} {r.text}")
                    with lock:
                        final[doc_id] = text
                    r = c.post("/v1/documents", json={"id": f"w{w}/tmp", "text": COPY})
                    r2 = c.delete(f"/v1/documents/w{w}/tmp")
                    if r.status_code != 200 or r2.status_code != 200:
                        errors.append(f"add/delete {r.status_code} {r2.status_code} {r2.text}")

        def reader() -> None:
            with httpx.Client(base_url=url, timeout=60) as c:
                for _ in range(6):
                    r = c.post("/v1/check", json={"text": COPY})
                    if r.status_code != 200 or not r.json()["sources"]:
                        errors.append(f"check {r.status_code} {r.text[:200]}")

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        threads += [threading.Thread(target=reader) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not errors, errors[:3]
        with httpx.Client(base_url=url) as c:
            assert c.get("/v1/health").json()["documents"] == 2 + 30 + len(final)
            assert all(c.get(f"/v1/documents/w{w}/tmp").status_code == 404 for w in range(3))
            for doc_id, text in final.items():
                assert c.get(f"/v1/documents/{doc_id}").json()["text"] == text
            found = c.post("/v1/check", json={"text": final["w0/0"]}).json()["sources"]
            assert "w0/0" in [s["id"] for s in found]
    con = sqlite3.connect(store / "unspun.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    orphans = con.execute("SELECT count(*) FROM chunks WHERE doc NOT IN (SELECT doc FROM documents)").fetchone()[0]
    assert orphans == 0
    con.close()


# --- run(): the entry point the CLI calls ------------------------------------------------------------------------


def test_requests_beyond_the_workers_wait_their_turn(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory stays bounded under load: at most ``workers`` checks run at once, the rest queue and still succeed."""
    running = peak = 0
    lock = threading.Lock()
    real_check = Index.check

    def slow_check(self, *args, **kwargs):
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.3)
        try:
            return real_check(self, *args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(Index, "check", slow_check)
    statuses: list[int] = []
    with background(create_app(index, workers=2)) as url:
        def post() -> None:
            statuses.append(httpx.post(f"{url}/v1/check", json={"text": COPY}, timeout=60).status_code)

        threads = [threading.Thread(target=post) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 6
    assert peak == 2


def test_health_answers_while_every_worker_is_busy(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    # A load balancer's probe must not wait behind long checks (it did, 7-9 s: QA), nor behind a write waiting for
    # them to end: two workers run checks, the third a write that waits for them.
    release = threading.Event()
    started = threading.Semaphore(0)
    real_check = Index.check

    def held_check(self, *args, **kwargs):
        started.release()
        release.wait(30)
        return real_check(self, *args, **kwargs)

    monkeypatch.setattr(Index, "check", held_check)
    with background(create_app(index, workers=3, write_token=TOKEN)) as url:
        def post(path: str, **kw) -> None:
            httpx.post(f"{url}{path}", timeout=60, **kw)

        checks = [threading.Thread(target=post, args=("/v1/check",), kwargs={"json": {"text": COPY}})
                  for _ in range(2)]
        write = threading.Thread(target=post, args=("/v1/documents",),
                                 kwargs={"json": {"id": "later", "text": OTHER}, "headers": AUTH})
        try:
            for t in checks:
                t.start()
            assert started.acquire(timeout=30) and started.acquire(timeout=30)
            write.start()
            time.sleep(0.3)  # the write now waits for the checks, on the last worker
            health = httpx.get(f"{url}/v1/health", timeout=5)
            assert health.status_code == 200 and health.json()["documents"] == 2
            assert httpx.head(f"{url}/v1/health", timeout=5).status_code == 200
        finally:
            release.set()
            for t in [*checks, write]:
                t.join()
        assert httpx.get(f"{url}/v1/health", timeout=5).json()["documents"] == 3


def test_run_rejects_zero_workers(store: Path) -> None:
    with pytest.raises(UnspunError, match="--workers must be positive"):
        run(store, port=0, workers=0)
    with pytest.raises(UnspunError, match="--max-text must be positive"):
        run(store, port=0, max_text=0)


def test_run_missing_store_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UnspunError, match="no unspun store"):
        run(tmp_path / "nope", "127.0.0.1", 0, None, 10_000_000)


def test_run_port_in_use_is_a_user_error(store: Path) -> None:
    taken = bind("127.0.0.1", 0)
    taken.listen()
    try:
        with pytest.raises(UnspunError, match="port already in use"):
            run(store, "127.0.0.1", taken.getsockname()[1], None, 10_000_000)
    finally:
        taken.close()


def test_run_readonly_store_with_token_is_a_user_error(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode == os.W_OK else real(p, mode, **kw))
    with pytest.raises(UnspunError, match="read-only"):
        run(store, "127.0.0.1", 0, TOKEN, 10_000_000)


def _serving(proc: subprocess.Popen) -> str:
    """The URL a server started with ``--port 0`` says it serves on (a port found free, closed, then bound by the
    server seconds later could be taken meanwhile: review), once it answers there (it says so before uvicorn
    listens on the socket: on a loaded machine, connections were refused)."""
    for line in proc.stderr:
        if found := re.search(r"^unspun: serving .* on (http://\S+)$", line.strip()):
            break
    else:
        raise AssertionError(f"server did not start (exit status {proc.wait()})")
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{found[1]}/v1/health", timeout=60)
            return found[1]
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline, "server did not answer"
            time.sleep(0.2)


def test_run_serves_until_interrupted_with_the_token_from_the_environment(store: Path) -> None:
    env = {**os.environ, "UNSPUN_WRITE_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "unspun.serve", "--db", str(store), "--port", "0"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = _serving(proc)
        port = url.rsplit(":", 1)[1]
        health = httpx.get(f"{url}/v1/health", timeout=60).json()
        assert health["writable"] is True
        r = httpx.post(f"{url}/v1/documents", json={"id": "env", "text": COPY}, headers=AUTH, timeout=60)
        assert r.status_code == 200
        second = subprocess.run([sys.executable, "-m", "unspun.serve", "--db", str(store), "--port", str(port)],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert second.stderr.strip().splitlines()[-1].startswith("unspun: error: ")
        assert "port already in use" in second.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    with Index(store, readonly=True) as ix:
        assert ix.get("env") is not None


def test_sigterm_saves_the_vectors_of_the_last_write(tmp_path: Path) -> None:
    """uvicorn delivers a SIGTERM again once it has stopped serving, and by default that ended the process before
    the store was closed: the vectors of writes within the last 2 s (the writer's linger) were never saved."""
    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add(_records())
    proc = subprocess.Popen([sys.executable, "-m", "unspun.serve", "--db", str(db), "--port", "0",
                             "--write-token", TOKEN], stderr=subprocess.PIPE, text=True)
    try:
        url = _serving(proc)
        r = httpx.post(f"{url}/v1/documents", json={"id": "copy", "text": COPY}, headers=AUTH, timeout=60)
        assert r.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)  # within the linger: the vectors are saved only at shutdown
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGTERM, proc.stderr.read()  # still ended by the signal, as before
    con = sqlite3.connect(db / "unspun.sqlite")
    try:
        assert con.execute("SELECT count(*) FROM chunks WHERE embedded = 0").fetchone()[0] == 0
    finally:
        con.close()
    with Index(db, readonly=True) as ix:
        assert ix.get("copy") is not None


def test_a_write_of_many_documents_is_stored_whole_or_not_at_all(tmp_path: Path, monkeypatch) -> None:
    """A request of more than one index batch (64 documents) answered 503 part-way (another process began writing
    between two batches) left its first batches stored: now the request is one transaction."""
    import unspun.index

    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add(_records())
        before = len(ix)
    real, began = unspun.index.transaction, []

    def busy_after_the_first(con, **kw):
        began.append(1)
        if len(began) > 1:
            raise StoreBusy.at(tmp_path / "db")
        return real(con, **kw)

    monkeypatch.setattr(unspun.index, "transaction", busy_after_the_first)
    docs = [{"id": f"many/{i}", "text": f"Document number {i} of a long request. " + OTHER} for i in range(100)]
    with Index(tmp_path / "db") as served, TestClient(create_app(served, write_token=TOKEN)) as c:
        r = c.post("/v1/documents", json=docs, headers=AUTH)
        assert r.status_code == 200 and r.json()["indexed"] == 100, r.text
        assert c.get("/v1/health").json()["documents"] == before + 100
        began.append(1)  # the next transaction is refused: nothing of the request is stored
        r = c.post("/v1/documents", json=[{**d, "id": f"more/{i}"} for i, d in enumerate(docs)], headers=AUTH)
        assert r.status_code == 503
        assert c.get("/v1/health").json()["documents"] == before + 100


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_store_deleted_or_replaced_on_disk_is_refused_not_served(store: Path, how: str) -> None:
    """The server held the old database file open: it answered from it, and its writes went into a deleted file."""
    ix = Index(store, semantic=False)
    try:
        with TestClient(create_app(ix, write_token=TOKEN)) as c:
            assert c.get("/v1/health").status_code == 200
            shutil.move(store, store.with_name("old"))
            if how == "replaced":
                with Index(store, semantic=False) as fresh:
                    fresh.add([Record(id="new", text=COPY)])
            for r in (c.get("/v1/health"), c.post("/v1/check", json={"text": COPY}),
                      c.post("/v1/documents", json={"id": "x", "text": COPY}, headers=AUTH),
                      c.delete("/v1/documents/news/ferry", headers=AUTH), c.get("/v1/documents/news/ferry")):
                assert r.status_code == 503, r.text
                assert "restart `unspun serve`" in r.json()["detail"]
            assert c.get("/").status_code == 200  # the page itself is no store's
    finally:
        ix.close()
    if how == "replaced":
        with Index(store, readonly=True) as fresh:
            assert list(fresh.ids()) == ["new"]  # nothing the refused writes sent went anywhere
