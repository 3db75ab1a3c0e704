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
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from chitieu._archive import check_inflation, zip_members
from chitieu._errors import InputError
from chitieu.extraction import _inflation
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

# A DOCX is a zip: refuse one that would inflate past what a report can be,
# before python-docx inflates and parses every XML part in memory.
_DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024

# Bytes that no text file holds in number (tab, line feed, form feed and
# carriage return are text). Above this share a file is binary, not text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.01
# A PDF ends with %%EOF, give or take some bytes a mail or web server appended.
_PDF_TAIL = 4096


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


def _one_line(exc: BaseException) -> str:
    """An exception's message squeezed onto one short line, for an InputError."""
    words = " ".join(str(exc).split()) or type(exc).__name__
    return words if len(words) <= 160 else words[:157] + "…"


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
    if b"%PDF-" in data[:1024] and b"%%EOF" in data[-_PDF_TAIL:]:
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
        _decode_text(name, data)
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


# --- plain text ------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
# Letters only Vietnamese writes: ă đ ơ ư and the precomposed toned vowels.
_VIETNAMESE_LETTER = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
_COMBINING_MARK = re.compile("[\u0300-\u036f]")


def _read_txt(name: str, data: bytes) -> tuple[str, list[str]]:
    text, notes = _decode_text(name, data)
    if not unicodedata.is_normalized("NFC", text):
        # Kept as is (offsets point into it), but worth knowing when a word
        # written with combining marks does not match its precomposed spelling.
        notes.append("văn bản dùng dấu tổ hợp (không ở dạng Unicode NFC); giữ nguyên")
    return text, notes


def _decode_text(name: str, data: bytes) -> tuple[str, list[str]]:
    """Bytes to text: UTF-8 unchanged when it is UTF-8, else the likeliest encoding."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            return _decode_with_bom(name, data[len(bom) :], codec, label)
    if _control_share(data) > _MAX_CONTROL_SHARE:
        found = _utf16_without_bom(data)
        if found is None:
            raise InputError(
                f"{name}: nội dung nhị phân (nhiều byte điều khiển/NUL), không phải văn bản"
            )
        return _require_text(name, found[0]), [
            f"đọc theo mã {found[1]} (không có BOM), không phải UTF-8"
        ]
    try:
        return _require_text(name, data.decode("utf-8")), []
    except UnicodeDecodeError:
        text, notes = _decode_legacy(data)
        return _require_text(name, text), notes


def _decode_with_bom(name: str, body: bytes, codec: str, label: str) -> tuple[str, list[str]]:
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: có dấu BOM {label} nhưng byte thứ {exc.start} sau BOM không giải mã được"
        ) from None
    if codec == "utf-8":
        return _require_text(name, text), ["bỏ dấu BOM UTF-8 ở đầu tệp"]
    return _require_text(name, text), [f"đọc theo mã {label} (có BOM), không phải UTF-8"]


def _require_text(name: str, text: str) -> str:
    if not text.strip():
        raise InputError(f"{name}: tệp rỗng (chỉ có khoảng trắng), không có chữ để đọc")
    return text


def _control_share(data: bytes) -> float:
    # bytes.translate runs in C: linear and fast even on 50 MB.
    return (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a BOM, told by where its NUL bytes fall, if it is that."""
    if len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    # ASCII letters, digits and spaces are most of any Vietnamese text, and in
    # UTF-16 each has a NUL on the same side of every pair.
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        codec, label = "utf-16-le", "UTF-16LE"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        codec, label = "utf-16-be", "UTF-16BE"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if _control_share(text.encode("utf-8")) > _MAX_CONTROL_SHARE:
        return None
    return text, label


