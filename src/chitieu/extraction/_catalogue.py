"""The indicator catalogue as extraction needs it: each code's unit."""

from __future__ import annotations

import csv
from functools import cache

from chitieu.dataset.service import EMBEDDED


@cache
def catalogue_units() -> dict[str, str]:
    units: dict[str, str] = {}
    for path in sorted(EMBEDDED.glob("indicators*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            units.update({row["code"]: row["unit"] for row in csv.DictReader(handle)})
    return units


def unit_for(indicator: str | None, unit: str) -> str:
    """The catalogue's per-unit when the figure gives only its numerator ("33,8 giường")."""
    if indicator is None:
        return unit
    expected = catalogue_units().get(indicator, "")
    if unit and expected.startswith(unit + "/"):
        return expected
    if not unit and expected == "lần":
        return expected
    return unit
