"""Tables read from their header, in every layout a report reaches us in.

Each table here is written by the test in the conventions of Vietnamese
statistical reporting (a statistics office's monthly indicator table, a
plan's "TH | KH | Ước TH" table), then laid out one cell a line, between
pipes, as HTML, DOCX and PDF: the figures read must be the same.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.readers import read_document
from chitieu.extraction.records import DocumentContext, Figure

# A monthly statistics table: (name, unit, TH month 8, estimate month 9, 9 months,
# month 9 vs same month (%), 9 months vs same period (%)); None is an empty cell.
HEADINGS = (
    "Thực hiện tháng 8 năm 2024",
    "Ước tính tháng 9 năm 2024",
    "Cộng dồn 9 tháng năm 2024",
    "Tháng 9 năm 2024 so với cùng kỳ (%)",
    "9 tháng năm 2024 so với cùng kỳ (%)",
)
ROWS: tuple[tuple[str, str, tuple[str | None, ...]], ...] = (
    ("Chỉ số sản xuất công nghiệp", "%", ("104,2", "106,1", "-", "105,3", "108,7")),
    (
        "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng",
        "Tỷ đồng",
        ("5.123,4", "5.250,0", "45.678,9", "112,4", "110,8"),
    ),
    ("Kim ngạch xuất khẩu", "Triệu USD", ("812,5", "830,1", "7.345,6", None, "109,9")),
    ("Số lượt khách du lịch", "Nghìn lượt người", ("120,5", "118,0", "1.050,3", "97,5", "102,3")),
)
COLUMNS = (
    ("2024-M08", "actual", "level"),
    ("2024-M09", "estimate", "level"),
    ("2024-9M", "estimate", "level"),
    ("2024-M09", "estimate", "change_pct"),
    ("2024-9M", "estimate", "change_pct"),
)
UNITS = {
    "%": ("%", 1.0),
    "Tỷ đồng": ("VND", 1e9),
    "Triệu USD": ("USD", 1e6),
    "Nghìn lượt người": ("lượt", 1e3),
}
INDICATORS = {
    "Chỉ số sản xuất công nghiệp": "IIP_GROWTH",
    "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng": "RETAIL_SALES",
    "Kim ngạch xuất khẩu": "EXPORT_VALUE",
    "Số lượt khách du lịch": "TOURISTS",
}
TITLE = "Một số chỉ tiêu kinh tế - xã hội chủ yếu tháng 9 năm 2024"
LEAD = "Kinh tế của tỉnh Hà Nam trong tháng tiếp tục phục hồi."


def _number(written: str) -> float:
    return float(written.replace(".", "").replace(",", "."))


def _expected() -> set[tuple[str, float, str, str, str, str, str | None]]:
    """(text, value, unit, period, status, measure, indicator) of every filled cell."""
    expected = set()
    for name, unit_text, cells in ROWS:
        for cell, (period, status, measure) in zip(cells, COLUMNS, strict=True):
            if cell is None or cell == "-":
                continue
            unit, scale = UNITS[unit_text] if measure == "level" else ("%", 1.0)
            value = round(_number(cell) * scale, 6)
            expected.add((cell, value, unit, period, status, measure, INDICATORS[name]))
    return expected


def _read(figures: list[Figure]) -> set[tuple[str, float, str, str, str, str, str | None]]:
    return {
        (f.text, round(f.value, 6), f.unit, f.period or "", f.status, f.measure, f.indicator)
        for f in figures
    }


def _figures(text: str, name: str = "bang.txt") -> list[Figure]:
    return extract_figures(text, DocumentContext(name=name))


def _flat(*, with_names_heading: bool, blank_for_empty: bool) -> str:
    lines = [TITLE, *(["Chỉ tiêu"] if with_names_heading else []), "Đơn vị tính", *HEADINGS]
    for name, unit, cells in ROWS:
        lines += [name, unit]
        lines += [cell if cell is not None else ("" if blank_for_empty else "-") for cell in cells]
    return "\n".join([LEAD, *lines, "Nguồn: Cục Thống kê tỉnh Hà Nam"]) + "\n"


@pytest.mark.parametrize("with_names_heading", [True, False])
def test_a_table_flattened_one_cell_a_line_gives_every_figure(with_names_heading):
    text = _flat(with_names_heading=with_names_heading, blank_for_empty=True)
    figures = _figures(text)
    assert _read(figures) == _expected()
    for figure in figures:
        assert text[figure.start : figure.end] == figure.text
        assert figure.region == "Hà Nam"


def test_an_index_of_the_same_period_keeps_its_written_value_and_says_its_base():
    figure = next(
        f
        for f in _figures(_flat(with_names_heading=True, blank_for_empty=False))
        if f.text == "105,3"
    )
    assert (figure.value, figure.measure, figure.extras) == (
        105.3,
        "change_pct",
        {"index_base": 100},
    )


def test_a_change_column_holds_changes_not_indices():
    text = "\n".join(
        [
            "Đơn vị tính",
            "Ước tính quý III/2023",
            "Quý III/2023 tăng, giảm so với cùng kỳ (%)",
            "Thu ngân sách nhà nước trên địa bàn",
            "Tỷ đồng",
            "2.345",
            "-4,2",
        ]
    )
    found = {f.text: f for f in _figures(text)}
    assert (found["2.345"].value, found["2.345"].period, found["2.345"].status) == (
        2345e9,
        "2023-Q3",
        "estimate",
    )
    change = found["-4,2"]
    assert (change.value, change.measure, change.extras, change.indicator) == (
        -4.2,
        "change_pct",
        {},
        "STATE_BUDGET_REVENUE",
    )


def test_a_flattened_table_with_numbers_sections_and_units_in_the_names():
    text = "\n".join(
        [
            "Kết quả thực hiện một số chỉ tiêu năm 2019 của tỉnh Lào Cai",
            "STT",
            "Chỉ tiêu",
            "TH năm 2018",
            "KH năm 2019",
            "Ước TH năm 2019",
            "Ước TH 2019/KH (%)",
            "I",
            "Kinh tế",
            "1",
            "Kim ngạch xuất khẩu (triệu USD)",
            "1.250,5",
            "1.400",
            "1.452,3",
            "103,7",
            "2",
            "Thu ngân sách nhà nước trên địa bàn (tỷ đồng)",
            "8.512",
            "9.000",
            "–",
            "",
            "II",
            "Xã hội",
            "3",
            "Tỷ lệ hộ nghèo (%)",
            "6,5",
            "5,0",
            "4,8",
            "",
            "Nguồn: Cục Thống kê",
        ]
    )
    found = {
        f.text: (f.value, f.unit, f.period, f.status, f.measure, f.indicator)
        for f in _figures(text)
    }
    assert found == {
        "1.250,5": (1250.5e6, "USD", "2018", "actual", "level", "EXPORT_VALUE"),
        "1.400": (1400e6, "USD", "2019", "target", "level", "EXPORT_VALUE"),
        "1.452,3": (1452.3e6, "USD", "2019", "estimate", "level", "EXPORT_VALUE"),
        "103,7": (103.7, "%", "2019", "estimate", "plan_pct", "EXPORT_VALUE"),
        "8.512": (8512e9, "VND", "2018", "actual", "level", "STATE_BUDGET_REVENUE"),
        "9.000": (9000e9, "VND", "2019", "target", "level", "STATE_BUDGET_REVENUE"),
        "6,5": (6.5, "%", "2018", "actual", "level", "POVERTY_RATE"),
        "5,0": (5.0, "%", "2019", "target", "level", "POVERTY_RATE"),
        "4,8": (4.8, "%", "2019", "estimate", "level", "POVERTY_RATE"),
    }


def test_prose_around_a_flattened_table_is_still_read():
    text = _flat(with_names_heading=True, blank_for_empty=True) + (
        "Tổng vốn đầu tư toàn xã hội 9 tháng ước đạt 12.345 tỷ đồng, tăng 8,1%.\n"
    )
    found = {f.text: f for f in _figures(text)}
    assert (found["12.345"].value, found["12.345"].status) == (12345e9, "estimate")
    assert found["8,1"].measure == "change_pct"


def test_a_list_of_short_lines_is_no_table():
    text = "\n".join(
        ["Đơn vị tính", "Năm 2023", "Năm 2024", "Hà Nội đạt 12 dự án.", "Các dự án khác."]
    )
    assert [f.text for f in _figures(text)] == ["12"]


# --- the same table between pipes, in HTML, DOCX and PDF --------------------------


def _grid() -> list[list[str]]:
    header = ["STT", "Chỉ tiêu", "Đơn vị tính", *HEADINGS]
    body = [
        [str(number), name, unit, *(cell or "" for cell in cells)]
        for number, (name, unit, cells) in enumerate(ROWS, start=1)
    ]
    return [header, *body]


def _pipes() -> str:
    rows = _grid()
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join([LEAD, TITLE, *lines, ""])


def test_a_table_between_pipes_gives_every_figure():
    text = _pipes()
    figures = _figures(text)
    assert _read(figures) == _expected()
    assert all(text[f.start : f.end] == f.text for f in figures)


def test_a_table_without_a_numbering_column_between_pipes():
    rows = [row[1:] for row in _grid()]
    text = "\n".join([LEAD, TITLE, *("| " + " | ".join(row) + " |" for row in rows)])
    assert _read(_figures(text)) == _expected()


def _html() -> bytes:
    rows = _grid()
    head = "".join(f"<th>{cell}</th>" for cell in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows[1:]
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'></head><body><article>"
        f"<p>{LEAD}</p><p>{TITLE}</p><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></article></body></html>"
    )
    return page.encode("utf-8")


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(LEAD)
    document.add_paragraph(TITLE)
    rows = _grid()
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _font() -> Path:
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    ):
        if Path(candidate).exists():
            return Path(candidate)
    found = sorted(Path("/usr/share/fonts").rglob("*.ttf"))
    assert found, "no TrueType font on this machine to draw a PDF with"
    return found[0]


def _pdf() -> bytes:
    pdf = FPDF(orientation="L")
    pdf.add_font("Viet", fname=str(_font()))
    pdf.set_font("Viet", size=8)
    pdf.add_font("Viet", style="B", fname=str(_font()))
    pdf.add_page()
    pdf.multi_cell(0, 6, LEAD, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, TITLE, new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(8, 60, 20, 25, 25, 25, 30, 30)) as table:
        for row in _grid():
            line = table.row()
            for cell in row:
                line.cell(cell)
    pdf.multi_cell(0, 6, "Nguồn: Cục Thống kê tỉnh Hà Nam", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("name", "build"), [("bang.html", _html), ("bang.docx", _docx), ("bang.pdf", _pdf)]
)
def test_the_same_table_in_html_docx_and_pdf_gives_the_same_figures(tmp_path, name, build):
    path = tmp_path / name
    path.write_bytes(build())
    document = read_document(path)
    figures = _figures(document.text, name)
    assert _read(figures) == _expected()
    assert all(document.text[f.start : f.end] == f.text for f in figures)


def test_a_double_spaced_page_with_a_merged_comparison_heading():
    """A web page puts a blank line after each cell, and the merged "So với cùng kỳ (%)"
    cell comes before the two sub-columns it heads."""
    cells = [
        "Chỉ tiêu",
        "ĐVT",
        "Ước tính quý III năm 2024",
        "Cộng dồn 9 tháng năm 2024",
        "So với cùng kỳ năm trước (%)",
        "Quý III",
        "9 tháng",
        "Sản lượng lương thực có hạt",
        "Nghìn tấn",
        "312,4",
        "845,0",
        "101,2",
        "99,6",
        "Thu ngân sách nhà nước trên địa bàn",
        "Tỷ đồng",
        "1.980,5",
        "5.410",
        "108,3",
        "112,0",
    ]
    text = "Báo cáo của tỉnh Quảng Trị\n\n" + "\n\n".join(cells) + "\n"
    found = {
        f.text: (f.value, f.unit, f.period, f.status, f.measure, f.indicator)
        for f in _figures(text)
    }
    assert found == {
        "312,4": (312.4e3, "tấn", "2024-Q3", "estimate", "level", None),
        "845,0": (845.0e3, "tấn", "2024-9M", "estimate", "level", None),
        "101,2": (101.2, "%", "2024-Q3", "estimate", "change_pct", None),
        "99,6": (99.6, "%", "2024-9M", "estimate", "change_pct", None),
        "1.980,5": (1980.5e9, "VND", "2024-Q3", "estimate", "level", "STATE_BUDGET_REVENUE"),
        "5.410": (5410e9, "VND", "2024-9M", "estimate", "level", "STATE_BUDGET_REVENUE"),
        "108,3": (108.3, "%", "2024-Q3", "estimate", "change_pct", "STATE_BUDGET_REVENUE"),
        "112,0": (112.0, "%", "2024-9M", "estimate", "change_pct", "STATE_BUDGET_REVENUE"),
    }


def test_an_html_header_with_merged_cells_keeps_its_columns(tmp_path):
    page = (
        "<!doctype html><html><body><article><p>Tỉnh Hà Nam, số liệu chủ yếu.</p><table>"
        "<tr><th rowspan='2'>Chỉ tiêu</th><th rowspan='2'>Đơn vị tính</th>"
        "<th rowspan='2'>Ước tính tháng 9 năm 2024</th><th rowspan='2'>Cộng dồn 9 tháng năm 2024</th>"
        "<th colspan='2'>So với cùng kỳ (%)</th></tr>"
        "<tr><th>Tháng 9</th><th>9 tháng</th></tr>"
        "<tr><td>Kim ngạch xuất khẩu</td><td>Triệu USD</td><td>830,1</td><td>7.345,6</td>"
        "<td>104,5</td><td>109,9</td></tr>"
        "</table></article></body></html>"
    )
    path = tmp_path / "bang.html"
    path.write_text(page, encoding="utf-8")
    found = {
        f.text: (f.value, f.period, f.status, f.measure, f.indicator)
        for f in _figures(read_document(path).text, path.name)
    }
    assert found == {
        "830,1": (830.1e6, "2024-M09", "estimate", "level", "EXPORT_VALUE"),
        "7.345,6": (7345.6e6, "2024-9M", "estimate", "level", "EXPORT_VALUE"),
        "104,5": (104.5, "2024-M09", "estimate", "change_pct", "EXPORT_VALUE"),
        "109,9": (109.9, "2024-9M", "estimate", "change_pct", "EXPORT_VALUE"),
    }


def test_short_headings_and_a_same_period_column_take_their_periods_from_beside():
    table = "\n".join(
        [
            "Chỉ tiêu\tĐVT\tT8/2024\tƯớc T9/2024\tƯớc 9T/2024\tCùng kỳ năm trước"
            "\tTăng/giảm so với cùng kỳ (%)",
            "Tổng vốn đầu tư phát triển toàn xã hội\tTỷ đồng\t1.210\t1.305\t10.870\t9.950\t9,2",
        ]
    )
    found = {
        f.text: (f.value, f.period, f.status, f.measure, f.indicator, f.extras)
        for f in _figures("Tỉnh Bắc Kạn.\n" + table + "\n")
    }
    assert found == {
        "1.210": (1210e9, "2024-M08", "actual", "level", "SOCIAL_INVESTMENT", {}),
        "1.305": (1305e9, "2024-M09", "estimate", "level", "SOCIAL_INVESTMENT", {}),
        "10.870": (10870e9, "2024-9M", "estimate", "level", "SOCIAL_INVESTMENT", {}),
        "9.950": (9950e9, "2023-9M", "actual", "level", "SOCIAL_INVESTMENT", {}),
        "9,2": (9.2, "2024-9M", "estimate", "change_pct", "SOCIAL_INVESTMENT", {}),
    }


def test_report_month_headings_take_the_month_of_the_tables_title():
    text = "\n".join(
        [
            "Một số chỉ tiêu kinh tế - xã hội chủ yếu tháng 5 năm 2025 của tỉnh Phú Thọ",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Thực hiện tháng trước",
            "Ước tính tháng báo cáo",
            "Lũy kế từ đầu năm",
            "Lũy kế so với cùng kỳ năm trước (%)",
            "Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng",
            "Tỷ đồng",
            "4.210,3",
            "4.385,9",
            "21.004,2",
            "111,6",
        ]
    )
    found = {f.text: (f.period, f.status, f.measure) for f in _figures(text)}
    assert found == {
        "4.210,3": ("2025-M04", "actual", "level"),
        "4.385,9": ("2025-M05", "estimate", "level"),
        "21.004,2": ("2025-5M", "estimate", "level"),
        "111,6": ("2025-5M", "estimate", "change_pct"),
    }


def test_a_heading_broken_over_two_lines_is_one_column():
    text = "\n".join(
        [
            "Chỉ tiêu",
            "ĐVT",
            "Thực hiện",
            "tháng 8/2024",
            "Ước tính",
            "tháng 9/2024",
            "Kim ngạch xuất khẩu",
            "Triệu USD",
            "812,5",
            "830,1",
        ]
    )
    found = {f.text: (f.value, f.period, f.status) for f in _figures(text)}
    assert found == {
        "812,5": (812.5e6, "2024-M08", "actual"),
        "830,1": (830.1e6, "2024-M09", "estimate"),
    }
