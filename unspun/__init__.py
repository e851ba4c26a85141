"""unspun: find the original behind copied, spun, paraphrased or translated text."""

from .compare import compare
from .errors import InputError, UnspunError
from .index import Index
from .models import CheckResult, Comparison, Document, Passage, Record, Source

__all__ = ["compare", "CheckResult", "Comparison", "Document", "Index", "InputError", "Passage", "Record", "Source",
           "UnspunError"]
__version__ = "0.1.0"
