"""The objects every layer passes around and every output format prints.

Offsets are Unicode code points into the document's text exactly as read (line endings kept), end exclusive,
so ``doc.text[start:end]`` is always the reported passage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import xxhash

Kind = Literal["verbatim", "edited", "paraphrase", "summary", "translation"]
Side = Literal["a", "b"]
Span = tuple[int, int]


def subtract(spans: Iterable[Span], cut: Iterable[Span]) -> list[Span]:
    """The parts of ``spans`` outside every span of ``cut``."""
    out: list[Span] = []
    cuts = sorted(cut)
    for s, e in spans:
        pos = s
        for cs, ce in cuts:
            if ce <= pos or cs >= e:
                continue
            if cs > pos:
                out.append((pos, cs))
            pos = max(pos, ce)
        if pos < e:
            out.append((pos, e))
    return out


#: A lone surrogate code point: valid in a Python string (JSON's "\\ud800" decodes to one), but no UTF-8 encoder
#: (the sentence splitter, SQLite, an HTML report) accepts it.
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_NOTE = "lone surrogate code points (invalid Unicode) replaced by U+FFFD"


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}"


def escaped_unicode(name: str) -> str:
    """``name`` with each lone surrogate written as an escape: a file name's undecodable byte (Python decodes it to
    U+DC80-U+DCFF) as ``\\xe9``, any other as ``\\ud800``, so two names that differ there stay two ids."""
    return _SURROGATE.sub(_escape, name)


def _valid_unicode(obj: object, fields: tuple[str, ...], note_field: str) -> None:
    """Make a frozen dataclass's strings valid Unicode: lone surrogates in ``text`` become U+FFFD (offsets hold), in
    names and metadata escapes (names stay distinct); say so in its note."""
    bad = [f for f in fields if isinstance(v := getattr(obj, f), str) and _SURROGATE.search(v) is not None]
    if not bad:
        return
    said = []
    if "text" in bad:
        object.__setattr__(obj, "text", _SURROGATE.sub("\ufffd", obj.text))  # type: ignore[attr-defined]
        said.append(SURROGATE_NOTE)
    names = [f for f in bad if f != "text"]
    for f in names:
        object.__setattr__(obj, f, escaped_unicode(getattr(obj, f)))
    if names:
        said.append(f"invalid Unicode in {', '.join(names)} written as escapes")
    note = getattr(obj, note_field)
    object.__setattr__(obj, note_field, "; ".join(([note] if note else []) + said))


@dataclass(frozen=True)
class Document:
    """A text as read from disk or given by a caller, with what we learned while reading it."""

    text: str
    path: str | None = None
    encoding: str = "utf-8"
    #: Set when the bytes were not UTF-8 and another encoding was guessed; reported, never silent.
    encoding_note: str | None = None
    #: Publication date (ISO 8601) when known from metadata; used to say which side came first.
    published: str | None = None

    def __post_init__(self) -> None:
        # As `Record`'s: ``Document(None)`` or ``Document(b"...")`` failed later, deep in the aligner ("cannot use a
        # string pattern on a bytes-like object"), and a number as path went into JSON as a number.
        if not isinstance(self.text, str):
            raise TypeError(f"Document.text must be a string, not {type(self.text).__name__}"
                            + (" (decode the bytes, or read the file with unspun.ingest.read_text)"
                               if isinstance(self.text, (bytes, bytearray)) else ""))
        if isinstance(self.path, os.PathLike):  # (a pathlib.Path, as `read_document` takes one)
            object.__setattr__(self, "path", os.fspath(self.path))
        for name in ("path", "encoding_note", "published"):
            if (value := getattr(self, name)) is not None and not isinstance(value, str):
                raise TypeError(f"Document.{name} must be a string or None, not {type(value).__name__}")
        _valid_unicode(self, ("text", "path", "published"), "encoding_note")

    @property
    def chars(self) -> int:
        return len(self.text)

    @property
    def name(self) -> str:
        return self.path if self.path is not None else "<text>"


@dataclass(frozen=True)
class Passage:
    """One reuse case: a span of A, its counterpart in B, how it was reused and how similar the two are."""

    a: Span
    b: Span
    kind: Kind
    similarity: float

    def to_json(self) -> dict:
        return {"a": list(self.a), "b": list(self.b), "kind": self.kind, "similarity": round(self.similarity, 4)}


@dataclass(frozen=True)
class Comparison:
    """Everything `unspun compare A B` reports."""

    a: Document
    b: Document
    passages: list[Passage]
    coverage_a: float
    coverage_b: float
    source: Side | None = None
    evidence: list[str] = field(default_factory=list)
    #: The direction and its evidence from the texts alone, publication dates left out (the same as ``source`` and
    #: ``evidence`` unless both sides are dated): what `check` orders sources by where their dates tie, so that the
    #: checked document's date does not decide between them, against what their texts say. Not in the JSON.
    text_source: Side | None = None
    text_evidence: list[str] = field(default_factory=list)
    #: Runs of text the aligner found inserted into each side inside reused text, with no counterpart on the other
    #: (link debris, ads, datelines; whole sentences): the evidence counts them, the reports mark them, and the JSON
    #: gives them (``"inserted"``), so that a user can point at what the evidence counted.
    inserted_a: list[Span] = field(default_factory=list)
    inserted_b: list[Span] = field(default_factory=list)

    def to_json(self) -> dict:
        """The `compare --format json` contract (see README): keep its keys stable."""
        return {
            "a": {"path": self.a.path, "chars": self.a.chars},
            "b": {"path": self.b.path, "chars": self.b.chars},
            "passages": [p.to_json() for p in self.passages],
            "coverage": {"a": round(self.coverage_a, 4), "b": round(self.coverage_b, 4)},
            "source": self.source,
            "evidence": list(self.evidence),
            "inserted": {"a": [list(x) for x in self.inserted_a], "b": [list(x) for x in self.inserted_b]},
        }


def number_as_text(value: object) -> object:
    """A record field given as a number (an epoch, a year, 20200102) as its text, Python's spelling of it (1.50 is
    "1.5"); anything else as given. Refusing the number lost the record and its text."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


