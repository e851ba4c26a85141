"""compare(a, b): the one entry point every interface (CLI, API, HTTP, index) uses to align two documents."""

from __future__ import annotations

from .models import Comparison, Document


def compare(a: Document, b: Document) -> Comparison:
    """Align A against B and judge the result: passages, kinds, coverage, likely source."""
    from .align import align
    from .judge import judge

    return judge(a, b, align(a.text, b.text))
