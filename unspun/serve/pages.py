"""The web pages: the check page at ``/``, one page per stored document, and the API docs, all served locally.

Pages are static HTML shells; their script fetches the JSON API and builds every piece of document text into the
DOM with ``textContent``, so a document cannot inject markup. A Content-Security-Policy allowing only this origin
backs that up and keeps any page from loading anything from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from . import api  # noqa: F401  (registers the `docid` convertor the document page's route uses)

STATIC = Path(__file__).parent / "static"
#: The HTML report's script, which links the passages of a side-by-side view: the pages use the same one.
PASSAGES_JS = Path(__file__).parent.parent / "report" / "passages.js"
#: Only this origin, no inline script: data shown in a page can never run.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

#: HEAD answers as GET does, without the body (HTTP requires it of a server; `curl -I`, uptime checks): FastAPI's
#: GET routes, unlike Starlette's, answered it 405, and the static files beside them 200.
GET = ["GET", "HEAD"]

router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=GET)
def check_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=HEADERS)


@router.api_route("/documents/{doc_id:docid}", methods=GET)
def document_page(doc_id: str) -> FileResponse:
    """The same shell for every id: its script reads the id from the address and asks the API."""
    return FileResponse(STATIC / "document.html", headers=HEADERS)


@router.api_route("/static/passages.js", methods=GET)
def passages_js() -> FileResponse:
    return FileResponse(PASSAGES_JS)


@router.api_route("/docs", methods=GET)
def docs() -> HTMLResponse:
    """Swagger UI from the bundled copy (swagger-ui-bundle-v2), not FastAPI's default CDN. Its one inline script
    (the configuration) is allowed by its hash, and Swagger UI styles elements inline; nothing else is."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="unspun API",
                               swagger_js_url="/static/swagger/swagger-ui-bundle.js",
                               swagger_css_url="/static/swagger/swagger-ui.css",
                               swagger_favicon_url="/static/swagger/favicon-32x32.png",
                               swagger_ui_parameters={"validatorUrl": None})
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'"
                      for s in re.findall(rb"<script>(.*?)</script>", page.body, re.S))
    csp = CSP.replace("script-src 'self'", f"script-src 'self' {hashes}").replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'")
    page.headers.update({**HEADERS, "Content-Security-Policy": csp})
    return page


class LockedStaticFiles(StaticFiles):
    """Static files with the pages' headers: the bundled Swagger UI also holds its demo page (index.html, which
    fetches the Petstore example from petstore.swagger.io) and oauth2-redirect.html, served without a CSP."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(HEADERS)
        return response


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static/swagger", LockedStaticFiles(directory=str(swagger_ui_bundle.swagger_ui_path)),
              name="swagger")
    app.mount("/static", LockedStaticFiles(directory=str(STATIC)), name="static")
