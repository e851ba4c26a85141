"""The HTML report of `compare` (and of `check`, which embeds it) in a real browser: headless Chromium (Debian's)
driven by Playwright, as in test_serve_browser.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from unspun.models import Comparison, Document, Passage
from unspun.report import render_html

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[test]')")

CHROMIUM = Path("/usr/bin/chromium")
FILLER = "An unrelated paragraph that nobody copied, about the weather and the roads.\n\n" * 60
COPIED = "The council approved the tram line on Monday after a debate that lasted four hours. " * 4


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


def _in_view(pane, pid: str) -> bool:
    return pane.evaluate("""(pane, pid) => {
        const r = pane.getBoundingClientRect();
        const t = pane.querySelector('[data-p~="' + pid + '"]').getBoundingClientRect();
        return t.top >= r.top && t.top < r.bottom; }""", pid)


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
    assert _in_view(pane_a, "1") and _in_view(pane_b, "1")
    assert pane_a.evaluate("d => d.scrollTop") > 0 and pane_b.evaluate("d => d.scrollTop") == 0
    assert not page.problems, page.problems
