"""The periodic report's charts as Vega-Lite specs (Altair, no pandas).

Plain data in, a Vega-Lite dict out; nothing here knows about the database.
The report renders each spec to SVG (HTML, PDF) or PNG (DOCX).

- ``growth_by_sector_chart``: each sector's growth by period, the plan's
  targets drawn across each sector's bars;
- ``structure_chart``: the sectors' shares of GRDP by year, stacked, with the
  plan's target structure as a column of its own;
- ``contributions_chart``: each sector's contribution to growth in points,
  stacked, with the published growth marked;
- ``trajectory_chart``: a key target's indicator over the years with the
  target's band (the indicator page's builder, at the report's size);
- ``scenario_fan_chart``: a target's simulated years as a fan (the scenario
  page's builder).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from chitieu.chart import scenario as scenario_charts
from chitieu.chart._unchecked import SharedInlineData, unchecked, with_properties
from chitieu.chart.indicator import SeriesPoint, TargetMark, indicator_chart

FONT = "DejaVu Sans, Noto Sans, sans-serif"
WIDTH = 560
HEIGHT = 230
HALF_WIDTH = 300
HALF_HEIGHT = 160
TARGET_COLOUR = "#d29922"
PUBLISHED_COLOUR = "#24292f"
PERIOD_COLOURS = ("#9ecae1", "#4292c6", "#08519c", "#08306b")
SECTOR_COLOURS = ("#1a7f37", "#0b3d60", "#2f81f7", "#8c959f", "#bf8700")


def _tr(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def _data(rows: list[dict[str, Any]]) -> alt.InlineData:
    return SharedInlineData(values=rows)


def _finish(
    chart: Any, title: str, subtitle: str | None, width: int, height: int
) -> dict[str, Any]:
    params = alt.TitleParams(text=title, subtitle=subtitle or "", anchor="start")
    spec: dict[str, Any] = (
        with_properties(chart, title=params, width=width, height=height)
        .configure(font=FONT)
        .to_dict(validate=False)
    )
    return spec


@dataclass(frozen=True, slots=True)
class SectorGrowth:
    """One bar: a sector's growth in one period (``sector`` is the name shown)."""

    sector: str
    period: str
    value: float
    estimate: bool = False


@dataclass(frozen=True, slots=True)
class SectorTarget:
    """A growth target, drawn over the bar of ``period`` (the period it is a target for)."""

    sector: str
    period: str
    minimum: float | None
    maximum: float | None


@unchecked
def growth_by_sector_chart(
    *,
    bars: Sequence[SectorGrowth],
    targets: Sequence[SectorTarget] = (),
    sectors: Sequence[str],
    periods: Sequence[str],
    lang: str = "vi",
) -> dict[str, Any]:
    """Grouped bars: sectors along the axis in ``sectors`` order, one bar per period."""
    actual, estimate = _tr(lang, "Thực hiện", "Actual"), _tr(lang, "Ước tính", "Estimate")
    rows = [
        {
            "sector": b.sector,
            "period": b.period,
            "value": b.value,
            "status": estimate if b.estimate else actual,
        }
        for b in bars
    ]
    x = alt.X(
        "sector:N", title=None, sort=list(sectors), axis=alt.Axis(labelAngle=0, labelLimit=110)
    )
    y = alt.Y("value:Q", title=_tr(lang, "Tăng so với năm trước (%)", "Growth (%)"))
    offset = alt.XOffset("period:N", sort=list(periods))
    colour = alt.Color(
        "period:N",
        title=_tr(lang, "Kỳ", "Period"),
        sort=list(periods),
        scale=alt.Scale(
            domain=list(periods), range=list(PERIOD_COLOURS[-len(periods) :] or PERIOD_COLOURS)
        ),
        legend=alt.Legend(orient="bottom"),
    )
    data = _data(rows)
    layers: list[Any] = [
        alt.Chart(data, name="bars")
        .mark_bar()
        .encode(
            x=x,
            xOffset=offset,
            y=y,
            color=colour,
            opacity=alt.Opacity(
                "status:N",
                title=_tr(lang, "Số liệu", "Figures"),
                scale=alt.Scale(domain=[actual, estimate], range=[1.0, 0.55]),
                legend=alt.Legend(orient="bottom"),
            ),
        ),
        alt.Chart(data, name="labels")
        .mark_text(dy=-6, fontSize=9)
        .encode(x=x, xOffset=offset, y=y, text=alt.Text("value:Q", format=",.2~f")),
    ]
    target_rows = [
        {
            "sector": t.sector,
            "period": t.period,
            "value": t.minimum if t.minimum is not None else t.maximum,
            "value2": t.maximum if t.maximum is not None else t.minimum,
        }
        for t in targets
        if t.minimum is not None or t.maximum is not None
    ]
    if target_rows:
        # As wide as one bar: a sector's band holds one bar per period.
        size = max(6, int(WIDTH / max(len(sectors), 1) * 0.8 / max(len(periods), 1)))
        for name, field in (("targets", "value"), ("target_tops", "value2")):
            layers.append(
                alt.Chart(_data(target_rows), name=name)
                .mark_tick(thickness=3, color=TARGET_COLOUR, size=size)
                .encode(x=x, xOffset=offset, y=alt.Y(f"{field}:Q"))
            )
    subtitle = _tr(
        lang,
        "vạch vàng: mục tiêu của kế hoạch; cột nhạt: số ước tính",
        "yellow: the plan's targets; pale bars: estimates",
    )
    return _finish(
        alt.layer(*layers),
        _tr(lang, "Tốc độ tăng trưởng theo khu vực kinh tế", "Growth by sector"),
        subtitle,
        WIDTH,
        HEIGHT,
    )


