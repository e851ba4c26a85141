"""Corpus readers: the INPUT arguments of `unspun index` as a stream of `Record`s to index and `Failure`s to report.

A corpus can be far larger than memory, so everything streams: JSONL line by line, CSV row by row, Parquet by row
batches, WARC record by record, Reuters SGML story by story. Bad data never stops a run: each problem becomes a
`Failure` naming where it is (``file.jsonl:17``, ``file.parquet:row 17``, ``file.warc.gz:OFFSET``) and why, and
reading goes on with the next document. Files are decoded by `ingest`, so a guessed encoding is reported the
same way as in ``unspun compare``.

Ids: a file under a directory INPUT is its path relative to that directory (``sub/dir/name.txt``), a file INPUT its
name; a JSONL/CSV/Parquet record its ``id`` field; a WARC response its target URI; a Reuters story ``FILE:NEWID``.
"""

from __future__ import annotations

import codecs
import csv
import email.message
import gzip
import html
import json
import logging
import os
import re
import stat
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import htmldate
import lxml.etree
import lxml.html
import pyarrow as pa
import pyarrow.parquet as pq
import trafilatura
from trafilatura.settings import set_date_params
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from .dates import span
from .errors import InputError
from .ingest import MAX_BYTES, PAGE_SUFFIXES, decode, decodes, guess_encoding, not_records, read_document, read_text
from .models import Document, Failure, Record, Skip, number_as_text
from .store import DB_FILE
from .wording import counted

Item = Record | Failure
Reader = Callable[[Path, str], Iterator[Item]]

#: Record fields besides ``id`` and ``text``, all optional.
OPTIONAL_FIELDS = ("url", "published", "source", "title", "lang")
#: Every field a record is read from (a header or an object naming one twice is refused).
RECORD_FIELDS = ("id", "text", *OPTIONAL_FIELDS)
#: Parquet rows per batch: big enough to amortise Arrow's per-batch cost, small enough for long texts.
PARQUET_BATCH_ROWS = 256
#: Errors a compressed or damaged stream raises part way through; what was read before it still counts.
_STREAM_ERRORS = (EOFError, OSError, zlib.error)


def read_inputs(inputs: Iterable[str | Path]) -> Iterator[Record | Failure]:
    """Every document in the given files and directories, lazily, in a deterministic order."""
    if isinstance(inputs, (str, Path)):  # a str's characters were read as paths: "corpus" as c, o, r, p, u, s
        raise TypeError(f"read_inputs takes a collection of paths, not one path (put it in a list: [{str(inputs)!r}])")
    return _read_all(inputs)


def _read_all(inputs: Iterable[str | Path]) -> Iterator[Record | Failure]:
    for given in inputs:
        root = Path(given)
        try:
            mode = root.stat().st_mode
        except OSError as e:
            yield Failure(str(given), _os_reason(e))
            continue
        if stat.S_ISDIR(mode):
            yield from _read_directory(root)
        elif not stat.S_ISREG(mode):
            yield Failure(str(given), "not a regular file")
        elif (reader := _reader_for(root.name)) is None:
            yield Failure(str(given), f"unsupported file type {_file_type(root.name) or '(no extension)'} "
                                      f"(supported: {', '.join(_READERS)})")
        else:
            yield from _read_file(reader, root, root.name)


def _read_directory(root: Path) -> Iterator[Item]:
    """Known file types under ``root``; others are left out (corpus folders carry READMEs, licences, scripts) and
    counted, by type, in one `Skip` at the end."""
    left: Counter[str] = Counter()
    empty = True
    for found in walk(root):
        empty = False
        if isinstance(found, Failure):
            yield found
        elif (reader := _reader_for(found.name)) is not None:
            yield from _read_file(reader, found, found.relative_to(root).as_posix())
        else:
            left[_file_type(found.name) or "(no extension)"] += 1
    if empty:  # a mistyped or not yet filled folder: "indexed 0", exit 0 and an empty store said nothing of it
        # Said, not a failure: an incoming folder that is empty this time is no fault of a store that holds
        # documents (`index` fails a run that leaves the store empty).
        yield Skip(str(root), "no file in this folder (hidden and special files are left out): nothing to "
                              "index; give the folder or files that hold the documents")
    if left:
        yield Skip(str(root), f"{counted(left.total(), 'file')} of types no reader takes left out "
                              f"({_counts(left)}; supported: {', '.join(_READERS)})", left.total())


