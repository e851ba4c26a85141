from unspun.models import Comparison, Document, Passage
from unspun.pan.evaluate import load_corpus, run_eval, truth
from unspun.pan.xml import detections_xml, parse

import pytest
from unspun.errors import InputError


def test_round_trip(tmp_path):
    c = Comparison(Document("x" * 500), Document("y" * 500), [Passage((10, 60), (5, 90), "edited", 0.8)], 0.1, 0.2)
    f = tmp_path / "d.xml"
    f.write_text(detections_xml(c, 'susp "1".txt', "src&2.txt"))
    (case,) = parse(f)
    assert case.this == (10, 60) and case.source == (5, 90) and case.source_reference == "src&2.txt"


def test_no_passage_gives_document_without_feature(tmp_path):
    f = tmp_path / "d.xml"
    f.write_text(detections_xml(Comparison(Document("x"), Document("y"), [], 0, 0), "a.txt", "b.txt"))
    assert parse(f) == [] and "<document" in f.read_text()


def test_not_a_corpus(tmp_path):
    with pytest.raises(InputError):
        load_corpus(tmp_path)


def _tiny_corpus(tmp_path):
    corpus = tmp_path / "c"
    for d in ("susp", "src", "01-none", "02-copy"):
        (corpus / d).mkdir(parents=True)
    para = ("The harbour authority approved a new breakwater on Tuesday after two years of hearings. "
            "Fishermen had argued that the old wall no longer protected their boats during winter storms. "
            "Engineers expect construction to take eighteen months and to cost about forty million euros. ")
    other = ("A violinist from Lyon won the competition with a programme of sonatas by Brahms and Fauré. "
             "The jury praised her phrasing and the warmth of her tone in the slow movements. ")
    susp = other + para
    (corpus / "susp" / "suspicious-document1.txt").write_text(susp)
    (corpus / "src" / "source-document1.txt").write_text("Intro line about weather.\n" + para)
    (corpus / "src" / "source-document2.txt").write_text(other.replace("Lyon", "Paris") * 0 + "Cats sleep a lot. " * 20)
    a0 = susp.index("The harbour")
    b0 = ("Intro line about weather.\n").__len__()
    (corpus / "02-copy" / "pairs").write_text("suspicious-document1.txt source-document1.txt\n")
    (corpus / "02-copy" / "suspicious-document1-source-document1.xml").write_text(
        f'<document reference="suspicious-document1.txt"><feature name="plagiarism" this_offset="{a0}" '
        f'this_length="{len(para) - 1}" source_reference="source-document1.txt" source_offset="{b0}" '
        f'source_length="{len(para) - 1}"/></document>')
    (corpus / "01-none" / "pairs").write_text("suspicious-document1.txt source-document2.txt\n")
    (corpus / "01-none" / "suspicious-document1-source-document2.xml").write_text(
        '<document reference="suspicious-document1.txt"></document>')
    return corpus


def test_run_eval_on_a_tiny_corpus(tmp_path):
    """A corpus we write: one verbatim pair and one unrelated pair; XML files are written and scored."""
    corpus, out = _tiny_corpus(tmp_path), tmp_path / "out"
    r = run_eval(corpus, out, jobs=1)
    assert (out / "02-copy" / "suspicious-document1-source-document1.xml").is_file()
    assert (out / "01-none" / "suspicious-document1-source-document2.xml").is_file()
    by = {t.task: t for t in r.tasks}
    assert by["02-copy"].scores.plagdet > 0.95
    assert by["01-none"].no_detection == 1.0