@dataclass(frozen=True)
class Record:
    """One document to index, from a file, a JSONL/CSV/Parquet row or a WARC response.

    ``id`` is the document's identity in a store: indexing the same id again replaces it.
    """

    id: str
    text: str
    url: str | None = None
    published: str | None = None
    source: str | None = None
    title: str | None = None
    lang: str | None = None
    #: Where it was read from (a file path, ``file.jsonl:17``); for messages, not identity.
    origin: str | None = None
    encoding_note: str | None = None

    def __post_init__(self) -> None:
        # Callers of the Python API build records themselves: a number or an empty string as id failed deep in the
        # store (a bare TypeError), or was stored under a name no command can ask for.
        for name in ("id", "text"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"Record.{name} must be a string, not {type(getattr(self, name)).__name__}")
        if not self.id:  # (a blank one is refused by `Index.add`: stores written before may hold one)
            raise ValueError("Record.id is empty")
        for name in ("url", "published", "source", "title", "lang", "origin", "encoding_note"):
            value = number_as_text(getattr(self, name))  # as a JSONL or HTTP record keeps a number: its text
            if value is not None and not isinstance(value, str):  # (a list failed in SQLite, aborting the add)
                raise TypeError(f"Record.{name} must be a string or None, not {type(value).__name__}")
            object.__setattr__(self, name, value)
        _valid_unicode(self, ("text", "id", "url", "published", "source", "title", "lang", "origin"), "encoding_note")

    def document(self) -> Document:
        return Document(self.text, path=self.id, encoding_note=self.encoding_note, published=self.published)


@dataclass(frozen=True)
class Failure:
    """An input that could not be indexed, and why: reported at the end of a run, never fatal to it."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Skip(Failure):
    """Inputs left out on purpose (files of a type no reader takes, WARC responses that are not web pages): reported
    as skipped, with how many, not as failures."""

    count: int = 1


@dataclass(frozen=True)
class Source:
    """One indexed document that a checked text reuses, with the evidence."""

    id: str
    score: float
    published: str | None
    comparison: Comparison  # a = the checked text ("query"), b = this source

    def to_json(self) -> dict:
        c = self.comparison
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "published": self.published,
            "coverage": {"query": round(c.coverage_a, 4), "source": round(c.coverage_b, 4)},
            "passages": [
                {"query": list(p.a), "source": list(p.b), "kind": p.kind, "similarity": round(p.similarity, 4)}
                for p in c.passages
            ],
            "inserted": {"query": [list(x) for x in c.inserted_a], "source": [list(x) for x in c.inserted_b]},
            "digest": text_digest(c.b.text),
        }


def text_digest(text: str) -> str:
    """A short fingerprint of a stored text (xxh3, 64 bits, hex), given with each source a check finds and with each
    document the HTTP API returns: offsets mark the text they were found in, and a page that fetched a source's
    text after a writer replaced it drew them on the new one (QA)."""
    return xxhash.xxh3_64_hexdigest(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class CheckResult:
    """What `unspun check` reports for one document: its sources, best first, and which one is the original."""

    document: Document
    sources: list[Source]
    #: Id of the likely original among the sources (earliest ``published``, else the aligner's evidence, else the
    #: share explained); None without sources, or where the checked document may itself be the original, or where
    #: the evidence cannot choose among sources (``evidence`` says which).
    original: str | None = None
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """One object of the `check --format json` contract's ``"documents"`` list (see README; the CLI prints
        ``{"documents": [...]}``): keep its keys stable."""
        return {
            "path": self.document.path,
            "chars": self.document.chars,
            "sources": [s.to_json() for s in self.sources],
            "original": self.original,
            "evidence": list(self.evidence),
        }
