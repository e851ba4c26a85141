"""Reuse links: the per-document step both engines run (`doc_links`), and the merge of both directions.

Each stored document is checked against the store without itself (`Index.check`: retrieval, then the aligner);
every verified source becomes a link. Passages lying within boilerplate are dropped and coverage is recomputed
over the text outside boilerplate, so a shared footer neither makes a link nor inflates one. A pair is found from both of its
sides; `merge` keeps one link per unordered pair (a = the smaller id), choosing deterministically, so the output
depends neither on the order of the work nor on the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..index import Index
from ..judge import coverage
from ..models import Comparison, Document, Passage, subtract
from . import boilerplate
from .params import ClusterParams

Span = tuple[int, int]


@dataclass(frozen=True)
class Link:
    """One verified reuse between two stored documents; a/b spans as in `unspun compare A B`."""

    a: str
    b: str
    passages: tuple[Passage, ...]
    coverage_a: float
    coverage_b: float
    #: Non-space characters of each document (which side is the shorter).
    chars_a: int
    chars_b: int
    source: str | None = None  # "a", "b" or None: the aligner's direction evidence
    evidence: tuple[str, ...] = ()
    published_a: str | None = None
    published_b: str | None = None
    #: Whose check found this version of the link (a or b): for the tie-break of `merge` only.
    via: str = field(default="a", compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.a, self.b

    def smaller_coverage(self) -> float:
        """Coverage of the shorter document: how much of it the other one explains."""
        return self.coverage_a if self.chars_a <= self.chars_b else self.coverage_b

    def flipped(self) -> Link:
        return Link(self.b, self.a, tuple(Passage(p.b, p.a, p.kind, p.similarity) for p in self.passages),
                    self.coverage_b, self.coverage_a, self.chars_b, self.chars_a,
                    {"a": "b", "b": "a"}.get(self.source or "", None), tuple(_swap_letters(e) for e in self.evidence),
                    self.published_b, self.published_a, "b" if self.via == "a" else "a")

    def to_json(self) -> dict:
        return {
            "type": "link", "a": self.a, "b": self.b,
            "passages": [p.to_json() for p in self.passages],
            "coverage": {"a": round(self.coverage_a, 4), "b": round(self.coverage_b, 4)},
            "source": self.source, "evidence": list(self.evidence),
            "published": {"a": self.published_a, "b": self.published_b},
        }


_LETTER = re.compile(r"(?<![\w'])([AB])(?![\w'])")


def _swap_letters(text: str) -> str:
    """The judge's evidence names the sides A and B; after flipping a link they trade places."""
    return _LETTER.sub(lambda m: "B" if m.group(1) == "A" else "A", text)


def open_index(db: str, p: ClusterParams) -> Index:
    """The store as every worker opens it: read-only, with the cluster run's aligner and retrieval settings."""
    return Index(db, create=False, readonly=True, params=p.align(), retrieve=p.retrieve())


def doc_links(ix: Index, doc_id: str, boiler: frozenset[int], p: ClusterParams) -> list[Link]:
    """The links of one stored document to the others, oriented a < b: the one step both engines distribute."""
    rec = ix.get(doc_id)
    if rec is None:
        return []
    res = ix.check(rec.document(), top=p.top, exclude=[doc_id])
    if not res.sources:
        return []
    mine = boilerplate.spans(rec.text, boiler, p)
    out = []
    for s in res.sources:
        link = _clean(s.comparison, doc_id, s.id, mine, boilerplate.spans(s.comparison.b.text, boiler, p), p)
        if link is not None:
            out.append(link if link.a < link.b else link.flipped())
    return out


def _clean(c: Comparison, a_id: str, b_id: str, ba: list[Span], bb: list[Span], p: ClusterParams) -> Link | None:
    """The link without passages that lie within boilerplate, coverage recomputed; None when nothing is left."""
    keep = [x for x in c.passages if _kept(c.a.text, x.a, ba, p) and _kept(c.b.text, x.b, bb, p)]
    if not keep:
        return None
    ta, tb = _blank(c.a.text, ba), _blank(c.b.text, bb)
    return Link(a_id, b_id, tuple(keep), coverage(ta, [x.a for x in keep]), coverage(tb, [x.b for x in keep]),
                _chars(ta), _chars(tb), c.source, tuple(c.evidence), c.a.published, c.b.published, "a")


def _kept(text: str, span: Span, boiler: list[Span], p: ClusterParams) -> bool:
    """Whether a passage stays: unless boilerplate leaves it under ``passage_chars``. A piece no boilerplate touches
    stays whatever its length (the aligner cuts a passage around inserted text into pieces of 50, as `compare`
    shows them)."""
    rest = _outside(text, span, boiler)
    return rest >= p.passage_chars or rest == _outside(text, span, [])


def _blank(text: str, spans: list[Span]) -> str:
    """The text with its boilerplate turned to spaces (offsets kept): coverage then counts only the rest."""
    if not spans:
        return text
    parts, pos = [], 0
    for s, e in sorted(spans):
        s = max(s, pos)
        if e > s:
            parts += [text[pos:s], " " * (e - s)]
            pos = e
    return "".join(parts) + text[pos:]


def _chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def _outside(text: str, span: Span, boiler: list[Span]) -> int:
    """Non-space characters of ``span`` outside the boilerplate spans."""
    return sum(1 for s, e in subtract([span], boiler) for ch in text[s:e] if not ch.isspace())


def _rank(link: Link) -> tuple:
    """Preference between the two versions of a pair: more explained text, then the check of a."""
    return (round(link.coverage_a + link.coverage_b, 6), link.via == "a")


def merge(found: Iterable[Link], into: dict[tuple[str, str], Link] | None = None) -> dict[tuple[str, str], Link]:
    """One link per unordered pair, whatever the order the versions come in."""
    out = {} if into is None else into
    for link in found:
        old = out.get(link.key)
        if old is None or _rank(link) > _rank(old):
            out[link.key] = link
    return out


def comparison(link: Link, text_a: str, text_b: str) -> Comparison:
    """The link as a `Comparison`, for `unspun.report.render_html`."""
    return Comparison(Document(text_a, path=link.a, published=link.published_a),
                      Document(text_b, path=link.b, published=link.published_b),
                      list(link.passages), link.coverage_a, link.coverage_b,
                      link.source, list(link.evidence))  # type: ignore[arg-type]


__all__ = ["Link", "doc_links", "merge", "open_index", "comparison"]
