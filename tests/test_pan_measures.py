"""PAN measures on small cases computed by hand."""

import math
from pathlib import Path

import pytest

from unspun.pan.measures import score
from unspun.pan.xml import Case

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def c(a, b):
    return Case(a, b)


def test_perfect_detection():
    s = score([([c((0, 100), (0, 100))], [c((0, 100), (0, 100))])])
    assert (s.recall, s.precision, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)
    assert s.case_f == 1.0 and s.doc_f == 1.0


def test_half_detected_on_each_side():
    # case 100 + 100 chars; detection covers 50 of each and nothing else -> recall 100/200, precision 1
    s = score([([c((0, 100), (0, 100))], [c((0, 50), (0, 50))])])
    assert s.recall == pytest.approx(0.5)
    assert s.precision == pytest.approx(1.0)
    assert s.plagdet == pytest.approx(2 * 0.5 / 1.5)
    # the detection covers exactly half of the case: not more than tau=0.5, so no case-level hit
    assert s.case_recall == 0.0


def test_granularity_two_detections_for_one_case():
    # two halves: recall 1, precision 1, granularity 2 -> plagdet 1 / log2(3)
    s = score([([c((0, 100), (0, 100))], [c((0, 50), (0, 50)), c((50, 100), (50, 100))])])
    assert s.recall == pytest.approx(1.0)
    assert s.granularity == 2.0
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_detection_spanning_two_cases_and_overshooting():
    # cases (0,100)/(0,100) and (200,300)/(200,300); one detection (0,300)/(0,300):
    # recall: each case fully covered -> 1; precision: 400 of its 600 chars are case chars -> 2/3
    s = score([([c((0, 100), (0, 100)), c((200, 300), (200, 300))], [c((0, 300), (0, 300))])])
    assert s.recall == pytest.approx(1.0)
    assert s.precision == pytest.approx(400 / 600)
    assert s.granularity == 1.0


def test_no_cases_no_detections_and_false_positive():
    assert score([([], [])]).plagdet == 1.0
    s = score([([], [c((0, 10), (0, 10))])])
    assert s.precision == 0.0 and s.plagdet == 0.0
    s = score([([c((0, 10), (0, 10))], [])])
    assert s.recall == 0.0 and s.granularity == 1.0


def test_detection_must_overlap_both_sides():
    # overlaps the case on the suspicious side only: detects nothing
    s = score([([c((0, 100), (0, 100))], [c((0, 100), (500, 600))])])
    assert s.recall == 0.0 and s.precision == 0.0


def test_macro_average_over_pairs():
    # pair 1 perfect; pair 2 case missed -> recall (1 + 0) / 2
    s = score([([c((0, 100), (0, 100))], [c((0, 100), (0, 100))]), ([c((0, 100), (0, 100))], [])])
    assert s.recall == pytest.approx(0.5)
    assert s.doc_recall == pytest.approx(0.5) and s.doc_precision == 1.0


@pytest.mark.skipif(not (DATA / "pan13-train-sanchez-perez-runs").is_dir(), reason="../shared/data absent")
def test_scores_the_published_baseline_run():
    """The re-implementation of the PAN 2014 winner is documented at plagdet 0.884 (R 0.890, P 0.878) on 04."""
    from unspun.pan.evaluate import score_dir

    r = score_dir(DATA / "pan13-train", DATA / "pan13-train-sanchez-perez-runs", tasks=["04-translation-obfuscation"])
    s = r.tasks[0].scores
    assert (round(s.plagdet, 3), round(s.recall, 3), round(s.precision, 3)) == (0.884, 0.890, 0.878)
