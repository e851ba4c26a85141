"""Retrieval: the few indexed documents worth aligning against a query, found in time sub-linear in the corpus.

Two channels, merged by reciprocal rank:

* *lexical*: the query's chunk fingerprints (content-word pairs) are looked up in the postings; a pair held by
  more than ``max_df`` chunks is generic phrasing and ignored, the others weigh by inverse document frequency
  (one held by ``common_df`` chunks or more is common phrasing, as boilerplate's are). A source chunk counts only
  with at least ``min_shared`` pairs in common, so one stray collision does not make a candidate. Works per chunk,
  so one reused paragraph inside an unrelated article is found.
* *semantic*: the query's chunks are embedded and their nearest stored chunks (usearch) taken when their cosine
  reaches ``min_cos``; this finds translated, summarised and paraphrased passages whose words changed.

The aligner then verifies every candidate; retrieval decides what is worth its time, and `unspun.evidence` what
of the aligner's evidence counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from .fingerprints import Chunk


#: Where the query's evidence lies in a long stored text (`Retrieved.chunks_of`): the chunks of it each query chunk
#: shares the heaviest pairs with, this many at most (a query chunk may draw on two places of a text, or on one
#: passage the text holds twice).
REGION_CHUNKS = 5


@dataclass(frozen=True)
class RetrieveParams:
    """Retrieval settings (tuned on pan13-train; see bench/retrieval.py)."""

    max_df: int = 200
    #: A query whose word pairs are this share or more held by over ``max_df`` chunks each is a story stored more
    #: often than that, not a text of generic phrasing: its pairs are read from the first ``max_df`` chunks holding
    #: each (found nothing: a wire story syndicated 205 times, checked, was "no reuse found", QA).
    crowded_share: float = 0.5
    min_shared: int = 2
    lexical_top: int = 15
    #: Lexical evidence below this (idf-weighted shared pairs) is noise, not a candidate.
    min_lexical: float = 20.0
    semantic_k: int = 5
    min_cos: float = 0.7
    semantic_top: int = 5
    #: This many candidates are verified by the aligner (more for a check asked for more sources: `deep_enough`;
    #: and past them, while each is a source: ``verify_most``).
    verify: int = 15
    #: A lexical-only candidate is aligned only if one query chunk shares pairs weighing at least this much with
    #: one of its chunks: reuse puts many shared pairs in one place, a topical neighbour spreads a few over many
    #: chunks. Below it, the candidate counts as a miss without an alignment (on pan13-train, every 4th suspicious
    #: document: none of the 771 listed sources found falls below 40, 2 of 1,937 sources of any kind do, and 53% of
    #: the verifications that found none; on news checks, a third of the fruitless alignments).
    min_densest: float = 40.0
    #: Verification stops after this many candidates in a row were not sources: candidates come best first,
    #: so a run of misses means the rest are topical neighbours, and each costs an alignment. One more for each
    #: source found, up to twice as many: a compilation's sources lie further down the list, between
    #: neighbours (on pan13-train, whose suspicious documents reuse up to 40 sources: 9 more listed sources of
    #: 2,000 on 03-04, none lost, no task-01 document more), while a text with none stops as soon as before.
    patience: int = 5
    #: Past ``verify`` candidates, verification goes on while every one is a source (one that shares only
    #: boilerplate ends it), up to this many (or ``verify``): a story stored 40 times over is verified in full, so
    #: its earliest copy is named the original whatever ``--top`` (of 40 copies, the 15 verified named a later
    #: one). As many as ``max_df``: a story stored more often than that shares no pair the lexical channel reads.
    verify_most: int = 200
    #: A verified candidate is a source on a passage at least ``strong_similarity`` similar. Looser passages are
    #: judged by the order of the content words their two sides share (`order_z`): a copy, however disguised,
    #: keeps its source's order; two texts on one topic share words in any order. Loose passages of
    #: ``min_reused_chars`` of the checked text or more (together) need ``order_min``; shorter ones are evidence
    #: only from ``order_strong`` (a dozen shared words nearly all in order): one short loose paraphrase is what
    #: two texts on one topic share by chance. Under ``order_least`` shared words, order says nothing: long
    #: passages count by their length alone. Chosen on pan13-train (one susp document in two): of 11 task-01
    #: candidates accepted as long loose passages, 6 are under 1.0 (of 72 listed sources accepted so, 2); of 57
    #: listed sources lost as short loose passages, 17 reach 6.0, none of 16 such task-01 candidates does (at
    #: most 5.0).
    strong_similarity: float = 0.5
    #: Evidence that is all paraphrase, none of it even this similar, names no source however long and in order:
    #: two reports of one event in their own words follow one story, and a check of a BBC sport story named another
    #: story on the same athletes at 0.36 over 97% of it (QA). On pan13-train (a third of the susp documents of
    #: 02-05, top 40), 1 of 1,059 listed sources found rests on such evidence alone (none under 0.35; summaries, which
    #: condense, are left alone: 7 listed sources under 0.40); Clough and Stevenson's rewrites: no copied answer
    #: (none of 19 heavy revisions), 1 of 38 answers in the students' own words.
    min_paraphrase: float = 0.40
    min_reused_chars: int = 400
    order_min: float = 1.0
    order_strong: float = 6.0
    order_least: int = 5
    #: A copy also stands out from the text around it: the words beside a pasted paragraph are its host's, while
    #: a text on the candidate's topic shares words with it throughout, around its loose passages as well
    #: (`surroundings`: the share of the content words around the passages, ``flank_chars`` each side or as far as
    #: the passages reach, that the candidate holds near its side of them; judged from ``flank_words`` of them,
    #: where the passages span at most ``flank_least`` of the query). Long loose passages whose surroundings share
    #: more than ``blend_share`` need ``order_strong``. Chosen on pan13-train's susp documents of even number (of
    #: their 3 task-01 candidates accepted on long loose passages under ``order_strong``, one blends in, 0.55; of
    #: their 17 listed 03-05 sources so accepted, none, 0.29 at most); on the odd ones, 0 of 1 and 1 of 18 (0.41).
    #: Over 2,225 BBC articles each checked against the others: 39 loose sources fewer (follow-up stories restating
    #: a predecessor's background in their own words), 5 more (sources the loose ones had made set text). The
    #: price: a loose rewording only partly in order, pasted into a text on its source's topic, is no evidence.
    #: Short loose passages that stand out (surroundings at most 0.3; measured against the candidate's whole text)
    #: were not let in on weaker order: 47 more listed sources of 03-04, but 45 more loose sources in those BBC
    #: checks (ledes of two reports of one match, line-ups).
    flank_chars: int = 600
    flank_words: int = 15
    flank_least: float = 0.5
    blend_share: float = 0.4
    #: A word pair held by at least this many stored chunks (and at most ``max_df``) is common: templates,
    #: footers, licences (at 5, pan13-train's duplicated documents made real sources look common: -1% recall)...
    common_df: int = 20
    #: ...and a passage whose pairs are more than this share common, covering less than ``boiler_source`` of the
    #: source's text, is boilerplate: no evidence of a source on its own. One that is most of its source, or
    #: ``boiler_query`` of the checked text (and ``min_reused_chars`` long), is the story itself, stored many times
    #: over (syndication: a story checked against 25 stored pages that each held it beside two other articles found
    #: none of them), and stays evidence. The checked text must be nearly all passage, give or take a headline,
    #: byline or a scraper's debris: a short note above a long licence footer is still the footer (at half, a
    #: note of 176 characters above a footer of 455 named the 60 stored articles under that footer).
    boiler_share: float = 0.6
    boiler_source: float = 0.5
    boiler_query: float = 0.8
    #: A short stretch of the query (under ``min_reused_chars``) that this many other verified sources match too,
    #: covering less than ``boiler_source`` of each, is set text: a template or stock sentence held by several
    #: stored documents (on pan13-train, a scrambled "This article needs additional citations" banner in 13).
    #: None turns the rule off.
    set_text_sources: int | None = 3

    def deep_enough(self, top: int) -> RetrieveParams:
        """These settings, verifying enough candidates to find ``top`` sources: ``verify`` serves the default few
        (a compilation of 30 stored articles, asked for 30 sources, got the 15 verified by default)."""
        return self if top + self.patience <= self.verify else self.deeper(top + self.patience)

    def deeper(self, depth: int) -> RetrieveParams:
        """These settings with ``depth`` candidates verified, as many taken from the lexical channel."""
        return replace(self, verify=depth, lexical_top=max(self.lexical_top, depth))


@dataclass
class Candidate:
    doc: int
    lexical: float = 0.0
    #: The idf-weighted pairs that one query chunk shares with one chunk of this document, at most.
    densest: float = 0.0
    semantic: float = 0.0
    rank: float = 0.0

    def worth_aligning(self, p: RetrieveParams) -> bool:
        return self.semantic > 0 or self.densest >= p.min_densest


@dataclass(frozen=True)
class Retrieved:
    """What retrieval found for one query: the stored documents each channel scored, and the query's word pairs
    that are common in the store (for telling boilerplate passages apart)."""

    lexical: dict[int, tuple[float, float]]
    semantic: dict[int, float]
    common: set[int]
    #: What each channel found chunk by chunk (None: the channel found nothing or did not run), and stored chunk ->
    #: its document for every chunk they found: where in a document its evidence lies (`chunks_of`).
    pairs: Shared | None = None
    nearest: tuple[np.ndarray, np.ndarray] | None = None  # (query chunks, k) keys and distances
    chunk_doc: dict[int, int] = field(default_factory=dict)
    #: Whether the query's pairs were read from the first chunks holding them (`RetrieveParams.crowded_share`).
    crowded: bool = False

    def chunks_of(self, doc: int, p: RetrieveParams, floor: float = 0.0) -> list[int]:
        """The chunks of ``doc`` where the query's evidence lies: for each query chunk, the `REGION_CHUNKS` chunks of
        ``doc`` it shares the heaviest pairs with (weighing ``floor`` or more) and its nearest one there (at
        ``min_cos`` or closer), in key order."""
        out: set[int] = set()
        s = self.pairs
        if s is not None and len(s.chunk):
            mine = np.fromiter((self.chunk_doc.get(c) == doc for c in s.chunk.tolist()), dtype=bool, count=len(s.chunk))
            mine &= s.weight >= floor
            q, c, w = s.query[mine], s.chunk[mine], s.weight[mine]
            order = np.lexsort((-w, q))  # by query chunk, heaviest first
            q, c = q[order], c[order]
            first = np.flatnonzero(np.r_[True, q[1:] != q[:-1]])  # where each query chunk's matches begin
            rank = np.arange(len(q)) - np.repeat(first, np.diff(np.r_[first, len(q)]))
            out.update(c[rank < REGION_CHUNKS].tolist())
        if self.nearest is not None:
            for keys, dists in zip(*self.nearest):
                for k, d in zip(keys.tolist(), dists.tolist()):
                    if self.chunk_doc.get(k) == doc:
                        if 1.0 - d >= p.min_cos:
                            out.add(k)
                        break
        return sorted(out)

    def ranked(self, p: RetrieveParams) -> Iterator[Candidate]:
        """Candidates best first, each once: the ``p.verify`` that `merge` ranks first, then, for a caller that
        goes on (past ``verify`` while each is a source), more ranked anew, ``p.verify_most`` at most."""
        seen: set[int] = set()
        depth = p.verify
        while True:
            batch = merge(self.lexical, self.semantic, p if depth == p.verify else p.deeper(depth))
            for c in batch:
                if c.doc not in seen:
                    seen.add(c.doc)
                    yield c
            if len(batch) < depth or depth >= p.verify_most:
                return
            depth = min(p.verify_most, 2 * depth)


@dataclass(frozen=True)
class Shared:
    """Pairs of chunks (a query chunk, a stored chunk) that share at least ``min_shared`` word pairs, with the
    idf weight of what they share: the lexical evidence, before it is known which document holds each chunk."""

    query: np.ndarray  # int64 index of the query chunk
    chunk: np.ndarray  # int64 stored chunk key
    weight: np.ndarray  # float64 sum of the shared pairs' idf


def _group(outer: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (outer, inner) pairs of two non-negative int64 arrays, and each element's pair: one sort of a
    combined key instead of a sort of rows."""
    span = int(inner.max()) + 1
    key, inverse = np.unique(outer * span + inner, return_inverse=True)
    return key // span, key % span, inverse


