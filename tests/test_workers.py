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


def _nap(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_an_abandoned_pool_cancels_its_work_and_its_workers_end() -> None:
    """Ctrl-C or an error inside the pool: the work not begun is cancelled, the workers finish what they hold or
    are killed after the grace, and the exception goes on; meanwhile a Ctrl-C waits (it cut the orderly shutdown
    short, and the process hung at exit)."""
    from unspun import workers

    with pytest.raises(RuntimeError, match="abandoned"):
        with workers.pool(2) as pool:
            pids = {pool.submit(_nap, 0).result() for _ in range(4)}
            futures = [pool.submit(_nap, 0.5) for _ in range(40)]  # 20 s of work in all
            time.sleep(0.2)
            started = time.monotonic()  # (the pool's start, slow on a loaded machine, is not the shutdown's)
            raise RuntimeError("abandoned")
    assert time.monotonic() - started < workers.GRACE_SECONDS
    assert all(_gone(pid, 2) for pid in pids)
    assert sum(f.cancelled() for f in futures) >= 30


def test_workers_leave_ctrl_c_to_their_owner() -> None:
    """A terminal sends Ctrl-C to the whole process group; the owner decides what becomes of the work."""
    from unspun import workers

    mine = signal.getsignal(signal.SIGINT)  # (Python's, or what an earlier test's library installed)
    with workers.pool(1) as pool:
        assert pool.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is mine and mine != signal.SIG_IGN


def test_a_worker_that_outlasts_the_grace_is_killed(monkeypatch) -> None:
    from unspun import workers

    monkeypatch.setattr(workers, "GRACE_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with workers.pool(1) as pool:
            pid = pool.submit(os.getpid).result()
            pool.submit(_nap, 60)
            time.sleep(0.2)
            raise KeyboardInterrupt
    assert _gone(pid, 2) and time.monotonic() - started < 10


TORN = """
import os, signal
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from unspun.workers import pool


def die_mid_send() -> bytes:
    # In the worker: its result is written half-way, then the worker is killed (as by the OOM killer).
    send = Connection._send

    def torn(self, buf, *args):
        if len(buf) > 50_000:
            send(self, bytes(buf)[: len(buf) // 2], *args)
            os.kill(os.getpid(), signal.SIGKILL)
        send(self, buf, *args)

    Connection._send = torn
    return b"x" * 100_000


if __name__ == "__main__":
    with pool(2) as p:
        try:
            p.submit(die_mid_send).result(timeout=30)
            print("result")
        except BrokenProcessPool:
            print("broken")
        except TimeoutError:
            print("hung")
            os._exit(0)  # the executor's reader waits for good: exit would join it
"""


def test_a_worker_killed_while_sending_its_result_breaks_the_pool(tmp_path: Path) -> None:
    """A worker killed half-way through sending a result left the executor's reader waiting for the rest, which never
    came: `index` hung for good (its test did, once in 10-20 runs). The pool now breaks, as for any dead worker."""
    script = tmp_path / "torn.py"
    script.write_text(TORN, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "broken", (run.stdout, run.stderr)
