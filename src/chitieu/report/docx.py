"""The report as an editable Word file, written with the styles of a template planners restyle.

The template (``templates/bao_cao_mau.docx``, made by
``scripts/make_report_template.py``) holds the page, the footer and the styles;
its body is removed and the report written with python-docx in those styles:
``Title``, ``Heading 1-2``, ``Số liệu`` (a key figure), ``Tiêu đề bảng``,
the table style ``Bảng số liệu``, ``Chú thích biểu đồ``, ``Nguồn số liệu``,
``Trích dẫn nguồn``. A template without one of them falls back to ``Normal``.
Charts are PNG at print resolution (about 300 dpi at their printed width).
"""

from __future__ import annotations

import io
import json
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import vl_convert
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from chitieu._errors import InputError
from chitieu.chart._render import NUMBER_LOCALES, TIME_LOCALE_VI
from chitieu.report.model import Block, Cell, Chart, KeyFigure, Report, Section, Table

TEMPLATE = Path(__file__).with_name("templates") / "bao_cao_mau.docx"
# vl-convert draws at 72 pixels per inch; four times that prints a 16 cm chart at ~300 dpi.
PNG_SCALE = 4.0
STATUS_COLOURS = {
    "achieved": RGBColor(0x1A, 0x7F, 0x37),
    "on_track": RGBColor(0x1A, 0x7F, 0x37),
    "needs_acceleration": RGBColor(0x9A, 0x67, 0x00),
    "off_track": RGBColor(0xCF, 0x22, 0x2E),
    "deteriorating": RGBColor(0xCF, 0x22, 0x2E),
    "not_achieved": RGBColor(0xCF, 0x22, 0x2E),
}


def render_docx(report: Report, *, template: Path | None = None) -> bytes:
    document = _open(template or TEMPLATE)
    writer = _Writer(document, report)
    writer.cover()
    for section in report.sections:
        writer.section(section)
    writer.annex()
    properties = document.core_properties
    properties.title = f"{report.title} — {report.subtitle}"
    properties.author = "chitieu"
    properties.language = "vi-VN" if report.lang == "vi" else "en-GB"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _open(path: Path) -> DocxDocument:
    if not path.is_file():
        raise InputError(f"không có mẫu DOCX {path}")
    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: không đọc được như một tệp DOCX ({exc})") from exc
    body = document.element.body
    for child in list(body):
        # The template's own text goes; its page settings (sectPr) stay.
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


