"""The FastAPI application: the JSON API, the web pages, the body limit and error handling, over one open index."""

from __future__ import annotations

import logging
import math
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import UnspunError
from ..index import Index
from ..store import StoreBusy, StoreFault, store_fault, store_fault_message
from . import api, pages
from .limits import MAX_BODY, MAX_TEXT, BodyLimit

log = logging.getLogger("unspun.serve")

DESCRIPTION = """Find the original behind copied, spun, paraphrased or translated text.

`POST /v1/check` and `POST /v1/compare` return the same JSON as `unspun check --format json` and
`unspun compare --format json`. Reads need no credentials; adding and deleting documents needs the bearer token
the server was started with (`--write-token` or `UNSPUN_WRITE_TOKEN`); without one the server is read-only.
"""


def _printable(value: object) -> str:
    """Text that JSON can carry: a lone surrogate (from the request itself) as its escape."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def _json_value(value: object) -> object:
    """A limit such as ``{"ge": 1}`` as the number it is; anything else as printable text."""
    if value is None or isinstance(value, (bool, int)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return _printable(value)


def _json_invalid(why: str) -> JSONResponse:
    """A body not read as JSON, answered as FastAPI answers a syntax error (422 ``json_invalid``), with why."""
    return JSONResponse({"detail": [{"type": "json_invalid", "loc": ["body"], "msg": "JSON decode error",
                                     "ctx": {"error": why}}]}, status_code=422)


def _body_fault(exc: BaseException) -> str | None:
    """Why a JSON body could not be read, for the faults FastAPI answers with a bare "error parsing the body"."""
    if isinstance(exc, UnicodeDecodeError):
        return f"the body is not UTF-8 (byte {exc.start}): send JSON as UTF-8"
    if isinstance(exc, RecursionError):
        return "the JSON is nested too deeply"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return "a number in the JSON has too many digits"
    return None


def default_workers() -> int:
    """Threads that run requests: checks are CPU-bound and hold the GIL most of the time, so more threads than
    cores add no throughput, only memory (each holds its own SQLite connection and page cache)."""
    return max(2, min(8, os.cpu_count() or 2))


def create_app(index: Index, *, write_token: str | None = None, max_body: int = MAX_BODY,
               workers: int | None = None, max_text: int = MAX_TEXT) -> FastAPI:
    """An application serving ``index``; the caller owns the index and closes it after the server stops.
    At most ``workers`` requests run at once; the others wait their turn (memory stays bounded under load), and
    none checks or compares a text over ``max_text`` characters (413)."""
    threads = workers or default_workers()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(title="unspun", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None,
                  lifespan=lifespan)
    app.state.service = api.Service(index=index, write_token=write_token or None, max_text=max_text)
    app.state.probes = anyio.CapacityLimiter(1)  # /v1/health's own thread: never queued behind the workers
    app.include_router(api.router)
    app.include_router(api.writes)
    pages.mount(app)
    app.add_middleware(BodyLimit, max_body=max_body)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes each bad value back ("input"), which fails on what made it bad (NaN, a lone
        # surrogate) and echoes a whole list body for one bad item: the reasons and where they are suffice.
        if any(tuple(e["loc"][:1]) == ("body",) and isinstance(e.get("input"), bytes) for e in exc.errors()):
            # FastAPI reads a body as JSON only under Content-Type application/json (or application/*+json); any other, or
            # none (what `curl -d` and a bare request send), leaves it bytes, and "Input should be a valid
            # dictionary" would blame well-formed JSON.
            content_type = request.headers.get("content-type")
            sent = f"sent as {_printable(content_type)}" if content_type else "sent without a Content-Type"
            return _json_invalid(f"the body was {sent}, so it was not read as JSON: send it with "
                                 "Content-Type: application/json")
        errors = [{"type": e["type"], "loc": [x if isinstance(x, int) else _printable(x) for x in e["loc"]],
                   "msg": _printable(e["msg"]), **({"ctx": {k: _json_value(v) for k, v in e["ctx"].items()}}
                                                   if e.get("ctx") else {})} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        # A body JSON cannot parse is a 422 with a reason (as FastAPI answers a syntax error), whatever the fault.
        if exc.status_code == 400 and exc.__cause__ is not None and (why := _body_fault(exc.__cause__)):
            return _json_invalid(why)
        return await http_exception_handler(request, exc)

    @app.exception_handler(StoreBusy)
    async def _busy(request: Request, exc: StoreBusy) -> JSONResponse:
        # Another process (`unspun index`) holds the store's writer lock: waiting would hold every check behind it.
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "60"})

    @app.exception_handler(StoreFault)
    async def _store_failed(request: Request, exc: StoreFault) -> JSONResponse:
        # The store's file or disk failed part-way (`Index` says it so): the server's fault, not the request's.
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=500)

    @app.exception_handler(UnspunError)
    async def _user_error(request: Request, exc: UnspunError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(sqlite3.DatabaseError)
    async def _store_fault(request: Request, exc: sqlite3.DatabaseError) -> JSONResponse:
        # Damaged pages, a full disk: the store's fault, said as `check` says it (it was "internal error:
        # DatabaseError"); our own SQL's faults stay bugs.
        log.exception("%s %s failed", request.method, request.url.path)
        if not store_fault(exc):
            return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)
        return JSONResponse({"detail": store_fault_message(exc, index.path)}, status_code=500)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error: {type(exc).__name__}"}, status_code=500)

    return app
