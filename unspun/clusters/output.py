"""Writing the records: JSONL (one file, a ``type`` per line), or Parquet/CSV (one file per record type).

For Parquet and CSV, ``--out FILE`` names the set: ``FILE.links.parquet``, ``FILE.clusters.parquet`` and
``FILE.boilerplate.parquet`` (a suffix ``.parquet``/``.csv`` on FILE is dropped first). CSV cells that hold lists
or objects (passages, members, coverage...) are JSON. Every file is written to a temporary name beside it, synced
and moved into place with os.replace, all files first, so a crash never leaves a half-written output.
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from functools import cache
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import UnspunError

FORMATS = ("jsonl", "parquet", "csv")
TYPES = ("link", "cluster", "boilerplate")
_PLURAL = {"link": "links", "cluster": "clusters", "boilerplate": "boilerplate"}

_SPAN = pa.list_(pa.int64())
_SIDES = pa.struct([("a", pa.float64()), ("b", pa.float64())])
SCHEMAS = {
    "link": pa.schema([
        ("type", pa.string()), ("a", pa.string()), ("b", pa.string()),
        ("passages", pa.list_(pa.struct([("a", _SPAN), ("b", _SPAN), ("kind", pa.string()),
                                         ("similarity", pa.float64())]))),
        ("coverage", _SIDES), ("source", pa.string()), ("evidence", pa.list_(pa.string())),
        ("published", pa.struct([("a", pa.string()), ("b", pa.string())])),
    ]),
    "cluster": pa.schema([
        ("type", pa.string()), ("id", pa.int64()), ("size", pa.int64()), ("members", pa.list_(pa.string())),
        ("original", pa.string()), ("why", pa.string()),
        ("copies", pa.list_(pa.struct([("id", pa.string()), ("published", pa.string()), ("reused", pa.float64()),
                                        ("from", pa.string())]))),
        ("links", pa.list_(pa.list_(pa.string()))),
    ]),
    "boilerplate": pa.schema([
        ("type", pa.string()), ("text", pa.string()), ("documents", pa.int64()), ("examples", pa.list_(pa.string())),
    ]),
}


def paths(out: Path, fmt: str) -> dict[str, Path]:
    """The file each record type goes to."""
    if fmt == "jsonl":
        return {t: out for t in TYPES}
    base = out.with_suffix("") if out.suffix.lower() == f".{fmt}" else out
    return {t: base.with_name(f"{base.name}.{_PLURAL[t]}.{fmt}") for t in TYPES}


def in_place(path: Path) -> bool:
    """Whether an output named ``path`` is written through, not replaced by a new file: a device, a pipe or a
    terminal (``--out /dev/null`` beside ``--summary``, ``/dev/stdout``), or a name for one of this process's own
    files (``/dev/stdout`` when the shell sent it to a file). Replaced, as root may, /dev/stdout and /dev/null were
    files for the whole machine (QA)."""
    try:
        mode = path.stat().st_mode  # (through symlinks)
    except OSError:
        return False
    if stat.S_ISDIR(mode):  # (refused by `writable`)
        return False
    if not stat.S_ISREG(mode):
        return True
    return own_fd(path) is not None


#: This process's file descriptors, as Linux names them.
_FD = re.compile(rf"/proc/(?:self|{os.getpid()})/fd/(\d+)")


def own_fd(path: Path) -> int | None:
    """The file descriptor of this process that ``path`` names (``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``,
    or a link to one), else None: written through it, the output goes where the shell sent it, after what is there
    (opened anew, it was truncated, and the summary printed after overwrote its first records; review)."""
    hop = path
    for _ in range(40):  # (the kernel's own limit on a chain of links)
        hop = Path(os.path.realpath(hop.parent)) / hop.name  # (/dev/fd is a link to /proc/self/fd)
        if (m := _FD.fullmatch(str(hop))) is not None:
            return int(m.group(1))
        if not hop.is_symlink():
            return None
        hop = hop.parent / os.readlink(hop)
    return None


def replaced(path: Path) -> Path:
    """The file an output named ``path`` replaces: a symlink's target, so that the link stays (it was replaced by a
    file, and the file it named kept the earlier output)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def writable(path: Path) -> None:
    """Refuse, before hours of clustering, a file target that is a folder or sits where nothing can be written."""
    if path.is_dir():
        raise UnspunError(f"{path}: is a directory; give a file name")
    if in_place(path):
        if not os.access(path, os.W_OK):
            raise UnspunError(f"{path}: not writable")
        return
    path = replaced(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # said "File exists" of a folder that does not (QA)
        blocking = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), path.parent)
        raise UnspunError(f"{path}: cannot create its folder: {blocking} is a file") from None
    except OSError as e:
        raise UnspunError(f"{path}: cannot create its folder ({e.strerror or e})") from None
    if not os.access(path.parent, os.W_OK):
        raise UnspunError(f"{path}: its folder is not writable")


@cache
def _umask() -> int:
    """The process's umask, read where Linux shows it (setting the umask to read it would change it for every
    thread meanwhile), once: the overview writes a file per pair."""
    try:
        return int(next(ln.split()[1] for ln in Path("/proc/self/status").read_text().splitlines()
                        if ln.startswith("Umask:")), 8)
    except (OSError, StopIteration):
        return 0o022


def as_new_file(path: Path) -> None:
    """A temporary file is private (0600); the output it becomes gets the mode a new file would (0666 less the
    umask)."""
    os.chmod(path, 0o666 & ~_umask())


def write(out: Path, fmt: str, records: dict[str, list[dict]], tick: Callable[[int], None] = lambda n: None) -> list[Path]:
    """Write every record; returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    targets = paths(out, fmt)
    if fmt == "jsonl" and in_place(out):
        rows = (r for t in TYPES for r in records.get(t, []))
        if (fd := own_fd(out)) is not None:
            sys.stdout.flush()  # (what this process printed there comes first)
            with os.fdopen(os.dup(fd), "w", encoding="utf-8") as f:
                _rows(f, rows, tick)
        else:
            with open(out, "w", encoding="utf-8") as f:
                _rows(f, rows, tick)
        return [out]
    targets = {t: replaced(f) for t, f in targets.items()}
    for t in set(targets.values()):
        t.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        temps: dict[Path, Path] = {}
        for final in dict.fromkeys(targets.values()):
            fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            os.close(fd)
            temps[final] = Path(name)
            stack.callback(lambda p=Path(name): p.unlink(missing_ok=True))
        if fmt == "jsonl":
            _jsonl(temps[targets["link"]], (r for t in TYPES for r in records.get(t, [])), tick)
        else:
            for t in TYPES:
                rows = records.get(t, [])
                (_parquet if fmt == "parquet" else _csv)(temps[targets[t]], t, rows)
                tick(len(rows))
        for tmp in temps.values():
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            as_new_file(tmp)
        for final, tmp in temps.items():
            os.replace(tmp, final)
    return list(dict.fromkeys(targets.values()))


def _jsonl(path: Path, rows: Iterable[dict], tick: Callable[[int], None]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        _rows(f, rows, tick)


def _rows(f: IO[str], rows: Iterable[dict], tick: Callable[[int], None]) -> None:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
        tick(1)


def _parquet(path: Path, t: str, rows: list[dict]) -> None:
    schema = SCHEMAS[t]
    table = pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
    pq.write_table(table, path)


def _csv(path: Path, t: str, rows: list[dict]) -> None:
    names = SCHEMAS[t].names
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for r in rows:
            w.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else ("" if v is None else v)
                        for v in (r.get(k) for k in names)])