@dataclass(frozen=True, slots=True)
class StructureColumn:
    """One stacked column: a year's shares of GRDP (sector name → %), or the plan's target."""

    label: str
    shares: Mapping[str, float]
    target: bool = False
    estimate: bool = False


@unchecked
def structure_chart(
    *, columns: Sequence[StructureColumn], sectors: Sequence[str], lang: str = "vi"
) -> dict[str, Any]:
    """Stacked shares by column, bottom to top in ``sectors`` order, values written inside."""
    rows = []
    for column in columns:
        bottom = 0.0
        for order, sector in enumerate(sectors):
            share = column.shares.get(sector)
            if share is None:
                continue
            rows.append(
                {
                    "column": column.label,
                    "sector": sector,
                    "order": order,
                    "share": share,
                    "y0": bottom,
                    "y1": bottom + share,
                    "mid": bottom + share / 2,
                    "kind": "target" if column.target else "figure",
                }
            )
            bottom += share
    x = alt.X(
        "column:N",
        title=None,
        sort=[c.label for c in columns],
        axis=alt.Axis(labelAngle=0, labelLimit=120),
    )
    y = alt.Y(
        "y0:Q",
        title=_tr(lang, "Tỷ trọng trong GRDP (%)", "Share of GRDP (%)"),
        scale=alt.Scale(domain=[0, 100]),
    )
    data = _data(rows)
    bars = (
        alt.Chart(data, name="structure")
        .mark_bar(size=38)
        .encode(
            x=x,
            y=y,
            y2="y1:Q",
            color=alt.Color(
                "sector:N",
                title=_tr(lang, "Khu vực", "Sector"),
                sort=list(sectors),
                scale=alt.Scale(domain=list(sectors), range=list(SECTOR_COLOURS[: len(sectors)])),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=240),
            ),
            opacity=alt.condition("datum.kind === 'target'", alt.value(0.5), alt.value(1.0)),
            stroke=alt.condition(
                "datum.kind === 'target'", alt.value(TARGET_COLOUR), alt.value(None)
            ),
            strokeWidth=alt.value(2),
        )
    )
    labels = (
        alt.Chart(data, name="shares")
        .transform_filter("datum.share >= 4")
        .mark_text(fontSize=9, color="white", fontWeight="bold")
        .encode(x=x, y=alt.Y("mid:Q"), text=alt.Text("share:Q", format=",.1~f"))
    )
    return _finish(
        alt.layer(bars, labels),
        _tr(lang, "Cơ cấu kinh tế qua các năm", "Economic structure over time"),
        _tr(
            lang,
            "% GRDP giá hiện hành; cột viền vàng: cơ cấu mục tiêu của kế hoạch",
            "% of GRDP at current prices; yellow-edged column: the plan's target structure",
        ),
        WIDTH,
        HEIGHT,
    )


