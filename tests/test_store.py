"""The store's log-structured postings: a full ``grams`` becomes a segment, segments merge by level, and every
lookup, replacement and deletion sees all of them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from test_index import HARBOUR, TRAM, _records
from unspun import Index
from unspun.models import Record
from unspun.store import StoreFault


def _postings(ix: Index) -> list[tuple[int, int]]:
    con = ix.store.connection()
    rows = [r for t in ix.store.posting_tables() for r in con.execute(f"SELECT h, chunk FROM {t}")]
    return sorted(rows)


def _small(ix: Index) -> Index:
    ix.store.fresh_rows, ix.store.fanout = 40, 2  # a segment every few chunks; merges at two per level
    return ix


def test_segments_hold_the_same_postings_and_answer_the_same(tmp_path: Path) -> None:
    recs = _records()
    with Index(tmp_path / "one", semantic=False) as ref, _small(Index(tmp_path / "lsm", semantic=False)) as ix:
        ref.add(recs)
        for r in recs * 3:  # the same records again: replacements delete postings that now live in segments
            ix.add([r], batch=1)
        segs = ix.store.segments()
        assert segs and max(int(s.split("_")[1]) for s in segs) >= 1  # flushed, and merged at least once
        assert len(segs) <= 2 * len(set(int(s.split("_")[1]) for s in segs))  # < fanout per level after settling
        assert len(_postings(ix)) == len(_postings(ref))
        chunk_of = lambda x: dict(x.store.connection().execute("SELECT chunk, doc FROM chunks").fetchall())
        assert sorted(h for h, _ in _postings(ix)) == sorted(h for h, _ in _postings(ref))
        assert all(c in chunk_of(ix) for _, c in _postings(ix))  # no posting of a replaced chunk is left
        for text in (TRAM, HARBOUR + "\n\n" + TRAM):
            assert ix.check(text).to_json() == ref.check(text).to_json()


def test_postings_are_read_across_segments_and_capped(tmp_path: Path) -> None:
    with _small(Index(tmp_path / "lsm", semantic=False)) as ix:
        for r in _records() + [Record(id="copy.txt", text=TRAM)]:  # the copy's pairs are held twice
            ix.add([r], batch=1)
        assert ix.store.segments()
        held: dict[int, list[int]] = {}
        for h, c in _postings(ix):
            held.setdefault(h, []).append(c)
        common = max(held, key=lambda h: len(held[h]))
        rare = min(held, key=lambda h: len(held[h]))
        cap = len(held[common]) - 1
        assert cap >= len(held[rare])
        got = ix.store.postings([rare, common, 12345], cap)
        assert sorted(got[rare]) == held[rare]
        assert got[common] is None  # held by more than cap chunks
        assert got[12345] == []  # no stored chunk holds it
        assert sorted(ix.store.postings([common], cap + 1)[common]) == held[common]


def test_delete_reaches_postings_in_segments(tmp_path: Path) -> None:
    with _small(Index(tmp_path / "db", semantic=False)) as ix:
        ix.add(_records(), batch=1)
        assert ix.store.segments()
        for r in _records():
            assert ix.delete(r.id)
        assert _postings(ix) == [] and len(ix) == 0
        assert int(ix.store.meta("fresh_rows")) == 0


def test_a_version_1_store_opens_and_counts_its_postings(tmp_path: Path) -> None:
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add(_records())
        n = len(_postings(ix))
    con = sqlite3.connect(tmp_path / "db" / "unspun.sqlite")
    with con:  # what a version-1 store looked like: every posting in grams, no count kept
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
        con.execute("DELETE FROM meta WHERE key = 'fresh_rows'")
    con.close()
    with Index(tmp_path / "db", create=False, readonly=True) as ro:  # readable as it is
        assert ro.check(TRAM).sources
    with Index(tmp_path / "db", semantic=False) as ix:
        assert int(ix.store.meta("fresh_rows")) == n and ix.store.meta("schema") == "2"
        ix.add([Record(id="extra.txt", text=HARBOUR)])
        assert ix.check(HARBOUR).sources


def test_segments_another_writer_merged_meanwhile_are_not_merged_again(tmp_path: Path) -> None:
    """Two processes indexing one store: each chose which segments to merge before its merge's transaction, so one
    could merge tables the other had just merged and dropped ('no such table: grams_1_4', a traceback that ended
    its run). Here the other writer merges right after this one looks, wherever it is not locked out by then."""
    db = tmp_path / "db"
    recs = _records()
    with _small(Index(db, semantic=False)) as a, _small(Index(db, semantic=False)) as b, \
            _small(Index(tmp_path / "ref", semantic=False)) as ref:
        a.store.fanout = 100  # segments pile up unmerged
        a.add(recs, batch=1)
        a.store.fanout = 2
        assert len(a.store.segments()) >= 2
        look = b.store.segments

        def then_a_merges(con: sqlite3.Connection | None = None) -> list[str]:
            seen = look(con)
            if not (con or b.store.connection()).in_transaction:
                a.store.settle()
            return seen

        b.store.segments = then_a_merges
        b.store.settle()
        ref.add(recs, batch=1)
        assert _postings(b) == _postings(ref)
        levels = [n.split("_")[1] for n in b.store.segments()]
        assert all(levels.count(lv) < 2 for lv in levels)  # every full level merged


def test_writers_creating_one_store_at_once_all_open_it(tmp_path: Path) -> None:
    """Two `index` runs started together on a new store: switching it to WAL needs it alone, and SQLite answered
    'database is locked' at once, without its busy wait, so one run died ('not a usable unspun store'; about one
    creation in fifty with three writers)."""
    import threading

    failures: list[BaseException] = []

    def open_(db: Path) -> None:
        try:
            Index(db, semantic=False).close()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            failures.append(e)

    for n in range(200):
        writers = [threading.Thread(target=open_, args=(tmp_path / str(n),)) for _ in range(3)]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
    assert not failures, failures[:3]


def _tables(db: Path) -> set[str]:
    con = sqlite3.connect(db / "unspun.sqlite")
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def test_a_store_of_another_layout_or_program_is_refused_untouched(tmp_path: Path) -> None:
    """The schema is read before anything is written: a writable open created our tables and meta rows in a newer
    store (or another program's database named unspun.sqlite) before refusing it, or adopted the latter as a store,
    and a version that is no number was a traceback."""
    from unspun.store import StoreError

    newer = tmp_path / "newer"
    with Index(newer, semantic=False) as ix:
        ix.add(_records())
    con = sqlite3.connect(newer / "unspun.sqlite")
    with con:  # a layout to come: postings elsewhere
        con.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
        con.execute("ALTER TABLE grams RENAME TO postings")
    con.close()
    before = _tables(newer)
    for readonly in (True, False):
        with pytest.raises(StoreError, match="written by a newer unspun .*schema 3.*upgrade unspun"):
            Index(newer, create=False, readonly=readonly)
    assert _tables(newer) == before

    other = tmp_path / "other"
    other.mkdir()
    con = sqlite3.connect(other / "unspun.sqlite")
    con.execute("CREATE TABLE notes (x)")
    con.close()
    for readonly in (True, False):
        with pytest.raises(StoreError, match="not an unspun store"):
            Index(other, readonly=readonly)
    assert _tables(other) == {"notes"}

    con = sqlite3.connect(newer / "unspun.sqlite")
    with con:
        con.execute("UPDATE meta SET value = 'two' WHERE key = 'schema'")
    con.close()
    with pytest.raises(StoreError, match="schema version 'two'"):
        Index(newer, semantic=False)


def test_top_level_segments_are_not_merged(tmp_path: Path) -> None:
    with _small(Index(tmp_path / "db", semantic=False)) as ix:
        ix.store.top_level = 1
        for r in _records() * 3:
            ix.add([r], batch=1)
        levels = [int(s.split("_")[1]) for s in ix.store.segments()]
        assert max(levels) == 1 and levels.count(1) >= 2  # level 1 fills up and stays
        assert ix.check(TRAM).sources


def test_a_flush_or_merge_that_fails_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    recs = _records()
    with _small(Index(tmp_path / "db", semantic=False)) as ix, Index(tmp_path / "ref", semantic=False) as ref:
        ref.add(recs)
        ix.add(recs[:3], batch=1)
        segments = ix.store.segments()
        con = ix.store.connection()
        seq = int(ix.store.meta("segment_seq"))
        blockers = [f"grams_{level}_{n}" for level in range(4) for n in range(seq + 1, seq + 4)]
        for name in blockers:  # views take the names the next segments would get, so making one fails
            con.execute(f"CREATE VIEW {name} AS SELECT 1")
        con.commit()
        with pytest.raises(StoreFault, match="already"):  # (SQLite's error, named by the store: `Index.add`)
            ix.add(recs[3:] * 3, batch=1)
        # the batch was committed whole; the failed step rolled back, and nothing of it is left
        assert len(ix) == 4 and ix.store.segments() == segments
        assert sorted(h for h, _ in _postings(ix)) == sorted(h for h, _ in _postings(ref))
        for name in blockers:
            con.execute(f"DROP VIEW {name}")
        con.commit()
        retitled = replace(recs[0], title="Trams")  # (one stored as given would be left unchanged: no batch)
        ix.add([retitled], batch=1)  # the next batch settles what was pending
        ref.add([retitled])
        assert ix.store.segments() != segments and int(ix.store.meta("fresh_rows")) < ix.store.fresh_rows
        assert sorted(h for h, _ in _postings(ix)) == sorted(h for h, _ in _postings(ref))
        assert ix.check(TRAM).to_json() == ref.check(TRAM).to_json()


def test_merges_are_announced(tmp_path: Path) -> None:
    heard: list[str | None] = []
    with _small(Index(tmp_path / "db", semantic=False)) as ix:
        ix.add(_records() * 2, batch=1, status=heard.append)
    assert any(m and m.startswith("merging 2 postings segments of level 0") for m in heard)
    assert heard[-1] is None  # and told when they are done


@contextmanager
def _read_only_view(folder: Path, at: Path) -> Iterator[Path]:
    """``folder`` seen through a read-only bind mount (root only; skips elsewhere)."""
    at.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", str(folder), str(at)], capture_output=True).returncode:
        pytest.skip("needs root to mount a read-only view of the store")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(at)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        yield at
    finally:
        subprocess.run(["umount", "--lazy", str(at)], check=True)


def test_a_store_on_a_read_only_filesystem_is_read(tmp_path: Path) -> None:
    """A store closed cleanly and shipped on read-only media (a read-only volume, squashfs): SQLite must create
    unspun.sqlite-shm beside a WAL database to read it, so check and serve failed with 'not a usable unspun store
    (unable to open database file)'. With everything in the main file, it is opened as the immutable file it is;
    with committed changes still in a write-ahead log, that would hide them, so the error says what to do."""
    from unspun.index import open_index
    from unspun.store import StoreError

    db = tmp_path / "db"
    with Index(db, semantic=False) as ix:
        ix.add(_records())
    with _read_only_view(db, tmp_path / "ro") as ro:
        with open_index(ro) as ix:
            assert len(ix) == 4 and ix.check(TRAM).sources[0].id == "tram.txt"
        # Writing to it was 'not a usable unspun store (attempt to write a readonly database)': it is usable.
        with pytest.raises(StoreError, match="the store is read-only .*make it writable"):
            Index(ro)
    con = sqlite3.connect(db / "unspun.sqlite")
    con.execute("PRAGMA wal_autocheckpoint=0")
    with con:
        con.execute("DELETE FROM documents WHERE id = 'tram.txt'")  # a commit only the log holds
    wal = (db / "unspun.sqlite-wal").read_bytes()
    con.close()
    (db / "unspun.sqlite-wal").write_bytes(wal)  # as copied from a store still open for writing
    (db / "unspun.sqlite-shm").unlink(missing_ok=True)
    with _read_only_view(db, tmp_path / "ro2") as ro:
        with pytest.raises(StoreError, match="cannot be opened read-only here .*read-only media"):
            open_index(ro)


def test_a_store_in_a_folder_this_user_cannot_write_says_what_to_do(tmp_path: Path) -> None:
    """A store shared read-only (its folder not writable by this user, on a writable disk) said 'not a usable unspun
    store (attempt to write a readonly database)', which sends the user looking for damage: SQLite must create the
    -shm file beside it to read it."""
    db = tmp_path / "db"
    with Index(db, semantic=False) as ix:
        ix.add(_records())
    for path in (*db.iterdir(), db):
        path.chmod(0o555 if path.is_dir() else 0o444)
    command = [sys.executable, "-m", "unspun", "check", "--db", str(db), "-"]
    if os.geteuid() == 0:  # root writes anywhere: run it without the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to check as root what a user without write access sees")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--", *command]
    try:
        run = subprocess.run(command, input=TRAM, capture_output=True, text=True, timeout=120)
    finally:
        db.chmod(0o755)
    assert run.returncode == 2
    assert run.stderr.startswith(f"unspun: error: {db / 'unspun.sqlite'}: cannot be read by this user ")
    assert "let it (the store itself can stay read-only)" in run.stderr and len(run.stderr.splitlines()) == 1
    db.chmod(0o755)  # and with its folder writable, the read-only files are read
    run = subprocess.run(command, input=TRAM, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "tram.txt" in run.stdout


def test_a_wait_for_the_write_lock_answers_ctrl_c(tmp_path: Path, monkeypatch) -> None:
    """A writer waiting for another process's long transaction (a merge takes minutes) went on waiting inside
    SQLite's busy wait, where Python sees no signal: Ctrl-C stopped `unspun index` only when that wait ended, a
    minute later (56 s after SIGINT, measured). The wait is made of short tries, and Ctrl-C ends it within one."""
    import signal
    import threading
    import time

    from unspun import store as store_module
    from unspun.store import transaction

    db = tmp_path / "db"
    with Index(db, semantic=False) as ix:
        ix.add(_records()[:1])
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 8.0)  # SQLite's wait: long enough to tell the two apart
    other = sqlite3.connect(db / "unspun.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Index(db) as ix:
            con = ix.store.connection()
            sent: list[float] = []

            def interrupt() -> None:  # (timed from when it is sent: a timer fires late on a loaded machine)
                sent.append(time.monotonic())
                os.kill(os.getpid(), signal.SIGINT)

            with pytest.raises(KeyboardInterrupt):
                threading.Timer(0.5, interrupt).start()
                with transaction(con):
                    pass
            assert time.monotonic() - sent[0] < 2 * store_module.TRY_SECONDS
            assert not con.in_transaction
            # SQLite's own wait is as it was for every other statement
            assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 8000
    finally:
        other.close()


def test_a_snapshot_no_wait_can_renew_is_not_waited_for(tmp_path: Path) -> None:
    """A connection reading through a statement left open holds its snapshot; once another has written past it,
    BEGIN IMMEDIATE says 'database is locked' (SQLITE_BUSY_SNAPSHOT) at once, every time. The writer took that for
    another process's long transaction and tried again forever, at full speed, saying it waited for another
    process; it is an error."""
    from unspun.store import transaction

    db = tmp_path / "db"
    with Index(db, semantic=False) as ix:
        ix.add(_records())
        con = ix.store.connection()
        reading = con.execute("SELECT id FROM documents")
        reading.fetchone()
        other = sqlite3.connect(db / "unspun.sqlite")
        with other:
            other.execute("INSERT INTO meta VALUES ('elsewhere', '1')")
        other.close()

        def told(message: str | None) -> None:
            raise AssertionError(f"status told: {message}")

        with pytest.raises(sqlite3.OperationalError, match="locked") as e:
            with transaction(con, status=told):
                pass
        assert e.value.sqlite_errorcode == sqlite3.SQLITE_BUSY_SNAPSHOT
        reading.close()
        with transaction(con):  # the statement closed, the next write goes through
            ix.store.set_meta(con, "here", "1")
        assert ix.store.meta("here") == "1"


def test_a_store_is_not_made_in_a_folder_of_other_files(tmp_path: Path) -> None:
    """``unspun index --db docs docs`` made the store among the documents; every later run read its files as
    inputs. A new store needs a folder of its own (an empty one, or one holding only a store's files, as one whose
    database was lost holds its vectors)."""
    from unspun.store import StoreError

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt"):
        (docs / name).write_text(TRAM)
    run = subprocess.run([str(Path(sys.executable).with_name("unspun")), "index", "--db", str(docs), str(docs)],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr == (f"unspun: error: {docs}: a folder that holds other files (a.txt, b.txt, c.txt and 1 "
                          "more); a store needs a folder of its own: give --db a new path\n")
    assert sorted(p.name for p in docs.iterdir()) == ["a.txt", "b.txt", "c.txt", "d.txt"]
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden").write_text("")
    with Index(tmp_path / "empty", semantic=False) as ix:
        ix.add(_records())
    (tmp_path / "empty" / "unspun.sqlite").unlink()
    (tmp_path / "empty" / "vectors.tmp").write_bytes(b"\0" * 100)  # a save killed half-way
    (tmp_path / "empty" / "lost+found").mkdir()  # a disk of its own
    with Index(tmp_path / "empty", semantic=False) as ix:  # only a store's files left: made again
        assert len(ix) == 0
    with pytest.raises(StoreError, match="holds other files"):
        Index(docs)
