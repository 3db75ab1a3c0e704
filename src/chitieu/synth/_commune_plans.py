"""Each commune's yearly plan, as the two-tier government (province, commune) has them set.

Since 1 July 2025 a commune answers to its province directly and adopts its own
socio-economic plan for the year: a score of targets on the figures it reports.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from chitieu.synth._layout import Province, level_at, series_kind
from chitieu.synth._target_row import Row, target_row

COMMUNE_PLAN_YEAR = 2026  # the first full year of the communes formed on 01/7/2025
COMMUNE_TARGETS = (20, 29)  # fewest and most targets a commune sets itself
COMMUNE_SCALE = 0.01  # a commune's amounts against its province's (as the series draw them)


def commune_plans(
    tables: dict[str, list[Row]],
    take: Callable[[str], int],
    rng: random.Random,
    communes: list[tuple[int, Province]],
    observed: list[Row],
    years: tuple[int, int],
) -> None:
    """A yearly plan for ``COMMUNE_PLAN_YEAR`` per commune; ``take`` numbers the rows of a table."""
    year = COMMUNE_PLAN_YEAR
    if not years[0] < year <= years[1]:
        return
    codes = {row["id"]: row["code"] for row in tables["region"] if row["level"] == "commune"}
    for region_id, _province in communes:
        code = codes[region_id]
        plan_id = take("plan")
        tables["plan"].append(
            {
                "id": plan_id,
                "code": f"syn-kh-{year}-{code}",
                "title": f"Kế hoạch phát triển kinh tế - xã hội năm {year} ({code})",
                "document_number": None,
                "issuer": f"UBND {code}",
                "issued_on": date(year - 1, 12, 20),
                "region_id": region_id,
                "horizon_start": year,
                "horizon_end": year,
                "kind": "annual",
                "source_document_id": None,
            }
        )
        count = min(rng.randint(*COMMUNE_TARGETS), len(observed))
        for row_number, indicator in enumerate(rng.sample(observed, count), start=1):
            tables["target"].append(
                _target((take("target"), plan_id, region_id, row_number), indicator, rng)
            )


def _target(keys: tuple[int, int, int, int], indicator: Row, rng: random.Random) -> Row:
    """A target for the plan's year alone: the year's growth, share or amount.

    ``keys``: its id, plan, region and row number."""
    year = COMMUNE_PLAN_YEAR
    kind = series_kind(indicator)
    low: float | None
    high: float | None
    if kind == "growth":
        low = round(rng.uniform(4.0, 9.0), 1)
        high = None if rng.random() < 0.5 else low + 1
    elif kind == "share":
        low = round(rng.uniform(10.0, 90.0), 1)
        high = None if rng.random() < 0.5 else low + round(rng.uniform(0, 3), 1)
    elif kind == "rank":
        low = high = float(rng.randint(1, 63))
    else:
        low = high = round(level_at(indicator, year) * COMMUNE_SCALE * rng.uniform(0.6, 1.6), 3)
    if indicator["direction"] == "lower" and rng.random() < 0.5:
        low, high = None, high if high is not None else low
    return target_row(keys, indicator, (str(year), "level", low, high), baseline=str(year - 1))
