"""Numbers and dates as Vietnamese readers expect them (1.234,5 and dd/mm/yyyy)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale

from chitieu._labels import unit_word

_SCALES_VI = [(1e12, "nghìn tỷ"), (1e9, "tỷ"), (1e6, "triệu")]
_SCALES_EN = [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")]
_CURRENCY_WORD = {"vi": {"VND": "đồng", "USD": "USD"}, "en": {"VND": "VND", "USD": "USD"}}
# Past a billion billion no figure is read digit by digit, and Babel's decimal
# context (28 digits) fails on such values: they are written 1,5 × 10²⁹.
_SCIENTIFIC_FROM = 1e18
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_UNDEFINED = {"vi": "không xác định", "en": "undefined"}


def number(value: float, lang: str = "vi", digits: int = 3) -> str:
    """A number with the locale's separators and at most ``digits`` decimals.

    Total over floats: any stored figure, even one an old database let in
    (1e308, infinity, NaN), is written rather than raising.
    """
    try:
        value = float(value)
    except OverflowError:  # an integer beyond any float
        value = math.inf if value > 0 else -math.inf
    if math.isnan(value):
        return _UNDEFINED.get(lang, _UNDEFINED["en"])
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if abs(value) >= _SCIENTIFIC_FROM:
        return _scientific(value, lang)
    text = _decimal(value, lang, digits)
    # -0.0, or a tiny negative rounded away, is no negative figure.
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def _decimal(value: float, lang: str, digits: int) -> str:
    """What Babel's ``format_decimal(value, "#,##0.###", locale)`` writes, without the
    pattern machinery: judging every plan of the country writes some 150,000 numbers.

    As Babel does: the float's shortest decimal, rounded half to even at ``digits``
    decimals, trailing zeros dropped, thousands grouped by three, a hyphen for minus.
    ``tests/test_number_format.py`` holds it to Babel's output.
    """
    exact = Decimal(str(value))
    quantum = _QUANTUM[digits] if digits < len(_QUANTUM) else Decimal(10) ** -digits
    rounded = abs(exact).normalize().quantize(quantum)
    whole, _, fraction = f"{rounded:f}".partition(".")
    group, point = _symbols(lang)
    head, tail = whole[: (len(whole) - 1) % 3 + 1], whole[(len(whole) - 1) % 3 + 1 :]
    text = group.join([head, *(tail[i : i + 3] for i in range(0, len(tail), 3))])
    fraction = fraction.rstrip("0")
    if fraction:
        text += point + fraction
    return "-" + text if exact.is_signed() else text


_QUANTUM = [Decimal(10) ** -digits for digits in range(16)]


@lru_cache(maxsize=8)
def _symbols(lang: str) -> tuple[str, str]:
    """The locale's thousands and decimal separators (Vietnamese: "." and ",")."""
    symbols = _locale(lang).number_symbols["latn"]
    return symbols["group"], symbols["decimal"]


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    # Babel parses a locale name on every call: a file's findings format thousands of numbers.
    return Locale.parse(lang)


def _scientific(value: float, lang: str) -> str:
    mantissa, exponent = f"{value:.3e}".split("e")
    short = mantissa.rstrip("0").rstrip(".")
    if lang == "vi":
        short = short.replace(".", ",")
    return f"{short} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def day(value: date, lang: str = "vi") -> str:
    return value.strftime("%d/%m/%Y")


def value_with_unit(value: float, unit: str, lang: str = "vi") -> str:
    """'181 nghìn tỷ đồng' rather than '181000000000000 VND'."""
    if math.isnan(value):
        return number(value, lang)  # no unit after "không xác định"
    unit = unit_word(unit, lang)
    base, _, per = unit.partition("/")
    if base in ("VND", "USD") and _SCIENTIFIC_FROM > abs(value) >= 1e6:
        scales = _SCALES_VI if lang == "vi" else _SCALES_EN
        for factor, word in scales:
            # Take the largest scale that loses no digit: 1.477,8 triệu, not 1,478 tỷ.
            scaled = value / factor
            if abs(scaled) >= 1 and abs(round(scaled, 3) - scaled) < 1e-9 * abs(scaled):
                money = _CURRENCY_WORD[lang][base]
                suffix = f"/{per}" if per else ""
                return f"{number(value / factor, lang)} {word} {money}{suffix}"
    if base == "VND" and not per:
        return f"{number(value, lang)} {_CURRENCY_WORD[lang]['VND']}"
    if unit == "%":
        return f"{number(value, lang)}%"
    return f"{number(value, lang)} {unit}" if unit else number(value, lang)


@dataclass(frozen=True, slots=True)
class Scale:
    """The one scale a set of amounts shown together is read at (a table's column, a row's
    target and figure, a chart's axis): its factor and the unit at it ("nghìn tỷ đồng")."""

    factor: float
    unit: str
    lang: str = "vi"

    def number(self, value: float | None, digits: int = 3) -> str:
        return "—" if value is None else number(value / self.factor, self.lang, digits)

    @property
    def suffix(self) -> str:
        """What follows a number: "%" glued, any other unit after a space."""
        return self.unit if self.unit in ("", "%") else f" {self.unit}"

    def amount(self, value: float | None, digits: int = 3) -> str:
        return "—" if value is None else self.number(value, digits) + self.suffix

    def bounds(self, minimum: float | None, maximum: float | None) -> str:
        def scaled(value: float | None) -> float | None:
            return None if value is None else value / self.factor

        return bounds(scaled(minimum), scaled(maximum), self.lang)


def scale_for(values: Iterable[float | None], unit: str, lang: str = "vi") -> Scale:
    """The scale a set of amounts in ``unit`` is shown at, chosen from the values.

    Money (VND, USD, and per-unit money such as VND/người) is read in nghìn tỷ, tỷ
    or triệu: the largest scale at which the set's middle amount is 1 or more, so a
    column reads "12,76" and "15,295" nghìn tỷ đồng rather than one amount in đồng
    beside another in nghìn tỷ. Any other unit keeps its numbers as they are.
    """
    words = unit_word(unit, lang)
    base, _, per = words.partition("/")
    suffix = f"/{per}" if per else ""
    amounts = sorted(abs(float(v)) for v in values if v is not None and math.isfinite(v) and v != 0)
    if base in ("VND", "USD") and amounts:
        middle = amounts[(len(amounts) - 1) // 2]
        money = _CURRENCY_WORD[lang][base]
        for factor, word in _SCALES_VI if lang == "vi" else _SCALES_EN:
            if middle >= factor:
                return Scale(factor, f"{word} {money}{suffix}", lang)
    if base == "VND":
        return Scale(1.0, f"{_CURRENCY_WORD[lang]['VND']}{suffix}", lang)
    return Scale(1.0, words, lang)


def bounds(minimum: float | None, maximum: float | None, lang: str = "vi") -> str:
    """A target's bounds as the plan writes them: '12–13', '≥ 90', '14,5'."""
    if minimum is not None and maximum is not None:
        if minimum == maximum:
            return number(minimum, lang)
        return f"{number(minimum, lang)}–{number(maximum, lang)}"
    if minimum is not None:
        return f"≥ {number(minimum, lang)}"
    if maximum is not None:
        return f"≤ {number(maximum, lang)}"
    return "—"
