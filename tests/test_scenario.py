"""Scenarios run by hand, Monte Carlo odds, short-series forecasts and their commands."""

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from chitieu import InputError, get_indicator, get_plan, get_region
from chitieu.plan.models import Target
from chitieu.scenario.forecast import forecast
from chitieu.scenario.service import (
    EXAMPLE,
    check_targets,
    load_scenario,
    odds,
    parse_scenario,
    run_scenario,
    target_odds,
)

TWO_YEARS = """
name: hai năm
start_year: 2024
base:
  grdp: 1000000000000
  shares: {agriculture: 20, industry_construction: 50, services: 25, product_taxes: 5}
  population: 1000000
  exchange_rate: 25000
years:
  2025:
    growth: {agriculture: 2, industry_construction: 10, services: 6, product_taxes: 4}
    population_growth: 1
    exchange_rate: 26000
    icor: 4
  2026:
    growth: {agriculture: 3, industry_construction: 8, services: 5, product_taxes: 5}
    population_growth: 1
    exchange_rate: 26000
    deflator: 5
    investment_share: 30
"""


# --- scenarios ------------------------------------------------------------------------


def test_a_two_year_scenario_matches_the_hand_computation():
    start, first, second = run_scenario(parse_scenario(TWO_YEARS))
    assert start.growth is None and start.investment is None
    assert start.per_capita_usd == pytest.approx(1e12 / 1e6 / 25000)  # 40 USD

    # 2025: 0.20·2 + 0.50·10 + 0.25·6 + 0.05·4 = 7.1 %.
    assert first.growth == pytest.approx(7.1)
    # Volumes 20.4, 55, 26.5, 5.2 of a total 107.1.
    assert first.shares == pytest.approx(
        {
            "agriculture": 20.4 / 107.1 * 100,
            "industry_construction": 55 / 107.1 * 100,
            "services": 26.5 / 107.1 * 100,
            "product_taxes": 5.2 / 107.1 * 100,
        }
    )
    assert first.grdp == pytest.approx(1.071e12)
    assert first.population == pytest.approx(1.01e6)
    assert first.per_capita_usd == pytest.approx(1.071e12 / 1.01e6 / 26000)
    # Investment = ICOR × growth × GRDP = 4 × 0.071 × 1 071 tỷ = 304,164 tỷ.
    assert first.investment == pytest.approx(304.164e9)
    assert first.investment_share == pytest.approx(28.4)

    # 2026, weighted by 2025's volumes: (20.4·3 + 55·8 + 26.5·5 + 5.2·5) / 107.1.
    growth = (20.4 * 3 + 55 * 8 + 26.5 * 5 + 5.2 * 5) / 107.1
    assert second.growth == pytest.approx(growth)
    assert second.grdp == pytest.approx(1.071e12 * (1 + growth / 100) * 1.05)
    assert second.population == pytest.approx(1.0201e6)
    assert second.per_capita_usd == pytest.approx(second.grdp / 1.0201e6 / 26000)
    assert second.investment == pytest.approx(0.30 * second.grdp)
    assert second.icor == pytest.approx(30 / growth)
    assert sum(second.shares.values()) == pytest.approx(100)
    assert second.shares["agriculture"] == pytest.approx(
        20.4 * 1.03 / (107.1 * (1 + growth / 100)) * 100
    )


def _broken(old: str, new: str) -> str:
    assert old in TWO_YEARS
    return TWO_YEARS.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _broken("services: 5, product_taxes: 5}", "product_taxes: 5}"),
            "năm 2026, growth.services: thiếu",
        ),
        (
            _broken("exchange_rate: 26000\n    icor", 'exchange_rate: "26000"\n    icor'),
            "năm 2025, exchange_rate: phải là số",
        ),
        (_broken("icor: 4", "icor: 4\n    investment_share: 30"), "năm 2025: cần đúng một"),
        (_broken("    icor: 4\n", ""), "năm 2025: cần đúng một"),
        (
            _broken("population_growth: 1\n", "population_growth: 1\n    inflation: 3\n"),
            "năm 2025, inflation: không có trường này",
        ),
        (_broken("icor: 4", "icor: -1"), "năm 2025, icor: phải dương"),
        (_broken("  2026:", "  2027:"), "năm 2027: các năm phải liền nhau"),
        (_broken("services: 25,", "services: 35,"), "base.shares: tổng các tỷ trọng là 110%"),
        (_broken("population: 1000000", "population: 0"), "base.population: phải dương"),
        (_broken("start_year: 2024", "start_year: true"), "start_year: phải là số nguyên"),
        ("years: [1, 2", "không đọc được YAML"),
    ],
)
def test_a_bad_scenario_names_the_field_and_the_year(text, expected):
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="x.yaml")
    message = str(caught.value)
    assert message.startswith("x.yaml: ")
    assert expected in message
    assert "\n" not in message


