"""The aligner on texts written here, and on the shared seed pair and PAN files when present."""

import re
import unicodedata
from pathlib import Path

import pytest

from unspun import Document, compare
from unspun.align import Params, align
from unspun.align.pair import _Pair
from unspun.align.seeds import _languages_differ
from unspun.align.verbatim import _verbatim
from unspun.judge import _whole_sentences
from unspun.models import Passage
from unspun.embed import knows, reads
from unspun.text import WORD, cut_changed, fold, sentences, tokens
from unspun.vectors import units

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

PARA = (
    "The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
    "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
    "Engineers expect construction to take eighteen months and to cost about forty million euros. "
    "The regional government will pay half, and the rest will come from a European fund for coastal towns. "
    "Work is due to start in the spring, once the tender for the stone has been awarded. "
)
OTHER = (
    "A violinist from Lyon won the international competition with a programme of sonatas by Brahms. "
    "The jury praised her phrasing and the warmth of her tone in the slow movements of the second sonata. "
    "She will tour Japan next autumn with a chamber orchestra she founded with friends from the conservatoire. "
)

#: PARA translated into Spanish by hand for these tests.
PARA_ES = (
    "La autoridad portuaria aprobó el martes un nuevo rompeolas tras dos años de audiencias públicas. "
    "Los pescadores habían sostenido que el viejo muro ya no protegía sus barcos durante las tormentas de invierno. "
    "Los ingenieros esperan que la obra dure dieciocho meses y cueste unos cuarenta millones de euros. "
    "El gobierno regional pagará la mitad, y el resto vendrá de un fondo europeo para los pueblos costeros. "
    "Las obras deberían empezar en primavera, una vez adjudicado el concurso para la piedra. "
)
#: Same harbour, same fishermen, different news: what a translation must not be confused with.
HARBOUR_NEWS = (
    "Fishermen in the northern harbour reported their smallest catch in a decade as warm water pushed cod further "
    "offshore. Several boats stayed in port for the whole of March because fuel prices made long trips "
    "unprofitable. The regional fisheries office promised a compensation scheme but gave no figures. Local "
    "restaurants have started to import fish from neighbouring countries to keep their menus unchanged. "
)


def test_sentences_keep_offsets_and_abbreviations():
    text = "Sales rose 5% in Jan. last year.\r\nThe U.S. firm said so. “Quoted,” he said!\n\nHeadline without stop\n"
    spans = sentences(text)
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans)
    assert [text[s.start : s.end] for s in spans][-1] == "Headline without stop"
    assert any("Jan. last year" in text[s.start : s.end] for s in spans)
    assert all(text[t.start : t.end].isalnum() or "_" in text[t.start : t.end] for t in tokens(text))


def test_verbatim_paragraph_inside_unrelated_text():
    a = OTHER + PARA
    b = "An unrelated opening about the weather in March.\n\n" + PARA + "\n" + OTHER.replace("Lyon", "Nice")[:0]
    al = align(a, b)
    assert len(al.passages) == 1
    (p,) = al.passages
    assert a[p.a[0] : p.a[1]].strip() == PARA.strip()
    assert b[p.b[0] : p.b[1]].strip() == PARA.strip()
    assert p.kind == "verbatim"


def test_edited_copy_is_one_passage():
    edited = (PARA.replace("approved", "backed").replace("two years", "twenty-four months")
              .replace("boats", "vessels").replace("spring", "early spring"))
    al = align(edited, PARA)
    assert len(al.passages) == 1
    assert al.passages[0].kind in ("edited", "paraphrase")


def test_unrelated_texts_share_nothing():
    assert align(OTHER * 2, PARA).passages == []


def test_empty_or_tiny_texts():
    assert align("", PARA).passages == []
    assert align("Hi.", "Hi.").passages == []


def test_compare_judges_coverage_and_source_by_date():
    c = compare(Document(OTHER + PARA, published="2024-03-02"), Document(PARA, published="2024-03-01"))
    assert c.coverage_b > 0.95 and 0.4 < c.coverage_a < 0.8
    assert c.source == "b" and any("published first" in e for e in c.evidence)


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_offsets_round_trip_on_pan_files():
    corpus = DATA / "pan13-train"
    pairs = [ln.split() for ln in (corpus / "04-translation-obfuscation" / "pairs").read_text().splitlines()[:15]]
    for susp, src in pairs:
        a = (corpus / "susp" / susp).read_text(encoding="utf-8")
        b = (corpus / "src" / src).read_text(encoding="utf-8")
        for p in align(a, b).passages:
            assert 0 <= p.a[0] < p.a[1] <= len(a) and 0 <= p.b[0] < p.b[1] <= len(b)
            assert a[p.a[0] : p.a[1]] == a[p.a[0] : p.a[1]].strip()
            assert 0.0 <= p.similarity <= 1.0


def _share(text: str, spans, good) -> tuple[float, float]:
    """(share of good non-space chars covered, share of covered non-space chars that are good)."""
    cov = [False] * len(text)
    for s, e in spans:
        cov[s:e] = [True] * (e - s)
    ns = [i for i, ch in enumerate(text) if not ch.isspace()]
    g = [i for i in ns if good(i)]
    c = [i for i in ns if cov[i]]
    return sum(cov[i] for i in g) / len(g), sum(1 for i in c if good(i)) / max(len(c), 1)


@pytest.mark.skipif(not (DATA / "seeds").is_dir(), reason="../shared/data/seeds absent")
def test_seed_round_trip_translation():
    """The French round-trip copy (000) of the op-ed (001): body found on both sides, debris left out."""
    orig_path, copy_path = sorted((DATA / "seeds").glob("001_*.txt"))[0], sorted((DATA / "seeds").glob("000_*.txt"))[0]
    o = orig_path.read_text(encoding="utf-8")
    c = copy_path.read_text(encoding="utf-8")
    cmp = compare(Document(o, path=str(orig_path)), Document(c, path=str(copy_path)))
    # 001: title, teaser, then the body (third non-empty line) up to the author's handle; tags and footer follow.
    lines = [m for m in re.finditer(r"[^\n]+", o) if m.group().strip()]
    bs, be = lines[2].start(), o.index("@DougKlain.") + len("@DougKlain.")
    rec, prec = _share(o, [p.a for p in cmp.passages], lambda i: bs <= i < be)
    assert rec >= 0.97 and prec >= 0.97
    start = re.match(r"\s*date \d{4}-\d{2}-\d{2}\s*", c).end()  # the scraper's date line is not reuse
    debris = []
    for head in ("Vladimir Vladimirovich PutinIran", "Donald TrumpDoomsday"):
        s = c.index(head)
        debris.append((s, c.index("MORE", s) + 4))
    rec, prec = _share(c, [p.b for p in cmp.passages], lambda i: i >= start and not any(s <= i < e for s, e in debris))
    # Measured 0.9998 / 0.997 (target 0.97 / 0.97).
    assert rec >= 0.97 and prec >= 0.97
    assert cmp.source == "a"


def _pan(task: str, susp: str, src: str):
    """A PAN training pair, its one case ((susp span), (src span)) and our passages."""
    from unspun.pan.xml import parse

    corpus = DATA / "pan13-train"
    a = (corpus / "susp" / f"suspicious-document{susp}.txt").read_text(encoding="utf-8")
    b = (corpus / "src" / f"source-document{src}.txt").read_text(encoding="utf-8")
    (case,) = parse(corpus / task / f"suspicious-document{susp}-source-document{src}.xml")
    return (case.this, case.source), align(a, b).passages


def _on_case(span: tuple[int, int], case: tuple[int, int]) -> float:
    return max(0, min(span[1], case[1]) - max(span[0], case[0])) / (span[1] - span[0])


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
@pytest.mark.parametrize("susp, src", [("01466", "01040"), ("01767", "00702")])
def test_verbatim_copy_leaves_out_a_neighbour_with_no_counterpart(susp, src):
    # The sentence-level search took in a sentence next to the copy on one side only (before: A 4779-5310 for
    # a case ending at 5120, B 455-1542 for one starting at 1202); the copy's verbatim runs bound it.
    case, passages = _pan("02-no-obfuscation", susp, src)
    (p,) = passages
    assert _on_case(p.a, case[0]) >= 0.97 and _on_case(p.b, case[1]) >= 0.97


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_verbatim_copy_with_stray_matches_is_no_summary():
    # A copied paragraph plus weak matches all over B was taken for a summary of the whole of B (0-3136).
    case, passages = _pan("02-no-obfuscation", "00682", "00641")
    (p,) = passages
    assert p.kind == "verbatim" and _on_case(p.b, case[1]) >= 0.98


#: A harbour report of 18 sentences, and a summary of it in 3 sentences that each condense a different part.
LONG_REPORT = (
    "The harbour authority approved a new breakwater on Tuesday after two years of public hearings in the town hall. "
    "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
    "Three trawlers sank at their moorings last January, and insurers have since refused to cover the fleet. "
    "The chairman of the authority told the hearing that the town could not afford to lose its fishing industry. "
    "Shopkeepers on the quay said that fewer visitors came to the town each summer. "
    "A local school brought its pupils to watch the final vote from the public gallery. "
    "Engineers expect construction of the breakwater to take eighteen months and to cost about forty million euros. "
    "The new wall will be built of granite blocks brought by barge from a quarry on the northern coast. "
    "Divers surveyed the seabed in the autumn and found the old foundations sound enough to build on. "
    "The regional government will pay half of the cost, and the rest will come from a European fund for coastal "
    "towns. Opposition councillors asked whether the fund would still pay if the work ran over its budget. "
    "The mayor promised a yearly report on spending to the council and to the public. "
    "Environmental groups warned that the works could harm a colony of seabirds nesting on the old wall. "
    "The authority agreed to move the nests before the breeding season and to stop work during the spring. "
    "A biologist from the university will count the birds every month while the wall is being built. "
    "Work is due to start next winter, once the tender for the stone has been awarded to a contractor. "
    "The harbour will stay open to boats throughout, though the ferry may use the northern quay for a few weeks. "
    "The ferry company said its timetable would not change. "
)
SUMMARY = (
    "After two years of public hearings, the harbour authority approved a breakwater, as fishermen said the old wall "
    "had failed to protect their boats in storms. Environmental groups fear for seabirds nesting on the wall, so the "
    "nests will be moved and work will stop in spring while a biologist counts the birds. Half of the forty million "
    "euros will come from the regional government and the rest from a European fund, and the mayor promised yearly "
    "reports on spending."
)


def test_a_summary_whose_sentences_match_apart_is_one_summary():
    """A summary's sentences each condense their own part of the source, so they made separate cases; the wider
    search that joins them took in a stray match five sentences before (a remark on a ferry timetable), was then
    too long to be a summary, and the summary was two paraphrases of 156 and 308 characters (PAN 05: susp 00157
    and src 00342)."""
    host = OTHER + (
        "She grew up in a small fishing town, where her father repaired boats in the harbour after the winter storms. "
        "Her father once said the ferry company's timetable would never change. "
        "The orchestra has twelve players and rehearses in a former chapel near the river. "
        "Its first recording, of string serenades by Dvorak and Tchaikovsky, comes out in March. "
        "The competition's director said the final had drawn the largest audience in its history. "
        "Tickets for the prize-winners' concert in Paris sold out within an hour. "
    )
    a = host + SUMMARY + " The next competition will be held in two years."
    (p,) = align(a, LONG_REPORT).passages
    assert p.kind == "summary" and a[p.a[0]:p.a[1]] == SUMMARY and p.b == (0, len(LONG_REPORT.strip()))