class _Writer:
    def __init__(self, document: DocxDocument, report: Report) -> None:
        self.document = document
        self.report = report
        section = document.sections[0]
        width = section.page_width or Emu(0)
        self.width = Emu(width - (section.left_margin or 0) - (section.right_margin or 0))

    def style(self, name: str) -> Any:
        """The template's style, or Normal when a restyled template dropped it."""
        try:
            return self.document.styles[name]
        except KeyError:
            return self.document.styles["Normal"]

    def paragraph(self, text: str = "", style: str = "Normal") -> DocxParagraph:
        return self.document.add_paragraph(text, style=self.style(style))

    def cover(self) -> None:
        report = self.report
        self.paragraph(report.region.upper(), "Thông tin báo cáo")
        self.paragraph(report.title, "Title")
        self.paragraph(report.subtitle, "Subtitle")
        for label, value in report.facts:
            line = self.paragraph("", "Thông tin báo cáo")
            line.add_run(f"{label}: ").italic = True
            line.add_run(value)

    def section(self, section: Section) -> None:
        self.paragraph(section.heading, f"Heading {min(section.level, 3)}")
        halves: list[Chart] = []
        for block in section.blocks:
            if isinstance(block, Chart) and block.half:
                halves.append(block)
                continue
            self._flush(halves)
            self.block(block)
        self._flush(halves)
        for child in section.sections:
            self.section(child)

    def block(self, block: Block) -> None:
        if block.kind == "paragraph":
            self.paragraph(block.text)
        elif block.kind == "figures":
            for figure in block.figures:
                self._figure(figure)
        elif block.kind == "table":
            self._table(block)
        else:
            self._chart(block)

    def _figure(self, figure: KeyFigure) -> None:
        words = self.report.words
        line = self.paragraph(f"{figure.label}, {figure.period}: ", "Số liệu")
        line.add_run(figure.value).bold = True
        chosen = f", {words['chosen']}" if figure.chosen else ""
        line.add_run(f" ({figure.status}{chosen}) [{figure.ref}]")
        if figure.others:
            shown = ", ".join(f"{other.text} [{other.ref}]" for other in figure.others)
            line.add_run(f"; {words['others']}: {shown}").italic = True

    def _table(self, block: Table) -> None:
        self.paragraph(block.caption, "Tiêu đề bảng").paragraph_format.keep_with_next = True
        table = self.document.add_table(rows=1 + len(block.rows), cols=len(block.headers))
        table.style = self.style("Bảng số liệu")
        _repeat_header(table)
        widths = block.widths or (1,) * len(block.headers)
        for index, header in enumerate(block.headers):
            cell = table.rows[0].cells[index]
            cell.text = ""
            cell.paragraphs[0].style = self.style("Ô bảng")
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cell.paragraphs[0].add_run(header).bold = True
        for row_index, row in enumerate(block.rows, start=1):
            for index, cell in enumerate(row):
                self._cell(table.rows[row_index].cells[index], cell)
        # Word reads each cell's width, LibreOffice the grid's: set both.
        table.autofit = False
        sizes = [Emu(int(self.width * part / sum(widths))) for part in widths]
        for index, column in enumerate(table.columns):
            column.width = sizes[index]
        for row in table.rows:
            for index, cell in enumerate(row.cells):
                cell.width = sizes[index]
        self.paragraph("")

    def _cell(self, target: Any, cell: Cell) -> None:
        paragraph = target.paragraphs[0]
        paragraph.style = self.style("Ô bảng số" if cell.numeric else "Ô bảng")
        run = paragraph.add_run(cell.text)
        if cell.status in STATUS_COLOURS:
            run.font.color.rgb = STATUS_COLOURS[cell.status]
            run.bold = True
        if cell.ref is not None:
            paragraph.add_run(f" [{cell.ref}]")

    def _caption(self, chart: Chart) -> str:
        return f"{self.report.words['chart']} {chart.number}: {chart.caption}"

    def _chart(self, chart: Chart) -> None:
        holder = self.paragraph("", "Biểu đồ")
        holder.paragraph_format.keep_with_next = True
        holder.add_run().add_picture(
            io.BytesIO(_png(chart.spec, self.report.lang)), width=self.width
        )
        self.paragraph(self._caption(chart), "Chú thích biểu đồ")

    def _flush(self, halves: list[Chart]) -> None:
        """Half-width charts two by two, in a table without borders."""
        if not halves:
            return
        table = self.document.add_table(rows=(len(halves) + 1) // 2, cols=2)
        width = Emu(int(self.width * 0.46))  # a cell less its margins
        for index, chart in enumerate(halves):
            cell = table.rows[index // 2].cells[index % 2]
            holder = cell.paragraphs[0]
            holder.style = self.style("Biểu đồ")
            holder.add_run().add_picture(
                io.BytesIO(_png(chart.spec, self.report.lang)), width=width
            )
            cell.add_paragraph(self._caption(chart), style=self.style("Chú thích biểu đồ"))
        halves.clear()

    def annex(self) -> None:
        report, words = self.report, self.report.words
        heading = self.paragraph(report.annex_heading, "Heading 1")
        heading.paragraph_format.page_break_before = True
        for entry in report.annex:
            line = self.paragraph("", "Nguồn số liệu")
            line.add_run(f"[{entry.number}]\t").bold = True
            line.add_run(entry.indicator).bold = True
            where = ", ".join(part for part in (entry.region, entry.period) if part)
            line.add_run(f" — {where}: {entry.value} ({entry.status}). ")
            line.add_run(f"{words['source']}: {entry.origin}.")
            if entry.note:
                line.add_run(f" {words['note']}: {entry.note}.").italic = True
            if entry.quote is not None:
                quote = self.paragraph("", "Trích dẫn nguồn")
                quote.add_run(f"“{entry.quote.before}")
                quote.add_run(entry.quote.figure).bold = True
                quote.add_run(f"{entry.quote.after}”")


def _repeat_header(table: DocxTable) -> None:
    """The header row printed again at the top of every page the table runs on."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _png(spec: dict[str, Any], lang: str) -> bytes:
    return _render_png(json.dumps(spec, sort_keys=True, ensure_ascii=False), lang)


@lru_cache(maxsize=256)
def _render_png(spec_json: str, lang: str) -> bytes:
    options: dict[str, Any] = {"format_locale": NUMBER_LOCALES.get(lang, NUMBER_LOCALES["vi"])}
    if lang == "vi":
        options["time_format_locale"] = TIME_LOCALE_VI
    return bytes(vl_convert.vegalite_to_png(json.loads(spec_json), scale=PNG_SCALE, **options))
