"""Clusters: documents connected by links that explain a real share of the shorter document, and their original.

Only links covering at least ``edge_coverage`` of the shorter side (boilerplate already removed) are edges, so a
few shared sentences or a common footer never chain two stories together. The original is the earliest published
member; without dates, the member the aligner's direction evidence names as the source most often.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..components import components
from ..dates import before, span
from ..wording import counted
from .links import Link
from .params import ClusterParams


@dataclass(frozen=True)
class Copy:
    id: str
    published: str | None
    #: Share of the copy (non-space characters, boilerplate excluded) its link to the original explains; without
    #: such a link, the most that one of its links explains...
    reused: float
    #: ...the member at the other end of that link (the original, or the member whose link explains the most of it,
    #: the first by id of equals: a copy "98% reused" under an original it shares nothing with read as taken from it;
    #: a link that names this member the source comes after those that do not)...
    source: str
    #: ...and whether that link names this member the source: the other member copied it (an original pasted into a
    #: later compilation read "50% reused (of the compilation)", QA). Not in the JSON.
    copied_by: bool = False


@dataclass(frozen=True)
class Cluster:
    id: int
    members: list[str]
    original: str
    why: str
    copies: list[Copy] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"type": "cluster", "id": self.id, "size": len(self.members), "members": self.members,
                "original": self.original, "why": self.why,
                "copies": [{"id": c.id, "published": c.published, "reused": round(c.reused, 4), "from": c.source}
                           for c in self.copies],
                "links": [list(k) for k in self.links]}


def clusters(links: Iterable[Link], p: ClusterParams) -> list[Cluster]:
    """Connected components over the edge links, largest first."""
    edges = sorted((l for l in links if l.smaller_coverage() >= p.edge_coverage), key=lambda l: l.key)
    node = {x: i for i, x in enumerate(sorted({x for l in edges for x in l.key}))}
    label = components(len(node), [(node[l.a], node[l.b]) for l in edges])
    groups: dict[int, list[Link]] = defaultdict(list)
    for l in edges:
        groups[label[node[l.a]]].append(l)
    built = [_cluster(g) for g in groups.values()]
    built.sort(key=lambda c: (-len(c.members), c.original))
    return [Cluster(i + 1, c.members, c.original, c.why, c.copies, c.links) for i, c in enumerate(built)]


def _cluster(edges: list[Link]) -> Cluster:
    published: dict[str, str | None] = {}
    for l in edges:
        published[l.a], published[l.b] = l.published_a, l.published_b
    members = sorted(published)
    original, why = _original(members, published, edges)
    # A member's most explained share, by which other member, and whether that link names the member the source.
    reused: dict[str, tuple[float, str, bool]] = {}
    for l in edges:
        for m, cov, other, side in ((l.a, l.coverage_a, l.b, "a"), (l.b, l.coverage_b, l.a, "b")):
            held, named = reused.get(m), l.source == side
            # The link with the original wins; else one that does not name the member the source, the one that
            # explains the most, the first by id of equals.
            if other == original or held is None or (
                    held[1] != original and (named, -cov, other) < (held[2], -held[0], held[1])):
                reused[m] = (cov, other, named)
    copies = [Copy(m, published[m], *reused[m]) for m in members if m != original]
    copies.sort(key=lambda c: (-c.reused, c.id))
    return Cluster(0, members, original, why, copies, [l.key for l in edges])


def _original(members: list[str], published: dict[str, str | None], edges: list[Link]) -> tuple[str, str]:
    when = {m: span(d) for m, d in published.items()}
    dated = sorted((t, m) for m, t in when.items() if t is not None)
    score: dict[str, int] = defaultdict(int)
    said: dict[str, str] = {}
    for l in edges:
        if l.source in ("a", "b"):
            src, cp = (l.a, l.b) if l.source == "a" else (l.b, l.a)
            score[src] += 1
            score[cp] -= 1
            said.setdefault(src, f"{l.a} vs {l.b}: " + "; ".join(l.evidence))
    if dated:
        return _by_dates(members, published, dated, score)
    degree: dict[str, int] = defaultdict(int)
    for l in edges:
        degree[l.a] += 1
        degree[l.b] += 1
    top = max(score[m] for m in members)
    tied = [m for m in members if score[m] == top]
    if top > 0 and len(tied) == 1:
        return tied[0], (f"no dates; the aligner's direction evidence names it the source (net "
                         f"{counted(top, 'link')}): {said[tied[0]]}")
    if top > 0:
        # Copies that each carry their own debris name every cleaner member the source alike: the tie is said,
        # not passed off as the evidence naming one.
        best = max(tied, key=lambda m: (degree[m], -members.index(m)))
        names = ", ".join(tied[:4]) + (f" and {len(tied) - 4} more" if len(tied) > 4 else "")
        return best, (f"no dates; the aligner's direction evidence names {len(tied)} members the source alike (net "
                      f"{counted(top, 'link')} each: {names}): a guess among them, the one linked to the most others "
                      f"({degree[best]} of {len(members) - 1}), smallest id on ties; {said[best]}")
    best = max(members, key=lambda m: (degree[m], -members.index(m)))
    # Scores sum to 0: with none above 0, any evidence names each member the source as often as the copy.
    lead = ("no dates, and the aligner's direction evidence runs in a circle (it names each member a copy as often "
            "as a source)" if said else "no dates and no direction evidence")
    return best, (f"{lead}: a guess, the member linked to the most others "
                  f"({degree[best]} of {len(members) - 1}), smallest id on ties")


def _by_dates(members: list[str], published: dict[str, str | None], dated: list[tuple[tuple, str]],
              score: dict[str, int]) -> tuple[str, str]:
    """The earliest dated member and why, and, as `check` says it, what of the aligner's direction evidence the
    dates overrule: an undated member it names the source (the original stored without a date), or the earliest
    dated named a copy (a farm copy dated before the original's date was known). Members the dates leave unordered
    (a tie) are told apart by that evidence, as `check` does, then by id."""
    pos = {m: i for i, m in enumerate(members)}
    firsts = [(t, m) for t, m in dated if not before(dated[0][0], t)]  # none certainly after the earliest
    first_span, first = min(firsts, key=lambda x: (-score[x[1]], x[0][0], pos[x[1]]))
    why = (f"earliest published of the {len(dated)} dated members ({published[first]})" if len(dated) > 1
           else f"the only dated member ({published[first]})")
    has = {m for _, m in dated}
    undated = [m for m in members if m not in has]
    if undated:
        odd = any((published.get(m) or "").strip() for m in undated)
        why += (f"; {len(undated)} member{' has' if len(undated) == 1 else 's have'} no date"
                + (" (or one that reads as none)" if odd else ""))
    tied = [m for t, m in dated if m != first and not before(first_span, t)]
    if tied:
        # A tie, or a year or day alone that may hold the other's time: the dates do not order the two.
        why += f"; the dates do not order it before {tied[0]} ({published[tied[0]]})"
        if score[first] > score[tied[0]]:
            why += (f", chosen as the aligner's direction evidence names it the source more often (net "
                    f"{counted(score[first], 'link')}, {tied[0]} {score[tied[0]]})")
    lead = max(undated, key=lambda m: (score[m], -pos[m]), default=None)
    lead = lead if lead is not None and score[lead] > 0 else None
    bare = "undated" if lead is None or not (published.get(lead) or "").strip() else "with no date that reads as one"
    named = ([f"{lead}, {bare}, the source (net {counted(score[lead], 'link')})"] if lead else []) + (
        [f"{first} a copy (net {counted(-score[first], 'link')})"] if score[first] < 0 else [])
    if named:
        why += "; but the aligner's direction evidence names " + " and ".join(named) + (
            f": {lead} may be the original" if lead else "")
    return first, why
