"""The indicator chart: a Vega-Lite spec from plain data, and its SVG in both languages."""

from __future__ import annotations

import re
from typing import Any

from altair.vegalite.v6.schema.core import TopLevelSpec

from chitieu.chart._phone import for_phone
from chitieu.chart._render import to_svg
from chitieu.chart.indicator import (
    FanYear,
    SeriesPoint,
    TargetMark,
    axis_unit,
    drawable,
    indicator_chart,
)
from chitieu.chart.scenario import Band
from chitieu.chart.scenario import fan_chart as scenario_fan_chart

POINTS = [
    SeriesPoint(2019, 16.2),
    SeriesPoint(2020, 13.02, "estimate"),
    SeriesPoint(2021, 7.8),
    SeriesPoint(2022, 19.3),
    SeriesPoint(2023, 13.45),
    SeriesPoint(2024, 13.85, "preliminary"),
]
RANGE = TargetMark("249/QĐ-UBND 2019-2025", 2019, 2025, 12.0, 13.0, "average_growth")
SINGLE = TargetMark("KH 2024", 2024, 2024, 14.5, 14.5)
OPEN = TargetMark("≥ 90", 2030, 2030, 90.0, None)
CUMULATIVE = TargetMark("lũy kế", 2021, 2025, 500.0, 500.0, "cumulative")