def test_the_shipped_example_runs_and_says_it_is_illustrative():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "KHÔNG phải số liệu chính thức" in text
    assert "not official figures" in text
    scenario = load_scenario(EXAMPLE)
    path = run_scenario(scenario)
    assert path[0].year == 2024 and path[0].grdp == 209_150e9
    assert [row.year for row in path] == list(range(2024, 2031))
    assert path[1].growth is not None and 12 < path[1].growth < 14
    assert all(row.investment is not None and row.investment > 0 for row in path[1:])


@pytest.fixture
def readonly(loaded_sqlite: Engine) -> Iterator[Session]:
    """The shared loaded database; nothing is flushed and everything is rolled back."""
    with Session(loaded_sqlite, autoflush=False) as session:
        yield session
        session.rollback()


def test_the_example_checked_against_decision_249(readonly):
    scenario = load_scenario(EXAMPLE)
    path = run_scenario(scenario)
    plan = get_plan(readonly, code_or_number="qd-249-2019")
    checks = {
        (c.target.indicator_code, c.target.period): c
        for c in check_targets(readonly, scenario=scenario, path=path, plan=plan)
    }
    growth_2030 = checks[("GRDP_GROWTH", "2026/2030")]
    expected = math.prod(1 + row.growth / 100 for row in path[2:] if row.growth) ** (1 / 5) - 1
    assert growth_2030.value == pytest.approx(expected * 100)
    assert growth_2030.met is True
    # 2019-2024 come from the database (2021 too: 7,82%, published), 2025 from the scenario.
    growth_2025 = checks[("GRDP_GROWTH", "2019/2025")]
    assert "2024" in growth_2025.basis and "2021" not in " ".join(growth_2025.notes)
    per_capita = checks[("GRDP_PER_CAPITA_USD", "2025")]
    assert per_capita.value == pytest.approx(path[1].per_capita_usd)
    assert per_capita.met is False
    services = checks[("GRDP_SHARE_SERVICES", "2030")]
    assert services.value == pytest.approx(
        path[-1].shares["services"] + path[-1].shares["product_taxes"]
    )
    # ICOR is "lower is better": 4-5 met at 4.3, 3.0 missed at 3.5.
    assert checks[("ICOR", "2030")].met is True
    assert checks[("ICOR", "2025")].met is False
    assert ("GRDP_SHARE_INDUSTRY", "2025") not in checks  # the scenario has no industry alone


# --- odds -----------------------------------------------------------------------------


def _target(session: Session, indicator: str, period: str, measure: str, low, high=None) -> Target:
    return Target(
        plan=get_plan(session, code_or_number="qd-249-2019"),
        row="T",
        label_vi="thử",
        indicator=get_indicator(session, code_or_name=indicator),
        indicator_code=indicator,
        region=get_region(session, code_or_name="bac_giang"),
        period=period,
        measure=measure,
        minimum=low,
        maximum=high,
        unit="%",
    )


AS_OF = date(2025, 6, 30)


def test_odds_are_reproducible_with_a_seed(readonly):
    plan = get_plan(readonly, code_or_number="qd-249-2019")
    first = [o.record() for o in odds(readonly, as_of=AS_OF, plan=plan, runs=2000, seed=7)]
    again = [o.record() for o in odds(readonly, as_of=AS_OF, plan=plan, runs=2000, seed=7)]
    other = [o.record() for o in odds(readonly, as_of=AS_OF, plan=plan, runs=2000, seed=8)]
    assert first == again
    assert first != other
    simulated = [r for r in first if r["status"] == "simulated"]
    assert {r["indicator"] for r in simulated} >= {"GRDP_GROWTH", "GRDP_PER_CAPITA_USD"}
    assert all(0 <= r["probability"] <= 1 for r in simulated)


