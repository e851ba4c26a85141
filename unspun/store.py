"""The embedded store: one directory holding an SQLite database and an on-disk vector index.

SQLite (WAL, one transaction per batch of documents) holds the documents, their metadata, their chunks with
offsets and the postings of chunk fingerprints. A batch is committed whole or not at all, so a store killed
mid-batch reopens with every committed document intact.

Postings are log-structured: fingerprints are random 64-bit hashes, so in one big B-tree every posting lands on
its own page and each commit rewrote about one page per posting (indexing fell from 179 to 72 documents/s between
50k and 350k documents). New postings go to a small table, ``grams``, that stays in the writer's cache; when it
holds ``fresh_rows`` rows it becomes a *segment* (``grams_<level>_<n>``) that takes no new rows, and ``fanout``
segments of one level are merged, in hash order, into one of the next level. A lookup reads ``grams`` and every
segment (a few per level) in one statement; each flush and merge is its own transaction, so a crash leaves none
half-done.

The vector index (usearch) is rewritten atomically after batches; chunks whose vectors were not saved yet are
flagged in SQLite and embedded again on the next writable open, so the two never disagree for long and never lose
a document.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import numpy as np

from .errors import UnspunError
from .fingerprints import CUT_VERSION
from .models import Record, escaped_unicode

DB_FILE = "unspun.sqlite"
VECTORS_FILE = "vectors.usearch"
#: Held by the process writing the store (see `unspun.index.Index._writing`).
VECTORS_LOCK = "vectors.lock"
#: Checksums of the vector file as saved (usearch does not check a file it loads: damaged pages crash a search).
VECTORS_SUM = "vectors.sum"
#: A store's own files, which no output of a command may replace.
STORE_FILES = (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", VECTORS_FILE, VECTORS_SUM, VECTORS_LOCK)
SCHEMA_VERSION = 2
#: How long one SQLite statement waits for another process's write transaction before it says "database is locked"
#: (`transaction` waits for the store's write lock in its own way).
BUSY_SECONDS = 60.0
#: How long one try at a store's write lock waits inside SQLite, where Ctrl-C is not seen; after one, a writer that
#: waits says so, and one that must not wait (a server's, which holds every check behind it) gives up.
TRY_SECONDS = 1.0
#: Stores of these versions open too (version 1 kept every posting in ``grams``: a version-2 store with no segment).
READABLE_VERSIONS = (1, 2)

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
INSERT OR IGNORE INTO meta VALUES ('fresh_rows', '0');
"""
_SCHEMA_NAMES = re.findall(r"IF NOT EXISTS (\w+)", _SCHEMA)
_GRAMS = "CREATE TABLE grams (h INTEGER NOT NULL, chunk INTEGER NOT NULL, PRIMARY KEY (h, chunk)) WITHOUT ROWID"

_FIELDS = ("url", "published", "source", "title", "lang", "origin", "encoding_note")
#: Keys one statement takes (SQLite builds before 3.32 allow 999 parameters).
_PART = 900


def in_parts(con: sqlite3.Connection, sql: str, keys: list[int], *params: object) -> list[tuple]:
    """Run ``sql``, whose ``IN ({})`` takes ``keys``, a part of them at a time (SQLite bounds a statement's
    parameters; ``params`` come before the keys), and return the rows of all parts."""
    rows: list[tuple] = []
    for i in range(0, len(keys), _PART):
        part = keys[i:i + _PART]
        rows += con.execute(sql.format(",".join("?" * len(part))), [*params, *part]).fetchall()
    return rows


class _Connection(sqlite3.Connection):
    """A connection that can be weakly referred to (`Store.close_all` finds every thread's so)."""


