"""Write the periodic report's Word template: src/chitieu/report/templates/bao_cao_mau.docx.

The template holds no content, only what a planner may restyle: the page (A4,
margins of an administrative document), the styles the report is written in,
and the footer with the page number. `chitieu report --format docx` opens it,
removes its body and writes the report with these styles. To restyle, open
the file in Word or LibreOffice, change the styles (not the text), save, and
pass it with `--template`, or run this script again after editing it.

    .venv/bin/python scripts/make_report_template.py [--out PATH]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

OUT = Path(__file__).resolve().parents[1] / "src/chitieu/report/templates/bao_cao_mau.docx"
FONT = "Times New Roman"  # the font of Vietnamese administrative documents (Nghị định 30/2020)
INK = RGBColor(0x00, 0x00, 0x00)
ACCENT = RGBColor(0x0B, 0x3D, 0x60)
FIXED = datetime(2025, 1, 1)

# name, based on, size (pt), bold, italic, alignment, space after (pt), what it is for
PARAGRAPH_STYLES = (
    ("Số liệu", "List Bullet", 12, False, False, None, 2, "one key figure of an area"),
    ("Chú thích biểu đồ", "Caption", 10, False, True, "center", 8, "under each chart"),
    ("Tiêu đề bảng", "Normal", 11, True, False, None, 3, "above each table"),
    ("Ô bảng", "Normal", 10, False, False, None, 0, "a table cell"),
    ("Ô bảng số", "Ô bảng", 10, False, False, "right", 0, "a table cell holding a number"),
    ("Thông tin báo cáo", "Normal", 12, False, False, "center", 0, "the cover's lines"),
    ("Nguồn số liệu", "Normal", 10, False, False, None, 1, "one line of the annex"),
    ("Trích dẫn nguồn", "Normal", 9.5, False, True, None, 5, "the sentence a figure came from"),
    ("Biểu đồ", "Normal", 10, False, False, "center", 0, "the paragraph holding a chart"),
)


def build(out: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    styles = document.styles
    _document_font(document)
    normal = styles["Normal"]
    assert isinstance(normal, ParagraphStyle)
    _font(normal, 13)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size, bold, italic, align in (
        ("Title", 16, True, False, "center"),
        ("Subtitle", 13, False, True, "center"),
        ("Heading 1", 14, True, False, None),
        ("Heading 2", 13, True, False, None),
        ("Heading 3", 13, True, True, None),
    ):
        style = styles[name]
        assert isinstance(style, ParagraphStyle)
        _font(style, size, bold=bold, italic=italic, colour=ACCENT if "Heading" in name else INK)
        if align == "center":
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 8)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
    _no_border(styles["Title"])
    for name, base, size, bold, italic, align, after, _purpose in PARAGRAPH_STYLES:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        assert isinstance(style, ParagraphStyle)
        style.base_style = styles[base]
        style.quick_style = True
        _font(style, size, bold=bold, italic=italic)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.line_spacing = 1.0
        style.paragraph_format.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            None: WD_ALIGN_PARAGRAPH.LEFT,
        }[align]
    source: Any = styles["Nguồn số liệu"]
    source.paragraph_format.left_indent = Mm(10)
    source.paragraph_format.first_line_indent = Mm(-10)
    quote: Any = styles["Trích dẫn nguồn"]
    quote.paragraph_format.left_indent = Mm(10)
    _table_style(document)
    _footer(document)
    _guide(document)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.core_properties.title = "Mẫu báo cáo tình hình thực hiện kế hoạch (chitieu)"
    document.core_properties.author = "chitieu"
    document.core_properties.language = "vi-VN"
    document.core_properties.last_modified_by = "chitieu"
    document.core_properties.created = document.core_properties.modified = FIXED
    buffer = io.BytesIO()
    document.save(buffer)
    out.write_bytes(_reproducible(buffer.getvalue()))


def _reproducible(package: bytes) -> bytes:
    """The same bytes on every run: the zip entries' times fixed, so git sees real changes only."""
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
    return rebuilt.getvalue()


def _font(
    style: ParagraphStyle,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    colour: RGBColor = INK,
) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = colour
    # Word takes the font of Vietnamese letters from the complex-script and East Asian slots too.
    _set_fonts(style.element.get_or_add_rPr().get_or_add_rFonts())


def _set_fonts(fonts: Any) -> None:
    """One font in every slot; a theme font would win over it, so the theme's go."""
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(slot), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _document_font(document: Any) -> None:
    """The default font, and every style's that named a theme font, is the report's."""
    for fonts in document.styles.element.iter(qn("w:rFonts")):
        if any(key.endswith("Theme") or key.endswith("theme") for key in fonts.attrib):
            _set_fonts(fonts)


def _no_border(style: Any) -> None:
    """The default Title has a rule under it; a report's title stands alone."""
    element = style.element
    for border in element.findall(f".//{qn('w:pBdr')}"):
        border.getparent().remove(border)


def _table_style(document: Any) -> None:
    """'Bảng số liệu': thin grid, 10 pt, a shaded bold header row."""
    styles = document.styles
    style = styles.add_style("Bảng số liệu", WD_STYLE_TYPE.TABLE)
    style.base_style = styles["Table Grid"]
    style.font.name = FONT
    style.font.size = Pt(10)
    header = OxmlElement("w:tblStylePr")
    header.set(qn("w:type"), "firstRow")
    run = OxmlElement("w:rPr")
    run.append(OxmlElement("w:b"))
    header.append(run)
    cell = OxmlElement("w:tcPr")
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), "DCE6F0")
    cell.append(shading)
    header.append(cell)
    style.element.append(header)


def _footer(document: Any) -> None:
    """'Trang N' centred at the foot of every page."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Trang ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    paragraph._p.append(field)


def _guide(document: Any) -> None:
    """What the template is, shown to whoever opens it; the report replaces the body."""
    add = document.add_paragraph
    add("Mẫu báo cáo chitieu", style="Title")
    add(
        "Tệp này chỉ giữ định dạng: trang giấy, chân trang và các kiểu (styles). Khi lập báo "
        "cáo, chitieu xóa nội dung này và viết báo cáo bằng các kiểu dưới đây. Hãy sửa kiểu, "
        "đừng sửa chữ.",
        style="Normal",
    )
    add("Tiêu đề mục (Heading 1, 2, 3)", style="Heading 1")
    for name, _base, _size, _bold, _italic, _align, _after, purpose in PARAGRAPH_STYLES:
        add(f"{name}: {purpose}", style=name)
    add("Bảng số liệu: the style of every table (header row shaded and repeated)", style="Normal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    build(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
