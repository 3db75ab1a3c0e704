"""A scenario's path and the odds of meeting targets, as Vega-Lite specs.

Plain data in (the scenario's yearly path, the plan's bounds, simulated
quantiles), a Vega-Lite dict out, built with Altair and no pandas; the page
renders them to SVG with ``chitieu.chart._render.to_svg`` and the API could
hand them out as they are. Nothing here knows about the database or the web.

- ``grdp_chart``: GRDP at current prices by year (bars) over its growth (line)
  with the plan's growth targets as bands across their years;
- ``structure_chart``: the sectors' shares of GRDP, stacked to 100%;
- ``per_capita_chart``: GRDP per person in USD with the plan's targets;
- ``fan_chart``: an indicator's observed years, the 5-95% and 25-75% bands
  and median of the simulated years, the target and the scenario's value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import altair as alt

from chitieu.chart._frame import BEYOND_EN, BEYOND_VI, beyond_layers, value_domain, year_ticks
from chitieu.chart._unchecked import SharedInlineData, unchecked, with_properties
from chitieu.scenario.service import SECTORS, ScenarioYear

PATH_COLOUR = "#0b3d60"
TARGET_COLOUR = "#d29922"
FAN_COLOUR = "#8250df"
SCENARIO_COLOUR = "#cf222e"
SECTOR_COLOURS = ("#1a7f37", "#0b3d60", "#2f81f7", "#8c959f")
WIDTH = 600
HEIGHT = 240
TRILLION = 1e12
# A target at one year is drawn this far either side of the year's tick.
HALF_YEAR = 0.3
QUANTILE_KEYS = ("p5", "p25", "p50", "p75", "p95")

SECTOR_NAMES: dict[str, tuple[str, str]] = {
    "agriculture": ("Nông, lâm nghiệp, thủy sản", "Agriculture, forestry, fishery"),
    "industry_construction": ("Công nghiệp - xây dựng", "Industry, construction"),
    "services": ("Dịch vụ", "Services"),
    "product_taxes": ("Thuế sản phẩm", "Product taxes"),
}


@dataclass(frozen=True, slots=True)
class Band:
    """A plan target as a chart needs it: its years and its bounds (either may be open)."""

    label: str
    first_year: int
    last_year: int
    minimum: float | None
    maximum: float | None


def sector_name(sector: str, lang: str) -> str:
    vi, en = SECTOR_NAMES[sector]
    return vi if lang == "vi" else en


def _tr(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def _data(rows: list[dict[str, Any]]) -> alt.InlineData:
    return SharedInlineData(values=rows)


@dataclass(frozen=True, slots=True)
class _Axes:
    """The scales a chart's layers share, whichever fields hold a layer's year and value."""

    lang: str
    years: list[float]
    title: str
    # The value axis's span when the chart sets it (see ``_frame``), else Vega's own.
    values: list[float] | None = None

    def x(self, field: str = "year") -> alt.X:
        return alt.X(
            f"{field}:Q",
            title=_tr(self.lang, "Năm", "Year"),
            scale=alt.Scale(domain=self.years, nice=False, zero=False),
            axis=alt.Axis(format="d", values=year_ticks(self.years), grid=False),
        )

    def y(self, field: str = "value") -> alt.Y:
        scale = (
            alt.Scale(domain=self.values, nice=False, zero=False)
            if self.values
            else alt.Scale(zero=False)
        )
        return alt.Y(f"{field}:Q", title=self.title, scale=scale, axis=alt.Axis(format=",~f"))


def _axes(lang: str, years: Sequence[float], title: str) -> _Axes:
    domain = [min(years) - 0.5, max(years) + 0.5] if years else [0.0, 1.0]
    return _Axes(lang, domain, title)


def _band_rows(bands: Sequence[Band], factor: float = 1.0) -> list[dict[str, Any]]:
    """Each target as a rectangle (a range) or a rule (one value or an open bound)."""
    rows = []
    for band in bands:
        low, high = band.minimum, band.maximum
        if low is None and high is None:
            continue
        value = low if low is not None else high
        assert value is not None
        rows.append(
            {
                "label": band.label,
                "x": band.first_year - HALF_YEAR,
                "x2": band.last_year + HALF_YEAR,
                "y": value / factor,
                "y2": (high if high is not None else value) / factor,
                "range": low is not None and high is not None and low != high,
            }
        )
    return rows


def _band_layers(bands: Sequence[Band], axes: _Axes, factor: float = 1.0) -> list[Any]:
    rows = _band_rows(bands, factor)
    ranges = [row for row in rows if row["range"]]
    rules = [row for row in rows if not row["range"]]
    layers: list[Any] = []
    if ranges:
        layers.append(
            alt.Chart(_data(ranges), name="target_ranges")
            .mark_rect(opacity=0.3, color=TARGET_COLOUR)
            .encode(x=axes.x("x"), x2="x2:Q", y=axes.y("y"), y2="y2:Q", tooltip=["label:N"])
        )
    if rules:
        layers.append(
            alt.Chart(_data(rules), name="target_values")
            .mark_rule(strokeWidth=3, color=TARGET_COLOUR)
            .encode(x=axes.x("x"), x2="x2:Q", y=axes.y("y"), tooltip=["label:N"])
        )
    return layers


def _line(rows: list[dict[str, Any]], axes: _Axes, name: str, colour: str) -> list[Any]:
    data = _data(rows)
    return [
        alt.Chart(data, name=name)
        .mark_line(color=colour, strokeWidth=2)
        .encode(x=axes.x(), y=axes.y()),
        alt.Chart(data, name=f"{name}_points")
        .mark_point(filled=True, size=50, color=colour)
        .encode(x=axes.x(), y=axes.y()),
    ]


def _edges(bands: Sequence[Band]) -> list[float]:
    return [float(year) for band in bands for year in (band.first_year, band.last_year)]


def _title(text: str, subtitle: str | None = None) -> alt.TitleParams:
    if subtitle is None:
        return alt.TitleParams(text=text, anchor="start")
    return alt.TitleParams(text=text, subtitle=subtitle, anchor="start")


@unchecked
def grdp_chart(
    path: Sequence[ScenarioYear], growth_targets: Sequence[Band] = (), *, lang: str = "vi"
) -> dict[str, Any]:
    """GRDP by year above its growth, the growth targets shaded across their years.

    A target's years before the start year are cut off: the chart shows the path.
    """
    years = [float(row.year) for row in path]
    if path:
        first, last = path[0].year + 1, path[-1].year
        growth_targets = [
            replace(
                band, first_year=max(band.first_year, first), last_year=min(band.last_year, last)
            )
            for band in growth_targets
            if band.last_year >= first and band.first_year <= last
        ]
    unit = _tr(lang, "nghìn tỷ đồng", "VND trillion")
    levels = _axes(lang, years, f"GRDP ({unit})")
    rates = _axes(lang, years, _tr(lang, "Tăng trưởng GRDP (%)", "GRDP growth (%)"))
    level_chart = (
        alt.Chart(
            _data([{"year": row.year, "value": row.grdp / TRILLION} for row in path]), name="grdp"
        )
        .mark_bar(color=PATH_COLOUR, size=22)
        .encode(x=levels.x(), y=levels.y().scale(zero=True))
        .properties(width=WIDTH, height=HEIGHT - 60)
    )
    growth = [{"year": row.year, "value": row.growth} for row in path if row.growth is not None]
    layers = _band_layers(growth_targets, rates) + _line(growth, rates, "growth", PATH_COLOUR)
    growth_chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT - 60)
    spec: dict[str, Any] = (
        alt.vconcat(level_chart, growth_chart)
        .properties(
            title=_title(
                _tr(lang, "GRDP theo kịch bản", "GRDP on the scenario's path"),
                _tr(
                    lang,
                    "giá hiện hành; dải vàng: mục tiêu tăng trưởng của kế hoạch",
                    "current prices; yellow bands: the plan's growth targets",
                ),
            )
        )
        .to_dict(validate=False)
    )
    return spec


@unchecked
def structure_chart(path: Sequence[ScenarioYear], *, lang: str = "vi") -> dict[str, Any]:
    """The sectors' shares of GRDP by year, stacked to 100%."""
    names = [sector_name(sector, lang) for sector in SECTORS]
    rows = [
        {"year": str(row.year), "sector": name, "order": index, "share": row.shares[sector]}
        for row in path
        for index, (sector, name) in enumerate(zip(SECTORS, names, strict=True))
    ]
    spec: dict[str, Any] = (
        alt.Chart(_data(rows), name="structure")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=_tr(lang, "Năm", "Year"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "share:Q",
                title=_tr(lang, "Tỷ trọng trong GRDP (%)", "Share of GRDP (%)"),
                stack="zero",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(format=",~f"),
            ),
            color=alt.Color(
                "sector:N",
                title=_tr(lang, "Khu vực", "Sector"),
                scale=alt.Scale(domain=names, range=list(SECTOR_COLOURS)),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("order:Q"),
        )
        .properties(
            title=_title(_tr(lang, "Cơ cấu kinh tế theo kịch bản", "Economic structure")),
            width=WIDTH,
            height=HEIGHT,
        )
        .to_dict(validate=False)
    )
    return spec