#: Fifteen sentences on another subject, to set two copied paragraphs of a text far apart.
LIBRARY = (
    "The city library will open on Sundays from next month, the council announced. "
    "Librarians had asked for the change for years, pointing to long queues on Saturday mornings. "
    "A new reading room for children will be built in the old post office across the square. "
    "The architect said the building's iron roof would be kept and painted in its original green. "
    "Volunteers will run a weekly club for pupils who need help with their homework. "
    "The library lends about ninety thousand books a year, a fifth of them to readers under twelve. "
    "Its collection of local newspapers goes back to 1850 and is being scanned for a public archive. "
    "Historians have already used the scans to trace the families who built the first textile mills. "
    "The council will pay for two more librarians and for longer opening hours on weekdays. "
    "A café run by a charity that trains young people for work will open beside the entrance. "
    "Readers can now borrow electronic books and audio books through an application on their phones. "
    "The mayor thanked the volunteers who kept the branch libraries open during the winter. "
    "Two branch libraries in the suburbs will move into the new community centres next year. "
    "A mobile library will visit the villages in the valley every second Thursday. "
    "The reopening will be marked with readings by authors from the region on the first Sunday. "
)


@pytest.mark.parametrize("order", ["in order", "swapped"])
def test_two_copies_side_by_side_from_far_apart_are_no_summary(order):
    """Review: a text's first and last paragraphs copied side by side were one `summary` of all of it (similarity
    0.24), their verbatim evidence lost, once cases next to each other in A were tried as one summary wherever
    they lay; now only inside the wider search's stretch, where stray matches joined them."""
    s = re.split(r"(?<=\.) (?=[A-Z])", LONG_REPORT.strip())
    first, last = " ".join(s[0:2]), " ".join(s[12:14])
    b = first + "\n\n" + LIBRARY + "\n\n" + LIBRARY.replace("library", "museum") + "\n\n" + last
    copied = [first, last] if order == "in order" else [last, first]
    a = OTHER + " ".join(copied) + " " + OTHER
    passages = align(a, b).passages
    assert [(p.kind, a[p.a[0]:p.a[1]]) for p in passages] == [("verbatim", c) for c in copied]
    assert all(a[p.a[0]:p.a[1]] == b[p.b[0]:p.b[1]] for p in passages)


@pytest.mark.parametrize("a, b", [(PARA + "\n\n" + OTHER + HARBOUR_NEWS, OTHER + HARBOUR_NEWS + "\n\n" + PARA),
                                  (PARA + OTHER + "\n\n" + PARA + OTHER, PARA + OTHER)], ids=["XY of YX", "XX of X"])
def test_copies_side_by_side_in_another_order_are_passages_whose_sides_correspond(a, b):
    """Two blocks copied side by side, in the other order or one of them twice, are contiguous on both sides: they
    were one passage over both texts, A's first block against B's other one ("edited", similarity 1)."""
    passages = compare(a, b).passages
    assert len(passages) == 2
    assert all(p.kind == "verbatim" and a[p.a[0] : p.a[1]] == b[p.b[0] : p.b[1]] for p in passages)


@pytest.mark.parametrize("seam", ['"', "'", "\n\n"])
def test_copies_side_by_side_joined_by_a_quote_are_passages_apart(seam):
    """A quote between two blocks with no space around it was taken in by the first passage's end and the second's
    start: they overlapped by it, and where both texts had it, the two became the same passage twice."""
    a, b = PARA.strip() + seam + OTHER.strip(), OTHER.strip() + seam + PARA.strip()
    passages = sorted(compare(a, b).passages, key=lambda p: p.a)
    assert len(passages) == 2 and passages[0].a[1] <= passages[1].a[0]
    assert all(p.kind == "verbatim" and a[p.a[0] : p.a[1]].strip(seam) == b[p.b[0] : p.b[1]].strip(seam)
               for p in passages)


@pytest.mark.parametrize("before, after", [("As the report put it: “", "”"), ("Costs, as quoted (", ")."), ("", "%")])
def test_a_copy_word_for_word_within_quotes_or_signs_of_its_own_is_verbatim(before, after):
    """The quotes, brackets and signs a passage's ends take in, on one side only, made a word-for-word copy
    "edited 0.95"."""
    (p,) = compare(before + PARA.strip() + after, PARA).passages
    assert (p.kind, p.similarity) == ("verbatim", 1.0)


def test_copies_a_loose_passage_kept_out_are_added_once_it_is_dropped():
    """A loose passage over a copy on both sides kept it out; another copy, elsewhere on B, was added, the loose
    passage dropped beside it, and the first copy lost with it."""
    a, b = (PARA + OTHER + HARBOUR_NEWS) * 3, (HARBOUR_NEWS + PARA + OTHER) * 3
    pair, p = _Pair(units(a), units(b)), Params()
    loose = Passage((0, 1500), (0, 1500), "paraphrase", 0.4)
    inside, elsewhere = ((100, 300), (100, 300)), ((800, 1000), (2500, 2700))
    for runs in ([inside, elsewhere], [elsewhere, inside]):
        assert [(q.a, q.b) for q in _verbatim(pair, [loose], runs, p)] == [inside, elsewhere]


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_a_copy_word_for_word_outweighs_a_loose_passage_over_it_from_elsewhere_in_b():
    # Sentences matching loosely all over B (units 29-44 of A against 2-15 of B) overlap the copy of B's last
    # sentences (A 2042-2445, B 2223-2626) on A: ranked by length, the loose passage stood, and blocked the copy.
    case, passages = _pan("02-no-obfuscation", "01389", "01123")
    assert any(p.kind == "verbatim" and _on_case(p.a, case[0]) == 1 and _on_case(p.b, case[1]) == 1 for p in passages)


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
@pytest.mark.parametrize("susp, src", [("00636", "00496"), ("01386", "01409")])
def test_edited_copy_keeps_the_stretch_of_the_source_it_came_from(susp, src):
    # Stray matches around an edited copy widened its source side (before: 22-1449 for a case at 1088-1455).
    case, passages = _pan("03-random-obfuscation", susp, src)
    assert passages and all(_on_case(p.b, case[1]) >= 0.9 for p in passages)


def test_fragment_similarity_is_the_same_however_it_is_computed(monkeypatch):
    # frag_sim sums rows for a pair's first calls, then reads summed-area tables (norms of a long side: summed and
    # remembered per range); every way gives the same cosine.
    from unspun.align import _units
    from unspun.align import pair as A

    ua, ub = _units(OTHER + " " + PARA), _units(PARA + " " + OTHER)
    ranges = [((i, j), (k, m)) for i in range(len(ua)) for j in range(i, len(ua))
              for k in range(len(ub)) for m in range(k, len(ub))]
    assert len(ranges) > 50
    direct = A._Pair(ua, ub)
    tables = A._Pair(ua, ub)
    tables._calls = A._DIRECT
    tables.frag_sim(*ranges[0])  # builds its tables before the next Pair is told its sides are long
    monkeypatch.setattr(A, "_SAT_ROWS", 1)
    remembered = A._Pair(ua, ub)
    remembered._calls = A._DIRECT
    for a, b in ranges:
        direct._calls = 0
        want = direct.frag_sim(a, b)
        assert abs(tables.frag_sim(a, b) - want) < 1e-9 and abs(remembered.frag_sim(a, b) - want) < 1e-9
    assert tables._na.sat is not None and remembered._na.memo


def test_small_pairs_on_dense_matrices_align_as_on_sparse_ones(monkeypatch):
    # A news article against another runs on dense count matrices (scipy's cost per call was most of what a
    # candidate that is not a source costs `check`); long documents stay sparse. Same similarities to the last bit.
    import numpy as np
    from scipy import sparse

    from unspun import vectors
    from unspun.align import _units
    from unspun.align import pair as A

    pairs = [(PARA + OTHER, OTHER + PARA.replace("Tuesday", "Monday")), (HARBOUR_NEWS + PARA, PARA),
             (OTHER, HARBOUR_NEWS)]
    ranges = [((0, 1), (0, 2)), ((1, 2), (0, 0)), ((0, 0), (1, 1))]

    def measured() -> list:
        out = []
        for a, b in pairs:
            pair = A._Pair(_units(a), _units(b))
            sims = [pair.frag_sim(x, y) for x, y in ranges]
            pair._calls = A._DIRECT  # and through the summed-area tables
            sims += [pair.frag_sim(x, y) for x, y in ranges]
            out.append((type(pair.wa), pair.cos.tolist(), pair.dice.tolist(), pair.space.isf.tolist(), sims,
                        align(a, b).passages))
        return out

    dense = measured()
    made = vectors.pair_space

    def as_before(a, b):  # sparse count matrices, as all were before (the products still go dense: `_small`)
        s = made(a, b)
        return vectors.PairSpace(sparse.csr_matrix(s.a), sparse.csr_matrix(s.b), s.isf)

    monkeypatch.setattr(A, "pair_space", as_before)
    kept = measured()
    assert [d[0] for d in dense] == [np.ndarray] * 3 and [k[0] for k in kept] == [sparse.csr_matrix] * 3
    assert [d[1:] for d in dense] == [k[1:] for k in kept]
    assert any(d[-1] for d in dense)


def test_verbatim_runs_need_k_shared_words_in_a_row():
    from unspun.align.verbatim import _exact_runs

    a = "x the cat sat on the mat today y".split()
    b = "the cat sat on the mat today and the cat sat".split()
    assert _exact_runs(a, b, 3) == [[1, 8, 0, 7], [1, 4, 8, 11]]
    assert _exact_runs(a, b, 8) == []


def test_anchors_in_order_are_the_longest_chain_increasing_on_both_sides():
    from unspun.align import increasing

    assert increasing([(0, 5), (1, 1), (2, 2), (3, 9), (4, 3)]) == [(1, 1), (2, 2), (4, 3)]
    assert increasing([]) == []



def test_languages_differ_by_the_words_two_texts_share():
    p = Params()
    assert _languages_differ(_Pair(units(PARA_ES), units(OTHER + PARA)), p)
    assert not _languages_differ(_Pair(units(PARA), units(OTHER + HARBOUR_NEWS)), p)  # one language, other stories
    assert not _languages_differ(_Pair(units(PARA), units("Too short to tell.")), p)
    # a short English text shares few words with another English one (22% and 18% here), but it is English
    short = ("Volunteers planted nine hundred oak saplings on the slopes burned by last summer's fire, hoping to "
             "hold the soil before autumn storms arrive in the valley.")
    assert not _languages_differ(_Pair(units(short), units(OTHER)), p)
    assert _languages_differ(_Pair(units(short), units(OTHER)), Params(cross_stop=1.0))


def test_a_translation_from_another_language_is_one_passage_with_its_offsets():
    b = OTHER + PARA
    al = align(PARA_ES, b)
    assert [x.kind for x in al.passages] == ["translation"]
    x = al.passages[0]
    assert x.a == (0, len(PARA_ES.rstrip())) and x.b == (len(OTHER), len(b.rstrip()))
    assert x.similarity >= 0.8


def test_a_text_in_another_language_on_the_same_topic_is_no_translation():
    assert align(PARA_ES, HARBOUR_NEWS + OTHER).passages == []


