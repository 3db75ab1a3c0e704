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


@pytest.mark.parametrize(
    "comparison",
    [
        "so với cùng kỳ năm 2022",
        "so cùng kỳ năm 2022",
        "so với năm 2022",
        "so với cùng kỳ 2022",
    ],
)
def test_a_comparison_names_the_base_and_the_report_is_a_year_later(comparison):
    # No date, no title year: the comparison base is the year before the report's.
    text = f"Trong 9 tháng đầu năm, kim ngạch xuất khẩu của tỉnh đạt 4,1 tỷ USD, tăng 7,3% {comparison}."
    assert periods(text) == ["2023-9M", "2023-9M"]


def test_the_base_period_own_value_takes_the_base_year():
    text = (
        "Tính chung 6 tháng, GRDP của tỉnh tăng 8,02%, trong khi cùng kỳ năm 2021 chỉ đạt 3,15%; "
        "vốn FDI tăng 12% so với cùng kỳ năm 2021."
    )
    assert periods(text, 2022) == ["2022-H1", "2021-H1", "2022-H1"]


def test_a_possessive_period_after_a_growth_rate_is_its_own():
    text = "GDP quý I năm 2025 tăng 6,9%, chỉ thấp hơn mức tăng 7,1% của quý I năm 2022."
    assert periods(text, 2025) == ["2025-Q1", "2022-Q1"]


def test_a_reference_point_is_no_period():
    text = (
        "Năm 2024, GRDP ước tăng 9,2%. Đây là mức tăng cao nhất kể từ năm 2019 trở lại đây. "
        "Trong đó, khu vực dịch vụ tăng 7,7%."
    )
    assert periods(text, 2024) == ["2024", "2024"]


def test_a_period_said_in_brackets_does_not_frame_the_next_sentences():
    text = (
        "Tăng trưởng GRDP quý IV đạt 5,1%, công nghiệp giảm 2,2% (quý III giảm 6,4%). "
        "Trong khi đó, khu vực dịch vụ tăng 3,9%."
    )
    assert periods(text, 2021) == ["2021-Q4", "2021-Q4", "2021-Q3", "2021-Q4"]


def test_a_figure_naming_no_period_is_about_the_documents_own_period():
    text = (
        "Hội nghị sơ kết tình hình kinh tế - xã hội tháng 3 và quý I năm 2022 của tỉnh.\n"
        "Giá trị sản xuất nông nghiệp ước đạt 5.120 tỷ đồng, tăng 2,4% so với cùng kỳ.\n"
    )
    assert periods(text) == ["2022-Q1", "2022-Q1"]


def test_an_annual_document_keeps_its_year_for_figures_naming_no_period():
    text = "Báo cáo kết quả thực hiện năm 2023\nTổng thu ngân sách đạt 14.600 tỷ đồng.\n"
    assert periods(text) == ["2023"]


def test_the_title_year_wins_over_years_the_text_compares_with():
    text = (
        "Tình hình kinh tế - xã hội 6 tháng đầu năm 2021\n"
        "So với năm 2019, GRDP tăng 9,1%. Vốn đầu tư toàn xã hội tăng 4% so với cùng kỳ năm 2020.\n"
    )
    assert periods(text) == ["2021-H1", "2021-H1"]


@pytest.mark.parametrize("words", ["trong tháng", "riêng tháng này", "tháng này"])
def test_the_month_of_a_monthly_report_is_named_by_this_month(words):
    text = (
        "Sơ kết tình hình tháng 8 và 8 tháng đầu năm 2024\n"
        f"Doanh thu bán lẻ {words} ước đạt 2.310 tỷ đồng, lũy kế 8 tháng đạt 17.902 tỷ đồng.\n"
    )
    assert periods(text) == ["2024-M08", "2024-8M"]


def statuses(text: str) -> list[str]:
    return [f.status for f in figures(text)]


@pytest.mark.parametrize(
    "title",
    [
        "Tình hình kinh tế - xã hội tháng 6 năm 2021",
        "Báo cáo tình hình kinh tế – xã hội tỉnh Hà Tĩnh tháng 6 và 6 tháng đầu năm 2021",
        "THÔNG CÁO BÁO CHÍ tình hình kinh tế - xã hội tháng 6 và quý II năm 2021",
        "THÔNG CÁO BÁO CHÍ\nTình hình kinh tế - xã hội\ntháng 6 năm 2021",
    ],
)
def test_a_month_end_statistics_reports_figures_are_estimates(title):
    text = (
        f"{title}\n"
        "1. Tăng trưởng kinh tế\n"
        "GRDP quý II tăng 6,2% so với cùng kỳ. Trong đó, khu vực dịch vụ tăng 5,1%. "
        "Tính chung 6 tháng, tổng thu ngân sách đạt 9.870 tỷ đồng, bằng 55,3% dự toán.\n"
    )
    assert statuses(text) == ["estimate"] * 4


