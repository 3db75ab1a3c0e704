"""Target assessment checked against values computed by hand."""

import math
from datetime import date

import pytest
from sqlalchemy import select

from chitieu import Source, get_indicator, parse_period, record_observation, transaction
from chitieu._models import Plan, Region, Target
from chitieu.assessment.service import assess, assess_target
from tests.conftest import BACKENDS


def _province(session) -> Region:
    region = Region(code="tinh_thu", name="Tỉnh Thử", level="province")
    session.add(region)
    session.flush()
    return region


def _plan(session, region, start=2019, end=2030, kind="strategy") -> Plan:
    plan = Plan(
        code=f"kh-thu-{start}-{end}",
        title="Kế hoạch thử",
        region=region,
        horizon_start=start,
        horizon_end=end,
        kind=kind,
    )
    session.add(plan)
    session.flush()
    return plan


def _target(session, plan, code, period, measure, low, high, baseline=None) -> Target:
    indicator = get_indicator(session, code_or_name=code)
    target = Target(
        plan=plan,
        row=code[:16],
        label_vi=code,
        indicator=indicator,
        region=plan.region,
        period=period,
        measure=measure,
        minimum=low,
        maximum=high,
        unit=indicator.unit,
        baseline_period=baseline[0] if baseline else None,
        baseline_value=baseline[1] if baseline else None,
    )
    session.add(target)
    session.flush()
    return target


