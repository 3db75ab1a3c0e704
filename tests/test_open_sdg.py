"""Open SDG's progress measure: the oracle's 300 cases, properties, and ``chitieu progress``."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chitieu.assessment.open_sdg import Case, Config, Result, Thresholds, progress
from tests.conftest import SHARED

ORACLE = SHARED / "oracle" / "open_sdg_progress_cases.jsonl"
ORACLE_CASES = [json.loads(line) for line in ORACLE.read_text(encoding="utf-8").splitlines()]
EDGES = SHARED / "oracle" / "open_sdg_progress_edge_cases.jsonl"
EDGE_CASES = [json.loads(line) for line in EDGES.read_text(encoding="utf-8").splitlines()]


def close(got: float | None, expected: float | None) -> bool:
    if got is None or expected is None:
        return got is expected
    if math.isnan(expected) or math.isinf(expected):
        return math.isnan(got) if math.isnan(expected) else got == expected
    return abs(got - expected) <= 1e-9 * max(1.0, abs(expected))


def same(got: dict[str, Any], expected: dict[str, Any]) -> bool:
    if got.keys() != expected.keys():
        return False
    return all(
        close(got[k], expected[k]) if k in ("score", "progress_value") else got[k] == expected[k]
        for k in expected
    )


@pytest.fixture(scope="module")
def oracle_results() -> dict[str, dict[str, Any]]:
    """All 300 series in one vectorized call."""
    results = progress([Case.from_record(c) for c in ORACLE_CASES])
    return {str(r.id): r.record() for r in results}


@pytest.mark.parametrize("case", ORACLE_CASES, ids=[c["id"] for c in ORACLE_CASES])
def test_every_oracle_case_matches_open_sdg(case, oracle_results):
    got = dict(oracle_results[case["id"]])
    assert got.pop("id") == case["id"]
    assert same(got, case["expected"]), (got, case["expected"])


def test_the_oracle_covers_errors_no_score_and_every_status(oracle_results):
    statuses = {r.get("status", r.get("error")) for r in oracle_results.values()}
    assert statuses == {
        "",
        "ValueError",
        "target_achieved",
        "substantial_progress",
        "moderate_progress",
        "limited_progress",
        "deterioration",
    }


# --- Open SDG, one series at a time, with the Python and numpy types it holds ----------


def open_sdg_reference(
    years: list[int], values: list[float | None], config: dict[str, Any]
) -> dict[str, Any]:
    """sdg-build's SeriesProgress then IndicatorProgress, scalar, for one headline series.

    The latest year and a moved base year are numpy integers (pandas), a base year
    found as given stays a Python int: the arithmetic then differs exactly as there.
    """
    base_year: Any = config.get("base_year", 2015)
    target = config.get("target")
    if target == 0:
        target = 0.001
    target_year = config.get("target_year", 2030)
    direction = 1 if config.get("direction") == "positive" else -1
    limit = config.get("limit")
    method = 1 if target is None else 2
    user_thresholds = config.get("progress_thresholds", {})
    rows = [(y, float(v)) for y, v in zip(years, values, strict=True) if v is not None]
    seen = [y for y, _ in rows]
    if len(set(seen)) != len(seen):
        return {"error": "Exception"}
    if not rows:
        return {"score": None, "status": "", "progress_value": None}
    by_year = dict(rows)
    year_array = np.array(seen, dtype=np.int64)
    current_year = year_array.max()
    current_value = by_year[int(current_year)]
    if base_year not in year_array:
        later = year_array[year_array > base_year]
        if later.size == 0:
            return {"error": "ValueError"}
        base_year = later.min()
    base_value = by_year[int(base_year)]
    sign = -1 if base_value < 0 else 1
    bands = (
        {"high": 0.015, "med": 0.005, "low": 0.0}
        if method == 1
        else {"high": 0.95, "med": 0.6, "low": 0.0}
    )
    bands.update(user_thresholds)
    high, med, low = bands["high"], bands["med"], bands["low"]
    coeff: float = bands.get("coefficient", 1) if method == 1 else 1
    if method == 1 and limit is not None:
        b, lim = abs(base_value), abs(limit)
        if b >= 2 * lim:
            coeff = 1
        elif b <= lim:
            coeff = 1 - (b / lim) ** 4.44
        else:
            coeff = 1 - ((2 * lim - b) / lim) ** 4.44
        high, med, low = high * coeff, med * coeff, low * coeff
    achieved = target is not None and (
        (direction == -1 and current_value <= target)
        or (direction == 1 and current_value >= target)
    )

    def growth(a: Any, b: Any, t: Any, u: Any) -> Any:
        return ((a / b) ** (1 / (t - u))) - 1

    value: Any = None
    if base_value == 0:
        base_value = 0.001
    opposite = (base_value > 0 and current_value < 0) or (base_value < 0 and current_value > 0)
    if not opposite and current_year - base_year >= 1:
        try:
            with np.errstate(all="ignore"):
                observed = (
                    sign * direction * growth(current_value, base_value, current_year, base_year)
                )
                if method == 1:
                    value = observed
                else:
                    value = observed / abs(growth(target, base_value, target_year, base_year))
        except (ZeroDivisionError, OverflowError) as exc:
            return {"error": type(exc).__name__}
    score: Any = None
    if achieved:
        score = 5
    elif value is None:
        score = None
    elif method == 1:
        if value < low:
            score = max(125 * value - 2.5, -5)
        elif coeff == 0:
            score = 5
        elif value >= high:
            score = min(500 * value / coeff - 5, 5)
        elif value >= med:
            score = 250 * value / coeff - 1.25
        elif value >= low:
            score = 500 * value / coeff - 2.5
    elif value >= high or value >= med:
        score = min((7.1429 * value) - 4.2857, 5)
    elif value >= low or value < low:
        score = max((4.1667 * value) - 2.5, -5)
    status = ""
    if score is not None:
        score = float(np.mean([score]))
        if achieved:
            status = "target_achieved"
        elif 2.5 <= score <= 5:
            status = "substantial_progress"
        elif 0 <= score < 2.5:
            status = "moderate_progress"
        elif -2.5 <= score < 0:
            status = "limited_progress"
        elif -5 <= score < -2.5:
            status = "deterioration"
        else:
            status = None
    return {
        "score": score,
        "status": status,
        "progress_value": None if value is None else float(value),
    }


def test_the_reference_reproduces_the_oracle():
    for case in ORACLE_CASES:
        got = open_sdg_reference(case["years"], case["values"], case["config"])
        assert same(got, case["expected"]), (case, got)


# --- generated series -------------------------------------------------------------------

nice_values = st.floats(min_value=0.05, max_value=5000, allow_nan=False).map(lambda v: round(v, 4))
any_values = st.one_of(
    nice_values,
    nice_values.map(lambda v: -v),
    st.sampled_from([0.0, 1.0, -1.0, 2.0]),
    st.none(),
)


@st.composite
def configs(draw: st.DrawFn, *, values: st.SearchStrategy[float] = any_values) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if draw(st.booleans()):
        config["base_year"] = draw(st.integers(2008, 2030))
    if draw(st.booleans()):
        config["target"] = draw(st.one_of(values.filter(lambda v: v is not None), st.just(0)))
        if draw(st.booleans()):
            config["target_year"] = draw(st.integers(2008, 2035))
    if draw(st.booleans()):
        config["direction"] = draw(st.sampled_from(["positive", "negative", "Positive"]))
    if draw(st.booleans()):
        config["limit"] = draw(st.one_of(nice_values, st.sampled_from([0, 1, 2, -3])))
    if draw(st.integers(0, 3)) == 0:
        edges = st.sampled_from([0.0, 0.001, 0.01, 0.02, 0.5, 0.8, 1.0, -0.01])
        config["progress_thresholds"] = draw(
            st.dictionaries(st.sampled_from(["high", "med", "low", "coefficient"]), edges)
        )
    return config


@st.composite
def series(draw: st.DrawFn, *, unique: bool = False, values: Any = any_values) -> dict[str, Any]:
    years = draw(st.lists(st.integers(2008, 2032), min_size=0, max_size=12, unique=unique))
    return {
        "years": years,
        "values": draw(st.lists(values, min_size=len(years), max_size=len(years))),
        "config": draw(configs()),
    }


def run(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cases = [Case.from_record({"id": i, **r}) for i, r in enumerate(records)]
    out = []
    for result in progress(cases):
        record = result.record()
        record.pop("id")
        out.append(record)
    return out


@given(st.lists(series(), min_size=1, max_size=30))
def test_the_vectorized_batch_equals_open_sdg_series_by_series(records):
    got = run(records)
    for record, result in zip(records, got, strict=True):
        expected = open_sdg_reference(record["years"], record["values"], record["config"])
        assert same(result, expected), (record, result, expected)


@given(st.lists(series(), min_size=2, max_size=20), st.randoms(use_true_random=False))
def test_a_result_does_not_depend_on_the_rest_of_the_batch(records, rnd):
    shuffled = list(enumerate(records))
    rnd.shuffle(shuffled)
    alone = run(records)
    mixed = run([r for _, r in shuffled])
    for (i, _), result in zip(shuffled, mixed, strict=True):
        assert same(result, alone[i])


positive_series = series(unique=True, values=nice_values)


@given(positive_series, st.integers(-20, 20))
def test_scaling_values_target_and_limit_by_a_power_of_two_changes_nothing(record, power):
    factor = 2.0**power
    config = dict(record["config"])
    for key in ("target", "limit"):
        if key in config:
            config[key] = config[key] * factor
    scaled = {
        "years": record["years"],
        "values": [v * factor for v in record["values"]],
        "config": config,
    }
    assume(config.get("target") != 0)
    before, after = run([record, scaled])
    assert same(after, before)


@given(positive_series, st.floats(min_value=0.001, max_value=1000))
def test_scaling_by_any_positive_constant_keeps_score_and_status(record, factor):
    config = dict(record["config"])
    assume(config.get("target") != 0)
    for key in ("target", "limit"):
        if key in config:
            config[key] = config[key] * factor
    if "target" in config and record["values"]:
        # a latest value within rounding of the target could tip "achieved"
        latest = record["values"][record["years"].index(max(record["years"]))]
        assume(abs(latest - record["config"]["target"]) > 1e-6 * abs(latest))
    scaled = {
        "years": record["years"],
        "values": [v * factor for v in record["values"]],
        "config": config,
    }
    before, after = run([record, scaled])
    assert before.keys() == after.keys()
    if "error" in before:
        assert before == after
        return
    if before["score"] is None:
        assert after["score"] is None and after["status"] == before["status"]
        return
    # Open SDG's target score jumps by 2e-5 at R = 0.6; away from it the score is smooth.
    assert math.isclose(after["score"], before["score"], rel_tol=1e-6, abs_tol=1e-4)
    edges = (2.5, 0.0, -2.5)
    if all(abs(before["score"] - e) > 1e-4 for e in edges):
        assert after["status"] == before["status"]


@given(series(values=st.one_of(any_values)))
def test_reversing_direction_flips_the_progress_of_a_series_without_target(record):
    config = {k: v for k, v in record["config"].items() if k not in ("target", "target_year")}
    up = {**record, "config": {**config, "direction": "positive"}}
    down = {**record, "config": {**config, "direction": "negative"}}
    rising, falling = run([up, down])
    if "error" in rising:
        assert rising == falling
        return
    if rising["progress_value"] is None:
        assert falling["progress_value"] is None
    else:
        assert falling["progress_value"] == -rising["progress_value"]


@given(st.lists(series(), min_size=1, max_size=20))
def test_scores_and_statuses_stay_in_open_sdg_bands(records):
    bands = {
        "substantial_progress": (2.5, 5),
        "moderate_progress": (0, 2.5),
        "limited_progress": (-2.5, 0),
        "deterioration": (-5, -2.5),
    }
    for record, result in zip(records, run(records), strict=True):
        if "error" in result:
            continue
        if result["score"] is None:
            assert result["status"] == ""
        elif result["status"] == "target_achieved":
            assert result["score"] == 5.0
        elif result["status"] is None:  # user thresholds can push a score out of every band
            assert not -5 <= result["score"] <= 5
            assert "progress_thresholds" in record["config"]
        else:
            low, high = bands[result["status"]]
            assert low <= result["score"] <= high


# --- quirks the oracle does not show, as sdg-build's code has them ------------------------


def one(years: list[int], values: list[float | None], **config: Any) -> Result:
    return progress([Case("x", years, values, Config(**config))])[0]


def test_duplicate_years_are_a_bare_exception_but_not_when_one_value_is_missing():
    assert one([2015, 2016, 2016], [1, 2, 3]).error == "Exception"
    assert one([2015, 2016, 2016], [1, 2, None]).progress_value == -1.0  # negative by default


def test_opposite_signs_give_no_value_unless_the_target_is_achieved():
    assert one([2015, 2020], [2, -1]) == Result("x", None, "", None)
    achieved = one([2015, 2020], [2, -1], target=0.5, target_year=2025)
    assert (achieved.score, achieved.status, achieved.progress_value) == (
        5.0,
        "target_achieved",
        None,
    )


def test_a_target_year_equal_to_the_base_year_divides_by_zero_only_as_given():
    assert one([2015, 2020], [4, 3], target=1, target_year=2015).error == "ZeroDivisionError"
    moved = one([2016, 2020], [4, 3], target=1, target_year=2016)
    # 1/np.int64(0) is inf: (1/4)^inf - 1 = -1, so R is the observed growth itself
    assert moved.error is None
    assert moved.progress_value == pytest.approx(-(0.75**0.25 - 1))


def test_a_base_value_of_zero_keeps_its_sign_and_limit_from_zero():
    result = one([2015, 2017], [0, 0.004], direction="positive", limit=10)
    assert result.progress_value == pytest.approx(1.0)  # (0.004/0.001)^(1/2) - 1
    assert result.score == 5.0


def test_no_values_at_all_is_no_score_and_no_error():
    assert one([], []) == Result("x", None, "", None)
    assert one([2015, 2016], [None, None]) == Result("x", None, "", None)


# --- chitieu progress ---------------------------------------------------------------------


def chitieu(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CHITIEU_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "chitieu", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def check_command_output(path: Path, cases: list[dict[str, Any]]) -> None:
    result = chitieu("progress", str(path), "--method", "open-sdg")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == [c["id"] for c in cases]
    for line, case in zip(lines, cases, strict=True):
        fields = (
            {"id", "error"}
            if "error" in case["expected"]
            else {
                "id",
                "score",
                "status",
                "progress_value",
            }
        )
        assert set(line) == fields
        line.pop("id")
        assert same(line, case["expected"]), (case["id"], line)


def test_the_command_prints_open_sdg_results_for_the_oracle_file():
    check_command_output(ORACLE, ORACLE_CASES)


def test_the_command_matches_open_sdg_on_every_edge_case():
    """Thresholds, series, 2015.0 and "2015-2016" years, a float base year: all 78."""
    check_command_output(EDGES, EDGE_CASES)


@pytest.mark.parametrize("case", EDGE_CASES, ids=[c["id"] for c in EDGE_CASES])
def test_the_scalar_reference_reads_each_edge_case_as_sdg_build(case):
    parsed = Case.from_record(case)
    if parsed.raises:
        assert case["expected"] == {"error": parsed.raises}
        return
    got = open_sdg_reference(list(parsed.years), list(parsed.values), case["config"])
    assert same(got, case["expected"]), (got, case["expected"])


def test_edge_cases_cover_the_input_forms_that_were_refused():
    configs = [c["config"] for c in EDGE_CASES]
    assert any("progress_thresholds" in c for c in configs)
    assert any("series" in c for c in configs)
    assert any(isinstance(c.get("base_year"), float) for c in configs)
    years = [y for c in EDGE_CASES for y in c["years"]]
    assert any(isinstance(y, str) for y in years) and any(isinstance(y, float) for y in years)


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ([2015, 2016], [2015, 2016]),
        ([2015.0, 2016], [2015, 2016]),  # a float column prints 2016 as 2016.0
        ([2015.9, 2016.2], [2015, 2016]),  # the first four characters, not rounding
        (["2015-2016", 2017], [2015, 2017]),
        (["2015/16", "2017"], [2015, 2017]),
        ([20151, 2016], [2015, 2016]),  # any year longer than four characters slices all
    ],
)
def test_years_are_read_as_sdg_build_slices_them(years, expected):
    case = Case.from_record({"id": "y", "years": years, "values": [1.0] * len(years)})
    assert (list(case.years), case.raises) == (expected, None)


@pytest.mark.parametrize(
    ("record", "error"),
    [
        ({"years": ["abcd-e", 2016], "values": [1, 2]}, "ValueError"),  # int("abcd") fails
        ({"years": ["2015", "2016"], "values": [1, 2]}, "TypeError"),  # str > int compare
        ({"years": ["2015", "2016"], "values": [None, None]}, None),  # no data: no compare
        ({"years": [2015, 2016], "values": [1, 2], "config": {"series": 5}}, "TypeError"),
        (
            {"years": [2015], "values": [1], "config": {"disaggregation": [{"field": "x"}]}},
            "KeyError",
        ),
    ],
)
def test_what_sdg_build_raises_on_is_that_line_s_error(record, error):
    assert Case.from_record({"id": "e", **record}).raises == error


def test_user_thresholds_pick_the_band_and_may_leave_the_score_out_of_every_band():
    # 10 -> 9 over 5 years: v = 0.0209 >= default high 0.015, but below a high of 0.03
    assert one([2015, 2020], [10, 9]).score == 5.0
    moved = one([2015, 2020], [10, 9], thresholds=Thresholds(high=0.03, med=0.01))
    assert moved.score == pytest.approx(250 * 0.0208516376390232 - 1.25)
    # a high band edge above the med formula's reach: 250 v - 1.25 > 5, in no band
    outside = one([2015, 2016], [10, 5], thresholds=Thresholds(high=1.0, med=0.01))
    assert outside.score == pytest.approx(250 * 0.5 - 1.25) and outside.status is None
    # a user's coefficient divides the no-target score only when there is no limit
    halved = one([2015, 2020], [10, 9.9], thresholds=Thresholds(coefficient=0.5))
    assert halved.score == pytest.approx(500 * (1 - 0.99**0.2) / 0.5 - 2.5)


def run_lines(tmp_path: Path, content: str, *args: str) -> subprocess.CompletedProcess[str]:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(content, encoding="utf-8")
    return chitieu("progress", str(cases), *args)


def test_a_bad_line_is_its_own_error_and_the_rest_is_still_measured(tmp_path: Path):
    result = run_lines(
        tmp_path,
        '{"id": "a", "years": [2015, 2016], "values": [1, 2]}\n\n'
        '{"id": "b", "years": [20\n'
        '{"id": "c", "years": [2015, 2016], "values": [1, "hai"]}\n'
        '{"id": "d", "years": [2015, 2020], "values": [10, 9]}\n',
    )
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", None, "c", "d"]
    assert lines[0]["status"] == "deterioration" and lines[3]["score"] == 5.0
    assert lines[1] == {
        "id": None,
        "line": 3,
        "error": "invalid_input",
        "message": lines[1]["message"],
    }
    assert "không đọc được JSON" in lines[1]["message"]
    assert lines[2]["line"] == 4 and "'values' phải là danh sách số" in lines[2]["message"]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2 and "dòng 3:" in errors[0] and "dòng 4:" in errors[1]
    assert "Traceback" not in result.stderr


def test_an_unknown_method_is_one_line_and_a_non_zero_exit(tmp_path: Path):
    result = run_lines(
        tmp_path, '{"id": "a", "years": [2015], "values": [1]}\n', "--method", "un-sdsn"
    )
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "không có phương pháp 'un-sdsn'" in lines[0]


def test_an_option_sdg_build_ignores_is_ignored_with_a_warning(tmp_path: Path):
    result = run_lines(
        tmp_path, '{"id": "a", "years": [2015, 2020], "values": [10, 9], "config": {"traget": 5}}\n'
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["score"] == 5.0
    assert "traget" in result.stderr


NONFINITE = (
    '{"id": "nan", "years": [2016, 2020], "values": [10, 8], '
    '"config": {"target": -5, "target_year": 2030}}\n'
    '{"id": "inf", "years": [2015, 2020], "values": [10, 12], '
    '"config": {"target": 10, "direction": "positive"}}\n'
    '{"id": "-inf", "years": [2015, 2020], "values": [10, 12], "config": {"target": 10}}\n'
)


def test_without_strict_json_nan_and_infinity_are_python_json_tokens(tmp_path: Path):
    result = run_lines(tmp_path, NONFINITE)
    assert result.returncode == 0, result.stderr
    assert '"progress_value": NaN' in result.stdout
    assert '"progress_value": Infinity' in result.stdout
    assert '"progress_value": -Infinity' in result.stdout


def test_strict_json_writes_null_and_says_which_value_it_was(tmp_path: Path):
    result = run_lines(tmp_path, NONFINITE, "--strict-json")
    assert result.returncode == 0, result.stderr

    def strict(token: str) -> None:
        raise AssertionError(f"not strict JSON: {token}")

    lines = [json.loads(line, parse_constant=strict) for line in result.stdout.splitlines()]
    assert [(line["progress_value"], line["nonfinite"]) for line in lines] == [
        (None, {"progress_value": "NaN"}),
        (None, {"progress_value": "Infinity"}),
        (None, {"progress_value": "-Infinity"}),
    ]
    assert lines[1]["status"] == "target_achieved"
