"""HTML to checkable text, as `unspun index` reads HTML files: trafilatura's main text, no menus, ads or comments."""

from __future__ import annotations

import trafilatura
from trafilatura.settings import set_date_params

from .schemas import ExtractResponse


def extract_html(page: str, url: str | None = None) -> ExtractResponse | None:
    """The page's main text and declared metadata; None when it has no main text (or cannot be parsed)."""
    try:
        found = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                            date_extraction_params=set_date_params(extensive=False))
    except Exception:  # lxml and trafilatura on arbitrary pages: no text, not a server error
        return None
    if found is None or not (found.text or "").strip():
        return None
    return ExtractResponse(text=found.text, title=found.title, published=found.date, lang=found.language,
                           url=url or found.url)
