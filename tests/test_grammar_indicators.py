"""Indicator rules and figures easily missed, each on sentences varied from real reports."""

import pytest

from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.records import DocumentContext, Figure


def figures(text: str, year: int | None = 2023, region: str | None = "Cà Mau") -> list[Figure]:
    return extract_figures(text, DocumentContext(name="t.txt", region=region, year=year))


def found(text: str, year: int | None = 2023) -> list[tuple[str, float, str]]:
    return [(f.text, f.value, f.unit) for f in figures(text, year)]


def indicators(text: str, year: int | None = 2023) -> list[str | None]:
    return [f.indicator for f in figures(text, year)]


# Figures easily missed or made up.


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Sản lượng tôm nuôi trong tháng 12.480 tấn, tăng 3,1%.", 12480),
        ("Sản lượng khai thác lũy kế 5 tháng 64.205 tấn.", 64205),
        ("Sản lượng lúa thu hoạch trong tháng 8.150 tấn.", 8150),
    ],
)
def test_an_amount_grouped_in_thousands_after_thang_is_no_date(text, value):
    assert value in [v for _, v, _ in found(text)]


def test_a_day_or_month_after_thang_is_still_a_date():
    assert found("Ngày 15 tháng 8 năm 2023, tỉnh khai trương cảng cá.") == []


def test_a_level_after_muc_is_a_figure_but_a_numbered_part_is_not():
    assert found("Tăng trưởng kinh tế quý II của tỉnh đạt mức 6,2% so với cùng kỳ.") == [
        ("6,2", 6.2, "%")
    ]
    assert found("Theo mục 3 của kế hoạch, các sở triển khai ngay.") == []


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("Quảng Ninh là địa phương có tăng trưởng kinh tế cao thứ 2 cả nước.", 2),
        ("Tỉnh có quy mô GRDP lớn thứ 11 trong cả nước.", 11),
        ("Long An là tỉnh thu hút FDI nhiều thứ 7 toàn quốc.", 7),
    ],
)
def test_an_ordinal_followed_by_the_whole_country_is_a_rank(text, rank):
    ranks = [f for f in figures(text) if f.measure == "rank"]
    assert [(f.value, f.unit) for f in ranks] == [(rank, "hạng")]


def test_an_ordinal_without_a_whole_is_no_rank():
    assert [f for f in figures("Đây là lần thứ 3 tỉnh tổ chức hội chợ.") if f.unit == "hạng"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Ngoài 3 địa phương kể trên, nhiều tỉnh khác cũng tăng trưởng khá.",
        "Cả 5 dự án nói trên đều chậm tiến độ.",
        "Trong số 4 huyện nêu trên, chỉ một huyện đạt chỉ tiêu.",
    ],
)
def test_a_count_of_things_just_named_is_no_new_figure(text):
    assert found(text) == []
