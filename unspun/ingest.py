"""Reading documents: bytes in, a `Document` out, or one `InputError` line saying what is wrong with the file.

Offsets everywhere are code points into ``Document.text``, so decoding must be exact and predictable:

* Line endings are kept as they are (bytes are decoded, never read in text mode).
* A leading UTF-8 byte order mark is dropped; ``encoding`` is then ``"utf-8-sig"``, and offsets count from the first
  character after it (``data.decode(doc.encoding)[start:end]`` is the passage; in cp1252, ``decode(data,
  doc.encoding)``, which reads its five undefined bytes as browsers do).
* Text that is not UTF-8 is decoded in the charset it came labelled with (a WARC response's ``Content-Type``, else
  a page's ``<meta>`` charset) when that fits, else with the best guess of charset-normalizer (UTF-16/32 when a
  byte order mark says so);
  ``encoding`` names the codec and ``encoding_note`` says so, because a guess must be reported, never silent.
* Bytes that no encoding decodes credibly are an error, not mojibake.
"""

from __future__ import annotations

import codecs
import re
import stat
from pathlib import Path

import webencodings
from charset_normalizer import from_bytes

from .errors import InputError
from .models import Document
from .wording import counted

#: Larger inputs are refused: alignment is quadratic in places, and no article is this long.
MAX_BYTES = 50_000_000
#: Share of NUL and other control bytes (not tab, newlines, form feed, escape) above which bytes are not text.
#: Scraped text does carry some (PAN 2013 has UTF-8 documents with stray NULs and up to 14% control bytes), and
#: UTF-8 text keeps them, so offsets agree with other tools; bytes that are not UTF-8 get no such benefit of doubt.
MAX_CONTROL_SHARE = 0.3
#: The legacy encoding most text in the wild was written in, preferred over a guess at most this much less messy
#: (charset-normalizer's chaos, 0 to 1); mojibake (Cyrillic or Greek read as cp1252) is far messier than that.
_PREFERRED_LEGACY = "cp1252"
PREFERRED_LEGACY_MARGIN = 0.1

#: UTF-8 with stray bytes: at least this many characters decoded as UTF-8 (not ASCII) for each byte sequence that
#: fails (`_mostly_utf8`).
MOSTLY_UTF8 = 3

#: The five bytes Python's cp1252 leaves undefined, which browsers (WHATWG windows-1252) read as the C1 controls of
#: the same numbers: one such stray byte in a page labelled windows-1252 threw its label away, and a guess read
#: "Zoë naïve" as cp1257's "Zoė naļve" (QA). Read so where cp1252 is declared, or guessed for text that holds a few.
_CP1252_HOLES = b"\x81\x8d\x8f\x90\x9d"
#: At most this share of a text's bytes over 0x7F (or one) may be those before it is not taken for cp1252 with
#: strays (in a DOS code page, 0x81 is "ü").
CP1252_HOLES_SHARE = 0.1


def _cp1252_holes(e: UnicodeError) -> tuple[str, int]:
    if not isinstance(e, UnicodeDecodeError) or e.object[e.start] not in _CP1252_HOLES:
        raise e
    return chr(e.object[e.start]), e.start + 1


codecs.register_error("unspun-cp1252-holes", _cp1252_holes)


def decode(data: bytes, codec: str) -> str:
    """``data`` in ``codec``; cp1252 as browsers read it, its five undefined bytes the C1 controls they name."""
    return data.decode(codec, "unspun-cp1252-holes" if codec == "cp1252" else "strict")


#: Codecs a declared label is not believed for: UTF-16 decodes any even count of bytes, and the others are no
#: text encodings a page is written in.
_UNTRUSTED_LABELS = frozenset({"utf-16-le", "utf-16-be", "x-user-defined", "replacement"})
_C1 = re.compile("[\x80-\x9f]")
#: A web page's own charset label, in its first 1,024 bytes as browsers look for it (``<meta charset>``, or
#: ``<meta http-equiv="Content-Type" content="text/html; charset=...">``).
_META_CHARSET = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)

