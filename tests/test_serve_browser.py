"""The web pages of `unspun serve` in a real browser: headless Chromium (Debian's) driven by Playwright.

A real server (uvicorn, in a thread, on a free port) serves a store holding the seed original among a few BBC
articles; the page is given the seed's French round-trip copy and must rank the original first, with passages
highlighted and linked across the two sides. Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from unspun.index import Index
from unspun.models import Record
from unspun.serve import create_app
from unspun.serve.server import background

from side_by_side import comes_into_view, in_view

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install -e '.[test]')")

CHROMIUM = Path("/usr/bin/chromium")
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
ARTIFACTS = Path(__file__).parent / "artifacts"
BBC_PER_TOPIC = 3
#: An id with path segments a browser would resolve away (records' ids are free text).
DOTTED = "dots/../odd/./copy"
#: An id that reverses what follows it on screen: "evil-\u202egnp.exe" shows as "evil-exe.png".
REVERSING = "evil-\u202egnp.exe"

INJECTED = (
    "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> "
    "The river authority confirmed on Monday that the old stone bridge at Marrow Ford will close for repairs. "
    "Engineers found cracks in two of the arches during an inspection after the spring floods. "
    "Traffic will be diverted through the village of Eastwick for at least six months, the authority said. "
    "Local shops fear that the diversion will keep visitors away during the busiest season of the year. "
    "</textarea><b onmouseover=\"window.__pwned = 3\">bold?</b> A temporary footbridge is planned for walkers."
)

#: Emoji (two UTF-16 units each) where an excerpt of the text is cut; stored with Windows line endings.
EMOJI = ("The harbour festival opened " + "\U0001f386" * 8 + " on Saturday with a parade of boats and a brass band. "
         "Thousands of visitors lined the old harbour wall to watch the fireworks over the water. "
         "The organisers said the festival would return next summer with a longer programme of music. "
         "Local caf\u00e9s stayed open until midnight, and the ferry ran an extra crossing for the crowds.")


def _seed(prefix: str) -> Path:
    found = sorted((DATA / "seeds").glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed pair absent: no {DATA / 'seeds'}/{prefix}_*.txt")
    return found[0]


@pytest.fixture(scope="module")
def seeds() -> tuple[Path, Path]:
    return _seed("001"), _seed("000")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeds: tuple[Path, Path]) -> Iterator[str]:
    """A read-only server over the seed original, a few BBC articles and a document full of markup."""
    bbc = DATA / "bbc-news-2225"
    if not bbc.is_dir():
        pytest.skip(f"BBC articles absent: no {bbc}")
    original, _ = seeds
    records = [Record(id=f"seeds/{original.name}", text=original.read_text(encoding="utf-8"))]
    for topic in sorted(p for p in bbc.iterdir() if p.is_dir()):
        for f in sorted(topic.glob("*.txt"))[:BBC_PER_TOPIC]:
            text = f.read_text(encoding="utf-8", errors="replace")
            records.append(Record(id=f"bbc/{topic.name}/{f.name}", text=text))
    records.append(Record(id=DOTTED, text="Reprinted: " + records[1].text))
    records.append(Record(id=REVERSING, text="Reprinted: " + records[2].text, title="\u202eslx.txt"))
    records.append(Record(id="inject/original", text=INJECTED, title="<i>Bridge</i> closes"))
    # A stored date that is no date ("N/A" in a CSV export) is kept as given, and orders nothing.
    records.append(Record(id="inject/copy", text="Reported: " + INJECTED.replace("Monday", "Tuesday"),
                          published="N/A"))
    records.append(Record(id="emoji/original", text=EMOJI.replace(". ", ".\r\n")))
    records.append(Record(id="emoji/copy", text="Reported: " + EMOJI))
    db = tmp_path_factory.mktemp("serve") / "db"
    with Index(db, semantic=False) as ix:
        report = ix.add(records)
        assert report.indexed == len(records)
    index = Index(db, readonly=True)
    try:
        with background(create_app(index)) as url:
            yield url
    finally:
        index.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} absent: apt-get install chromium chromium-driver (.ci/run does)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, server: str):
    """A fresh page that records console errors and any request leaving the server's origin."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    pg.problems = []
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("request", lambda r: r.url.startswith((server, "data:")) or pg.problems.append(f"external: {r.url}"))
    yield pg
    context.close()


def _shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _check(pg, server: str, text: str) -> None:
    pg.goto(server + "/")
    pg.fill("#text", text)
    pg.click("#check")
    pg.wait_for_selector("#results[data-done]")


