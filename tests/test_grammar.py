"""The figure grammar on sentences written the way provincial reports write them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chitieu._format import number as vietnamese
from chitieu.extraction._numbers import parse_number
from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.records import DocumentContext, Figure


def figures(text: str, year: int | None = 2023) -> list[Figure]:
    return extract_figures(text, DocumentContext(name="t.txt", region="Bắc Giang", year=year))


def only(text: str, year: int | None = 2023) -> Figure:
    (figure,) = figures(text, year)
    return figure


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1.477,8", 1477.8),
        ("500.000", 500000),
        ("13,85", 13.85),
        ("1.89", 1.89),
        ("2.474", 2474),
        ("1,234,567", 1234567),
        ("0,77", 0.77),
        ("10.500", 10500),
    ],
)
def test_numbers_read_the_vietnamese_way(written, value):
    assert parse_number(written) == pytest.approx(value)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_a_number_written_the_vietnamese_way_parses_back_to_itself(number):
    written = vietnamese(float(number), "vi", digits=2)
    figure = only(f"Doanh thu đạt {written} tỷ đồng.")
    assert figure.value == pytest.approx(float(number) * 1e9, rel=1e-9)
    assert figure.unit == "VND"


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Thu hút 1.477,8 triệu USD vốn đầu tư.", 1477.8e6, "USD"),
        ("Quy mô GRDP ước đạt 181 nghìn tỷ đồng.", 181e12, "VND"),
        ("Kim ngạch xuất khẩu đạt 1,568 tỷ USD.", 1.568e9, "USD"),
        ("Kim ngạch xuất khẩu đạt 33,103 tỷ USD.", 33.103e9, "USD"),
        ("Kim ngạch nhập khẩu đạt 1.89 tỷ USD.", 1.89e9, "USD"),
        ("Diện tích 2.474,8 ha.", 2474.8, "ha"),
        ("Doanh thu ước đạt 59.830 tỷ.", 59830e9, "VND"),
        ("Khách du lịch đạt hai triệu lượt.", 2e6, "lượt"),
        ("Năng suất lao động đạt 180 triệu đồng/lao động.", 180e6, "VND/lao động"),
    ],
)
def test_values_units_and_scales(text, value, unit):
    figure = only(text)
    assert (figure.value, figure.unit) == (pytest.approx(value), unit)


def test_ranges_stay_ranges():
    assert (only("Tăng trưởng đạt 12-13%.").value, only("Tăng trưởng đạt 12-13%.").value_max) == (
        12,
        13,
    )
    money = only("Doanh thu từ 700 triệu đến 1 tỷ đồng/ha.")
    assert (money.value, money.value_max, money.unit) == (700e6, 1e9, "VND/ha")
    per_year = only("Tốc độ tăng 15-16%/năm.")
    assert (per_year.value, per_year.value_max, per_year.unit) == (15, 16, "%")


@pytest.mark.parametrize(
    ("text", "value", "measure"),
    [
        ("Xuất khẩu giảm 2,3% so với cùng kỳ.", -2.3, "change_pct"),
        ("Tỷ lệ hộ nghèo giảm còn 3%.", 3, "level"),
        ("Chỉ số giá tiêu dùng -5,7%.", -5.7, "level"),
        ("Chỉ số giá tiêu dùng +0,1%.", 0.1, "level"),
        ("Thu ngân sách đạt 80,9% dự toán.", 80.9, "plan_pct"),
        ("Thu ngân sách vượt 6,9% kế hoạch.", 106.9, "plan_pct"),
        ("Quy mô GRDP gấp 2,5 lần năm 2015.", 2.5, "multiple"),
        ("Giá trị sản xuất gấp đôi năm 2015.", 2, "multiple"),
        ("Dịch vụ chiếm 22% GRDP.", 22, "share_pct"),
        ("Số lao động tăng thêm 3.500 người.", 3500, "change_abs"),
    ],
)
def test_signs_and_measures(text, value, measure):
    figure = only(text)
    assert (figure.value, figure.measure) == (pytest.approx(value), measure)


def test_ranks_carry_the_size_of_the_ranking():
    growth = figures("Tăng trưởng GRDP 6 tháng đạt 10,94%, đứng thứ 2/63 tỉnh thành.")[0]
    assert growth.indicator == "GRDP_GROWTH"
    ranked = figures("Tăng trưởng GRDP 6 tháng đạt 10,94%, đứng thứ 2/63 tỉnh thành.")[1]
    assert (ranked.value, ranked.unit, ranked.measure, ranked.rank_of) == (2, "hạng", "rank", 63)
    assert ranked.indicator == "GRDP_GROWTH_RANK"
    fdi = only("Tính riêng thu hút đầu tư FDI, Bắc Giang xếp thứ 9 cả nước.")
    assert (fdi.value, fdi.indicator, fdi.rank_of) == (9, "FDI_RANK", None)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("đạt khoảng 14,5%", "khoảng"),
        ("đạt gần 500.000 tỷ đồng", "gần"),
        ("thu hút trên 1,7 tỷ USD", "trên"),
        ("chiếm hơn 61%", "hơn"),
        ("dưới 2%", "dưới"),
    ],
)
def test_qualifiers_are_kept(text, qualifier):
    assert only(f"Tăng trưởng kinh tế {text}.").qualifier == qualifier


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Tăng trưởng GRDP năm 2023 đạt 13,1%.", "2023"),
        ("GRDP 6 tháng đầu năm đạt 10,94%.", "2023-H1"),
        ("IIP 9 tháng năm 2024 tăng 27,69% so với cùng kỳ.", "2024-9M"),
        ("IIP 11 tháng tăng 20%.", "2023-11M"),
        ("GRDP quý I/2025 tăng 14,02%.", "2025-Q1"),
        ("IIP tháng 9 tăng 25%.", "2023-M09"),
        ("GRDP bình quân giai đoạn 2021-2025 tăng 13%/năm.", "2021/2025"),
        ("Tính đến 30/6/2023, toàn tỉnh có 1.130 doanh nghiệp.", "2023-06-30"),
        ("Tỷ lệ hộ nghèo giảm còn 2,63% năm 2023.", "2023"),
        ("GRDP năm 2024 tăng 13,85%, cao hơn so với năm 2023.", "2024"),
    ],
)
def test_periods_from_the_sentence(text, period):
    assert figures(text)[0].period == period


def test_periods_carry_over_from_the_sentence_before():
    found = figures(
        "IIP 9 tháng năm 2024 tăng 27,69%. Giá trị sản xuất công nghiệp đạt gần 500.000 tỷ đồng."
    )
    assert [f.period for f in found] == ["2024-9M", "2024-9M"]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Năm 2022 GRDP tăng 19,3%.", "actual"),
        ("Ước năm 2024 GRDP đạt 14,5%.", "estimate"),
        ("Dự kiến cả năm GRDP tăng 14,5%.", "estimate"),
        ("Phấn đấu tốc độ tăng GRDP đạt 14,5%.", "target"),
        ("Đến năm 2030, tỷ lệ đô thị hóa đạt 45%.", "target"),
    ],
)
def test_status_from_cues_and_dates(text, status):
    assert figures(text)[0].status == status


def test_each_figure_of_a_coordinated_list_goes_to_its_sector():
    found = figures(
        "GRDP 6 tháng đầu năm tăng 10,94%. Trong đó, công nghiệp - xây dựng tăng 13,97% "
        "(công nghiệp tăng 15,01%, xây dựng tăng 3,6%); dịch vụ tăng 5,95%; nông, lâm nghiệp, "
        "thủy sản tăng 2,77%; thuế sản phẩm tăng 4,49%."
    )
    assert [f.indicator for f in found] == [
        "GRDP_GROWTH",
        "GRDP_GROWTH_INDUSTRY_CONSTRUCTION",
        "GRDP_GROWTH_INDUSTRY",
        "GRDP_GROWTH_CONSTRUCTION",
        "GRDP_GROWTH_SERVICES",
        "GRDP_GROWTH_AGRICULTURE",
        "GRDP_GROWTH_PRODUCT_TAX",
    ]


def test_abbreviations_and_missing_diacritics_link_indicators():
    assert only("Ty le lap day cac KCN dat 74,2%.").indicator == "INDUSTRIAL_PARK_OCCUPANCY"
    assert only("Tỷ lệ lấp đầy các CCN đạt 54%.").indicator == "INDUSTRIAL_CLUSTER_OCCUPANCY"
    assert only("Tỷ lệ dân số tham gia BHYT đạt 99,28%.").indicator == "HEALTH_INSURANCE_COVERAGE"
    assert only("Toàn tỉnh có 11 khu công nghiệp.").indicator == "INDUSTRIAL_PARKS"


def test_another_region_named_in_the_sentence():
    assert only("GRDP cả nước tăng 5,05%.").region == "cả nước"
    assert only("GRDP tăng 14,5%.").region == "Bắc Giang"
    found = figures(
        "Dẫn đầu là Bắc Giang với 13,45%, tiếp đến là Hải Phòng (10,34%); "
        "thấp hơn bình quân chung cả nước (5,05%) như Bình Dương tăng 5,92%."
    )
    assert [f.region for f in found] == ["Bắc Giang", "Hải Phòng", "cả nước", "Bình Dương"]
    assert only("Là điểm sáng của cả nước, năm 2023 đạt 13,1%.").region == "Bắc Giang"


def test_the_document_province_is_inferred_when_not_given():
    text = "Tỉnh Quảng Ninh: GRDP năm 2023 của Quảng Ninh tăng 10,03%."
    (figure,) = extract_figures(text, DocumentContext(name="t.txt"))
    assert figure.region == "Quảng Ninh"


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Nghị quyết số 147-NQ/TU ngày 15/07/2021 của Tỉnh ủy.",
        "Quyết định 249/QĐ-UBND ngày 26 tháng 4 năm 2019.",
        "1.2.1. Tăng trưởng kinh tế",
        "(3) Nhóm giải pháp về khoa học.",
        "giải quyết các vấn đề trong thực tiễn1. Tập trung xử lý",
        "Nước đạt quy chuẩn QCVN:02/2009/BYT; xăng E5RON92.",
        "Các tuyến QL31, ĐT 292 và quốc lộ 1, 17, 37 được nâng cấp.",
        "Hội nghị Ngoại giao lần thứ 32 diễn ra tại Hà Nội.",
        "Xem https://bacgiang.gov.vn/tin-tuc/2024/10/123.html để biết thêm.",
        "Năm 2023 là năm bản lề thực hiện kế hoạch 5 năm 2021-2025.",
    ],
)
def test_things_that_are_not_figures(text):
    assert [f.text for f in figures(text) if f.unit not in ("năm",)] == []


def test_a_rate_that_falls_changes_the_rate_itself():
    figure = only("Tỷ lệ hộ nghèo giảm 0,8% so với năm trước.")
    assert (figure.value, figure.measure, figure.indicator) == (-0.8, "change_pct", "POVERTY_RATE")


def test_counts_out_of_a_whole():
    figure = only("Đạt 16/21 chỉ tiêu chủ yếu.")
    assert (figure.value, figure.unit, figure.extras) == (16, "chỉ tiêu", {"of": 21})


@pytest.mark.parametrize(
    "text", ["Kỳ họp thứ 24 khóa XVIII.", "Là năm thứ 9 liên tiếp tỉnh tăng trưởng cao."]
)
def test_ordinals_are_no_ranks(text):
    assert figures(text) == []


def test_a_rank_within_a_region_is_no_national_rank():
    found = figures("Tăng trưởng GRDP đạt 6,27%, xếp thứ 3/5 tỉnh khu vực Tây Nguyên.")
    assert (found[1].measure, found[1].rank_of, found[1].indicator) == ("rank", 5, None)


def test_a_table_reads_its_columns_and_comparisons():
    table = (
        "STT\tChỉ tiêu\tĐơn vị tính\tThực hiện 2023\tKế hoạch 2024\tƯớc thực hiện 2024"
        "\tSo sánh (%)\t\n"
        "\t\t\t\t\t\tƯTH/KH\tƯTH 2024/TH 2023\n"
        "1\tQuy mô GRDP (giá hiện hành)\tTỷ đồng\t128.457\t141.500\t140.230\t99,1\t109,2\n"
        "2\tSố xã đạt chuẩn nông thôn mới\tXã\t107\t110\t110\t100,0\t102,8\n"
    )
    found = {
        (f.text, f.period, f.status, f.measure, f.unit, f.indicator): f.value
        for f in figures(table, 2024)
    }
    assert found[("128.457", "2023", "actual", "level", "VND", "GRDP_CURRENT")] == 128457e9
    assert found[("141.500", "2024", "target", "level", "VND", "GRDP_CURRENT")] == 141500e9
    assert found[("140.230", "2024", "estimate", "level", "VND", "GRDP_CURRENT")] == 140230e9
    assert found[("99,1", "2024", "estimate", "plan_pct", "%", "GRDP_CURRENT")] == 99.1
    # "ƯTH 2024/TH 2023" is an index of 2023: its value as written, its base said beside it.
    assert found[("109,2", "2024", "estimate", "change_pct", "%", "GRDP_CURRENT")] == 109.2
    index = next(f for f in figures(table, 2024) if f.text == "109,2")
    assert index.extras == {"index_base": 100}
    assert found[("110", "2024", "target", "level", "xã", "NEW_RURAL_COMMUNES")] == 110