def _frozen(db: Path) -> bool:
    """Whether the store sits on a read-only filesystem with everything in its main file (no write-ahead log): a
    reader of a WAL database must create ``-shm`` beside it, so SQLite cannot open it there ("unable to open
    database file") unless told the file cannot change, which on such a filesystem it cannot."""
    try:
        if not os.statvfs(db.parent).f_flag & os.ST_RDONLY:
            return False
        wal = db.with_name(db.name + "-wal")
        return not wal.exists() or wal.stat().st_size == 0
    except OSError:
        return False


def _wal(con: sqlite3.Connection) -> None:
    """Put the database in WAL mode. Switching a new one needs it alone, and SQLite answers 'database is locked'
    at once, without its busy wait, while another process creating the same store reads it: so wait here."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            con.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _segment_order(name: str) -> tuple[int, int]:
    """(level, sequence number) of a segment named ``grams_<level>_<n>``."""
    _, level, n = name.split("_")
    return int(level), int(n)


@contextmanager
def transaction(con: sqlite3.Connection, *, wait: bool = True,
                status: Callable[[str | None], None] | None = None) -> Iterator[None]:
    """An explicit write transaction, taken before anything is read (the sqlite3 module opens none before DDL
    statements, and none before the first write: what was read before it may be stale by then). Another process's
    transaction can last minutes (a merge of big postings segments): past one try at the lock (``TRY_SECONDS``),
    ``wait`` goes on waiting, and tells ``status`` (None once it is over); ``wait=False`` gives up with `StoreBusy`
    (a server's write outlasts a batch of `unspun index`, not its merges)."""
    _begin(con, wait, status)
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def _begin(con: sqlite3.Connection, wait: bool, status: Callable[[str | None], None] | None) -> None:
    """BEGIN IMMEDIATE, tried again while another connection writes. Each try waits at most ``TRY_SECONDS`` inside
    SQLite, where Python sees no signal: one wait of a minute left Ctrl-C unanswered for as long. Only a plain busy
    store is waited for: SQLITE_BUSY_SNAPSHOT (this connection still reads, through a statement left open, a
    snapshot another has written past) comes back at once every time, and was tried again forever, at full speed."""
    start, told, each = time.monotonic(), False, TRY_SECONDS
    con.execute(f"PRAGMA busy_timeout = {round(each * 1000)}")
    try:
        while True:
            tried = time.monotonic()
            try:
                con.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if e.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY):
                    raise
            now = time.monotonic()
            if now - start >= each:
                if not wait:
                    raise StoreBusy.at(Path(con.execute("PRAGMA database_list").fetchone()[2]).parent)
                if status and not told:
                    status(WAITING)
                    told = True
            if now - tried < each / 2:  # busy without SQLite's wait (it skips it where waiting cannot help)
                time.sleep(each / 2)
    finally:
        con.execute(f"PRAGMA busy_timeout = {round(BUSY_SECONDS * 1000)}")
    if told and status:
        status(None)


def store_fault(e: sqlite3.DatabaseError) -> bool:
    """Whether SQLite blames the store's file or the disk (damaged pages, full, locked, read-only), not our SQL
    (a constraint, a missing column: bugs, which keep their traceback)."""
    return type(e) in (sqlite3.DatabaseError, sqlite3.OperationalError) and not str(e).startswith(
        ("no such ", "near ", "table ", "wrong number"))


def store_fault_message(e: sqlite3.DatabaseError, store: Path | None = None) -> str:
    """What to tell of a store fault (`store_fault`), with what to do about a damaged file; named by the store's
    path where the caller knows it (SQLite's error does not say which file)."""
    hint = "; the store file is damaged: index the documents again into a new store" if "malformed" in str(e) else ""
    return f"{store if store is not None else 'store'}: {e}{hint}"


def db_identity(store: Path) -> tuple[int, int] | None:
    """Which file a store's database is (device, inode), or None when there is none: a store deleted or made again
    at its path (``rm -r DB; unspun index --db DB``) is another file, which one opened before does not read."""
    try:
        st = os.stat(store / DB_FILE)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def must_be_id(id: object) -> None:
    """A TypeError for an id that is not a str (a regular expression's "expected string" was all an int got)."""
    if not isinstance(id, str):
        raise TypeError(f"a document id is a str, not {type(id).__name__} (ids are stored as text: {str(id)!r})")


