"""The embedded store: one directory holding an SQLite database and an on-disk vector index.

SQLite (WAL, one transaction per batch of documents) holds the documents, their metadata, their chunks with
offsets and the postings of chunk fingerprints. A batch is committed whole or not at all, so a store killed
mid-batch reopens with every committed document intact. The vector index (usearch) is rewritten atomically
after batches; chunks whose vectors were not saved yet are flagged in SQLite and embedded again on the next
writable open, so the two never disagree for long and never lose a document.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from .errors import UnspunError
from .models import Record

DB_FILE = "unspun.sqlite"
VECTORS_FILE = "vectors.usearch"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL,
    url TEXT, published TEXT, source TEXT, title TEXT, lang TEXT, origin TEXT, encoding_note TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL REFERENCES documents(doc),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    embedded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks(embedded) WHERE embedded = 0;
CREATE TABLE IF NOT EXISTS grams (h INTEGER NOT NULL, chunk INTEGER NOT NULL, PRIMARY KEY (h, chunk)) WITHOUT ROWID;
"""

_FIELDS = ("url", "published", "source", "title", "lang", "origin", "encoding_note")


class StoreError(UnspunError):
    """The store is missing, not a store, or corrupt."""


class Store:
    """SQLite side of the index. One connection per thread; writes are serialised by SQLite (one writer)."""

    def __init__(self, path: str | Path, *, create: bool = False, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        db = self.path / DB_FILE
        if not db.is_file():
            if not create:
                raise StoreError(f"{self.path}: no unspun store here (run `unspun index --db {self.path} ...` first)")
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(f"{self.path}: exists and is not a directory")
            self.path.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        try:
            con = self.connection()
            if not readonly:
                con.executescript(_SCHEMA)
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                con.commit()
            version = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{db}: not a usable unspun store ({e})") from None
        if version is None or int(version[0]) != SCHEMA_VERSION:
            raise StoreError(f"{db}: store schema {version and version[0]} is not {SCHEMA_VERSION}; re-index")

    def connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            db = self.path / DB_FILE
            uri = f"file:{db}?mode={'ro' if self.readonly else 'rwc'}"
            con = sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False)
            if not self.readonly:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA cache_size=-16384")  # 16 MB per connection; servers hold one per thread
            self._local.con = con
        return con

    # --- metadata ---------------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, con: sqlite3.Connection, key: str, value: object) -> None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value) if not isinstance(value, str) else value))

    # --- documents --------------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.connection().execute("SELECT count(*) FROM documents").fetchone()[0]

    def ids(self) -> Iterator[str]:
        for (i,) in self.connection().execute("SELECT id FROM documents ORDER BY doc"):
            yield i

    def doc_key(self, id: str) -> int | None:
        row = self.connection().execute("SELECT doc FROM documents WHERE id = ?", (id,)).fetchone()
        return row[0] if row else None

    def record(self, doc: int) -> Record:
        row = self.connection().execute(
            f"SELECT id, text, {', '.join(_FIELDS)} FROM documents WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            raise KeyError(doc)
        return Record(id=row[0], text=row[1], **dict(zip(_FIELDS, row[2:])))

    def insert(self, con: sqlite3.Connection, rec: Record) -> int:
        cur = con.execute(
            f"INSERT INTO documents (id, text, {', '.join(_FIELDS)}) VALUES (?, ?{', ?' * len(_FIELDS)})",
            (rec.id, rec.text, *(getattr(rec, f) for f in _FIELDS)))
        return cur.lastrowid

    def add_chunks(self, con: sqlite3.Connection, doc: int, spans: list[tuple[int, int]],
                   grams: list[np.ndarray]) -> list[int]:
        keys = []
        for (s, e), g in zip(spans, grams):
            key = con.execute("INSERT INTO chunks (doc, start, end) VALUES (?, ?, ?)", (doc, s, e)).lastrowid
            keys.append(key)
            con.executemany("INSERT OR IGNORE INTO grams VALUES (?, ?)", ((int(h), key) for h in g))
        return keys

    def delete(self, con: sqlite3.Connection, doc: int, grams: list[np.ndarray]) -> list[int]:
        """Remove a document, its chunks and their postings; ``grams`` are its chunks' hashes, in chunk order, as
        computed again from its text (postings are keyed by hash, so that is how they are found). Returns the
        removed chunk keys."""
        keys = [k for (k,) in con.execute("SELECT chunk FROM chunks WHERE doc = ? ORDER BY chunk", (doc,))]
        for key, g in zip(keys, grams):
            con.executemany("DELETE FROM grams WHERE h = ? AND chunk = ?", ((int(h), key) for h in g))
        con.execute("DELETE FROM chunks WHERE doc = ?", (doc,))
        con.execute("DELETE FROM documents WHERE doc = ?", (doc,))
        return keys

    def chunk_docs(self, keys: Iterable[int]) -> dict[int, int]:
        """chunk -> doc for the given chunks (deleted chunks are absent)."""
        keys = list(keys)
        out: dict[int, int] = {}
        con = self.connection()
        for i in range(0, len(keys), 900):
            part = keys[i:i + 900]
            q = f"SELECT chunk, doc FROM chunks WHERE chunk IN ({','.join('?' * len(part))})"
            out.update(con.execute(q, part).fetchall())
        return out

    def postings(self, hashes: Iterable[int], cap: int) -> dict[int, list[int] | None]:
        """For each hash, the chunks holding it; a hash held by more than ``cap`` chunks maps to None (too
        common to be worth listing)."""
        con = self.connection()
        out: dict[int, list[int] | None] = {}
        q = "SELECT chunk FROM grams WHERE h = ? LIMIT ?"
        for h in hashes:
            rows = con.execute(q, (int(h), cap + 1)).fetchall()
            out[int(h)] = [r[0] for r in rows] if len(rows) <= cap else None
        return out

    def pending_chunks(self, limit: int) -> list[tuple[int, int, int, int]]:
        """(chunk, doc, start, end) of chunks whose vectors are not saved yet."""
        return self.connection().execute(
            "SELECT chunk, doc, start, end FROM chunks WHERE embedded = 0 LIMIT ?", (limit,)).fetchall()

    def mark_embedded(self, keys: list[int]) -> None:
        con = self.connection()
        with con:
            for i in range(0, len(keys), 900):
                part = keys[i:i + 900]
                con.execute(f"UPDATE chunks SET embedded = 1 WHERE chunk IN ({','.join('?' * len(part))})", part)

    def text_of(self, doc: int) -> str:
        return self.connection().execute("SELECT text FROM documents WHERE doc = ?", (doc,)).fetchone()[0]

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

