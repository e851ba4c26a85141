"""HTML to checkable text, as `unspun index` reads HTML files: trafilatura's main text, no menus, ads or comments."""

from __future__ import annotations

from ..corpus import page_record
from ..models import Record
from .schemas import ExtractResponse


def extract_html(page: str, url: str | None = None) -> ExtractResponse | None:
    """The page's main text and declared metadata (`unspun.corpus.page_record`, as `index` reads a page); None
    when it has no main text or cannot be parsed."""
    found = page_record(page, "page", "upload", url=url)
    if not isinstance(found, Record):
        return None
    return ExtractResponse(text=found.text, title=found.title, published=found.published, lang=found.lang,
                           url=found.url)
