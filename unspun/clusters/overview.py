"""`--summary` (the largest clusters on the terminal) and `--html` (an overview page with a side-by-side report
per pair, written by `unspun.report.render_html` into a folder beside the page). Every piece of document text and
every id passes through `html.escape`."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..errors import UnspunError
from ..index import Index
from ..report._common import printable, shown
from ..report.html import render_html
from ..wording import counted
from .graph import Cluster, Copy
from .links import Link, comparison
from .output import as_new_file, in_place, replaced, writable

#: Clusters (and boilerplate sentences) shown by --html, and pair reports written per cluster.
SHOW = 20
#: Clusters --summary prints in the terminal, and copies of each.
SUMMARY_CLUSTERS = SUMMARY_COPIES = 10
PAIRS_PER_CLUSTER = 50


def counts(docs: int, links: int, clusters: int, boiler: int) -> str:
    """The run's counts as a line says them ("1 link", not "1 links")."""
    return ", ".join(counted(n, word) for n, word in (
        (docs, "document"), (links, "link"), (clusters, "cluster"), (boiler, "boilerplate sentence")))


def summary(clusters: list[Cluster], links: int, boiler: int, docs: int) -> str:
    lines = [counts(docs, links, len(clusters), boiler)]
    for c in clusters[:SUMMARY_CLUSTERS]:
        lines.append(f"cluster {c.id}: {len(c.members)} documents, original {c.original} ({c.why})")
        for cp in c.copies[:SUMMARY_COPIES]:
            of = "" if cp.source == c.original else f" ({'copied by' if cp.copied_by else 'of'} {cp.source})"
            lines.append(f"    {cp.id}  {cp.published or 'no date'}  {cp.reused:.0%} reused{of}")
        if len(c.copies) > SUMMARY_COPIES:
            lines.append(f"    ... and {len(c.copies) - SUMMARY_COPIES} more")
    if len(clusters) > SUMMARY_CLUSTERS:
        lines.append(f"... {counted(len(clusters) - SUMMARY_CLUSTERS, 'more cluster')} in the output")
    return "\n".join(map(printable, lines))  # ids come from the data: an escape sequence in one reached the terminal


def _of(cp: Copy) -> str:
    return f"copied by {shown(cp.source)}" if cp.copied_by else shown(cp.source)


def pair_dir(html: Path) -> Path:
    """Named after the page, so its links carry the page's name: written URL-quoted there ('#', '?', '%')."""
    return html.with_name(f"{html.stem}-pairs")


def check_target(html: Path) -> None:
    """The page and its pairs' folder can be written (asked before clustering, which takes long)."""
    if in_place(html):
        raise UnspunError(f"{html}: not a regular file (a device or a pipe); the page links the pair reports written "
                          "beside it: give a file name")
    writable(html)
    folder = pair_dir(html)
    try:  # made and removed again: one that cannot be (a name too long) failed after the work, with a traceback
        if folder.exists():
            if not folder.is_dir():
                raise UnspunError(f"{folder}: exists and is not a folder (the pair reports go there)")
        else:
            folder.mkdir()
            folder.rmdir()
    except OSError as e:
        raise UnspunError(f"{folder}: cannot create the folder for the pair reports ({e.strerror or e})") from None


def write_html(path: Path, ix: Index, clusters: list[Cluster], links: dict[tuple[str, str], Link],
               boiler: list[dict], docs: int, tick: Callable[[int], None] = lambda n: None) -> Path:
    """The overview page and its pair reports; each file is written atomically."""
    folder = pair_dir(path)
    if clusters:  # (boilerplate alone has no pairs: an empty folder was left)
        folder.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    body = [f"<h1>unspun clusters</h1><p>{counts(docs, len(links), len(clusters), len(boiler))}</p>"]
    for c in clusters[:SHOW]:
        orig_pub = next((l.published_a if l.a == c.original else l.published_b
                         for l in (links[k] for k in c.links) if c.original in l.key), None)
        body.append(f'<section><h2 id="c{c.id}">Cluster {c.id}: {len(c.members)} documents</h2>'
                    f"<p>Original: <b>{shown(c.original)}</b> ({shown(orig_pub or 'no date')}): {shown(c.why)}</p>"
                    "<table><tr><th>copy</th><th>published</th><th>reused</th><th>of</th></tr>")
        body += [f"<tr><td>{shown(cp.id)}</td><td>{shown(cp.published or '')}</td><td>{cp.reused:.0%}</td>"
                 f"<td>{'the original' if cp.source == c.original else _of(cp)}</td></tr>"
                 for cp in c.copies]
        body.append("</table><p>Pairs (side by side):</p><ul>")
        for n, key in enumerate(c.links[:PAIRS_PER_CLUSTER], 1):
            l = links[key]
            a, b = ix.get(l.a), ix.get(l.b)
            name = f"c{c.id}-{n}.html"
            _atomic(folder / name, render_html(comparison(l, a.text, b.text)))
            written.add(name)
            body.append(f'<li><a href="{escape(quote(folder.name))}/{name}">{shown(l.a)} vs {shown(l.b)}</a>: '
                        f"{l.coverage_a:.0%} / {l.coverage_b:.0%} reused, {counted(len(l.passages), 'passage')}</li>")
        if len(c.links) > PAIRS_PER_CLUSTER:
            body.append(f"<li>... {len(c.links) - PAIRS_PER_CLUSTER} more pairs in the links output</li>")
        body.append("</ul></section>")
        tick(1)
    if len(clusters) > SHOW:
        body.append(f"<p>... {counted(len(clusters) - SHOW, 'more cluster')} in the clusters output</p>")
    if boiler:
        body.append("<h2>Boilerplate</h2><table><tr><th>documents</th><th>text</th><th>examples</th></tr>")
        body += [f"<tr><td>{b['documents']}</td><td>{escape(b['text'] or '')}</td>"
                 f"<td>{shown(', '.join(b['examples']))}</td></tr>" for b in boiler[:SHOW]]
        body.append("</table>")
        if len(boiler) > SHOW:
            body.append(f"<p>... {counted(len(boiler) - SHOW, 'more boilerplate sentence')} in the boilerplate "
                        "output</p>")
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>unspun clusters</title>"
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    _atomic(path, page)
    # Pair reports of an earlier run with more clusters stayed beside these, each naming documents as a pair that
    # this run may not (only files named as this writes them are removed: the folder may hold a user's own).
    for old in folder.iterdir() if folder.is_dir() else ():
        if _PAIR_PAGE.fullmatch(old.name) and old.name not in written:
            old.unlink(missing_ok=True)
    return path


#: How `write_html` names a pair report: cluster and pair numbers.
_PAIR_PAGE = re.compile(r"c\d+-\d+\.html")


def _atomic(path: Path, text: str) -> None:
    path = replaced(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        as_new_file(Path(name))
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