#: PARA translated into Chinese, and three pieces of Chinese news, all written for these tests.
PARA_ZH = (
    "港务局在经过两年的公开听证之后，于周二批准修建一道新的防波堤。"
    "渔民们此前表示，旧的堤坝在冬季风暴期间已经无法保护他们的船只。"
    "工程师预计施工将持续十八个月，耗资约四千万欧元。"
    "地区政府将承担一半费用，其余部分来自一项支持沿海城镇的欧洲基金。"
    "工程计划在明年春天石料招标结束后开工。"
)
METRO_ZH = (
    "北京市政府周二宣布，将在未来五年内投资一千亿元用于改善城市公共交通系统。这项计划包括新建十二条地铁线路，"
    "并对现有的公交网络进行全面升级。市长在新闻发布会上表示，交通拥堵已经成为影响市民生活质量的主要问题之一。\n\n"
    "根据规划，新的地铁线路将连接城市的主要商业区和居民区，预计每天可以运送超过五百万名乘客。此外，政府还计划在市中心"
    "推广电动公交车，以减少空气污染。\n"
)
#: The same typhoon reported twice, independently: what a copy must not be confused with.
TYPHOON_ZH = (
    "强台风于周日凌晨在广东省沿海登陆，给当地带来了狂风暴雨。气象部门表示，登陆时中心附近最大风力达到十四级。受其影响，"
    "多个城市的航班和高铁被迫取消，数十万名居民被紧急转移到安全地区。当地政府已经启动了最高级别的应急响应，并派出救援队伍"
    "前往受灾最严重的村庄。据初步统计，已有三人在风灾中遇难。许多道路被倒下的树木阻断，部分地区的电力供应也已中断。"
)
TYPHOON_ZH_2 = (
    "周日清晨，今年以来最强的一场台风在广东沿海一带登陆。狂风把街边的广告牌吹得七零八落，海边的渔船早在前一天就已回港"
    "避风。一位开了二十年出租车的司机告诉记者，他从来没见过这么大的风。学校宣布停课两天，机场所有进出港航班全部取消。"
    "截至发稿时，应急管理部门通报称，这次台风共造成三人死亡。救援人员正在清理被大树压垮的道路，供电公司也表示将尽快恢复"
    "受损线路。"
)


def test_chinese_and_japanese_are_cut_into_characters():
    """Written without spaces, a whole clause was one word: each ideograph or kana is a word now, with its offsets;
    particles and hiragana are function words, and do not make a text look English."""
    text = "北京市政府周二宣布的计划。東京で会議が開かれた。Beijing’s plan"
    toks = tokens(text)
    assert [text[t.start:t.end] for t in toks][:6] == ["北", "京", "市", "政", "府", "周"]
    assert [text[t.start:t.end] for t in toks][-3:] == ["Beijing", "s", "plan"]
    assert {text[t.start:t.end] for t in toks if t.stop} == {"的", "で", "が", "か", "れ", "た", "s"}
    assert units(METRO_ZH).stop_share == 0.0


def test_a_chinese_paragraph_copied_into_another_article_is_found_with_its_offsets():
    para = METRO_ZH.split("\n\n")[1].strip()
    a = TYPHOON_ZH + "\n\n" + para + "\n"
    al = align(a, METRO_ZH)
    assert [(x.kind, a[x.a[0]:x.a[1]], METRO_ZH[x.b[0]:x.b[1]]) for x in al.passages] == [("verbatim", para, para)]
    edited = (METRO_ZH.replace("周二宣布，将在", "于周二宣布，未来").replace("包括", "涵盖").replace("进行全面升级", "全面升级")
              .replace("预计每天可以运送超过", "每天预计能运送"))
    assert [x.kind for x in align(edited, METRO_ZH).passages] == ["edited"]  # (was "paraphrase": no spaces)


def test_two_chinese_reports_of_one_event_are_no_reuse():
    assert align(TYPHOON_ZH, TYPHOON_ZH_2).passages == []
    assert align(TYPHOON_ZH_2, TYPHOON_ZH).passages == []


def test_a_chinese_translation_of_an_english_text_is_found():
    b = OTHER + PARA
    assert _languages_differ(_Pair(units(PARA_ZH), units(b)), Params())
    assert [(x.kind, x.a, x.b) for x in align(PARA_ZH, b).passages] == [
        ("translation", (0, len(PARA_ZH)), (len(OTHER), len(b.rstrip())))]
    assert align(PARA_ZH, HARBOUR_NEWS + OTHER).passages == []


#: The disguises "plagiarism bypass" tools apply to a copy: look-alike Cyrillic letters, a zero-width space inside
#: words, full-width forms.
DISGUISES = {
    "look-alikes": lambda t: t.translate(str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р"})),
    "zero-width": lambda t: " ".join(w[:2] + "\u200b" + w[2:] if len(w) > 3 else w for w in t.split(" ")),
    "full-width": lambda t: t.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}),
}


def test_words_are_read_through_their_disguises():
    text = "The b\u200break\u00adwater, Ｐｕｔｉｎ's rеsоrt and a cafe\u0301."
    toks = tokens(text)
    assert [text[t.start:t.end] for t in toks] == ["The", "b\u200break\u00adwater", "Ｐｕｔｉｎ", "s", "rеsоrt", "and",
                                                   "a", "cafe\u0301"]
    assert [fold(text[t.start:t.end]) for t in toks] == ["The", "breakwater", "Putin", "s", "resort", "and", "a",
                                                         "café"]
    assert [t.stem for t in toks] == [t.stem for t in tokens("The breakwater, Putin's resort and a café.")]


#: An Arabic report, written for these tests.
AR = ("أعلنت الحكومة المصرية اليوم عن خطة جديدة لدعم الاقتصاد الوطني وتوفير فرص العمل للشباب في جميع المحافظات. "
      "وقال رئيس الوزراء إن الخطة تتضمن استثمارات كبيرة في البنية التحتية والتعليم والصحة خلال السنوات الخمس المقبلة. "
      "وأضاف أن الحكومة ستعمل مع القطاع الخاص لتحقيق هذه الأهداف الطموحة.")
_HARAKAT = "\u064e\u0650\u064f\u0652"  # fatha, kasra, damma, sukun
#: A fully pointed edition (a vowel point on every letter), and a copy with its letters stretched by tatweels.
ARABIC_MARKS = {
    "pointed": lambda t: "".join(c + (_HARAKAT[i % 4] if "\u0621" <= c <= "\u064a" else "") for i, c in enumerate(t)),
    "stretched": lambda t: re.sub(r"(?<=[\u0628-\u0647])(?=[\u0621-\u064a])", "\u0640", t),
}


def test_arabic_and_hebrew_words_are_read_without_their_points():
    """Vowel points split a word into pieces ("كِتَابٌ" was "ك", "ت", "اب") and a tatweel was read as a letter; a
    variation selector, invisible, split a Latin word."""
    for marked, plain in (("كِتَابٌ", "كتاب"), ("كـتـاب", "كتاب"), ("שָׁלוֹם", "שלום"), ("wor\ufe0fd", "word")):
        assert [(marked[t.start:t.end], t.stem) for t in tokens(marked)] == [(marked, tokens(plain)[0].stem)]


#: A Hindi report and an unrelated one, written for these tests.
HINDI = ("भारत सरकार ने मंगलवार को घोषणा की कि देश के सभी गांवों में अगले दो वर्षों के भीतर बिजली पहुंचाई जाएगी। "
         "ऊर्जा मंत्री ने कहा कि इस योजना पर लगभग पचास हजार करोड़ रुपये खर्च होंगे और इससे करोड़ों परिवारों को लाभ "
         "मिलेगा। विपक्ष ने इस घोषणा को चुनावी वादा बताते हुए सरकार की आलोचना की।",
         "मुंबई में भारी बारिश के कारण कई इलाकों में पानी भर गया और यातायात पूरी तरह ठप हो गया। मौसम विभाग ने अगले "
         "तीन दिनों तक और बारिश की चेतावनी दी है तथा लोगों से घरों में रहने की अपील की है। नगर निगम ने राहत कार्य के "
         "लिए अतिरिक्त कर्मचारियों को तैनात किया है।")


def test_hindi_words_keep_their_vowel_signs():
    """A vowel sign or virama ended a word: "हिन्दी भाषा" was the five words "ह", "न", "द", "भ", "ष", so any two
    Hindi texts shared most of their "words". Thai, written without spaces, is still cut at its marks (whole, a
    clause would be one word)."""
    assert [w for w in WORD.findall("हिन्दी भाषा, বাংলা ভাষা")] == ["हिन्दी", "भाषा", "বাংলা", "ভাষা"]
    assert len(WORD.findall("ที่นี่ภาษาไทย")) == 3
    a, b = HINDI
    assert compare(a, b).passages == [] and compare(b, a).passages == []
    c = compare(b + "\n\n" + a, a)
    assert [(x.kind, x.a, x.b) for x in c.passages] == [("verbatim", (len(b) + 2, len(b) + 2 + len(a)), (0, len(a)))]


@pytest.mark.parametrize("marks", sorted(ARABIC_MARKS))
def test_an_arabic_copy_pointed_or_stretched_is_found(marks: str):
    """Either hid a copied Arabic paragraph from every channel (no passage)."""
    copy = OTHER + "\n\n" + ARABIC_MARKS[marks](AR)
    assert copy != OTHER + "\n\n" + AR
    for a, b, at_a, at_b in ((copy, AR, (len(OTHER) + 2, len(copy)), (0, len(AR))),
                             (AR, copy, (0, len(AR)), (len(OTHER) + 2, len(copy)))):
        assert [(x.kind, x.a, x.b) for x in compare(a, b).passages] == [("edited", at_a, at_b)]


#: Two unrelated Greek news reports and two Armenian ones, written for these tests.
GREEK = ("Η κυβέρνηση ανακοίνωσε την Τρίτη ένα νέο πρόγραμμα στήριξης για τις μικρές επιχειρήσεις που επλήγησαν από την "
         "ενεργειακή κρίση. Ο υπουργός Οικονομικών δήλωσε ότι το πρόγραμμα θα κοστίσει περίπου δύο δισεκατομμύρια ευρώ "
         "και θα ξεκινήσει τον επόμενο μήνα. Η αντιπολίτευση χαρακτήρισε τα μέτρα ανεπαρκή και καθυστερημένα.",
         "Ισχυρές βροχοπτώσεις έπληξαν χθες τη βόρεια Ελλάδα, προκαλώντας πλημμύρες σε πολλά χωριά και διακοπές ρεύματος. "
         "Η πυροσβεστική υπηρεσία πραγματοποίησε δεκάδες επεμβάσεις για την άντληση υδάτων από σπίτια και καταστήματα. "
         "Η μετεωρολογική υπηρεσία προειδοποιεί για νέα κακοκαιρία το Σαββατοκύριακο.")
ARMENIAN = ("Հայաստանի կառավարությունը երեքշաբթի օրը հայտարարեց փոքր բիզնեսի աջակցության նոր ծրագրի մասին, որը կտևի "
            "երկու տարի։ Ֆինանսների նախարարը ասաց, որ ծրագիրը կարժենա մոտ հարյուր միլիոն դոլար և կսկսվի հաջորդ ամսին։ "
            "Ընդդիմությունը քննադատեց միջոցառումները որպես անբավարար։",
            "Երեկ Երևանում տեղի ունեցավ մեծ համերգ, որին մասնակցեցին հազարավոր երիտասարդներ ամբողջ երկրից։ "
            "Կազմակերպիչները նշեցին, որ համերգի հասույթը կուղղվի բարեգործական նպատակների։ Եղանակը տաք էր, և "
            "միջոցառումը շարունակվեց մինչև ուշ գիշեր։")


@pytest.mark.parametrize("texts", [GREEK, ARMENIAN], ids=["greek", "armenian"])
def test_two_unrelated_texts_in_a_script_the_model_was_not_trained_on_share_nothing(texts: tuple[str, str]):
    """The sentence model reads any two sentences of a language it was not trained on as close: two unrelated Greek
    reports were a "translation" of each other (similarity 0.87; Armenian 0.99). A copy is still found by its words."""
    a, b = texts
    assert not reads(a) and not reads(b) and reads(PARA) and reads(RU) and reads(AR) and reads(METRO_ZH)
    assert compare(a, b).passages == [] and compare(b, a).passages == []
    c = compare(b + "\n\n" + a, a)
    assert [(x.kind, x.a, x.b) for x in c.passages] == [("verbatim", (len(b) + 2, len(b) + 2 + len(a)), (0, len(a)))]


