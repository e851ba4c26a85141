"""`Index`: add documents to an embedded store and check a text against it. The CLI, HTTP API and clusters use it.

    from unspun import Index
    with Index("news.unspun") as ix:
        ix.add(records)                     # Record objects, e.g. from unspun.corpus.read_inputs
        result = ix.check("text in hand")   # CheckResult: sources, best first, with aligned passages

Adding is done in batches, each one SQLite transaction; vectors of the semantic channel are saved every
`SAVE_EVERY` new vectors and at the end of each `add` and `delete` (with ``linger``, as `serve` runs, ``linger``
seconds after the last), and re-embedded on the next writable open if a
crash lost them (SQLite flags each chunk whose vector is not saved yet). Processes that write one store take turns
(a lock file beside the vectors): usearch holds the vectors in memory and saves the whole file, so two writers at
once would each save only their own vectors, the last save dropping the other's.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import logging
import mmap
import os
import re
import sqlite3
import threading
import time
import weakref
from array import array
from concurrent.futures import ProcessPoolExecutor
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial, reduce, wraps
from pathlib import Path
from tempfile import TemporaryDirectory, gettempdir
from typing import Any, TypeVar, cast

import numpy as np
import xxhash

from . import dates
from .align import Alignment, Params, align_units
from .embed import cores, encode, load_on_device, on_device, set_threads
from .errors import UnspunError
from .evidence import CommonUnits, boilerplate, convincing, set_text, stands_without, stories
from .fingerprints import CUT_VERSION, Chunk, chunks, span_grams, text_chunks
from .judge import judge, weighted_share
from .models import CheckResult, Comparison, Document, Failure, Record, Skip, Source
from .original import likely_original
from .retrieve import RetrieveParams, Retrieved, lexical, semantic, shared
from .signals import interruption
from .store import (VECTORS_FILE, VECTORS_LOCK, VECTORS_SUM, WAITING, Store, StoreBusy, StoreError, StoreFault,
                    in_parts, db_identity, must_be_id, store_fault, transaction)
from .text import cut_changed, has_cjk
from .vectors import PackedUnits, Units, joined, units, window_spans
from .wording import counted
from .workers import pool as worker_pool

__all__ = ["Index", "AddReport", "StoreBusy", "StoreError"]

log = logging.getLogger("unspun.index")

#: Documents prepared and committed together: one SQLite transaction each.
BATCH = 64
#: New vectors saved during a long `add`, this many at a time (the whole file: ~0.2 s at 25k documents), so a run
#: killed part-way re-embeds at most these.
SAVE_EVERY = 20_000
#: A text longer than this (twice pan13-train's longest document) is handled in parts on either side of a check:
#: stored, it is aligned by the regions around what retrieval found in it (`Index._regions`; a check against a 30 MB
#: text took a minute and 2.7 GB); checked, a window of about `QUERY_WINDOW_CHARS` at a time (`Index.check`; one
#: of a million characters took 2.2 GB whole, of 30 million over 24 GB).
LONG_TEXT_CHARS = 1_000_000
QUERY_WINDOW_CHARS = 500_000
#: The windows of A that `align_in_parts` aligns one at a time: 3 MB against 2 MB took 93 s and 1.95 GB so, 115 s and
#: 3.39 GB by windows of 500,000 characters (22 passages each, 19 of them the same).
PART_WINDOW_CHARS = 250_000
#: A window of a text on one line ends at the first sentence's end (else white space) this near its size.
_CUT_SEARCH = 20_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s|[。！？][」』）”’]*")
#: This much of a long stored text beyond the query's length (up to `REGION_QUERY_CHARS`) on either side of a chunk
#: retrieval found is aligned. The cap: a window of a long text (500,000 characters) made each region 1.5 million
#: (a 3 MB text against a 2 MB one: 241 s; capped, 124 s, the same passages); pan13-train's longest susp text is
#: 101,483 characters.
REGION_CHARS = 2_000
REGION_QUERY_CHARS = 125_000
#: A region's ends move out to white space this near (a text without any, Chinese, is cut where they fall).
_SNAP = 200
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"\w")
#: Stored documents cut into units are kept for the next checks, most recently verified first, up to this many
#: characters in all: a document's units take ~36 bytes per character, so this is ~145 MB (~1,300 news articles),
#: where the 128 documents kept before could be 128 books (2.4 GB at pan13-train's longest source).
UNITS_CACHE_CHARS = 4_000_000


@dataclass
class AddReport:
    """What one `add` did: documents indexed (new or replacing an older version), left unchanged, skipped, failed
    and why."""

    indexed: int = 0
    #: ...of which replaced a document stored before this run.
    replaced: int = 0
    #: Documents that came with an id given earlier in the same run (the last one read is kept): two folder inputs
    #: holding the same relative paths, a JSONL file repeating an id; counted whether indexed or unchanged. A few
    #: of those ids, for the message.
    repeated: int = 0
    repeated_ids: list[str] = field(default_factory=list)
    #: Documents stored already exactly as given (text and every field): left as they are, not cut, fingerprinted
    #: or embedded again. Indexing an archive again after adding to it costs only what is new. One read from
    #: another path (the same folder given as ``./docs``, or from another directory) counts too: only the path it
    #: was read from is updated.
    unchanged: int = 0
    #: Files that replaced a stored document of the same id read from another folder (``business/001.txt`` by
    #: ``politics/001.txt``, each folder given as INPUT in its own run: ids are paths inside the folder given), and
    #: a few of them, as (id, stored origin, new origin), for the message.
    elsewhere: int = 0
    elsewhere_ids: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    #: Documents indexed with something to know about their text (a guessed encoding, invalid code points).
    notes: list[Failure] = field(default_factory=list)

    @property
    def skipped_count(self) -> int:
        """Inputs left out, each `Skip` counting what it stands for (a folder's files of other types, ...)."""
        return sum(s.count if isinstance(s, Skip) else 1 for s in self.skipped)

    def _elsewhere(self, id: str, before: str, now: str) -> None:
        self.elsewhere += 1
        if len(self.elsewhere_ids) < REPEATED_SHOWN:
            self.elsewhere_ids.append((id, before, now))

    def _repeat(self, id: str) -> None:
        self.repeated += 1
        if len(self.repeated_ids) < REPEATED_SHOWN and id not in self.repeated_ids:
            self.repeated_ids.append(id)


REPEATED_SHOWN = 5


def _seen(written: array, doc: int, doc_id: str) -> bool:
    """Whether this run met ``doc_id`` at document key ``doc`` before (``written``: a hash of the id at each key
    it met), marking it met."""
    tag = xxhash.xxh64_intdigest(doc_id.encode()) | 1
    if doc < len(written) and written[doc] == tag:
        return True
    if doc >= len(written):
        written.frombytes(bytes(8 * (doc + 1 - len(written) + len(written) // 2)))
    written[doc] = tag
    return False


#: Documents a worker prepares per task: their chunks are embedded in one model call.
PART = 8


def _prepare(text: str) -> list[Chunk]:
    """Chunks and fingerprints of one text (run in worker processes when indexing with jobs > 1)."""
    return text_chunks(text)


#: A document cut for writing: its chunks, and their vectors when a worker embedded them.
Prepared = tuple[list[Chunk], np.ndarray | None]


def _share_cores(jobs: int) -> None:
    """In an index worker: the threads the writer was given (UNSPUN_THREADS, else every core) are shared among the
    ``jobs`` workers that embed side by side."""
    set_threads(max(1, int(os.environ.get("UNSPUN_THREADS") or cores()) // jobs))


def _start_worker(jobs: int, lock: tuple[int, Path] | None = None) -> None:
    """Set up an index worker: its share of the cores. ``lock``: the writer lock's descriptor and file, which a
    forked worker shares with the writer: it is closed here, or the lock would outlive a killed writer with its
    workers."""
    _share_cores(jobs)
    if lock is not None:
        fd, path = lock
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                os.close(fd)
        except OSError:
            pass  # not inherited (a spawned worker)


def _prepare_part(texts: list[str], embed: bool) -> list[Prepared]:
    """Chunks of a few texts and, for a store with the semantic channel, their vectors: in the worker processes,
    so that the model (most of the time of indexing with that channel) runs on every core, not in the writer."""
    cut = [_prepare(t) for t in texts]
    if not embed:
        return [(cs, None) for cs in cut]
    vecs = encode([t[c.start:c.end] for t, cs in zip(texts, cut) for c in cs])
    at = np.cumsum([0] + [len(cs) for cs in cut])
    return [(cs, vecs[at[i]:at[i + 1]]) for i, cs in enumerate(cut)]


def _identity(f: Path) -> tuple[int, int, int] | None:
    """What tells one saved vector file from the next (each save replaces the file: a new inode)."""
    try:
        st = f.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _digest(f: Path) -> str:
    """A checksum of a file's bytes (xxh3 over the file mapped, not copied: ~15 ms for the 65 MB of vectors of 25k
    news articles)."""
    with f.open("rb") as fh:
        if not os.fstat(fh.fileno()).st_size:
            return xxhash.xxh3_128_hexdigest(b"")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return xxhash.xxh3_128_hexdigest(m)


def _sums(store: Path) -> set[str] | None:
    """The checksums a saved vector file may have (two while a writer replaces it); None for a store saved before
    they were kept."""
    try:
        return set((store / VECTORS_SUM).read_text(encoding="ascii").split())
    except FileNotFoundError:
        return None


def _put_sums(store: Path, sums: set[str]) -> None:
    tmp = store / (VECTORS_SUM + ".tmp")
    tmp.write_text("\n".join(sorted(sums)) + "\n", encoding="ascii")
    os.replace(tmp, store / VECTORS_SUM)


#: Times a check's window is verified while a writer replaces or deletes candidates under it.
CHECK_TRIES = 3
#: Reads of the vector file a writer's saves may overtake (each retried after `READ_PAUSE` seconds).
READ_TRIES = 5
READ_PAUSE = 0.05


def usearch_index() -> type:
    """usearch's ``Index``, loaded after ONNX Runtime (the model's runtime). usearch carries its own copy of the C++
    library and makes its locale ids the whole process's (GNU unique symbols): a C++ library loaded after it, as the
    model is, got those ids for its own locale objects (onnxruntime 1.23-1.32 died of it while loading; 1.22 read
    the model's graph wrong). Loaded first, the system's C++ library gives everyone its ids."""
    from . import embed_onnx  # noqa: F401 (loads onnxruntime)
    from usearch.index import Index as Vectors

    return Vectors


_M = TypeVar("_M", bound=Callable[..., Any])


def _faults(method: _M) -> _M:
    """A public method of `Index` whose store's file or disk fails part-way (`store_fault`) raises `StoreFault`, one
    line naming the store, as the CLI says it; SQLite's faults of our own SQL stay bugs, with their traceback."""

    @wraps(method)
    def run(self: Index, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            if not store_fault(e):
                raise
            raise StoreFault.of(e, self.path) from e

    return cast(_M, run)


class _Beside(threading.Thread):
    """``fn(*args)`` on a thread of its own; `result` waits for it and returns what it returned or raises what it
    raised. A bare thread, not a ThreadPoolExecutor: an executor refuses work once the interpreter begins to exit,
    while Python still runs its non-daemon threads (and the work queued on executors) to their end, checks included.
    The thread is a daemon when its starter is (threading's default), as a `serve` request's thread."""

    def __init__(self, fn: Callable[..., object], *args: object) -> None:
        super().__init__(name="unspun-beside")
        self._call = partial(fn, *args)
        self._out: object = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._out = self._call()
        except BaseException as e:  # the caller's to handle
            self._error = e

    def result(self) -> object:
        self.join()
        if self._error is not None:
            e, self._error = self._error, None  # (no cycle through the traceback's frames)
            raise e
        return self._out


#: What usearch raises instead of KeyboardInterrupt when Ctrl-C arrives during one of its calls (it polls for
#: signals while adding and searching many vectors, and reports the one it found as this).
USEARCH_INTERRUPTED = "Operation has been terminated"


@contextmanager
def _interruptible() -> Iterator[None]:
    """A usearch call that Ctrl-C (or SIGTERM) stops as it stops Python code: `index` then says what the store
    holds (and exits 130, or by the signal), where it printed usearch's RuntimeError with a traceback."""
    try:
        yield
    except RuntimeError as e:
        if USEARCH_INTERRUPTED in str(e):
            raise interruption() from None
        raise


def _close_at_exit(ref: weakref.ref[Index]) -> None:
    """At exit, an index left open with a lingering hold is closed, so the hold ends and its vectors are saved now:
    the hold's timer thread was dropped at exit (the writes were found by their words only till the next writer),
    and waited for, it kept a script alive for the whole linger."""
    ix = ref()
    if ix is not None:
        try:
            ix.close()
        except Exception as e:  # nothing to raise it to at exit; the next writer embeds what was not saved
            log.error("%s", e)


def _score(c: Comparison) -> float:
    """Similarity-weighted share of the query that the source explains (of its non-space characters, as its
    coverage: a copy of a whole text scored 0.24 for the blank lines after it, beside a coverage of 1)."""
    return weighted_share(c.a.text, [(p.a, p.similarity) for p in c.passages])


class Index:
    """An embedded unspun store (a directory): SQLite for documents and postings, usearch for chunk vectors."""

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False,
                 semantic: bool | None = None, params: Params | None = None,
                 retrieve: RetrieveParams | None = None, linger: float = 0.0) -> None:
        # Checked before the store is made: semantic="no" made a store with the channel, then warned it had one (QA).
        for name, value in (("create", create), ("readonly", readonly), ("semantic", semantic)):
            if not isinstance(value, bool) and not (name == "semantic" and value is None):
                raise TypeError(f"{name} must be a bool{' or None' if name == 'semantic' else ''}, not "
                                f"{type(value).__name__}")
        if isinstance(linger, bool) or not isinstance(linger, (int, float)):
            raise TypeError(f"linger must be a number of seconds, not {type(linger).__name__}")
        self.store = Store(path, create=create and not readonly, readonly=readonly)
        self.path = self.store.path
        self.readonly = readonly
        stored = self.store.meta("semantic")
        if stored is None:
            if readonly:
                stored = "0"
            else:
                stored = self.store.claim_meta("semantic", "1" if semantic is None or semantic else "0")
        self.semantic = stored == "1"
        #: The database file opened (`current`).
        self._opened = db_identity(self.path)
        if semantic is not None and semantic != self.semantic:
            log.warning("%s: the store was created %s the semantic channel, which stays so; --%ssemantic (semantic=%s) "
                        "has no effect here", self.path, "with" if self.semantic else "without", "" if semantic else "no-",
                        semantic)
        self.params = params or Params()
        self.retrieve = retrieve or RetrieveParams()
        self._write = threading.Lock()
        #: usearch is not safe against a search during a removal or a save, nor our LRU against two threads.
        self._vlock = threading.RLock()
        self._ulock = threading.Lock()
        self._units: OrderedDict[int, PackedUnits] = OrderedDict()
        self._units_chars = 0
        #: Stored chunks (for idf) as this thread's SQLite connection last counted them (`_total_chunks`), and this
        #: index's writes, which move no connection's ``data_version`` but its own, to count them again after.
        self._counted = threading.local()
        self._own_writes = 0
        self._vectors = None
        self._unsaved: list[int] = []
        #: The vector file as this index last read or wrote it: another writer's save since shows as a new identity.
        self._vectors_seen: tuple[int, int, int] | None = None
        #: The store's writer lock while this index holds it (one holder per index: ``_writer_lock`` for threads).
        self._writer: int | None = None
        self._writer_lock = threading.RLock()
        #: Seconds this index keeps the writer lock after a write: the next write within them saves nothing more
        #: (the vector file, saved whole, costs ~0.2 s a write at 25k documents: `serve` takes writes one at a
        #: time). 0: saved and let go at the end of each write, as `unspun index` wants.
        self.linger = linger
        if linger > 0:
            atexit.register(_close_at_exit, weakref.ref(self))
        self._depth = 0  # writes of this index in progress (nested ones share the lock)
        self._release: threading.Timer | None = None
        #: Whether the vectors as read were compared with what SQLite marks saved (`_reconcile`).
        self._reconciled = False
        #: Passages this index embedded again because they had no vector (a killed writer, a lost or damaged file).
        self.reembedded = 0
        self._closed = False
        #: Vectors of passages no longer stored that this index dropped from the file (`_reconcile`).
        self.dropped_stale = 0
        if self.semantic:
            try:
                self._vectors = self._open_vectors()
                if not readonly:
                    try:
                        with self._writing(wait=False):
                            pass  # catches up: vectors a crash or a lost file left out are embedded again
                    except StoreBusy:
                        pass  # another process is writing: our first write catches up
            except BaseException:
                self.store.close()  # a store refused for its vectors is not left open, as `Store` closes its own
                raise

    # --- lifecycle --------------------------------------------------------------------------------------------
    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        with self._writer_lock:
            if self._release is not None:  # a lingering hold: saved and let go now
                self._release.cancel()
                self._release = None
                self._let_go()
        self.store.close_all()

    @_faults
    def __len__(self) -> int:
        self._still_current()
        return self.store.count()

    def unembedded(self) -> int:
        """How many stored passages have no saved vector: no check finds them by meaning until they have (a writer's
        run saves them when it ends; one stopped before it did leaves them to `index` with no input). 0 for a store
        without the semantic channel."""
        if not self.semantic:
            return 0
        return self.store.connection().execute("SELECT count(*) FROM chunks WHERE embedded = 0").fetchone()[0]

    def writing(self) -> bool:
        """Whether a writer holds the store's vectors now, by a try at its lock (a writer trying to take the lock
        that moment without waiting is refused: ask once, not on every request)."""
        try:
            fd = os.open(self.path / VECTORS_LOCK, os.O_RDONLY)
        except OSError:  # none yet, or not ours to open: no writer we can tell of
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        except OSError:  # (a file system without locks)
            return False
        finally:
            os.close(fd)  # (and the lock with it)

    def ids(self) -> Iterator[str]:
        return self.store.ids()

    # --- vectors ----------------------------------------------------------------------------------------------
    def _open_vectors(self):
        from .embed import DIM

        Vectors = usearch_index()

        f = self.path / VECTORS_FILE
        vectors = None
        rebuild = f"run `unspun index --db {self.path}` to embed the passages again"
        # Counted before the file is read: a writer saves the file before it marks chunks embedded, so the file read
        # after holds at least every vector counted here.
        marked = self._marked() if self.readonly else 0
        if f.is_file():
            try:
                vectors = self._read_vectors(f)
            except Exception as e:  # usearch raises plain RuntimeError/ValueError on a damaged file
                if self.readonly:
                    raise StoreError(f"{f}: vector index unreadable ({e}); {rebuild}") from None
                self._vectors_seen = _identity(f)  # a writer starts afresh from it (its chunks embedded again)
        elif marked:
            # Vectors are marked embedded only once saved: the file was lost, and checks would quietly go lexical.
            raise StoreError(f"{f}: missing, though the store's passages were embedded; {rebuild}")
        if vectors is None:
            vectors = Vectors(ndim=DIM, metric="cos", dtype="f16")
        if marked > len(vectors) and (lost := min(marked, self._marked()) - len(vectors)) > 0:
            # Counted again after: a writer replacing documents meanwhile saves a file without the old ones' vectors.
            # Two writers at once saved over each other's vectors before they took turns: those documents would be
            # found by their words only, without a word said.
            raise StoreError(f"{f}: lacks the vectors of {lost} of the store's embedded passages (saved over by "
                             f"another writer); {rebuild}")
        return vectors

    def _read_vectors(self, f: Path):
        """The saved vector file, once its bytes match a checksum saved with it (a damaged file crashed the process
        at its first search); a writer may replace it meanwhile, and the read is tried again."""
        Vectors = usearch_index()

        for _ in range(READ_TRIES):
            seen, want = _identity(f), _sums(self.path)
            if want is None or _digest(f) in want:
                vectors = Vectors.restore(str(f), view=self.readonly)
                if vectors is None:
                    raise ValueError("not a usearch index")
                if _identity(f) == seen:  # what was checked is what was loaded
                    self._vectors_seen = seen
                    return vectors
            elif _identity(f) == seen and _sums(self.path) == want:
                raise ValueError("its bytes do not match the checksum saved with it: the file is damaged")
            time.sleep(READ_PAUSE)
        raise ValueError(f"replaced by a writer at each of {READ_TRIES} reads")

    def _follow_vectors(self) -> None:
        """Load the vector file another process saved since this index read it, unless this one is the writer
        (its own vectors are the newer then), or a write of it is under way (it may be waiting for another process:
        the check goes on with the vectors held rather than wait as long): a long-lived reader (`serve`) found none
        of the passages indexed after it opened by their meaning. A file that cannot be read keeps the vectors held,
        with a warning."""
        if self._vectors is None or self._writer is not None:
            return
        f = self.path / VECTORS_FILE
        seen = _identity(f)
        if seen is None or seen == self._vectors_seen or not self._writer_lock.acquire(blocking=False):
            return
        try:
            if self._writer is not None or _identity(f) == self._vectors_seen:
                return
            try:
                fresh = self._read_vectors(f)
            except Exception as e:  # usearch raises plain RuntimeError/ValueError on a damaged file
                self._vectors_seen = seen  # not tried again until the file changes
                log.warning("%s: vector index unreadable (%s); checks go on with the vectors read before", f, e)
                return
            self._use_vectors(fresh)
        finally:
            self._writer_lock.release()

    def _use_vectors(self, fresh) -> None:
        """Put the vectors read from a file another process saved in place of those held: what this index had not
        saved is flagged in SQLite (embedded again by its next write), and the new file is compared with SQLite
        once (`_reconcile`)."""
        with self._vlock:
            self._vectors = fresh
        self._unsaved = []
        self._reconciled = False

    def _marked(self) -> int:
        """Chunks whose vectors were saved (the pending ones are counted on their own index)."""
        return self.store.connection().execute(
            "SELECT (SELECT count(*) FROM chunks) - (SELECT count(*) FROM chunks WHERE embedded = 0)").fetchone()[0]

    @contextmanager
    def _writing(self, *, wait: bool = True, status: Callable[[str | None], None] | None = None) -> Iterator[None]:
        """Hold the store's writer lock for a write of this index (nested writes share it). On taking it, vectors
        another process saved since this one read the file are loaded, and chunks left without a vector (a lost
        or damaged file, a killed writer) are embedded; before letting it go (at the end of the write, or
        ``linger`` seconds after it), the vectors are saved, so the file is whole whenever no one holds the lock.
        ``wait=False``: `StoreBusy` at once if another process holds it. A lexical store needs none: SQLite
        serialises its writers."""
        if self._vectors is None or self.readonly:
            yield
            return
        with self._writer_lock:
            if self._release is not None:  # within the last write's linger: this one goes on holding the lock
                self._release.cancel()
                self._release = None
            if self._writer is None:
                self._take(wait, status)
            self._depth += 1
            failing = True
            try:
                yield
                failing = False
            finally:
                self._depth -= 1
                if self._depth == 0:
                    if self.linger > 0:
                        self._release = threading.Timer(self.linger, self._linger_over)
                        self._release.daemon = True  # ended at exit by `_close_at_exit`, not waited for
                        self._release.start()
                    elif failing:
                        # The write's own error goes up, not the save's: a full disk failed SQLite first, and the
                        # save's message ("the documents are stored") hid it, untrue of the batch that failed.
                        try:
                            self._let_go()
                        except (StoreError, sqlite3.Error) as e:
                            log.error("%s", e)
                    else:
                        self._let_go()

    def _take(self, wait: bool, status: Callable[[str | None], None] | None) -> None:
        """Take the writer lock and bring this index's vectors up to date with the file and SQLite."""
        try:
            fd = os.open(self.path / VECTORS_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as e:  # a store on a read-only volume: a traceback, where SQLite's refusal is one line (QA)
            if e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            raise StoreError.read_only(self.path, f"{e.strerror}: {VECTORS_LOCK}") from None
        try:
            self._lock(fd, wait, status)
            self._writer = fd
            if _identity(self.path / VECTORS_FILE) != self._vectors_seen:
                self._unsaved = []  # flagged in SQLite, so embedded again below (cleared before a read that may fail)
                self._use_vectors(self._open_vectors())
            if not self._reconciled:  # once per file read: only a new file can lack what SQLite marks saved
                self._reconcile(self._vectors)
                self._reconciled = True
            self._embed_pending()
        except BaseException:
            self._writer = None
            os.close(fd)  # lets the lock go
            raise

    def _let_go(self) -> None:
        """Save the vectors and let the writer lock go (even when the save fails: the chunks stay flagged)."""
        try:
            self._save_vectors()
        finally:
            os.close(self._writer)
            self._writer = None

    def _linger_over(self) -> None:
        with self._writer_lock:
            if self._release is None or self._release is not threading.current_thread() or self._depth:
                return  # a write took the hold over meanwhile (it sets its own timer when done)
            self._release = None
            try:
                self._let_go()
            except StoreError as e:  # no one to raise it to: the chunks stay flagged, the next writer embeds them
                log.error("%s", e)
            finally:
                self.store.close()  # this thread's connection (marking the chunks saved): the thread ends here

    def _lock(self, fd: int, wait: bool, status: Callable[[str | None], None] | None) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if not wait:
                raise StoreBusy.at(self.path) from None
        if status:
            status(WAITING)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if status:
            status(None)

    def _reconcile(self, vectors) -> None:
        """Flag for embedding every chunk marked embedded whose vector the file lacks (lost or damaged file), and
        drop from it the vectors of chunks SQLite no longer holds: a writer killed between committing a delete or
        a replacement and saving the vectors left them there, each taking a nearest-neighbour slot from a live
        passage at every search (QA: six killed re-index rounds left 47% of the file stale, and no run removed
        them)."""
        if self._marked() == len(vectors):
            return
        con = self.store.connection()
        rows = con.execute("SELECT chunk, embedded FROM chunks").fetchall()  # (one pass for both)
        lost = [k for k, embedded in rows if embedded == 1 and not vectors.contains(k)]
        with con:
            in_parts(con, "UPDATE chunks SET embedded = 0 WHERE chunk IN ({})", lost)
        live = np.fromiter((k for k, _ in rows), dtype=np.uint64, count=len(rows))
        if len(stale := np.setdiff1d(np.asarray(vectors.keys, dtype=np.uint64), live)):
            with self._vlock:
                vectors.remove(stale)
            self._save_vectors(force=True)
            self.dropped_stale += len(stale)

    def _add_vectors(self, keys: list[int], texts: list[str], vecs: np.ndarray | None = None) -> None:
        """Add the chunks' vectors (embedding ``texts`` unless the workers did)."""
        if not keys:
            return
        if vecs is None:
            vecs = encode(texts)
        with self._vlock:
            for k in keys:
                if self._vectors.contains(k):
                    self._vectors.remove(k)
            with _interruptible():
                self._vectors.add(np.asarray(keys, dtype=np.uint64), vecs)
            self._unsaved.extend(keys)
        if len(self._unsaved) >= SAVE_EVERY:
            self._save_vectors()

    def _save_vectors(self, force: bool = False) -> None:
        if self._vectors is None or not (self._unsaved or force):
            return
        final = self.path / VECTORS_FILE
        tmp = final.with_suffix(".tmp")
        with self._vlock:
            try:
                self._vectors.save(str(tmp))
                digest = _digest(tmp)
                if (before := _sums(self.path)) is not None:  # readers meanwhile may find either file
                    _put_sums(self.path, before | {digest})
                os.replace(tmp, final)
                _put_sums(self.path, {digest})
            except (OSError, RuntimeError) as e:  # usearch says only "Failed to serialize into stream"
                tmp.unlink(missing_ok=True)
                raise StoreError(f"{final}: cannot save the vector index ({e}; is the disk full?); the documents "
                                 f"are stored, and `unspun index --db {self.path}` embeds their passages again "
                                 "once it can write") from None
            self._vectors_seen = _identity(final)
            saved, self._unsaved = self._unsaved, []
        self.store.mark_embedded(saved)

    def _embed_pending(self) -> None:
        """Embed chunks committed in SQLite whose vectors a crash kept from being saved."""
        while rows := self.store.pending_chunks(2048):
            docs = {doc: self.store.text_of(doc) for doc in {r[1] for r in rows}}
            self._add_vectors([key for key, *_ in rows], [docs[doc][s:e] for _, doc, s, e in rows])
            self._save_vectors()
            self.reembedded += len(rows)

    # --- writing ----------------------------------------------------------------------------------------------
    @_faults
    def add(self, records: Iterable[Record | Failure], *, progress: Callable[[Record | Failure], None] | None = None,
            batch: int = BATCH, jobs: int = 1, status: Callable[[str | None], None] | None = None,
            wait: bool = True) -> AddReport:
        """Index records (replacing documents with the same id); failures passed in are reported, not raised.

        ``jobs`` > 1 cuts and fingerprints documents in that many processes; SQLite still has one writer.
        ``status`` hears of the store's long steps between batches (postings merges, a wait for another process
        writing the store; None when done). ``wait=False``: `StoreBusy` rather than a wait (of a lexical store, after
        one try at the lock, `unspun.store.TRY_SECONDS`, which outlasts a batch of another writer, not its merges).
        """
        if isinstance(records, (Record, Failure, str)):
            raise TypeError(f"add takes an iterable of Records, not one {type(records).__name__} (put it in a list)")
        if self.readonly:
            raise StoreError(f"{self.path}: store opened read-only")
        self._still_current()
        if self._vectors is not None:
            load_on_device()  # a device the model cannot run on fails here, not after a batch was committed
        with self._writing(wait=wait, status=status):
            return self._add(records, progress, batch, jobs, status, wait)

    def _add(self, records: Iterable[Record | Failure], progress: Callable[[Record | Failure], None] | None,
             batch: int, jobs: int, status: Callable[[str | None], None] | None, wait: bool) -> AddReport:
        report = AddReport()
        # Per document key written (or found unchanged) by this run, a hash of the id there (SQLite reuses a deleted
        # largest key, and another writer may have put a different document there since): 8 bytes a document.
        written = array("Q")
        lock = (self._writer, self.path / VECTORS_LOCK) if self._writer is not None else None
        workers = worker_pool(jobs, _start_worker, (jobs, lock)) if jobs > 1 else nullcontext()
        with workers as pool:
            pending: list[Record] = []
            moved: dict[str, Record] = {}  # stored as given but read from another path: their origins, written next
            ready = None  # the batch being cut in the workers while the one before is written
            # The records of the batches not written yet, by id: one of them given again must be written after them
            # (the last one read is kept), even if it equals what the store holds now.
            pending_recs: dict[str, Record] = {}
            ready_recs: dict[str, Record] = {}
            store_cut = self.store.cut
            fault: list[Exception] = []  # what stopped the input, raised once what it gave before is written
            for r in _until_fault(records, fault):
                if isinstance(r, Skip):
                    report.skipped.append(r)
                elif isinstance(r, Failure):
                    report.failed.append(r)
                elif not r.text.strip():  # failed, as `index` says of such a JSONL or CSV record (it said skipped)
                    report.failed.append(Failure(r.origin or r.id, "record has empty text"))
                elif not r.id.strip():  # as `index` and POST /v1/documents refuse it (a store may hold one: read on)
                    report.failed.append(Failure(r.origin or repr(r.id), "record has no id"))
                else:
                    where = r.id if r.origin in (None, r.id) else f"{r.origin} (id {r.id})"
                    notes = [Failure(where, r.encoding_note)] if r.encoding_note else []
                    if r.published:
                        published, note = dates.normalise(r.published)
                        if note:
                            r = replace(r, published=published)
                            notes.append(Failure(where, note))
                    later = pending_recs.get(r.id) or ready_recs.get(r.id)
                    stored = None if later else self._stored(r.id)
                    r, note = _earlier_date(r, later or (stored and stored[1]))
                    kept = [Failure(where, note)] if note else []
                    notes += kept
                    same = None if later else self._stored_as(r, stored, store_cut, moved)
                    if same is None:
                        pending.append(r)
                        pending_recs[r.id] = r
                        report.notes += notes
                    else:
                        report.unchanged += 1  # its notes were given when it was written (but the date it keeps)
                        report.notes += kept
                        if _seen(written, same, r.id):  # (a repeat equal to the store went unsaid)
                            report._repeat(r.id)
                if progress:
                    progress(r)
                if len(pending) >= batch * max(1, jobs):
                    cut = self._cut(pending, pool, report)
                    if ready is not None:
                        self._write_batch(ready, report, written, status, wait, moved)
                    ready, pending = cut, []
                    ready_recs, pending_recs = pending_recs, {}
            if ready is not None:
                self._write_batch(ready, report, written, status, wait, moved)
            if pending:
                self._write_batch(self._cut(pending, pool, report), report, written, status, wait, moved)
            if moved:
                with self._write, transaction(self.store.connection(), wait=wait, status=status):
                    self._move(moved)
        if fault:
            fault[0].add_note(f"unspun: the input failed after {report.indexed + report.unchanged} records, which are "
                              "stored; add it again once mended (the records stored unchanged are passed over)")
            raise fault[0]
        return report

    def _stored(self, doc_id: str) -> tuple[int, Record] | None:
        """The key and record of the document stored under ``doc_id``, if any."""
        doc = self.store.doc_key(doc_id)
        return None if doc is None else (doc, self.store.record(doc))

    def _stored_as(self, rec: Record, found: tuple[int, Record] | None, cut: int, moved: dict[str, Record]
                   ) -> int | None:
        """The key of the document the store holds as ``rec`` (``found``: `_stored` of its id), as this version cuts it
        (same id, text and fields), or None. One that differs only in ``origin`` (read through another spelling of
        its path, which had it cut and embedded again) goes to ``moved``, for its origin to be written (as does one
        read again in this run after such: the last one read is kept). ``cut``: the store's `CUT_VERSION`; a text an
        older one cut otherwise is stored under stale fingerprints."""
        if found is None:
            return None
        doc, stored = found
        if replace(stored, origin=rec.origin) != rec or (cut < CUT_VERSION and cut_changed(rec.text, cut)):
            return None
        if stored.origin != rec.origin or rec.id in moved:
            moved[rec.id] = rec
        return doc

    def _move(self, moved: dict[str, Record]) -> None:
        """Write the origins of documents stored as read but from another path (in the caller's transaction), before
        a batch that may replace them: the batch's record is read later and must win."""
        self.store.move(self.store.connection(), moved.values())
        moved.clear()

    def _cut(self, recs: list[Record], pool: ProcessPoolExecutor | None, report: AddReport
             ) -> tuple[list[Record], Iterator[Prepared]]:
        """Start cutting a batch (the same id twice in a batch: the last one wins, counted as indexed and repeated
        as if written twice). With a pool the work starts now (``Executor.map`` submits at once), vectors included,
        and is collected when the batch is written; without one, documents are cut as they are written and
        embedded together after."""
        by_id: dict[str, Record] = {}
        for r in recs:
            if r.id in by_id:
                report.indexed += 1
                report._repeat(r.id)
            by_id[r.id] = r
        latest = list(by_id.values())
        texts = [r.text for r in latest]
        if pool is None:
            return latest, ((_prepare(t), None) for t in texts)
        parts = [texts[i:i + PART] for i in range(0, len(texts), PART)]
        # On a GPU (UNSPUN_DEVICE) the writer embeds each batch in one call; workers only cut.
        done = pool.map(partial(_prepare_part, embed=self._vectors is not None and not on_device()), parts)
        return latest, (p for part in done for p in part)

    def _write_batch(self, batch: tuple[list[Record], Iterator[Prepared]], report: AddReport, written: array,
                     status: Callable[[str | None], None] | None, wait: bool, moved: dict[str, Record]) -> None:
        """Commit one batch in one transaction, then let the store settle its postings (see `unspun.store`); ``wait``
        and ``status`` for another process's write, as in `unspun.store.transaction`."""
        prepared = list(zip(*batch))
        new_chunks: list[tuple[int, str]] = []
        vectors: list[np.ndarray | None] = []
        with self._write:
            con = self.store.connection()
            removed: list[int] = []
            # Taken before the ids are looked up: another process writing the same ids meanwhile made the insert
            # fail ('UNIQUE constraint failed: documents.id').
            with transaction(con, wait=wait, status=status):
                self._move(moved)
                for rec, (cs, vecs) in prepared:
                    old = self.store.doc_key(rec.id)
                    if old is not None:
                        before = self.store.origin(old)
                        removed += self._delete(con, old)
                        if _seen(written, old, rec.id):
                            report._repeat(rec.id)
                        else:
                            report.replaced += 1
                            if _other_folder(rec.id, before, rec.origin):
                                report._elsewhere(rec.id, before, rec.origin)
                    doc = self.store.insert(con, rec)
                    _seen(written, doc, rec.id)
                    keys = self.store.add_chunks(con, doc, [(c.start, c.end) for c in cs], [c.grams for c in cs])
                    new_chunks += [(k, rec.text[c.start:c.end]) for k, c in zip(keys, cs)]
                    vectors.append(vecs)
                    report.indexed += 1
            self._own_writes += 1
            if self._vectors is not None:
                self._drop_vectors(removed)
                ready = np.concatenate(vectors) if vectors and all(v is not None for v in vectors) else None
                self._add_vectors([k for k, _ in new_chunks], [t for _, t in new_chunks], ready)
            try:
                self.store.settle(status, wait=wait)
            except StoreBusy:  # the batch is committed: "try again" would be false; the next write settles
                pass

    def _delete(self, con, doc: int) -> list[int]:
        """Remove a stored document inside the caller's transaction; returns its chunk keys."""
        with self._ulock:
            gone = self._units.pop(doc, None)
            self._units_chars -= len(gone.text) if gone is not None else 0
        return self.store.delete(con, doc, self._stored_grams(con, doc))

    def _stored_grams(self, con, doc: int) -> list[np.ndarray]:
        """A stored document's chunks' hashes, as computed again from its text by the cut that wrote them: a store
        of an older cut version may hold it as that version cut it, or as a later one did (given again since), and
        its postings are found by those hashes (this version's alone left the older cut's behind). The cut whose
        chunks fall where the stored ones do wrote it; where several do, the postings of any are taken. Version 2
        cut all but Chinese and Japanese as 1 did; a Chinese text with words in disguise it cut is not cut again
        (its postings stay behind)."""
        text = self.store.text_of(doc)
        mine = _prepare(text)
        made = 1 if self.store.cut == 2 and not has_cjk(text) else self.store.cut
        older = [v for v in (1, 3) if v >= made and cut_changed(text, v)]
        if not older:
            return [c.grams for c in mine]
        spans = con.execute("SELECT start, end FROM chunks WHERE doc = ? ORDER BY chunk", (doc,)).fetchall()
        found = [cs for cs in (mine, *(chunks(units(text, cut=v)) for v in older))
                 if [(c.start, c.end) for c in cs] == spans]
        if not found:
            return [c.grams for c in mine]
        return [reduce(np.union1d, (cs[i].grams for cs in found)) for i in range(len(spans))]

    def _drop_vectors(self, keys: list[int]) -> None:
        with self._vlock:
            for k in keys:
                if self._vectors.contains(k):
                    self._vectors.remove(k)

    def delete(self, id: str, *, wait: bool = True, status: Callable[[str | None], None] | None = None) -> bool:
        """Remove a document; False when there is none with this id. ``wait``, ``status``: as in `add`."""
        return not self.delete_many([id], wait=wait, status=status)

    @_faults
    def delete_many(self, ids: Iterable[str], *, wait: bool = True,
                    status: Callable[[str | None], None] | None = None) -> list[str]:
        """Remove documents in one transaction (and one save of the vectors, which is of the whole vector index);
        returns the ids given that no stored document has. ``wait``, ``status``: as in `add`."""
        if isinstance(ids, str):  # its characters would be taken for ids: "15" deleted documents "1" and "5"
            raise TypeError("delete_many takes a collection of ids, not one id (use delete)")
        if isinstance(ids, (bytes, bytearray)):  # its bytes were taken for ids, said as ints (QA)
            raise TypeError(f"delete_many takes a collection of ids (str), not {type(ids).__name__}")
        ids = list(ids)
        for i in ids:  # before the store is locked and a transaction begun
            must_be_id(i)
        if self.readonly:
            raise StoreError(f"{self.path}: store opened read-only")
        self._still_current()
        missing: list[str] = []
        with self._writing(wait=wait, status=status), self._write:  # add's order: the other way two threads deadlocked
            con = self.store.connection()
            removed: list[int] = []
            with transaction(con, wait=wait, status=status):
                for id in dict.fromkeys(ids):  # each once: one given twice is no missing document
                    doc = self.store.doc_key(id)
                    if doc is None:
                        missing.append(id)
                    else:
                        removed += self._delete(con, doc)
            self._own_writes += 1
            if self._vectors is not None and removed:
                self._drop_vectors(removed)
                self._save_vectors(force=True)
        return missing

    def current(self) -> bool:
        """Whether the store at this index's path is still the one it opened (a stat, microseconds): one deleted or
        made again there (``rm -r DB; unspun index --db DB``) leaves this index reading, and writing into, a file no
        longer there."""
        return db_identity(self.path) == self._opened

    def _still_current(self) -> None:
        if self._closed:  # (its connections were opened again, never to be closed: QA)
            raise StoreError(f"{self.path}: this index was closed; open the store again to use it")
        if not self.current():
            raise StoreError(f"{self.path}: the store was deleted or replaced on disk after this index opened it; open "
                             "it again to use what is there now (writes would be lost with the deleted file)")

    @_faults
    def get(self, id: str) -> Record | None:
        self._still_current()
        doc = self.store.doc_key(id)
        return None if doc is None else self.store.record(doc)

    # --- reading ----------------------------------------------------------------------------------------------
    def _doc_units(self, doc: int, text: str) -> Units:
        """The units of stored document ``doc``, cached by its key with its text: SQLite gives a deleted key to the
        next document stored, by another process too, so what is cached counts only for the same text (a stale
        entry put another document's offsets on a passage)."""
        with self._ulock:
            packed = self._units.get(doc)
            if packed is not None and packed.text == text:
                self._units.move_to_end(doc)
                return packed.unpack()
        u = units(text)
        with self._ulock:
            old = self._units.pop(doc, None)
            if old is not None:
                self._units_chars -= len(old.text)
            self._units[doc] = PackedUnits.pack(u)
            self._units_chars += len(text)
            while self._units_chars > UNITS_CACHE_CHARS and len(self._units) > 1:
                self._units_chars -= len(self._units.popitem(last=False)[1].text)
        return u

    def _regions(self, doc: int, text: str, keys: list[int], query_chars: int) -> Units:
        """The units of long stored text ``doc`` around the chunks where retrieval found the query's evidence (each
        with as much text as the query, up to `REGION_QUERY_CHARS`, and `REGION_CHARS` more, on either side: room
        for all the query's reuse), cut at white space near there: what a check aligns in place of the whole text,
        which for a 30 MB text took a minute and 2.7 GB."""
        margin = min(query_chars, REGION_QUERY_CHARS) + REGION_CHARS
        regions: list[list[int]] = []
        for start, end in self.store.chunk_spans(doc, keys):
            a, b = max(0, start - margin), min(len(text), end + margin)
            a = max((m.end() for m in _SPACE.finditer(text, max(0, a - _SNAP), a)), default=a)
            space = _SPACE.search(text, b, b + _SNAP)
            b = space.start() if space else b
            if regions and a <= regions[-1][1]:
                regions[-1][1] = max(regions[-1][1], b)
            else:
                regions.append([a, b])
        parts = [u for a, b in regions if len(u := units(text, start=a, end=b))]
        return joined(parts) if parts else units(text, start=0, end=0)

    def _regions_within(self, doc: int, text: str, retrieved: Retrieved, uq: Units, query_chars: int,
                        p: RetrieveParams) -> Units | None:
        """`_regions` of long stored text ``doc`` to align ``uq`` with; those of its heavy evidence only (chunks
        sharing ``min_densest`` or more, what a check asks of a candidate, and the nearest by meaning) where all its
        evidence makes them too many sentences (over `align.MAX_UNIT_PAIRS` pairs: texts on one topic share a few
        words all over, and each window of 3 MB of news found evidence in every part of 2 MB, and of 10 MB, of other
        prose); None where those do too."""
        from .align import MAX_UNIT_PAIRS

        for floor in (0.0, p.min_densest):
            ub = self._regions(doc, text, retrieved.chunks_of(doc, p, floor), query_chars)
            if len(uq) * len(ub) <= MAX_UNIT_PAIRS:
                return ub
        return None

    def _total_chunks(self) -> int:
        """Stored chunks, the idf's numerator: counted again once another process has written (SQLite's
        ``data_version``), so a long-lived reader (`serve`) weighs pairs by the store as it is, not as it opened it
        (its scores, and which candidates pass ``min_lexical``, differed from a fresh process's)."""
        con = self.store.connection()
        # Per thread, with the connection itself (not its id: a thread's connection ends with it, and the next
        # thread's, at the same address, starts at the same data_version: `serve`'s threads end when idle).
        key = (con, con.execute("PRAGMA data_version").fetchone()[0], self._own_writes)
        if getattr(self._counted, "key", None) != key:
            self._counted.total = con.execute("SELECT count(*) FROM chunks").fetchone()[0]
            self._counted.key = key
        return self._counted.total

    def _of_many_stories(self, common: set[int], postings: dict[int, list[int] | None], least: int) -> set[int]:
        """Of a small store's common pairs, those held by ``least`` chunks at least with copies of one story counted
        once (`evidence.stories`: its copy holding the most such chunks): a story and four copies of it in a store
        of eight made its words common phrasing, and a check of an edited copy found no source (a test's writers,
        racing its checks); a line repeated all through one long text stays common. A pair more than
        `SMALL_STORY_DOCS` documents hold stays common unread."""
        docs_of = self.store.chunk_docs({c for h in common for c in postings[h] or ()})
        held = {h: Counter(docs_of[c] for c in postings[h] or () if c in docs_of) for h in common}
        few = sorted({d for n in held.values() if len(n) <= SMALL_STORY_DOCS for d in n})
        story = dict(zip(few, stories([self.store.text_of(d) for d in few])))

        def chunks_held(n: Counter) -> int:
            most: dict[int, int] = {}
            for d, k in n.items():
                most[story[d]] = max(most.get(story[d], 0), k)
            return sum(most.values())

        return {h for h, n in held.items() if len(n) > SMALL_STORY_DOCS or chunks_held(n) >= least}

    def candidates(self, uq: Units, qchunks: list[Chunk], p: RetrieveParams, exclude: set[int] = frozenset()
                   ) -> Retrieved:
        """The documents worth aligning against the query (see `unspun.retrieve`)."""
        self._follow_vectors()
        semantic_channel = bool(self._vectors is not None and len(self._vectors) and qchunks)
        # The model (C++, without the GIL) embeds the query's chunks while SQLite reads the postings: the two
        # channels side by side (3-5 ms of a ~50 ms news check on 2 cores).
        embedding = _Beside(encode, [uq.text[c.start:c.end] for c in qchunks]) if semantic_channel else None
        try:
            hashes = np.unique(np.concatenate([c.grams for c in qchunks])) if qchunks else np.array([], np.int64)
            postings = self.store.postings(hashes.tolist(), p.max_df)
            # Pairs held by more than max_df chunks are generic phrasing found in real copies too, not templates.
            total = self._total_chunks()
            # In a store of few documents, a pair held by as many chunks as more than half of them, and 5 at least,
            # is common too: a small site's disclaimer on each of its 15 pages made every page a source of the
            # others (QA). (Counted only where it can matter: a store of fewer chunks than 2,000.)
            small = total < SMALL_STORE_CHUNKS and len(self) < 2 * p.common_df
            least = min(p.common_df, max(SMALL_COMMON_DF, len(self) // 2 + 1)) if small else p.common_df
            common = {h for h, cs in postings.items() if cs is not None and len(cs) >= least}
            if small and common:
                common = self._of_many_stories(common, postings, least)
            over = [h for h, cs in postings.items() if cs is None]
            crowded = bool(over) and len(over) >= p.crowded_share * len(postings)
            if crowded:  # (left out of `common`, as before: the story's own pairs are no boilerplate)
                postings.update(self.store.first_postings(over, p.max_df))
            pairs = shared(postings, qchunks, total, p)
        finally:
            if embedding is not None:
                embedding.join()  # no thread outlives the call
        vecs = embedding.result() if embedding is not None else None
        keys_sem = dist_sem = None
        hit_chunks = set(pairs.chunk.tolist())
        if vecs is not None:
            with self._vlock:
                with _interruptible():
                    m = self._vectors.search(vecs, p.semantic_k)
            keys_sem = np.asarray(m.keys).reshape(len(qchunks), -1)
            dist_sem = np.asarray(m.distances).reshape(len(qchunks), -1)
            hit_chunks |= {int(k) for k in keys_sem.ravel().tolist()}
        chunk_doc = self.store.chunk_docs(hit_chunks)
        lex = lexical(pairs, chunk_doc)
        sem = semantic(keys_sem, dist_sem, chunk_doc, p) if keys_sem is not None else {}
        for d in exclude:
            lex.pop(d, None)
            sem.pop(d, None)
        return Retrieved(lex, sem, common, pairs, (keys_sem, dist_sem) if keys_sem is not None else None, chunk_doc,
                         crowded)

    @_faults
    def check(self, doc: Document | str, *, top: int = 5, exclude: Iterable[str] = (),
              progress: Callable[[int, int], None] | None = None) -> CheckResult:
        """The indexed sources of ``doc``, best first, each verified by the aligner, and the likely original. A text
        over `LONG_TEXT_CHARS` is checked a window at a time (`QUERY_WINDOW_CHARS`), each as a text of its own,
        their sources merged: checked whole, a 30 MB text took over 24 GB. ``progress(done, total)``: characters
        checked so far, after each window (the whole text is one, unless it is that long)."""
        # Checked before the work: a wrong type failed deep inside, or (``top=2.5``) after the whole check.
        if isinstance(top, bool) or not isinstance(top, int):
            raise TypeError(f"top must be an int, not {type(top).__name__}")
        if top < 1:
            raise ValueError(f"top must be at least 1, not {top}")
        if isinstance(exclude, str):  # its characters would be taken for ids, and nothing excluded
            raise TypeError("exclude takes a collection of ids, not one id (put it in a list)")
        try:
            exclude = list(exclude)
        except TypeError:
            raise TypeError(f"exclude takes a collection of ids, not {type(exclude).__name__}") from None
        if progress is not None and not callable(progress):  # (it failed after the whole check, QA)
            raise TypeError(f"progress must be a function of (done, total), not {type(progress).__name__}")
        if isinstance(doc, str):
            doc = Document(doc)
        elif not isinstance(doc, Document):
            raise TypeError(f"check takes a str or a Document, not {type(doc).__name__}"
                            + (" (its .document())" if isinstance(doc, Record) else ""))
        self._still_current()
        if (short := _too_short(doc.text, self.params.min_chars)) is not None:
            return CheckResult(document=doc, sources=[], original=None, evidence=[short])
        keys = [self.store.doc_key(i) for i in exclude]
        for i, k in zip(exclude, keys):
            if k is None:  # a typo left the document in, as the text's own first source (the CLI passes known ids)
                log.warning("exclude %r: no document with this id in %s", i, self.path)
        skip = {k for k in keys if k is not None}
        p = self.retrieve.deep_enough(top)
        windows = _query_windows(doc.text) if len(doc.text) > LONG_TEXT_CHARS else [(0, len(doc.text))]
        verified: dict[str, tuple[Record, Alignment]] = {}
        crowded = False
        for start, end in windows:
            for _ in range(CHECK_TRIES):
                window, replaced, crowded_here = self._verified(doc.text[start:end], p, skip)
                if not replaced:
                    break
            crowded |= crowded_here and bool(window)
            for doc_id, (rec, al) in window.items():
                al = _shifted(al, start)
                verified[doc_id] = (rec, _merged(verified[doc_id][1], al, doc.text, rec.text) if doc_id in verified
                                    else al)
            if progress is not None:
                progress(end, len(doc.text))
        found: list[Source] = []
        for rec, al in verified.values():
            c = judge(doc, rec.document(), al)
            found.append(Source(id=rec.id, score=_score(c), published=rec.published, comparison=c))
        # Equal scores: the one more of whose own text is reused first (a clean original before a copy of it with
        # debris: QA), then by id.
        found.sort(key=lambda s: (-s.score, -s.comparison.coverage_b, s.id))
        # Which came first is asked of every source found, not of those listed: --top must not change the verdict.
        original, evidence = likely_original(doc, found, p.strong_similarity)
        rank = next(i for i, s in enumerate(found, 1) if s.id == original) if original is not None else 0
        if rank > top:
            evidence.append(f"{original} ranks {rank} of the {len(found)} sources found, below the {top} listed "
                            "(ask for more to see its passages)")
        if crowded:  # the original named is the earliest of those read, which a reader must know
            evidence.append(f"the checked text is stored more than {p.max_df} times: its sources were read from the "
                            f"first {p.max_df} copies stored, and {p.verify_most} at most verified, so an earlier copy "
                            "may be stored beyond them")
        found = found[:top]
        return CheckResult(document=doc, sources=found, original=original, evidence=evidence)

    def _verified(self, text: str, p: RetrieveParams, skip: set[int]
                  ) -> tuple[dict[str, tuple[Record, Alignment]], bool, bool]:
        """The stored documents the aligner finds ``text`` reuses, by id, each with its alignment (offsets into
        ``text``): the candidates retrieval ranks, verified in turn until a run of misses, set text left out; and
        whether a candidate was replaced or deleted by a writer since retrieval (the check is asked again: its new
        version, under a new key, was not among the candidates, and an exact copy went unreported); and whether
        the text is stored so often that only its first copies were read (`Retrieved.crowded`)."""
        uq = units(text)
        qchunks = chunks(uq)
        found: list[tuple[Record, Alignment]] = []
        evidence_of: list[list] = []  # each source's evidence passages...
        chars_of: list[int] = []  # ...and its text's length
        misses = taken = 0
        replaced = False
        last_found = True  # past p.verify, only a candidate found a source goes on to the next
        retrieved = self.candidates(uq, qchunks, p, skip)
        common_units: CommonUnits | None = None  # the query's units of common phrasing, read as needed
        for cand in retrieved.ranked(p):
            if misses >= p.patience + min(p.patience, len(found)) or (taken >= p.verify and not last_found):
                break
            taken += 1
            last_found = False
            if not cand.worth_aligning(p):
                misses += 1
                continue
            try:
                rec = self.store.record(cand.doc)
            except KeyError:  # replaced or deleted by a writer since retrieval
                replaced = True
                continue
            if len(rec.text) > LONG_TEXT_CHARS:
                ub = self._regions_within(cand.doc, rec.text, retrieved, uq, len(text), p)
                if ub is None:  # (it says nothing of those ranked after it: no miss)
                    log.warning("stored text %s not verified: the checked text's words are found all over it, too many "
                                "of its sentences to align with the checked text's", rec.id)
                    continue
            else:
                ub = self._doc_units(cand.doc, rec.text)
            al = align_units(uq, ub, self.params)
            if not convincing(al.evidence, uq, ub, p):
                misses += 1
                continue
            evidence = [x for x in al.evidence
                        if not boilerplate(x, span_grams(uq, *x.a), retrieved.common, len(rec.text), uq, p)]
            if len(evidence) < len(al.evidence) and not convincing(evidence, uq, ub, p, al.evidence):
                # (all passages kept: judged just above.) A candidate that shares only boilerplate says nothing of
                # those ranked after it: no miss.
                misses += bool(evidence)
                continue
            if common_units is None:
                common_units = CommonUnits(uq, retrieved.common, p)
            if not stands_without(evidence, common_units, uq, ub, self.params, p):
                misses += 1
                continue
            misses, last_found = 0, True
            found.append((rec, al))
            evidence_of.append(evidence)
            chars_of.append(len(rec.text))
        drop = set_text(evidence_of, chars_of, p, uq, [rec.text for rec, _ in found])
        return {rec.id: (rec, al) for (rec, al), d in zip(found, drop) if not d}, replaced, retrieved.crowded


#: In a store of under ``2 * common_df`` documents, a word pair held by as many chunks as more than half of them is
#: common (`Index.candidates`), and by this many at least (a paragraph 4 copies of one story and a fifth document
#: hold, in a store of 11, is no boilerplate); counted in stores of fewer chunks than `SMALL_STORE_CHUNKS`.
SMALL_COMMON_DF = 5
SMALL_STORE_CHUNKS = 2_000
#: Documents holding a small store's common pair whose stories `Index._of_many_stories` tells apart, at most (each
#: pair of them compared: a few ms).
SMALL_STORY_DOCS = 60
def _too_short(text: str, least: int) -> str | None:
    """Why a text shorter than any passage (``least`` characters, as `Units.width` counts them) finds no source, or
    None: "no reuse found" read as "this quotation is original" (QA: a sentence of 131 characters copied word for
    word from a stored article)."""
    if len(text) >= least:  # (a width is at least its characters: a long text is never cut here)
        return None
    u = units(text)
    width = u.width(int(u.spans[0][0]), int(u.spans[-1][1])) if len(u) else 0
    if width >= least:
        return None
    return (f"the checked text is {counted(width, 'character')} long, under the {least} a reused passage needs "
            "(shorter shared sentences are what unrelated texts share by chance): too short to find its source; "
            "check the text around it")


def _other_folder(doc_id: str, before: str | None, now: str | None) -> bool:
    """Whether two files named ``doc_id`` (their origins: paths ending with the id) lie in folders of other names:
    the same folder spelt otherwise (``docs``, ``./docs``, an absolute path) is not another folder."""
    folders = []
    for origin in (before, now):
        # A file's origin is its path, the id its last parts (a record's is its file and line: "a.jsonl:11", id 1)
        if not origin or not (origin == doc_id or origin.endswith(os.sep + doc_id)):
            return False
        folders.append(os.path.basename(os.path.normpath(origin[: len(origin) - len(doc_id)] or ".")))
    # A folder given as "." (or "..") has no name to compare: the same folder read from inside it, or not.
    return not {".", ".."} & set(folders) and folders[0] != folders[1]


def _earlier_date(rec: Record, before: Record | None) -> tuple[Record, str | None]:
    """``rec`` dated as the same text was stored (or read earlier in the run) where that date is earlier, and a note
    saying so. A date is an upper bound on when a text appeared (a crawl's, at least): a re-crawl of an unchanged
    page dated it by the later visit, and a copy crawled between became its original (QA)."""
    if before is None or before.text != rec.text or not before.published or before.published == rec.published:
        return rec, None
    old = dates.span(before.published)
    new = dates.span(rec.published) if rec.published else None
    if old is None or (new is not None and not dates.before(old, new)):
        return rec, None
    given = f"published {rec.published!r}" if rec.published else "no published date"
    return (replace(rec, published=before.published),
            f"{given}: kept {before.published}, the earlier date the same text was stored with")


def _until_fault(records: Iterable[Record | Failure], fault: list[Exception]) -> Iterator[Record | Failure]:
    """``records`` up to the first that is not one, or up to an error of the caller's iterator, which goes to
    ``fault``: the records read before it are written (a parser's error at the 151st lost the 86 read since the
    last batch, and with them the report of what was stored). A KeyboardInterrupt stops at once, as ever."""
    it = iter(records)
    while True:
        try:
            r = next(it)
        except StopIteration:
            return
        except Exception as e:
            fault.append(e)
            return
        if not isinstance(r, (Record, Failure)):  # a str or dict failed as an AttributeError deep in the batch
            fault.append(TypeError(f"add takes Records (or Failures), not {type(r).__name__}"))
            return
        yield r


def _query_windows(text: str, size: int | None = None) -> Iterator[tuple[int, int]]:
    """The windows of about ``size`` characters (`QUERY_WINDOW_CHARS` unless given) a long text is checked by:
    `window_spans`, one over 1.5 times the size (no line end near it: a text on one line) cut again at a sentence's
    end near each ``size`` characters, else at white space (checked whole, a 30 MB line would need tens of GB)."""
    size = size or QUERY_WINDOW_CHARS
    for start, end in window_spans(text, size):
        while end - start > size * 3 // 2:
            at, stop = start + size, min(start + size + _CUT_SEARCH, end)
            near = _SENTENCE_END.search(text, at, stop) or _SPACE.search(text, at, stop)
            cut = near.end() if near else at
            yield start, cut
            start = cut
        if end > start:
            yield start, end


def _shifted(al: Alignment, by: int) -> Alignment:
    """``al`` with its first side's offsets moved ``by`` characters on: a window's alignment in the whole text."""
    if not by:  # (the first window, or a text checked whole: every check)
        return al

    def move(span: tuple[int, int]) -> tuple[int, int]:
        return span[0] + by, span[1] + by

    return replace(al, passages=[replace(x, a=move(x.a)) for x in al.passages],
                   inserted_a=[move(s) for s in al.inserted_a], matched=None)  # (judged already)


def _merged(a: Alignment, b: Alignment, text: str, source: str) -> Alignment:
    """The alignments with one source of a window and of a later one as one (in the text's order, as windows are).
    The earlier's last passage and the later's first are one when they go on from each other on both sides (the
    same kind, no word between them in ``text`` nor in ``source``: white space, a line of dashes, a bracket, which
    begin no unit): a copy crossing the window's end, which was two passages (a verbatim 2 MB copy compared in
    parts, four to twenty). Verbatim halves joined across different punctuation are an edited copy, as the whole
    alignment calls it."""
    passages = a.passages + b.passages
    if a.passages and b.passages:
        p, q = a.passages[-1], b.passages[0]
        if (p.kind == q.kind and p.a[1] <= q.a[0] and p.b[1] <= q.b[0] and not _WORD.search(text, p.a[1], q.a[0])
                and not _WORD.search(source, p.b[1], q.b[0])):
            wp, wq = p.a[1] - p.a[0], q.a[1] - q.a[0]
            same = text[p.a[1]:q.a[0]].split() == source[p.b[1]:q.b[0]].split()
            one = replace(p, a=(p.a[0], q.a[1]), b=(p.b[0], q.b[1]), kind=p.kind if same else "edited",
                          similarity=(p.similarity * wp + q.similarity * wq) / max(1, wp + wq))
            passages = a.passages[:-1] + [one] + b.passages[1:]
    return Alignment(passages=passages, inserted_a=a.inserted_a + b.inserted_a,
                     inserted_b=a.inserted_b + b.inserted_b, summary=a.summary or b.summary)


def align_in_parts(a: str, b: str, progress: Callable[[int, int], None] | None = None) -> Alignment:
    """Every passage of ``a`` reused in ``b``, for two texts too long to align as one pair (`align.TooLong`): ``b``
    indexed in a temporary store (lexical channel; in the system's temporary folder, ``TMPDIR``), then each window
    of ``a`` (`PART_WINDOW_CHARS`, cut as `Index.check` cuts a long text) aligned with the regions of ``b`` where
    retrieval finds its words (as a check aligns a long stored text), every passage the aligner finds kept (no
    evidence rule: this is `compare`, not `check`). Reuse is found only where ``a`` and ``b`` share words, as by a
    check of a store without the semantic channel; a 3 MB text against a 2 MB one needed over 11 GB aligned whole.
    A window whose regions are themselves too many sentences to align with it takes those of its heavy evidence only
    (`Index._regions_within`); `TooLong` if those are too many still. ``progress(done, total)``: characters of ``a``
    aligned so far, from 0 (before ``b`` is indexed)."""
    from .align import MAX_UNIT_PAIRS, TooLong

    if progress is not None:
        progress(0, len(a))
    found = Alignment([])
    try:
        with TemporaryDirectory(prefix="unspun-compare-") as d, Index(d, semantic=False) as ix:
            ix.add([Record(id="B", text=b)])
            key, p = ix.store.doc_key("B"), ix.retrieve
            for start, end in _query_windows(a, PART_WINDOW_CHARS):
                uq = units(a[start:end])
                ub = ix._regions_within(key, b, ix.candidates(uq, chunks(uq), p), uq, end - start, p)
                if ub is None:
                    raise TooLong(f"A and B are too long to align even in parts: {len(uq):,} sentences of A "
                                  f"(characters {start:,}-{end:,}) share words with too many of B's, over "
                                  f"{MAX_UNIT_PAIRS:,} pairs: compare shorter parts of them")
                found = _merged(found, _shifted(align_units(uq, ub, ix.params), start), a, b)
                del ub  # (the next window's regions are cut without it)
                if progress is not None:
                    progress(end, len(a))
    except (OSError, sqlite3.Error, StoreError) as e:
        raise UnspunError(f"the temporary store B is indexed in to align it in parts (TMPDIR "
                          f"{gettempdir()}): {e}") from None
    return found


def open_index(path: str | Path, *, readonly: bool = True, linger: float = 0.0) -> Index:
    """Open an existing store for `check`/`serve`; a missing or corrupt one is a one-line `StoreError`."""
    return Index(path, create=False, readonly=readonly, linger=linger)

