"""Pool workers end with the process that started them (they waited for work forever once it was killed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PARENT = """
import multiprocessing as mp, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from unspun.workers import exit_with
init = dict(initializer=exit_with, initargs=(os.getpid(),)) if sys.argv[1] == "watched" else {}
pool = ProcessPoolExecutor(1, mp_context=mp.get_context(sys.argv[2]), **init)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(600)
"""


def _gone(pid: int, within: float) -> bool:
    deadline = time.time() + within
    while time.time() < deadline:
        if not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc")
@pytest.mark.parametrize("mode, method", [("watched", "fork"), ("watched", "forkserver"), ("watched", "spawn"),
                                          ("bare", "fork")])
def test_a_worker_exits_when_its_parent_is_killed(mode: str, method: str) -> None:
    """Under every start method the worker first stays to work (it answers), then goes with its owner."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, mode, method], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    try:
        # "bare" shows what the watch is for: without it the worker outlives its parent.
        assert _gone(worker, 10 if mode == "watched" else 3) == (mode == "watched")
    finally:
        try:
            os.kill(worker, signal.SIGKILL)
        except ProcessLookupError:
            pass