def test_check_page_ranks_the_seed_original_first(page, server: str, seeds: tuple[Path, Path]) -> None:
    original, copy = seeds
    _check(page, server, copy.read_text(encoding="utf-8"))
    first = page.locator("li.source").first
    assert first.get_attribute("data-id") == f"seeds/{original.name}"
    assert first.get_attribute("data-rank") == "1"
    query_pieces = first.locator('.doc[data-side="query"] .p')
    source_pieces = first.locator('.doc[data-side="source"] .p')
    assert query_pieces.count() > 0 and source_pieces.count() > 0
    # the source pane holds the stored original's text, exactly
    stored = original.read_text(encoding="utf-8")
    assert first.locator('.doc[data-side="source"]').text_content() == stored
    # hovering a passage on one side lights up its counterpart on the other; clicking pins it
    piece = query_pieces.first
    ids = piece.get_attribute("data-p").split()
    piece.hover()
    counterpart = first.locator(f'.doc[data-side="source"] .p[data-p~="{ids[0]}"]').first
    assert "on" in counterpart.get_attribute("class").split()
    piece.click()
    assert "sel" in counterpart.get_attribute("class").split()
    assert first.locator("tr[data-go]").count() == query_pieces.evaluate_all(
        "els => new Set(els.flatMap(e => e.dataset.p.split(' '))).size")
    assert "found" in page.text_content("#status")
    _shot(page, "serve-check-seed.png")
    assert not page.problems, page.problems