#: Unrelated reports in Latin-script languages the model was not trained on (Swahili, Vietnamese), written for
#: these tests.
UNKNOWN_LANGUAGES = [
    ("Serikali ya Kenya imetangaza mpango mpya wa kujenga barabara za lami katika kaunti kumi na mbili za kaskazini. "
     "Waziri wa uchukuzi alisema mradi huo utagharimu shilingi bilioni arobaini na utakamilika ndani ya miaka mitatu. "
     "Wakazi wa maeneo hayo wamekaribisha habari hiyo wakisema itarahisisha usafirishaji wa mazao sokoni. Wabunge wa "
     "upinzani wameitaka serikali kuweka wazi jinsi wakandarasi watakavyochaguliwa. Ujenzi unatarajiwa kuanza mwezi "
     "ujao.",
     "Timu ya taifa ya Tanzania imeshinda mechi yake ya kufuzu kwa michuano ya Afrika kwa mabao mawili kwa moja dhidi "
     "ya Uganda. Mshambuliaji wa timu hiyo alifunga bao la ushindi dakika za mwisho za mchezo. Kocha mkuu aliwapongeza "
     "wachezaji kwa nidhamu na bidii waliyoonyesha uwanjani. Maelfu ya mashabiki walijitokeza katika uwanja wa taifa "
     "jijini Dar es Salaam. Mchezo unaofuata utachezwa wiki ijayo mjini Kampala."),
    ("Bộ Giáo dục và Đào tạo vừa công bố phương án tổ chức kỳ thi tốt nghiệp trung học phổ thông năm nay với nhiều "
     "điểm mới. Theo đó, thí sinh sẽ thi bốn môn, trong đó có hai môn bắt buộc là toán và ngữ văn. Kỳ thi dự kiến "
     "diễn ra vào cuối tháng sáu tại tất cả các tỉnh thành trên cả nước. Lãnh đạo Bộ cho biết việc giảm số môn thi "
     "nhằm giảm áp lực cho học sinh và phụ huynh. Nhiều giáo viên đánh giá phương án này là hợp lý nhưng cần có thời "
     "gian để chuẩn bị.",
     "Giá xăng dầu trong nước tiếp tục tăng lần thứ ba liên tiếp kể từ đầu tháng, theo quyết định của liên Bộ Công "
     "Thương và Tài chính. Mỗi lít xăng sinh học tăng thêm gần năm trăm đồng, trong khi dầu diesel tăng hơn ba trăm "
     "đồng. Các doanh nghiệp vận tải cho biết chi phí nhiên liệu đã chiếm gần một nửa tổng chi phí hoạt động. Nhiều "
     "hãng taxi đang cân nhắc điều chỉnh giá cước trong tuần tới. Chuyên gia dự báo giá dầu thế giới sẽ còn biến "
     "động mạnh trong quý tới."),
]


@pytest.mark.parametrize("texts", UNKNOWN_LANGUAGES, ids=["swahili", "vietnamese"])
def test_unrelated_texts_in_a_language_the_model_does_not_know_are_no_translation(texts: tuple[str, str]):
    """Latin letters, which the model reads, but a language it was not trained on: it put all their sentences close
    together, and two unrelated reports were a "translation" of each other (0.72 Swahili, 0.90 Vietnamese); its
    tokenizer cuts their words into many pieces (`unspun.embed.knows`). Translations between languages it knows
    are found still, three short sentences of Japanese too."""
    a, b = texts
    assert _languages_differ(_Pair(units(a), units(b)), Params())
    assert not knows(a) and not knows(b) and knows(EN) and knows(RU) and knows(JA_QUAKE[0])
    assert compare(a, b).passages == [] and compare(b, a).passages == []
    assert [x.kind for x in compare(RU, EN).passages] == ["translation"]
    assert [(x.kind, x.a, x.b) for x in align(*JA_QUAKE).passages] == [
        ("translation", (0, len(JA_QUAKE[0])), (0, len(JA_QUAKE[1])))]


#: Three sentences of a Japanese report and their English translation, written for these tests.
JA_QUAKE = ("水曜日の朝、日本の沿岸でマグニチュード6.1の地震が発生した。揺れは東京や近隣の県でも感じられた。気象庁は津波の心配はないと発表した。",
            "An earthquake of magnitude 6.1 struck off the coast of Japan on Wednesday morning. The tremors were felt in "
            "Tokyo and neighbouring prefectures. The Japan Meteorological Agency said there was no threat of a tsunami.")


#: A Persian report, written for these tests: typed on an Arabic keyboard, its yeh and kaf are Arabic's.
FA = ("سازمان هواشناسی ایران اعلام کرد که موج جدیدی از گرما از روز شنبه وارد استان‌های جنوبی کشور می‌شود. بر اساس این "
      "گزارش، دمای هوا در اهواز و بندرعباس به بیش از پنجاه درجه سانتی‌گراد خواهد رسید. مقامات محلی از شهروندان خواستند "
      "که از ساعت یازده صبح تا چهار بعدازظهر از خانه خارج نشوند.")


@pytest.mark.parametrize("variant", ["persian typed as arabic", "arabic without hamzas"])
def test_arabic_letters_written_either_way_are_one(variant: str):
    """A Persian text typed on an Arabic keyboard was a "paraphrase" of itself (0.46, its first words left out), an
    Arabic one without its hamzas lost its first word; Persian's zero-width non-joiner ("می‌شود") is spelling, no
    disguise, and names no side."""
    text, copy = ((FA, FA.translate(str.maketrans("یک", "يك"))) if variant == "persian typed as arabic" else
                  (AR, AR.translate(str.maketrans("أإآ", "ااا"))))
    assert copy != text
    c = compare(copy, text)
    assert [(x.kind, x.a, x.b, x.similarity) for x in c.passages] == [("edited", (0, len(copy)), (0, len(text)), 1.0)]
    c = compare(FA, FA.replace("\u200c", ""))
    assert [x.kind for x in c.passages] == ["edited"] and c.source is None and c.evidence == []


def test_an_invisible_variation_selector_inside_latin_words_is_a_disguise():
    copy = " ".join(w[:2] + "\ufe0f" + w[2:] if len(w) > 3 else w for w in PARA.split(" "))
    c = compare(OTHER + "\n\n" + copy, PARA)
    assert [x.kind for x in c.passages] == ["edited"] and c.source == "b" and "in disguise" in c.evidence[0]


@pytest.mark.parametrize("lang", ["armenian", "hindi", "amharic"])
def test_sentences_end_at_other_scripts_full_stops(lang: str):
    """Blingfire ends no sentence at the Armenian "։", the danda "।" or the Ethiopic "።": a whole article was one
    sentence, and a paragraph pasted into another with three words changed went unseen."""
    text = {"armenian": ARMENIAN[0], "hindi": HINDI[0],
            "amharic": ("የኢትዮጵያ መንግሥት ትናንት አዲስ የመንገድ ግንባታ ፕሮጀክት ይፋ አደረገ። ፕሮጀክቱ በአምስት ዓመታት ውስጥ እንደሚጠናቀቅ "
                        "የትራንስፖርት ሚኒስትሩ ተናግረዋል። የአካባቢው ነዋሪዎች ዜናውን በደስታ ተቀብለውታል። ተቃዋሚ ፓርቲዎች ግን "
                        "የወጪውን ዝርዝር እንዲገለጽ ጠይቀዋል።")}[lang]
    assert len(sentences(text)) >= 3
    words = text.split(" ")
    edited = " ".join(w if i not in (3, 9, 15) else w[::-1] for i, w in enumerate(words))
    host = {"armenian": ARMENIAN[1], "hindi": HINDI[1], "amharic": ARMENIAN[1]}[lang]
    c = compare(host + "\n\n" + edited, text)
    assert [(x.kind, x.a[0], x.b) for x in c.passages] == [("edited", len(host) + 2, (0, len(text)))]


#: The words of "كِتَابٌ جَدِيدٌ हिन्दी भाषा كـتـاب" as cut version 3 made them (its code's output, a0b8087).
THIRD_CUT = [(0, 1, "ك"), (2, 3, "ت"), (4, 6, "اب"), (8, 9, "ج"), (10, 11, "د"), (12, 14, "يد"), (16, 17, "ह"),
             (18, 19, "न"), (20, 21, "द"), (23, 24, "भ"), (25, 26, "ष"), (28, 34, "كـتـاب")]


#: A long Hindi line without a comma (cut into windows of words), and its sentences as cut version 3 split it (its
#: code's output, a0b8087): it counted the windows' words as it cut them.
LONG_HINDI = " ".join(f"किसानों के लिए सरकार ने नई योजना शुरू की है जिससे उन्हें लाभ मिलेगा और उत्पादन बढ़ेगा {i}"
                      for i in range(20)) + "।"
THIRD_CUT_SENTENCES = [(0, 164), (164, 329), (329, 496), (497, 659), (660, 824), (825, 989), (990, 1157), (1158, 1324),
                       (1325, 1490), (1490, 1657), (1657, 1770)]


def test_a_passage_ends_after_its_last_letters_marks_and_an_excerpt_starts_at_a_letter():
    """Thai's tone marks are no part of its words (it is cut at them: whole, a clause would be one word): a
    passage ended between "ด" and its "้"; a report's shortened excerpt began with a Bengali vowel sign."""
    from unspun.align.punctuation import _close
    from unspun.report._common import excerpt

    assert _close("ได้ ", 2) == 3 and _close("ได้. x", 2) == 4
    bengali = "ফায়ার সার্ভিসের আটটি ইউনিট প্রায় দুই ঘণ্টার চেষ্টায় আগুন নিয়ন্ত্রণে আনে। " * 3
    for limit in range(20, 80):
        head, tail = excerpt(bengali, 0, len(bengali), limit).split("…")
        assert not unicodedata.category(tail.lstrip()[0]).startswith("M"), limit


def test_ethiopic_sentences_end_before_a_word_separator():
    """Amharic written with its word separator "፡" between words (and after a full stop): a whole text was one
    sentence, and an edited copy one "word", a paraphrase."""
    am = "የኢትዮጵያ፡መንግሥት፡ትናንት፡አዲስ፡የመንገድ፡ግንባታ፡ፕሮጀክት፡ይፋ፡አደረገ።፡ፕሮጀክቱ፡በአምስት፡ዓመታት፡ውስጥ፡እንደሚጠናቀቅ፡የትራንስፖርት፡ሚኒስትሩ፡ተናግረዋል።፡" * 2
    assert len(sentences(am)) == 4
    copy = am.replace("አዲስ", "ሌላ", 1)
    assert [(x.kind, x.a, x.b) for x in compare(copy, am).passages] == [
        ("edited", (0, len(copy) - 1), (0, len(am) - 1))]


def test_no_word_is_empty_and_a_pointed_word_is_cut_as_cut_3_cut_it():
    """A line of tatweels, or of points alone, was folded to nothing: a word with an empty stem, which a stored
    document's packed words cannot hold. Cut 3's words, as a store of that version holds them (pinned: the words of
    version 3 itself), are what `third_cut_tokens` makes again."""
    from unspun.text import third_cut_tokens
    from unspun.vectors import PackedUnits

    assert all(t.stem for t in tokens("قال ـــــــ كتاب \ufe70"))
    assert PackedUnits.pack(units("ـــ")).unpack().tok == units("ـــ").tok
    text = "كِتَابٌ جَدِيدٌ हिन्दी भाषा كـتـاب"
    assert [(t.start, t.end, t.stem) for t in third_cut_tokens(text)] == THIRD_CUT
    assert [(x.start, x.end) for x in sentences(LONG_HINDI, cut=3)] == THIRD_CUT_SENTENCES
    assert [(x.start, x.end) for x in sentences(LONG_HINDI)] != THIRD_CUT_SENTENCES and cut_changed(LONG_HINDI, 3)


def test_only_texts_cut_3_cut_otherwise_are_said_changed():
    """A variation selector after an emoji leaves the words as they were (such a text was cut again at every run);
    the presentation forms NFKC makes points of, and the letters `fold` reads as one, were not seen."""
    assert not cut_changed("I love it \u2764\ufe0f so", 3) and not cut_changed("ภาษาไทย: " + RU, 3)
    assert cut_changed("דער שר\ufb1fבער ה\ufb2fט \ufb2e בוך", 3) and cut_changed("\ufecb\ufe77\ufed0\ufeae", 3)
    assert cut_changed(FA, 3) and cut_changed(AR, 3) and cut_changed(HINDI[0], 3) and cut_changed(ARMENIAN[0], 3)
    assert not cut_changed(FA, 4) and cut_changed(FA, 2)


