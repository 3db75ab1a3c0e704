"""PDF: each page's text layer, its ruled tables as rows of tab-separated cells."""

from __future__ import annotations

import io
from typing import Any

from chitieu._errors import InputError
from chitieu.extraction import _inflation
from chitieu.extraction._plain_text import normalised, one_line

# A PDF ends with %%EOF, give or take some bytes a mail or web server appended.
PDF_TAIL = 4096


def read_pdf(name: str, data: bytes) -> tuple[str, list[str]]:
    # pdfplumber loads here, not at the top: a command that reads no PDF does not pay for it.
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    # pdfminer rebuilds what it can of a truncated file and would return the
    # first pages as if they were all: a complete PDF ends with %%EOF.
    if b"%%EOF" not in data[-PDF_TAIL:]:
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
                f"{name}: PDF mã hoá theo cách chưa hỗ trợ ({one_line(cause)})"
            ) from None
        raise InputError(f"{name}: PDF hỏng, không đọc được ({one_line(cause)})") from None
    # pdfminer raises many exception types on a damaged file (struct, zlib,
    # KeyError, its own syntax errors); each means only that it cannot be read.
    except Exception as exc:
        raise InputError(f"{name}: PDF hỏng, không đọc được ({one_line(exc)})") from None
    if not pages:
        raise InputError(f"{name}: PDF không có trang nào")
    empty = [number for number, text in enumerate(pages, start=1) if not text.strip()]
    if len(empty) == len(pages):
        raise InputError(f"{name}: PDF không có lớp chữ (bản quét); chưa hỗ trợ OCR")
    if empty:
        notes.append(f"trang {_page_list(empty)} không có lớp chữ (có thể là ảnh quét), bỏ qua")
    text = normalised("\n\n".join(page for page in pages if page.strip()), notes)
    if "(cid:" in text:
        notes.append("có ký tự phông không giải mã được, hiện dạng (cid:…)")
    return text, notes


def _pdf_page_texts(data: bytes, notes: list[str]) -> list[str]:
    import pdfplumber

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
