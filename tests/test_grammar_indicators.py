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


# A sector's growth, the points it adds to growth and its share are three indicators.


def test_the_points_a_sector_adds_or_takes_from_growth_are_its_contribution():
    text = (
        "Tính chung 6 tháng, GRDP tăng 4,1%. Trong đó, khu vực dịch vụ tăng 5,3% và đóng góp "
        "2,05 điểm phần trăm; khu vực nông, lâm nghiệp và thủy sản giảm 1,2% và làm giảm "
        "0,15 điểm phần trăm tăng trưởng; thuế sản phẩm tăng 0,7%, đóng góp tăng 0,06 điểm "
        "phần trăm."
    )
    assert indicators(text) == [
        "GRDP_GROWTH",
        "GRDP_GROWTH_SERVICES",
        "GRDP_CONTRIBUTION_SERVICES",
        "GRDP_GROWTH_AGRICULTURE",
        "GRDP_CONTRIBUTION_AGRICULTURE",
        "GRDP_GROWTH_PRODUCT_TAX",
        "GRDP_CONTRIBUTION_PRODUCT_TAX",
    ]


def test_points_without_a_word_of_contribution_are_no_contribution():
    text = "Tỷ trọng khu vực dịch vụ chiếm 38,2%, tăng 1,4 điểm phần trăm."
    assert "GRDP_CONTRIBUTION_SERVICES" not in indicators(text)


def test_a_generic_growth_word_after_a_sector_is_the_sectors_growth():
    text = (
        "Khu vực công nghiệp - xây dựng chỉ tăng nhẹ (+0,4%), còn khu vực dịch vụ có mức "
        "tăng trưởng cao nhất (+6,9%)."
    )
    assert indicators(text) == ["GRDP_GROWTH_INDUSTRY_CONSTRUCTION", "GRDP_GROWTH_SERVICES"]
    assert indicators("Tăng trưởng kinh tế của tỉnh đạt 7,2%.") == ["GRDP_GROWTH"]


def test_a_sectors_value_added_in_dong_is_no_grdp_but_its_change_is_the_sectors_growth():
    text = (
        "Trong mức tăng chung của nền kinh tế, khu vực dịch vụ ước đạt 9.120,5 tỷ đồng, tăng "
        "6,4% so với cùng kỳ; khu vực nông, lâm nghiệp và thủy sản đạt 3.005 tỷ đồng, tăng "
        "2,2% so cùng kỳ."
    )
    assert indicators(text) == [None, "GRDP_GROWTH_SERVICES", None, "GRDP_GROWTH_AGRICULTURE"]


def test_the_output_of_something_narrower_than_a_sector_gives_its_change_no_indicator():
    text = "Giá trị sản xuất ngành nông, lâm nghiệp và thủy sản ước đạt 18.200 tỷ đồng, tăng 2,9%."
    assert indicators(text) == [None, None]


# The price base of a GRDP level.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Said once for the paragraph, the base holds for its later levels.
        (
            "GRDP quý II theo giá so sánh 2010 ước đạt 21.340 tỷ đồng, tăng 6,2%. "
            "Tính chung 6 tháng, GRDP ước đạt 40.115,6 tỷ đồng, tăng 5,8% so với cùng kỳ.",
            ["GRDP_CONSTANT", "GRDP_GROWTH", "GRDP_CONSTANT", "GRDP_GROWTH"],
        ),
        # The base named last before the level wins; one in brackets right after it, first.
        (
            "GRDP theo giá so sánh tăng 7,1%. Quy mô GRDP theo giá hiện hành đạt 131.500 tỷ "
            "đồng. GRDP năm 2022 đạt 118.000 tỷ đồng (giá so sánh 2010).",
            ["GRDP_GROWTH", "GRDP_CURRENT", "GRDP_CONSTANT"],
        ),
    ],
)
def test_the_price_base_of_a_grdp_level_is_the_one_said_for_it(text, expected):
    assert indicators(text) == expected


# FDI: new, additional and contributed capital are not the total attracted.


