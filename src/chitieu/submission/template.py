"""The Excel template agencies fill in, with the catalogue beside it."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from chitieu._cells import append_row
from chitieu.indicator.service import list_indicators
from chitieu.submission.service import COLUMNS

HEADINGS_VI = ("Chỉ tiêu", "Địa bàn", "Kỳ", "Giá trị", "Đơn vị", "Loại số", "Ghi chú")


def write_template(session: Session, *, path: Path, region: str = "bac_giang") -> None:
    """An .xlsx with the submission sheet, an example row, and the indicator list."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "so_lieu"
    append_row(sheet, COLUMNS)
    append_row(
        sheet, ["GRDP_GROWTH", region, "2024", "13,85", "%", "ước tính", "ví dụ, xoá dòng này"]
    )
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
    ):
        append_row(notes, [line])
    workbook.save(path)
