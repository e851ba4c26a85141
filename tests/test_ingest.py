"""read_document / read_text: every way a file can fail gives one line naming it; text decodes exactly."""

from __future__ import annotations

import codecs
import os
import sys
import threading
from pathlib import Path

import pytest

from unspun.errors import InputError
from unspun.ingest import read_document, read_text

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

CURLY = "He said “no” — it’s the café’s fault, and naïve to think otherwise.\n"


def _error(path: Path | str, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        read_document(path, **kwargs)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    return message


def test_utf8_text_is_read_as_is(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes("Zo\u00eb read \u6771\u4eac.\n".encode())
    doc = read_document(p, published="2020-01-02")
    assert doc.text == "Zo\u00eb read \u6771\u4eac.\n"
    assert (doc.path, doc.encoding, doc.encoding_note, doc.published) == (str(p), "utf-8", None, "2020-01-02")


def test_path_is_kept_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("hello there")
    monkeypatch.chdir(tmp_path)
    assert read_document("a.txt").path == "a.txt"


def test_crlf_is_kept_and_offsets_round_trip(tmp_path: Path) -> None:
    data = b"First line.\r\nSecond line with target word.\r\n\r\nThird.\r\n"
    p = tmp_path / "crlf.txt"
    p.write_bytes(data)
    doc = read_document(p)
    assert doc.text.count("\r\n") == 4
    start = doc.text.index("target")
    assert doc.text[start : start + len("target")] == "target"
    assert len(doc.text[:start].encode()) == data.index(b"target")
    assert doc.text.encode() == data


def test_utf8_bom_is_stripped_and_recorded(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + "caf\u00e9 au lait".encode()
    p = tmp_path / "bom.txt"
    p.write_bytes(data)
    doc = read_document(p)
    assert doc.text == "caf\u00e9 au lait"
    assert doc.encoding == "utf-8-sig" and doc.encoding_note is None
    assert data.decode(doc.encoding) == doc.text


def test_a_pages_own_charset_label_is_read_as_browsers_read_it() -> None:
    """A page whose <meta> says ISO-8859-1 holds cp1252 quotes and dashes nearly always (browsers read the label so):
    charset-normalizer followed the label, and the C1 controls it made of them were dropped with the markup
    ("Labour’s" stored as "Labours"; QA). Only a WARC's Content-Type label was read as browsers read it."""
    body = "<p>Labour’s manifesto – “a fair deal” – is out.</p></body></html>"
    for head in ('<html><head><meta charset="ISO-8859-1">', "<html><head><META HTTP-EQUIV='Content-Type' "
                 "CONTENT='text/html; charset=iso-8859-1'>"):
        doc = read_text((head + body).encode("cp1252"), "page.html")
        assert "Labour’s manifesto – “a fair deal”" in doc.text
        assert doc.encoding_note == "not UTF-8; decoded as cp1252, the charset it was declared in"
    # The label sent with the bytes (a server's) comes first, as in browsers; one that does not fit is passed over.
    page = ('<meta charset="windows-1251">' + body.replace("Labour", "Лейбористы")).encode("cp1251")
    assert read_text(page, "p.html", declared="koi8-r").encoding == "koi8-r"
    assert "Лейбористы’s" in read_text(page, "p.html").text


def test_the_five_bytes_cp1252_leaves_undefined_are_read_as_browsers_read_them() -> None:
    """Python's cp1252 refuses 0x81, 0x8D, 0x8F, 0x90 and 0x9D, which browsers read as the C1 controls of those
    numbers: one in a page labelled windows-1252 threw its label away, and a guess read "Zoë naïve" as cp1257's
    "Zoė naļve" (QA); an undeclared cp1252 text with one was read as cp850, its "£" garbled."""
    declared = read_text("Zoë naïve café ".encode("cp1252") * 3 + b"\x9d", "x.html", declared="windows-1252")
    assert declared.text == "Zoë naïve café " * 3 + "\x9d" and declared.encoding == "cp1252"
    assert declared.encoding_note == ("not UTF-8; decoded as cp1252, the charset it was declared in (1 byte it "
                                      "leaves undefined read as C1 controls, as browsers read them)")
    text = "The fund paid £5 to “investors” — café owners, the council said. " * 3
    guessed = read_text(text.encode("cp1252") + b"\x81", "y.txt")
    assert guessed.text == text + "\x81" and guessed.encoding == "cp1252"
    # where those bytes are letters (0x81 is "ü" in the DOS code pages), the text is not cp1252
    dos = "Grüße aus München, über die Brücke gehen wir früh. " * 5
    assert read_text(dos.encode("cp850"), "z.txt").text == dos


def test_an_english_article_with_a_few_accents_is_not_read_as_a_multibyte_code_page() -> None:
    """A BBC article in cp1252 with "saïd" three times was read as big5 ("sa骾": an ASCII letter taken for a trail
    byte), its text and offsets garbled (QA): a text with under 2% of bytes over 0x7F is no East Asian text where
    cp1252 reads it; Chinese text stays big5."""
    article = DATA / "bbc-news-2225" / "tech" / "020.txt"
    if not article.is_file():
        pytest.skip(f"BBC articles absent: no {article}")
    text = article.read_text(encoding="utf-8", errors="replace")
    for accented in (text.replace("said", "saïd"), text.replace("Microsoft", "Micrösoft")):
        doc = read_text(accented.encode("cp1252"), "a.txt")
        assert doc.encoding == "cp1252" and doc.text == accented
    chinese = "台北市政府今天宣布，新的捷運路線將於明年通車。" * 20
    assert read_text(chinese.encode("big5"), "b.txt").text == chinese


def test_cp1252_with_curly_quotes_falls_back_with_a_note(tmp_path: Path) -> None:
    p = tmp_path / "legacy.txt"
    p.write_bytes(CURLY.encode("cp1252"))
    doc = read_document(p)
    assert doc.text == CURLY
    assert doc.encoding == "cp1252"
    assert doc.encoding_note == "not UTF-8; decoded as cp1252"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Москва — столица России, крупнейший город страны.", "cp1251"),
        ("Le garçon a mangé une crème brûlée à côté de la fenêtre.", "latin-1"),
    ],
    ids=["cp1251", "latin-1"],
)
def test_other_legacy_encodings_decode_exactly(text: str, encoding: str) -> None:
    doc = read_text(text.encode(encoding), "x.txt")
    assert doc.text == text
    assert doc.encoding_note and doc.encoding_note.startswith("not UTF-8; decoded as ")


def test_utf8_text_with_a_stray_byte_is_read_as_utf8_with_a_note() -> None:
    """A pound sign pasted in Latin-1 into a UTF-8 article made the whole article a guess (cp852): every curly
    quote and accent garbled ("ÔÇťQuotedÔÇŁ caf├ę")."""
    data = "“Quoted” café, the report said — ".encode() * 3 + b"price \xa35m"
    doc = read_text(data, "mixed.txt")
    assert doc.text == "“Quoted” café, the report said — " * 3 + "price \ufffd5m"
    assert doc.encoding == "utf-8" and doc.text == data.decode(doc.encoding, errors="replace")
    assert "not all UTF-8: 1 invalid byte sequence" in (doc.encoding_note or "")
    # A legacy text where two accents happen to form a UTF-8 sequence ("ß“" in cp1252) is not mostly UTF-8.
    for legacy in ("„Ich weiß“, sagte er.".encode("cp1252"), "RENÉ’s menu – great".encode("cp1252")):
        assert read_text(legacy, "x.txt").encoding == "cp1252"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_decoded_with_a_note(codec: str) -> None:
    """Called "binary file (mostly NUL or control bytes)" before: Windows tools write UTF-16-LE without a mark."""
    text = "Sales rose 5% in Jan.\r\nThe café said so. “Quoted,” he said!\n"
    doc = read_text(text.encode(codec), "u16.txt")
    assert (doc.text, doc.encoding) == (text, codec)
    assert "no byte order mark" in (doc.encoding_note or "")
    # 16-bit numbers are no UTF-16 text, even where none reads as a control character (Latin-1's symbols and letters)
    with pytest.raises(InputError, match="binary file"):
        read_text(bytes(b for n in range(400) for b in (0x21 + n * 7 % 0xDE, 0)), "numbers.bin")


def test_utf16_with_bom_is_decoded_with_a_note() -> None:
    doc = read_text("hello\r\nw\u00f6rld".encode("utf-16"), "u16.txt")
    assert doc.text == "hello\r\nw\u00f6rld"
    assert doc.encoding == "utf-16"
    assert "UTF-16" in (doc.encoding_note or "")


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in _error(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_pipe_is_read_as_a_file(tmp_path: Path) -> None:
    """What a shell's ``<(command)`` names: read once, to its end, with a file's checks."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    text = "Caf\u00e9 owners said the rent doubled.\n" * 5000  # more than a pipe's buffer
    writer = threading.Thread(target=lambda: fifo.write_bytes(text.encode()))
    writer.start()
    try:
        doc = read_document(fifo)
    finally:
        writer.join()
    assert doc.text == text and doc.path == str(fifo) and doc.encoding == "utf-8"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_pipe_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("wb") as f:
            try:
                f.write(b"word " * 100)
            except BrokenPipeError:  # the reader stopped at its limit
                pass

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(InputError, match="larger than"):
            read_document(fifo, max_bytes=100)
    finally:
        writer.join()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this platform")
def test_a_device_is_not_read() -> None:
    assert "not a regular file or a pipe" in _error(Path("/dev/zero"))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "secret.txt"
    p.write_text("hidden")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert "permission denied" in _error(p)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    p = tmp_path / "secret.txt"
    p.write_text("hidden")
    p.chmod(0)
    try:
        assert "permission denied" in _error(p)
    finally:
        p.chmod(0o600)


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00word/document.xml", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
    ],
)
def test_binary_magic_says_what_it_looks_like(tmp_path: Path, data: bytes, looks_like: str) -> None:
    p = tmp_path / "file.txt"
    p.write_bytes(data)
    message = _error(p)
    assert "looks like" in message and looks_like in message


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    p = tmp_path / "data.bin"
    p.write_bytes(b"header\x00\x00\x01\x02\xff\xfe\x80 some more bytes here \x91\x00")
    assert "binary" in _error(p)


def test_binary_mostly_control_bytes(tmp_path: Path) -> None:
    p = tmp_path / "ctl.bin"
    p.write_bytes(bytes(range(1, 9)) * 50 + b"text")
    assert "binary" in _error(p)


def test_utf8_text_with_a_stray_nul_is_kept_verbatim() -> None:
    """Scraped corpora (PAN 2013) have such files; dropping the NUL would shift every later offset."""
    doc = read_text("a registered\x00 caf\u00e9 in town".encode(), "stray.txt")
    assert doc.text == "a registered\x00 caf\u00e9 in town"


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert "empty" in _error(p)


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b"\xff\xfe"], ids=["UTF-8", "UTF-16"])
def test_a_byte_order_mark_alone_is_an_empty_file(tmp_path: Path, bom: bytes) -> None:
    """It was said to contain only whitespace."""
    p = tmp_path / "bom.txt"
    p.write_bytes(bom)
    assert "empty file" in _error(p) and "whitespace" not in _error(p)


def test_whitespace_only_file(tmp_path: Path) -> None:
    p = tmp_path / "blank.txt"
    p.write_bytes(b" \r\n\t\n  ")
    assert "only whitespace" in _error(p)


def test_too_large(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"word " * 1000)
    assert "larger than" in _error(p, max_bytes=1000)
    assert read_document(p).chars == 5000


def test_undecodable_bytes(tmp_path: Path) -> None:
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(range(0x80, 0x100)) * 20)
    assert "not UTF-8" in _error(p)


def test_read_text_checks_like_read_document() -> None:
    doc = read_text("caf\u00e9".encode(), "upload.txt", published="2021-05-06")
    assert (doc.text, doc.path, doc.published) == ("caf\u00e9", "upload.txt", "2021-05-06")
    for data, words in ((b"", "empty"), (b"%PDF-1.4", "PDF"), (b"x" * 11, "larger than")):
        with pytest.raises(InputError, match=words) as info:
            read_text(data, "upload.txt", max_bytes=10)
        assert str(info.value).startswith("upload.txt: ")


@pytest.mark.slow
def test_shared_data_documents_read() -> None:
    """The seed articles, and PAN documents with stray NULs, read as text whose offsets match their bytes."""
    paths = sorted((DATA / "seeds").glob("*.txt")) + sorted((DATA / "pan13-train").glob("*/*.txt"))
    if not paths:
        pytest.skip(f"no shared data at {DATA}")
    for p in paths:
        doc = read_document(p)
        assert p.read_bytes().decode(doc.encoding) == doc.text
