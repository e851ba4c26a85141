"""Worker processes that end with the process that started them, and pools that end with their work.

A pool's workers wait for work on a pipe that each of them holds open too, so when their owner is killed
(SIGKILL, the OOM killer) they never see it close: they waited forever, each holding its memory (the sentence
model alone is ~280 MB) and the store's files. Every pool of unspun (`index`, `eval pan`, `clusters`) is a `pool`,
whose workers start with `exit_with`.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def exit_with(owner: int) -> None:
    """In a worker: exit within a second of the process ``owner`` (its pid, the pool's owner) being gone.

    The worker watches the parent it started under: the owner, or the fork server (forkserver, Python 3.14's
    default start method on Linux), which is not the owner but exits with it; where it is not the owner, the owner's
    pid is checked on too (an owner dead before the worker started). The worker ignores Ctrl-C, which a terminal
    sends to the whole process group, and SIGTERM, which a service manager sends to all of its processes: its owner
    stops the pool (`pool`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            if parent != owner:
                try:
                    os.kill(owner, 0)
                except OSError:  # gone (or a pid of another user: reused since)
                    break
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="unspun-parent-watch", daemon=True).start()


#: Seconds an abandoned pool's workers have to finish the task each holds (a part of a batch: under a second, most
#: often) before they are killed; a worker killed while it sends a result can leave the pool's reader waiting for
#: the rest of it.
GRACE_SECONDS = 5.0


#: Seconds a pool has to notice a dead worker by itself before `_watch` unblocks its reader...
NOTICE_SECONDS = 2.0
#: ...and how long it goes on feeding the reader, at most.
FEED_SECONDS = 60.0


def _watch(executor: ProcessPoolExecutor, done: threading.Event) -> None:
    """Break a pool whose worker died while sending a result. The executor's reader then waits for the rest of the
    message, which never comes (the other workers hold the pipe open), and the run hung for good instead of
    failing with `BrokenProcessPool` (one `index` in 10-20 whose worker the OOM killer chose). Once a worker has
    been dead ``NOTICE_SECONDS`` and the pool still works on, zeros are written into its result pipe (the owner
    holds the pipe's writing end too): they complete the torn message, which then fails to unpickle, and the
    executor breaks itself as for any dead worker."""
    dead_since: float | None = None
    while not done.wait(0.5):
        if getattr(executor, "_broken", False):
            return
        procs = list((getattr(executor, "_processes", None) or {}).values())
        if not any(p.exitcode not in (None, 0) for p in procs):
            dead_since = None
        elif dead_since is None:
            dead_since = time.monotonic()
        elif time.monotonic() - dead_since >= NOTICE_SECONDS:
            _feed(executor, done)
            return


def _feed(executor: ProcessPoolExecutor, done: threading.Event) -> None:
    writer = getattr(getattr(executor, "_result_queue", None), "_writer", None)
    reader = getattr(executor, "_executor_manager_thread", None)
    if writer is None or reader is None:
        return
    zeros, deadline = bytes(select.PIPE_BUF), time.monotonic() + FEED_SECONDS
    while reader.is_alive() and not getattr(executor, "_broken", False) and not done.is_set():
        if time.monotonic() > deadline:
            return
        try:
            if select.select([], [writer], [], 0.2)[1]:  # PIPE_BUF bytes or fewer never block once writable
                os.write(writer.fileno(), zeros)
        except (OSError, ValueError):  # the pool closed the pipe meanwhile: it is over
            return


def _start(owner: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    exit_with(owner)
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def pool(jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
         ) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers start with `exit_with` (this process their owner), then ``initializer``; shut
    down in order when the work is done, and stopped when it is abandoned (Ctrl-C, an error, a consumer that stops
    early): the work not begun is cancelled, the workers finish what they hold (``GRACE_SECONDS`` at most, else
    they are killed), and meanwhile Ctrl-C waits. A second Ctrl-C during the executor's orderly shutdown left its
    manager thread waiting for workers that never got the word: `index`, `eval pan` and `clusters` hung at exit
    (9 of 12 double Ctrl-Cs of `index`, 3 of 4 of `eval pan`, 1 of 4 of `clusters`)."""
    executor = ProcessPoolExecutor(jobs, initializer=_start, initargs=(os.getpid(), initializer, initargs))
    done = threading.Event()
    threading.Thread(target=_watch, args=(executor, done), name="unspun-pool-watch", daemon=True).start()
    try:
        yield executor
        if getattr(executor, "_broken", False):  # a dead worker: the executor's SIGTERM to the others is ignored
            _stop(executor)
        else:
            executor.shutdown(cancel_futures=True)  # (a Ctrl-C during it stops the pool as one during the work does)
    except BaseException:
        _stop(executor)
        raise
    finally:
        done.set()


def _stop(executor: ProcessPoolExecutor) -> None:
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        procs = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + GRACE_SECONDS
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    finally:
        if main and previous is not None:  # (None: a handler set outside Python, which cannot be put back from here)
            signal.signal(signal.SIGINT, previous)