def test_a_copy_of_decomposed_letters_is_verbatim():
    """A decomposed "é" (macOS, some feeds) is the letter another text writes composed: the same text was "edited"."""
    fr = "Le café du théâtre a rouvert ses portes après des années de travaux, à la grande joie des habitués. " * 3
    c = compare(fr, unicodedata.normalize("NFD", fr))
    assert [(x.kind, x.similarity) for x in c.passages] == [("verbatim", 1.0)]


@pytest.mark.parametrize("disguise", sorted(DISGUISES))
def test_a_disguised_copy_is_found_and_the_plain_text_named_its_source(disguise: str):
    """Each disguise alone hid a copied paragraph from every channel (no passage); the disguise is also evidence:
    authors have no reason to write so."""
    copy = OTHER + "\n\n" + DISGUISES[disguise](PARA)
    c = compare(copy, PARA)
    assert [(x.kind, x.a[0], x.b) for x in c.passages] == [("edited", len(OTHER) + 2, (0, len(PARA.rstrip())))]
    assert copy[c.passages[0].a[1] - 1] in ".．" and c.passages[0].similarity == 1.0
    assert c.source == "b" and "in disguise" in c.evidence[0]
    assert compare(PARA, copy).source == "a"


def test_words_of_another_script_written_alike_on_both_sides_are_no_disguise():
    """Russian copied with its English context: "сор" reads as "cop", and both sides write it so."""
    ru = "Сор сказал, что сор ехал домой, а сор стоял у двери всю ночь и ждал. " * 2
    c = compare(OTHER + ru + PARA, ru + PARA)
    assert c.passages and not any("disguise" in e for e in c.evidence)


#: A Russian report, written for these tests, and its English version.
RU = ("Городской совет заявил во вторник, что новый мост через реку откроется в мае. А представитель совета добавил, "
      "что второй мост планируется осенью, а паром будет ходить до тех пор. Не скрывая досады, он сказал, что проект "
      "обошелся намного дороже, чем ожидалось, из-за наводнения в прошлом году.")
EN = ("The city council said on Tuesday that the new bridge across the river would open in May. A spokesman added "
      "that a second bridge is planned for the autumn, and that a ferry will run until then. He said the project had "
      "cost a great deal more than first expected because of flooding last year.")


def test_reading_look_alikes_keeps_upper_and_lower_case_one_word():
    """Look-alikes were read before lower-casing, so "НЕТ" and "нет" became two words: a Russian paragraph and its
    copy in capitals shared none."""
    assert [x.kind for x in align(RU.upper(), RU).passages] == ["edited"]
    assert fold("ΚΑΙ").lower() == fold("και") and fold("Вода").lower() == fold("вода")


def test_russian_disguised_with_latin_look_alikes_names_the_plain_text_its_source():
    """A Russian copy written with Latin "o", "p", "e"... was found, but its disguise said nothing: only words
    reading as Latin ones counted."""
    copy = RU.translate(str.maketrans({"о": "o", "р": "p", "е": "e", "с": "c", "а": "a"}))
    c = compare(copy, RU)
    assert [x.kind for x in c.passages] == ["edited"] and c.passages[0].similarity == 1.0
    assert c.source == "b" and "in disguise" in c.evidence[0]
    assert compare(RU, copy).source == "a"


def test_ordinary_text_in_other_scripts_is_no_disguise():
    """Russian words that read as English ones ("Не" as "he", "а" as "a") and full-width digits, as Japanese house
    style writes them, named a source."""
    c = compare(RU, EN)
    assert [x.kind for x in c.passages] == ["translation"] and c.source is None and c.evidence == []
    ja = "東京都は２０２４年４月１日、新しい条例を施行した。対象は約６０万人で、費用は３００億円に上る。" * 2
    c = compare(ja, ja.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}))
    assert c.passages and c.source is None and c.evidence == []
    fr = "Le café du théâtre a rouvert ses portes après des années de travaux, à la grande joie des habitués. " * 3
    c = compare(fr, OTHER + fr)  # accented Latin letters mix no script
    assert c.passages and c.source is None and not any("disguise" in e for e in c.evidence)
    # Two spellings of one letter (the micro sign and the Greek mu), and the Latin "i" Ukrainians often type for
    # "і", named a source.
    dose = ("Readings near the plant reached 3.2 μSv per hour on Monday, and officials said doses below 5 μSv pose "
            "no risk. Schools stayed open while inspectors measured μSv levels in every district, and the mayor "
            "said the μSv figures would be published daily. ")
    uk = ("Міська рада заявила у вівторок, що новий міст через річку відкриють у травні, а другий міст "
          "планують восени. Містяни чекали на це рішення понад десять років, і рада обіцяє відкрити міст вчасно. ")
    for a, b in ((dose * 2, dose.replace("μ", "µ") * 2), (uk * 2, uk.replace("і", "i") * 2)):
        c = compare(a, OTHER + b)
        assert c.passages and not any("disguise" in e for e in c.evidence), c.evidence


def test_compare_takes_plain_texts_as_check_does() -> None:
    from unspun import Document, compare

    text = ("The harbour authority approved a new breakwater on Tuesday after two years of hearings. "
            "Fishermen had argued that the old wall no longer protected their boats during winter storms.")
    assert compare(text, text).to_json() == compare(Document(text), Document(text)).to_json()
    assert compare(text, text).passages[0].kind == "verbatim"
    assert Document(text, path=Path("notes") / "a.txt").path == "notes/a.txt"  # as read_document takes a Path


@pytest.mark.parametrize("a, message", [
    (None, "compare takes a str or a Document as a, not NoneType"),
    (b"bytes", "compare takes a str or a Document as a, not bytes"),
    (lambda: Document(b"bytes"), "Document.text must be a string, not bytes (decode the bytes"),
    (lambda: Document(None), "Document.text must be a string, not NoneType"),
    (lambda: Document("text", path=5), "Document.path must be a string or None, not int"),
])
def test_compare_says_what_it_takes_when_given_something_else(a, message) -> None:
    """``compare(None, "x")`` raised "'NoneType' object has no attribute 'text'"; ``Document(b"x")`` failed in the
    aligner ("cannot use a string pattern on a bytes-like object"); a number as path went into the JSON."""
    with pytest.raises(TypeError, match=re.escape(message)):
        compare(a() if callable(a) else a, PARA)


def test_each_piece_of_a_passage_cut_around_debris_has_its_own_similarity():
    """A passage split around a copier's insertion gave both pieces the kind and similarity of the whole ("edited
    0.75" for an exact copy and for a reworded paragraph alike): each piece says how close its own text is."""
    first = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
             "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
             "Engineers expect construction to take eighteen months and to cost about forty million euros. ")
    second = ("The regional government will pay half, and the rest will come from a European fund for coastal towns. "
              "Work is due to start in the spring, once the tender for the stone has been awarded. "
              "The mayor said the harbour would stay open to boats while the new wall is being built. ")
    reworded = ("The regional government will pay half, and the remainder will come from a European fund for coastal "
                "towns. Work is due to begin in the spring, once the contract for the stone has been awarded. "
                "The mayor said the port would stay open to vessels while the new wall is being built. ")
    debris = "Read more: Ten best cafés near the station you must visit this summer and why locals love them so much MORE "
    copy = first + debris + reworded
    al = align(copy, first + second)
    assert al.inserted_a and copy[al.inserted_a[0][0]:al.inserted_a[0][1]].startswith("Read more")
    near, far = al.passages
    assert near.b[1] <= len(first) + 1 and far.b[0] >= len(first) - 1
    assert (near.kind, near.similarity) == ("verbatim", 1.0) and far.similarity < 0.7


def test_a_passage_copied_word_for_word_is_of_similarity_one():
    """The copy begins inside a sentence of B: the sentences the case was scored on reach beyond the words copied,
    and the passage read 'verbatim 0.95'."""
    b = OTHER + "Reported by our correspondent in the northern port town of Saint-Malo on a cold grey morning: " + PARA
    (p,) = align(HARBOUR_NEWS + " " + PARA, b).passages
    assert (p.kind, p.similarity) == ("verbatim", 1.0)


@pytest.mark.parametrize("text", ["$5bn deal. " + PARA + OTHER + " Prices rose 8.5%",
                                  "«Quote» (" + PARA.strip() + ") in C++", "“" + PARA.strip() + "”",
                                  "#Harbour " + PARA + " @mayor -5 degrees"])
def test_a_text_compared_with_itself_is_one_passage_over_all_of_it(text):
    """A passage began at its first word and ended at its last with the punctuation closing a sentence: the $ of
    $5bn, « and ( (and # of a hashtag) were left out before it, % and ++ after it, and a text compared with itself
    was not all covered."""
    c = compare(text, text)
    assert [(p.a, p.b, p.kind) for p in c.passages] == [((0, len(text)), (0, len(text)), "verbatim")]
    assert (c.coverage_a, c.coverage_b) == (1.0, 1.0)


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_every_verbatim_passage_of_pan_copies_is_of_similarity_one():
    """On the first 60 pairs of task 02, 54 verbatim passages read a similarity of 0.95-0.99."""
    corpus = DATA / "pan13-train"
    pairs = (corpus / "02-no-obfuscation" / "pairs").read_text().split("\n")[:60]
    verbatim = [p for a, b in (x.split() for x in pairs) for p in align(
        (corpus / "susp" / a).read_text(encoding="utf-8"), (corpus / "src" / b).read_text(encoding="utf-8")).passages
        if p.kind == "verbatim"]
    assert len(verbatim) > 50 and {p.similarity for p in verbatim} == {1.0}


def test_a_passage_resumes_where_the_text_does_after_an_insertion():
    """An inserted paragraph ending "..., he said." before "The mayor said on Friday ...": 'said' looked anchored, so
    the passage after the insertion began with "said. The mayor" in the copy and "said on Friday" in the original,
    whose "The mayor" went to the passage before (a BBC story with a paragraph of sports news inserted)."""
    before = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
              "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
              "Three trawlers sank at their moorings last January, and insurers have since refused to cover the fleet. "
              "The authority's chairman told the hearing that the town could not afford to lose its fishing industry.")
    inserted = (" A cyclist from Ghent won the spring classic after a long breakaway over the cobbled hills. "
                "Her team will race in Italy next month with two riders back from injury. "
                "\"I'm looking forward to racing against such a strong field,\" she said.")
    after = (" The mayor said on Friday that the harbour would stay open to boats while the new wall is being built, "
             "and that engineers expect the work to take eighteen months and to cost about forty million euros. "
             "The regional government will pay half, and the rest will come from a European fund for coastal towns. "
             "Work is due to start in the spring, once the tender for the stone has been awarded.")
    copy, src = before + inserted + after, before + "\n\n" + after.strip()
    near, far = align(copy, src).passages
    assert copy[near.a[0]:near.a[1]] == src[near.b[0]:near.b[1]] == before
    assert copy[far.a[0]:far.a[1]] == src[far.b[0]:far.b[1]] == after.strip()
    assert (near.kind, far.kind) == ("verbatim", "verbatim")


@pytest.mark.parametrize("junk", ["x" * 200, "tracking-id " + "4030cb1e19816175b4be3dd8bc2e3ac7" * 19,
                                  "A" * 3000])