def test_a_month_end_reports_figures_for_earlier_periods_and_plans_are_not_estimates():
    text = (
        "Tình hình kinh tế - xã hội tháng 9 năm 2022\n"
        "Quý II, GRDP đã tăng 4,1%. Tính chung 9 tháng, GRDP tăng 6,3%. "
        "Kế hoạch năm 2022 tăng 7,5%.\n"
    )
    assert statuses(text) == ["actual", "estimate", "target"]


def test_news_of_a_mid_year_meeting_keeps_its_cues():
    # Not a statistics report: what is written as done is actual, what is estimated is not.
    text = (
        "Hội nghị sơ kết 6 tháng đầu năm 2023 của tỉnh\n"
        "6 tháng đầu năm, thu ngân sách đạt 2.100 tỷ đồng; giá trị xuất khẩu ước đạt 310 triệu USD.\n"
    )
    assert statuses(text) == ["actual", "estimate"]


@pytest.mark.parametrize("base", ["quý trước", "tháng trước", "cùng kỳ năm trước", "năm trước"])
def test_the_previous_period_named_as_a_base_is_no_period(base):
    text = f"Tính chung 10 tháng, IIP tăng 4,4% so với {base}."
    assert periods(text, 2020) == ["2020-10M"]


def _model(text: str):
    from chitieu._text import fold_keeping_offsets
    from chitieu.extraction._document import read_document_model
    from chitieu.extraction._periods_text import find_periods

    folded = fold_keeping_offsets(text)
    return read_document_model(folded, find_periods(folded))


def test_the_document_model_reads_a_statistics_reports_head():
    model = _model(
        "https://example.vn/tin/tinh-hinh-kt-xh\n"
        "Tình hình kinh tế - xã hội tỉnh Thái Bình tháng 3 và quý I năm 2022\n"
        "05/04/2022 09:15\n"
        "GRDP quý I tăng 5,9% so với cùng kỳ năm 2021.\n"
    )
    assert (model.year, model.kind, model.month_end) == (2022, "statistics", "2022-03")
    assert str(model.issued_on) == "2022-04-05"
    assert set(model.periods) == {"2022-M03", "2022-Q1"}


def test_the_document_model_of_a_decision_takes_its_official_date_not_its_horizon():
    model = _model(
        "Số: 88/QĐ-UBND\nLào Cai, ngày 12 tháng 5 năm 2021\nQUYẾT ĐỊNH\n"
        "Ban hành Kế hoạch phát triển du lịch đến năm 2030\n"
    )
    assert (model.year, model.kind, model.month_end) == (2021, "plan", None)


def test_the_document_model_of_undated_news_reads_the_year_from_its_comparisons():
    model = _model("GRDP 9 tháng đầu năm tăng 7,1% so với cùng kỳ năm 2018.\n")
    assert model.year == 2019


def test_a_point_in_time_dates_its_own_sentence_only():
    text = (
        "Tình hình kinh tế - xã hội quý II năm 2023\n"
        "Tính đến ngày 20/6/2023, toàn tỉnh đã gieo trồng 96,3 nghìn ha lúa. "
        "Sản lượng thủy sản ước đạt 41,2 nghìn tấn.\n"
    )
    assert periods(text) == ["2023-06-20", "2023-Q2"]


@pytest.mark.parametrize(
    "comparison",
    [
        "cao hơn năm 2023",
        "thấp hơn năm 2023",
        "tương đương năm 2023",
        "so với cùng thời điểm năm 2023",
        "so với cùng thời điểm năm trước",
        "gấp đôi năm trước",
    ],
)
def test_more_ways_of_naming_a_base(comparison):
    text = (
        f"Năm 2024, số doanh nghiệp đang hoạt động của tỉnh đạt 6.480 doanh nghiệp, {comparison}."
    )
    assert periods(text, 2024)[0] == "2024"


@pytest.mark.parametrize("last", ["năm trước", "năm ngoái"])
def test_last_year_as_the_subject_is_the_year_before(last):
    text = f"Năm 2021, tổng vốn FDI đạt 620 triệu USD, trong khi {last} chỉ đạt 410 triệu USD."
    assert periods(text, 2021) == ["2021", "2020"]


def test_only_the_statistics_title_names_the_month_a_report_closes():
    # A PDF wraps its first paragraph into short lines; a month it mentions is not the title's.
    model = _model(
        "CỤC THỐNG KÊ TỈNH PHÚ THỌ\n"
        "Tình hình kinh tế - xã hội 9 tháng năm 2023\n"
        "\n"
        "Trong bối cảnh giá cả biến động từ tháng 7 và\n"
        "tháng 8, kinh tế của tỉnh vẫn giữ được đà tăng\n"
    )
    assert model.month_end is None
    assert "2023-9M" in model.periods