def shared(postings: dict[int, list[int] | None], query: list[Chunk], total_chunks: int, p: RetrieveParams) -> Shared:
    """Every (query chunk, stored chunk) sharing ``min_shared`` pairs or more, in numpy: a query meets thousands
    of stored chunks through its pairs, and all but a few share only one."""
    held = [h for h, cs in postings.items() if cs]
    lens = np.array([len(postings[h] or ()) for h in held], dtype=np.int64)
    at = {h: i for i, h in enumerate(held)}
    flat = np.fromiter((c for h in held for c in postings[h] or ()), dtype=np.int64, count=int(lens.sum()))
    starts = np.cumsum(lens) - lens
    idf = np.log1p(total_chunks / lens)
    qi, hi = [], []
    for i, q in enumerate(query):
        for h in q.grams.tolist():
            k = at.get(h)
            if k is not None:
                qi.append(i)
                hi.append(k)
    if not hi:
        empty = np.zeros(0, dtype=np.int64)
        return Shared(empty, empty, np.zeros(0))
    q_arr, h_arr = np.array(qi, dtype=np.int64), np.array(hi, dtype=np.int64)
    reps = lens[h_arr]
    offsets = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    chunk = flat[np.repeat(starts[h_arr], reps) + offsets]
    q_of, chunk_of, inverse = _group(np.repeat(q_arr, reps), chunk)
    count = np.bincount(inverse, minlength=len(q_of))
    weight = np.bincount(inverse, weights=np.repeat(idf[h_arr], reps), minlength=len(q_of))
    keep = count >= p.min_shared
    return Shared(q_of[keep], chunk_of[keep], weight[keep])