def test_one_outsized_token_inserted_is_left_out_of_the_passage(junk: str):
    """A 600-character hash, or a run of one letter, put between two paragraphs of a copy was one word: no run
    inserted, and one passage took it in, painted as reused text (QA; 100% of the copy said reused)."""
    before = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
              "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
              "Three trawlers sank at their moorings last January, and insurers have since refused to cover the fleet.")
    after = ("The mayor said on Friday that the harbour would stay open to boats while the new wall is being built, "
             "and that engineers expect the work to take eighteen months and to cost about forty million euros. "
             "The regional government will pay half, and the rest will come from a European fund for coastal towns.")
    copy, src = before + "\n\n" + junk + "\n\n" + after, before + "\n\n" + after
    result = compare(copy, src)
    assert [(copy[q.a[0]:q.a[1]], src[q.b[0]:q.b[1]], q.kind) for q in result.passages] == [
        (before, before, "verbatim"), (after, after, "verbatim")]
    assert "A has" in result.evidence[0] and "in 1 run inserted" in result.evidence[0]


def _bbc(name: str) -> str:
    return (DATA / "bbc-news-2225" / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.skipif(not (DATA / "bbc-news-2225").is_dir(), reason="../shared/data/bbc-news-2225 absent")
def test_an_inserted_paragraph_with_a_stray_shared_word_is_one_insertion():
    """A paragraph on TV ratings pasted between two of three politics stories: its "share decline in a year" held
    words the stories have ("shared", "year"), the run inserted was taken for two, and the text "resumed" at "share"
    on "shared purpose" 760 characters on: B's second passage began inside the pasted paragraph, and 764 characters
    of A copied word for word were left out (QA)."""
    host = "\n\n".join(_bbc(f"politics/{n}") for n in (260, 261, 262))
    pasted = max(_bbc("entertainment/216").split("\n"), key=len)
    at = host.index("\n\nThe remaining two were dressed")
    copy = host[:at] + "\n\n" + pasted + host[at:]
    passages = align(host, copy).passages
    assert [(q.kind, host[q.a[0]:q.a[1]] == copy[q.b[0]:q.b[1]]) for q in passages] == [("verbatim", True)] * 2
    assert passages[0].a == passages[0].b == (0, at) and passages[1].a[1] == len(host.rstrip())
    assert copy[passages[1].b[0]:].startswith("The remaining two were dressed")


@pytest.mark.skipif(not (DATA / "bbc-news-2225").is_dir(), reason="../shared/data/bbc-news-2225 absent")
def test_a_passage_of_a_text_that_repeats_itself_pairs_corresponding_sides():
    """Three politics stories (the third repeating the first's paragraphs) with a paragraph pasted mid-sentence: the
    passage after it was snapped to two runs, one of them the repeat's, and paired A 1917-5520 with B 3634-6314,
    its start inside the passage before (QA)."""
    host = "\n\n".join(_bbc(f"politics/{n}") for n in (310, 311, 312))
    pasted = max(_bbc("entertainment/190").split("\n"), key=len)
    at = host.index("is working until people drop")
    copy = host[:at] + pasted + " " + host[at:]
    passages = align(host, copy).passages
    assert all(host[q.a[0]:q.a[1]] == copy[q.b[0]:q.b[1]] for q in passages)
    assert all(x.a[1] <= y.a[0] for x, y in zip(passages, passages[1:]))  # no stretch of A twice
    assert sum(q.a[1] - q.a[0] for q in passages) >= len(host) - 2


@pytest.mark.skipif(not (DATA / "bbc-news-2225").is_dir(), reason="../shared/data/bbc-news-2225 absent")
@pytest.mark.parametrize(("first", "count", "pasted", "at", "sep"), [
    (292, 3, 69, 15220, "\n\n"),  # the paste ends "The voting is due...": resumed on "vote further." before it
    (334, 3, 242, 4904, "\n\n"),  # it begins "A Top of the Pops": "A", "of", "the" stayed in the passage before
    (111, 8, 352, 10415, " "),  # the text "resumed" 3,000 characters before where it left off
    (292, 8, 69, 9129, " "),
])
def test_a_paragraph_pasted_into_a_copy_is_left_out_of_both_passages(first, count, pasted, at, sep):
    """A paragraph of another story pasted between two paragraphs, or mid-sentence, of a compilation of politics
    stories: each passage's sides must be the same text, the paste in neither (QA's random pastes: 3 of 30 between
    paragraphs, 3 of 20 mid-sentence, had passages whose sides did not correspond)."""
    host = "\n\n".join(_bbc(f"politics/{first + k:03d}") for k in range(count))
    paste = sep + max(_bbc(f"entertainment/{pasted:03d}").split("\n"), key=len)
    copy = host[:at] + paste + host[at:]
    passages = align(host, copy).passages
    for q in passages:
        shift = 0 if q.a[1] <= at else len(paste)
        assert q.b == (q.a[0] + shift, q.a[1] + shift) and (q.a[1] <= at or q.a[0] >= at), (q, at)
    assert sum(q.a[1] - q.a[0] for q in passages) >= len(host.rstrip()) - 3


@pytest.mark.skipif(not (DATA / "bbc-news-2225").is_dir(), reason="../shared/data/bbc-news-2225 absent")
def test_a_copy_found_in_pieces_is_one_passage():
    """350,000 characters of sport and business stories on one line, a paragraph pasted at 200,000: the passage
    after it was reported 8 times over (QA), pieces of it the sentence-level search found apart, each snapped to
    the same run."""
    stories = []
    for topic in ("sport", "business"):
        for n in range(100, 512):
            try:
                story = (DATA / "bbc-news-2225" / topic / f"{n:03d}.txt").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):  # (a few are not UTF-8; some topics hold fewer)
                continue
            stories.append(story.replace("\n", "\r\n") + "\r\n🏟️ ⚽ 𝐒𝐏𝐎𝐑𝐓\r\n")
    whole = "".join(stories)
    paste = max([q for q in _bbc("entertainment/060").split("\n") if q.strip()][2:4], key=len)
    at = whole.index("\r\n", 200_000) + 2
    copy = (whole[:at] + paste + "\r\n" + whole[at:]).replace("\r\n", " ")
    at = copy.index(paste)
    original = copy[:at] + copy[at + len(paste) + 1 : 350_000]
    passages = align(original, copy[:350_000]).passages
    assert len({(q.a, q.b) for q in passages}) == len(passages)
    first, after = [q for q in passages if q.kind == "verbatim"]
    assert first.a == first.b == (0, at - 1) and after.a[1] == len(original) and after.b[1] == 350_000
    assert after.b[0] - after.a[0] == len(paste) + 1 and after.a[0] - at < 10


def test_a_sentence_reworded_beyond_recognition_is_no_insertion():
    """A sentence the copy rewords so far that it shares no content word with its original (as a translation round
    trip does here and there: "to do the more than his plots of earth" for "to make the most of their plots of
    land", BBC tech/006) was a run inserted into the copy, although the original has as many words there: the
    evidence named the original as the copy's source for 203 characters "with no counterpart", and the passage
    before it was 206 characters of the copy against 409 of the original."""
    head = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
            "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
            "Three trawlers sank at their moorings last January, and insurers have since refused to cover the fleet. ")
    said = ("Engineers expect construction to take eighteen months and to cost about forty million euros, paid in "
            "three parts. ")
    reworded = ("Builders reckon the job will last a year and a half and swallow some forty million, settled over "
                "three instalments. ")
    tail = ("The regional government will pay half, and the rest will come from a European fund for coastal towns. "
            "Work is due to start in the spring, once the tender for the stone has been awarded. "
            "The mayor said the harbour would stay open to boats while the new wall is being built.")
    copy, src = head + reworded + tail, head + said + tail
    al = align(copy, src)
    assert al.inserted_a == al.inserted_b == []
    assert [(p.a, p.b) for p in al.passages] == [((0, len(copy)), (0, len(src)))]
    assert compare(copy, src).evidence == []


def test_an_emoji_ending_a_sentence_is_in_the_passage():
    """A passage ended at the last word before an emoji that ends its sentence ("on Friday 🏫." ended at "Friday"):
    the copy's last characters were left out on both sides."""
    copied = ("Officials said 👩‍🚒 firefighters rescued twelve people trapped in their cars near the tunnel entrance. "
              "The regional prefecture has issued a red alert 🔴 for the next 48 hours and asked residents to avoid "
              "all unnecessary travel. Schools in seven towns will stay closed on Friday 🏫.")
    src = "🚨 Flooding has closed the coastal road after a night of record rainfall 🌊. " + copied + " More soon 👉"
    copy = HARBOUR_NEWS + " " + copied + "\nThe union will meet the minister next week."
    (p,) = align(copy, src).passages
    assert copy[p.a[0]:p.a[1]] == src[p.b[0]:p.b[1]] == copied and p.kind == "verbatim"


def test_a_passage_ending_or_starting_inside_a_number_takes_it_whole():
    """QA: words split at a number's point or comma, and a paraphrase that kept "274" of "274.5p" ended at "274.",
    the point read as a full stop; one that began at "000" of "13,000" dropped the "13,"."""
    from unspun.align.punctuation import _close, _open
    t = "The shares rose 4p to 274.5p. BA cut 13,000 jobs. It made 2.5bn."
    assert t[: _close(t, t.index("274") + 3)].endswith("to 274.5p.")
    assert t[_open(t, t.index("000")) :].startswith("13,000 jobs")
    assert _close(t, t.index("jobs") + 4) == t.index("jobs") + 5  # a full stop after a word is still one
    assert _close("sold 5. 6 left", 6) == 7 and _open("sold 5. 6 left", 8) == 8  # a list's numbers stay apart


def test_a_word_reworded_after_an_insertion_keeps_the_passage_where_it_resumes():
    """Review: a word changed just after an inserted paragraph ("Boat owners welcomed" for "praised") made the
    longest match of the words after it one further up the passage ("the decision and" of the first sentence), so
    the passage after the insertion began on the original's first sentences and the insertion took in the copy's
    reused sentences before it."""
    head = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
            "Local fishermen welcomed the decision and said the old wall had failed them in every winter storm. "
            "Three trawlers sank at their moorings last January, and insurers have since refused to cover the fleet.")
    inserted = (" A cyclist from Ghent won the spring classic after a long breakaway over the cobbled hills. "
                "Her team will race in Italy next month with two riders back from injury.")
    tail = ("The regional government will pay half, and the rest will come from a European fund for coastal towns. "
            "Work is due to start in the spring, once the tender for the stone has been awarded. "
            "The mayor said the harbour would stay open to boats while the new wall is being built.")
    copy = head + inserted + " Boat owners welcomed the decision and said they hoped work would start soon. " + tail
    src = head + " Boat owners praised the decision and said they hoped work would start soon. " + tail
    al = align(copy, src)
    assert [copy[x:y] for x, y in al.inserted_a] == [inserted.strip().rstrip(".")]
    near, far = al.passages
    assert copy[near.a[0]:near.a[1]] == src[near.b[0]:near.b[1]] == head
    assert copy[far.a[0]:far.a[1]].startswith("Boat owners") and src[far.b[0]:far.b[1]].startswith("Boat owners")


@pytest.mark.parametrize("put", [
    " A cyclist from Ghent won the spring classic after a long breakaway over the cobbled hills. "
    "Her team will race in Italy next month with two riders back from injury, said the coach.",
    " A cyclist from Ghent won the spring classic after a long breakaway over the cobbled hills, and her team, "
    "which had not won a race since the autumn, will now race in Italy next month with two riders back from "
    "injury, said the coach, who praised the young riders. The next race is in a fortnight, in the Ardennes hills."],
    ids=["as long", "twice as long"])