class StoreError(UnspunError):
    """The store is missing, not a store, or corrupt."""

    @classmethod
    def read_only(cls, store: Path, why: object) -> StoreError:
        """A write refused by the store's medium or permissions (SQLite's database, or the vectors' lock file)."""
        return cls(f"{store}: the store is read-only ({why}), so nothing can be written to it: make it writable, or "
                   "index into another store")


class StoreFault(StoreError):
    """SQLite blamed the store's file or its disk part-way through a call (damaged pages, a full disk, `store_fault`):
    what `Index`'s methods raise in its place, so that a caller catching `UnspunError` catches it too (a bare
    sqlite3.DatabaseError reached the Python API's callers, QA)."""

    @classmethod
    def of(cls, e: sqlite3.DatabaseError, store: Path) -> StoreFault:
        return cls(store_fault_message(e, store))


class StoreBusy(StoreError):
    """Another process is writing to the store, and the caller would rather not wait (a server's write)."""

    @classmethod
    def at(cls, store: Path) -> StoreBusy:
        return cls(f"{store}: another process is writing to this store; try again when it is done")


#: What a writer waiting for another process's write (SQLite's lock, or the vectors' writer lock) tells its status.
WAITING = "waiting for another process writing to this store"


def _not_the_stores(path: Path) -> str | None:
    """A few of the entries of an existing folder that are no store's files (hidden ones aside, and a volume's
    ``lost+found``: a store on a disk of its own), or None. A store's files include a save's leftover
    ``vectors.tmp``."""
    try:
        names = sorted(e.name for e in os.scandir(path) if not e.name.startswith("."))
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StoreError(f"{path}: cannot create the store ({e.strerror or e})") from None
    others = [n for n in names if not n.startswith((DB_FILE, "vectors.")) and n != "lost+found"]
    return None if not others else ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")


