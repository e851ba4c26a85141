"""Counts said in words: "1 source", "2 sources" (a report that reads "1 source(s)" reads as unfinished)."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun``, plural unless ``n`` is 1 (``plural``, else ``noun`` + "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