def layers(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each layer by name; every layer carries its own rows inline."""
    return {layer["name"]: layer for layer in spec["layer"]}


def rows(layer: dict[str, Any]) -> list[dict[str, Any]]:
    return list(layer["data"]["values"])


def test_each_kind_of_target_gets_its_own_mark_and_cumulative_ones_none():
    spec = indicator_chart(
        title="GRDP", unit="%", points=POINTS, targets=[RANGE, SINGLE, OPEN, CUMULATIVE]
    )
    TopLevelSpec.validate(spec)
    named = layers(spec)
    (band,) = rows(named["targets"])
    assert named["targets"]["mark"]["type"] == "rect"
    assert (band["y"], band["y2"]) == (RANGE.minimum, RANGE.maximum)
    # The band spans the years the average is taken over.
    assert band["x"] < RANGE.first_year < RANGE.last_year < band["x2"]
    values = rows(named["target_values"])
    assert named["target_values"]["mark"]["type"] == "rule"
    assert sorted(row["y"] for row in values) == [SINGLE.minimum, OPEN.minimum]
    assert {row["year"] for row in rows(named["target_points"])} == {2024, 2030}
    every = [row for layer in named.values() for row in rows(layer)]
    assert not any(row.get("label") == CUMULATIVE.label for row in every)
    assert not drawable(CUMULATIVE) and drawable(OPEN)
    assert not drawable(TargetMark("no bounds", 2025, 2025, None, None))


def test_estimates_are_drawn_apart_from_actuals():
    named = layers(indicator_chart(title="GRDP", unit="%", points=POINTS))
    assert named["actuals"]["mark"]["filled"] is True
    assert named["estimates"]["mark"]["filled"] is False
    series = rows(named["series"])
    assert [row["year"] for row in series] == [p.year for p in POINTS]
    statuses = {row["year"]: row["status"] for row in series}
    assert statuses[2020] == "estimate" and statuses[2024] == "preliminary"
    assert "actual" in named["actuals"]["transform"][0]["filter"]
    assert named["estimates"]["transform"][0]["filter"].startswith("!(")


def test_forecast_continues_from_the_last_figure():
    fan = [FanYear(2025, 14.0, 11.0, 17.0), FanYear(2026, 14.2, 10.0, 18.0)]
    named = layers(indicator_chart(title="GRDP", unit="%", points=POINTS, fan=fan))
    line = rows(named["forecast"])
    assert [row["year"] for row in line] == [2024, 2025, 2026]
    assert line[0]["value"] == POINTS[-1].value
    assert named["forecast"]["mark"]["strokeDash"]
    assert [(row["lower"], row["upper"]) for row in line[1:]] == [(11.0, 17.0), (10.0, 18.0)]
    assert "forecast" not in layers(indicator_chart(title="GRDP", unit="%", points=POINTS))


def test_axis_titles_follow_the_language():
    vi = indicator_chart(title="Tăng trưởng", unit="%", points=POINTS, lang="vi")
    en = indicator_chart(title="Growth", unit="%", points=POINTS, lang="en")
    assert layers(vi)["series"]["encoding"]["x"]["title"] == "Năm"
    assert layers(en)["series"]["encoding"]["x"]["title"] == "Year"
    legend_vi = layers(vi)["actuals"]["encoding"]["color"]["scale"]["domain"]
    assert legend_vi == ["Thực hiện", "Ước tính, sơ bộ"]


def test_the_legend_names_only_what_is_drawn_each_in_its_colour():
    # Four entries on a phone's two columns for a chart of two kinds was noise to decode.
    plain = indicator_chart(title="x", unit="%", points=[SeriesPoint(2024, 1.0)])
    scale = layers(plain)["actuals"]["encoding"]["color"]["scale"]
    assert (scale["domain"], scale["range"]) == (["Thực hiện"], ["#0b3d60"])
    full = indicator_chart(
        title="x",
        unit="%",
        points=POINTS,
        targets=[SINGLE],
        fan=[FanYear(2025, 14.0, 13.0, 15.0)],
        lang="en",
    )
    scale = layers(full)["forecast"]["encoding"]["color"]["scale"]
    assert scale["domain"] == [
        "Actual",
        "Estimate, preliminary",
        "Plan target",
        "Forecast (interval)",
    ]
    assert scale["range"] == ["#0b3d60", "#2f81f7", "#d29922", "#8250df"]


def test_large_amounts_are_shown_in_a_readable_unit():
    assert axis_unit("VND", [1.2e14], "vi") == (1e12, "nghìn tỷ đồng")
    assert axis_unit("VND", [5e10], "en") == (1e9, "billion VND")
    # A per-hectare amount too: 140 triệu đồng/ha, as the tables show it.
    assert axis_unit("VND/ha", [1.4e8], "vi") == (1e6, "triệu đồng/ha")
    assert axis_unit("USD", [3e9], "vi") == (1e9, "tỷ USD")
    assert axis_unit("%", [13.5], "vi") == (1.0, "%")
    spec = indicator_chart(
        title="Thu ngân sách",
        unit="VND",
        points=[SeriesPoint(2023, 1.2e13), SeriesPoint(2024, 1.3e13)],
        targets=[TargetMark("2024", 2024, 2024, 1.276e13, 1.276e13)],
    )
    named = layers(spec)
    assert [row["value"] for row in rows(named["series"])] == [12.0, 13.0]
    assert rows(named["target_values"])[0]["y"] == 12.76
    assert named["series"]["encoding"]["y"]["title"] == "nghìn tỷ đồng"


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_svg_numbers_follow_the_locale():
    points = [SeriesPoint(2020 + i, 4000.0 + 250 * i) for i in range(5)]
    spec = indicator_chart(title="GRDP/người", unit="USD/người", points=points)
    vi = _tick_labels(to_svg(spec, lang="vi"))
    en = _tick_labels(to_svg(spec, lang="en"))
    assert "4.400" in vi and "4,400" in en
    # Years are years, not thousands.
    assert "2022" in vi and "2.022" not in vi
    decimals = indicator_chart(
        title="x", unit="%", points=[SeriesPoint(2020, 10.1), SeriesPoint(2021, 10.9)]
    )
    assert any(re.fullmatch(r"10,\d", label) for label in _tick_labels(to_svg(decimals)))


def test_text_in_the_chart_is_escaped_in_the_svg():
    svg = to_svg(indicator_chart(title="<script>alert(1)</script>", unit="%", points=POINTS))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_chart_with_nothing_to_draw_still_renders():
    spec = indicator_chart(title="Trống", unit="%", points=[])
    assert [layer["name"] for layer in spec["layer"]] == ["series"]
    assert to_svg(spec).lstrip().startswith("<svg")


WIDE_FAN = [FanYear(2025, 14.2, -2.0, 30.0), FanYear(2026, 14.5, -2.0, 34.0)]


def test_a_wide_forecast_interval_is_clipped_to_a_frame_that_fits_the_history():
    spec = indicator_chart(title="GRDP", unit="%", points=POINTS, targets=[SINGLE], fan=WIDE_FAN)
    TopLevelSpec.validate(spec)
    named = layers(spec)
    low, high = named["series"]["encoding"]["y"]["scale"]["domain"]
    # History 7,8–19,3, target 14,5, forecast 14,2–14,5: the frame fits them, not −2 to 34.
    assert 4 <= low < 7.8 and 19.3 < high <= 22
    assert all(
        layer["encoding"]["y"]["scale"]["domain"] == [low, high]
        for layer in named.values()
        if "y" in layer["encoding"]
    )
    assert named["forecast_interval"]["mark"]["clip"] is True
    assert named["forecast"]["mark"]["clip"] is True
    beyond = rows(named["forecast_beyond"])
    assert sorted((row["year"], row["shape"]) for row in beyond) == [
        (2025, "triangle-down"),
        (2025, "triangle-up"),
        (2026, "triangle-down"),
        (2026, "triangle-up"),
    ]
    assert {row["edge"] for row in beyond} == {low, high}
    (note,) = rows(named["forecast_note"])
    assert note["note"] == "khoảng dự báo vượt khung"
    svg = to_svg(spec)
    assert "khoảng dự báo vượt khung" in _tick_labels(svg)
    # The phone's drawing keeps the frame and the note.
    phone = for_phone(spec)
    assert layers(phone)["series"]["encoding"]["y"]["scale"]["domain"] == [low, high]
    assert "khoảng dự báo vượt khung" in _tick_labels(to_svg(phone))
    # No tick as far out as the interval's ends.
    assert not {"−2", "0", "30", "35"} & set(_tick_labels(svg))


def test_a_forecast_interval_inside_the_frame_has_no_note():
    fan = [FanYear(2025, 14.0, 11.0, 17.0)]
    named = layers(indicator_chart(title="GRDP", unit="%", points=POINTS, fan=fan))
    assert "forecast_beyond" not in named and "forecast_note" not in named


def test_one_figure_is_a_labelled_point_under_one_year_tick():
    spec = indicator_chart(title="Mới", unit="%", points=[SeriesPoint(2025, 7.5)])
    TopLevelSpec.validate(spec)
    named = layers(spec)
    axis = named["series"]["encoding"]["x"]["axis"]
    assert (axis["format"], axis["values"]) == ("d", [2025])
    assert named["series_label"]["mark"]["type"] == "text"
    assert rows(named["series_label"]) == rows(named["series"])
    low, high = named["series"]["encoding"]["y"]["scale"]["domain"]
    assert low < 7.5 < high and high - low >= 1
    labels = _tick_labels(to_svg(spec))
    assert labels.count("2025") == 1 and "2026" not in labels  # before: 2025 2025 2026
    assert "7,5" in labels  # the point's own label


def test_each_whole_year_gets_one_tick():
    spec = indicator_chart(title="x", unit="%", points=POINTS, targets=[OPEN])
    axis = layers(spec)["series"]["encoding"]["x"]["axis"]
    assert axis["values"] == list(range(2019, 2031))
    assert "series_label" not in layers(spec)  # several figures: the axis reads them


def test_the_scenario_fan_is_clipped_to_the_history_and_the_targets_too():
    spec = scenario_fan_chart(
        title="Tăng trưởng GRDP",
        unit="%",
        history={year: 7.0 + 0.3 * (year - 2019) for year in range(2019, 2025)},
        fan={
            2025: {"p5": -2.0, "p25": 5.0, "p50": 8.5, "p75": 12.0, "p95": 30.0},
            2026: {"p5": -2.0, "p25": 5.5, "p50": 9.0, "p75": 13.0, "p95": 34.0},
        },
        targets=[Band("KH", 2025, 2026, 8.0, 10.0)],
    )
    TopLevelSpec.validate(spec)
    named = layers(spec)
    low, high = named["observed"]["encoding"]["y"]["scale"]["domain"]
    assert 5 <= low < 7.0 and 10.0 < high <= 12
    assert named["fan_90"]["mark"]["clip"] is True and named["fan_50"]["mark"]["clip"] is True
    assert {row["year"] for row in rows(named["forecast_beyond"])} == {2025, 2026}
    assert named["observed"]["encoding"]["x"]["axis"]["values"] == list(range(2019, 2027))
    assert "khoảng dự báo vượt khung" in _tick_labels(to_svg(spec))


def test_an_interval_running_off_below_only_is_noted_at_the_bottom():
    fan = [FanYear(2025, 14.0, -2.0, 17.0)]
    named = layers(indicator_chart(title="GRDP", unit="%", points=POINTS, fan=fan))
    low, _high = named["series"]["encoding"]["y"]["scale"]["domain"]
    assert [row["shape"] for row in rows(named["forecast_beyond"])] == ["triangle-down"]
    (note,) = rows(named["forecast_note"])
    assert note["edge"] == low and named["forecast_note"]["mark"]["baseline"] == "bottom"
