"""Worker processes that end with the process that started them, and pools that end with their work.

A pool's workers wait for work on a pipe that each of them holds open too, so when their owner is killed
(SIGKILL, the OOM killer) they never see it close: they waited forever, each holding its memory (the sentence
model alone is ~280 MB) and the store's files. Every pool of unspun (`index`, `eval pan`, `clusters`) is a `pool`,
whose workers start with `exit_with`.
"""

from __future__ import annotations

import os
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
    try:
        yield executor
        executor.shutdown(cancel_futures=True)  # (a Ctrl-C during it stops the pool as one during the work does)
    except BaseException:
        _stop(executor)
        raise


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
