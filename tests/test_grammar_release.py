"""Conventions of other provinces' reports and news: run-in headlines, bases in brackets,
breakdowns, plan horizons and release timing, each on sentences varied from real ones."""

import pytest

from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.records import DocumentContext, Figure


def figures(text: str, year: int | None = None) -> list[Figure]:
    return extract_figures(text, DocumentContext(name="t.txt", region="Hà Tĩnh", year=year))


def attributes(text: str, year: int | None = None) -> list[tuple[str, str | None, str]]:
    return [(f.text, f.period, f.status) for f in figures(text, year)]


@pytest.mark.parametrize(
    ("headline", "lead"),
    [
        ("Xuất khẩu tăng 2,4 lần", "Quý III/2023, toàn tỉnh xuất khẩu đạt 912 triệu USD"),
        ("Vốn FDI giảm 12%", "Quý II năm 2021 tỉnh thu hút 37 dự án mới"),
        ("Thu ngân sách tăng 18,3%", "Tháng 5/2022 tổng thu đạt 1.204 tỷ đồng"),
    ],
)
def test_a_headline_run_into_its_lead_does_not_make_the_leads_period_a_comparison(headline, lead):
    # The page lost the line break between them; the capital still starts the lead.
    found = attributes(f"{headline} {lead}.")
    period = found[-1][1]
    assert period is not None and "-" in period
    assert all(p == period for _, p, _ in found)


@pytest.mark.parametrize(
    ("sentence", "base"),
    [
        ("Năm 2024, thu ngân sách đạt 20.310 tỷ đồng, tăng 7,2% năm 2023.", "2024"),
        ("Quý II/2022 vốn cấp mới đạt 95 triệu USD, giảm 30% quý II/2021.", "2022-Q2"),
    ],
)
def test_a_change_followed_by_a_lower_case_period_still_compares(sentence, base):
    assert {p for _, p, _ in attributes(sentence)} == {base}


@pytest.mark.parametrize(
    ("sentence", "own", "base"),
    [
        (
            "Quý I/2025, vốn cấp mới đạt 212 triệu USD, gấp 4 lần so với cùng kỳ năm 2024 "
            "(51,8 triệu USD).",
            "2025-Q1",
            "2024-Q1",
        ),
        (
            "Tính chung 9 tháng năm 2022, thu ngân sách đạt 9.150 tỷ đồng, tăng 12% so với "
            "cùng kỳ năm 2021 ( 8.170 tỷ đồng).",
            "2022-9M",
            "2021-9M",
        ),
    ],
)
def test_a_bare_amount_in_brackets_after_a_base_is_the_bases_own_value(sentence, own, base):
    found = attributes(sentence)
    assert [p for _, p, _ in found] == [own, own, base]


def test_a_verb_in_the_brackets_after_a_base_tells_the_subjects_own_value():
    sentence = "Năm 2023 diện tích lúa giảm 2,1% so với năm 2022 (đạt 61.400 ha)."
    assert [p for _, p, _ in attributes(sentence)] == ["2023", "2023"]


def test_a_bracketed_base_value_does_not_reach_past_its_brackets():
    sentence = (
        "Năm 2024, xuất khẩu đạt 3,1 tỷ USD, tăng 9% so với năm 2023 (2,84 tỷ USD) và "
        "nhập khẩu đạt 1,9 tỷ USD."
    )
    assert [p for _, p, _ in attributes(sentence)] == ["2024", "2024", "2023", "2024"]


@pytest.mark.parametrize("opening", ["Trong đó,", "Cụ thể:", "Trong đó:"])
def test_the_parts_of_an_estimated_total_are_estimates(opening):
    text = (
        "Tính chung 9 tháng năm 2023, GRDP của tỉnh ước tính tăng 6,7% so với cùng kỳ năm 2022. "
        f"{opening} khu vực công nghiệp - xây dựng tăng 9,1%; khu vực dịch vụ tăng 5,2%."
    )
    assert [s for _, _, s in attributes(text)] == ["estimate"] * 3
    assert [p for _, p, _ in attributes(text)] == ["2023-9M"] * 3


def test_the_parts_of_an_actual_total_are_actual():
    text = (
        "Năm 2021, tổng thu ngân sách đạt 14.230 tỷ đồng. "
        "Trong đó, thu nội địa 11.870 tỷ đồng, thu xuất nhập khẩu 2.360 tỷ đồng."
    )
    assert attributes(text, 2022) == [
        ("14.230", "2021", "actual"),
        ("11.870", "2021", "actual"),
        ("2.360", "2021", "actual"),
    ]


def test_a_breakdown_paragraph_takes_the_plans_horizon_of_the_total_it_breaks_down():
    text = (
        "Quảng Trị: GRDP quý II/2024 tăng 7,3%.\n\n"
        "Theo Quy hoạch tỉnh thời kỳ 2021-2030, tốc độ tăng trưởng bình quân giai đoạn "
        "này dự kiến đạt 8-8,5%.\n\n"
        "Trong đó, nông nghiệp tăng 3-3,5%/năm, công nghiệp tăng 12-13%/năm."
    )
    found = attributes(text)
    assert found[0] == ("7,3", "2024-Q2", "actual")
    assert {(p, s) for _, p, s in found[1:]} == {("2021/2030", "estimate")}


