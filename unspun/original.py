"""Which of a checked text's sources is its likely original, and the evidence said for it: the earliest published
of the sources that explain the text (not those of a passage of it), else the one the aligner's evidence names;
none where the checked text may itself be the original. `Index.check` asks it of every source it found.
"""

from __future__ import annotations

from . import dates
from .models import Document, Passage, Source
from .wording import counted

__all__ = ["WHOLE_SHARE", "likely_original"]


#: A source explaining under this share of what the best one explains gave the checked text a passage (a quotation,
#: one article of a compilation of several), not the text itself: it is not named the original, however early (a
#: copy of an article quoting an older one named the older, the source of 16% of it, the original).
WHOLE_SHARE = 0.5


def likely_original(doc: Document, sources: list[Source], close: float) -> tuple[str | None, list[str]]:
    """The likely original among the sources that explain the checked text (`WHOLE_SHARE`) with a passage at least
    ``close`` similar (`check`'s ``strong_similarity``): the earliest published, else the one the aligner's evidence
    names. A source of a passage that the dates would have named instead (older than the one named, or than the
    checked document; dated where the one named is not) is said to be one; so are an undated source that may be the
    original (`_undated`) and text evidence against the one named. Sources that share only loose rewording with the
    checked text are none: two reports of one event in their own words share as much (QA: a copy of one BBC sport
    story named another story on the same athletes, a paraphrase of similarity 0.36, its original, as the only dated
    source), so where all are such, none is named."""
    if not sources:
        return None, []
    near = [s for s in sources if _closest(s).similarity >= close]
    if not near:
        s = sources[0]
        best = _closest(s)
        which = s.id if len(sources) == 1 else f"its {len(sources)} sources ({s.id} explains the most)"
        return None, [f"{which} share{'s' if len(sources) == 1 else ''} only loose rewording with the checked text "
                      f"(the closest passage: {best.kind} {best.similarity:.2f}, under {close:.2f}): two reports of "
                      "one event in their own words can share as much, so no source is named the original"]
    sources = near
    best = max(s.score for s in sources)
    whole = [s for s in sources if s.score >= WHOLE_SHARE * best]
    part = [s for s in sources if s.score < WHOLE_SHARE * best]
    first, evidence = _earliest(doc, whole, " explaining the checked text" if part else "")
    named = next((s for s in whole if s.id == first), None)
    dated = [s for s in whole if dates.span(s.published) is not None]
    ref = dates.span(named.published if named is not None else doc.published)
    if named is None and dated and (ref is None or not all(dates.before(ref, dates.span(s.published))
                                                           for s in dated)):
        # None named among dated sources the dates could not order (a tie): older than they are, not than an
        # undated checked document, which made a source five years later "dated, but only a passage's".
        ref = min((dates.span(s.published) for s in dated), key=lambda t: t[0])
    when = {s.id: t for s in part if (t := dates.span(s.published)) is not None}
    older = [s for s in part if s.id in when and (ref is None or dates.before(when[s.id], ref))]
    if older:
        # The oldest, not the strongest: copies of one story tie on score, and the line named a later copy.
        s = max((s for s in older if not any(dates.before(when[t.id], when[s.id]) for t in older)),
                key=lambda s: s.score)
        more = "" if len(older) == 1 else f" (and {counted(len(older) - 1, 'other')})"
        than = f", {first} {named.score:.0%}" if named is not None else ""
        evidence.append(f"{s.id} ({s.published}) is {'older' if ref is not None else 'dated'}{more} but explains "
                        f"only {s.score:.0%} of the checked text{than}: the source of a passage, not of the text")
    if dated:
        evidence.extend(_undated(whole, named or max(dated, key=lambda s: s.score)))
    if named is not None and named.comparison.text_source == "a":
        # Named by its date or its share; the text says the checked document came first (the named one carries
        # what a copy adds, debris or an inserted sentence, that the checked one lacks): both are said.
        evidence.append(f"but the aligner's evidence names the checked document the source of {named.id} (A: the "
                        f"checked document, B: {named.id}): " + "; ".join(named.comparison.text_evidence))
    return first, evidence


def _closest(s: Source) -> Passage:
    """The source's closest passage (a source has one at least)."""
    return max(s.comparison.passages, key=lambda x: x.similarity)


