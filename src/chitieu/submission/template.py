"""The Excel template agencies fill in, with the catalogue beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from chitieu._cells import append_row
from chitieu.indicator.service import list_indicators
from chitieu.submission.service import COLUMNS, HEADINGS_VI


@dataclass(frozen=True)
class RowToFill:
    """A row of the template with everything but the figure filled in."""

    indicator: str
    region: str
    period: str
    unit: str
    needed_for: str = ""


# Not a column the import reads: it tells the person filling in why the row is asked for.
NEEDED_FOR = "can_cho"


def write_template(
    session: Session, *, path: Path, rows: Sequence[RowToFill] = (), region: str = "bac_giang"
) -> None:
    """An .xlsx with the submission sheet, ``rows`` ready to fill, and the indicator list.

    No example figure stands in the sheet: a row sent back unfilled is
    skipped by the import, a filled example would be imported as a figure.
    """
    # Imported here: listing what is owed shares this module and needs no spreadsheet.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "so_lieu"
    append_row(sheet, [*COLUMNS, NEEDED_FOR] if rows else COLUMNS)
    for row in rows:
        filled = [row.indicator, row.region, row.period, "", row.unit, "", "", row.needed_for]
        append_row(sheet, filled)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    catalogue = workbook.create_sheet("chi_tieu")
    append_row(catalogue, ["code", "name_vi", "name_en", "unit", "formula"])
    for indicator in list_indicators(session):
        append_row(
            catalogue,
            [
                indicator.code,
                indicator.name_vi,
                indicator.name_en,
                indicator.unit,
                indicator.formula or "",
            ],
        )
    notes = workbook.create_sheet("huong_dan")
    for line in (
        "Mỗi dòng một số liệu. Cột: "
        + ", ".join(f"{c} ({h})" for c, h in zip(COLUMNS, HEADINGS_VI, strict=True)),
        "Kỳ: 2023, 6 tháng đầu năm 2023 (2023-H1), 9 tháng năm 2024 (2024-9M), "
        "quý I/2025 (2025-Q1), tháng 5/2023 (2023-M05), 30/6/2023.",
        "Giá trị: 1.234,5 hoặc 1234.5; đơn vị có thể kèm cấp số: tỷ đồng, triệu USD.",
        "Loại số: thực hiện, ước tính, sơ bộ. Chỉ tiêu có công thức không nhập.",
        f"Ví dụ một dòng: GRDP_GROWTH | {region} | 2024 | 13,85 | % | ước tính | (ghi chú).",
        "Dòng để trống giá trị được bỏ qua khi nhập; cột can_cho chỉ để biết số liệu cần cho "
        "kế hoạch nào, không được nhập.",
    ):
        append_row(notes, [line])
    workbook.save(path)