def lexical(s: Shared, chunk_doc: dict[int, int]) -> dict[int, tuple[float, float]]:
    """Score source documents by the idf-weighted content-word pairs they share with the query, per chunk: for each
    document, (the sum over query chunks of their best matching chunk there, the best of those)."""
    doc = np.array([chunk_doc.get(c, -1) for c in s.chunk.tolist()], dtype=np.int64)
    ok = doc >= 0
    q, doc, w = s.query[ok], doc[ok], s.weight[ok]
    if not len(doc):
        return {}
    # each query chunk votes once per document: its best matching chunk there
    _, doc_of, inverse = _group(q, doc)
    best = np.full(len(doc_of), -np.inf)
    np.maximum.at(best, inverse, w)
    docs, at = np.unique(doc_of, return_inverse=True)
    total = np.bincount(at, weights=best, minlength=len(docs))
    densest = np.full(len(docs), -np.inf)
    np.maximum.at(densest, at, best)
    return {int(d): (float(t), float(m)) for d, t, m in zip(docs, total, densest)}


def semantic(keys: np.ndarray, distances: np.ndarray, chunk_doc: dict[int, int], p: RetrieveParams) -> dict[int, float]:
    """Score source documents by the cosine of their chunks nearest to each query chunk."""
    docs: dict[int, float] = defaultdict(float)
    for row_keys, row_dist in zip(keys, distances):
        best: dict[int, float] = {}
        for k, dist in zip(row_keys.tolist(), row_dist.tolist()):
            cos = 1.0 - dist
            d = chunk_doc.get(k)
            if d is not None and cos >= p.min_cos:
                best[d] = max(best.get(d, 0.0), cos)
        for d, s in best.items():
            docs[d] += s
    return docs


def merge(lex: dict[int, tuple[float, float]], sem: dict[int, float], p: RetrieveParams) -> list[Candidate]:
    """Top candidates of both channels, ordered by reciprocal rank fusion."""
    out: dict[int, Candidate] = {}
    totals = {d: s for d, (s, _) in lex.items()}
    for channel, scores, top in (("lexical", totals, p.lexical_top), ("semantic", sem, p.semantic_top)):
        floor = p.min_lexical if channel == "lexical" else 0.0
        ranked = sorted(((d, s) for d, s in scores.items() if s >= floor), key=lambda kv: -kv[1])[:top]
        for r, (d, s) in enumerate(ranked):
            c = out.setdefault(d, Candidate(d))
            setattr(c, channel, s)
            c.rank += 1.0 / (10 + r)
    for d, c in out.items():
        c.densest = lex.get(d, (0.0, 0.0))[1]
    return sorted(out.values(), key=lambda c: -c.rank)[: p.verify]