def _undated(whole: list[Source], named: Source) -> list[str]:
    """A line on the strongest source the dates could not order (no date, or one that reads as none) when it
    explains as much of the checked text as ``named`` (the one the dates named, else the strongest dated source),
    or the aligner's evidence names it the checked text's source, and not a copy of it: an undated original lost
    silently to a dated copy of it."""
    undated = [s for s in whole if dates.span(s.published) is None]
    strong = [s for s in undated if s.comparison.source != "a"
              and (s.score >= named.score or s.comparison.source == "b")]
    if not strong:
        return []
    s = max(strong, key=lambda s: (s.comparison.source == "b", s.score))
    what = ("carries no date" if not (s.published or "").strip()
            else f"carries the date {s.published!r}, which does not read as one")
    others = len(undated) - 1
    more = "" if not others else (f" ({others} other source{' has' if others == 1 else 's have'} no date that "
                                  "reads as one either)")
    aligner = "; the aligner's evidence names it the checked text's source" if s.comparison.source == "b" else ""
    return [f"{s.id} {what}{more}, so the dates could not place it; it explains {_share(s.score, named.score)} of "
            f"the checked text, {named.id} {_share(named.score, s.score)}{aligner}: it may be the original"]


def _earliest(doc: Document, sources: list[Source], which: str = "") -> tuple[str | None, list[str]]:
    """The earliest published of ``sources``, else the one the aligner's evidence names; none where the checked
    document may be the original (its date before theirs, or tied with theirs and the evidence naming it their
    source) or the evidence cannot choose. ``which`` says which sources they are, in the evidence."""
    when = {s.id: t for s in sources if (t := dates.span(s.published)) is not None}
    dated = [s for s in sources if s.id in when]
    if not dated:
        # (A dated page checked read "no dates" as if its own date had been missed: QA.)
        own = f", though the checked document is dated {doc.published}" if dates.span(doc.published) else ""
        return _by_text(sources, f"no dates to order the sources{which}{own}", checked_may_lead=True)
    # The sources no other one certainly precedes: a year alone, or a day, may hold a later time of another.
    firsts = [s for s in dated if not any(dates.before(when[t.id], when[s.id]) for t in dated)]
    mine = dates.span(doc.published)
    if mine is not None and all(dates.before(mine, when[s.id]) for s in dated):
        undated = len(sources) - len(dated)
        # Only dated sources can be ordered: "every source" would say so of the undated ones too.
        every = f"every source{which}" if not undated else (
            f"every dated source{which} ({len(dated)} of {len(sources)}; {undated} "
            f"{'carries' if undated == 1 else 'carry'} no date)")
        return None, [f"the checked document ({doc.published}) predates {every}; it may be the original"]
    evidence: list[str] = []
    if mine is not None:
        # Earliest among the sources, but after the checked document ("2005-06-01" beside "2005", checked on
        # 2005-01-01): not its original, whatever it explains.
        later = [s for s in firsts if dates.before(mine, when[s.id])]
        if later:
            firsts = [s for s in firsts if s not in later]
            evidence.append(f"the checked document ({doc.published}) predates " + _listed(
                [f"{s.id} ({s.published})" for s in later]) + ", so the dates rule " +
                ("it" if len(later) == 1 else "them") + " out")
    # With its date tied with theirs (or none), the checked document is one more candidate: the text may name it.
    open_to_doc = mine is None or not any(dates.before(when[s.id], mine) for s in firsts)
    if len(firsts) == 1:
        first = firsts[0].id
        evidence.insert(0, f"{first} is the earliest published of the {len(dated)} dated sources{which} "
                           f"({firsts[0].published})" if len(dated) > 1 else
                           f"{first} is the only dated source{which} ({firsts[0].published})")
    else:
        named = ", ".join(f"{s.id} ({s.published})" for s in firsts)
        first, why = _by_text(firsts, "of the sources the dates leave unordered", checked_may_lead=open_to_doc)
        evidence[:0] = [f"the dates do not order {named}: each may be the earliest published of the {len(dated)} "
                        f"dated sources{which}", *why]
    chosen = next((s for s in dated if s.id == first), None)
    if mine is not None and chosen is not None and not dates.before(when[chosen.id], mine):
        # The same day (or a year holding it): the dates do not choose between the two; the text may.
        if chosen.comparison.text_source == "a":
            return None, [*evidence, f"the dates do not order the checked document ({doc.published}) after "
                                     f"{chosen.id} ({chosen.published}), and the aligner's evidence names the checked "
                                     f"document its source: it may be the original"]
        evidence.append(f"the dates do not order the checked document ({doc.published}) after {chosen.id} "
                        f"({chosen.published}): either may be the original")
    if mine is None and doc.published and doc.published.strip():
        # A date the checked document was given but that reads as none (a typo in the page's field) would
        # otherwise vanish: the verdict would look as if it had been weighed against the sources' dates.
        evidence.append(f"the checked document's published {doc.published!r} is not a date, so it was not "
                        "compared with the sources' dates")
    return first, evidence


