"""Start the server: open the store, bind the port ourselves, hand both to uvicorn.

Binding before uvicorn starts turns "port in use" into a one-line `UnspunError` (the CLI prints it and exits 2)
instead of a log line and a silent exit, and leaves no window in which another process could take the port.
"""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from ..errors import UnspunError
from ..signals import sigterm_unwinds
from ..index import Index, open_index
from ..store import DB_FILE, StoreError
from .app import create_app
from .limits import MAX_BODY, MAX_TEXT

TOKEN_ENV = "UNSPUN_WRITE_TOKEN"
#: Seconds a writable server keeps the store's writer lock after a write (`Index.linger`): writes that come one
#: after another save the vector file once, not once each; an `unspun index` started meanwhile waits that long.
LINGER = 2.0


def open_store(db: Path, writable: bool) -> Index:
    """The store at ``db``, read-only unless writes were asked for; a store we cannot write is an error then."""
    if not writable:
        return open_index(db, readonly=True)
    if not (db / DB_FILE).is_file():
        return open_index(db, readonly=False, linger=LINGER)  # raises the store's "no unspun store here" message
    if not (os.access(db, os.W_OK) and os.access(db / DB_FILE, os.W_OK)):
        raise UnspunError(f"{db}: store is read-only, so it cannot accept writes (--write-token); "
                          "serve it without a write token, or make it writable")
    try:
        return open_index(db, readonly=False, linger=LINGER)
    except (StoreError, sqlite3.Error) as e:
        if "readonly" in str(e).replace("-", "").replace(" ", "").lower():
            raise UnspunError(f"{db}: store is read-only, so it cannot accept writes (--write-token); "
                              "serve it without a write token, or make it writable") from None
        raise UnspunError(str(e)) from None


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or a one-line error saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as e:
        raise UnspunError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise UnspunError(f"{host}:{port}: port already in use (pick another with --port)") from None
        raise UnspunError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.set_inheritable(True)
    return sock


def warm_up() -> None:
    """Load the sentence encoder before the first request: loaded lazily, the first checks that arrive together
    would each wait seconds for it (and could load it several times over)."""
    from ..embed import encode

    encode(["unspun loads its sentence encoder before serving."])


def run(db: Path, host: str = "127.0.0.1", port: int = 8000, write_token: str | None = None,
        max_body: int = MAX_BODY, workers: int | None = None, max_text: int = MAX_TEXT) -> None:
    """Serve the store at ``db`` until interrupted. Writes are allowed only when a token is given (or set in the
    environment as UNSPUN_WRITE_TOKEN); ``workers`` requests run at once (default: one per core, 2 to 8)."""
    token = write_token or os.environ.get(TOKEN_ENV) or None
    if max_body < 1:
        raise UnspunError(f"--max-body must be positive, not {max_body}")
    if max_text < 1:
        raise UnspunError(f"--max-text must be positive, not {max_text}")
    if workers is not None and workers < 1:
        raise UnspunError(f"--workers must be positive, not {workers}")
    with sigterm_unwinds():
        index = open_store(Path(db), writable=token is not None)
        try:
            sock = bind(host, port)
            try:
                warm_up()
                mode = "writes with the bearer token" if token else "read-only"
                shown = f"[{host}]" if ":" in host else host
                print(f"unspun: serving {db} ({len(index):,} documents, {mode}) on "
                      f"http://{shown}:{sock.getsockname()[1]}", file=sys.stderr, flush=True)
                app = create_app(index, write_token=token, max_body=max_body, workers=workers, max_text=max_text)
                server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
                server.run(sockets=[sock])
            finally:
                sock.close()
        finally:
            index.close()


@contextmanager
def background(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread for tests and benchmarks; yields its base URL, stops on exit."""
    sock = bind(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