def _counts(counts: Counter[str]) -> str:
    """``.rst 3, .py 1``: the most frequent first."""
    return ", ".join(f"{k} {n}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def walk(folder: Path) -> Iterator[Path | Failure]:
    """Files in name order, hidden ones skipped; symlinked folders are not followed, so a link loop can't hang us
    (each is a `Skip`)."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield Failure(str(folder), _os_reason(e))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if os.path.isfile(os.path.join(entry.path, DB_FILE)):  # `index --db docs/store docs`
                    yield Skip(entry.path, "an unspun store: its own files are no documents")
                else:
                    yield from walk(Path(entry.path))
            elif entry.is_dir():  # a link to a folder: said, not dropped without a word
                yield Skip(entry.path, "a link to a folder, not followed (give the folder it names as an input of its "
                                       "own)")
            elif entry.is_file():
                yield Path(entry.path)
            elif entry.is_symlink():
                if os.path.exists(entry.path):  # a device, a pipe, a socket: nothing to read as a document
                    yield Skip(entry.path, "a link to something that is not a file (a device, a pipe)")
                else:
                    yield Failure(entry.path, "a broken link (what it names does not exist)")
            else:  # a named pipe or a socket in the folder itself: left out without a word before
                yield Skip(entry.path, "not a file (a pipe, a socket or a device): nothing to read as a document")
        except OSError as e:
            # Following a link raises past "not found": a link loop (ELOOP), a link into a folder this user may not
            # search (EACCES). Uncaught, it ended the run with a traceback, and every run after at the same file.
            yield Failure(entry.path, _os_reason(e))


def _file_type(name: str) -> str:
    """``.jsonl.gz`` for compressed files, else the last suffix; lower case, as Windows tools write ``.HTML``."""
    suffixes = [s.lower() for s in Path(name).suffixes]
    return "".join(suffixes[-2:]) if suffixes[-1:] == [".gz"] else "".join(suffixes[-1:])


def _reader_for(name: str) -> Reader | None:
    return _READERS.get(_file_type(name))


def _read_file(reader: Reader, path: Path, doc_id: str) -> Iterator[Item]:
    """Run one reader; an OS error (permission, I/O, a file gone mid-run) ends that file only."""
    try:
        if path.stat().st_size == 0:  # an empty JSONL or WARC is as surely a mistake as an empty text
            yield Failure(str(path), "empty file")
            return
        items = 0
        for item in reader(path, doc_id):
            items += 1
            yield item
        if not items:  # a CSV of a header alone, blank lines named .jsonl: "indexed 0" named no file
            yield Skip(str(path), f"{_EMPTY_OF.get(reader, 'no records in it')}: nothing to index")
    except OSError as e:
        yield Failure(str(path), _os_reason(e))


def _os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file or directory"
    if isinstance(e, PermissionError):
        return "permission denied"
    return f"cannot read: {e.strerror or e}"


def _stream_reason(e: BaseException) -> str:
    """Why a stream stopped part way, for a Failure that also says the rest of the file was not read."""
    if isinstance(e, EOFError):
        what = "file ends early (truncated)"
    elif isinstance(e, (zlib.error, gzip.BadGzipFile)):
        what = f"corrupt gzip data ({e})"
    elif isinstance(e, OSError):
        what = _os_reason(e)
    else:
        what = str(e)
    return f"{what}{_REST_SKIPPED}"


_REST_SKIPPED = "; rest of file skipped"


def _decoded(path: Path) -> Document | Failure:
    """The file as text by `ingest`'s rules, or why it isn't text (binary, empty, too large)."""
    try:
        return read_document(path)
    except InputError as e:
        return Failure(str(path), _reason(e, str(path)))


def _reason(error: InputError, name: str) -> str:
    """`ingest` messages start with the file name; a Failure carries it as its origin already."""
    return str(error).removeprefix(f"{name}: ")


# --- plain text and HTML files ------------------------------------------------------------------------------


def _read_text_file(path: Path, doc_id: str) -> Iterator[Item]:
    doc = _decoded(path)
    if isinstance(doc, Failure):
        yield doc
    else:
        yield Record(id=doc_id, text=doc.text, origin=str(path), encoding_note=doc.encoding_note)


#: A comment, a declaration or a tag of HTML: what a page holds and plain text does not (which may hold "<Tuesday>").
_MARKUP = re.compile(r"<(?:!--|!doctype|\?xml|/?(?:html|head|body|title|meta|link|script|style|main|article|section|"
                     r"header|footer|nav|div|span|p|a|b|i|em|strong|br|hr|h[1-6]|ul|ol|li|table|tr|td|img|pre|"
                     r"blockquote|figure)\b)", re.IGNORECASE)


def _read_html_file(path: Path, doc_id: str) -> Iterator[Item]:
    doc = _decoded(path)
    if isinstance(doc, Failure):
        yield doc
    elif not _MARKUP.search(doc.text):  # plain text named .html: "no main text found in HTML" (QA)
        yield Record(id=doc_id, text=doc.text, origin=str(path), encoding_note=doc.encoding_note)
    else:
        yield page_record(doc.text, doc_id, str(path), encoding_note=doc.encoding_note)


def read_page(path: str | Path) -> Document:
    """A web page to check or compare, read as `index` reads one: its main text and declared date, so it is
    compared by its words and not its markup (whose tags would count as unexplained text). Raises `InputError`."""
    doc = read_document(path)
    if not _MARKUP.search(doc.text):  # plain text, as in `index`
        return doc
    found = page_record(doc.text, str(path), str(path), encoding_note=doc.encoding_note)
    if isinstance(found, Failure):
        raise InputError(f"{path}: {found.reason}")
    return Document(found.text, path=str(path), encoding=doc.encoding, encoding_note=doc.encoding_note,
                    published=found.published)


#: The page's time and offset too: trafilatura's default keeps the day alone, so "23:30 at UTC-5" became that day at
#: midnight UTC, earlier than a copy posted at 04:00 UTC the next day, half an hour before the page.
_PAGE_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def _page_date(value: str | None) -> str | None:
    """The page's date in ISO 8601 as records give it (offset ``-05:00``, not strftime's ``-0500``); htmldate writes a
    date the page gives without a time as that day's midnight without an offset: the day alone is what the page
    said."""
    if not value:
        return None
    if value.endswith("T00:00:00"):
        return value.removesuffix("T00:00:00")
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return value


#: The meta tags (by ``property``, ``name`` or ``itemprop``, any case) in which pages declare when they were
#: published, most specific first (a bare "date" is often when the page was last changed).
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
              "dcterms.issued", "dc.date.issued", "dcterms.created", "date", "dc.date")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _page_tree(page: str) -> lxml.html.HtmlElement | None:
    """The page parsed, or None (lxml refuses a str that declares an encoding: an XHTML page's XML declaration is
    dropped first)."""
    try:
        return lxml.html.fromstring(_XML_DECLARATION.sub("", page, count=1))
    except (lxml.etree.LxmlError, ValueError):
        return None


def _declared_date(tree: lxml.html.HtmlElement) -> str | None:
    """The publication date a page declares, as written: its specific meta tags (``article:published_time``,
    ``og:published_time``, ``datePublished``), then its JSON-LD's own ``datePublished``, then a ``<time
    itemprop="datePublished">``, then the generic tags (``pubdate``, ``date``, …). htmldate's reading made a day
    up where the page gave none or an impossible one ("2024-02" became 2024-02-28, "2024-02-30" 2024-02-01), and
    that day could decide which text came first. As written, it is read as a record's ``published`` is (a month
    stays a month; a day that does not exist is said to be no date)."""
    metas: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key in _DATE_META and (el.get("content") or "").strip():
            metas.setdefault(key, el.get("content").strip())
    found = next((metas[k] for k in _DATE_META[:3] if k in metas), None)
    if found is None:
        found = _ld_date(tree)
    if found is None:
        found = next((t.get("datetime").strip() for t in tree.iter("time")
                      if (t.get("itemprop") or "").lower() == "datepublished" and (t.get("datetime") or "").strip()),
                     None)
    if found is None:
        found = next((metas[k] for k in _DATE_META[3:] if k in metas), None)
    return _with_offset(found) if found is not None else None


#: JSON-LD types whose ``datePublished`` is not the page's: a site's or an organisation's founding, a list's.
_LD_NOT_THE_PAGE = {"website", "organization", "newsmediaorganization", "person", "itemlist", "breadcrumblist",
                    "imageobject", "videoobject", "searchaction"}


#: A comma before a closing brace or bracket: JSON-LD that hand-made templates get wrong (`_ld_date` forgives it).
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _ld_rank(obj: dict) -> int | None:
    """How surely an object's date is the page's: an article or a post 0, a web page 1, untyped or other 2; None
    for `_LD_NOT_THE_PAGE`."""
    kinds = obj.get("@type")
    kinds = [k.lower() for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)]
    if any(k.endswith(("article", "posting")) or k == "report" for k in kinds):
        return 0
    if any(k.endswith("page") for k in kinds):
        return 1
    return None if kinds and all(k in _LD_NOT_THE_PAGE for k in kinds) else 2


def _ld_date(tree: lxml.html.HtmlElement) -> str | None:
    """The ``datePublished`` of a page's JSON-LD: of its top-level object, its ``mainEntity``, or an object in its
    ``@graph`` (not of a related article it lists); an article's before a web page's before any other's, none of a
    `_LD_NOT_THE_PAGE` type (a ``@graph`` that listed the WebSite, founded 2001, before the NewsArticle of 2005 gave
    the page 2001; QA). The first found of the best rank."""
    best: tuple[int, str] | None = None
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            try:  # a trailing comma (htmldate, which read these dates before, forgave it)
                data = json.loads(_TRAILING_COMMA.sub(r"\1", script.text or ""))
            except ValueError:
                continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            graph, main = item.get("@graph"), item.get("mainEntity")
            for obj in [item, *([main] if isinstance(main, dict) else []), *(graph if isinstance(graph, list) else [])]:
                value = obj.get("datePublished") if isinstance(obj, dict) else None
                if isinstance(value, str) and value.strip() and (rank := _ld_rank(obj)) is not None:
                    if best is None or rank < best[0]:
                        best = rank, value.strip()
    return best[1] if best else None


def _with_offset(value: str) -> str:
    """A date and time as records give it (``2021-03-04T10:00:00+00:00`` for ``…Z``), anything else as written."""
    if "T" not in value:
        return value
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return value


#: Parts of a page whose dates are other pages' or readers': asides, menus, footers, and blocks named for comments,
#: sidebars or lists of other stories ("Recent posts" widgets date every post they list).
_NOT_THE_PAGES = ("aside", "nav", "footer", "form")
#: ...never the page's own frame, whatever its classes say (a theme names the body of a post "single-post popular").
_THE_PAGES = frozenset({"html", "head", "body", "main", "article"})
_OTHER_DATES = re.compile(r"comment|sidebar|related|widget|recent|popular|most-?read|trending|more-?stories|teaser",
                          re.IGNORECASE)


def _found_date(tree: lxml.html.HtmlElement, url: str | None, params: dict) -> str | None:
    """The date htmldate finds in the page's markup and URL (a ``<time>`` in its header, a dateline), with the parts
    holding other pages' and readers' dates taken out first, and JSON-LD, which `_ld_date` reads (htmldate took the
    first ``datePublished`` anywhere in it: a listed related article's). Run on the whole page, it dated a farm
    copy that declares no date by its sidebar's "Recent posts" (2004, before the original of 2005), or by a comment.
    Takes those parts out of ``tree`` itself (read for nothing else after)."""
    drop = [el for el in tree.iter(lxml.etree.Element)
            if el.tag in _NOT_THE_PAGES or (el.tag == "script" and "ld+json" in (el.get("type") or "").lower())
            or (el.tag not in _THE_PAGES and _OTHER_DATES.search(f"{el.get('class') or ''} {el.get('id') or ''}"))]
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()
    try:
        return htmldate.find_date(tree, url=url, **params)
    except Exception:  # (as trafilatura's own call of it: a page's date is worth no failure)
        return None


#: Extracted text longer than this is taken to hold more than a menu, without reading the page's links (at 500, a
#: category page of 100 headlines, all links, was indexed as a document: QA).
_MENU_CHARS = 20_000


def _only_links(tree: lxml.html.HtmlElement | None, text: str) -> bool:
    """Whether the text found is the labels of the links of the page (``tree``, parsed by `_page_tree`: an XHTML
    page's declaration made lxml refuse a page parsed otherwise, and its menu was indexed), but for a word in ten
    (a category page's heading over its headlines): trafilatura, finding no main text, falls back to what there is,
    and a page of navigation alone was indexed as "Home"."""
    if len(text) > _MENU_CHARS or tree is None:
        return False
    labels = {tuple(a.text_content().split()) for a in tree.iter("a")} - {()}
    longest = max(map(len, labels), default=0)
    words = text.split()
    # The most of words[:i] that whole labels can cover, for each i (a label's letters inside a word are no label:
    # a glossary's A-Z links erased every letter of its definition).
    covered = [0] * (len(words) + 1)
    for i in range(1, len(words) + 1):
        covered[i] = max([covered[i - 1]] + [covered[j] + i - j for j in range(max(0, i - longest), i)
                                             if tuple(words[j:i]) in labels])
    return covered[-1] >= LINKS_SHARE * len(words)


#: The share of a page's text that its links' labels cover for it to be taken for navigation, not text.
LINKS_SHARE = 0.9


def page_record(page: str, doc_id: str, origin: str, url: str | None = None, published: str | None = None,
                encoding_note: str | None = None) -> Item:
    """The page's main text (no menus, ads or comments), with the metadata it declares.

    ``url`` and ``published`` come from outside the page (a WARC record); the URL wins over the page's own, the
    date loses to it, since a crawl date is only an upper bound on when the text was published (not to a declared
    value that is no date: a template's placeholder). Dates come from
    metadata, markup and the URL only, not from the wording: "the vote of March 3, 2015" is not when it appeared.
    """
    # Per page: the settings hold today's date, past which a page's date is not believed (serve runs for days).
    params = set_date_params(extensive=False) | {"outputformat": _PAGE_DATE_FORMAT}
    try:
        extracted = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                                date_extraction_params=params)
    except Exception as e:  # lxml and trafilatura on arbitrary web pages: that page fails, not the run
        return Failure(origin, f"HTML extraction failed: {e}")
    tree = _page_tree(page)
    if extracted is None or not (extracted.text or "").strip() or _only_links(tree, extracted.text):
        return Failure(origin, "no main text found in HTML")
    declared = _declared_date(tree) if tree is not None else None
    if declared is not None and published is not None and span(declared) is None:
        declared = None  # a template's placeholder ("{{date}}") threw the crawl's date away (QA)
    found = None if declared or tree is None else _page_date(_found_date(tree, url or extracted.url, params))
    return Record(
        id=doc_id,
        text=extracted.text,
        url=url or extracted.url,
        published=declared or found or published,
        source=extracted.sitename,
        title=extracted.title,
        lang=extracted.language,
        origin=origin,
        encoding_note=encoding_note,
    )


# --- JSONL, CSV and Parquet records -------------------------------------------------------------------------


def _record(fields: Mapping[str, object], origin: str) -> Item:
    """A record from a row's fields, or why it can't be indexed: ``id`` and a non-blank ``text`` are required."""
    doc_id, text = fields.get("id"), fields.get("text")
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):  # (as POST /v1/documents refuses it)
        return Failure(origin, "record has no id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        return Failure(origin, f"id must be a string or an integer, not {type(doc_id).__name__}")
    if text is None:
        return Failure(origin, "record has no text")
    if not isinstance(text, str):
        return Failure(origin, f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        return Failure(origin, "record has empty text")
    optional: dict[str, str | None] = {}
    for name in OPTIONAL_FIELDS:
        value = fields.get(name)
        if isinstance(value, (date, datetime)):  # Parquet timestamp and date columns
            value = value.isoformat()
        else:  # `index` notes a `published` that is no date, which then orders nothing
            value = number_as_text(value)
        if value is not None and not isinstance(value, str):
            return Failure(origin, f"{name} must be a string, not {type(value).__name__}")
        optional[name] = value or None
    return Record(id=str(doc_id), text=text, origin=origin, **optional)


def _read_jsonl(path: Path, doc_id: str) -> Iterator[Item]:
    """One record per line; a bad line is a Failure and the next line is read, a broken .gz ends the file."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        number = 0
        try:
            head = f.peek(_HEAD)[:_HEAD]
            if (why := not_records(head) or _pretty_json(head)) is not None:
                yield Failure(str(path), why)
                return
            for number, line in _lines(f):
                yield from _jsonl_record(line, f"{path}:{number}")
        except _STREAM_ERRORS as e:
            yield Failure(f"{path}:{number + 1}", _stream_reason(e))


#: Bytes of a record file looked at for signs that it holds none (`ingest.not_records`).
_HEAD = 8192


def _pretty_json(head: bytes) -> str | None:
    """Why a .jsonl file is JSON but no JSON Lines, or None: an array (no JSON Lines record is one), or an object
    written over several lines. Each of its lines failed as a record of its own, 82 failures for 20 records, none
    saying why."""
    first = head.removeprefix(codecs.BOM_UTF8).lstrip().split(b"\n", 1)[0].strip()
    if first.startswith(b"["):
        return "a JSON array, not JSON Lines: write one record per line (e.g. jq -c '.[]' FILE)"
    if first == b"{":
        return "JSON written over several lines (indented), not JSON Lines: write one record per line (e.g. jq -c)"
    return None


def _lines(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines, None for one over `MAX_BYTES`, which is skipped in pieces so it can't exhaust memory."""
    number = 0
    while line := f.readline(MAX_BYTES + 1):
        number += 1
        if len(line) <= MAX_BYTES:
            yield number, line
            continue
        while line and not line.endswith(b"\n"):
            line = f.readline(1 << 20)
        yield number, None


class _Twice(Exception):
    """A record field named twice in one JSON object."""


def _once(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object as a dict, refusing a record field named twice: JSON keeps the last silently, so one of two
    texts (or ids) was indexed without a word, where a CSV header naming a field twice is refused."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out and key in RECORD_FIELDS:
            raise _Twice(f"the field {key!r} is given twice in one record")
        out[key] = value
    return out


def _jsonl_record(line: bytes | None, origin: str) -> Iterator[Item]:
    if line is None:
        yield Failure(origin, f"line is larger than the {MAX_BYTES / 1e6:g} MB limit")
        return
    if not line.strip():
        return
    try:
        fields = json.loads(line, object_pairs_hook=_once)
    except _Twice as e:
        yield Failure(origin, str(e))
        return
    except UnicodeDecodeError as e:  # (said "malformed JSON: 'utf-8' codec can't decode...", as if the JSON were bad)
        yield Failure(origin, f"not UTF-8 (byte 0x{e.object[e.start]:02x} at byte {e.start + 1} of the line): JSON "
                              "Lines are UTF-8; convert the file (e.g. iconv -f cp1252 -t utf-8)")
        return
    except (ValueError, RecursionError) as e:  # bad JSON, absurd nesting
        yield Failure(origin, f"malformed JSON: {e}")
        return
    if not isinstance(fields, dict):
        yield Failure(origin, f"expected a JSON object, found {type(fields).__name__}")
    else:
        yield _record(fields, origin)


class _Undecodable(ValueError):
    """A CSV line that no encoding fits."""


class _CsvLines:
    """The lines of a CSV file as its reader takes them, decoded one by one, numbered, with whether a quoted field is
    open at the end of the last one (an odd count of quote characters since the last row ended).

    A line that is not UTF-8 is decoded in the file's best guess (`ingest.guess_encoding` of such lines from it on):
    spreadsheets export cp1252, and one café used to end the file there. ``guessed`` says which encoding a line of
    the current row needed, for its record's note."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        self.number = 0
        self.quoted = False
        self.guessed: str | None = None
        self._fallback: str | None = None

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        raw = next(self.f)
        if self.number == 0:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        self.number += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.guessed = self._guess(raw)
            line = decode(raw, self.guessed)
        if line.count('"') % 2:
            self.quoted = not self.quoted
        return line

    def _guess(self, raw: bytes) -> str:
        """The encoding of the file's lines that are not UTF-8, guessed once from this one and those of the next MB."""
        if self._fallback is None:
            here = self.f.tell()
            chunk = self.f.read(CSV_GUESS_BYTES)
            self.f.seek(here)
            ahead = chunk.splitlines(keepends=True)
            if len(chunk) == CSV_GUESS_BYTES and len(ahead) > 1:
                ahead.pop()  # cut by the read, maybe inside a character
            # Only the lines that are not UTF-8: the UTF-8 ones between skewed the guess (Polish UTF-8 text after a
            # cp1252 line: "no encoding fits").
            guess = guess_encoding(raw + b"".join(line for line in ahead if not decodes(line, "utf-8")))
            if guess is None or codecs.lookup(guess).name.startswith(("utf-16", "utf-32")):
                raise _Undecodable("not UTF-8, and no other text encoding fits; convert it to UTF-8")
            self._fallback = guess
        try:
            decode(raw, self._fallback)
        except UnicodeDecodeError:
            raise _Undecodable(f"not UTF-8, nor {self._fallback} as the lines before; convert it to UTF-8") from None
        return self._fallback

    def skip_quoted(self) -> None:
        """Read on to the line that closes the open quoted field: the csv reader gives up on a field over its limit
        mid-field and starts afresh at the next line, which made a row of each line of the rest of that field."""
        while self.quoted and next(self, None) is not None:
            pass


#: Bytes read ahead to guess the encoding of a CSV file's lines that are not UTF-8.
CSV_GUESS_BYTES = 1_000_000


def _read_csv(path: Path, doc_id: str) -> Iterator[Item]:
    """Rows under a header naming the fields; quoted fields may span lines, so origins give the row's first line.

    Lines are decoded one by one (see `_CsvLines`): a line no encoding fits stops the file there, and every row before
    it comes.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    with path.open("rb") as f:
        if (why := not_records(f.peek(_HEAD)[:_HEAD])) is not None:
            yield Failure(str(path), why)
            return
        lines = _CsvLines(f)
        rows = csv.DictReader(lines)
        try:
            header = rows.fieldnames
        except (ValueError, csv.Error) as e:
            yield Failure(str(path), _csv_reason(e))
            return
        if not header:
            yield Failure(str(path), "empty file")
            return
        if missing := [name for name in ("id", "text") if name not in header]:
            yield Failure(str(path), f"no {' or '.join(missing)} column (columns: {', '.join(header)})")
            return
        if twice := [name for name in RECORD_FIELDS if header.count(name) > 1]:
            # csv.DictReader keeps the last of them: the text "other" of a second text column was stored unsaid
            yield Failure(str(path), f"the header names {' and '.join(twice)} more than once (columns: "
                                     f"{', '.join(header)}): which is meant cannot be told")
            return
        while True:
            lines.quoted = False  # a row ended (or the header): no field is open
            lines.guessed = None
            origin = f"{path}:{lines.number + 1}"
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as e:  # the reader resumes at the next line
                yield Failure(origin, _csv_reason(e))
                if "field limit" in str(e):  # ...which may be inside that field: read on past its end
                    try:
                        lines.skip_quoted()
                    except ValueError as e:
                        yield Failure(f"{path}:{lines.number + 1}", f"{_csv_reason(e)}; rest of file skipped")
                        return
                continue
            except ValueError as e:  # a line no encoding fits: the decoder can't resume
                yield Failure(origin, f"{_csv_reason(e)}; rest of file skipped")
                return
            if any(f.strip() for f in row.get(None, ())):  # (an empty one past the header's: a trailing comma)
                # csv.DictReader puts fields past the header's under None: an unquoted comma in a text cut it short
                # there (the rest went to the next column, or was dropped) without a word.
                yield Failure(origin, f"malformed CSV: {len(header) + len(row[None])} fields, the header names "
                                      f"{len(header)} (a comma inside a field that is not quoted?)")
                continue
            record = _record(row, origin)
            if lines.guessed and isinstance(record, Record):
                record = replace(record, encoding_note=f"not UTF-8; decoded as {lines.guessed}")
            yield record


def _csv_reason(e: Exception) -> str:
    if isinstance(e, _Undecodable):
        return str(e)
    if "field limit" in str(e):
        return f"a field is larger than the {MAX_BYTES / 1e6:g} MB limit"
    return f"malformed CSV: {e}"


def _read_parquet(path: Path, doc_id: str) -> Iterator[Item]:
    """Rows by batches of `PARQUET_BATCH_ROWS`, reading only the columns we use; rows count from 1.

    Row group by row group: a damaged one is a failure naming its rows, and the groups after it still come (read
    all at once, one damaged page in the middle lost every row of the file, said to be at "row 1").
    """
    try:
        table = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as e:
        yield Failure(str(path), f"not a readable Parquet file: {e}")
        return
    names = table.schema_arrow.names
    if missing := [name for name in ("id", "text") if name not in names]:
        yield Failure(str(path), f"no {' or '.join(missing)} column (columns: {', '.join(names)})")
        return
    columns = [name for name in RECORD_FIELDS if name in names]
    row = 0
    for group in range(table.num_row_groups):
        end = row + table.metadata.row_group(group).num_rows
        try:
            for batch in table.iter_batches(batch_size=PARQUET_BATCH_ROWS, row_groups=[group], columns=columns):
                for fields in batch.to_pylist():
                    row += 1
                    yield _record(fields, f"{path}:row {row}")
        except (pa.ArrowException, OSError) as e:
            cause = _stream_reason(e).removesuffix(_REST_SKIPPED)
            yield Failure(f"{path}:row {row + 1}", f"{cause}; rows {row + 1} to {end} (row group {group + 1}) skipped")
        row = end


# --- WARC ---------------------------------------------------------------------------------------------------

# warcio logs what it mends in a record ("Replacing spaces in invalid WARC-Target-URI"), which with no logging set up
# printed raw among `index`'s own lines; the page is indexed under the mended URL either way.
logging.getLogger("warcio").addHandler(logging.NullHandler())


def _read_warc(path: Path, doc_id: str) -> Iterator[Item]:
    """HTML pages fetched with status 200; other records (requests, redirects, images, metadata) are skipped.

    warcio stops quietly at a truncated record, so truncation is checked here: a record shorter than its
    Content-Length, or bytes after the last record that don't form one. A file gzipped whole, not record by record,
    is read through its decompressed bytes (warcio reads its first record only): the offsets of records after its
    first are into those bytes.
    """
    end = read = 0
    stop: Exception | None = None  # why a file gzipped whole stops early
    left: Counter[str] = Counter()  # responses that are not web pages, by status or content type
    with path.open("rb") as f, ExitStack() as opened:
        if not _starts_as_warc(f):
            yield Failure(str(path), "not a WARC file (it does not begin with a WARC/1.x record)")
            return
        stream: BinaryIO = f
        records = ArchiveIterator(f)
        while True:
            try:
                for n, record in enumerate(records):
                    if stream is not f and n < read:
                        continue  # yielded before the file was found gzipped whole
                    read += stream is f
                    payload = _html_payload(record)
                    offset = records.get_record_offset()
                    end = offset + records.get_record_length()  # reads to the record's end
                    origin = f"{path}:{offset}"
                    if _truncated(record):
                        if left:
                            yield _not_pages(path, left)
                        yield Failure(origin, _stream_reason(EOFError()))
                        return
                    if payload is not None:
                        yield _warc_page(record, payload, origin)
                    elif record.rec_type == "response" and record.http_headers is not None:
                        left[_not_a_page(record)] += 1
            except Exception as e:  # warcio trips over damaged records with anything, even AttributeError
                if stream is f and "non-chunked gzip" in str(e):  # gzipped whole: warcio fails past a record
                    f.seek(0)
                    whole, stop = _gunzipped(f)
                    stream = opened.enter_context(whole)
                    records, end = ArchiveIterator(stream), 0
                    continue
                damaged: Failure | None = Failure(f"{path}:{end}", _warc_reason(e))
            else:
                damaged = None
            break
        if left:
            yield _not_pages(path, left)
        if damaged is not None:
            yield damaged
            return
        if stop is not None:  # (the records before it were read)
            yield Failure(f"{path}:{end}", _stream_reason(stop))
            return
        stream.seek(end)
        if stream.read(64).strip():
            yield Failure(f"{path}:{end}", _stream_reason(EOFError()))


def _gunzipped(f: BinaryIO) -> tuple[BinaryIO, Exception | None]:
    """A WARC gzipped whole, decompressed into a temporary file as far as its bytes go, and why they stop early
    (EOFError where they end mid-stream, zlib.error where they are damaged), or None: read through `gzip.open`, a
    truncated file lost every record of the block read ahead when it ended (all of a small file's pages, QA)."""
    out = tempfile.TemporaryFile()
    try:
        d, fed = zlib.decompressobj(zlib.MAX_WBITS | 16), False
        while block := f.read(1 << 20):
            while block:
                try:
                    out.write(d.decompress(block))
                except zlib.error as e:
                    out.seek(0)
                    return out, e
                fed = True
                if not d.eof:
                    break
                block = d.unused_data  # the next gzip member, if any
                d, fed = zlib.decompressobj(zlib.MAX_WBITS | 16), False
        out.write(d.flush())
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out, EOFError() if fed and not d.eof else None


def _starts_as_warc(f: BinaryIO) -> bool:
    """Whether a file begins as a WARC (or an ARC, which warcio reads too), gzipped or not; a damaged gzip stream is
    left to the reader, which says how it is damaged. A text file named .warc was "file ends early (truncated)"."""
    head = f.read(16)
    if head[:2] == b"\x1f\x8b":
        f.seek(0)
        try:
            head = gzip.GzipFile(fileobj=f).read(16)
        except (OSError, EOFError, zlib.error):
            head = b"WARC/"
    f.seek(0)
    return head.lstrip().startswith((b"WARC/", b"filedesc://"))


def _not_pages(path: Path, left: Counter[str]) -> Skip:
    return Skip(str(path), f"{counted(left.total(), 'response')} that are not HTML pages with status 200 left out "
                           f"({_counts(left)})", left.total())


def _not_a_page(record: ArcWarcRecord) -> str:
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"status {status}"
    return (record.http_headers.get_header("Content-Type") or "no content type").split(";")[0].strip().lower()


def _truncated(record: ArcWarcRecord) -> bool:
    """Whether the record ended before its Content-Length, or before saying it (warcio reads a cut ``Content-Length:``
    as 0), since every valid WARC record has one."""
    declared = (record.rec_headers.get_header("Content-Length") or "").strip()
    unread = getattr(record.raw_stream, "limit", None)
    return not declared.isdigit() or unread is None or unread > 0


def _warc_reason(e: Exception) -> str:
    if isinstance(e, ArchiveLoadFailed):
        return f"{e}; rest of file skipped"
    if isinstance(e, _STREAM_ERRORS):
        return _stream_reason(e)
    return "damaged or truncated WARC record; rest of file skipped"


def _html_payload(record: ArcWarcRecord) -> bytes | None:
    """The body of a successful HTML response, at most one byte over the size limit so `ingest` can refuse it."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if record.http_headers.get_statuscode() != "200":
        return None
    if "html" not in (record.http_headers.get_header("Content-Type") or "").lower():
        return None
    return record.content_stream().read(MAX_BYTES + 1)


def _charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header (``text/html; charset="ISO-8859-2"``), if any."""
    if not content_type:
        return None
    header = email.message.Message()
    header["Content-Type"] = content_type
    return header.get_content_charset()


def _warc_page(record: ArcWarcRecord, payload: bytes, origin: str) -> Item:
    url = record.rec_headers.get_header("WARC-Target-URI")
    try:
        doc = read_text(payload, origin, declared=_charset(record.http_headers.get_header("Content-Type")))
    except InputError as e:
        return Failure(origin, _reason(e, origin))
    if not url:
        return Failure(origin, "response has no WARC-Target-URI")
    crawled = record.rec_headers.get_header("WARC-Date")
    return page_record(doc.text, url, origin, url=url, published=crawled, encoding_note=doc.encoding_note)


# --- Reuters-21578 SGML -------------------------------------------------------------------------------------

_NEWID = re.compile(r'<REUTERS\b[^>]*\bNEWID="(\d+)"')
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.DOTALL)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.DOTALL)
#: (Months by name here, not strptime's %b: that follows the process's locale.)
_DATE = re.compile(r"<DATE>\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})")
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                                       "DEC"), start=1)}


def _read_reuters(path: Path, doc_id: str) -> Iterator[Item]:
    """Each <REUTERS> story with a <BODY>; stories without one (headlines only) are not documents."""
    headlines = 0
    with path.open("rb") as f:
        for line_number, story in _sgml_stories(f):
            origin = f"{path}:{line_number}"
            if story is None:
                yield Failure(origin, "story has no closing </REUTERS> (file truncated?)")
                continue
            try:
                doc = read_text(story, origin)
            except InputError as e:
                yield Failure(origin, _reason(e, origin))
                continue
            if (item := _reuters_record(doc, doc_id, origin)) is not None:
                yield item
            else:
                headlines += 1
        if headlines:
            yield Skip(str(path), f"{counted(headlines, 'story', 'stories')} without a <BODY> "
                                  "(headlines only) left out", headlines)


def _sgml_stories(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line where it starts, bytes) of each <REUTERS>…</REUTERS> element, one at a time; None for an unclosed one."""
    story: list[bytes] = []
    start = 0
    for number, line in enumerate(f, start=1):
        if b"<REUTERS" in line:
            if start:
                yield start, None
            story, start = [], number
        if start:
            story.append(line)
        if b"</REUTERS>" in line and start:
            yield start, b"".join(story)
            story, start = [], 0
    if start:
        yield start, None


def _reuters_record(doc: Document, file_id: str, origin: str) -> Item | None:
    """Title, blank line, body, with SGML entities unescaped (control-character entities vanish)."""
    story = doc.text
    body = _BODY.search(story)
    if body is None or not body.group(1).strip():
        return None
    newid = _NEWID.search(story)
    if newid is None:
        return Failure(origin, "story has no NEWID")
    title = _TITLE.search(story)
    title_text = html.unescape(title.group(1)).strip() if title else None
    body_text = html.unescape(body.group(1))
    return Record(
        id=f"{file_id}:{newid.group(1)}",
        text=f"{title_text}\n\n{body_text}" if title_text else body_text,
        published=_reuters_date(story),
        title=title_text,
        origin=origin,
        encoding_note=doc.encoding_note,
    )


def _reuters_date(story: str) -> str | None:
    """``26-FEB-1987 15:01:01.79`` as ``1987-02-26T15:01:01``; None when absent or garbled."""
    m = _DATE.search(story)
    if m is None or (month := _MONTHS.get(m.group(2).upper())) is None:
        return None
    day, year, hour, minute, second = (int(m.group(i)) for i in (1, 3, 4, 5, 6))
    try:
        return datetime(year, month, day, hour, minute, second).isoformat()
    except ValueError:
        return None


#: What a file that gave no record, failure nor skip holds, by reader (others: no records).
_EMPTY_OF: dict[Reader, str] = {
    _read_warc: "no HTTP responses in it (only other WARC records: warcinfo, requests, metadata, revisits)",
    _read_reuters: "no <REUTERS> element in it (not Reuters-21578 SGML)",
}

_READERS: dict[str, Reader] = {
    ".txt": _read_text_file,
    ".md": _read_text_file,
    ".jsonl": _read_jsonl,
    ".jsonl.gz": _read_jsonl,
    ".csv": _read_csv,
    ".parquet": _read_parquet,
    ".warc": _read_warc,
    ".warc.gz": _read_warc,
    ".sgm": _read_reuters,
    **{suffix: _read_html_file for suffix in sorted(PAGE_SUFFIXES)},
}