def test_a_sentence_replaced_by_other_text_is_left_out_of_both_sides(put):
    """Review: a copy that puts a paragraph of its own where the original has a sentence of about as many words is no
    rewording (their sentence vectors meet at 0.06, a round trip's reworded sentence at 0.64-0.77 with its
    original): the passage took the paragraph in on one side only (A 0-475 against B 0-288, 'edited 0.69'), and
    the evidence named the copy the source, as if the original had inserted its sentence. QA: text twice as long
    as the sentence it replaced was an insertion into the copy (its passage took in the original's sentence)."""
    head = ("The harbour authority approved a new breakwater on Tuesday after two years of public hearings. "
            "Fishermen had argued that the old wall no longer protected their boats during the winter storms. "
            "Three trawlers sank at their moorings last January, and insurers have since refused to cover the fleet.")
    dropped = (" Shopkeepers on the quay complained that fewer visitors had come to the town each summer since the "
               "storms began, and two cafes closed last year.")
    tail = ("The regional government will pay half, and the rest will come from a European fund for coastal towns. "
            "Work is due to start in the spring, once the tender for the stone has been awarded. "
            "The mayor said the harbour would stay open to boats while the new wall is being built.")
    copy, src = head + put + " " + tail, head + dropped + " " + tail
    c = compare(copy, src)
    assert [(copy[x.a[0]:x.a[1]], x.kind) for x in c.passages] == [(head, "verbatim"), (tail, "verbatim")]
    assert all(copy[x.a[0]:x.a[1]] == src[x.b[0]:x.b[1]] for x in c.passages)
    assert (c.source, c.evidence) == (None, [])


def test_text_at_a_passage_edge_is_no_insertion_inside_it():
    """A run beside a piece too short to report was counted as inserted inside a reused passage: the evidence named
    B as the source for 107 characters that lie before the only passage, where a reader sees text with no
    counterpart, as around any passage (PAN susp 01287 / src 02669: 131 characters of a neighbouring case)."""
    lead = "The harbour authority met on Tuesday. "
    debris = ("Read more: Ten best cafés near the station you must visit this summer and why locals love them so "
              "much MORE ")
    rest = PARA + "The mayor said the harbour would stay open to boats while the new wall is being built. "
    copy, src = lead + debris + rest, lead + rest
    c = compare(copy, src)
    (p,) = c.passages
    assert copy[p.a[0]:p.a[1]] == rest.strip()
    assert align(copy, src).inserted_a == [] and c.source is None and c.evidence == []


def test_a_text_of_one_sentence_repeated_is_found_in_its_copies():
    """A word in every unit weighs nothing (isf 0): a text of one sentence said 200 times had no passage even
    against itself (0% coverage); now its copy is one verbatim passage, unshifted, and a shorter copy inside a text
    that adds a line is found too."""
    line = "This is the same sentence that repeats over and over again in the text. "
    text = line * 200
    (p,) = compare(text, text).passages
    assert (p.a, p.b, p.kind) == ((0, len(text) - 1), (0, len(text) - 1), "verbatim")
    other = "Intro line here.\n" + line * 150
    c = compare(text, other)
    assert c.coverage_a == 1.0 and c.coverage_b > 0.99
    for q in c.passages:
        assert text[q.a[0]:q.a[1]].split() == other[q.b[0]:q.b[1]].split()
    assert compare(OTHER, PARA).passages == []


def test_coverage_counts_the_union_of_the_passages_non_space_characters() -> None:
    """Coverage is counted in the passages, over the text's count kept from the call before (a long text's whole
    mask, made again for each of its sources, was most of a check of a 30 MB text): the same share as a mask of
    the whole text, for passages that overlap, come in any order, or run past the text's end."""
    import random

    import numpy as np

    from unspun.judge import coverage

    rng = random.Random(3)
    for _ in range(300):
        text = "".join(rng.choice("ab \n\u3000\tc\u00a0é") for _ in range(rng.randint(0, 60)))
        starts = [rng.randint(0, 70) for _ in range(rng.randint(0, 5))]
        spans = [(a, max(0, a + rng.randint(-3, 20))) for a in starts]
        solid = np.array([not c.isspace() for c in text], dtype=bool)
        mask = np.zeros(len(text), dtype=bool)
        for s, e in spans:
            mask[s:e] = True
        expected = (mask & solid).sum() / solid.sum() if solid.sum() else 0.0
        assert coverage(text, spans) == pytest.approx(expected)


#: Two sentences of the harbour story that a sub-editor might cut from a copy.
TRIMMED = ("The council also agreed to study a second breakwater for the marina, which local sailing clubs have asked "
           "for since the storms of 2019. A report on its cost is expected before the summer recess. ")


@pytest.mark.parametrize("cut", [TRIMMED, "\n\n" + TRIMMED.strip() + "\n\n",
                                 '"Sailing clubs have wanted a second breakwater since the storms of 2019, and we will keep '
                                 'asking," said their chairman, Tom Price. ',
                                 "(" + TRIMMED.strip() + ") "], ids=["sentences", "a paragraph", "a quote", "brackets"])
def test_sentences_cut_from_a_copy_name_no_side(cut):
    """Whole sentences that one side has inside a reused passage and the other lacks were read as text a copier
    inserted, so a copy trimmed by a sub-editor (wire copy cut to fit) was named the source of its original."""
    head, tail = PARA[:PARA.index("The regional")], PARA[PARA.index("The regional"):]
    original, copy = head + cut + tail + OTHER, head + tail + OTHER
    for a, b in ((copy, original), (original, copy)):
        c = compare(a, b)
        assert c.passages and c.source is None
        assert any("whole sentences" in e and "name no side" in e for e in c.evidence)
        # (a paragraph cut splits the reused text into two passages: "inside reused passages" said otherwise)
        assert not any("inside reused passages" in e for e in c.evidence)


def test_text_a_rewrite_dropped_around_a_sentence_end_names_no_side():
    """A rewrite drops clauses and sentences as a copier adds debris: a run holding a whole sentence between parts of
    two others, text the copy dropped, was read as inserted into the original, and the copy named its source (an
    LLM's paraphrase of an arXiv paper in PAN 2025's sample; a student's heavy revision in Clough and Stevenson's)."""
    key = "Engineers expect construction to take eighteen months and to cost about forty million euros. The regional"
    dropped = ("Engineers expect construction to take eighteen months and to cost about forty million euros in all, most "
               "of it for the granite blocks. The quarry above the town will supply them. Deliveries take two winters "
               "while the regional")
    copy, original = PARA + OTHER, PARA.replace(key, dropped) + OTHER
    for a, b in ((copy, original), (original, copy)):
        c = compare(a, b)
        assert c.passages and (c.inserted_a or c.inserted_b) and c.source is None
        assert any("sentences' ends" in e and "name no side" in e for e in c.evidence), c.evidence


@pytest.mark.parametrize("text, run, prose", [
    ("We will not make use of this.} Then", "not make use of this", True),  # a sentence's end (TeX's brace after)
    # A whole sentence inside: after a formula's end, and after a figure's number (an LLM's paraphrase, a student's).
    ("([a, b])).$\nIt is easier, i.e. to switch to its algebra. In our case we drop", "b])).$\nIt is easier, i.e. "
     "to switch to its algebra. In our case", True),
    ("solvable.\nFigure 2. The subproblem graph for the sequence. That it is a DAG shows it.\nTo say that a problem has",
     "Figure 2. The subproblem graph for the sequence. That it is a DAG shows it.\nTo say that", True),
    # Initials, abbreviations, an ellipsis and a word in capitals end no sentence of debris (review).
    ("said on Tuesday Read more: U.S. Senate backs ten best cafés MORE that the", "Read more: U.S. Senate backs ten best "
     "cafés MORE", False),
    ("said on Tuesday Read more: Dr. Smith on ten best cafés MORE that the", "Read more: Dr. Smith on ten best cafés MORE",
     False),
    ("said on Tuesday Read more: Ten best cafés … Why locals love them MORE that", "Read more: Ten best cafés … Why "
     "locals love them MORE", False),
    ("begged Vladimir Vladimirovich PutinIran announces naval exercises … MORE to restore order.",
     "Vladimirovich PutinIran announces naval exercises … MORE", False),
    ("the president Vladimir Vladimirovich PutinIran announces naval drills MORE to restore order.",
     "Vladimirovich PutinIran announces naval drills MORE", False),
    ("trade war under Donald TrumpHannity after Jan. 6 texted McEnany MORE, Beijing", "TrumpHannity after Jan. 6 texted "
     "McEnany MORE", False),
    ("on Tuesday.Read more: ten best cafés MORE The regional", "Read more: ten best cafés MORE", False),
    # Asides set off by commas, dashes or brackets: what a sub-editor cuts from a copy (QA), their marks inside the
    # run or around it; debris after a comma that no comma closes is still debris.
    ("Portman, who has been nominated for her role in Closer, joins", "who has been nominated for her role in Closer",
     True),
    ("Portman, who has been nominated for her role in Closer, joins", ", who has been nominated for her role in "
     "Closer,", True),
    ("with Tripoli - imposed by the president in 1986 after a series of attacks - was suspended", "imposed by the "
     "president in 1986 after a series of attacks", True),
    ("the fund (set up by the city in 1998 for coastal towns) will pay", "set up by the city in 1998 for coastal towns",
     True),
    ("in the town, Read more: ten best cafés near the station MORE the council said", "Read more: ten best cafés near "
     "the station MORE", False),
    ("the dollar, Click, here, may be", "Click, here", False),  # under three words
])
def test_prose_is_told_from_debris(text: str, run: str, prose: bool) -> None:
    from unspun.judge import _prose

    start = text.index(run)
    assert _prose(text, start, start + len(run)) is prose


def test_an_aside_cut_from_a_copy_names_no_side():
    """A sub-editor cut a relative clause from a copy, set off by commas inside a sentence: the original read as the
    side with text inserted, and was named the copy (QA: 3 of 8 BBC articles with one clause cut)."""
    aside = ", which were built by the town's founders in the eighteenth century from granite of the local quarry,"
    original = PARA.replace("the old wall no", "the old wall" + aside + " no") + OTHER
    for a, b in ((PARA + OTHER, original), (original, PARA + OTHER)):
        c = compare(a, b)
        assert c.passages and (c.inserted_a or c.inserted_b) and c.source is None, c.evidence


def test_debris_glued_into_a_sentence_names_the_other_side():
    """Link debris is no whole sentence: it still names the side without it the source."""
    head, tail = PARA[:PARA.index("The regional")], PARA[PARA.index("The regional"):]
    debris = "Read more: Ten best cafés near the station you must visit this summer and why locals love them MORE "
    copy = head + "The regional " + debris + tail[len("The regional "):] + OTHER
    assert compare(copy, PARA + OTHER).source == "b" and compare(PARA + OTHER, copy).source == "a"


def test_dates_that_overrule_the_texts_are_said_to():
    """A copy with debris dated before its original: the dates name it the source, and the evidence said so beside
    the debris line naming the other, without a word that the two disagree (QA)."""
    head, tail = PARA[:PARA.index("The regional")], PARA[PARA.index("The regional"):]
    debris = "Read more: Ten best cafés near the station you must visit this summer and why locals love them MORE "
    copy = Document(head + "The regional " + debris + tail[len("The regional "):] + OTHER, published="2005-02-01")
    original = Document(PARA + OTHER, published="2005-02-03")
    c = compare(copy, original)
    assert c.source == "a" and c.evidence[-1] == (
        "the dates and the texts disagree: the dates name A, the texts B the source; the dates decide (a date may be "
        "wrong: a re-crawl's, an import's)")
    assert c.text_source == "b" and not any("disagree" in e for e in c.text_evidence)
    agree = compare(copy, Document(original.text, published="2005-01-01"))
    assert agree.source == "b" and not any("disagree" in e for e in agree.evidence)


def test_two_copies_each_with_its_own_debris_are_said_to_be_copies():
    """Two farm copies of one text, each with debris glued in where the other has none: "no evidence of direction"
    hid that the evidence says both are copies (QA)."""
    head, tail = PARA[:PARA.index("The regional")], PARA[PARA.index("The regional"):]
    one = head + "The regional Read more: Ten best cafés near the station you must visit this summer and why " \
        "locals love them MORE " + \
        tail[len("The regional "):] + OTHER
    cut = PARA.index("Work is due")
    two = PARA[:cut] + "Related: Harbour reopens after the storm damage of last winter, officials say, with new " \
        "cranes and a longer pier MORE " + \
        PARA[cut:] + OTHER
    c = compare(one, two)
    assert c.passages and c.source is None
    said = [e for e in c.evidence if "both look like copies" in e]
    assert len(said) == 1 and said[0].startswith("A and B each have runs inserted into the reused text"), c.evidence