def test_an_earlier_runs_detections_are_cleared_or_noted(tmp_path):
    """A second run into the same --out left the first's detections beside a results.json of its own, and scoring
    the folder counted them (QA): stale files of this run's tasks go, other tasks' folders are noted."""
    corpus, out = _tiny_corpus(tmp_path), tmp_path / "out"
    (out / "02-copy").mkdir(parents=True)
    (out / "02-copy" / "suspicious-document9-source-document9.xml").write_text("<document/>")
    (out / "05-summary").mkdir()
    (out / "05-summary" / "suspicious-document9-source-document9.xml").write_text("<document/>")
    r = run_eval(corpus, out, jobs=1)
    assert sorted(f.name for f in (out / "02-copy").iterdir()) == ["suspicious-document1-source-document1.xml"]
    assert (out / "05-summary" / "suspicious-document9-source-document9.xml").is_file()
    assert [n for n in r.notes if "earlier run" in n] == [
        f"{out / '05-summary'}: detections of an earlier run, not of this one's tasks (left as they are)"]


def test_run_eval_refuses_what_it_cannot_read_or_write_before_aligning(tmp_path):
    corpus = _tiny_corpus(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot write detections there"):
        run_eval(corpus, tmp_path / "file", jobs=1)
    (corpus / "02-copy" / "pairs").write_text("suspicious-document1.txt source-document1.txt\n"
                                             "suspicious-document1.txt source-document99.txt\n")
    with pytest.raises(InputError, match=r"2 files missing, e.g. 02-copy/pairs names src/source-document99.txt"):
        run_eval(corpus, tmp_path / "out", jobs=1)
    (corpus / "02-copy" / "pairs").write_text("suspicious-document1.txt source-document1.txt\n")
    (corpus / "src" / "source-document1.txt").write_bytes(b"Caf\xe9 " * 50)
    with pytest.raises(InputError, match="not UTF-8 at byte 3"):
        run_eval(corpus, tmp_path / "out", jobs=1)


def test_truth_of_each_pair_and_task_folders_named_any_way(tmp_path):
    """Task folders are those with a `pairs` file, whatever their names (a held-out corpus may write
    `02_no_obfuscation`); `truth` reads a pair's cases, none for a pair without reuse."""
    corpus = _tiny_corpus(tmp_path)
    (corpus / "02-copy").rename(corpus / "02_copy")
    tasks = load_corpus(corpus)
    assert sorted(tasks) == ["01-none", "02_copy"]
    (case,) = truth(corpus, tasks["02_copy"][0])
    assert case.source_reference == "source-document1.txt" and case.this[1] > case.this[0]
    assert truth(corpus, tasks["01-none"][0]) == []


def test_eval_pan_prints_the_whole_table_when_its_output_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    """Piped (`| tee eval.log`), the table was cut to 80 columns: task names and the headers read "02-co…",
    "preci…", "granu…", "plagd…"."""
    from unspun.pan.evaluate import main

    monkeypatch.delenv("COLUMNS", raising=False)
    corpus = _tiny_corpus(tmp_path)
    (corpus / "04-translation-obfuscation").mkdir()
    (corpus / "04-translation-obfuscation" / "pairs").write_text("suspicious-document1.txt source-document1.txt\n")
    (corpus / "04-translation-obfuscation" / "suspicious-document1-source-document1.xml").write_text(
        (corpus / "02-copy" / "suspicious-document1-source-document1.xml").read_text())
    assert main(corpus, tmp_path / "out", 1) == 0
    shown = capsys.readouterr().out
    assert "\u2026" not in shown, shown
    for word in ("04-translation-obfuscation", "precision", "granularity", "plagdet", "no detection", "overall"):
        assert word in shown, (word, shown)


def test_run_eval_refuses_an_out_where_the_ground_truth_lies(tmp_path):
    """Detections share the truth files' names: `--out CORPUS` replaced the ground truth with them and then scored
    the detections against themselves (every score 1.000)."""
    corpus = _tiny_corpus(tmp_path)
    before = (corpus / "02-copy" / "suspicious-document1-source-document1.xml").read_text()
    for out in (corpus, corpus / "02-copy" / ".."):
        with pytest.raises(InputError, match="would replace the ground truth"):
            run_eval(corpus, out, jobs=1)
    assert (corpus / "02-copy" / "suspicious-document1-source-document1.xml").read_text() == before


def test_run_eval_reads_the_ground_truth_before_aligning(tmp_path, monkeypatch):
    """A truth file that is not PAN XML, or whose offsets are not numbers (a traceback), is one error before any
    pair is aligned, not after hours of it."""
    import unspun.pan.evaluate as ev

    corpus = _tiny_corpus(tmp_path)
    monkeypatch.setattr(ev, "_align_group", lambda args: pytest.fail("aligned before the truth was read"))
    xml = corpus / "02-copy" / "suspicious-document1-source-document1.xml"
    xml.write_text(xml.read_text().replace('this_offset="', 'this_offset="x'))
    with pytest.raises(InputError, match="not a whole number"):
        run_eval(corpus, tmp_path / "out", jobs=1)
    xml.write_text("<document")
    with pytest.raises(InputError, match="not a readable PAN XML file"):
        run_eval(corpus, tmp_path / "out", jobs=1)


def test_a_pairs_file_that_is_not_utf8_is_one_error(tmp_path):
    """It ended in a UnicodeDecodeError traceback."""
    corpus = _tiny_corpus(tmp_path)
    (corpus / "02-copy" / "pairs").write_bytes(b"suspicious-document1.txt source-document\xff.txt\n")
    with pytest.raises(InputError, match="pairs: not UTF-8 at byte 40"):
        load_corpus(corpus)


def test_outputs_that_cannot_be_written_are_one_error_line(tmp_path):
    """A folder where results.json or a pair's detection file goes ended in an IsADirectoryError traceback (the
    first after all the aligning)."""
    from unspun.pan.evaluate import main

    corpus, out = _tiny_corpus(tmp_path), tmp_path / "out"
    (out / "results.json").mkdir(parents=True)
    with pytest.raises(InputError, match=r"results.json: cannot write the scores there: is a directory"):
        main(corpus, out, 1)
    (out / "results.json").rmdir()
    (out / "02-copy" / "suspicious-document1-source-document1.xml").mkdir(parents=True)
    with pytest.raises(InputError, match=r"suspicious-document1-source-document1.xml: cannot write"):
        main(corpus, out, 1)


def test_a_negative_offset_or_length_is_an_error(tmp_path):
    """A span that ends before it starts was scored as a case without a word."""
    f = tmp_path / "t.xml"
    f.write_text('<document><feature name="plagiarism" this_offset="10" this_length="-5" source_offset="0" '
                 'source_length="5"/></document>')
    with pytest.raises(InputError, match="negative .*this_length=-5"):
        parse(f)


def test_a_document_that_is_not_utf8_stops_the_run_before_aligning(tmp_path, monkeypatch):
    """It stopped the run when its pair came up, after the pairs before it had been aligned."""
    import unspun.pan.evaluate as ev

    corpus = _tiny_corpus(tmp_path)
    monkeypatch.setattr(ev, "_align_group", lambda args: pytest.fail("aligned before the documents were read"))
    (corpus / "src" / "source-document2.txt").write_bytes(b"Caf\xe9 " * 50)
    with pytest.raises(InputError, match="source-document2.txt: not UTF-8 at byte 3"):
        run_eval(corpus, tmp_path / "out", jobs=1)


def test_a_corpus_without_any_pair_is_an_error(tmp_path):
    """Empty `pairs` files (or lines of one name) were scored 1.000 on every measure."""
    corpus = _tiny_corpus(tmp_path)
    (corpus / "01-none" / "pairs").write_text("")
    (corpus / "02-copy" / "pairs").write_text("suspicious-document1.txt\n")
    with pytest.raises(InputError, match="01-none, 02-copy: their pairs files name no pair"):
        run_eval(corpus, tmp_path / "out", jobs=1)


def test_a_task_without_any_pair_beside_others_is_an_error(tmp_path):
    """Its row read plagdet 1.000 for 0 pairs, where a corpus of such tasks was refused already (QA)."""
    corpus = _tiny_corpus(tmp_path)
    (corpus / "01-none" / "pairs").write_text("")
    with pytest.raises(InputError, match="01-none/pairs names no pair"):
        load_corpus(corpus)


def test_a_pairs_file_beginning_with_a_byte_order_mark_is_read(tmp_path):
    """The mark began the first susp name: "2 files missing, e.g. ... names susp/\ufeffsuspicious-..." (QA)."""
    corpus = _tiny_corpus(tmp_path)
    pairs = corpus / "02-copy" / "pairs"
    expected = load_corpus(corpus)
    pairs.write_bytes(b"\xef\xbb\xbf" + pairs.read_bytes())
    assert load_corpus(corpus) == expected


def test_a_truth_feature_without_its_span_or_a_file_that_is_no_pan_xml_is_an_error(tmp_path):
    """A missing offset or length read as 0 (an empty case no detection could hit, counted against precision), and
    an HTML page in place of a truth file read as a pair without reuse (QA)."""
    f = tmp_path / "t.xml"
    f.write_text('<document><feature name="plagiarism" this_length="5" source_offset="0" source_length="5"/>'
                 "</document>")
    with pytest.raises(InputError, match="a plagiarism feature has no this_offset"):
        parse(f)
    f.write_text("<html><body>not pan</body></html>")
    with pytest.raises(InputError, match="not a PAN XML file .*<html>"):
        parse(f)
    f.write_text('<document reference="x.txt"/>')  # a pair without reuse, as PAN writes one
    assert parse(f) == []


def test_a_table_standard_output_cannot_take_is_one_error_line_and_the_scores_are_saved(tmp_path):
    """`eval pan ... > eval.log` on a full disk ended in a traceback (OSError: No space left on device), and
    results.json, written after the table, was lost with it."""
    import subprocess
    import sys
    from pathlib import Path

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    corpus, out = _tiny_corpus(tmp_path), tmp_path / "out"
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "unspun.cli", "eval", "pan", str(corpus), "--out", str(out)],
                             stdout=full, stderr=subprocess.PIPE, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[-1] == "unspun: error: standard output: cannot write: No space left on device"
    assert (out / "results.json").is_file()


