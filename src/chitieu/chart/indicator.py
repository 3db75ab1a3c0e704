"""An indicator's yearly series with its plan targets and forecast, as a Vega-Lite spec.

Plain data in, a Vega-Lite dict out (built with Altair, no pandas): the web
page renders it to SVG with ``chitieu.chart._render.to_svg``, the API hands it
out as JSON and the periodic report embeds the same chart. Nothing here knows
about the database or the web.

What is drawn:

- the series as a line, actual figures as filled points and estimates
  (or preliminary figures) as hollow points;
- each target at its year: a range as a band, a single value or an open bound
  ("≥ 90") as a short rule with a diamond. A target over several years
  (an average growth, a change per year) is a band or rule across those years:
  the yearly values it averages are the series' own values. Cumulative targets
  cannot be read off a level chart and are left out (``drawable``);
- the forecast, where there is one, as a dashed line in a shaded interval.

The value axis fits the figures, the targets and the forecast's central line,
not its interval: a wide 90% interval (−2 to 34 around a growth of 8) would
flatten the history into a line. The interval is clipped to the frame, and
where it leaves it a small triangle at the edge and a note say so. The year
axis has one tick per whole year, so a single figure reads "2025", once; a
single figure also carries its value as a label. The legend names only what
is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from chitieu import _format
from chitieu.chart._frame import BEYOND_EN, BEYOND_VI, beyond_layers, value_domain, year_ticks
from chitieu.chart._unchecked import SharedChart, SharedData, unchecked, with_properties

ACTUAL_COLOUR = "#0b3d60"
ESTIMATE_COLOUR = "#2f81f7"
TARGET_COLOUR = "#d29922"
FORECAST_COLOUR = "#8250df"
# A target at one year is drawn this far either side of the year's tick.
HALF_YEAR = 0.3
WIDTH = 760
FONT = "Noto Sans, DejaVu Sans, sans-serif"
HEIGHT = 300


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """The figure standing for one year: ``status`` is actual, preliminary or estimate."""

    year: int
    value: float
    status: str = "actual"


@dataclass(frozen=True, slots=True)
class TargetMark:
    """A plan target as the chart needs it: years, bounds, measure and a short label."""

    label: str
    first_year: int
    last_year: int
    minimum: float | None
    maximum: float | None
    measure: str = "level"


@dataclass(frozen=True, slots=True)
class FanYear:
    """A forecast year: the central value and its interval."""

    year: int
    value: float
    lower: float
    upper: float


def drawable(target: TargetMark) -> bool:
    """Whether the target can be read off the series' own scale."""
    has_bound = target.minimum is not None or target.maximum is not None
    return has_bound and target.measure != "cumulative"


def axis_unit(unit: str, values: Sequence[float], lang: str = "vi") -> tuple[float, str]:
    """The factor to divide values by and the unit to name on the axis: the scale the
    pages' tables use for the same amounts (``_format.scale_for``).

    181 000 000 000 000 đồng reads as 181 nghìn tỷ đồng; a per-unit amount
    ("VND/ha") keeps its "/ha".
    """
    scale = _format.scale_for(values, unit, lang)
    return scale.factor, scale.unit


def _words(lang: str) -> dict[str, str]:
    vi = lang == "vi"
    return {
        "year": "Năm" if vi else "Year",
        "actual": "Thực hiện" if vi else "Actual",
        "estimate": "Ước tính, sơ bộ" if vi else "Estimate, preliminary",
        "target": "Mục tiêu kế hoạch" if vi else "Plan target",
        "forecast": "Dự báo (khoảng tin cậy)" if vi else "Forecast (interval)",
        "kind": "Chú giải" if vi else "Legend",
        "beyond": BEYOND_VI if vi else BEYOND_EN,
    }


def _target_rows(targets: Sequence[TargetMark], factor: float, label: str) -> list[dict[str, Any]]:
    rows = []
    for target in targets:
        if not drawable(target):
            continue
        low, high = target.minimum, target.maximum
        is_range = low is not None and high is not None and low != high
        value = low if low is not None else high
        assert value is not None
        rows.append(
            {
                "kind": label,
                "label": target.label,
                "shape": "range" if is_range else "value",
                "one_year": target.first_year == target.last_year,
                "year": (target.first_year + target.last_year) / 2,
                "x": target.first_year - HALF_YEAR,
                "x2": target.last_year + HALF_YEAR,
                "y": value / factor,
                "y2": (high if is_range and high is not None else value) / factor,
            }
        )
    return rows