def test_a_breakdown_naming_its_own_period_keeps_it():
    text = (
        "GRDP 6 tháng đầu năm 2022 ước tăng 7,1%. Trong đó, quý II tăng 7,6%, "
        "riêng tháng 6 xuất khẩu đạt 310 triệu USD."
    )
    periods = [p for _, p, _ in attributes(text)]
    assert periods == ["2022-H1", "2022-Q2", "2022-M06"]


def test_a_sentence_that_is_no_breakdown_takes_no_total():
    text = "Năm 2025, GRDP dự kiến tăng 8%. \n\nTrong quý I/2025, toàn tỉnh thu hút 14 dự án mới."
    assert attributes(text)[-1] == ("14", "2025-Q1", "actual")


@pytest.mark.parametrize(
    ("plan", "year"),
    [
        ("Theo Quy hoạch tỉnh thời kỳ 2021-2030, tỉnh phát triển 12 khu công nghiệp.", 2025),
        ("Quy hoạch tỉnh giai đoạn 2021-2030 xác định tăng trưởng bình quân 8,5%/năm.", 2024),
        ("Chương trình giai đoạn 2023-2027 hỗ trợ 1.500 hộ chuyển đổi nghề.", 2023),
    ],
)
def test_a_span_reaching_past_the_documents_year_is_a_plan(plan, year):
    text = f"Quý I/{year}, tỉnh thu hút 6 dự án mới. {plan}"
    found = attributes(text)
    assert found[0][1:] == (f"{year}-Q1", "actual")
    assert found[1][2] == "target"
    assert found[1][1] is not None and "/" in found[1][1]


def test_a_span_that_has_closed_is_a_result():
    text = "Năm 2024, GRDP tăng 6%. Bình quân giai đoạn 2021-2024, GRDP tăng 6,2%/năm."
    assert [s for _, _, s in attributes(text)] == ["actual", "actual"]


YEAR_END_NEWS = (
    "Bình Định: thu hút FDI năm 2024 vượt kế hoạch\n\n"
    "Riêng quý IV/2024, tỉnh cấp mới 4 dự án. Tính chung 11 tháng, vốn đăng ký đạt 310 "
    "triệu USD. Cả năm 2024, tỉnh thu hút 21 dự án mới."
)


@pytest.mark.parametrize("dateline", [" date 2025-01\n", "Cập nhật 08/01/2025 09:15\n"])
def test_a_text_dated_after_its_year_closed_reports_the_years_results(dateline):
    assert attributes(dateline + YEAR_END_NEWS)[-1] == ("21", "2024", "actual")


def test_an_undated_text_naming_the_months_to_date_estimates_the_whole_year():
    assert attributes(YEAR_END_NEWS)[-1] == ("21", "2024", "estimate")


def test_a_text_dated_before_its_year_closed_estimates_the_whole_year():
    assert attributes(" date 2024-12\n" + YEAR_END_NEWS)[-1] == ("21", "2024", "estimate")


@pytest.mark.parametrize("marker", ["Đọc nhiều", "Tin liên quan", "Bài viết liên quan:"])
def test_teasers_of_other_articles_after_a_page_are_not_about_its_period(marker):
    text = (
        "Ninh Bình: vốn FDI quý II/2024 tăng 21%\n\n"
        "Quý II/2024, tỉnh cấp mới 9 dự án với tổng vốn 140 triệu USD.\n"
        f"Phan Anh\n{marker}\n\n"
        "Giá thép giảm phiên cuối năm 2024\n\n"
        "Thép cuộn giảm 150 đồng/kg, giá bán 13.900 đồng/kg."
    )
    found = attributes(text)
    assert [f[1:] for f in found[:3]] == [("2024-Q2", "actual")] * 3
    assert [s for _, _, s in found[3:]] == ["actual", "actual"]
    assert "2024-Q2" not in [p for _, p, _ in found[3:]]


def test_without_a_teaser_block_the_same_lines_keep_the_pages_period():
    text = (
        "Ninh Bình: vốn FDI quý II/2024 tăng 21%\n\n"
        "Quý II/2024, tỉnh cấp mới 9 dự án với tổng vốn 140 triệu USD.\n\n"
        "Thép cuộn giảm 150 đồng/kg, giá bán 13.900 đồng/kg."
    )
    assert [p for _, p, _ in attributes(text)] == ["2024-Q2"] * 5


@pytest.mark.parametrize(
    ("lead", "status"),
    [
        ("Chín tháng năm 2023, các chỉ tiêu chủ yếu ước đạt như sau:", "estimate"),
        ("Dự kiến cả năm 2023, một số chỉ tiêu như sau:", "estimate"),
        ("Mục tiêu năm 2023:", "target"),
        ("Kết quả 9 tháng năm 2023:", "actual"),
    ],
)
@pytest.mark.parametrize("bullet", ["- ", "+ ", "• ", "1. "])
def test_a_leads_cue_covers_the_list_below_it(lead, status, bullet):
    text = (
        "Báo cáo kinh tế - xã hội tỉnh Đồng Tháp\n\n"
        f"{lead}\n"
        f"{bullet}Thu ngân sách 4.210 tỷ đồng, bằng 71% dự toán;\n"
        f"{bullet}Kim ngạch xuất khẩu 1,06 tỷ USD.\n\n"
        "Công tác an sinh xã hội được bảo đảm; đã tặng 3.400 suất quà."
    )
    found = attributes(text)
    assert [s for _, _, s in found[:3]] == [status] * 3
    assert found[-1][2] == "actual"
