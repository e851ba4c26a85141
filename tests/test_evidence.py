"""What of the aligner's evidence names a source (`unspun.evidence`): set text, copies of one story, the order of
shared words, and the text around loose passages."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from test_index import HARBOUR, TRAM
from unspun import Index
from unspun.evidence import convincing, order_z, set_text, stories, surroundings
from unspun.models import Passage, Record
from unspun.retrieve import RetrieveParams
from unspun.vectors import Units, units


BANNER = ("This article needs additional citations for verification. Please help improve this article by adding "
          "citations to reliable sources; unsourced material may be challenged and removed.")


def _filler(i: int) -> str:
    words = " ".join((TRAM, HARBOUR)).split()
    rng = random.Random(i)
    return " ".join(rng.sample(words, 70)) + "."


@pytest.mark.parametrize(("copies", "reported"), [(5, 0), (2, 2)])
def test_a_short_sentence_held_by_many_stored_documents_is_set_text(tmp_path: Path, copies: int, reported: int) -> None:
    """One short banner that several stored documents carry names none of them a source; carried by two, it is
    still evidence of both."""
    recs = [Record(id=f"wiki{i}.txt", text=f"{_filler(i)}\n\n{BANNER}") for i in range(copies)]
    recs += [Record(id=f"other{i}.txt", text=_filler(100 + i)) for i in range(8)]
    own = ("Volunteers in the valley planted nine hundred oak saplings on the slopes burned by last summer's "
           "fire, hoping to hold the soil before the autumn storms arrive and wash it into the river below.")
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add(recs)
        ids = [s.id for s in ix.check(f"{own}\n\n{BANNER}").sources]
        assert len(ids) == reported and all(i.startswith("wiki") for i in ids)


def test_a_paragraph_pasted_from_a_story_stored_many_times_is_no_set_text(tmp_path: Path) -> None:
    """A short paragraph pasted from a story that four sites carry (a wire story) was matched by four stored
    documents, so each had three others and the paragraph was set text: no source reported. Copies of one story
    count once; the banner of different articles (the test above) still is set text."""
    paste = ("Divers surveyed the seabed in the autumn and found the old foundations sound enough to build on. "
             "The new wall will be built of granite blocks brought by barge from a quarry on the northern coast.")
    story = f"{TRAM}\n\n{paste}\n\n{HARBOUR}"
    recs = [Record(id=f"site{i}.txt", text=f"Site {i} news\n\n{story}\n\nCopyright site {i}") for i in range(5)]
    recs += [Record(id=f"other{i}.txt", text=_filler(100 + i)) for i in range(8)]
    own = ("Volunteers in the valley planted nine hundred oak saplings on the slopes burned by last summer's "
           "fire, hoping to hold the soil before the autumn storms arrive and wash it into the river below.")
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add(recs)
        ids = [s.id for s in ix.check(f"{own}\n\n{paste}", top=10).sources]
    assert sorted(ids) == [f"site{i}.txt" for i in range(5)]


def test_stories_groups_copies_of_one_text() -> None:
    a = " ".join(_filler(1) for _ in range(3))
    assert stories([a, "Header\n" + a, _filler(2), a + " Footer.", _filler(3)]) == [0, 0, 2, 0, 4]


def test_set_text_spares_long_passages_and_sources_mostly_covered() -> None:
    p = RetrieveParams()
    short = [Passage(a=(100, 280), b=(0, 180), kind="verbatim", similarity=1.0)]
    long = [Passage(a=(100, 700), b=(0, 600), kind="verbatim", similarity=1.0)]
    assert set_text([short] * 4, [5000] * 4, p) == [True] * 4
    assert set_text([short] * 3, [5000] * 3, p) == [False] * 3  # two others only
    assert set_text([long] * 4, [5000] * 4, p) == [False] * 4  # a long passage is evidence however often
    assert set_text([short] * 4, [200] * 4, p) == [False] * 4  # the banner is most of each source: syndication


def test_a_short_passage_inside_other_sources_longer_ones_is_no_set_text() -> None:
    """A round-trip paragraph pasted into a sport article (370 characters) lay inside the loose passages of three
    sport stories on the same event, and was dropped as set text: its source went unreported, asked for 40."""
    p = RetrieveParams()
    pasted = [Passage(a=(1091, 1461), b=(131, 472), kind="paraphrase", similarity=0.71)]
    around = [Passage(a=(33, 2342), b=(0, 1500), kind="paraphrase", similarity=0.52)]
    assert set_text([pasted] + [around] * 3, [3207] + [1585] * 3, p) == [False] * 4
    # A template's matches vary a little at their ends, and are still one stretch (an infobox four Wikipedia
    # articles share, PAN susp 00017): 0-341 twice, 0-380 and 72-341.
    infobox = [[Passage(a=a, b=(0, 300), kind="paraphrase", similarity=0.6)] for a in
               ((0, 341), (0, 341), (0, 380), (72, 341))]
    assert set_text(infobox, [3000] * 4, p) == [True] * 4
    # Review: a source whose copy holds the template and more still matches it (before, the three sources of the
    # template alone fell to two matches each, and all three were named).
    quoted = [[Passage(a=a, b=(0, 200), kind="verbatim", similarity=1.0)] for a in
              ((0, 180), (0, 190), (0, 185), (0, 400))]
    assert set_text(quoted, [3000] * 4, p) == [True, True, True, False]


#: Twenty content words of one topic, and the same words shuffled: what a disguised copy keeps (the order) and what
#: a text on the same topic does not; and the two halves swapped: partly in order.
WORDS = ("harbour ferry timetable council tender diesel engines electric batteries charging berth winter "
         "passengers commuters island crossing fares subsidy shipyard contract delivery").split()
SHUFFLED = random.Random(3).sample(WORDS, len(WORDS))
SWAPPED = WORDS[10:] + WORDS[:10]


def _passage(a: str, b: str, similarity: float = 0.4) -> tuple[list[Passage], object, object]:
    return [Passage(a=(0, len(a)), b=(0, len(b)), kind="paraphrase", similarity=similarity)], units(a), units(b)


def test_order_z_is_high_for_shared_words_in_order_and_near_zero_for_a_shuffle() -> None:
    in_order = " the ".join(WORDS) + "."
    ps, ua, ub = _passage(in_order, " a ".join(WORDS) + ".")
    z, n = order_z(ua, ub, ps)
    assert z > 6 and n == len(WORDS)  # 20 of 20 in order: ~10 deviations above chance
    ps, ua, ub = _passage(in_order, " a ".join(SWAPPED) + ".")
    assert 1 < order_z(ua, ub, ps)[0] < 6  # a run of 10 in order
    ps, ua, ub = _passage(in_order, " a ".join(SHUFFLED) + ".")
    assert order_z(ua, ub, ps)[0] < 1
    ps, ua, ub = _passage(in_order, "Nothing here matches at all.")
    assert order_z(ua, ub, ps) == (-math.inf, 0)


def test_order_z_counts_only_the_words_inside_the_passages() -> None:
    a = " the ".join(WORDS) + "."
    b = " a ".join(WORDS) + "."
    cut = a.index("ferry") + 2  # the passage on A ends inside "ferry": only "harbour" is whole within it
    ps = [Passage(a=(0, cut), b=(0, len(b)), kind="paraphrase", similarity=0.4)]
    assert order_z(units(a), units(b), ps)[1] == 1


@pytest.mark.parametrize(("repeat", "order", "expected"), [
    (1, WORDS, True),  # short and loose, but every shared word in its source's order: a disguised copy
    (1, SWAPPED, False),  # short and loose, only partly in order: not enough on so little text
    (1, SHUFFLED, False),  # short, loose, any order: two texts on one topic
    (4, WORDS, True),  # long and loose, in order
    (4, SWAPPED, True),  # long and loose, partly in order
    (4, SHUFFLED, False),  # long and loose, out of order
])
def test_loose_passages_are_evidence_only_when_they_keep_the_order(repeat: int, order: list[str],
                                                                   expected: bool) -> None:
    a = " ".join([" the ".join(WORDS) + "."] * repeat)
    b = " ".join([" a ".join(order) + "."] * repeat)
    ps, ua, ub = _passage(a, b)
    p = RetrieveParams()
    assert (len(a) >= p.min_reused_chars) == (repeat > 1)
    assert convincing(ps, ua, ub, p) is expected
    assert convincing(_passage(a, b, similarity=0.9)[0], ua, ub, p)  # a close passage needs no order test
    assert not convincing([], ua, ub, p)


def test_paraphrase_alone_under_its_floor_is_no_evidence_however_long_and_in_order() -> None:
    """Two reports of one event in their own words follow one story: a check of a BBC sport story named another on
    the same athletes, a paraphrase of similarity 0.36 over 97% of it (QA). A summary, which condenses, is judged by
    order as before, and so is paraphrase beside a closer passage."""
    a = " ".join([" the ".join(WORDS) + "."] * 4)
    b = " ".join([" a ".join(WORDS) + "."] * 4)
    p = RetrieveParams()
    ps, ua, ub = _passage(a, b, similarity=0.36)
    assert not convincing(ps, ua, ub, p)
    assert convincing(_passage(a, b, similarity=p.min_paraphrase)[0], ua, ub, p)
    assert convincing([Passage(x.a, x.b, "summary", 0.36) for x in ps], ua, ub, p)
    half = len(a) // 2
    two = [Passage((0, half), (0, len(b) // 2), "paraphrase", 0.36), Passage((half, len(a)), (len(b) // 2, len(b)),
                                                                                "edited", 0.45)]
    assert convincing(two, ua, ub, p)


def test_a_long_loose_passage_sharing_too_few_words_to_order_counts_by_its_length() -> None:
    few = ["harbour", "ferry", "timetable", "council"]
    a = "The " + " and the ".join(few) + " met. " + "Quietly, somebody walked along. " * 14
    b = " ".join(reversed(few)) + ". " + "Nothing else here resembles anything at all. " * 8
    ps, ua, ub = _passage(a, b)
    p = RetrieveParams()
    assert len(a) >= p.min_reused_chars and order_z(ua, ub, ps)[1] < p.order_least
    assert convincing(ps, ua, ub, p)
    assert not convincing(ps, ua, ub, RetrieveParams(order_least=0))  # judged by order: reversed


#: More of the candidate's topic (a text on it uses these words too, around its loose passages) and a host's
#: words on another topic entirely.
TOPIC = ("The lighthouse keeper repaired the lantern beside the granite quay while gulls circled the breakwater "
         "and fishermen mended nets. ")
OTHER = ("The orchestra rehearsed a symphony while violinists tuned strings and the conductor studied the score "
         "before the concert. ")


@pytest.mark.parametrize(("order", "around", "times", "expected"), [
    (SWAPPED, OTHER, 5, True),  # long, loose, partly in order, in a text on another topic: a pasted copy
    (SWAPPED, TOPIC, 5, False),  # the same inside a text on the candidate's topic: its words throughout
    (WORDS, TOPIC, 5, True),  # in the candidate's order throughout: evidence wherever it lies
    (SWAPPED, TOPIC, 1, True),  # the text mostly that passage: no text of its own to tell by
])
def test_a_long_loose_passage_partly_in_order_must_stand_out_from_the_text_around_it(
        order: list[str], around: str, times: int, expected: bool) -> None:
    passage = " ".join([" the ".join(WORDS) + "."] * 4)
    a = around * times + passage + " " + around * times
    b = " ".join([" a ".join(order) + "."] * 4) + " " + TOPIC * 3
    ps = [Passage(a=(len(around) * times, len(around) * times + len(passage)), b=(0, b.index(" The ")),
                  kind="paraphrase", similarity=0.4)]
    p = RetrieveParams()
    ua, ub = units(a), units(b)
    assert p.order_min <= order_z(ua, ub, ps)[0] < p.order_strong or order is WORDS
    assert convincing(ps, ua, ub, p) is expected
    assert convincing(ps, ua, ub, RetrieveParams(blend_share=1.0))  # judged by order alone: as before


def _pasted(before: str, after: str, source_tail: str = "") -> tuple[Units, Units, list[Passage]]:
    """The query's and the candidate's units, and a loose copy of the candidate's passage between two stretches of
    the query's own text (the candidate going on with ``source_tail``)."""
    passage = " ".join([" the ".join(WORDS) + "."] * 4)
    a = before + passage + " " + after
    b = " ".join([" a ".join(SWAPPED) + "."] * 4) + " " + TOPIC * 3 + source_tail
    ps = [Passage(a=(len(before), len(before) + len(passage)), b=(0, b.index(" The ")), kind="paraphrase",
                  similarity=0.4)]
    return units(a), units(b), ps