def test_a_target_far_above_history_is_unlikely_and_far_below_almost_sure(readonly):
    cases = [
        ("GRDP_GROWTH", "2026/2030", "average_growth", 30, 0.0),
        ("GRDP_GROWTH", "2026/2030", "average_growth", 2, 1.0),
        ("GRDP_PER_CAPITA_USD", "2030", "level", 100_000, 0.0),
        ("GRDP_PER_CAPITA_USD", "2030", "level", 1_000, 1.0),
    ]
    for indicator, period, measure, low, expected in cases:
        target = _target(readonly, indicator, period, measure, low)
        result = target_odds(readonly, target=target, as_of=AS_OF, runs=4000, seed=1)
        assert result.status == "simulated", result.notes
        assert result.probability == pytest.approx(expected, abs=0.01), (indicator, low)


def test_fan_quantiles_are_ordered_and_cover_the_remaining_years(readonly):
    target = _target(readonly, "GRDP_PER_CAPITA_USD", "2030", "level", 10_500)
    result = target_odds(readonly, target=target, as_of=AS_OF, runs=4000)
    assert sorted(result.fan) == list(range(2025, 2031))
    for quantiles in [*result.fan.values(), result.outcome]:
        values = [quantiles[k] for k in ("p5", "p25", "p50", "p75", "p95")]
        assert values == sorted(values)
    # A walk spreads out: the 2030 fan is wider than the 2025 one.
    assert result.fan[2030]["p95"] - result.fan[2030]["p5"] > (
        result.fan[2025]["p95"] - result.fan[2025]["p5"]
    )
    assert result.outcome == result.fan[2030]


def test_a_target_whose_year_is_known_is_decided_and_a_thin_history_is_not_simulated(readonly):
    growth_2024 = _target(readonly, "GRDP_GROWTH", "2024", "level", 14.5)
    decided = target_odds(readonly, target=growth_2024, as_of=AS_OF, runs=500)
    assert decided.status == "decided" and decided.probability == 0.0  # 13.87 < 14.5
    hdi = _target(readonly, "HDI", "2030", "level", 0.82)
    thin = target_odds(readonly, target=hdi, as_of=AS_OF, runs=500)
    assert thin.status == "insufficient_data" and thin.probability is None
    assert "ít nhất 3 năm" in thin.notes[0]


def test_odds_refuse_too_few_runs(readonly):
    with pytest.raises(InputError, match="100"):
        odds(readonly, as_of=AS_OF, runs=10)


# --- forecasts ------------------------------------------------------------------------


def _line(year: int) -> float:
    return 5.0 + 0.8 * (year - 2012)


def test_a_linear_series_is_forecast_near_the_line_inside_the_interval():
    result = forecast({year: _line(year) for year in range(2012, 2022)}, horizon=4)
    assert [item.year for item in result.years] == [2022, 2023, 2024, 2025]
    for step, item in enumerate(result.years, start=1):
        line = _line(item.year)
        assert item.lower <= item.value <= item.upper
        assert item.lower <= line + 1e-6 and line - 1e-6 <= item.upper
        # Theta keeps only half the trend, so the average lags by at most 0.8·h/4.
        assert abs(item.value - line) <= 0.2 * step + 1e-6
        assert set(item.methods) == {"random_walk_drift", "damped_smoothing", "theta"}
        assert item.methods["random_walk_drift"] == pytest.approx(line)


def test_a_noisy_line_keeps_the_line_inside_the_interval():
    noise = np.random.default_rng(3).normal(0, 0.3, 12)
    values = {2010 + i: _line(2010 + i) + float(noise[i]) for i in range(12)}
    result = forecast(values, horizon=3)
    for item in result.years:
        assert item.lower <= item.value <= item.upper
        assert item.lower <= _line(item.year) <= item.upper
    widths = [item.upper - item.lower for item in result.years]
    assert widths == sorted(widths)


def test_amounts_compound_on_logs_and_gaps_are_interpolated_and_named():
    values = {year: 100 * 1.1 ** (year - 2015) for year in range(2015, 2024) if year != 2019}
    result = forecast(values, horizon=2, log_scale=True)
    assert result.interpolated == [2019]
    assert "2019" in result.notes[0]
    expected = 100 * 1.1**9
    assert result.years[0].value == pytest.approx(expected, rel=0.02)
    assert result.years[0].lower <= expected <= result.years[0].upper


def test_a_flat_series_is_forecast_flat():
    result = forecast({year: 7.0 for year in range(2015, 2021)}, horizon=2)
    assert all(item.value == item.lower == item.upper == 7.0 for item in result.years)