def test_a_pair_named_twice_is_scored_once(tmp_path):
    """A `pairs` line given twice counted its pair twice in the task's figures (one detection file, two pairs)."""
    corpus = _tiny_corpus(tmp_path)
    pairs = corpus / "02-copy" / "pairs"
    pairs.write_text(pairs.read_text() * 2)
    assert len(load_corpus(corpus)["02-copy"]) == 1
    r = run_eval(corpus, tmp_path / "out", jobs=1)
    assert {t.task: t.pairs for t in r.tasks}["02-copy"] == 1 and r.overall.pairs == 2


def test_a_case_ending_past_its_document_is_noted_and_scored_as_given(tmp_path, capsys):
    """Offsets beyond a document's end (a corpus counted in bytes, or with its line ends changed) went unnoticed;
    the run is not refused (the ground truth is the corpus's), the note says which case."""
    from unspun.pan.evaluate import main

    corpus = _tiny_corpus(tmp_path)
    assert run_eval(corpus, tmp_path / "out", jobs=1).notes == []
    xml = corpus / "02-copy" / "suspicious-document1-source-document1.xml"
    n = len((corpus / "src" / "source-document1.txt").read_text())
    xml.write_text(xml.read_text().replace('source_length="', f'source_length="{n}'))
    r = run_eval(corpus, tmp_path / "out", jobs=1)
    assert len(r.notes) == 1 and "1 ground-truth case end past" in r.notes[0]
    assert f"of src/source-document1.txt ({n} characters)" in r.notes[0]
    assert {t.task: t for t in r.tasks}["02-copy"].scores.recall < 0.5  # scored as given
    assert main(corpus, tmp_path / "out2", 1) == 0
    # One line, whatever the table's width (it wrapped there, and `grep note:` lost the file names).
    [line] = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("note: ")]
    assert line == f"note: {r.notes[0]}"
