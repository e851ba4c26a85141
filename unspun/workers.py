"""Worker processes that end with the process that started them.

A pool's workers wait for work on a pipe that each of them holds open too, so when their owner is killed
(SIGKILL, the OOM killer) they never see it close: they waited forever, each holding its memory (the sentence
model alone is ~280 MB) and the store's files. Every pool of unspun (`index`, `eval pan`, `clusters`) starts its
workers with `exit_with`.
"""

from __future__ import annotations

import os
import threading
import time


def exit_with(owner: int) -> None:
    """In a worker: exit within a second of the process ``owner`` (its pid, the pool's owner) being gone.

    The worker watches the parent it started under: the owner, or the fork server (forkserver, Python 3.14's
    default start method on Linux), which is not the owner but exits with it; where it is not the owner, the owner's
    pid is checked on too (an owner dead before the worker started)."""
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
