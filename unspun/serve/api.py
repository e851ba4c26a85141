"""The JSON API under ``/v1``: check, compare, extract, documents, health.

Handlers are plain functions, so FastAPI runs them in its thread pool: a check is CPU work that must not block
the event loop, and the index gives each thread its own SQLite connection (health has a thread of its own). Reads
share the store's lock, writes take it alone (see `locks`). Reads need no credentials; writes need the bearer
token the server was started with.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import unquote_to_bytes

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.convertors import PathConvertor, register_url_convertor

from .. import __version__
from ..align import TooLong
from ..compare import compare
from ..errors import InputError
from ..index import Index
from ..ingest import read_text
from ..models import Document
from .extract import extract_html
from .limits import MAX_TEXT
from .locks import ReadWriteLock
from .schemas import (
    AddResponse,
    CheckRequest,
    CheckResponse,
    CompareRequest,
    CompareResponse,
    DeleteResponse,
    DocumentsIn,
    DocumentOut,
    ErrorOut,
    ExtractRequest,
    ExtractResponse,
    Health,
    ReadResponse,
    Problem,
)

router = APIRouter(prefix="/v1")


def _errors(codes: dict[int, str]) -> dict[int | str, dict]:
    """The error answers a route gives besides FastAPI's 422, declared for the OpenAPI schema (clients generated from
    it, and /docs, knew none of them: QA)."""
    return {code: {"model": ErrorOut, "description": why} for code, why in codes.items()}


_STALE = "the store was deleted or replaced on disk after the server opened it: restart the server"
_BUSY = "another process is writing the store: try again (Retry-After)"
_TOKEN = {401: "missing or wrong bearer token", 403: "the server is read-only (started without --write-token)"}


class DocumentId(PathConvertor):
    """A document id in a URL: Starlette's ``path`` (``.*``) stops at a newline, and its ``$`` matches before a
    trailing one, so ``/v1/documents/x%0A`` named (and deleted) document ``x``, and an id holding a newline could be
    stored but never read or deleted. Ids are any text, so the id is every character after the prefix."""

    regex = r"[\s\S]*"


register_url_convertor("docid", DocumentId())


@dataclass
class Service:
    """What the handlers share: the open index, its lock, and the write token (None: the server is read-only)."""

    index: Index
    write_token: str | None = None
    #: Longest text a check or a comparison takes, in characters.
    max_text: int = MAX_TEXT
    lock: ReadWriteLock = field(default_factory=ReadWriteLock)
    @property
    def writable(self) -> bool:
        return self.write_token is not None and not self.index.readonly

    def fits(self, **texts: str) -> None:
        """Refuse (413) a text over ``max_text`` characters, before any work on it."""
        for name, text in texts.items():
            if len(text) > self.max_text:
                raise HTTPException(413, f"{name} has {len(text):,} characters, over this server's limit of "
                                         f"{self.max_text:,} a text (unspun serve --max-text)")

    def counts(self) -> tuple[int, int]:
        """How many documents the store holds now, and how many passages have no saved vector."""
        self.current()
        return len(self.index), self.index.unembedded()

    def current(self) -> None:
        """Refuse to answer from a store that is no longer the one at its path (a stat a request, microseconds):
        its answers would be stale and its writes lost with the deleted file."""
        if not self.index.current():
            raise HTTPException(503, f"the store at {self.index.path} was deleted or replaced on disk after this "
                                     "server opened it: restart `unspun serve` to serve what is there now")


def service(request: Request) -> Service:
    svc = request.app.state.service
    svc.current()
    return svc


Svc = Annotated[Service, Depends(service)]


#: The write token, declared as the bearer scheme it is: /docs then has an Authorize button that sends it (a header
#: parameter named Authorization, as it was declared, is one Swagger UI leaves out of every request: 401; QA).
#: `writer` reads the header itself (its bytes, its padding); the scheme only declares it.
_bearer = HTTPBearer(auto_error=False, description="The server's --write-token (or UNSPUN_WRITE_TOKEN).")


def writer(svc: Svc, request: Request,
           _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None) -> Service:
    return let_write(svc, request.headers.get("authorization"))


def let_write(svc: Service, authorization: str | None) -> Service:
    """Let a write through only with the configured bearer token: 403 when none is configured, 401 when wrong."""
    if not svc.writable:
        raise HTTPException(403, "this server is read-only: start it with --write-token (or UNSPUN_WRITE_TOKEN) "
                                 "to allow adding and deleting documents")
    # Header values arrive decoded as Latin-1: encoded back, they are the bytes sent, which a token that is not
    # ASCII (`--write-token tøken`, sent by curl as UTF-8) must match as the bytes it was given as (argv and the
    # environment decode bytes that are not UTF-8 as surrogates). Only space and tab pad a value.
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(" \t").encode("latin-1"),
                                                              svc.write_token.encode("utf-8", "surrogateescape")):
        raise HTTPException(401, "missing or wrong bearer token" if authorization else "missing bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    return svc


Writer = Annotated[Service, Depends(writer)]


class _TokenFirst(APIRoute):
    """A write route: its token is checked before its body is read. FastAPI parses a JSON body before it runs any
    dependency, so a client without the token sending malformed JSON was told 422 (what the route accepts), not
    401; `writer` runs again as the handler's dependency, which returns the service."""

    def get_route_handler(self):
        handle = super().get_route_handler()

        async def token_first(request: Request) -> Response:
            let_write(service(request), request.headers.get("authorization"))
            return await handle(request)

        return token_first