def _decode_legacy(data: bytes) -> tuple[str, list[str]]:
    """Text that is not UTF-8: mostly UTF-8 with a few bad bytes, cp1258, or Western."""
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80))))
    # A file of UTF-8 damaged in a few places (cut mid-character, joined with
    # another file) reads better as UTF-8 than as cp1258 mojibake.
    if non_ascii - bad >= 20 * bad:
        return replaced, [f"{bad} chỗ không phải UTF-8 hợp lệ, thay bằng ký tự U+FFFD"]
    try:
        decomposed = data.decode("cp1258")
    except UnicodeDecodeError:
        pass
    else:
        # cp1258 writes tones as combining marks: compose them, or no search
        # for "tăng trưởng" would match the text.
        text = unicodedata.normalize("NFC", decomposed)
        letters = len(_VIETNAMESE_LETTER.findall(text))
        if letters and len(_COMBINING_MARK.findall(text)) <= 0.05 * letters:
            return text, [
                "đọc theo mã cp1258 (Windows tiếng Việt), không phải UTF-8; "
                "dấu thanh tổ hợp đã ghép về dạng dựng sẵn (NFC)"
            ]
    try:
        return data.decode("cp1252"), ["đọc theo mã windows-1252, không phải UTF-8"]
    except UnicodeDecodeError:
        return data.decode("latin-1"), ["đọc theo mã latin-1 (đoán), không phải UTF-8"]


def _normalised(text: str, notes: list[str]) -> str:
    """A rendered document's text in NFC, so that words match however they were typed."""
    if unicodedata.is_normalized("NFC", text):
        return text
    notes.append("chuẩn hoá Unicode về NFC (tài liệu dùng dấu tổ hợp)")
    return unicodedata.normalize("NFC", text)


# --- DOCX ----------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_OTHER_OFFICE_FILES = (
    ("xl/", "bảng tính Excel (.xlsx)"),
    ("ppt/", "bản trình chiếu PowerPoint (.pptx)"),
)
# Inside a paragraph: drawings and their text boxes (read apart below),
# deleted or moved-away text, field codes and formatting.
_SKIPPED_IN_PARAGRAPH = frozenset(
    {
        f"{_W}drawing",
        f"{_W}pict",
        f"{_W}object",
        f"{_MC}AlternateContent",
        f"{_W}del",
        f"{_W}moveFrom",
        f"{_W}instrText",
        f"{_W}delInstrText",
        f"{_W}rPr",
        f"{_W}pPr",
    }
)
_RUN_CHARACTERS = {
    f"{_W}tab": "\t",
    f"{_W}ptab": "\t",
    f"{_W}br": "\n",
    f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "-",
}
# Containers that only wrap blocks, rows or cells (content controls, custom XML).
_WRAPPERS = frozenset({f"{_W}sdt", f"{_W}customXml", f"{_W}ins", f"{_W}moveTo"})


