"""The HTML report of `compare` (and of `check`, which embeds it) in a real browser: headless Chromium (Debian's)
driven by Playwright, as in test_serve_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from unspun.models import Comparison, Document, Passage
from unspun.report import render_html

from side_by_side import comes_into_view, in_view

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[test]')")

CHROMIUM = Path("/usr/bin/chromium")
FILLER = "An unrelated paragraph that nobody copied, about the weather and the roads.\n\n" * 60
COPIED = "The council approved the tram line on Monday after a debate that lasted four hours. " * 4
QUOTED = "Residents of the old town asked for a footbridge over the river before the works begin next year. " * 3


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} absent: apt-get install chromium chromium-driver (.ci/run does)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    yield pg
    context.close()


def test_report_opens_each_side_at_its_first_passage(page, tmp_path: Path) -> None:
    """A passage far down one side: the report opened on the text's first screen there, with nothing marked."""
    a = FILLER + COPIED + FILLER
    b = COPIED + FILLER
    start = len(FILLER)
    c = Comparison(Document(a, "long.txt"), Document(b, "short.txt"),
                   [Passage((start, start + len(COPIED)), (0, len(COPIED)), "verbatim", 1.0)], 0.1, 0.1)
    out = tmp_path / "report.html"
    out.write_text(render_html(c), encoding="utf-8")
    page.goto(out.as_uri())
    pane_a, pane_b = page.locator("#doc-a"), page.locator("#doc-b")
    assert in_view(pane_a, "1") and in_view(pane_b, "1")
    assert pane_a.evaluate("d => d.scrollTop") > 0 and pane_b.evaluate("d => d.scrollTop") == 0
    assert not page.problems, page.problems


def _two_passages(page, tmp_path: Path) -> None:
    """A report whose two passages lie far apart on each side, opened in the browser."""
    a = COPIED + FILLER + QUOTED + FILLER
    b = FILLER + QUOTED + FILLER + COPIED
    passages = [Passage((0, len(COPIED)), (len(b) - len(COPIED), len(b)), "verbatim", 1.0),
                Passage((a.index(QUOTED), a.index(QUOTED) + len(QUOTED)), (len(FILLER), len(FILLER) + len(QUOTED)),
                        "verbatim", 1.0)]
    out = tmp_path / "report.html"
    out.write_text(render_html(Comparison(Document(a, "a.txt"), Document(b, "b.txt"), passages, 0.1, 0.1)),
                   encoding="utf-8")
    page.goto(out.as_uri())


def _classes(page, side: str, pid: str) -> list[str]:
    return page.locator(f'#doc-{side} .p[data-p~="{pid}"]').first.get_attribute("class").split()


def test_a_passage_is_lit_on_hover_and_chosen_by_click_on_both_sides(page, tmp_path: Path) -> None:
    """Hover lights a passage on both sides; a click on it, or on its link in the list, pins it and scrolls to it."""
    _two_passages(page, tmp_path)
    pane_a, pane_b = page.locator("#doc-a"), page.locator("#doc-b")
    assert not in_view(pane_b, "1")
    pane_a.locator('.p[data-p~="1"]').hover()
    assert "on" in _classes(page, "b", "1")
    pane_a.locator('.p[data-p~="1"]').click()
    assert "sel" in _classes(page, "a", "1") and "sel" in _classes(page, "b", "1")
    assert comes_into_view(pane_b, "1")
    page.locator('a[data-go="2"]').first.click()  # a passage link in the list: both sides, no jump to its anchor
    assert "sel" in _classes(page, "b", "2") and "sel" not in _classes(page, "b", "1")
    assert comes_into_view(pane_a, "2") and comes_into_view(pane_b, "2")
    assert page.evaluate("location.hash") == ""
    assert not page.problems, page.problems


def test_passages_can_be_chosen_with_the_keyboard(page, tmp_path: Path) -> None:
    """Tab reaches the passage links of the list, and Enter or Space chooses one as a click does (the report
    handled clicks only: Enter chose as the link's click, Space scrolled the page)."""
    _two_passages(page, tmp_path)
    pane_a, pane_b = page.locator("#doc-a"), page.locator("#doc-b")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.go") == "2":
            break
    assert page.evaluate("document.activeElement.dataset.go") == "2"
    page.keyboard.press("Enter")
    assert "sel" in _classes(page, "a", "2") and "sel" in _classes(page, "b", "2")
    assert comes_into_view(pane_a, "2") and comes_into_view(pane_b, "2")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.go") == "1"
    page.keyboard.press(" ")
    assert "sel" in _classes(page, "a", "1") and "sel" in _classes(page, "b", "1")
    assert comes_into_view(pane_a, "1") and comes_into_view(pane_b, "1")
    assert page.evaluate("location.hash") == ""
    assert not page.problems, page.problems


