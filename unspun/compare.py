"""compare(a, b): the one entry point every interface (CLI, API, HTTP, index) uses to align two documents."""

from __future__ import annotations

from .models import Comparison, Document


def compare(a: Document | str, b: Document | str) -> Comparison:
    """Align A against B and judge the result: passages, kinds, coverage, likely source. Plain strings are texts
    without a path, as `Index.check` takes them."""
    from .align import align
    from .judge import judge

    a = Document(a) if isinstance(a, str) else a
    b = Document(b) if isinstance(b, str) else b
    return judge(a, b, align(a.text, b.text))
