"""Readers: the text of a TXT, DOCX, PDF or HTML file, for figure extraction.

Every offset a figure carries is a Python ``str`` index into the text a
reader returns, so a reader never rewrites a UTF-8 text file: what it
returns is the file decoded, unchanged. The other kinds are rendered once,
the same way every time: paragraphs one a line, table rows as cells joined
by tabs, like the corpus text files.

The type is taken from the file's first bytes before its extension, since
documents downloaded from portals are often misnamed; a mismatch is read
by the real type and said in ``notes``.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from pathlib import Path

from chitieu._errors import InputError
from chitieu.extraction import _inflation
from chitieu.extraction._docx_text import read_docx
from chitieu.extraction._html_text import read_html
from chitieu.extraction._pdf_text import PDF_TAIL, read_pdf
from chitieu.extraction._plain_text import decode_text, read_txt
from chitieu.extraction.records import DocumentText

_inflation.install()

_KIND_BY_SUFFIX = {
    ".txt": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_KIND_LABEL = {"txt": "văn bản thuần", "docx": "DOCX", "pdf": "PDF", "html": "HTML"}


def read_document(path: Path) -> DocumentText:
    """The text of a TXT, DOCX, PDF or HTML file, with what the reader had to do.

    Raises ``InputError`` with a one-line message for a file that cannot be
    read as text: missing, empty, binary, corrupt, encrypted or scanned.
    """
    data = _read_bytes(path)
    name = path.name
    if not data or data.isspace():
        what = "0 byte" if not data else "chỉ có khoảng trắng"
        raise InputError(f"{name}: tệp rỗng ({what}), không có chữ để đọc")
    claimed = _KIND_BY_SUFFIX.get(path.suffix.lower())
    found = _sniff(name, data)
    kind = found or _kind_without_signature(name, data, path.suffix, claimed)
    notes: list[str] = []
    if kind != claimed:
        suffix = path.suffix or "(không có đuôi)"
        notes.append(
            f"đuôi tệp là {suffix} nhưng nội dung là {_KIND_LABEL[kind]}; "
            f"đọc như {_KIND_LABEL[kind]}"
        )
    text, reader_notes = _READERS[kind](name, data)
    return DocumentText(
        name=name,
        kind=kind,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        notes=(*notes, *reader_notes),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: không có tệp này") from None
    except IsADirectoryError:
        raise InputError(f"{path}: là thư mục, không phải tệp") from None
    except OSError as exc:
        raise InputError(f"{path}: không đọc được tệp ({exc.strerror or exc})") from None


# --- what the file really is -------------------------------------------------

_REFUSED_SIGNATURES = (
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "tệp Office cũ (.doc/.xls) hoặc tệp Office có mật khẩu; chưa hỗ trợ, "
        "hãy lưu lại thành .docx không đặt mật khẩu",
    ),
    (b"{\\rtf", "tệp RTF; chưa hỗ trợ, hãy lưu lại thành .docx"),
    (b"\x89PNG", "tệp ảnh PNG; chưa hỗ trợ OCR"),
    (b"\xff\xd8\xff", "tệp ảnh JPEG; chưa hỗ trợ OCR"),
    (b"GIF8", "tệp ảnh GIF; chưa hỗ trợ OCR"),
    (b"II*\x00", "tệp ảnh TIFF; chưa hỗ trợ OCR"),
    (b"MM\x00*", "tệp ảnh TIFF; chưa hỗ trợ OCR"),
)
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _sniff(name: str, data: bytes) -> str | None:
    """The kind the first bytes prove, or None when they prove nothing."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    # PDF readers accept up to 1 KiB of junk before the header; a text that
    # merely mentions "%PDF-" does not also end like a PDF.
    if b"%PDF-" in data[:1024] and b"%%EOF" in data[-PDF_TAIL:]:
        return "pdf"
    if data.startswith(_ZIP_SIGNATURES):
        return "docx"
    for signature, what in _REFUSED_SIGNATURES:
        if data.startswith(signature):
            raise InputError(f"{name}: {what}")
    if _looks_like_html(data):
        return "html"
    return None


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    head = head.lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    # An XML declaration or a comment may come before an XHTML page's root.
    return head.startswith((b"<?xml", b"<!--")) and b"<html" in head


def _kind_without_signature(name: str, data: bytes, suffix: str, claimed: str | None) -> str:
    """The kind of a file whose first bytes prove nothing: text, if it is text."""
    if claimed in ("txt", "html"):
        return claimed
    try:
        decode_text(name, data)
    except InputError:
        if claimed is None:
            raise InputError(
                f"{name}: không nhận ra loại tệp (đuôi {suffix or 'trống'}); "
                "chỉ đọc .txt, .docx, .pdf, .html"
            ) from None
        signature = "%PDF" if claimed == "pdf" else "PK"
        raise InputError(
            f"{name}: không phải tệp {_KIND_LABEL[claimed]} (không bắt đầu bằng {signature}) "
            "và cũng không phải văn bản"
        ) from None
    return "txt"


_READERS: dict[str, Callable[[str, bytes], tuple[str, list[str]]]] = {
    "txt": read_txt,
    "docx": read_docx,
    "pdf": read_pdf,
    "html": read_html,
}
