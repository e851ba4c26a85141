"""Worker processes that end with the process that started them.

A pool's workers wait for work on a pipe that each of them holds open too, so when their owner is killed
(SIGKILL, the OOM killer) they never see it close: they waited forever, each holding its memory (the sentence
model alone is ~280 MB) and the store's files. Every pool of unspun (`index`, `eval pan`, `clusters`) starts its
workers with `exit_with`, which also leaves Ctrl-C to the owner.
"""

from __future__ import annotations

import os
import signal
import threading
import time


def exit_with(owner: int) -> None:
    """In a worker: exit within a second of the process ``owner`` (its pid, the pool's owner) being gone.

    The worker watches the parent it started under: the owner, or the fork server (forkserver, Python 3.14's
    default start method on Linux), which is not the owner but exits with it; where it is not the owner, the owner's
    pid is checked on too (an owner dead before the worker started).

    The worker ignores Ctrl-C: a terminal sends it to the whole process group, and a worker it interrupted while
    reading the pool's queue died holding the queue's lock, so the other workers waited on it for ever, and the
    owner, exiting, for them (`unspun index` hung after "interrupted"). The owner stops the pool instead."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
