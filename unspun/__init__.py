"""unspun: find the original behind copied, spun, paraphrased or translated text.

`Index` loads on first use (PEP 562): it brings numpy, SciPy, SQLite and the model's runtime (~0.7 s), and the
command's entry point (`unspun.__main__`) must be running by then to catch a Ctrl-C during that load. The rest
is light (`compare` imports the aligner when called).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .compare import compare
from .errors import InputError, UnspunError
from .models import CheckResult, Comparison, Document, Passage, Record, Source

if TYPE_CHECKING:
    from .index import Index

__all__ = ["compare", "CheckResult", "Comparison", "Document", "Index", "InputError", "Passage", "Record", "Source",
           "UnspunError"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`Index`, imported when first asked for."""
    if name != "Index":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .index import Index

    return Index


def __dir__() -> list[str]:
    return sorted({*globals(), "Index"})