def _by_text(sources: list[Source], why: str, checked_may_lead: bool = False) -> tuple[str | None, list[str]]:
    """Among sources the dates leave unordered: the one the aligner's evidence names, else the one that explains
    the most of the checked text of those the evidence does not name a copy of it; none where several explain it
    equally. Where the evidence names each of them a copy and no date says otherwise (``checked_may_lead``), none:
    the checked document may be the original, as `compare` and `clusters` say of such a pair (a copy named the
    original on its share contradicted them)."""
    # The texts alone: a source's date against the checked document's would decide between sources whose dates
    # tie (a copy dated to the day beat its original dated to the year, against the debris it carries).
    named_by_text = [s for s in sources if s.comparison.text_source == "b"]
    if named_by_text:
        s = named_by_text[0]
        said = f"{s.id} (A: the checked document, B: {s.id}): " + "; ".join(s.comparison.text_evidence)
        tied = [t.id for t in named_by_text if round(t.score, 4) == round(s.score, 4)]
        if len(tied) > 1:  # an undated duplicate of the original beside it: the first by id was named
            return None, [f"the aligner's evidence names {_listed(tied)} alike the checked text's source, and they "
                          f"explain it equally ({why}); no evidence names one of them the original", said]
        also = []
        if len(named_by_text) > 1:
            others = [f"{t.id} ({_share(t.score, s.score)})" for t in named_by_text[1:4]]
            more = f" and {len(named_by_text) - 4} more" if len(named_by_text) > 4 else ""
            each = "each explaining" if len(named_by_text) > 2 else "explaining"
            also = [f"it names {', '.join(others)}{more} so too, {each} less of it than {s.id} "
                    f"({_share(s.score, named_by_text[1].score)})"]
        return s.id, [said, *also]
    copies = [s for s in sources if s.comparison.text_source == "a"]
    pool = [s for s in sources if s.comparison.text_source != "a"] or sources
    # Every source a copy of the checked text, or the one explaining the most of it (the rest share a part: a
    # half copy was named the original beside a whole copy of the checked text).
    if checked_may_lead and copies and (len(copies) == len(sources) or copies[0].score > pool[0].score):
        which = copies[0].id if len(sources) == 1 else (
            f"each of the {len(sources)} sources" if len(copies) == len(sources) else
            f"{copies[0].id}, which explains more of it ({_share(copies[0].score, pool[0].score)}) than any source "
            f"it does not name a copy ({pool[0].id} {_share(pool[0].score, copies[0].score)})")
        # (``why`` before the ids: "the source of farm (no dates ...)" read as farm's date)
        return None, [f"the aligner's evidence ({why}) names the checked document the source of {which}; it may "
                      "be the original", *(f"{s.id} (A: the checked document, B: {s.id}): "
                                           + "; ".join(s.comparison.text_evidence) for s in copies[:3])]
    first = pool[0]
    # Equal as JSON shows scores (a story stored twice, one copy with a line more): naming one as if it explained
    # more would be a guess said as a finding, and naming the first by id (QA: a farm copy's) put a guess in the
    # headline: none is named.
    tied = [t.id for t in pool if round(t.score, 4) == round(first.score, 4)]
    if len(tied) > 1:
        return None, [f"{_listed(tied)} explain the checked text equally ({why}); no evidence names one of them the "
                      "original"]
    if len(sources) == 1:  # (the only one explaining the text: sources of a passage may stand beside it)
        return first.id, [f"{first.id} is named for want of another ({why}); neither dates nor the aligner's "
                          "evidence order it against the checked document"]
    # The runner-up's share too: 99% against 96% is a thin margin to name an original on, and the reader should see it.
    after = f"; {pool[1].id} {_share(pool[1].score, first.score)}" if len(pool) > 1 else ""
    left = len(sources) - len(pool)
    out = "" if not left else (f", leaving out {counted(left, 'source')} the aligner's evidence names "
                               f"{'a copy' if left == 1 else 'copies'} of it ({copies[0].id} "
                               f"{_share(copies[0].score, first.score)})")
    rest = "; nothing else orders them" if len(pool) > 1 else ""
    share = _share(first.score, pool[1].score) if len(pool) > 1 else f"{first.score:.0%}"
    return first.id, [f"{first.id} explains the most of the checked text ({share}{after}){out} ({why}){rest}"]


def _share(x: float, other: float) -> str:
    """``x`` as a percentage, with as many decimals as it takes to differ from ``other`` where they differ:
    "(100%; some 100%)" read as a tie said to be none."""
    for digits in range(4):
        if f"{x:.{digits}%}" != f"{other:.{digits}%}" or round(x, 4) == round(other, 4):
            return f"{x:.{digits}%}"
    return f"{x:.3%}"


def _listed(ids: list[str]) -> str:
    """"a", "a, b and c", or "a, b, c and 3 more"."""
    if len(ids) == 1:
        return ids[0]
    return (", ".join(ids[:-1]) + f" and {ids[-1]}") if len(ids) <= 4 else (", ".join(ids[:3]) +
                                                                              f" and {len(ids) - 3} more")