class Store:
    """SQLite side of the index. One connection per thread; writes are serialised by SQLite (one writer)."""

    #: Rows of ``grams`` that make it a segment: about 2,500 news articles; ~25 MB, inside the writer's cache.
    fresh_rows: int = 1_000_000
    #: Segments of one level merged together; a posting is rewritten once per level (log_fanout(rows/fresh_rows)).
    fanout: int = 4
    #: Segments of this level (``fresh_rows * fanout**top_level`` rows: 64M, ~160k news articles) are not merged
    #: further: merging four of them rewrote 340M postings and stalled indexing for over 15 minutes once the store
    #: outgrew the page cache (1M-document run); each such segment adds one B-tree look-up per word pair instead.
    top_level: int = 3

    def __init__(self, path: str | Path, *, create: bool = False, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        db = self.path / DB_FILE
        if not db.is_file():
            if self.path.exists() and not self.path.is_dir():
                # (before the advice below: following it, `unspun index --db FILE` failed with this line)
                raise StoreError(f"{self.path}: a file, not a store (a store is a directory `unspun index --db` makes)")
            if not create:
                raise StoreError(f"{self.path}: no unspun store here (run `unspun index --db {self.path} ...` first)")
            if others := _not_the_stores(self.path):
                # `index --db docs docs` made the store among the documents, and every later run of it read the
                # store's own files as inputs of no type it takes
                raise StoreError(f"{self.path}: a folder that holds other files ({others}); a store needs a folder of "
                                 "its own: give --db a new path")
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{self.path}: cannot create the store ({e.strerror or e})") from None
        self._local = threading.local()
        self._opened: weakref.WeakSet[_Connection] = weakref.WeakSet()  # every thread's, for `close_all`
        self._closed_all = 0  # times `close_all` ran: a thread's connection from before is not used again
        try:
            self._open(db)
        except BaseException:
            self.close()  # a refused store is not held open (its filesystem would stay busy)
            raise

    def _open(self, db: Path) -> None:
        """Read the schema version, then create or upgrade the tables of a writable store."""
        readonly = self.readonly
        try:
            con = self.connection()
            version = self._version(con, db)
            if version is not None and (lost := self._lost_tables(con)):
                # (a read-only open went on, and a check ended in a traceback on the first look-up: QA)
                raise StoreError(f"{db}: not a usable unspun store (no table {', '.join(lost)}: the store is damaged; "
                                 "index the documents again into a new store)")
            if not readonly and not (version == SCHEMA_VERSION and self._complete(con)):
                con.executescript(_SCHEMA)
                con.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                if version is None:  # a new store: its documents are all cut by this version
                    con.execute("INSERT OR IGNORE INTO meta VALUES ('cut', ?)", (str(CUT_VERSION),))
                con.commit()
                if version == 1:
                    self._upgrade(con)
            elif version is None:
                raise StoreError(f"{db}: not a usable unspun store (it records no schema version)")
        except sqlite3.DatabaseError as e:
            if readonly and "readonly database" in str(e) and not os.access(self.path, os.W_OK):
                raise StoreError(f"{db}: cannot be read by this user ({e}): SQLite creates {DB_FILE}-shm beside a "
                                 "store to read it, and this user may not write to its folder: let it (the store "
                                 "itself can stay read-only), or copy the store to a folder it can write") from None
            if readonly and "unable to open" in str(e):
                raise StoreError(f"{db}: cannot be opened read-only here ({e}): SQLite creates {DB_FILE}-shm beside "
                                 "a store to read it, so let this user write to the store's folder, or close the store "
                                 f"once where it can be written (`unspun index --db {self.path}`) before moving it to "
                                 "read-only media") from None
            if not readonly and ("readonly" in str(e) or not os.access(self.path, os.W_OK)):
                raise StoreError.read_only(self.path, e) from None
            raise StoreError(f"{db}: not a usable unspun store ({e})") from None

    @staticmethod
    def _lost_tables(con: sqlite3.Connection) -> list[str]:
        """The tables every store of a readable version has and this one lacks: dropped, not made empty again by
        opening it (a writable open would have created an empty ``grams``, and checks would have found nothing).
        Read again after `_version`, not taken from its list: that list, read before the schema row, misses the
        tables of a store another process finishes creating in between (three threads creating one store at once)."""
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return [t for t in ("documents", "chunks", "grams") if t not in tables]

    @staticmethod
    def _complete(con: sqlite3.Connection) -> bool:
        """Whether the store has every table, index and meta row of the schema: then opening it writes nothing, and
        need not wait for another process's write transaction (a merge can hold one for minutes)."""
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        keys = {r[0] for r in con.execute("SELECT key FROM meta")}
        return set(_SCHEMA_NAMES) <= names and "fresh_rows" in keys

    @staticmethod
    def _version(con: sqlite3.Connection, db: Path) -> int | None:
        """The schema version the store records (None: a new store, or one whose creation was cut short), read
        before anything is written: a store of another layout, or another program's database, is refused as it
        is, not given our tables first."""
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        if "meta" not in tables:
            raise StoreError(f"{db}: not an unspun store (an SQLite database of something else)")
        row = con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            return None
        if not str(row[0]).isdigit():
            raise StoreError(f"{db}: not a usable unspun store (schema version {row[0]!r})")
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise StoreError(f"{db}: written by a newer unspun (store schema {version}; this one reads "
                             f"{READABLE_VERSIONS[0]} to {SCHEMA_VERSION}): upgrade unspun")
        if version not in READABLE_VERSIONS:
            raise StoreError(f"{db}: store schema {version} is not {SCHEMA_VERSION}; re-index")
        return version

    def _upgrade(self, con: sqlite3.Connection) -> None:
        """Version 1 -> 2: count the rows of ``grams`` (once; it may hold every posting of a big store)."""
        with transaction(con):
            n = con.execute("SELECT count(*) FROM grams").fetchone()[0]
            self.set_meta(con, "fresh_rows", str(n))
            self.set_meta(con, "schema", str(SCHEMA_VERSION))

    def connection(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is not None and self._local.generation != self._closed_all:
            con = None  # closed by `close_all` from another thread
        if con is None:
            db = self.path / DB_FILE
            # Quoted, as bytes: a folder named "st#1" or "a?b" must not end the file name where the URI's query
            # begins, and one whose name is not UTF-8 must still be found.
            uri = f"file:{quote(os.fsencode(db.absolute()))}?mode={'ro' if self.readonly else 'rwc'}"
            if self.readonly and _frozen(db):
                uri += "&immutable=1"
            con = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS, check_same_thread=False, factory=_Connection)
            try:
                if not self.readonly:
                    _wal(con)
                    con.execute("PRAGMA synchronous=NORMAL")
                # 16 MB per reading connection (servers hold one per thread); the writer's holds ``grams``.
                con.execute(f"PRAGMA cache_size={-16384 if self.readonly else -65536}")
                con.execute("PRAGMA journal_size_limit=67108864")  # a merge's WAL is cut back after its checkpoint
            except BaseException:
                con.close()  # not left open until collected (a file held open keeps its filesystem busy)
                raise
            self._local.con, self._local.generation = con, self._closed_all
            self._opened.add(con)
        return con

    # --- metadata ---------------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def cut(self) -> int:
        """How this store's documents were cut (`unspun.fingerprints.CUT_VERSION`; 1: made before it was recorded)."""
        value = self.meta("cut")
        return int(value) if value is not None and value.isdigit() else 1

    def claim_meta(self, key: str, value: str) -> str:
        """Set ``key`` unless it is set already, and return what the store holds: of two processes creating one
        store at once, the first to write decides for both."""
        con = self.connection()
        with con:
            con.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
        return self.meta(key)

    def set_meta(self, con: sqlite3.Connection, key: str, value: object) -> None:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value) if not isinstance(value, str) else value))

    # --- documents --------------------------------------------------------------------------------------------
    def count(self) -> int:
        return self.connection().execute("SELECT count(*) FROM documents").fetchone()[0]

    def empty(self) -> bool:
        """Whether the store holds no document (one row read, where `count` reads them all)."""
        return self.connection().execute("SELECT 1 FROM documents LIMIT 1").fetchone() is None

    def ids(self) -> Iterator[str]:
        for (i,) in self.connection().execute("SELECT id FROM documents ORDER BY doc"):
            yield i

    def doc_key(self, id: str) -> int | None:
        """The document stored under ``id`` (lone surrogates in it read as escapes, as ids are stored)."""
        must_be_id(id)
        row = self.connection().execute("SELECT doc FROM documents WHERE id = ?", (escaped_unicode(id),)).fetchone()
        return row[0] if row else None

    def origin(self, doc: int) -> str | None:
        """Where the stored document ``doc`` was read from (its text left unread)."""
        row = self.connection().execute("SELECT origin FROM documents WHERE doc = ?", (doc,)).fetchone()
        return None if row is None else row[0]

    def record(self, doc: int) -> Record:
        row = self.connection().execute(
            f"SELECT id, text, {', '.join(_FIELDS)} FROM documents WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            raise KeyError(doc)
        return Record(id=row[0], text=row[1], **dict(zip(_FIELDS, row[2:])))

    def move(self, con: sqlite3.Connection, records: Iterable[Record]) -> None:
        """Set the origin of stored documents that are otherwise exactly these records; one another writer changed
        since it was compared is left alone (its new version is not what was read from that origin)."""
        others = [f for f in _FIELDS if f != "origin"]
        con.executemany(
            f"UPDATE documents SET origin = ? WHERE id = ? AND text = ? {''.join(f' AND {f} IS ?' for f in others)}",
            ((r.origin, r.id, r.text, *(getattr(r, f) for f in others)) for r in records))

    def insert(self, con: sqlite3.Connection, rec: Record) -> int:
        cur = con.execute(
            f"INSERT INTO documents (id, text, {', '.join(_FIELDS)}) VALUES (?, ?{', ?' * len(_FIELDS)})",
            (rec.id, rec.text, *(getattr(rec, f) for f in _FIELDS)))
        return cur.lastrowid

    def add_chunks(self, con: sqlite3.Connection, doc: int, spans: list[tuple[int, int]],
                   grams: list[np.ndarray]) -> list[int]:
        keys, rows = [], 0
        for (s, e), g in zip(spans, grams):
            key = con.execute("INSERT INTO chunks (doc, start, end) VALUES (?, ?, ?)", (doc, s, e)).lastrowid
            keys.append(key)
            cur = con.executemany("INSERT OR IGNORE INTO grams VALUES (?, ?)", ((h, key) for h in g.tolist()))
            rows += cur.rowcount
        self._count_fresh(con, rows)
        return keys

    def _count_fresh(self, con: sqlite3.Connection, rows: int) -> None:
        con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'fresh_rows'", (rows,))

    # --- postings: segments -----------------------------------------------------------------------------------
    def segments(self, con: sqlite3.Connection | None = None) -> list[str]:
        """Names of the posting segments, lowest level first."""
        rows = (con or self.connection()).execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'grams_*_*'").fetchall()
        return sorted((r[0] for r in rows), key=_segment_order)

    def settle(self, status: Callable[[str | None], None] | None = None, *, wait: bool = True) -> None:
        """Turn a full ``grams`` into a segment and merge the levels that hold ``fanout`` segments. Called by the
        writer between batches; each step commits on its own. A merge of big segments takes minutes, so
        ``status`` is told of each (and given None when they are done). What to do is read inside each step's
        transaction: another process writing the store may have flushed or merged since (a merge of segments it
        had dropped failed with 'no such table'). ``wait``: as in `transaction`."""
        con = self.connection()
        told = False
        with transaction(con, wait=wait, status=status):
            fresh = int(self.meta("fresh_rows") or 0)
            if fresh >= self.fresh_rows:
                level = min(self.top_level, max(0, int(math.log(fresh / self.fresh_rows, self.fanout))))
                con.execute(f"ALTER TABLE grams RENAME TO grams_{level}_{self._next_segment(con)}")
                con.execute(_GRAMS)
                self.set_meta(con, "fresh_rows", "0")
        while True:
            with transaction(con, wait=wait, status=status):
                by_level: dict[int, list[str]] = {}
                for name in self.segments(con):
                    by_level.setdefault(_segment_order(name)[0], []).append(name)
                full = [(lv, names) for lv, names in sorted(by_level.items())
                        if len(names) >= self.fanout and lv < self.top_level]
                if not full:
                    break
                level, names = full[0]
                names = names[: self.fanout]
                if status:
                    status(f"merging {len(names)} postings segments of level {level}")
                    told = True
                merged = f"grams_{level + 1}_{self._next_segment(con)}"
                con.execute(_GRAMS.replace("grams", merged, 1))
                union = " UNION ALL ".join(f"SELECT h, chunk FROM {n}" for n in names)
                con.execute(f"INSERT INTO {merged} {union} ORDER BY 1, 2")  # a merge of sorted tables: no sort
                for n in names:
                    con.execute(f"DROP TABLE {n}")
        if told and status:
            status(None)

    def _next_segment(self, con: sqlite3.Connection) -> int:
        n = int(self.meta("segment_seq") or 0) + 1
        self.set_meta(con, "segment_seq", str(n))
        return n

    def posting_tables(self, con: sqlite3.Connection | None = None) -> list[str]:
        return ["grams", *self.segments(con)]

    def delete(self, con: sqlite3.Connection, doc: int, grams: list[np.ndarray]) -> list[int]:
        """Remove a document, its chunks and their postings; ``grams`` are its chunks' hashes, in chunk order, as
        computed again from its text (postings are keyed by hash, so that is how they are found). Returns the
        removed chunk keys."""
        keys = [k for (k,) in con.execute("SELECT chunk FROM chunks WHERE doc = ? ORDER BY chunk", (doc,))]
        pairs = [(h, key) for key, g in zip(keys, grams) for h in g.tolist()]
        for table in self.posting_tables(con):
            n = con.executemany(f"DELETE FROM {table} WHERE h = ? AND chunk = ?", pairs).rowcount
            if table == "grams":
                self._count_fresh(con, -n)
        con.execute("DELETE FROM chunks WHERE doc = ?", (doc,))
        con.execute("DELETE FROM documents WHERE doc = ?", (doc,))
        return keys

    def chunk_docs(self, keys: Iterable[int]) -> dict[int, int]:
        """chunk -> doc for the given chunks (deleted chunks are absent)."""
        return dict(in_parts(self.connection(), "SELECT chunk, doc FROM chunks WHERE chunk IN ({})", list(keys)))

    def chunk_spans(self, doc: int, keys: Iterable[int]) -> list[tuple[int, int]]:
        """The character spans of those of the given chunks that document ``doc`` holds, in text order (a chunk
        deleted since it was found is absent, one whose key another document took since too)."""
        return sorted(in_parts(self.connection(), "SELECT start, end FROM chunks WHERE doc = ? AND chunk IN ({})",
                               list(keys), doc))

    def postings(self, hashes: Iterable[int], cap: int) -> dict[int, list[int] | None]:
        """For each hash, the chunks holding it; a hash held by more than ``cap`` chunks maps to None (too
        common to be worth listing)."""
        return {h: rows if len(rows) <= cap else None for h, rows in self.first_postings(hashes, cap + 1).items()}

    def first_postings(self, hashes: Iterable[int], cap: int) -> dict[int, list[int]]:
        """For each hash, the first ``cap`` chunks holding it, in the order the store reads them (a document's
        chunks are written together, so the hashes of one story stored many times list the same copies)."""
        con = self.connection()
        began = not con.in_transaction
        if began:  # one snapshot: a writer may turn tables into segments meanwhile
            con.execute("BEGIN")
        try:
            tables = self.posting_tables(con)
            q = " UNION ALL ".join(f"SELECT chunk FROM {t} WHERE h = ?1" for t in tables) + " LIMIT ?2"
            return {int(h): [r[0] for r in con.execute(q, (int(h), cap)).fetchall()] for h in hashes}
        finally:
            if began:
                con.rollback()

    def pending_chunks(self, limit: int) -> list[tuple[int, int, int, int]]:
        """(chunk, doc, start, end) of chunks whose vectors are not saved yet."""
        return self.connection().execute(
            "SELECT chunk, doc, start, end FROM chunks WHERE embedded = 0 LIMIT ?", (limit,)).fetchall()

    def mark_embedded(self, keys: list[int]) -> None:
        con = self.connection()
        with con:
            in_parts(con, "UPDATE chunks SET embedded = 1 WHERE chunk IN ({})", keys)

    def text_of(self, doc: int) -> str:
        return self.connection().execute("SELECT text FROM documents WHERE doc = ?", (doc,)).fetchone()[0]

    def close(self) -> None:
        """Close this thread's connection."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None

    def close_all(self) -> None:
        """Close every thread's connection, when no other thread uses the store any more (a server stopping): the
        last connection closed checkpoints the write-ahead log and removes it, and those of a server's worker
        threads were left open, so that a store served then stopped kept its log (7.7 MB), and a read-only copy of
        it was refused."""
        self._closed_all += 1
        for con in list(self._opened):
            con.close()
        self._opened.clear()
        self._local.con = None

