"""HTML to checkable text, as `unspun index` reads HTML files: trafilatura's main text, no menus, ads or comments."""

from __future__ import annotations

from ..corpus import page_record
from ..dates import span
from ..models import Record
from .schemas import ExtractResponse


def extract_html(page: str, url: str | None = None) -> ExtractResponse | None:
    """The page's main text and declared metadata (`unspun.corpus.page_record`, as `index` reads a page); None
    when it has no main text or cannot be parsed."""
    found = page_record(page, "page", "upload", url=url)
    if not isinstance(found, Record):
        return None
    # A declared date that is no date ("{{date}}", "N/A") is not handed on: /v1/check refuses it, and the check
    # page sent it back from the field it filled (QA).
    published = found.published if found.published and span(found.published) else None
    return ExtractResponse(text=found.text, title=found.title, published=published, lang=found.lang, url=found.url)