#: The routes that change the store (under ``/v1`` too).
writes = APIRouter(prefix="/v1", route_class=_TokenFirst)


@router.get("/health", response_model=Health)
@router.head("/health", include_in_schema=False)  # as GET, without the body (uptime checks, `curl -I`)
async def health(request: Request) -> Health:
    """Answered beside running requests, not behind them: in the request threads' turn a probe waited 7-9 s behind
    two long checks on 2 workers (QA), and a load balancer would have called a busy server dead. The counts are the
    store's committed state: they take no lock, and a write in progress is not waited for."""
    svc: Service = request.app.state.service
    count, unembedded = await anyio.to_thread.run_sync(svc.counts, limiter=request.app.state.probes)
    return Health(status="ok", version=__version__, documents=count, writable=svc.writable,
                  semantic=svc.index.semantic, max_text=svc.max_text, unembedded=unembedded)


@router.post("/check", response_model=CheckResponse, responses=_errors({
    409: "the store holds no documents", 413: "the text is over the server's --max-text", 503: _STALE}))
def check(body: CheckRequest, svc: Svc) -> dict:
    """The stored sources of one text, best first, with aligned passages: the `check` JSON contract."""
    svc.fits(text=body.text)
    doc = Document(body.text, path=body.title, published=body.published)
    with svc.lock.read():
        if svc.index.store.empty():  # "no source found" read as "this text is original" (the CLI's error too)
            raise HTTPException(409, "the store holds no documents: add some first (POST /v1/documents, or "
                                     "unspun index), then check")
        # An id the store lacks (a typo: "Copy2" for "copy2") left that document in as the text's first source,
        # with no word: the CLI warns, and an answer has no place for a warning, so it is refused.
        unknown = [(i, x) for i, x in enumerate(body.exclude) if svc.index.store.doc_key(x) is None]
        if unknown:
            raise HTTPException(422, [{"loc": ["body", "exclude", i], "msg": f"no stored document with id {x!r}",
                                       "type": "value_error"} for i, x in unknown[:10]])
        result = svc.index.check(doc, top=body.top, exclude=body.exclude)
    return result.to_json()


@router.post("/compare", response_model=CompareResponse, responses=_errors({
    413: "a text is over the server's --max-text, or the two are too long to align as one pair"}))
