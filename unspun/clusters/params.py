"""Settings of `unspun clusters`, in one place so both engines run with exactly the same ones."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..align import Params
from ..retrieve import RetrieveParams


@dataclass(frozen=True)
class ClusterParams:
    """Thresholds of the cluster run; the defaults are what the CLI uses (see bench/clusters.py)."""

    #: Sources asked of each `Index.check`: a wire story copied by many outlets needs more than the 5 of `check`.
    top: int = 25
    #: Retrieval floor (idf-weighted shared word pairs): a link needs more than a couple of shared phrases, and
    #: every candidate costs an alignment, so clusters ask for 3x `check`'s floor (3x faster on BBC news).
    min_lexical: float = 60.0
    #: The aligner's semantic seeds (sentence embeddings) cost ~6x the time of a lexical alignment and found no
    #: extra link on news; UNSPUN_CLUSTERS_SEMANTIC=1 turns them on (translations, paraphrases).
    semantic: bool = field(default_factory=lambda: os.environ.get("UNSPUN_CLUSTERS_SEMANTIC", "0") == "1")
    #: A sentence (at least ``sentence_words`` words) in this many documents is a boilerplate candidate...
    boiler_docs: int = 5
    sentence_words: int = 4
    #: ...and boilerplate when the documents holding it share, median over sampled pairs, less than this share
    #: of their other sentences (a widely copied story shares most of them, a footer almost none).
    boiler_overlap: float = 0.5
    boiler_sample: int = 24
    #: A passage boilerplate reaches keeps this many non-space characters outside it on both sides, or it is dropped.
    passage_chars: int = 100
    #: A link joins a cluster when it covers this share of the shorter document (after boilerplate is removed):
    #: a few shared sentences must not merge two stories.
    edge_coverage: float = 0.3

    def align(self) -> Params:
        return Params(semantic=self.semantic)

    def retrieve(self) -> RetrieveParams:
        # `check`'s set-text rule and its skipping of sparse candidates are left out: they rank one document's
        # sources, and here every link counts. A corpus holds documents duplicated many times over (pan13-train
        # does), and a short passage shared by four copies is a link to each; the clusters' own boilerplate layer
        # judges sentences across the whole corpus instead (with both rules on, pair recall 02-04 on
        # pan13-train fell from 0.950 to 0.943).
        return RetrieveParams(min_lexical=self.min_lexical, verify=max(self.top, RetrieveParams().verify),
                              min_densest=0.0, set_text_sources=None)