_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])

#: (byte order mark, codec): longest first, since the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: (offset, magic bytes, what the file looks like), only for signatures no real text starts with.
_MAGIC = (
    (0, b"%PDF-", "a PDF document (extract its text first, e.g. with pdftotext)"),
    (0, b"PK\x03\x04", "a ZIP archive (or a .docx/.odt/.epub, which are ZIP archives; extract its text first)"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Microsoft Office document (.doc/.xls/.ppt)"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"GIF87a", "a GIF image"),
    (0, b"GIF89a", "a GIF image"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"\xfd7zXZ\x00", "an xz archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (0, b"Rar!\x1a\x07", "a RAR archive"),
    (0, b"\x7fELF", "an executable (ELF)"),
    (0, b"SQLite format 3\x00", "an SQLite database"),
    (4, b"ftyp", "a video or image (MP4/MOV/HEIC)"),
)


#: Files read as web pages: their main text is extracted (by `unspun.corpus`, which loads trafilatura).
PAGE_SUFFIXES = frozenset({".html", ".htm"})


def is_page(path: str | Path) -> bool:
    """Whether a file is a web page by its name (case-insensitive: Windows tools write ``.HTML``)."""
    return Path(path).suffix.lower() in PAGE_SUFFIXES


def read_document(path: str | Path, published: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read a text file as a `Document` whose ``path`` is ``path`` as given, so reports name what the user typed. A
    web page is read as its markup: `unspun.corpus.read_page` gives its main text and date, as the CLI reads pages.

    A pipe is read as a file is, once, up to the size limit: ``unspun compare <(curl -s URL) b.txt`` names one
    (like ``diff``, opening it waits for its writer). Devices and sockets are refused: ``/dev/zero`` never ends."""
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{name}: is a directory, not a text file")
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            raise InputError(f"{name}: not a regular file or a pipe (a device or a socket)")
        _check_size(name, st.st_size, max_bytes)
        with p.open("rb") as f:
            data = f.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from None
    return read_text(data, name, published=published, max_bytes=max_bytes)


def read_text(data: bytes, name: str, published: str | None = None, max_bytes: int = MAX_BYTES,
              declared: str | None = None) -> Document:
    """Decode in-memory bytes (an upload, a request body) with the same checks and rules as `read_document`.

    ``declared`` is the charset the bytes came labelled with (a web server's ``Content-Type``), used before any guess
    when they are not UTF-8: many servers name it there alone, not in the page."""
    _check_size(name, len(data), max_bytes)
    if not data:
        raise InputError(f"{name}: empty file")
    text, encoding, note = _decode(data, name, declared)
    if not text:  # a byte order mark alone: "only whitespace" named something the file does not hold
        raise InputError(f"{name}: empty file (a byte order mark and no text)")
    if not text.strip():
        raise InputError(f"{name}: contains only whitespace")
    return Document(text=text, path=name, encoding=encoding, encoding_note=note, published=published)


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(f"{name}: {size / 1e6:.1f} MB is larger than the {max_bytes / 1e6:g} MB limit")


def _looks_like(head: bytes, start_only: bool = False) -> str | None:
    """What a file's first bytes show it to be, when a signature no text starts with says so; ``start_only``:
    signatures at offset 0 only (a CSV header "url,ftype" holds one at offset 4)."""
    return next((what for offset, magic, what in _MAGIC
                 if not (start_only and offset) and head.startswith(magic, offset)), None)


def not_records(head: bytes) -> str | None:
    """Why a JSONL or CSV file whose first bytes are ``head`` cannot hold records, or None. Neither ever holds a
    NUL byte (JSON escapes control characters), and their lines are UTF-8: a binary file named .jsonl gave one
    failure per "line" (26,356 for a 10 MB library), a UTF-16 export one per line too."""
    if (what := _looks_like(head, start_only=True)) is not None:
        return f"looks like {what}, not records"
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return f"{codec.upper()} text (byte order mark): records must be UTF-8 (iconv -f {codec.upper()} -t UTF-8)"
    if b"\x00" in head:
        return "binary file (contains NUL bytes), not records"
    return None


def _decode(data: bytes, name: str, declared: str | None = None) -> tuple[str, str, str | None]:
    """(text, codec, note): note is None only for UTF-8, which needs no guess. Bytes that are valid UTF-8 are read
    as UTF-8 whatever was declared (a page labelled Latin-1 but written in UTF-8 is the common mislabel)."""
    if (what := _looks_like(data)) is not None:
        raise InputError(f"{name}: looks like {what}, not plain text")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec, f"not UTF-8; decoded as {codec.upper()} (byte order mark)"
            except UnicodeDecodeError:
                raise InputError(
                    f"{name}: starts with a {codec.upper()} byte order mark but is not {codec.upper()}"
                ) from None
    if (utf16 := _utf16_without_bom(data)) is not None:
        return utf16
    controls = len(data) - len(data.translate(None, _CONTROL))
    if controls > MAX_CONTROL_SHARE * len(data):
        raise InputError(f"{name}: binary file (mostly NUL or control bytes), not plain text")
    codec = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        return data.decode(codec), codec, None
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise InputError(f"{name}: binary file (contains NUL bytes and is not UTF-8), not plain text")
    # A label sent with the bytes (a server's Content-Type) comes first, as in browsers; else the page's own.
    if (label := _codec(declared or _meta_charset(data))) is not None:
        try:
            text = decode(data, label)
        except UnicodeError:
            pass  # mislabelled: guess, as for undeclared bytes
        else:
            # C1 controls: cp1252's quotes and dashes read in a Latin-x label (in cp1252 itself, its stray bytes)
            if label == "cp1252" or not _C1.search(text):
                declared_note = f"not UTF-8; decoded as {label}, the charset it was declared in"
                return text, label, declared_note + _strays(data, label)
    if (mostly := _mostly_utf8(data, codec)) is not None:
        return mostly
    guess = guess_encoding(data)
    if guess is None:
        raise InputError(f"{name}: not UTF-8, and no other text encoding fits; convert it to UTF-8")
    return decode(data, guess), guess, f"not UTF-8; decoded as {guess}{_strays(data, guess)}"


def _strays(data: bytes, codec: str) -> str:
    """What a note adds of the bytes cp1252 leaves undefined, where it read some."""
    n = _holes(data) if codec == "cp1252" else 0
    return f" ({counted(n, 'byte')} it leaves undefined read as C1 controls, as browsers read them)" if n else ""


def _holes(data: bytes) -> int:
    """How many of ``data``'s bytes cp1252 leaves undefined."""
    return len(data) - len(data.translate(None, _CP1252_HOLES))


def _utf16_without_bom(data: bytes) -> tuple[str, str, str] | None:
    """UTF-16 text without a byte order mark (Windows tools write UTF-16-LE so), told by its NUL byte beside every
    character of Latin text, most of them letters and some white space: called a binary file before. None for
    anything else (UTF-16 of other scripts has few NULs: without a byte order mark it is still called binary)."""
    head = data[:1024]
    if len(data) < 8 or len(data) % 2 or head.count(0) < 0.4 * len(head):  # (any other text: one look)
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.01 * len(other):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            letters = sum(c.isalpha() for c in text)
            spaces = sum(c.isspace() for c in text)
            if letters + spaces < 0.8 * len(text) or spaces < 0.05 * len(text):  # 16-bit numbers, not text
                return None
            return text, codec, f"not UTF-8; decoded as {codec.upper()} (no byte order mark: a NUL byte by each letter)"
    return None


def _mostly_utf8(data: bytes, codec: str) -> tuple[str, str, str] | None:
    """UTF-8 text with a few stray bytes (a pound sign pasted in Latin-1 into a UTF-8 article), as UTF-8 with each
    stray byte read as U+FFFD: at least `MOSTLY_UTF8` times as many of its characters decode as UTF-8 as fail.
    Guessed as a whole, such an article was read as cp852, every curly quote and accent of it garbled ("ÔÇťQuotedÔÇŁ
    caf├ę"). None when the bytes are not mostly UTF-8: a legacy text's accents all fail but where two of them happen
    to form a UTF-8 sequence ("weiß“" in cp1252 is one: one in two, far from mostly)."""
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    if good < MOSTLY_UTF8 * bad:
        return None
    return text, codec, f"not all UTF-8: {counted(bad, 'invalid byte sequence')} read as U+FFFD (errors='replace')"


def _meta_charset(data: bytes) -> str | None:
    """The charset a web page declares in a ``<meta>`` near its start, or None: "ISO-8859-1" there is read as
    cp1252 (`_codec`), as a server's label is (charset-normalizer took it literally: a cp1252 page's curly quotes and
    dashes became C1 controls, dropped with the markup, "Labour’s" stored as "Labours")."""
    m = _META_CHARSET.search(data, 0, 1024)
    return m.group(1).decode("ascii") if m else None


def _codec(label: str | None) -> str | None:
    """Python's codec for a declared charset, read as browsers read labels (the WHATWG Encoding Standard:
    ``ISO-8859-1`` and ``us-ascii`` mean cp1252, ``ISO-8859-2`` iso8859-2); None for a label naming no text
    encoding, or UTF-16/32 (whose labels are trusted only with a byte order mark)."""
    found = webencodings.lookup(label) if label else None
    if found is None or found.codec_info.name in _UNTRUSTED_LABELS:
        return None
    return found.codec_info.name


def guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess, but cp1252 when it fits nearly as well.

    On short, mostly ASCII texts (an English article with one pound sign or curly quote) charset-normalizer often
    prefers an exotic code page (cp932, cp775) by a hair; cp1252 is what such texts are nearly always written in.
    A few of the bytes cp1252 leaves undefined (`_CP1252_HOLES`) do not keep it out: it is tried without them.
    """
    if 0 < _holes(data) <= max(1.0, CP1252_HOLES_SHARE * _high(data)):
        if _guess(data.translate(None, _CP1252_HOLES)) == _PREFERRED_LEGACY:
            return _PREFERRED_LEGACY
    return _guess(data)


def _guess(data: bytes) -> str | None:
    results = list(from_bytes(data))
    if not results:
        return None
    best = results[0]
    for r in results:
        if _PREFERRED_LEGACY in r.could_be_from_charset and r.chaos <= best.chaos + PREFERRED_LEGACY_MARGIN:
            return _PREFERRED_LEGACY
    name = codecs.lookup(best.encoding).name
    if name in _MULTIBYTE and _high_share(data) < MULTIBYTE_LEAST_HIGH and decodes(data, _PREFERRED_LEGACY):
        return _PREFERRED_LEGACY
    return name


#: East Asian multi-byte encodings, whose characters are mostly two bytes over 0x7F...
_MULTIBYTE = {"big5", "big5hkscs", "cp950", "gb2312", "gbk", "gb18030", "hz", "euc_jp", "euc_jis_2004", "euc_jisx0213",
              "euc_kr", "cp949", "johab", "shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213", "iso2022_jp",
              "iso2022_kr"}
#: ...so a text with fewer of those than this share of its bytes is no text of theirs where cp1252 reads it: an English
#: article with "saïd" was read as big5 "sa骾", its trail byte an ASCII letter (QA).
MULTIBYTE_LEAST_HIGH = 0.02


def _high(data: bytes) -> int:
    """How many of ``data``'s bytes are over 0x7F."""
    return len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))


def _high_share(data: bytes) -> float:
    return _high(data) / max(1, len(data))


def decodes(data: bytes, codec: str) -> bool:
    """Whether ``data`` is text in ``codec`` (strictly)."""
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True