def compare_texts(body: CompareRequest, request: Request) -> dict:
    """Align text A against text B: the `compare` JSON contract."""
    request.app.state.service.fits(a=body.a, b=body.b)  # (the store itself is not read: no `service`)
    try:
        return compare(Document(body.a, path="a", published=body.a_published),
                       Document(body.b, path="b", published=body.b_published), in_parts=False).to_json()
    except TooLong as e:  # many short sentences under --max-text: too large as any text over it is
        raise HTTPException(413, f"{e}; send shorter texts") from None


@router.post("/extract", response_model=ExtractResponse, responses=_errors({422: "no main text found in this HTML"}))
async def extract(body: ExtractRequest) -> ExtractResponse:
    """The main text of an HTML page (trafilatura), to check it as the web page does for an uploaded .html file."""
    found = await run_in_threadpool(extract_html, body.html, body.url)
    if found is None:
        raise HTTPException(422, "no main text found in this HTML")
    return found


@router.post("/read", response_model=ReadResponse,
             responses=_errors({422: "the file is not text (what it looks like)"}),
             openapi_extra={"requestBody": {"required": True, "description": "the file's bytes, as uploaded",
                                            "content": {"application/octet-stream": {
                                                "schema": {"type": "string", "format": "binary"}}}}})
async def read_upload(request: Request, name: str) -> ReadResponse:
    """An uploaded file's text, read as `index` and `check` read files (`unspun.ingest.read_text`: encodings,
    binary files refused with what they look like), so the page does not decode uploads by rules of its own."""
    data = await request.body()
    try:
        doc = await run_in_threadpool(read_text, data, name)
    except InputError as e:
        raise HTTPException(422, str(e)) from None
    return ReadResponse(text=doc.text, note=doc.encoding_note)


@writes.post("/documents", response_model=AddResponse, responses=_errors({
    **_TOKEN, 413: "the request body is over the server's limit", 503: _BUSY}))
def add_documents(body: DocumentsIn, svc: Writer) -> AddResponse:
    """Add documents, or replace those with the same id; one object or a list."""
    items = body if isinstance(body, list) else [body]
    with svc.lock.write():
        # One transaction for the request (the body limit bounds it): a 503 (another process writing) leaves none of
        # it stored, not the first batches; wait=False: no reader is held behind an `index` run.
        report = svc.index.add([d.record() for d in items], wait=False, batch=max(1, len(items)))
    return AddResponse(indexed=report.indexed, replaced=report.replaced, repeated=report.repeated,
                       unchanged=report.unchanged,
                       skipped=[Problem(origin=f.origin, reason=f.reason, count=getattr(f, "count", 1))
                                for f in report.skipped],
                       failed=[Problem(origin=f.origin, reason=f.reason) for f in report.failed],
                       notes=[Problem(origin=f.origin, reason=f.reason) for f in report.notes])


def utf8_id(request: Request) -> None:
    """Refuse an id whose percent-escapes are not UTF-8: Starlette decodes them to U+FFFD, which would find (or
    delete) a document whose id holds that character. Stored ids are UTF-8 text, so no document has such an id."""
    try:
        unquote_to_bytes(request.scope.get("raw_path", b"").decode("latin-1")).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(404, "no document with this id: the id in the URL is not UTF-8") from None


@router.get("/documents/{doc_id:docid}", response_model=DocumentOut, dependencies=[Depends(utf8_id)],
            responses=_errors({404: "no document with this id", 503: _STALE}))
@router.head("/documents/{doc_id:docid}", include_in_schema=False, dependencies=[Depends(utf8_id)])
def get_document(doc_id: str, svc: Svc) -> DocumentOut:
    """One stored document with its metadata (a read: no token needed)."""
    with svc.lock.read():
        rec = svc.index.get(doc_id)
    if rec is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return DocumentOut.of(rec)


@writes.delete("/documents/{doc_id:docid}", response_model=DeleteResponse, dependencies=[Depends(utf8_id)],
               responses=_errors({**_TOKEN, 404: "no document with this id", 503: _BUSY}))
def delete_document(doc_id: str, svc: Writer) -> DeleteResponse:
    with svc.lock.write():
        deleted = svc.index.delete(doc_id, wait=False)
    if not deleted:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return DeleteResponse(id=doc_id, deleted=True)