def test_an_fdi_paragraph_names_fdi_once_then_breaks_it_down():
    text = (
        "Năm 2023, Long An thu hút 1,2 tỷ USD vốn FDI. Trong đó, có 41 dự án cấp mới với "
        "tổng vốn đăng ký 702,5 triệu USD; điều chỉnh tăng vốn đầu tư cho 23 dự án với tổng "
        "vốn 410,3 triệu USD và 17 lượt góp vốn, mua cổ phần trị giá 85,6 triệu USD."
    )
    assert indicators(text)[1:] == [
        "FDI_PROJECTS_NEW",
        "FDI_CAPITAL_NEW",
        "FDI_PROJECTS_ADJUSTED",
        "FDI_CAPITAL_ADDITIONAL",
        None,
        None,
    ]


def test_the_capital_added_to_projects_is_a_level_of_additional_capital():
    text = (
        "Về thu hút FDI, tỉnh cấp mới 52 dự án. Có 18 dự án điều chỉnh vốn, với mức tăng "
        "1,15 tỷ USD, gấp 3 lần cùng kỳ."
    )
    found = figures(text)
    assert [(f.indicator, f.measure) for f in found[1:]] == [
        ("FDI_PROJECTS_ADJUSTED", "level"),
        ("FDI_CAPITAL_ADDITIONAL", "level"),
        ("FDI_CAPITAL_ADDITIONAL", "multiple"),
    ]


def test_a_list_whose_subjects_follow_their_numbers_reads_each_subject():
    text = (
        "Đồng Nai thu hút 2,4 tỷ USD vốn FDI (gồm 0,98 tỷ USD vốn đăng ký cấp mới; "
        "1,3 tỷ USD vốn đăng ký tăng thêm; và 0,12 tỷ USD vốn góp)."
    )
    assert indicators(text)[1:] == ["FDI_CAPITAL_NEW", "FDI_CAPITAL_ADDITIONAL", None]


def test_domestic_projects_after_an_fdi_sentence_are_no_fdi():
    text = (
        "Tỉnh đứng thứ 6 cả nước về thu hút FDI. Quý I, tỉnh cấp mới 22 dự án đầu tư trong "
        "nước với vốn đăng ký 3.100 tỷ đồng, gấp 2,1 lần cùng kỳ."
    )
    assert indicators(text) == ["FDI_RANK", None, None, None]


def test_a_named_project_is_no_provinces_total():
    text = (
        "Các dự án FDI lớn trong năm gồm: Dự án nhà máy linh kiện của Foxconn với tổng vốn "
        "đăng ký 0,7 tỷ USD; dự án Khu công nghiệp Phú Hà với vốn đăng ký 250 triệu USD."
    )
    assert indicators(text) == [None, None]


def test_a_rank_names_what_it_ranks_after_it():
    text = "Kết quả này giúp Thái Nguyên đứng thứ 12/63 tỉnh, thành phố thu hút vốn FDI."
    assert [(f.value, f.indicator) for f in figures(text)] == [(12, "FDI_RANK")]


def test_a_heading_naming_only_a_place_takes_the_lists_indicator():
    text = (
        "Có 3 tỉnh khác cũng ghi nhận tăng trưởng GRDP trên 8%.\n\nPhú Thọ: 8,75%\n\n"
        "Tổng sản phẩm trong tỉnh 6 tháng tăng 8,75% so với cùng kỳ."
    )
    assert [f.indicator for f in figures(text) if f.value == 8.75] == ["GRDP_GROWTH"] * 2


def test_a_change_in_brackets_after_a_verb_is_a_change():
    found = figures("Thu ngân sách quý II đạt 3.120 tỷ đồng, tuy tăng mạnh (+21,4%) so với quý I.")
    assert [(f.measure, f.indicator) for f in found] == [
        ("level", "STATE_BUDGET_REVENUE"),
        ("change_pct", "STATE_BUDGET_REVENUE"),
    ]


# A text about several provinces gives each figure its own.


def regions(text: str, region: str | None = None) -> list[str | None]:
    return [f.region for f in figures(text, region=region)]


def test_each_province_in_a_ranking_keeps_its_own_figures():
    text = (
        "Dẫn đầu là Bình Dương với 3,9 tỷ USD; Quảng Ninh đứng thứ 2 với hơn 3,1 tỷ USD; "
        "TP.HCM đứng thứ 3 với 2,8 tỷ USD."
    )
    assert regions(text, "Cà Mau") == [
        "Bình Dương",
        "Quảng Ninh",
        "Quảng Ninh",
        "TP.HCM",
        "TP.HCM",
    ]


