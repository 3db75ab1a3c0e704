"""A merged region's series before it existed, recomputed from its parts' figures.

Two provinces merge on 1/7/2025 as Bắc Giang and Bắc Ninh did: "Tỉnh Một" and the
old "Tỉnh Mới" form the new "Tỉnh Mới". Every expected value is worked out by
hand in the comments.
"""

from datetime import date

import pytest

from chitieu import transaction
from chitieu._models import Region
from chitieu.assessment.series import latest_partial, yearly
from chitieu.assessment.service import assess_target
from chitieu.indicator.service import get_indicator
from chitieu.region.models import RegionSuccession
from tests.conftest import BACKENDS
from tests.test_assessment import _figures, _target
from tests.test_final_verdicts import _plan

MERGER = date(2025, 7, 1)
BUDGET = "STATE_BUDGET_REVENUE"
T = 1e12  # nghìn tỷ đồng


def _provinces(session) -> tuple[Region, Region, Region]:
    """Two provinces that merge into a new one bearing the second one's name."""
    gone = {"level": "province", "valid_to": date(2025, 6, 30)}
    one = Region(code="tinh_mot", name="Tỉnh Một", name_en="Tinh Mot", **gone)
    old = Region(
        code="tinh_moi_cu",
        name="Tỉnh Mới (trước 01/7/2025)",
        name_en="Tinh Moi (before 1 July 2025)",
        **gone,
    )
    new = Region(
        code="tinh_moi", name="Tỉnh Mới", name_en="Tinh Moi", level="province", valid_from=MERGER
    )
    session.add_all([one, old, new])
    session.flush()
    for part in (one, old):
        session.add(
            RegionSuccession(effective_on=MERGER, kind="merge", predecessor=part, successor=new)
        )
    session.flush()
    return one, old, new