@unchecked
def indicator_chart(
    *,
    title: str,
    unit: str,
    subtitle: str | None = None,
    points: Sequence[SeriesPoint],
    targets: Sequence[TargetMark] = (),
    fan: Sequence[FanYear] = (),
    lang: str = "vi",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> dict[str, Any]:
    """The chart's Vega-Lite spec; every layer is named (``series``, ``targets``, ``forecast``…)."""
    words = _words(lang)
    values = [p.value for p in points] + [v for t in targets for v in (t.minimum, t.maximum) if v]
    factor, unit_label = axis_unit(unit, values + [f.upper for f in fan], lang)
    ordered = sorted(points, key=lambda p: p.year)
    series: list[dict[str, Any]] = [
        {
            "year": p.year,
            "value": p.value / factor,
            "status": p.status,
            "kind": words["actual"] if p.status == "actual" else words["estimate"],
        }
        for p in ordered
    ]
    target_rows = _target_rows(targets, factor, words["target"])
    fan_rows: list[dict[str, Any]] = [
        {
            "year": f.year,
            "value": f.value / factor,
            "lower": f.lower / factor,
            "upper": f.upper / factor,
            "kind": words["forecast"],
        }
        for f in sorted(fan, key=lambda f: f.year)
    ]
    if fan_rows and series:
        # The forecast line starts from the last figure, so the two read as one.
        last = series[-1]
        fan_rows.insert(
            0,
            {**last, "lower": last["value"], "upper": last["value"], "kind": words["forecast"]},
        )
    years: list[float] = [row["year"] for row in series + fan_rows] + [
        edge for row in target_rows for edge in (row["x"], row["x2"])
    ]
    x_domain = [min(years) - 0.5, max(years) + 0.5] if years else [0.0, 1.0]
    kinds = {row["kind"] for row in series + target_rows + fan_rows}
    y_domain = value_domain(
        [row["value"] for row in series + fan_rows]
        + [row[edge] for row in target_rows for edge in ("y", "y2")]
    )
    axes = _Axes(x_domain, words, unit_label, y_domain, [w for w in _kinds(words) if w in kinds])
    layers = _target_layers(target_rows, axes) + _fan_layers(fan_rows, axes)
    if series:
        layers += _series_layers(series, axes)
    if not layers:
        # Axes and nothing else: an indicator with no figure and no target yet.
        layers = [SharedChart(_data([]), name="series").mark_point().encode(x=axes.x(), y=axes.y())]
    spec: dict[str, Any] = (
        with_properties(
            alt.layer(*layers),
            title=alt.TitleParams(text=title, subtitle=subtitle or "", anchor="start"),
            width=width,
            height=height,
        )
        .configure(font=FONT)
        .to_dict(validate=False)
    )
    return spec


def _kinds(words: dict[str, str]) -> list[str]:
    """The legend's entries in their order."""
    return [words[key] for key in _COLOURS]


_COLOURS = {
    "actual": ACTUAL_COLOUR,
    "estimate": ESTIMATE_COLOUR,
    "target": TARGET_COLOUR,
    "forecast": FORECAST_COLOUR,
}


@dataclass(frozen=True, slots=True)
class _Axes:
    """The scales every layer shares, whichever fields hold a layer's year and value."""

    x_domain: list[float]
    words: dict[str, str]
    unit_label: str
    y_domain: list[float] | None = None
    # What the legend names: only the kinds of marks drawn.
    kinds: list[str] | None = None

    def x(self, field: str = "year") -> alt.X:
        return alt.X(
            f"{field}:Q",
            title=self.words["year"],
            scale=alt.Scale(domain=self.x_domain, nice=False, zero=False),
            axis=alt.Axis(format="d", values=year_ticks(self.x_domain), grid=False),
        )

    def y(self, field: str = "value") -> alt.Y:
        scale = (
            alt.Scale(domain=self.y_domain, nice=False, zero=False)
            if self.y_domain
            else alt.Scale(zero=False)
        )
        return alt.Y(f"{field}:Q", title=self.unit_label, scale=scale, axis=alt.Axis(format=",~f"))

    def colour(self) -> alt.Color:
        words = self.words
        by_word = {words[key]: colour for key, colour in _COLOURS.items()}
        domain = self.kinds or _kinds(words)
        return alt.Color(
            "kind:N",
            title=words["kind"],
            scale=alt.Scale(domain=domain, range=[by_word[kind] for kind in domain]),
            legend=alt.Legend(orient="bottom"),
        )


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    """A layer's own inline rows: a fresh object per layer, so Altair neither lifts shared
    data to the top nor moves it to ``datasets`` and every layer reads alike."""
    return SharedData(values=rows)  # type: ignore[no-untyped-call]


def _target_layers(rows: list[dict[str, Any]], axes: _Axes) -> list[alt.Chart]:
    ranges = [row for row in rows if row["shape"] == "range"]
    single = [row for row in rows if row["shape"] == "value"]
    layers: list[alt.Chart] = []
    if ranges:
        layers.append(
            SharedChart(_data(ranges), name="targets")
            .mark_rect(opacity=0.3)
            .encode(x=axes.x("x"), x2="x2:Q", y=axes.y("y"), y2="y2:Q", color=axes.colour())
        )
    if single:
        layers.append(
            SharedChart(_data(single), name="target_values")
            .mark_rule(strokeWidth=3)
            .encode(x=axes.x("x"), x2="x2:Q", y=axes.y("y"), color=axes.colour())
        )
        points = [row for row in single if row["one_year"]]
        if points:
            layers.append(
                SharedChart(_data(points), name="target_points")
                .mark_point(shape="diamond", filled=True, size=90)
                .encode(x=axes.x(), y=axes.y("y"), color=axes.colour())
            )
    return layers


def _fan_layers(rows: list[dict[str, Any]], axes: _Axes) -> list[alt.Chart]:
    if not rows:
        return []
    layers = [
        SharedChart(_data(rows), name="forecast_interval")
        .mark_area(opacity=0.18, clip=True)
        .encode(x=axes.x(), y=axes.y("lower"), y2="upper:Q", color=axes.colour()),
        SharedChart(_data(rows), name="forecast")
        .mark_line(strokeDash=[6, 4], clip=True)
        .encode(x=axes.x(), y=axes.y(), color=axes.colour()),
    ]
    return layers + beyond_layers(
        rows,
        lower="lower",
        upper="upper",
        y_domain=axes.y_domain,
        x_end=axes.x_domain[1],
        axes=(axes.x, axes.y),
        note=axes.words["beyond"],
        colour=FORECAST_COLOUR,
    )


def _series_layers(rows: list[dict[str, Any]], axes: _Axes) -> list[alt.Chart]:
    actual = "datum.status === 'actual'"
    return [
        SharedChart(_data(rows), name="series")
        .mark_line(color=ACTUAL_COLOUR, strokeWidth=2)
        .encode(x=axes.x(), y=axes.y()),
        SharedChart(_data(rows), name="actuals")
        .transform_filter(actual)
        .mark_point(filled=True, size=60)
        .encode(x=axes.x(), y=axes.y(), color=axes.colour()),
        SharedChart(_data(rows), name="estimates")
        .transform_filter(f"!({actual})")
        .mark_point(filled=False, size=70, strokeWidth=2)
        .encode(x=axes.x(), y=axes.y(), color=axes.colour()),
    ] + (_value_label(rows, axes) if len(rows) == 1 else [])


def _value_label(rows: list[dict[str, Any]], axes: _Axes) -> list[alt.Chart]:
    """A lone figure's value written beside it: with one point the axis alone hardly tells it."""
    return [
        SharedChart(_data(rows), name="series_label")
        .mark_text(align="left", dx=8, fontSize=12, color=ACTUAL_COLOUR)
        .encode(x=axes.x(), y=axes.y(), text=alt.Text("value:Q", format=",~f"))
    ]
