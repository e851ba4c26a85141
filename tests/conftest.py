"""What every test may take for granted of the process it runs in, whoever started it."""

from __future__ import annotations

import os
import signal


def pytest_configure(config) -> None:
    # A job a script starts in the background inherits SIGINT ignored, and Python keeps it so: the tests that send
    # themselves Ctrl-C then waited forever for a store's lock (found by a review of the suite, not yet seen in CI).
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # The tests' servers listen on 127.0.0.1: a proxy set in the environment must not be asked for them.
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
