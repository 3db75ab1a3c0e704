"""Values, bounds and names as the report writes them, in Vietnamese or English."""

from __future__ import annotations

from chitieu import _format
from chitieu._labels import unit_word as unit_text
from chitieu.plan.models import Target
from chitieu.region.models import Region


def value_text(value: float, unit: str, lang: str) -> str:
    """'13,85%', '181 nghìn tỷ đồng', 'hạng 2' — and their English forms."""
    if unit == "hạng":
        return f"{'hạng' if lang == 'vi' else 'rank'} {_format.number(value, lang)}"
    return _format.value_with_unit(value, unit_text(unit, lang), lang)


def money_scale(target: Target, figure: float | None, lang: str) -> _format.Scale | None:
    """One scale for an amount's target and the figure beside it (a row of a table), chosen
    from both; None for a target that is no amount of money."""
    if target.unit.partition("/")[0] not in ("VND", "USD"):
        return None
    return _format.scale_for([target.minimum, target.maximum, figure], target.unit, lang)


def target_text(target: Target, lang: str, scale: _format.Scale | None = None) -> str:
    """The target's bounds with its unit: '14,5%', '12–13%', '≥ 90%', '135–140 triệu đồng/ha'."""
    low, high, unit = target.minimum, target.maximum, target.unit
    if low is None and high is None:
        return "—"
    if scale is not None:
        return scale.bounds(low, high) + scale.suffix
    if low is None or high is None:
        sign = "≥" if low is not None else "≤"
        value = low if low is not None else high
        assert value is not None
        return f"{sign} {value_text(value, unit, lang)}"
    if low == high:
        return value_text(low, unit, lang)
    first, last = value_text(low, unit, lang), value_text(high, unit, lang)
    number_first, _, unit_first = _split(first)
    _number, _, unit_last = _split(last)
    if unit_first == unit_last:
        return f"{number_first}–{last}"
    return f"{first} – {last}"


def _split(text: str) -> tuple[str, str, str]:
    """'135 triệu đồng/ha' → ('135', ' ', 'triệu đồng/ha'); '13%' → ('13', '', '%')."""
    if text.endswith("%") and " " not in text:
        return text[:-1], "", "%"
    return text.partition(" ")


def region_name(region: Region, lang: str) -> str:
    return region.name if lang == "vi" else (region.name_en or region.name)