def _budget(session) -> tuple[Region, Region, Region]:
    one, old, new = _provinces(session)
    # 2022: only Tỉnh Một has a figure, so the merged territory gets none.
    _figures(session, one, BUDGET, {2022: 28 * T, 2023: 30 * T, 2024: 33 * T})
    _figures(session, old, BUDGET, {2023: 20 * T, 2024: 25 * T})
    # The first half of 2025, before the merger: 20 + 15.
    _figures(session, one, BUDGET, {"2025-H1": 20 * T}, status="estimate")
    _figures(session, old, BUDGET, {"2025-H1": 15 * T}, status="estimate")
    return one, old, new


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_amount_is_the_sum_of_the_parts_when_every_part_has_one(loaded):
    with transaction(loaded) as session:
        _, _, new = _budget(session)
        indicator = get_indicator(session, code_or_name=BUDGET)
        series = yearly(session, indicator=indicator, region=new, as_of=date(2025, 12, 31))
        english = yearly(
            session, indicator=indicator, region=new, as_of=date(2025, 12, 31), lang="en"
        )
        half = latest_partial(
            session, indicator=indicator, region=new, year=2025, as_of=date(2025, 12, 31)
        )
        session.rollback()
    # 30 + 20 and 33 + 25; 2022 lacks the old Tỉnh Mới's figure, so it has no point.
    assert {year: point.value for year, point in series.items()} == {
        2023: pytest.approx(50 * T),
        2024: pytest.approx(58 * T),
    }
    point = series[2024]
    assert point.observation is None and len(point.parts) == 2
    assert point.status == "actual"
    assert "2024: tính từ số liệu của Tỉnh Một và Tỉnh Mới cũ" in point.notes
    assert "2024: recomputed from the figures of Tinh Mot and the former Tinh Moi" in (
        english[2024].notes
    )
    # The half year before the merger adds up too, and says it rests on estimates.
    assert half is not None and half.period == "2025-H1"
    assert half.value == pytest.approx(35 * T)
    assert half.status == "estimate"
    assert "6 tháng đầu năm 2025: số ước tính" in half.notes


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_growth_is_that_of_the_parts_levels_weighted_by_the_year_before(loaded):
    with transaction(loaded) as session:
        one, old, new = _provinces(session)
        # Tỉnh Một: 100 nghìn tỷ in 2023 and 13.85% growth in 2024 (no 2024 level).
        _figures(session, one, "GRDP_CONSTANT", {2023: 100 * T})
        _figures(session, one, "GRDP_GROWTH", {2024: 13.85})
        # The old Tỉnh Mới: 200 then 212 nghìn tỷ (no growth figure), and 5% in 2023,
        # a year Tỉnh Một has no 2022 level for: no 2023 point.
        _figures(session, old, "GRDP_CONSTANT", {2023: 200 * T, 2024: 212 * T})
        _figures(session, old, "GRDP_GROWTH", {2023: 5.0})
        indicator = get_indicator(session, code_or_name="GRDP_GROWTH")
        series = yearly(session, indicator=indicator, region=new, as_of=date(2025, 12, 31))
        session.rollback()
    # (100 × 1.1385 + 212) / (100 + 200) − 1 = 325.85 / 300 − 1 = 8.61666…%,
    # not the plain mean of 13.85% and 6% (9.925%).
    assert list(series) == [2024]
    assert series[2024].value == pytest.approx(325.85 / 300 * 100 - 100)
    assert series[2024].value == pytest.approx(8.616667, abs=1e-6)
    assert "2024: tính từ số liệu của Tỉnh Một và Tỉnh Mới cũ" in series[2024].notes


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_figure_published_for_the_new_province_wins(loaded):
    with transaction(loaded) as session:
        _, _, new = _budget(session)
        # The new province's own 2024 figure, published after the merger for its territory.
        _figures(session, new, BUDGET, {2024: 60 * T})
        indicator = get_indicator(session, code_or_name=BUDGET)
        series = yearly(session, indicator=indicator, region=new, as_of=date(2025, 12, 31))
        session.rollback()
    assert series[2024].value == pytest.approx(60 * T)
    assert series[2024].observation is not None
    assert not any("tính từ số liệu" in note for note in series[2024].notes)
    assert series[2023].value == pytest.approx(50 * T)  # still recomputed: no figure of its own


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_assessment_rests_on_recomputed_years_and_says_so(loaded):
    with transaction(loaded) as session:
        one, old, new = _budget(session)
        plan = _plan(session, new, "kh-moi-2021", 2021, 2025, date(2025, 7, 14))
        target = _target(session, plan, BUDGET, "2025", "level", 70 * T, None)
        result = assess_target(session, target=target, as_of=date(2025, 5, 1)).record()
        english = assess_target(session, target=target, as_of=date(2025, 5, 1), lang="en")
        # Rates do not add up: the urbanisation rate gets no recomputed year, and says why.
        _figures(session, one, "URBANISATION_RATE", {2024: 30.0})
        _figures(session, old, "URBANISATION_RATE", {2024: 40.0})
        rate = _target(session, plan, "URBANISATION_RATE", "2025", "level", 45, None)
        urban = assess_target(session, target=rate, as_of=date(2025, 5, 1)).record()
        # Growth combines, but no part has a level here: the note says what is missing,
        # and only where years before the merger matter (not to a 2026-2030 average).
        growth = _target(session, plan, "GRDP_GROWTH", "2025", "level", 10, None)
        later = _target(session, plan, "GRDP_GROWTH", "2026/2030", "average_growth", 10, None)
        grown = assess_target(session, target=growth, as_of=date(2025, 5, 1)).record()
        ahead = assess_target(session, target=later, as_of=date(2025, 5, 1)).record()
        session.rollback()
    # From 50 (2023) to 58 (2024) is 16% a year; 58 × 1.16 = 67.28 against 70:
    # (67.28 − 50) / (70 − 50) = 0.864 of the way.
    assert result["latest_value"] == pytest.approx(58 * T)
    assert result["baseline_value"] == pytest.approx(50 * T)
    assert result["observed_pace"] == pytest.approx(16.0)
    assert result["projected_value"] == pytest.approx(67.28 * T)
    assert result["progress_ratio"] == pytest.approx(0.864)
    assert result["status"] == "needs_acceleration"
    assert "2024: tính từ số liệu của Tỉnh Một và Tỉnh Mới cũ" in result["note"]
    assert "2023: tính từ số liệu của Tỉnh Một và Tỉnh Mới cũ" in result["note"]
    assert "2024: recomputed from the figures of Tinh Mot and the former Tinh Moi" in (
        english.notes
    )
    assert urban["status"] == "insufficient_data"
    assert urban["latest_value"] is None
    assert "không cộng được" in urban["note"]
    assert "Tỉnh Một và Tỉnh Mới cũ" in urban["note"]
    assert grown["status"] == ahead["status"] == "insufficient_data"
    assert (
        "trước 01/07/2025 chưa năm nào có đủ số liệu của cả Tỉnh Một và Tỉnh Mới cũ để tính lại "
        "(cần Tổng sản phẩm trên địa bàn (GRDP) theo giá so sánh năm trước" in grown["note"]
    )
    assert "Tỉnh Mới cũ" not in ahead["note"]