def test_surroundings_are_judged_against_the_candidates_text_near_its_passage_not_all_of_it() -> None:
    """Review: the candidate's whole vocabulary grew with its length, and a copy pasted into an unrelated host was
    rejected once its source was long enough (40,000 characters: 45% of the host's words)."""
    p = RetrieveParams()
    assert surroundings(*_pasted(OTHER * 5, OTHER * 5), p) == 0.0
    far = TOPIC * 10 + OTHER * 40  # the candidate goes on, about anything, far past its passage
    assert surroundings(*_pasted(OTHER * 5, OTHER * 5, far), p) == 0.0


def test_boilerplate_beside_a_passage_is_no_surroundings() -> None:
    """Review: a footer dropped as boilerplate, the candidate's own text, counted as the query's text around the
    passage, and made a pasted copy blend in."""
    ua, ub, ps = _pasted(OTHER * 2, OTHER + TOPIC * 8)
    footer = Passage(a=(ua.text.index(TOPIC), len(ua.text)), b=(ub.text.index(TOPIC), len(ub.text)),
                     kind="verbatim", similarity=1.0)
    p = RetrieveParams()
    assert surroundings(ua, ub, ps, p) > p.blend_share  # the footer's words read as the host's
    assert surroundings(ua, ub, ps, p, ps + [footer]) == 0.0
    assert not convincing(ps, ua, ub, p) and convincing(ps, ua, ub, p, ps + [footer])


def test_surroundings_say_nothing_of_too_little_text_or_of_chinese() -> None:
    p = RetrieveParams()
    assert surroundings(*_pasted("Hi. ", "Bye."), p) is None  # under flank_words words around it
    chinese = "港口委员会今天批准了新的渡轮时刻表。" * 60
    assert surroundings(*_pasted(chinese, chinese), p) is None
