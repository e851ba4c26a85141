"""PAN's measures of text alignment, implemented from their definitions.

* Character level (Potthast et al. 2010, "An Evaluation Framework for Plagiarism Detection"): macro-averaged
  recall and precision over cases and detections, granularity, and plagdet = F1 / log2(1 + granularity). A
  detection r *detects* a case s when they belong to the same document pair and overlap on both sides; the
  characters of a case or detection are those of its suspicious span plus those of its source span.
  As in PAN's official script: with no cases and no detections recall and precision are 1; with only one of the
  two missing they are 0; granularity is 1 when no case is detected.
* Case and document level (Potthast et al. 2014, "Improving the Reproducibility of PAN's Shared Tasks"): a case
  counts as detected when one detection covers more than `TAU` of it (recall of the pair) with more than `TAU` of the
  detection on it (precision of the pair); case-level precision is the share of detections that detect a case so;
  a document pair counts as detected when one of its cases is; document-level precision is the share of pairs with
  detections that have such a detection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .xml import Case

Span = tuple[int, int]
#: One document pair: its true cases and a system's detections.
PairResult = tuple[list[Case], list[Case]]
#: The share of a case and of a detection the other must cover at case level (Potthast et al. 2014's tau).
TAU = 0.5


def _union(spans: list[Span]) -> list[Span]:
    out: list[list[int]] = []
    for s, e in sorted(x for x in spans if x[1] > x[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _inter(span: Span, union: list[Span]) -> int:
    return sum(max(0, min(span[1], e) - max(span[0], s)) for s, e in union)


def _overlap(x: Span, y: Span) -> bool:
    return x[0] < y[1] and y[0] < x[1]


def _detects(r: Case, s: Case) -> bool:
    return _overlap(r.this, s.this) and _overlap(r.source, s.source)


def _size(c: Case) -> int:
    return (c.this[1] - c.this[0]) + (c.source[1] - c.source[0])


def _covered(c: Case, others: list[Case]) -> int:
    """Characters of ``c`` (both sides) inside the union of ``others``."""
    return _inter(c.this, _union([o.this for o in others])) + _inter(c.source, _union([o.source for o in others]))


@dataclass(frozen=True)
class Scores:
    recall: float
    precision: float
    granularity: float
    plagdet: float
    case_precision: float
    case_recall: float
    case_f: float
    doc_precision: float
    doc_recall: float
    doc_f: float
    cases: int
    detections: int


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def score(pairs: list[PairResult]) -> Scores:
    """All PAN measures over a set of document pairs (each pair's cases and detections)."""
    rec_sum = prec_sum = 0.0
    n_cases = n_dets = 0
    gran: list[int] = []
    case_hits = det_hits = 0
    doc_true = doc_detected = doc_with_dets = doc_dets_true = 0
    for cases, dets in pairs:
        n_cases += len(cases)
        n_dets += len(dets)
        for s in cases:
            found = [r for r in dets if _detects(r, s)]
            if found:
                rec_sum += _covered(s, found) / max(_size(s), 1)
                gran.append(len(found))
        for r in dets:
            found = [s for s in cases if _detects(r, s)]
            if found:
                prec_sum += _covered(r, found) / max(_size(r), 1)
        # Case level: pairs (s, r) that cover each other by more than TAU.
        good = [
            (i, j)
            for i, s in enumerate(cases)
            for j, r in enumerate(dets)
            if _detects(r, s)
            and _covered(s, [r]) / max(_size(s), 1) > TAU
            and _covered(r, [s]) / max(_size(r), 1) > TAU
        ]
        case_hits += len({i for i, _ in good})
        det_hits += len({j for _, j in good})
        if cases:
            doc_true += 1
            doc_detected += bool(good)
        if dets:
            doc_with_dets += 1
            doc_dets_true += bool(good)
    if n_cases == 0 and n_dets == 0:
        recall = precision = 1.0
    elif n_cases == 0 or n_dets == 0:
        recall = precision = 0.0
    else:
        recall, precision = rec_sum / n_cases, prec_sum / n_dets
    g = sum(gran) / len(gran) if gran else 1.0
    cp = det_hits / n_dets if n_dets else (1.0 if n_cases == 0 else 0.0)
    cr = case_hits / n_cases if n_cases else (1.0 if n_dets == 0 else 0.0)
    dp = doc_dets_true / doc_with_dets if doc_with_dets else (1.0 if doc_true == 0 else 0.0)
    dr = doc_detected / doc_true if doc_true else (1.0 if doc_with_dets == 0 else 0.0)
    return Scores(
        recall=recall,
        precision=precision,
        granularity=g,
        plagdet=_f(precision, recall) / math.log2(1 + g),
        case_precision=cp,
        case_recall=cr,
        case_f=_f(cp, cr),
        doc_precision=dp,
        doc_recall=dr,
        doc_f=_f(dp, dr),
        cases=n_cases,
        detections=n_dets,
    )
