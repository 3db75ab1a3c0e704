"""The values an indicator's figures can plausibly take, derived from its unit and kind.

A figure outside these bounds is no figure but a slip (1e29 USD of imports, a
share of 250 %) and is refused wherever figures enter. The bounds are
deliberately generous — they refuse the absurd, not the surprising; the rule
book (validation/rules.yaml) flags the merely suspicious. The conventions, all
on values in base units as the catalogue keeps them (docs/data-format.md):

- ``%``: growth rates and changes (code with GROWTH, name with "tăng" or
  "tốc độ", price indices) −100 to 1.000 — nothing shrinks by more than all of
  it; reductions (REDUCTION, "giảm") −1.000 to 100; contributions ("đóng
  góp") −1.000 to 1.000; every other percentage is a share, 0 to 100.
- ``điểm %`` (a change in points): −100 to 100.
- money totals: 0 to 10¹⁸ VND (a million trillion đồng) or 10¹⁴ USD; money
  per person, worker or hectare (``VND/…``, ``USD/…``): 0 to 10¹¹ VND or 10⁶ USD.
- counts (projects, visits, people, communes…): 0 to 10¹⁰; ranks 1 to 1.000;
  areas 0 to 10⁹ ha; per 10.000 people 0 to 10.000; indices 0 to 10⁶;
  years (life expectancy) 0 to 200; ratios in ``lần`` (ICOR) −1.000 to 1.000.
- any other unit: a magnitude below 10¹⁸.

The catalogue's ``plausible_min`` and ``plausible_max`` override either side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from chitieu import _format

_COUNT_UNITS = frozenset(
    {"dự án", "lượt", "khu", "cụm", "doanh nghiệp", "người", "xã", "huyện", "hộ", "lao động"}
)
_MONEY_TOTAL = {"VND": 1e18, "USD": 1e14}
_MONEY_PER = {"VND": 1e11, "USD": 1e6}
_ANY = 1e18


@dataclass(frozen=True, slots=True)
class Plausible:
    """The plausible range of an indicator's values (None: open on that side)."""

    low: float | None
    high: float | None
    what_vi: str
    what_en: str


class Catalogued(Protocol):
    """What the bounds are read from: an ``Indicator`` row or the validation's copy of one."""

    @property
    def code(self) -> str: ...
    @property
    def name_vi(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def plausible_min(self) -> float | None: ...
    @property
    def plausible_max(self) -> float | None: ...


def default_bounds(*, code: str, name_vi: str, unit: str) -> Plausible:
    """The bounds the conventions above give an indicator of this code, name and unit."""
    code, name = code.upper(), name_vi.lower()
    if unit == "%":
        return _percentage(code, name)
    if unit == "điểm %":
        return Plausible(-100, 100, "một mức thay đổi tính bằng điểm %", "a change in points")
    base, _, per = unit.partition("/")
    if base in _MONEY_TOTAL:
        ceiling = (_MONEY_PER if per else _MONEY_TOTAL)[base]
        return Plausible(0, ceiling, "một số tiền", "an amount of money")
    if unit in _COUNT_UNITS:
        return Plausible(0, 1e10, "một số đếm", "a count")
    if unit == "hạng":
        return Plausible(1, 1000, "một thứ hạng", "a rank")
    if unit == "ha":
        return Plausible(0, 1e9, "một diện tích", "an area")
    if per.startswith("10.000"):
        return Plausible(0, 10_000, "một tỷ số trên 10.000 dân", "a ratio per 10,000 people")
    if unit == "chỉ số":
        return Plausible(0, 1e6, "một chỉ số", "an index")
    if unit == "năm":
        return Plausible(0, 200, "một số năm", "a number of years")
    if unit == "lần":
        return Plausible(-1000, 1000, "một hệ số", "a ratio")
    return Plausible(-_ANY, _ANY, "một con số", "a figure")


def _percentage(code: str, name: str) -> Plausible:
    if "đóng góp" in name or "CONTRIBUTION" in code:
        return Plausible(-1000, 1000, "một phần đóng góp", "a contribution")
    if "REDUCTION" in code or "giảm" in name:
        return Plausible(-1000, 100, "một mức giảm", "a reduction")
    if "GROWTH" in code or "tăng" in name or "tốc độ" in name or "chỉ số" in name:
        return Plausible(-100, 1000, "một tốc độ tăng", "a growth rate")
    return Plausible(0, 100, "một tỷ lệ", "a share")


def plausible_bounds(indicator: Catalogued) -> Plausible:
    """The indicator's bounds: the catalogue's own where it sets them, else the conventions'."""
    derived = default_bounds(code=indicator.code, name_vi=indicator.name_vi, unit=indicator.unit)
    low = derived.low if indicator.plausible_min is None else indicator.plausible_min
    high = derived.high if indicator.plausible_max is None else indicator.plausible_max
    return Plausible(low, high, derived.what_vi, derived.what_en)


def out_of_bounds(bounds: Plausible, value: float, unit: str) -> tuple[str, str] | None:
    """Why ``value`` is not plausible, in Vietnamese and English; None when it is."""
    if not math.isfinite(value):
        return ("không phải một số hữu hạn", "is not a finite number")
    low, high = bounds.low, bounds.high
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return (
            f"nằm ngoài khoảng hợp lý của {bounds.what_vi}, từ "
            f"{_format.value_with_unit(low, unit, 'vi')} đến "
            f"{_format.value_with_unit(high, unit, 'vi')}",
            f"is outside the plausible range of {bounds.what_en}, "
            f"{_format.value_with_unit(low, unit, 'en')} to "
            f"{_format.value_with_unit(high, unit, 'en')}",
        )
    if low is not None:
        return (
            f"nhỏ hơn {_format.value_with_unit(low, unit, 'vi')}, "
            f"mức thấp nhất hợp lý của {bounds.what_vi}",
            f"is below {_format.value_with_unit(low, unit, 'en')}, "
            f"the lowest plausible for {bounds.what_en}",
        )
    assert high is not None
    return (
        f"lớn hơn {_format.value_with_unit(high, unit, 'vi')}, "
        f"mức cao nhất hợp lý của {bounds.what_vi}",
        f"is above {_format.value_with_unit(high, unit, 'en')}, "
        f"the highest plausible for {bounds.what_en}",
    )


def implausible(indicator: Catalogued, value: float) -> str | None:
    """One Vietnamese line refusing ``value`` for ``indicator``, or None when it is plausible."""
    reasons = out_of_bounds(plausible_bounds(indicator), value, indicator.unit)
    if reasons is None:
        return None
    shown = _format.value_with_unit(value, indicator.unit, "vi")
    return (
        f"{indicator.code} – {indicator.name_vi}: giá trị {shown} {reasons[0]}; "
        "nếu con số đúng, hãy sửa giới hạn plausible_min/plausible_max của chỉ tiêu trong danh mục"
    )