@dataclass(frozen=True, slots=True)
class SectorContribution:
    """A sector's contribution to growth in one period, in percentage points."""

    period: str
    sector: str
    points: float


@unchecked
def contributions_chart(
    *,
    parts: Sequence[SectorContribution],
    published: Mapping[str, float],
    sectors: Sequence[str],
    periods: Sequence[str],
    lang: str = "vi",
) -> dict[str, Any]:
    """Stacked points by period (negative parts below zero), the published growth as a diamond."""
    rows = []
    for period in periods:
        up = down = 0.0
        for order, sector in enumerate(sectors):
            part = next((p for p in parts if p.period == period and p.sector == sector), None)
            if part is None:
                continue
            start = up if part.points >= 0 else down
            end = start + part.points
            if part.points >= 0:
                up = end
            else:
                down = end
            rows.append(
                {
                    "period": period,
                    "sector": sector,
                    "order": order,
                    "points": part.points,
                    "y0": start,
                    "y1": end,
                    "mid": (start + end) / 2,
                }
            )
    x = alt.X("period:N", title=None, sort=list(periods), axis=alt.Axis(labelAngle=0))
    y = alt.Y("y0:Q", title=_tr(lang, "Điểm phần trăm", "Percentage points"))
    data = _data(rows)
    layers: list[Any] = [
        alt.Chart(data, name="contributions")
        .mark_bar(size=46)
        .encode(
            x=x,
            y=y,
            y2="y1:Q",
            color=alt.Color(
                "sector:N",
                title=_tr(lang, "Khu vực", "Sector"),
                sort=list(sectors),
                scale=alt.Scale(domain=list(sectors), range=list(SECTOR_COLOURS[: len(sectors)])),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=240),
            ),
        ),
        alt.Chart(data, name="points")
        .transform_filter("abs(datum.points) >= 0.6")
        .mark_text(fontSize=9, color="white", fontWeight="bold")
        .encode(x=x, y=alt.Y("mid:Q"), text=alt.Text("points:Q", format=",.2~f")),
    ]
    marks = [{"period": p, "value": v} for p, v in published.items() if p in periods]
    if marks:
        layers.append(
            alt.Chart(_data(marks), name="published")
            .mark_point(shape="diamond", filled=True, size=110, color=PUBLISHED_COLOUR)
            .encode(x=x, y=alt.Y("value:Q"))
        )
    return _finish(
        alt.layer(*layers),
        _tr(
            lang, "Đóng góp của các khu vực vào tăng trưởng GRDP", "Sector contributions to growth"
        ),
        _tr(
            lang,
            "điểm %, theo tỷ trọng năm trước; hình thoi: tốc độ tăng GRDP công bố",
            "points, weighted by the previous year's shares; diamond: published GRDP growth",
        ),
        WIDTH,
        HEIGHT,
    )


def trajectory_chart(
    *,
    title: str,
    subtitle: str | None,
    unit: str,
    points: Sequence[SeriesPoint],
    targets: Sequence[TargetMark],
    lang: str = "vi",
) -> dict[str, Any]:
    """A key target's indicator over the years with its band, half the page wide."""
    return indicator_chart(
        title=title,
        subtitle=subtitle,
        unit=unit,
        points=points,
        targets=targets,
        lang=lang,
        width=HALF_WIDTH,
        height=HALF_HEIGHT,
    )


def scenario_fan_chart(
    *,
    title: str,
    unit: str,
    history: Mapping[int, float],
    fan: Mapping[int, Mapping[str, float]],
    targets: Sequence[scenario_charts.Band],
    lang: str = "vi",
) -> dict[str, Any]:
    """A target's simulated years as a fan over its history, the target drawn."""
    return scenario_charts.fan_chart(
        title=title, unit=unit, history=history, fan=fan, targets=targets, lang=lang
    )