def _figures(session, region, code, values, status="actual"):
    indicator = get_indicator(session, code_or_name=code)
    for period, value in values.items():
        record_observation(
            session,
            indicator=indicator,
            region=region,
            period=parse_period(str(period)),
            value=value,
            status=status,
            source=Source("manual"),
            recorded_by="test",
        )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_growth_average_over_a_period(loaded):
    with transaction(loaded) as session:
        region = _province(session)
        plan = _plan(session, region)
        target = _target(session, plan, "GRDP_GROWTH", "2019/2025", "average_growth", 12, 13)
        _figures(session, region, "GRDP_GROWTH", {2019: 16.0, 2020: 13.0, 2021: 10.0})
        result = assess_target(session, target=target, as_of=date(2022, 6, 30)).record()
    product = 1.16 * 1.13 * 1.10
    average = product ** (1 / 3) - 1
    needed = (1.12**7 / product) ** (1 / 4) - 1
    assert result["observed_pace"] == pytest.approx(average * 100, abs=1e-6)
    assert result["required_pace"] == pytest.approx(needed * 100, abs=1e-6)
    assert needed < average and result["status"] == "on_track"
    assert result["latest_period"] == "2021"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_ranges_count_by_direction_past_their_far_bound(loaded):
    with transaction(loaded) as session:
        region = _province(session)
        plan = _plan(session, region)
        urban = _target(session, plan, "URBANISATION_RATE", "2025", "level", 35, 38, ("2018", 15.3))
        icor = _target(session, plan, "ICOR", "2030", "level", 4, 5)
        _figures(session, region, "URBANISATION_RATE", {2024: 40.0})
        _figures(session, region, "ICOR", {2018: 5.2, 2030: 5.5})
        above_urban = assess_target(session, target=urban, as_of=date(2025, 1, 1)).record()
        above_icor = assess_target(session, target=icor, as_of=date(2031, 1, 1)).record()
    assert above_urban["status"] == "achieved" and "trên mức 38" in above_urban["note"]
    # 2030 is over by 2031: a final verdict, no longer a projection.
    assert above_icor["status"] == "not_achieved" and "trên mức 5" in above_icor["note"]
    assert above_icor["final"] and not above_urban["final"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_range_projected_linearly_from_its_baseline(loaded):
    with transaction(loaded) as session:
        region = _province(session)
        plan = _plan(session, region)
        urban = _target(session, plan, "URBANISATION_RATE", "2025", "level", 35, 38, ("2018", 15.3))
        _figures(session, region, "URBANISATION_RATE", {2020: 18.0, 2022: 22.0})
        result = assess_target(session, target=urban, as_of=date(2023, 1, 1)).record()
    pace = (22.0 - 15.3) / (2022 - 2018)
    projected = 22.0 + pace * 3
    ratio = (projected - 15.3) / (35 - 15.3)
    assert result["observed_pace"] == pytest.approx(pace)
    assert result["projected_value"] == pytest.approx(projected)
    assert result["progress_ratio"] == pytest.approx(ratio)
    assert result["required_pace"] == pytest.approx((35 - 22.0) / 3)
    assert 0.10 <= ratio < 0.95 and result["status"] == "needs_acceleration"


def test_lower_is_better(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        region = _province(session)
        plan = _plan(session, region)
        share = _target(
            session, plan, "GRDP_SHARE_AGRICULTURE", "2025", "level", 9.0, 9.0, ("2018", 19.3)
        )
        _figures(session, region, "GRDP_SHARE_AGRICULTURE", {2022: 14.9})
        result = assess_target(session, target=share, as_of=date(2023, 1, 1)).record()
        session.rollback()
    projected = 14.9 + (14.9 - 19.3) / 4 * 3
    assert result["projected_value"] == pytest.approx(projected)
    assert result["progress_ratio"] == pytest.approx((projected - 19.3) / (9.0 - 19.3))
    assert result["status"] == "needs_acceleration"


def test_a_linear_target_in_points_per_year(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        region = _province(session)
        plan = _plan(session, region)
        reduction = _target(
            session, plan, "POVERTY_REDUCTION", "2019/2025", "change_per_year", 2, 3
        )
        _figures(session, region, "POVERTY_RATE", {2018: 10.0, 2019: 7.5, 2020: 5.5})
        result = assess_target(session, target=reduction, as_of=date(2021, 1, 1)).record()
        session.rollback()
    assert result["observed_pace"] == pytest.approx((2.5 + 2.0) / 2)
    assert result["status"] == "on_track"
    assert result["method"] == "points-per-year"


def test_moving_away_is_deteriorating(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        region = _province(session)
        plan = _plan(session, region)
        forest = _target(session, plan, "FOREST_COVER", "2025", "level", 38, 38, ("2018", 37.5))
        _figures(session, region, "FOREST_COVER", {2022: 37.0})
        result = assess_target(session, target=forest, as_of=date(2023, 1, 1)).record()
        session.rollback()
    assert result["status"] == "deteriorating"


def test_a_year_under_way_against_the_share_elapsed(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        region = _province(session)
        plan = _plan(session, region, 2024, 2024, "annual")
        tourists = _target(session, plan, "TOURISTS", "2024", "level", 2_300_000, 2_300_000)
        _figures(session, region, "TOURISTS", {"2024-H1": 1_000_000}, status="estimate")
        result = assess_target(session, target=tourists, as_of=date(2024, 7, 31)).record()
        session.rollback()
    assert result["progress_ratio"] == pytest.approx((1_000_000 / 2_300_000) / 0.5)
    assert result["status"] == "needs_acceleration"
    assert "mùa vụ" in result["note"] and "ước tính" in result["note"]


def test_every_embedded_target_gets_a_status_with_its_numbers(loaded_sqlite):
    with transaction(loaded_sqlite) as session:
        results = [a.record() for a in assess(session, as_of=date(2026, 11, 23))]
    # 58 + 45 targets of Bắc Giang's plans, 37 after the merger (39 rows, two of which
    # cite a target another row already gives).
    assert len(results) == 140
    assert all(
        r["status"]
        in (
            "achieved",
            "on_track",
            "needs_acceleration",
            "off_track",
            "deteriorating",
            "insufficient_data",
            "not_achieved",
            "succeeded",
        )
        for r in results
    )
    growth = next(
        r for r in results if r["plan_document"] == "249/QĐ-UBND" and r["period"] == "2019/2025"
    )
    # 2019 16,2 (the actual; 16,1 was an October estimate), 2020 13,02, 2021 7,82 (the published
    # figures fill the year the corpus lacked), 2022 19,3, 2023 13,45, 2024 13,87.
    values = [16.2, 13.02, 7.82, 19.3, 13.45, 13.87]
    average = math.prod(1 + v / 100 for v in values) ** (1 / len(values)) - 1
    assert growth["observed_pace"] == pytest.approx(average * 100, abs=1e-6)
    assert "nguồn khác" in growth["note"] and "2021" not in growth["note"]
    grdp_2024 = next(r for r in results if r["plan"] == "kh-ktxh-2024" and r["row"] == "1a")
    # The 2024 plan ended: missed for good, not "off track".
    assert (grdp_2024["latest_value"], grdp_2024["status"]) == (13.87, "not_achieved")
    assert "95,7% kế hoạch" in grdp_2024["note"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_judging_a_whole_plan_reads_ahead_and_agrees_with_each_target_alone(loaded):
    with transaction(loaded) as session:
        day = date(2025, 12, 31)
        together = [result.record() for result in assess(session, as_of=day)]
        targets = session.scalars(select(Target)).all()
        alone = {
            target.id: assess_target(session, target=target, as_of=day).record()
            for target in targets
        }
    assert len(together) == len(alone) > 40
    assert sorted(map(repr, together)) == sorted(map(repr, alone.values()))


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_status_read_ahead_still_cites_the_stored_figure_it_rests_on(loaded):
    """Judged together, targets stand on plain rows; the figure a status rests on is still
    the stored one the report cites (its unit, its source), the same as judged alone."""
    with transaction(loaded) as session:
        day = date(2025, 12, 31)
        together = assess(session, as_of=day)
        cited = [result for result in together if result.latest and result.latest.observation]
        assert len(cited) > 20
        for result in cited:
            alone = assess_target(session, target=result.target, as_of=day)
            assert alone.latest is not None
            assert result.latest.observation is alone.latest.observation
            assert result.latest.observation.unit