def test_back_from_a_source_finds_the_check_as_it_was(page, server: str, seeds: tuple[Path, Path]) -> None:
    """Back from a source's page came to an empty form: the pasted text and its results were lost."""
    original, copy = seeds
    pasted = copy.read_text(encoding="utf-8")
    _check(page, server, pasted)
    page.fill("#title", "the copy")  # (typed after the check: the form as it was checked comes back)
    ids = [li.get_attribute("data-id") for li in page.locator("li.source").all()]
    page.locator("li.source").first.locator("a.source-id").click()
    page.wait_for_selector("#doc-text")
    page.go_back()
    page.wait_for_selector("#results[data-done]")
    assert page.input_value("#text") == pasted and page.input_value("#title") == ""
    assert [li.get_attribute("data-id") for li in page.locator("li.source").all()] == ids
    assert "the last check" in page.text_content("#status")
    page.fill("#text", pasted[: len(pasted) // 2])  # and a new check replaces it
    page.click("#check")
    page.wait_for_selector("#results[data-done]")
    assert "the last check" not in page.text_content("#status")
    assert page.locator("li.source").first.get_attribute("data-id") == f"seeds/{original.name}"
    assert not page.problems, page.problems


def test_back_finds_the_text_as_it_was_checked_not_as_edited_meanwhile(page, server: str,
                                                                       seeds: tuple[Path, Path]) -> None:
    """The form was kept when the answer came, not as it was sent: text edited while "Checking..." came back beside
    the answer to the text before it, and Check then sent that earlier text (review)."""
    _, copy = seeds
    pasted = copy.read_text(encoding="utf-8")
    held = []
    page.route("**/v1/check", lambda route: held.append(route))
    page.goto(server + "/")
    page.fill("#text", pasted)
    page.click("#check")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Checking')")
    while not held:
        page.wait_for_timeout(50)
    page.fill("#text", "An edit made while the check ran.")
    held[0].continue_()
    page.wait_for_selector("#results[data-done]")
    page.unroute("**/v1/check")
    page.locator("li.source").first.locator("a.source-id").click()
    page.wait_for_selector("#doc-text")
    page.go_back()
    page.wait_for_selector("#results[data-done]")
    assert page.input_value("#text") == pasted
    assert not page.problems, page.problems


def test_choosing_a_passage_scrolls_to_it_on_both_sides(page, server: str, seeds: tuple[Path, Path]) -> None:
    """The last passage of the seed pair lies far below the panes' first screen: clicking it on one side, or its
    row in the table, brings its counterpart into view (the panes once scrolled to the page's offset instead)."""
    original, copy = seeds
    _check(page, server, copy.read_text(encoding="utf-8"))
    first = page.locator("li.source").first
    query, source = first.locator('.doc[data-side="query"]'), first.locator('.doc[data-side="source"]')
    last = str(first.locator("tr[data-go]").count())
    assert int(last) > 1 and not in_view(source, last)
    query.locator(f'.p[data-p~="{last}"]').first.click()
    assert comes_into_view(source, last)
    first.locator('tr[data-go="1"]').click()
    assert comes_into_view(source, "1") and comes_into_view(query, "1")
    first.locator(f'tr[data-go="{last}"]').click()
    assert comes_into_view(source, last) and comes_into_view(query, last)
    assert not page.problems, page.problems


def test_passages_can_be_chosen_with_the_keyboard(page, server: str, seeds: tuple[Path, Path]) -> None:
    """Tab reaches the passage rows, and Enter or Space chooses one as a click does."""
    _, copy = seeds
    _check(page, server, copy.read_text(encoding="utf-8"))
    first = page.locator("li.source").first
    last = str(first.locator("tr[data-go]").count())
    first.locator("a.source-id").focus()
    for _ in range(int(last) + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.go") == last:
            break
    assert page.evaluate("document.activeElement.dataset.go") == last
    page.keyboard.press("Enter")
    source = first.locator('.doc[data-side="source"]')
    assert "sel" in source.locator(f'.p[data-p~="{last}"]').first.get_attribute("class").split()
    assert comes_into_view(source, last)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press(" ")
    assert "sel" in source.locator(f'.p[data-p~="{int(last) - 1}"]').first.get_attribute("class").split()
    assert not page.problems, page.problems


def _compilation() -> tuple[list[Path], str]:
    """The openings (four paragraphs) of eight stored BBC articles, one after the other."""
    files = [f for topic in sorted(p for p in (DATA / "bbc-news-2225").iterdir() if p.is_dir())
             for f in sorted(topic.glob("*.txt"))[:2]][:8]
    text = "\n\n".join("\n\n".join([x for x in f.read_text(encoding="utf-8", errors="replace").split("\n")
                                      if x.strip()][:4]) for f in files)
    return files, text


def test_every_source_of_a_compilation_is_listed(page, server: str) -> None:
    """A text made of the openings of eight stored articles: the page listed the first 5 under "5 sources found"
    (the API's default top), and an original ranked below them was named with no way to see its passages."""
    from unspun.serve.schemas import MAX_TOP

    files, text = _compilation()
    _check(page, server, text)
    ids = {li.get_attribute("data-id") for li in page.locator("li.source").all()}
    assert {f"bbc/{f.parent.name}/{f.name}" for f in files} <= ids
    assert page.text_content("#status").startswith(f"{len(ids)} sources found")
    assert page.evaluate("Unspun.TOP") == MAX_TOP
    assert not page.problems, page.problems


def test_an_opened_view_shows_its_first_passage(page, server: str) -> None:
    """In a compilation most sources' passages lie far down the checked text: a view opened on the text's first
    screen, with nothing marked in sight."""
    _check(page, server, _compilation()[1])
    items = page.locator("li.source").all()
    assert len(items) > 3
    scrolled = 0
    for item in items:
        if item.locator("details").get_attribute("open") is None:
            item.locator("summary").click()
        for side in ("query", "source"):
            pane = item.locator(f'.doc[data-side="{side}"]')
            first = pane.locator(".p").first.get_attribute("data-p").split()[0]
            # (the view scrolls on its `toggle` event, which the browser fires a moment after the click)
            assert comes_into_view(pane, first), (item.get_attribute("data-id"), side)
            scrolled += pane.evaluate("d => d.scrollTop > 0")
    assert scrolled  # some first passages were below the first screen
    assert not page.problems, page.problems


def test_uploaded_html_is_extracted_then_checked(page, server: str, seeds: tuple[Path, Path], tmp_path: Path) -> None:
    original, copy = seeds
    paragraphs = [p for p in copy.read_text(encoding="utf-8").split("\n") if p.strip()]
    page_html = ("<!DOCTYPE html><html><head><title>Kazakhstan, translated</title></head><body>"
                 "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>Kazakhstan</h1>"
                 + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
                 + "</article><footer>Copyright and cookies</footer></body></html>")
    f = tmp_path / "copy.html"
    f.write_text(page_html, encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#file", str(f))
    page.wait_for_selector("#status:has-text('extracted')")  # a selector, not a JS string: the CSP forbids eval
    text = page.input_value("#text")
    assert "<p>" not in text and "Tokayev" in text and "Copyright and cookies" not in text
    page.click("#check")
    page.wait_for_selector("#results[data-done]")
    assert page.locator("li.source").first.get_attribute("data-id") == f"seeds/{original.name}"
    assert not page.problems, page.problems


def test_uploads_are_read_as_index_reads_files(page, server: str, tmp_path: Path) -> None:
    """Every upload was read as UTF-8: a Windows-1252 file lost its accented letters to U+FFFD, and a PDF was
    checked as noise and answered "No source found", which reads as a clean result. The page sends the bytes to
    /v1/read, which reads them as `index` does."""
    page.goto(server + "/")
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Caf\u00e9 d\u00e9j\u00e0 vu \u2013 \u00a35".encode("cp1252"))
    page.set_input_files("#file", str(legacy))
    page.wait_for_selector("#status:has-text('decoded as cp1252')")
    assert page.input_value("#text") == "Caf\u00e9 d\u00e9j\u00e0 vu \u2013 \u00a35"
    wide = tmp_path / "wide.txt"
    wide.write_bytes("\ufeffA UTF-16 note: \u00e9t\u00e9".encode("utf-16-le"))
    page.set_input_files("#file", str(wide))
    page.wait_for_selector("#status:has-text('wide.txt loaded')")
    assert page.input_value("#text") == "A UTF-16 note: \u00e9t\u00e9"
    assert not page.problems, page.problems
    # A refused file empties what the last file put in the text box (it was left there, under the new name, to be
    # checked as that file); typed text stays.
    for name, data, says, typed in (("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF", ""),
                                    ("notes.txt", b"\x00\x01\x02\xff\xfe\x00binary", "binary file", "My own notes")):
        if typed:
            page.fill("#text", typed)
        (tmp_path / name).write_bytes(data)
        page.set_input_files("#file", str(tmp_path / name))
        page.wait_for_selector(f"#status.error:has-text('{says}')")
        assert page.input_value("#text") == typed
        assert page.input_value("#title") == ""
    assert all("status of 422" in p for p in page.problems), page.problems  # /v1/read refusing each file


def test_every_field_of_the_check_form_has_a_label(page, server: str) -> None:
    """The text box was named by its placeholder alone, which goes once something is typed into it."""
    page.goto(server + "/")
    for field in page.locator("form input, form textarea").all():
        fid = field.get_attribute("id")
        assert page.locator(f'label[for="{fid}"], label:has(#{fid})').count() == 1, fid
    assert page.get_by_label("Text to check").get_attribute("id") == "text"
    assert not page.problems, page.problems


def test_a_date_read_from_one_upload_does_not_stay_for_the_next(page, server: str, tmp_path: Path) -> None:
    """The date of an uploaded page stayed in the form when the next file was chosen, and was sent as its date."""
    dated = tmp_path / "dated.html"
    dated.write_text("<!DOCTYPE html><html><head><title>Bridge</title>"
                     "<meta property='article:published_time' content='2005-01-01'></head><body><article>"
                     + "".join(f"<p>{html.escape(s)}.</p>" for s in INJECTED.split(". ")[1:5])
                     + "</article></body></html>", encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text("Plain text without any date in it, " * 10, encoding="utf-8")
    page.goto(server + "/")
    page.set_input_files("#file", str(dated))
    page.wait_for_selector("#status:has-text('extracted')")
    assert (page.input_value("#title"), page.input_value("#published")) == ("dated.html", "2005-01-01")
    page.set_input_files("#file", str(plain))
    page.wait_for_selector("#status:has-text('plain.txt loaded')")
    assert (page.input_value("#title"), page.input_value("#published")) == ("plain.txt", "")
    page.fill("#published", "2001-02-03")  # typed by the user: kept
    page.fill("#title", "my title")
    page.set_input_files("#file", str(dated))
    page.wait_for_selector("#status:has-text('extracted')")
    assert (page.input_value("#title"), page.input_value("#published")) == ("my title", "2001-02-03")
    assert not page.problems, page.problems


def test_a_text_put_in_place_of_a_pages_is_not_sent_under_its_title_and_date(page, server: str,
                                                                            tmp_path: Path) -> None:
    """A page's title and date stayed in the form when another text was pasted over its text, and were sent with it:
    a copy was "undecided, may be the original" by another article's date (QA). An edit of the page's text keeps
    them; a text in place of the whole of it, or an emptied box, does not."""
    page.goto(server + "/")
    for i, replace in enumerate(("Control+A", None)):
        dated = tmp_path / f"dated{i}.html"
        dated.write_text("<!DOCTYPE html><html><head><title>Bridge</title>"
                         "<meta property='article:published_time' content='2005-01-01'></head><body><article>"
                         + "".join(f"<p>{html.escape(s)}.</p>" for s in INJECTED.split(". ")[1:5])
                         + "</article></body></html>", encoding="utf-8")
        page.set_input_files("#file", str(dated))
        page.wait_for_selector(f"#status:has-text('extracted from dated{i}.html')")
        assert (page.input_value("#title"), page.input_value("#published")) == (dated.name, "2005-01-01")
        page.click("#text")
        page.keyboard.press("End")
        page.keyboard.type(" An edit.")  # the page's text, edited: still the page's
        assert (page.input_value("#title"), page.input_value("#published")) == (dated.name, "2005-01-01")
        if replace:
            page.keyboard.press(replace)
            page.keyboard.insert_text("Another article entirely, pasted over the page's text.")
        else:
            page.fill("#text", "")
        assert (page.input_value("#title"), page.input_value("#published")) == ("", "")
    page.fill("#title", "mine")  # typed by the user: kept whatever the text
    page.keyboard.press("Tab")
    page.click("#text")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("Yet another text.")
    assert page.input_value("#title") == "mine"
    assert not page.problems, page.problems


def test_a_source_whose_text_cannot_be_fetched_is_said_so(page, server: str, seeds: tuple[Path, Path]) -> None:
    """A source deleted between the check and the fetch of its text had the error drawn as its text, the passages
    marked in it ("no document with id ..." with "xt'" highlighted; QA)."""
    _, copy = seeds
    page.route("**/v1/documents/**", lambda route: route.fulfill(
        status=404, content_type="application/json", body='{"detail": "no document with id \'gone\'"}'))
    _check(page, server, copy.read_text(encoding="utf-8"))
    first = page.locator("li.source").first
    assert first.locator("p.error").text_content() == "source text unavailable: no document with id 'gone'"
    assert first.locator(".docs").count() == 0


def test_a_source_replaced_since_the_check_is_said_so_not_marked(page, server: str, seeds: tuple[Path, Path]) -> None:
    """The page fetches each source's text after the check: a source replaced meanwhile (or since a kept check, on
    reload) had the passages' offsets drawn on its new text, marking other words (QA). Its digest tells."""
    _, copy = seeds

    def replaced(route) -> None:
        doc = route.fetch().json()
        doc.update(text="UPDATE: corrected figures below.\n\n" + doc["text"], digest="0" * 16)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(doc))

    page.route("**/v1/documents/**", replaced)
    _check(page, server, copy.read_text(encoding="utf-8"))
    first = page.locator("li.source").first
    assert "has changed since this check" in first.locator("p.error").text_content()
    assert first.locator(".docs").count() == 0
    page.unroute("**/v1/documents/**")
    page.reload()  # the kept check, over the text as stored: marked
    page.wait_for_selector("#results[data-done]")
    assert page.locator("li.source").first.locator(".docs").count() == 1
    assert not page.problems, page.problems


def test_check_a_text_starts_an_empty_form_and_a_text_pasted_over_a_check_leaves_its_title_and_date(
        page, server: str, seeds: tuple[Path, Path]) -> None:
    """"Check a text" brought the last check back with its typed title and date, and a text pasted over it was sent
    with them: the date took part in choosing its original (QA)."""
    _, copy = seeds
    page.goto(server + "/")
    page.fill("#title", "Story A")
    page.fill("#published", "2001-01-01")
    page.fill("#text", copy.read_text(encoding="utf-8"))
    page.click("#check")
    page.wait_for_selector("#results[data-done]")
    page.click("nav >> text=Check a text")
    page.wait_for_load_state()
    assert [page.input_value(f) for f in ("#text", "#title", "#published")] == ["", "", ""]
    assert page.locator("li.source").count() == 0 and page.url == server + "/"
    page.go_back()  # Back still finds the check as it was
    page.wait_for_selector("#results[data-done]")
    assert page.input_value("#published") == "2001-01-01"
    page.click("#text")
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("Another article entirely, pasted over the checked text.")
    assert (page.input_value("#title"), page.input_value("#published")) == ("", "")
    assert not page.problems, page.problems


def test_a_reload_while_a_check_runs_keeps_the_text_sent_not_the_check_before(page, server: str,
                                                                              seeds: tuple[Path, Path]) -> None:
    """Reloaded while "Checking...", the page showed the check before, its text and sources, and the text sent was
    lost (QA)."""
    original, copy = seeds
    _check(page, server, copy.read_text(encoding="utf-8"))
    page.route("**/v1/check", lambda route: None)  # held: never answered
    second = original.read_text(encoding="utf-8")[:2000]
    page.fill("#text", second)
    page.click("#check")
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Checking')")
    # Held through the reload: unrouted before it, the request went on to the server and, on a loaded machine (CI),
    # was answered before the reload, so the page rightly showed that answer.
    page.reload()
    page.wait_for_selector("#status:has-text('did not finish')")
    assert page.input_value("#text") == second and page.locator("li.source").count() == 0
    page.unroute_all(behavior="ignoreErrors")
    assert not page.problems, page.problems


def test_the_check_button_keeps_the_focus_through_a_check(page, server: str, seeds: tuple[Path, Path]) -> None:
    """Disabled while it had focus, the button lost it to the page: after a check a keyboard user's Tab started
    again from the header (QA)."""
    _, copy = seeds
    page.goto(server + "/")
    page.fill("#text", copy.read_text(encoding="utf-8"))
    page.focus("#check")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results[data-done]")
    page.wait_for_function("() => !document.getElementById('check').disabled")
    assert page.evaluate("document.activeElement.id") == "check"
    assert not page.problems, page.problems


def test_a_text_too_short_to_hold_a_passage_says_so(page, server: str) -> None:
    """A quotation of 131 characters copied word for word from a stored article: "No source found", read as "this
    quotation is original" (QA)."""
    _check(page, server, INJECTED.split(". ")[1] + ".")
    assert page.locator("li.source").count() == 0
    assert "too short to find its source" in page.text_content("#results")
    assert not page.problems, page.problems


def test_a_check_that_fills_the_page_says_there_may_be_more(page, server: str, seeds: tuple[Path, Path]) -> None:
    """A check returning as many sources as the page asks for (50) read "50 sources found", though the store held
    94 (QA): the page says there may be more."""
    _, copy = seeds

    def fifty(route) -> None:
        answer = route.fetch().json()
        answer["sources"] = answer["sources"][:1] * page.evaluate("Unspun.TOP")
        route.fulfill(json=answer)

    page.route("**/v1/check", fifty)
    _check(page, server, copy.read_text(encoding="utf-8"))
    assert page.text_content("#status").startswith("The 50 best sources shown (a page asks for 50; there may be more")
    assert not page.problems, page.problems


def _sent_and_answer(pg, start) -> tuple[str, dict]:
    """The text the page sent to /v1/check and the answer, for the check that calling ``start`` sets off."""
    with pg.expect_response(lambda r: r.url.endswith("/v1/check")) as answer:
        start()
    pg.wait_for_selector("#results[data-done]")
    return answer.value.request.post_data_json["text"], answer.value.json()


def _source(answer: dict, sid: str) -> dict:
    return next(s for s in answer["sources"] if s["id"] == sid)


def test_runs_inserted_into_the_copy_are_struck_through(page, server: str, seeds: tuple[Path, Path]) -> None:
    """The evidence said "432 characters in 2 runs inserted" (the seed copy's link debris) and the page showed
    nowhere which: the answer gives the runs, and the checked text's pane strikes them through, with a legend."""
    original, copy = seeds
    page.goto(server + "/")
    page.fill("#text", copy.read_text(encoding="utf-8"))
    sent, answer = _sent_and_answer(page, lambda: page.click("#check"))
    runs = _source(answer, f"seeds/{original.name}")["inserted"]["query"]
    assert runs
    item = page.locator(f'li.source[data-id="seeds/{original.name}"]')
    struck = item.locator('.doc[data-side="query"] .ins')
    assert struck.all_text_contents() == [sent[slice(*r)] for r in runs]
    assert item.locator('.doc[data-side="source"] .ins').count() == 0
    assert "inserted into reused text" in item.locator(".legend").text_content()
    _marks_fall_on_the_offsets(item, sent, original.read_text(encoding="utf-8"),
                               _source(answer, f"seeds/{original.name}"))
    assert not page.problems, page.problems


def test_excerpts_cut_whole_characters(page, server: str) -> None:
    """The passage table's excerpts were cut by UTF-16 units, so an emoji (two units) at the cut showed as a
    broken character; they are cut by code points, as the text and HTML reports cut theirs."""
    from unspun.report._common import excerpt

    page.goto(server + "/")
    page.fill("#text", "Seen today: " + EMOJI)
    sent, answer = _sent_and_answer(page, lambda: page.click("#check"))
    span = _source(answer, "emoji/original")["passages"][0]["query"]
    units = " ".join(sent[slice(*span)].split()).encode("utf-16-le")
    assert 0xDC00 <= int.from_bytes(units[78:80], "little") <= 0xDFFF  # the cut after 39 units halves an emoji
    row = page.locator('li.source[data-id="emoji/original"] tr[data-go="1"]')
    assert row.locator("td").nth(5).text_content() == excerpt(sent, *span, 80)
    assert not page.problems, page.problems


def _marked(pane, pid: int) -> str:
    return "".join(pane.locator(f'.p[data-p~="{pid}"]').all_text_contents())


def _marks_fall_on_the_offsets(item, query_text: str, source_text: str, source: dict) -> None:
    """Both panes show their texts as they are, and each passage marks its offsets' characters (code points)."""
    query, stored = item.locator('.doc[data-side="query"]'), item.locator('.doc[data-side="source"]')
    assert query.text_content() == query_text and stored.text_content() == source_text
    assert source["passages"]
    for i, p in enumerate(source["passages"], 1):
        assert _marked(query, i) == query_text[slice(*p["query"])]
        assert _marked(stored, i) == source_text[slice(*p["source"])]


def test_marks_fall_on_the_offsets_with_windows_line_endings(page, server: str, tmp_path: Path) -> None:
    """Offsets are code points into the text the server received. A text box gives a pasted text with Windows line
    endings (\\r\\n) made \\n, and the page sends and shows that very text; a file loaded and left unedited is
    sent as read, \\r\\n kept, so its offsets and length are the file's, as `unspun check FILE` gives them (QA: the
    page's were not); a stored document keeps its \\r\\n, in a source's pane and on its own page. Each way, passages
    mark the right characters."""
    stored = page.request.get(server + "/v1/documents/emoji/original").json()["text"]
    crlf = "Seen today:\r\n" + stored
    assert stored.count("\r\n") == 3
    upload = tmp_path / "seen.txt"
    upload.write_bytes(crlf.encode("utf-8"))
    for way in ("pasted", "uploaded"):
        page.goto(server + "/")
        if way == "pasted":
            page.focus("#text")
            page.keyboard.insert_text(crlf)
        else:
            page.set_input_files("#file", str(upload))
            page.wait_for_selector("#status:has-text('seen.txt loaded')")
        sent, answer = _sent_and_answer(page, lambda: page.click("#check"))
        assert sent == (crlf if way == "uploaded" else crlf.replace("\r\n", "\n")), way
        item = page.locator('li.source[data-id="emoji/original"]')
        _marks_fall_on_the_offsets(item, sent, stored, _source(answer, "emoji/original"))
    page.click("#text")
    page.keyboard.press("Control+End")
    page.keyboard.type(" Edited.")  # the file's text edited in the box: the box's text is what is checked
    sent, _ = _sent_and_answer(page, lambda: page.click("#check"))
    assert sent == crlf.replace("\r\n", "\n") + " Edited."
    sent, answer = _sent_and_answer(page, lambda: page.goto(server + "/documents/emoji/original"))
    assert sent == stored
    item = page.locator('li.source[data-id="emoji/copy"]')
    _marks_fall_on_the_offsets(item, stored, "Reported: " + EMOJI, _source(answer, "emoji/copy"))
    assert not page.problems, page.problems


def test_markup_in_documents_is_shown_as_text(page, server: str) -> None:
    _check(page, server, INJECTED)
    page.wait_for_timeout(300)  # give any injected handler a chance to run
    assert page.evaluate("window.__pwned") is None
    first = page.locator("li.source").first
    assert first.get_attribute("data-id") in {"inject/original", "inject/copy"}
    query = first.locator('.doc[data-side="query"]')
    assert "<script>window.__pwned = 1</script>" in query.text_content()
    assert query.locator("script, img, b").count() == 0
    assert page.locator("#results script, #results img, #results b").count() == 0
    page.locator('#results .doc .p').first.hover()
    assert page.evaluate("window.__pwned") is None
    assert not page.problems, page.problems


def test_document_page_shows_its_reuse_links(page, server: str) -> None:
    page.goto(server + "/documents/inject/original")
    page.wait_for_selector("#results[data-done]")
    assert page.evaluate("window.__pwned") is None
    assert page.text_content("#doc-title") == "<i>Bridge</i> closes"
    assert page.text_content("#doc-text") == INJECTED
    ids = [li.get_attribute("data-id") for li in page.locator("li.source").all()]
    assert ids and ids[0] == "inject/copy" and "inject/original" not in ids
    link = page.locator("li.source").first.locator("a.source-id")
    assert link.get_attribute("href") == "/documents/inject/copy"
    _shot(page, "serve-document-page.png")
    link.click()
    page.wait_for_selector("#results[data-done]")
    assert page.text_content("#doc-title") == "inject/copy"
    assert "N/A" in page.text_content("#doc-meta")
    # Its check without the date the API refuses (its 422 is the browser's one console line)
    assert page.locator("li.source").first.get_attribute("data-id") == "inject/original"
    assert [p for p in page.problems if "status of 422" not in p] == [], page.problems


def test_ids_with_dot_segments_are_linked_to_themselves(page, server: str) -> None:
    """A link to "dots/../odd/./copy" once led to /documents/odd/copy (the browser resolved the dots), and its text
    could not be fetched for the side-by-side view."""
    page.goto(server + "/documents/bbc/business/001.txt")
    page.wait_for_selector("#results[data-done]")
    item = page.locator(f'li.source[data-id="{DOTTED}"]')
    assert item.count() == 1
    assert item.locator('.doc[data-side="source"]').text_content().startswith("Reprinted: ")
    item.locator("a.source-id").click()
    page.wait_for_selector("#results[data-done]")
    assert page.text_content("#doc-title") == DOTTED
    assert page.locator("li.source").first.get_attribute("data-id") == "bbc/business/001.txt"
    assert not page.problems, page.problems


def test_ids_that_reorder_the_text_after_them_are_written_out(page, server: str) -> None:
    """U+202E in an id reversed it and what followed it on the page ("evil-exe.png"); it is written out, and the
    link still leads to the document."""
    page.goto(server + "/documents/bbc/business/002.txt")
    page.wait_for_selector("#results[data-done]")
    link = page.locator(f'li.source[data-id="{REVERSING}"] a.source-id')
    assert link.text_content() == "evil-\\u202egnp.exe"
    assert "\u202e" not in page.text_content("#results")
    link.click()
    page.wait_for_selector("#results[data-done]")
    assert page.text_content("#doc-title") == "\\u202eslx.txt" and "\u202e" not in page.text_content("#doc-meta")
    assert page.title() == "unspun: evil-\\u202egnp.exe"
    assert not page.problems, page.problems


def test_a_document_longer_than_a_check_takes_is_checked_by_its_opening(browser, tmp_path: Path) -> None:
    """A stored document over the server's --max-text had no reuse links: the page sent its whole text to
    /v1/check, refused with a server setting's error the user never chose (QA). Its opening that long is checked,
    and the page says so."""
    filler = " ".join(f"Paragraph {i} of a long report on the harbour, with nothing copied in it at all." for i in
                      range(40))
    with Index(tmp_path / "db", semantic=False) as ix:
        ix.add([Record(id="long", text=INJECTED + " " + filler), Record(id="copy", text="Reported: " + INJECTED)])
    index = Index(tmp_path / "db", readonly=True)
    context = browser.new_context()
    try:
        with background(create_app(index, max_text=2_000)) as url:
            pg = context.new_page()
            pg.goto(url + "/documents/long")
            pg.wait_for_selector("#results[data-done]")
            assert [li.get_attribute("data-id") for li in pg.locator("li.source").all()] == ["copy"]
            chars = len(INJECTED + " " + filler)
            assert pg.text_content("#status") == (f"Reuse links of its first 2,000 characters of {chars:,}: the most "
                                                  "this server checks at once (unspun serve --max-text; unspun check "
                                                  "--exclude ID checks the whole text).")
    finally:
        context.close()
        index.close()


def test_the_page_says_how_many_passages_no_check_finds_by_meaning(browser, tmp_path: Path) -> None:
    """A run killed before it saved its vectors leaves passages a check finds by their words only: the page said
    nothing of it (QA)."""
    import subprocess
    import sys

    db = tmp_path / "db"
    with Index(db, semantic=True) as ix:
        ix.add([Record(id="original", text=INJECTED)])
    killed = ("import os, sys; from unspun.index import Index; from unspun.models import Record; "
              "ix = Index(sys.argv[1], linger=600); ix.add([Record(id='c', text=sys.argv[2])]); os._exit(0)")
    subprocess.run([sys.executable, "-c", killed, str(db), "Reported: " + INJECTED], check=True)
    index = Index(db, readonly=True)
    context = browser.new_context()
    try:
        with background(create_app(index)) as url:
            pg = context.new_page()
            pg.goto(url + "/")
            pg.wait_for_function("() => document.getElementById('store').textContent.length > 0")
            said = "2 documents \u00b7 read-only \u00b7 1 passage not yet searchable by meaning"
            assert pg.text_content("#store") == said
    finally:
        context.close()
        index.close()


def test_a_document_without_reuse_says_so_once(page, server: str) -> None:
    """The page said it twice: "No other stored document shares text with this one." in its status line and
    "No source found in the store for this text." under "Reuse links"."""
    page.goto(server + "/documents/bbc/sport/002.txt")
    page.wait_for_selector("#results[data-done]")
    assert page.locator("li.source").count() == 0
    assert page.text_content("#results") == "No other stored document shares text with this one."
    assert page.text_content("#status") == ""
    assert not page.problems, page.problems


def test_unknown_document_page_says_so(page, server: str) -> None:
    page.goto(server + "/documents/no/such/doc")
    page.wait_for_selector("#status.error:has-text('no document')")
    assert not [p for p in page.problems if not p.startswith("console:")]
    page.goto(server + "/documents")  # no id at all: said so, not "no document with id ''" (QA)
    page.wait_for_selector("#status.error:has-text('No document named in the address')")


def test_document_address_that_is_not_utf8_says_so(page, server: str) -> None:
    """Once an uncaught URIError left the page at "Document" with nothing said."""
    page.goto(server + "/documents/caf%E9")
    page.wait_for_selector("#status.error:has-text('no document')")
    assert "not UTF-8" in page.text_content("#status")
    assert not page.problems, page.problems


def test_api_docs_render_without_a_cdn(page, server: str) -> None:
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "unspun" in page.text_content(".swagger-ui .info .title")
    assert page.locator(".opblock").count() >= 6
    assert not [p for p in page.problems if p.startswith("external")], page.problems
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems  # its CSP lets it run
