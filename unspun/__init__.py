"""unspun: find the original behind copied, spun, paraphrased or translated text."""

from .compare import compare
from .errors import InputError, UnspunError
from .models import Comparison, Document, Passage

__all__ = ["compare", "Comparison", "Document", "Passage", "InputError", "UnspunError"]
__version__ = "0.1.0"
