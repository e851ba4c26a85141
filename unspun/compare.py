"""compare(a, b): two documents aligned and judged, as `unspun compare`, the HTTP API's compare and `eval pan` ask
it (`Index.check` and `clusters` align stored units with the same `align_units` and `judge`)."""

from __future__ import annotations

from collections.abc import Callable

from .models import Comparison, Document


def compare(a: Document | str, b: Document | str, *, in_parts: bool = True,
            progress: Callable[[int, int], None] | None = None) -> Comparison:
    """Align A against B and judge the result: passages, kinds, coverage, likely source. Plain strings are texts
    without a path, as `Index.check` takes them. Two texts too long to align as one pair (`align.TooLong`) are
    aligned a window of A at a time against the regions of B that share its words (`index.align_in_parts`): only
    then is ``progress(done, total)`` called, in characters of A (minutes for texts of megabytes). ``in_parts=False``:
    `TooLong` instead (a server does not give one request that work)."""
    from .align import TooLong, align
    from .judge import judge

    for side, doc in (("a", a), ("b", b)):
        if not isinstance(doc, (str, Document)):  # (None failed as "'NoneType' object has no attribute 'text'")
            raise TypeError(f"compare takes a str or a Document as {side}, not {type(doc).__name__}")
    if progress is not None and not callable(progress):  # (taken without a word, called only for long texts: QA)
        raise TypeError(f"progress must be a function of (done, total), not {type(progress).__name__}")
    a = Document(a) if isinstance(a, str) else a
    b = Document(b) if isinstance(b, str) else b
    try:
        return judge(a, b, align(a.text, b.text))
    except TooLong:
        if not in_parts:
            raise
    # Out of the except block: its traceback would hold both texts' units (hundreds of MB) through the work below.
    from .index import align_in_parts

    return judge(a, b, align_in_parts(a.text, b.text, progress=progress))