def test_check_page_fits_a_phone_without_scrolling_sideways(browser, tmp_path: Path) -> None:
    """The table of sources (eight columns) stood wider than a phone's screen: the whole page scrolled sideways,
    iframes and all (818 pixels of page at 390). It scrolls within its own box now."""
    from unspun.models import CheckResult, Source
    from unspun.report.check import render_check_html

    c = Comparison(Document(COPIED + FILLER, "copy.txt"), Document(COPIED, "a-source-with-a-long-file-name.txt"),
                   [Passage((0, len(COPIED)), (0, len(COPIED)), "verbatim", 1.0)], 0.1, 1.0)
    sources = [Source(f"a-source-with-a-long-file-name-{i}.txt", 0.5, "2024-05-02", c) for i in range(3)]
    out = tmp_path / "check.html"
    out.write_text(render_check_html([CheckResult(c.a, sources, sources[0].id, ["it is the earliest"])]),
                   encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(out.as_uri())
        wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert wide[0] <= wide[1], wide
    finally:
        context.close()


def test_a_long_unbroken_source_id_does_not_widen_the_check_page(browser, tmp_path: Path) -> None:
    """A URL as an id (277 characters of tracking parameters) made the page 2,507 pixels wide on a 1,400 window and
    on a phone: the table's score and coverage stood off screen (QA)."""
    from unspun.models import CheckResult, Source
    from unspun.report.check import render_check_html

    url = "https://news.example.com/2024/05/02/story?" + "&".join(f"utm_param{i}=value{i}x" * 3 for i in range(10))
    c = Comparison(Document(COPIED + FILLER, "copy.txt"), Document(COPIED, url),
                   [Passage((0, len(COPIED)), (0, len(COPIED)), "verbatim", 1.0)], 0.1, 1.0)
    out = tmp_path / "check.html"
    out.write_text(render_check_html([CheckResult(c.a, [Source(url, 0.5, None, c)], url, [f"{url} explains it"])]),
                   encoding="utf-8")
    for viewport in ({"width": 1400, "height": 1000}, {"width": 390, "height": 844}):
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.goto(out.as_uri())
            wide = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert wide[0] <= wide[1], (viewport, wide)
        finally:
            context.close()


def test_printed_reports_hold_every_text_whole(page, tmp_path: Path) -> None:
    """Printed or saved as PDF, each pane kept its screen height and scrolled: about 70% of each text was missing from
    the paper, and a check's embedded reports printed as 722-pixel windows onto them (QA)."""
    from unspun.models import CheckResult, Source
    from unspun.report.check import render_check_html

    a, b = COPIED + FILLER * 3, FILLER + COPIED
    c = Comparison(Document(a, "copy.txt"), Document(b, "source.txt"),
                   [Passage((0, len(COPIED)), (len(FILLER), len(b)), "verbatim", 1.0)], 0.1, 0.1)
    whole = """() => [...document.querySelectorAll('.doc, .list')].every(e => e.scrollHeight <= e.clientHeight + 1)"""
    report, check = tmp_path / "report.html", tmp_path / "check.html"
    report.write_text(render_html(c), encoding="utf-8")
    check.write_text(render_check_html([CheckResult(c.a, [Source("source.txt", 0.5, None, c)] * 2, None, [])]),
                     encoding="utf-8")
    page.goto(report.as_uri())
    assert not page.evaluate(whole)  # on screen, each pane scrolls
    page.emulate_media(media="print")
    page.evaluate("dispatchEvent(new Event('beforeprint'))")  # (what printing does first)
    assert page.evaluate(whole)
    page.evaluate("dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert not page.evaluate(whole)

    page.goto(check.as_uri())
    page.emulate_media(media="print")
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    frames = page.locator("iframe")
    assert frames.count() == 2
    for i in range(2):
        frame = page.frames[i + 1]
        assert frame.evaluate(whole)
        inner = frame.evaluate("document.documentElement.scrollHeight")
        assert frames.nth(i).evaluate("f => f.getBoundingClientRect().height") >= inner > 2000
    assert not page.problems, page.problems


def test_right_to_left_paragraphs_read_right_to_left(page, tmp_path: Path) -> None:
    """An Arabic or Hebrew paragraph was laid out left to right: its sentences' full stops at their start, the text
    against the left edge. Each paragraph takes its direction from its own script, English ones beside them too."""
    from test_align import AR

    english = "The council approved the tram line on Monday.\n\n"
    a = english + AR
    c = Comparison(Document(a, "ar.txt"), Document(AR, "ar2.txt"),
                   [Passage((len(english), len(a)), (0, len(AR)), "verbatim", 1.0)], 0.9, 1.0)
    out = tmp_path / "report.html"
    out.write_text(render_html(c), encoding="utf-8")
    page.goto(out.as_uri())
    pane = page.locator("#doc-a")
    box = pane.bounding_box()
    arabic = page.locator('#doc-a .p[data-p~="1"]').first.bounding_box()
    assert arabic["x"] + arabic["width"] > box["x"] + box["width"] - 40  # against the right edge
    lines = pane.evaluate("""d => { const r = document.createRange(); r.setStart(d.firstChild, 0);
                                   r.setEnd(d.firstChild, 3); return r.getBoundingClientRect().x; }""")
    assert lines < box["x"] + 40  # the English paragraph against the left one
    assert not page.problems, page.problems