def _read_docx(name: str, data: bytes) -> tuple[str, list[str]]:
    _check_docx_zip(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx, zipfile and lxml raise many exception types on a damaged
    # file (BadZipFile, KeyError, ValueError, lxml's XMLSyntaxError…); each
    # of them means only that this file cannot be read as a DOCX.
    except Exception as exc:
        raise InputError(
            f"{name}: DOCX hỏng hoặc không phải tài liệu Word ({_one_line(exc)})"
        ) from None
    lines: list[str] = []
    text_boxes = _block_lines(document.element.body, lines)
    notes: list[str] = []
    if text_boxes:
        notes.append(f"chữ trong {text_boxes} hộp văn bản (text box) đặt ngay sau đoạn chứa nó")
    text = _normalised("\n".join(lines), notes)
    if not text.strip():
        raise InputError(f"{name}: DOCX không có chữ nào trong thân văn bản")
    return text, notes


def _check_docx_zip(name: str, data: bytes) -> None:
    """Refuse a zip that is damaged, is not a Word document, or is a zip bomb."""
    members = zip_members(name, io.BytesIO(data), "DOCX")
    names = {member.filename for member in members}
    for prefix, what in _OTHER_OFFICE_FILES:
        if any(member.startswith(prefix) for member in names):
            raise InputError(f"{name}: tệp zip này là {what}, không phải DOCX")
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise InputError(f"{name}: tệp zip nhưng không phải DOCX (không có word/document.xml)")
    check_inflation(name, members, "DOCX", max_uncompressed=_DOCX_MAX_UNCOMPRESSED)


def _block_lines(container: Any, lines: list[str]) -> int:
    """Append the paragraphs and tables of a body, cell or text box in their order.

    Returns how many text boxes were read along the way.
    """
    text_boxes = 0
    for child in container:
        tag = child.tag
        if tag == f"{_W}p":
            lines.append(_paragraph_text(child))
            for box in _text_boxes(child):
                text_boxes += 1 + _block_lines(box, lines)
        elif tag == f"{_W}tbl":
            text_boxes += _table_lines(child, lines)
        elif tag in _WRAPPERS:
            text_boxes += _block_lines(_wrapped(child), lines)
    return text_boxes


def _wrapped(element: Any) -> Any:
    """The content of a wrapper: a content control's sdtContent, else the element."""
    content = element.find(f"{_W}sdtContent")
    return element if content is None else content


def _paragraph_text(paragraph: Any) -> str:
    """The visible text of a paragraph, tracked insertions in, deletions out."""
    parts: list[str] = []
    # An explicit stack rather than recursion: runs nest in hyperlinks,
    # fields, content controls and smart tags to any depth.
    stack = list(reversed(paragraph))
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag == f"{_W}t":
            parts.append(element.text or "")
        elif tag in _RUN_CHARACTERS:
            parts.append(_RUN_CHARACTERS[tag])
        elif isinstance(tag, str) and tag not in _SKIPPED_IN_PARAGRAPH:
            stack.extend(reversed(element))
    return "".join(parts)


def _text_boxes(paragraph: Any) -> Iterator[Any]:
    """The text boxes anchored in a paragraph, each once.

    Word stores a text box twice, as DrawingML and as a VML fallback; the
    fallback copy and boxes inside boxes are skipped.
    """
    for box in paragraph.iter(f"{_W}txbxContent"):
        between = set()
        for ancestor in box.iterancestors():
            if ancestor is paragraph:
                break
            between.add(ancestor.tag)
        if f"{_MC}Fallback" not in between and f"{_W}txbxContent" not in between:
            yield box


def _table_lines(table: Any, lines: list[str]) -> int:
    """Append one line per row, cells joined by tabs; a merged cell keeps its columns."""
    text_boxes = 0
    for row in _children(table, f"{_W}tr"):
        cells = [""] * _grid_value(row.find(f"{_W}trPr"), "gridBefore")
        for cell in _children(row, f"{_W}tc"):
            cell_lines: list[str] = []
            text_boxes += _block_lines(cell, cell_lines)
            # A cell is one field of its row: its own line breaks and tabs
            # become spaces so that the row stays one line.
            words = (" ".join(line.split()) for line in cell_lines)
            cells.append(" ".join(word for word in words if word))
            cells.extend([""] * (_grid_value(cell.find(f"{_W}tcPr"), "gridSpan") - 1))
        lines.append("\t".join(cells))
    return text_boxes


def _children(element: Any, tag: str) -> Iterator[Any]:
    """Children with ``tag``, looking through content controls and custom XML."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(_wrapped(child), tag)


def _grid_value(properties: Any, name: str) -> int:
    """A row's gridBefore or a cell's gridSpan: how many grid columns it takes."""
    default = 1 if name == "gridSpan" else 0
    if properties is None:
        return default
    setting = properties.find(f"{_W}{name}")
    if setting is None:
        return default
    try:
        value = int(setting.get(f"{_W}val", default))
    except ValueError:
        return default
    # Word allows at most 63 columns; a larger number is a damaged file.
    return min(max(value, default), 63)


# --- PDF --------------------------------------------------------------------------------


def _read_pdf(name: str, data: bytes) -> tuple[str, list[str]]:
    # pdfminer rebuilds what it can of a truncated file and would return the
    # first pages as if they were all: a complete PDF ends with %%EOF.
    if b"%%EOF" not in data[-_PDF_TAIL:]:
        raise InputError(
            f"{name}: PDF bị cắt cụt (không có dấu kết thúc %%EOF); hãy tải lại tệp đầy đủ"
        )
    notes: list[str] = []
    try:
        pages = _pdf_page_texts(data, notes)
    except _inflation.InflationLimitError as exc:
        raise InputError(f"{name}: {exc}") from None
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, _inflation.InflationLimitError):
            raise InputError(f"{name}: {cause}") from None
        if isinstance(cause, PDFPasswordIncorrect):
            raise InputError(
                f"{name}: PDF có mật khẩu (mã hoá); hãy gỡ mật khẩu rồi đọc lại"
            ) from None
        if isinstance(cause, PDFEncryptionError):
            raise InputError(
                f"{name}: PDF mã hoá theo cách chưa hỗ trợ ({_one_line(cause)})"
            ) from None
        raise InputError(f"{name}: PDF hỏng, không đọc được ({_one_line(cause)})") from None
    # pdfminer raises many exception types on a damaged file (struct, zlib,
    # KeyError, its own syntax errors); each means only that it cannot be read.
    except Exception as exc:
        raise InputError(f"{name}: PDF hỏng, không đọc được ({_one_line(exc)})") from None
    if not pages:
        raise InputError(f"{name}: PDF không có trang nào")
    empty = [number for number, text in enumerate(pages, start=1) if not text.strip()]
    if len(empty) == len(pages):
        raise InputError(f"{name}: PDF không có lớp chữ (bản quét); chưa hỗ trợ OCR")
    if empty:
        notes.append(f"trang {_page_list(empty)} không có lớp chữ (có thể là ảnh quét), bỏ qua")
    text = _normalised("\n\n".join(page for page in pages if page.strip()), notes)
    if "(cid:" in text:
        notes.append("có ký tự phông không giải mã được, hiện dạng (cid:…)")
    return text, notes


def _pdf_page_texts(data: bytes, notes: list[str]) -> list[str]:
    texts: list[str] = []
    with _inflation.inflation_bounds(), pdfplumber.open(io.BytesIO(data)) as pdf:
        if pdf.doc.encryption is not None:
            notes.append("PDF mã hoá với mật khẩu mở trống; vẫn đọc được lớp chữ")
        for page in pdf.pages:
            texts.append(_pdf_page_text(page))
            # A page caches its characters and layout: free them, or a
            # thousand-page report holds them all at once.
            page.close()
    return texts


def _pdf_page_text(page: Any) -> str:
    """A page's text, each ruled table as rows of tab-separated cells where it stands.

    Without this a table comes out as its words in reading order, and which
    number sits under which column heading is lost.
    """
    if not (page.rects or page.lines):
        return str(page.extract_text() or "")
    tables = sorted(page.find_tables(), key=lambda table: table.bbox[1])
    if not tables:
        return str(page.extract_text() or "")
    left, top, right, bottom = page.bbox
    parts: list[str] = []
    above = top
    for table in tables:
        _, table_top, _, table_bottom = table.bbox
        if table_top > above:
            parts.append(page.crop((left, above, right, table_top)).extract_text() or "")
        for row in table.extract():
            cells = [" ".join((cell or "").split()) for cell in row]
            if any(cells):
                parts.append("\t".join(cells))
        above = max(above, table_bottom)
    if above < bottom:
        parts.append(page.crop((left, above, right, bottom)).extract_text() or "")
    return "\n".join(part for part in parts if part)


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(number) for number in numbers[:20])
    return shown + (f" và {len(numbers) - 20} trang khác" if len(numbers) > 20 else "")


# --- HTML ----------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Elements that never hold article text.
_DROPPED_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "nav", "aside",
        "form", "iframe", "svg", "math", "canvas", "button", "select", "textarea",
        "input", "menu", "dialog", "object", "embed", "video", "audio", "map",
    }
)  # fmt: skip
_DROPPED_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
)
# Class or id words of page furniture; dropped only inside the chosen content.
_FURNITURE_WORDS = frozenset(
    {
        "nav", "navbar", "menu", "sidebar", "breadcrumb", "breadcrumbs", "footer",
        "share", "sharing", "social", "cookie", "cookies", "advert", "advertisement",
        "ads", "banner", "related", "comment", "comments", "widget", "popup", "modal",
        "pagination", "pager", "toolbar", "topbar", "print", "rating", "tags",
    }
)  # fmt: skip
_SECTIONING = frozenset({"article", "section", "main", "aside", "nav"})
_VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr",
    }
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
# Which open elements a start tag closes, and where the search stops: HTML
# lets authors leave out </p>, </li>, </td> and </tr>.
_IMPLIED_CLOSE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "thead": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
    "tbody": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
    "tfoot": (frozenset({"thead", "tbody", "tfoot", "tr"}), frozenset({"table"})),
}
_P_SCOPE = frozenset(
    {"div", "td", "th", "li", "table", "body", "html", "blockquote", "section", "article"}
)
_PARAGRAPH_TAGS = frozenset({"p", "pre", "td", "blockquote"})
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
_SPACES = re.compile(r" {2,}")
_NAME_WORD = re.compile(r"[^a-z0-9]+")


class _Node:
    """One element of the page: a small tree, since the content is chosen by its size."""

    __slots__ = ("attrs", "children", "dropped", "parent", "size", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[_Node | str] = []
        self.size = 0  # characters of text inside, furniture left out
        self.dropped = parent is not None and _is_dropped(self)


# Python's HTML parser takes some 10-20 µs a tag: a page of millions of tags
# is a parse bomb (9.5 MB of "<div>" took 23 s and 650 MB), where a long
# report page has tens of thousands.
_MAX_TAGS = 400_000
_TAG = re.compile(r"</?[A-Za-z]")
# As Chromium does, elements deeper than this are added beside the deepest
# open one instead of inside it: what walks up a branch stays short.
_MAX_DEPTH = 512


class _TooManyTagsError(Exception):
    pass


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: stray end tags are ignored, omitted ones implied."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#document", {}, None)
        self._open = [self.root]
        # How many of each tag are open: a stray end tag is ignored without a walk.
        self._opened: dict[str, int] = {}
        self._tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs, void=tag in _VOID_TAGS)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs, void=True)

    def handle_endtag(self, tag: str) -> None:
        self._count_tag()
        if self._opened.get(tag):
            for index in range(len(self._open) - 1, 0, -1):
                if self._open[index].tag == tag:
                    self._close_from(index)
                    return
        if tag == "br":  # browsers read a stray </br> as <br>
            self._add("br", [], void=True)

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)

    def _count_tag(self) -> None:
        self._tags += 1
        if self._tags > _MAX_TAGS:
            raise _TooManyTagsError

    def _add(self, tag: str, attrs: list[tuple[str, str | None]], *, void: bool) -> None:
        self._count_tag()
        if tag in _BLOCK_TAGS:
            self._close(frozenset({"p"}), _P_SCOPE)
        if tag in _IMPLIED_CLOSE:
            self._close(*_IMPLIED_CLOSE[tag])
        node = _Node(tag, {key: value or "" for key, value in attrs}, self._open[-1])
        self._open[-1].children.append(node)
        if not void and len(self._open) < _MAX_DEPTH:
            self._open.append(node)
            self._opened[tag] = self._opened.get(tag, 0) + 1

    def _close(self, targets: frozenset[str], scope: frozenset[str]) -> None:
        if not any(self._opened.get(target) for target in targets):
            return
        for index in range(len(self._open) - 1, 0, -1):
            tag = self._open[index].tag
            if tag in targets:
                self._close_from(index)
                return
            if tag in scope:
                return

    def _close_from(self, index: int) -> None:
        for node in self._open[index:]:
            self._opened[node.tag] -= 1
        del self._open[index:]


def _read_html(name: str, data: bytes) -> tuple[str, list[str]]:
    source, notes = _decode_html(name, data)
    limit = f"{_MAX_TAGS:,}".replace(",", ".")
    too_many = InputError(
        f"{name}: trang HTML có hơn {limit} thẻ, quá giới hạn "
        "(nghi là tệp phá hoại, không phải bài viết)"
    )
    # Counting tags is quick: most bombs are refused before any parsing.
    for count, _tag in enumerate(_TAG.finditer(source)):
        if count >= _MAX_TAGS:
            raise too_many
    builder = _TreeBuilder()
    try:
        builder.feed(source)
        builder.close()
    except _TooManyTagsError:
        raise too_many from None
    document = builder.root
    nodes = list(_walk(document))
    _measure(nodes)
    content, described = _content_root(nodes, document)
    lines = _render(content)
    title = _outside_title(nodes, content)
    if title:
        lines.insert(0, title)
    text = _normalised("\n".join(lines), notes)
    if not text.strip():
        raise InputError(f"{name}: trang HTML không có nội dung chữ")
    notes.append(f"chỉ lấy phần nội dung chính ({described}); bỏ menu, đầu/chân trang, thanh bên")
    return text, notes


def _decode_html(name: str, data: bytes) -> tuple[str, list[str]]:
    """The page as text, in the charset it declares, else as a text file is read."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_text(name, data)
    declared = _META_CHARSET.search(data[:8192])
    if declared is None:
        return _decode_text(name, data)
    label = declared.group(1).decode("ascii")
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        text, notes = _decode_text(name, data)
        return text, [f"trang khai báo mã '{label}' không biết; bỏ qua", *notes]
    # As browsers do (WHATWG Encoding): latin-1 and ASCII mean windows-1252,
    # and a page that could declare UTF-16 in ASCII bytes is not UTF-16.
    if codec in ("latin-1", "iso8859-1", "ascii"):
        codec = "cp1252"
    elif codec.startswith(("utf-16", "utf-32")):
        codec = "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text, notes = _decode_text(name, data)
        return text, [f"trang khai báo mã '{label}' nhưng nội dung không khớp mã đó", *notes]
    notes = (
        [] if codec == "utf-8" else [f"đọc theo mã {label} khai báo trong trang, không phải UTF-8"]
    )
    return text, notes


def _children_of(node: _Node) -> Iterator[_Node]:
    return (child for child in node.children if isinstance(child, _Node))


def _walk(root: _Node) -> Iterator[_Node]:
    """Every element under root, furniture left out, in document order."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed([child for child in _children_of(node) if not child.dropped]))


def _is_dropped(node: _Node) -> bool:
    """Whether an element is page furniture wherever it stands."""
    if node.tag in _DROPPED_TAGS or "hidden" in node.attrs:
        return True
    if node.attrs.get("aria-hidden", "").lower() == "true":
        return True
    if node.attrs.get("role", "").lower() in _DROPPED_ROLES:
        return True
    style = node.attrs.get("style", "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    if node.tag in ("header", "footer"):
        # A header or footer inside an article belongs to it (its title, its
        # date); only the page's own are furniture.
        parent = node.parent
        while parent is not None:
            if parent.tag in _SECTIONING:
                return False
            parent = parent.parent
        return True
    return False


def _is_furniture(node: _Node) -> bool:
    """Whether class or id words name an element as furniture (share bar, related links)."""
    named = f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"
    return named != " " and not _FURNITURE_WORDS.isdisjoint(_NAME_WORD.split(named.lower()))


def _measure(nodes: list[_Node]) -> None:
    """Set every element's size: the characters of text inside it, furniture left out."""
    for node in reversed(nodes):  # children before parents
        size = node.size
        for child in node.children:
            if isinstance(child, str):
                size += len(child.strip())
            elif not child.dropped:
                size += child.size
        node.size = size


def _content_root(nodes: list[_Node], document: _Node) -> tuple[_Node, str]:
    """The element that holds the article: <article>, <main>, or the densest in paragraphs."""
    densest = _densest(nodes)
    articles = [node for node in nodes if node.tag == "article"]
    mains = [node for node in nodes if node.tag == "main" or node.attrs.get("role") == "main"]
    for candidates, described in ((articles, "<article>"), (mains, "<main>")):
        if not candidates:
            continue
        best = max(candidates, key=lambda node: node.size)
        # A small <article> (a related-news card) does not beat the real text.
        if densest is None or _contains(best, densest) or best.size >= densest.size // 2:
            return best, described
    if densest is not None:
        return densest, f"<{densest.tag}> có nhiều đoạn văn nhất"
    body = next((node for node in nodes if node.tag == "body"), document)
    return body, "toàn trang"


def _densest(nodes: list[_Node]) -> _Node | None:
    """The element whose paragraphs hold the most text (half counts for a grandparent)."""
    scores: dict[int, float] = {}
    by_id: dict[int, _Node] = {}
    for node in nodes:
        if node.tag in _PARAGRAPH_TAGS and node.parent is not None:
            by_id[id(node.parent)] = node.parent
            scores[id(node.parent)] = scores.get(id(node.parent), 0.0) + node.size
            grandparent = node.parent.parent
            if grandparent is not None:
                by_id[id(grandparent)] = grandparent
                scores[id(grandparent)] = scores.get(id(grandparent), 0.0) + node.size / 2
        if node.tag in _PARAGRAPH_TAGS:
            continue
        # Text written straight into a <div> between <br> counts for that div.
        loose = sum(len(child.strip()) for child in node.children if isinstance(child, str))
        if loose > 25:
            by_id[id(node)] = node
            scores[id(node)] = scores.get(id(node), 0.0) + loose
    if not scores:
        return None
    return by_id[max(scores, key=lambda key: scores[key])]


def _contains(ancestor: _Node, node: _Node) -> bool:
    current: _Node | None = node
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def _outside_title(nodes: list[_Node], content: _Node) -> str | None:
    """The page's only <h1> when it stands outside the content: the article's title."""
    headings = [node for node in nodes if node.tag == "h1"]
    if len(headings) != 1 or _contains(content, headings[0]):
        return None
    if any(_contains(heading, content) for heading in headings):
        return None
    lines = _render(headings[0])
    return " ".join(lines) if lines else None


class _Lines:
    """Rendered lines: blocks end lines, table cells are joined by tabs."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._parts: list[str] = []

    def add(self, text: str) -> None:
        self._parts.append(text)

    def end(self) -> None:
        line = "".join(self._parts)
        self._parts.clear()
        cells = [_SPACES.sub(" ", cell).strip(" ") for cell in line.split("\t")]
        if any(cells):
            self.lines.append("\t".join(cells))


class _Spans:
    """Where a table's merged cells reach: empty cells keep every row's columns in place.

    A heading over two columns (colspan) is followed by an empty cell, and a cell
    reaching down two rows (rowspan) leaves an empty cell in the row below, as
    the DOCX reader writes Word's merged cells.
    """

    def __init__(self) -> None:
        self.column = 0
        self.cells = 0
        self.after = 0  # empty cells owed once the open cell closes (its colspan)
        self.below: dict[int, int] = {}  # column → rows still covered from above

    def open_cell(self, node: _Node, out: _Lines) -> None:
        self._covered(out)
        if self.cells:
            out.add("\t")
        self.cells += 1
        across = _span(node, "colspan", 64)
        down = _span(node, "rowspan", 500)
        if down > 1:
            for column in range(self.column, self.column + across):
                self.below[column] = down
        self.column += across
        self.after = across - 1

    def close_cell(self, out: _Lines) -> None:
        out.add("\t" * self.after)
        self.cells += self.after
        self.after = 0

    def end_row(self, out: _Lines) -> None:
        if self.cells:
            self._covered(out)
        self.below = {column: left - 1 for column, left in self.below.items() if left > 1}
        self.column = self.cells = self.after = 0

    def _covered(self, out: _Lines) -> None:
        while self.below.get(self.column, 0) > 0:
            if self.cells:
                out.add("\t")
            self.cells += 1
            self.column += 1


def _span(node: _Node, name: str, most: int) -> int:
    written = node.attrs.get(name, "1").strip()
    return min(max(int(written), 1), most) if written.isdigit() else 1


def _render(root: _Node) -> list[str]:
    out = _Lines()
    cell_depth = 0  # inside a table cell, blocks and nested tables are spaces
    spans = _Spans()
    pre_depth = 0
    # (node, True) opens an element, (node, False) closes it, a str is text.
    stack: list[tuple[_Node, bool] | str] = [(root, True)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if pre_depth and not cell_depth:
                for index, piece in enumerate(item.split("\n")):
                    if index:
                        out.end()
                    out.add(_WHITESPACE.sub(" ", piece))
            else:
                out.add(_WHITESPACE.sub(" ", item))
            continue
        node, opening = item
        tag = node.tag
        if opening:
            if node is not root and (
                node.dropped or (_is_furniture(node) and node.size < root.size // 2)
            ):
                continue
            stack.append((node, False))
            stack.extend(
                reversed(
                    [child if isinstance(child, str) else (child, True) for child in node.children]
                )
            )
        if tag in ("td", "th"):
            if opening:
                if cell_depth == 0:
                    spans.open_cell(node, out)
                cell_depth += 1
            else:
                cell_depth -= 1
                out.add(" ")
                if cell_depth == 0:
                    spans.close_cell(out)
        elif tag == "tr" and not cell_depth:
            if not opening:
                spans.end_row(out)
            out.end()
        elif tag == "table" and not cell_depth and opening:
            spans = _Spans()
        elif tag == "pre":
            pre_depth += 1 if opening else -1
        if tag == "br" or (tag in _BLOCK_TAGS and tag != "tr"):
            if cell_depth:
                out.add(" ")
            else:
                out.end()
    out.end()
    return out.lines


_READERS: dict[str, Callable[[str, bytes], tuple[str, list[str]]]] = {
    "txt": _read_txt,
    "docx": _read_docx,
    "pdf": _read_pdf,
    "html": _read_html,
}
