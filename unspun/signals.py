"""SIGTERM (``kill``, ``timeout``, a service manager's stop) handled as Python handles SIGINT: as an exception, so
a long command cleans up before it ends."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(BaseException):
    """SIGTERM as an exception, as Python makes SIGINT one (KeyboardInterrupt)."""


#: Whether a SIGTERM arrived within `sigterm_unwinds`: a library that polls for signals in its own loop (usearch)
#: swallows the exception the handler raised and reports an interruption of its own, which is this then.
received = False


def _terminated(signum: int, frame: object) -> None:
    global received
    received = True
    raise Terminated


def interruption() -> BaseException:
    """The exception for a signal a library swallowed: SIGTERM's if one came, else Ctrl-C's."""
    return Terminated() if received else KeyboardInterrupt()


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """Within it, SIGTERM unwinds the stack as SIGINT does, so every ``finally`` runs (the store closed, the vectors
    of the last writes saved, the workers stopped); then the process ends by the signal, as before. uvicorn
    delivers a SIGTERM again once it has stopped serving, and by default that ended `serve` there, before the store
    was closed; `index` ended mid-batch with its vectors unsaved and its workers left behind."""
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    terminated = False
    try:
        yield
    except Terminated:
        terminated = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
    if terminated:
        signal.raise_signal(signal.SIGTERM)
