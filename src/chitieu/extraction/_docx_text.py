"""DOCX: paragraphs one a line, table rows as cells joined by tabs, in body order."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from chitieu._archive import check_inflation, zip_members
from chitieu._errors import InputError
from chitieu.extraction._plain_text import normalised, one_line

# A DOCX is a zip: refuse one that would inflate past what a report can be,
# before python-docx inflates and parses every XML part in memory.
_DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
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


def read_docx(name: str, data: bytes) -> tuple[str, list[str]]:
    import docx  # here, not at the top: a command that reads no DOCX does not pay for it

    _check_docx_zip(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
    # python-docx, zipfile and lxml raise many exception types on a damaged
    # file (BadZipFile, KeyError, ValueError, lxml's XMLSyntaxError…); each
    # of them means only that this file cannot be read as a DOCX.
    except Exception as exc:
        raise InputError(
            f"{name}: DOCX hỏng hoặc không phải tài liệu Word ({one_line(exc)})"
        ) from None
    lines: list[str] = []
    text_boxes = _block_lines(document.element.body, lines)
    notes: list[str] = []
    if text_boxes:
        notes.append(f"chữ trong {text_boxes} hộp văn bản (text box) đặt ngay sau đoạn chứa nó")
    text = normalised("\n".join(lines), notes)
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