def test_a_series_shorter_than_five_years_is_refused():
    with pytest.raises(InputError, match="ít nhất 5 năm"):
        forecast({2020: 1.0, 2021: 2.0, 2022: 3.0, 2023: 4.0})


# --- commands -------------------------------------------------------------------------


def chitieu(*args: str, db: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CHITIEU_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", db, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def db(loaded_sqlite: Engine) -> str:
    return loaded_sqlite.url.render_as_string(hide_password=False)


def test_scenario_example_written_then_run(tmp_path, db):
    out = tmp_path / "kich_ban.yaml"
    written = chitieu("scenario", "example", str(out), db=db)
    assert written.returncode == 0, written.stderr
    assert out.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    again = chitieu("scenario", "example", str(out), db=db)
    assert again.returncode == 1 and "--force" in again.stderr

    table = chitieu("scenario", "run", str(out), "--plan", "qd-249-2019", db=db)
    assert table.returncode == 0, table.stderr
    for shown in ("209,2", "13,29", "không phải dự báo", "Tốc độ tăng trưởng GRDP", "chưa đạt"):
        assert shown in table.stdout

    data = chitieu(
        "scenario", "run", "--example", "--plan", "qd-249-2019", "--format", "json", db=db
    )
    assert data.returncode == 0, data.stderr
    result = json.loads(data.stdout)
    assert [row["year"] for row in result["path"]] == list(range(2024, 2031))
    assert result["path"][1]["investment_required"] == pytest.approx(
        result["path"][1]["icor"] * result["path"][1]["growth"] / 100 * result["path"][1]["grdp"]
    )
    met = {(t["indicator"], t["period"]): t["met"] for t in result["targets"]}
    assert met[("GRDP_GROWTH", "2026/2030")] is True
    assert met[("GRDP_PER_CAPITA_USD", "2030")] is False


def test_scenario_run_reports_a_bad_file_in_one_line(tmp_path, db):
    bad = tmp_path / "bad.yaml"
    bad.write_text(_broken("icor: 4", "icor: bốn"), encoding="utf-8")
    result = chitieu("scenario", "run", str(bad), db=db)
    assert result.returncode == 1
    assert "năm 2025, icor: phải là số" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    neither = chitieu("scenario", "run", db=db)
    assert neither.returncode == 1 and "--example" in neither.stderr


def test_scenario_odds_json_on_the_loaded_database(db):
    args = ("scenario", "odds", "--plan", "qd-249-2019", "--as-of", "2025-06-30")
    result = chitieu(*args, "--runs", "1000", "--seed", "5", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    again = chitieu(*args, "--runs", "1000", "--seed", "5", "--format", "json", db=db)
    assert json.loads(again.stdout) == records
    growth = next(
        r for r in records if r["indicator"] == "GRDP_GROWTH" and r["period"] == "2026/2030"
    )
    assert growth["status"] == "simulated" and 0 <= growth["probability"] <= 1
    assert [row["year"] for row in growth["fan"]] == [2026, 2027, 2028, 2029, 2030]
    for row in growth["fan"]:
        assert row["p5"] <= row["p25"] <= row["p50"] <= row["p75"] <= row["p95"]
    assert growth["runs"] == 1000 and growth["seed"] == 5

    table = chitieu(*args, "--runs", "500", db=db)
    assert table.returncode == 0, table.stderr
    assert "Xác suất đạt" in table.stdout and "Quạt phân vị" in table.stdout


def test_forecast_command(db):
    result = chitieu("forecast", "GRDP_GROWTH", "--years", "3", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [row["year"] for row in data["forecast"]] == [2025, 2026, 2027]
    assert all(r["lower"] <= r["value"] <= r["upper"] for r in data["forecast"])
    # 2016-2024 without a gap: 2021's 7,82% is one of the published figures.
    assert data["interpolated"] == []
    table = chitieu("forecast", "GRDP_GROWTH", db=db)
    assert table.returncode == 0 and "dự báo" in table.stdout and "7,82" in table.stdout
    # Labour productivity has two years (2020, 2023); GRDP per capita now has 2018-2024.
    short = chitieu("forecast", "LABOUR_PRODUCTIVITY", db=db)
    assert short.returncode == 1
    assert "ít nhất 5 năm" in short.stderr and "LABOUR_PRODUCTIVITY" in short.stderr