def test_a_province_leading_the_country_is_still_the_province():
    text = "Hải Dương dẫn đầu cả nước với tăng trưởng GRDP 6 tháng đạt 10,2%."
    assert regions(text, "Cà Mau") == ["Hải Dương"]


def test_gdp_is_the_nations():
    text = "Theo Tổng cục Thống kê, GDP quý III tăng 7,4%."
    assert regions(text, "Cà Mau") == ["cả nước"]


@pytest.mark.parametrize(
    ("address", "province"),
    [
        ("https://travinh.gov.vn/bao-cao-6-thang", "Trà Vinh"),
        ("https://baolongan.vn/kinh-te", "Long An"),
        ("https://www.thainguyen.gov.vn/tin-tuc", "Thái Nguyên"),
    ],
)
def test_a_text_naming_no_province_is_its_portals(address, province):
    text = f"{address}\nTổng sản phẩm trên địa bàn tỉnh quý II tăng 4,2%."
    assert regions(text) == [province]


# Figures written in words.


@pytest.mark.parametrize(
    ("text", "value", "unit", "measure"),
    [
        ("Cả năm, tỉnh đón ba triệu lượt khách du lịch.", 3e6, "lượt", "level"),
        ("Quý I, tỉnh đón một triệu rưỡi lượt khách.", 1.5e6, "lượt", "level"),
        ("Kim ngạch nhập khẩu tăng gấp đôi cùng kỳ.", 2, "lần", "multiple"),
        ("Tăng trưởng kinh tế đạt mười một phần trăm.", 11, "%", "level"),
        ("Chỉ số giá tiêu dùng tăng hai mươi lăm phần trăm.", 25, "%", "change_pct"),
        ("Tỷ lệ hộ nghèo giảm bốn phần trăm.", -4, "%", "change_pct"),
        ("Thu hút sáu tỷ USD vốn đầu tư.", 6e9, "USD", "level"),
    ],
)
def test_a_figure_written_in_words_is_found(text, value, unit, measure):
    assert [(f.value, f.unit, f.measure) for f in figures(text)] == [(value, unit, measure)]


@pytest.mark.parametrize(
    "text",
    [
        "Một số chỉ tiêu chưa đạt kế hoạch.",
        "Thứ nhất, tập trung tháo gỡ khó khăn cho doanh nghiệp.",
        "Cả năm tỷ trọng dịch vụ tăng mạnh.",
        "Tăng từ hai đến ba bậc trong bảng xếp hạng.",
    ],
)
def test_words_that_only_look_like_numbers_are_no_figures(text):
    assert figures(text) == []


@pytest.mark.parametrize(
    "sector",
    [
        "nông-lâm nghiệp và thủy sản",
        "nông - lâm - ngư nghiệp",
        "nông-lâm-thủy sản",
        "nông-lâm nghiệp",
        "nông, lâm nghiệp - thủy sản",
    ],
)
def test_a_hyphenated_agriculture_sector_is_the_agriculture_sector(sector):
    text = (
        f"Năm 2023, GRDP tăng 7,1%; khu vực {sector} tăng 3,2%, "
        "đóng góp 0,8 điểm phần trăm, chiếm 25,4% GRDP."
    )
    assert indicators(text) == [
        "GRDP_GROWTH",
        "GRDP_GROWTH_AGRICULTURE",
        "GRDP_CONTRIBUTION_AGRICULTURE",
        "GRDP_SHARE_AGRICULTURE",
    ]


@pytest.mark.parametrize(
    "stock",
    [
        "Lũy kế đến hết năm 2023, toàn tỉnh có 155 dự án FDI còn hiệu lực "
        "với tổng vốn đầu tư 4,75 tỷ USD.",
        "Tính đến nay, trên địa bàn tỉnh có 98 dự án FDI còn hiệu lực, "
        "tổng vốn đầu tư đăng ký 3,2 tỷ USD.",
        "Đến nay tỉnh thu hút được 210 dự án đầu tư trực tiếp nước ngoài còn hiệu lực "
        "với tổng vốn đầu tư 5,6 tỷ USD.",
    ],
)
def test_a_provinces_stock_of_valid_fdi_projects_is_not_what_the_year_attracted(stock):
    text = "Năm 2023, tỉnh cấp mới 20 dự án FDI với tổng vốn đăng ký 1,2 tỷ USD. " + stock
    assert indicators(text) == ["FDI_PROJECTS_NEW", "FDI_CAPITAL_NEW", None, None]