@unchecked
def per_capita_chart(
    path: Sequence[ScenarioYear], targets: Sequence[Band] = (), *, lang: str = "vi"
) -> dict[str, Any]:
    """GRDP per person in USD, with the plan's per-capita targets at their years."""
    rows = [{"year": row.year, "value": row.per_capita_usd} for row in path]
    axes = _axes(lang, [float(row.year) for row in path] + _edges(targets), "USD")
    layers = _band_layers(targets, axes) + _line(rows, axes, "per_capita", PATH_COLOUR)
    spec: dict[str, Any] = (
        alt.layer(*layers)
        .properties(
            title=_title(
                _tr(lang, "GRDP bình quân đầu người", "GRDP per capita"),
                _tr(lang, "USD; vạch vàng: mục tiêu", "USD; yellow: plan targets"),
            ),
            width=WIDTH,
            height=HEIGHT,
        )
        .to_dict(validate=False)
    )
    return spec


@unchecked
def fan_chart(
    *,
    title: str,
    unit: str,
    history: Mapping[int, float],
    fan: Mapping[int, Mapping[str, float]],
    targets: Sequence[Band] = (),
    scenario: Sequence[Band] = (),
    lang: str = "vi",
) -> dict[str, Any]:
    """Observed years, then the simulated years' quantile bands and median.

    ``fan`` maps a year to its quantiles ``p5``…``p95``; ``scenario`` gives the
    scenario's deciding values, drawn like the targets but as dashed red rules.
    """
    observed = [{"year": year, "value": value} for year, value in sorted(history.items())]
    quantiles: list[dict[str, Any]] = [{"year": y, **dict(q)} for y, q in sorted(fan.items())]
    if observed and quantiles and observed[-1]["year"] < quantiles[0]["year"]:
        # The bands start from the last figure, so that the two read as one.
        last = observed[-1]
        quantiles.insert(0, {"year": last["year"], **dict.fromkeys(QUANTILE_KEYS, last["value"])})
    years = [float(r["year"]) for r in observed + quantiles] + _edges([*targets, *scenario])
    bounds = _band_rows([*targets, *scenario])
    # The frame fits the figures, the median and the targets; the bands are clipped to it.
    spans = value_domain(
        [r["value"] for r in observed]
        + [q["p50"] for q in quantiles]
        + [row[edge] for row in bounds for edge in ("y", "y2")]
    )
    axes = replace(_axes(lang, years, unit), values=spans)
    layers = _band_layers(targets, axes)
    if quantiles:
        data = _data(quantiles)
        layers += [
            alt.Chart(data, name="fan_90")
            .mark_area(opacity=0.15, color=FAN_COLOUR, clip=True)
            .encode(x=axes.x(), y=axes.y("p5"), y2="p95:Q"),
            alt.Chart(data, name="fan_50")
            .mark_area(opacity=0.3, color=FAN_COLOUR, clip=True)
            .encode(x=axes.x(), y=axes.y("p25"), y2="p75:Q"),
            alt.Chart(data, name="median")
            .mark_line(strokeDash=[6, 4], color=FAN_COLOUR, clip=True)
            .encode(x=axes.x(), y=axes.y("p50")),
            *beyond_layers(
                quantiles,
                lower="p5",
                upper="p95",
                y_domain=spans,
                x_end=axes.years[1],
                axes=(axes.x, axes.y),
                note=_tr(lang, BEYOND_VI, BEYOND_EN),
                colour=FAN_COLOUR,
            ),
        ]
    if observed:
        layers += _line(observed, axes, "observed", PATH_COLOUR)
    scenario_rows = _band_rows(scenario)
    if scenario_rows:
        layers.append(
            alt.Chart(_data(scenario_rows), name="scenario")
            .mark_rule(strokeWidth=2, strokeDash=[2, 2], color=SCENARIO_COLOUR)
            .encode(x=axes.x("x"), x2="x2:Q", y=axes.y("y"))
        )
    if not layers:
        layers = [alt.Chart(_data([]), name="observed").mark_point().encode(x=axes.x(), y=axes.y())]
    spec: dict[str, Any] = with_properties(
        alt.layer(*layers),
        title=_title(
            title,
            _tr(
                lang,
                "xanh: số liệu; tím: mô phỏng (5-95%, 25-75%, trung vị); "
                "vàng: mục tiêu; đỏ: kịch bản",
                "blue: figures; purple: simulated (5-95%, 25-75%, median); "
                "yellow: target; red: scenario",
            ),
        ),
        width=WIDTH,
        height=HEIGHT - 40,
    ).to_dict(validate=False)
    return spec
