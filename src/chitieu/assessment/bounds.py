"""Where a target's bounds lie and whether a value meets them (assessments, scenarios)."""

from __future__ import annotations

from chitieu import _format
from chitieu._labels import tr
from chitieu.indicator.models import Indicator
from chitieu.plan.models import Target


def threshold(target: Target, direction: str) -> float | None:
    """The value to reach: a range's near bound in the good direction."""
    low, high = target.minimum, target.maximum
    if direction == "lower":
        return high if high is not None else low
    return low if low is not None else high


def meets(value: float, target: Target, direction: str) -> bool:
    low, high = target.minimum, target.maximum
    if direction == "higher":
        return low is None or value >= low - 1e-9
    if direction == "lower":
        return high is None or value <= high + 1e-9
    return (low is None or value >= low - 1e-9) and (high is None or value <= high + 1e-9)


def side(value: float, target: Target, lang: str) -> str | None:
    """Which side of a range a value misses on, in words."""
    low, high = target.minimum, target.maximum
    if low is not None and value < low:
        return tr(lang, "dưới mức", "below") + f" {_format.number(low, lang)}"
    if high is not None and value > high:
        return tr(lang, "trên mức", "above") + f" {_format.number(high, lang)}"
    return None


def is_flow(indicator: Indicator) -> bool:
    """A figure of one period's activity (growth, revenue, arrivals), not a standing level."""
    code = indicator.code
    return indicator.merge_rule == "sum" or any(
        word in code for word in ("GROWTH", "CONTRIBUTION", "REDUCTION", "IIP", "CPI")
    )


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
