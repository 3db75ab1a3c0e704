"""The frame a series chart is drawn in: its value span, its year ticks, and what runs off it.

The value axis fits the figures and the targets (and a forecast's central
line), never a forecast's interval: a 90% interval from −2 to 34 around a
growth of 8 would flatten the history into a line. The interval is clipped to
the frame; where it leaves it, a triangle at the edge and a short note say so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt

from chitieu.chart._unchecked import SharedChart, SharedData

# The value axis reaches this share of the values' spread beyond them, either side.
MARGIN = 0.08
BEYOND_VI = "khoảng dự báo vượt khung"
BEYOND_EN = "forecast interval runs off the chart"


def value_domain(values: Sequence[float]) -> list[float] | None:
    """The value axis's span: ``values`` with a margin, its ends round numbers.

    One value gets a span around it, a tenth of it either side (at least one unit).
    """
    if not values:
        return None
    low, high = min(values), max(values)
    if low == high:
        pad = max(abs(low) * 0.1, 1.0)
        low, high = low - pad, high + pad
    else:
        low, high = low - (high - low) * MARGIN, high + (high - low) * MARGIN
    step = _round_step((high - low) / 10)
    return [math.floor(low / step) * step, math.ceil(high / step) * step]


def _round_step(rough: float) -> float:
    """The least of 1, 2 or 5 times a power of ten that is at least ``rough``."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= rough)


def year_ticks(domain: Sequence[float]) -> list[int]:
    """Every whole year inside the year axis's span: one tick a year, never 2025 twice."""
    return list(range(math.ceil(domain[0]), math.floor(domain[1]) + 1))


def beyond_layers(
    rows: Sequence[dict[str, Any]],
    *,
    lower: str,
    upper: str,
    y_domain: Sequence[float] | None,
    x_end: float,
    axes: tuple[Callable[[str], alt.X], Callable[[str], alt.Y]],
    note: str,
    colour: str,
) -> list[alt.Chart]:
    """A triangle at the frame's edge for each year an interval runs past it, and the note.

    ``rows`` hold a ``year`` and the interval's ``lower`` and ``upper`` fields;
    ``axes`` make the chart's own x and y encodings for a field.
    """
    if y_domain is None:
        return []
    low, high = y_domain
    marks = [
        {"year": row["year"], "edge": edge, "shape": shape}
        for row in rows
        for edge, shape, past in (
            (high, "triangle-up", row[upper] > high),
            (low, "triangle-down", row[lower] < low),
        )
        if past
    ]
    if not marks:
        return []
    x, y = axes
    # The note at the top when the interval runs off there, else at the bottom.
    top = any(mark["edge"] == high for mark in marks)
    return [
        SharedChart(SharedData(values=marks), name="forecast_beyond")  # type: ignore[no-untyped-call]
        .mark_point(filled=True, size=60, color=colour, opacity=0.8)
        .encode(x=x("year"), y=y("edge"), shape=alt.Shape("shape:N", scale=None)),
        SharedChart(
            SharedData(values=[{"year": x_end, "edge": high if top else low, "note": note}]),  # type: ignore[no-untyped-call]
            name="forecast_note",
        )
        .mark_text(
            align="right",
            baseline="top" if top else "bottom",
            dx=-12,
            dy=4 if top else -4,
            fontSize=11,
            color=colour,
        )
        .encode(x=x("year"), y=y("edge"), text="note:N"),
    ]
