"""Period and status rules of Vietnamese reporting, each on sentences varied from real reports."""

import pytest

from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.records import DocumentContext, Figure


def figures(text: str, year: int | None = None, region: str | None = "Nghệ An") -> list[Figure]:
    return extract_figures(text, DocumentContext(name="t.txt", region=region, year=year))


def periods(text: str, year: int | None = None) -> list[str | None]:
    return [f.period for f in figures(text, year)]


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Tính chung 7 tháng, tổng thu ngân sách ước đạt 8.412 tỷ đồng.", "2022-7M"),
        ("Sau 11 tháng, kim ngạch xuất khẩu đạt 3,2 tỷ USD.", "2022-11M"),
        ("Lũy kế 5 tháng đầu năm, IIP tăng 9,1%.", "2022-5M"),
        ("Trong nửa đầu năm, GRDP tăng 7,4%.", "2022-H1"),
        ("Nửa cuối năm 2022 vốn FDI đạt 410 triệu USD.", "2022-H2"),
    ],
)
def test_cumulative_months_are_named_with_or_without_punctuation_after_them(text, period):
    assert periods(text, 2022)[0] == period


def test_a_quarter_and_the_months_to_date_in_one_paragraph_are_different_periods():
    text = (
        "GRDP quý II ước tăng 6,1% so với quý trước, khu vực dịch vụ tăng 4,4%. "
        "Tính chung 6 tháng, GRDP tăng 5,2% so với cùng kỳ năm trước. "
        "Tính chung 9 tháng, tổng thu ngân sách đạt 12.300 tỷ đồng."
    )
    assert periods(text, 2021) == ["2021-Q2", "2021-Q2", "2021-H1", "2021-9M"]


@pytest.mark.parametrize(
    "base",
    [
        "theo giá so sánh năm 2010",
        "theo giá so sánh 2010",
        "(giá so sánh 2010)",
        "theo giá cố định 1994",
    ],
)
def test_a_price_base_is_never_the_period(base):
    text = f"Tổng sản phẩm trên địa bàn {base} của quý IV ước đạt 21.930,4 tỷ đồng."
    assert periods(text, 2018) == ["2018-Q4"]


def test_a_written_date_is_no_reporting_month():
    text = (
        "Hải Dương, ngày 28 tháng 2 năm 2023. Năm 2022, GRDP tăng 8,3%. Vốn FDI đạt 900 triệu USD."
    )
    assert periods(text, None) == ["2022", "2022"]