@pytest.mark.parametrize("after_a, after_b", [("\n\nThe weather was mild.", "\n\nThe mayor left early."),
                                              (" The weather was mild.", " The mayor left early."),
                                              ("\n\nMs Hewitt said the weather was mild.", "\n\nMs Hewitt left early.")],
                         ids=["line, The", "sentence, The", "line, Ms Hewitt"])
def test_a_pasted_paragraph_ends_where_it_ends(after_a, after_b):
    """A pasted paragraph followed on both sides by a sentence that begins with the same word or two ran on by
    them ("…in December.\\n\\nThe"), and a passage beside it overlapped it."""
    a = OTHER + "\n\n" + PARA.strip() + after_a
    b = HARBOUR_NEWS + "\n\n" + PARA.strip() + after_b
    (p,) = compare(a, b).passages
    assert a[p.a[0] : p.a[1]] == PARA.strip() == b[p.b[0] : p.b[1]]


@pytest.mark.skipif(not (DATA / "bbc-news-2225").is_dir(), reason="../shared/data/bbc-news-2225 absent")
def test_a_paragraph_moved_in_the_copy_gives_passages_whose_sides_correspond():
    """BBC politics/327 with its fourth paragraph moved to the end (X Y Z of X Z Y): the passage over X and Y took
    in Z's sentences on B, a hole within reach of both sides, and Z's own passage matched them too: two passages
    "edited" over one stretch of B, neither side's text the other's."""
    b = (DATA / "bbc-news-2225" / "politics" / "327.txt").read_text(encoding="utf-8")
    paras = b.split("\n\n")
    a = "\n\n".join(paras[:3] + paras[4:] + paras[3:4])
    passages = compare(a, b).passages
    assert len(passages) == 3
    assert all(p.kind == "verbatim" and a[p.a[0] : p.a[1]] == b[p.b[0] : p.b[1]] for p in passages)


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_a_copy_of_a_list_is_one_passage():
    """Lines of a list match many lines of the other side: cut where the other parts' seeds lay, a copy of one
    (PAN 02 susp 01786, src 02321) became six passages, the same one six times."""
    case, passages = _pan("02-no-obfuscation", "01786", "02321")
    assert [(p.a, p.b) for p in passages] == [((case[0][0], case[0][1]), (case[1][0], case[1][1]))]


@pytest.mark.parametrize("twice_is_a", [False, True], ids=["X of XX", "XX of X"])
def test_a_text_pasted_twice_is_two_passages_whichever_side_it_is(twice_is_a):
    """A paragraph pasted twice into another text gave two passages when that text was A and one when it was B:
    the passages kept one partner for each stretch of A, and the second copy was lost."""
    twice = OTHER + "\n\n" + PARA + "\n\n" + HARBOUR_NEWS + "\n\n" + PARA
    a, b = (twice, PARA) if twice_is_a else (PARA, twice)
    c = compare(a, b)
    assert len(c.passages) == 2 and all(p.kind == "verbatim" and a[p.a[0] : p.a[1]] == b[p.b[0] : p.b[1]]
                                        for p in c.passages)
    assert (c.coverage_a, c.coverage_b)[twice_is_a] == 1.0


def test_a_copy_in_curly_quotes_is_verbatim():
    """A copy whose straight quotes a house style made curly was "edited" (similarity 1.0): no word was changed."""
    text = PARA + 'The mayor said: "We don\'t want the boats to leave, and we\'ll keep the quay open." ' + OTHER
    curly = text.replace(' "', " “").replace('."', ".”").replace("'", "’")
    (p,) = compare(curly, text).passages
    assert (p.kind, p.similarity) == ("verbatim", 1.0)


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_lines_of_a_template_repeated_in_the_source_are_no_passages_of_their_own():
    """A second copy on B is a passage when it repeats all of a verbatim passage's A side: taken for a part, a source
    of repeated template lines (PAN 02 susp 00111, src 02990) gave 11 passages for one copy."""
    case, passages = _pan("02-no-obfuscation", "00111", "02990")
    assert len(passages) == 1


@pytest.mark.parametrize("old, new", [("The harbour authority approved", "The harbour authority passed"),
                                      ("has been awarded.", "has been granted.")], ids=["lead", "last words"])
def test_a_word_changed_near_a_copy_s_start_or_end_leaves_no_words_out(old, new):
    """A copy that changed one word of its first sentence was a verbatim passage from the word after it: the
    words before it, copied too, were left out (and at the end, those after it)."""
    copy = PARA.replace(old, new)
    (p,) = compare(copy, PARA + OTHER).passages
    assert p.a == (0, len(copy.rstrip())) and p.b == (0, len(PARA.rstrip()))
    assert p.kind == "edited" and p.similarity >= 0.95


@pytest.mark.parametrize("text, run, whole", [
    ('It rained. "We are delighted," she said. Then it stopped.', 'We are delighted," she said.', True),
    ("It rained. (We were delighted.) Then it stopped.", "We were delighted.", True),
    ("天气很好。我们很高兴。然后", "我们很高兴。", True),
    ("Talks ended on Tuesday.Read more: Iran announces a programme. Then it stopped.",
     "Read more: Iran announces a programme.", False),
    ("Vladimir PutinIran announces naval exercises MORE said on Tuesday.", "PutinIran announces naval exercises MORE",
     False),
], ids=["quote", "brackets", "Chinese", "glued after a full stop", "glued into a sentence"])
def test_whole_sentences_are_told_from_text_glued_into_one(text, run, whole):
    """A sentence opening with a quote or bracket was not whole (so a quoted sentence a sub-editor cut still named
    the copy the source), and debris glued right after a full stop was."""
    start = text.index(run)
    assert _whole_sentences(text, start, start + len(run)) is whole


@pytest.mark.parametrize("before_a, before_b, after_a, after_b", [
    ("", "", "\n\nNobody was hurt, police said.", "\n\nTwo were arrested, police said."),
    ("Police said nobody was hurt.\n\n", "Police said two were arrested.\n\n", "", "")], ids=["after", "before"])
def test_a_copy_at_its_sentences_bounds_takes_in_no_neighbour(before_a, before_b, after_a, after_b):
    """A verbatim copy was taken on into the next sentence (or back into the one before) where the two texts'
    neighbouring sentences differed only in their first (or last) words: an exact copy became "edited 0.93"."""
    a = "Weather report for the coast.\n\n" + before_a + PARA.strip() + after_a
    b = "Business news from the port.\n\n" + before_b + PARA.strip() + after_b
    (p,) = compare(a, b).passages
    assert (p.kind, a[p.a[0] : p.a[1]], b[p.b[0] : p.b[1]]) == ("verbatim", PARA.strip(), PARA.strip())


@pytest.mark.parametrize("twice_is_a", [False, True], ids=["X of XX", "XX of X"])
def test_a_short_text_twice_side_by_side_is_two_passages(twice_is_a):
    """Two sentences twice in a row, too short to lie on diagonals apart: one passage paired both copies with the
    one (A 0-384 with B 0-191, "edited", similarity 1.0)."""
    x = ". ".join(PARA.split(". ")[:2]) + "."
    a, b = (x + "\n\n" + x, x) if twice_is_a else (x, x + "\n\n" + x)
    passages = compare(a, b).passages
    assert len(passages) == 2 and all(p.kind == "verbatim" and a[p.a[0] : p.a[1]] == b[p.b[0] : p.b[1]]
                                      for p in passages)


def test_different_signs_at_a_passage_s_ends_are_no_copy_word_for_word():
    """A sign is taken in at a passage's start: "-5 degrees …" against "+5 degrees …" was "verbatim", its two
    sides' texts different (a sign one side alone has is still no difference)."""
    assert [p.kind for p in compare("-5 degrees " + PARA, "+5 degrees " + PARA).passages] == ["edited"]
    assert [p.kind for p in compare(PARA + " up 8.5%", PARA + " up 8.5").passages] == ["verbatim"]


@pytest.mark.skipif(not (DATA / "pan13-train").is_dir(), reason="../shared/data/pan13-train absent")
def test_a_copy_of_a_text_that_repeats_itself_is_one_passage():
    """A source that repeats itself at shifts has long runs over one stretch of both sides: taken for a text twice
    side by side, one copy of it (PAN 02 susp 00929, src 02951) became five passages."""
    case, passages = _pan("02-no-obfuscation", "00929", "02951")
    assert len(passages) == 1


@pytest.mark.parametrize("before", ["", "Weather report for the coast.\n\n"], ids=["at the start", "after text"])
def test_a_copy_s_short_first_line_is_part_of_it(before):
    """A line of two words copied with the text ("By Earth911" over an article) was cut off as two words that run
    on past a line break by chance."""
    copied = "By Earth911\n" + PARA.strip()
    a, b = before + copied, copied + "\n\n" + OTHER
    (p,) = compare(a, b).passages
    assert a[p.a[0] : p.a[1]] == copied == b[p.b[0] : p.b[1]]


_PLANTS = ("The regional government announced on Thursday that it would close three coal plants by the end of the "
           "decade. Officials said the decision followed years of pressure from residents who complained about "
           "polluted air. The plants employ about four thousand people, and unions have demanded a plan to retrain "
           "them. The minister for energy promised that no worker would be left without support during the "
           "transition. Critics in the opposition said the timetable was too slow and asked the prime minister to "
           "act faster.")
_PLANTS_REWORDED = ("The regional administration declared on Thursday that it would shut three coal plants by the end of "
                    "the decade. Officials said the move came after years of pressure from locals who complained about "
                    "dirty air. The plants employ roughly four thousand people, and unions have demanded a scheme to "
                    "retrain them. The energy minister pledged that no worker would be left without support during the "
                    "change. Critics in the opposition said the timetable was too slow and asked the prime minister to "
                    "move with more urgency.")


@pytest.mark.parametrize("dateline", ["", "date 2024-03-07 "])
def test_a_reworded_passage_takes_in_the_rest_of_its_sentences_but_not_a_date_line(dateline):
    """A reworded copy ended at its last matched word, "...asked the prime minister to", its other side at "...to
    act faster." (QA: "...Vladimir Putin to" against "...to restore order."), and began at "on Thursday", its other
    side's sentence start left out. A scraper's date line glued before the first sentence stays out."""
    a = dateline + _PLANTS_REWORDED
    (p,) = compare(a, _PLANTS).passages
    assert p.kind in ("edited", "paraphrase") and p.similarity < 0.95
    assert a[p.a[1] - len("more urgency."):p.a[1]] == "more urgency." and p.b == (0, len(_PLANTS))
    assert p.a[0] == (0 if not dateline else a.index("on Thursday"))


def test_a_reworded_passage_takes_in_its_sentences_not_the_short_lines_beside_them():
    """A unit holds a short line beside its sentence; snapped to the unit, a passage took in "Advertisement" before
    its first sentence and "Read more" after its last (review)."""
    a = "Advertisement\n" + _PLANTS_REWORDED + "\nRead more"
    (p,) = compare(a, _PLANTS).passages
    assert p.a == (a.index("The regional"), a.index("\nRead more"))


def test_a_published_that_is_no_date_is_said_in_the_evidence():
    """A date given that reads as none was dropped without a word, and the verdict read as if the dates had been
    weighed (QA; `check` said so of the checked document's)."""
    c = compare(Document(PARA + OTHER, published="garbage"), Document(PARA, published="2024-01-01"))
    assert c.evidence[0] == "A's published 'garbage' is not a date, so the dates were not compared"
    assert not any("not a date" in e for e in c.text_evidence)
    assert not any("not a date" in e for e in compare(Document(PARA + OTHER, published=" "), PARA).evidence)
