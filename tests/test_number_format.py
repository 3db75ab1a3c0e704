"""Numbers are written as Babel writes them, by a shorter path (the national assessment
writes some 150,000): the same text for every kind of value, in both languages."""

import math
import random

import pytest
from babel import Locale
from babel.numbers import format_decimal

from chitieu import _format


def _babel(value: float, lang: str, digits: int) -> str:
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    text = format_decimal(value, format=pattern, locale=Locale.parse(lang))
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def _values() -> list[float]:
    pick = random.Random(17)
    values = [0.0, -0.0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.0005, 0.0015, 0.0025, 999.9995, 1e-9]
    values += [12345.5, 1234567.891, -987654.3215, 52.15, 98.765, 100.0, 1e17, 999999999999.9999]
    for _ in range(6000):
        magnitude = 10 ** pick.uniform(-6, 17.9)
        value = pick.choice((1, -1)) * magnitude
        values.append(value)
        # Halfway cases at the digits written, and numbers with few decimals, as figures are.
        values.append(round(value, pick.randint(0, 4)) + pick.choice((0, 0.0005, 0.005, 0.05)))
    values += [pick.randint(-(10**9), 10**9) / 1000 for _ in range(3000)]
    return values


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("digits", [0, 1, 2, 3])
def test_numbers_read_as_babel_writes_them(lang, digits):
    values = [value for value in _values() if abs(value) < 1e18]
    differ = [
        (value, _format.number(value, lang, digits), _babel(value, lang, digits))
        for value in values
        if _format.number(value, lang, digits) != _babel(value, lang, digits)
    ]
    assert not differ, differ[:5]


def test_vietnamese_separators_and_the_values_babel_is_not_asked():
    assert _format.number(1234567.891, "vi") == "1.234.567,891"
    assert _format.number(1234567.891, "en") == "1,234,567.891"
    assert _format.number(-0.0001, "vi") == "0"
    assert _format.number(2.5, "vi", 0) == "2" and _format.number(3.5, "vi", 0) == "4"
    assert _format.number(math.nan, "vi") == "không xác định"
    assert _format.number(1.5e29, "vi") == "1,5 × 10²⁹"
