"""Output formats of a `Comparison`: terminal text, JSON (the stable contract) and a self-contained HTML page."""

from __future__ import annotations

import json

from ..models import Comparison
from .html import render_html
from .text import render_text


def render_json(c: Comparison) -> str:
    """`Comparison.to_json` as text; non-ASCII kept readable, since paths and evidence may contain it."""
    return json.dumps(c.to_json(), ensure_ascii=False, indent=2)


__all__ = ["render_html", "render_json", "render_text"]
