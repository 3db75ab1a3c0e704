"""Synthetic figures, one indicator at a time, as Polars frames of observation rows.

Each (indicator, group of regions) draws from its own generator seeded by the run's
seed and the indicator's position, so a frame does not depend on the others: the
same seed gives the same figures whatever the order or the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from chitieu.synth._layout import DEPARTMENTS, Layout, Province, level_at, series_kind
from chitieu.synth._target_row import Row

COLUMNS = (
    "id",
    "indicator_code",
    "region_id",
    "period",
    "period_start",
    "period_end",
    "value",
    "unit",
    "status",
    "qualifier",
    "source_kind",
    "source_document_id",
    "span_start",
    "span_end",
    "import_batch_id",
    "agency_id",
    "note",
    "recorded_by",
    "recorded_at",
    "supersedes_id",
)
MONTHLY_EVERY = 5  # a fifth of the indicators are also reported monthly
MONTHLY_YEARS = 8
REVISED_SHARE = 0.2  # of the last full year's figures: first an estimate, then the actual
CONFLICT_SHARE = 0.005
LAST_FULL_YEAR = 2025  # the newest year with actuals; the next one has estimates


@dataclass(frozen=True)
class Group:
    """Regions that report the same years: all communes, or one province."""

    tag: int
    region_ids: np.ndarray
    agency_ids: np.ndarray  # the department reporting each region's figures (0: none)
    years: tuple[int, int]
    scale: float  # communes are smaller than provinces


def groups(layout: Layout, indicator_index: int, years: tuple[int, int]) -> list[Group]:
    first, last = years[0], min(years[1], LAST_FULL_YEAR + 1)
    department = indicator_index % len(DEPARTMENTS)
    result = []
    if layout.communes:
        result.append(
            Group(
                0,
                np.array([region for region, _ in layout.communes], dtype=np.int64),
                np.array([p.department_ids[department] for _, p in layout.communes], np.int64),
                (first, last),
                0.01,
            )
        )
    # Provinces that report the same years are drawn together: few large draws, not many small.
    spans: dict[tuple[int, int], list[Province]] = {}
    for province in layout.provinces:
        span = _province_years(province, first, last)
        if span[0] <= span[1]:
            spans.setdefault(span, []).append(province)
    for tag, (span, members) in enumerate(sorted(spans.items()), start=1):
        regions = np.array([p.region_id for p in members], dtype=np.int64)
        agencies = np.array([p.department_ids[department] for p in members], dtype=np.int64)
        result.append(Group(tag, regions, agencies, span, 1.0))
    country = np.array([layout.country_id], dtype=np.int64)
    result.append(Group(len(result) + 1, country, np.zeros(1, np.int64), (first, last), 30.0))
    return result


def _province_years(province: Province, first: int, last: int) -> tuple[int, int]:
    end = min(last, province.last_year) if province.last_year else last
    return first, end


def frames(
    layout: Layout, *, seed: int, years: tuple[int, int], first_id: int
) -> Iterator[pl.DataFrame]:
    """One frame per indicator, ids numbered on from ``first_id``."""
    next_id = first_id
    for index, indicator in enumerate(layout.indicators):
        parts = [
            _group_frame(indicator, index, group, seed) for group in groups(layout, index, years)
        ]
        frame = _number(pl.concat([p for p in parts if p.height]), next_id)
        next_id += frame.height
        yield frame


def _group_frame(indicator: Row, index: int, group: Group, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng([seed, index, group.tag])
    first, last = group.years
    year_list = np.arange(first, last + 1)
    values = _annual(indicator, rng, len(group.region_ids), year_list, group.scale)
    annual = _annual_frame(indicator, group, year_list, values, rng)
    parts = [annual]
    if index % MONTHLY_EVERY == 0:
        parts.append(_monthly_frame(indicator, group, year_list, values, rng))
    return pl.concat(parts, how="vertical_relaxed")


def _annual(
    indicator: Row, rng: np.random.Generator, regions: int, years: np.ndarray, scale: float
) -> np.ndarray:
    shape = (regions, len(years))
    kind = series_kind(indicator)
    step = years - 2010
    if kind == "growth":
        centre = rng.normal(6.5, 1.5, (regions, 1))
        return np.round(centre + rng.normal(0, 1.5, shape), 2)
    if kind == "share":
        base = rng.uniform(10, 90, (regions, 1))
        slope = rng.normal(0, 0.4, (regions, 1))
        drawn: np.ndarray = np.clip(base + slope * step + rng.normal(0, 0.5, shape), 0, 100)
        return np.round(drawn, 2)
    if kind == "rank":
        start = rng.integers(1, 64, (regions, 1))
        walk = np.cumsum(rng.integers(-2, 3, shape), axis=1)
        ranks: np.ndarray = np.clip(start + walk, 1, 63)
        return ranks.astype(np.float64)
    level = np.array([level_at(indicator, int(year)) for year in years])
    spread = rng.lognormal(0, 0.5, (regions, 1)) * scale
    return np.round(level * spread * np.exp(rng.normal(0, 0.03, shape)), 3)


def _base(indicator: Row, group: Group, repeat: int) -> dict[str, object]:
    return {
        "indicator_code": indicator["code"],
        "region_id": np.repeat(group.region_ids, repeat),
        "unit": indicator["unit"],
        "agency_id": np.repeat(group.agency_ids, repeat),
    }


def _annual_frame(
    indicator: Row, group: Group, years: np.ndarray, values: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    regions = len(group.region_ids)
    year = np.tile(years, regions)
    frame = pl.DataFrame(
        {
            **_base(indicator, group, len(years)),
            "year": year,
            "month": np.zeros(len(year), np.int64),
            "value": values.ravel(),
            "revised": rng.random(len(year)) < REVISED_SHARE,
            "conflict": rng.random(len(year)) < CONFLICT_SHARE,
            "noise": rng.normal(0, 0.04, len(year)),
        }
    ).with_columns(
        status=pl.when(pl.col("year") > LAST_FULL_YEAR)
        .then(pl.lit("estimate"))
        .otherwise(pl.lit("actual")),
        revised=pl.col("revised") & (pl.col("year") == LAST_FULL_YEAR),
    )
    return frame


def _monthly_frame(
    indicator: Row, group: Group, years: np.ndarray, values: np.ndarray, rng: np.random.Generator
) -> pl.DataFrame:
    recent = years[-MONTHLY_YEARS:]
    annual = values[:, -len(recent) :]
    regions = len(group.region_ids)
    months = np.arange(1, 13)
    if series_kind(indicator) == "level":
        season = 1 + 0.1 * np.sin(2 * np.pi * months / 12)
        monthly = annual[:, :, None] / 12 * season[None, None, :]
        monthly = monthly * (1 + rng.normal(0, 0.02, monthly.shape))
    else:
        monthly = annual[:, :, None] + rng.normal(0, 0.3, (regions, len(recent), 12))
    count = len(recent) * 12
    return pl.DataFrame(
        {
            **_base(indicator, group, count),
            "year": np.tile(np.repeat(recent, 12), regions),
            "month": np.tile(np.tile(months, len(recent)), regions),
            "value": np.round(monthly.ravel(), 3),
            "revised": np.zeros(regions * count, bool),
            "conflict": np.zeros(regions * count, bool),
            "noise": np.zeros(regions * count),
        }
    ).with_columns(status=pl.lit("actual"))


def _number(frame: pl.DataFrame, first_id: int) -> pl.DataFrame:
    """Add the estimates that were revised and the conflicting copies; give every row its id."""
    main = frame.with_columns(
        source_kind=pl.lit("submission"),
        recorded_by=pl.lit("synth"),
        note=pl.lit(None, pl.String),
        lag=pl.lit(0),
    )
    estimates = frame.filter("revised").with_columns(
        value=(pl.col("value") * (1 + pl.col("noise") / 2)).round(3),
        status=pl.lit("estimate"),
        source_kind=pl.lit("submission"),
        recorded_by=pl.lit("synth"),
        note=pl.lit("ước tính, đã được số thực hiện thay thế"),
        lag=pl.lit(-1),
    )
    copies = frame.filter("conflict").with_columns(
        value=(pl.col("value") * (1 + pl.col("noise")) + 0.5).round(3),
        source_kind=pl.lit("document"),
        recorded_by=pl.lit("synth-bao-chi"),
        note=pl.lit("số công bố khác"),
        lag=pl.lit(1),
        agency_id=pl.lit(0, pl.Int64),
    )
    # The j-th revised actual supersedes the j-th estimate, which is numbered first.
    main = main.with_columns(
        supersedes_id=pl.when("revised").then(pl.col("revised").cum_sum() + first_id - 1)
    )
    rows = pl.concat([estimates, main, copies], how="diagonal_relaxed")
    rows = rows.with_columns(id=pl.int_range(first_id, first_id + rows.height, dtype=pl.Int64))
    return _finish(rows)


def _finish(rows: pl.DataFrame) -> pl.DataFrame:
    monthly = pl.col("month") > 0
    start = pl.date(pl.col("year"), pl.when(monthly).then(pl.col("month")).otherwise(1), 1)
    end = pl.when(monthly).then(start.dt.month_end()).otherwise(pl.date(pl.col("year"), 12, 31))
    period = (
        pl.when(monthly)
        .then(pl.format("{}-M{}", pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2)))
        .otherwise(pl.col("year").cast(pl.String))
    )
    recorded = _recorded_at()
    return rows.with_columns(
        period=period,
        period_start=start,
        period_end=end,
        recorded_at=recorded,
        qualifier=pl.lit(None, pl.String),
        source_document_id=pl.lit(None, pl.Int64),
        span_start=pl.lit(None, pl.Int64),
        span_end=pl.lit(None, pl.Int64),
        import_batch_id=pl.lit(None, pl.Int64),
        agency_id=pl.when(pl.col("agency_id") > 0).then(pl.col("agency_id")).otherwise(None),
    ).select(COLUMNS)


def _recorded_at() -> pl.Expr:
    """When each figure was written: estimates in the year, actuals the spring after."""
    year, month = pl.col("year"), pl.col("month")
    monthly = pl.datetime(year, pl.when(month > 0).then(month).otherwise(1), 28, 8)
    annual = (
        pl.when(pl.col("status") == "estimate")
        .then(pl.datetime(year, 11, 15, 8))
        .otherwise(pl.datetime(year + 1, 3, 31, 8))
    )
    copy = pl.datetime(year + 1, 2, 1, 8)
    return (
        pl.when(pl.col("lag") == 1)
        .then(copy)
        .when(pl.col("lag") == -1)
        .then(pl.datetime(year, 12, 15, 8))
        .when(month > 0)
        .then(monthly)
        .otherwise(annual)
        .cast(pl.Datetime("us"))
    )
