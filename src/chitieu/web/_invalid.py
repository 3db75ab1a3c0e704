"""What was wrong with a request's input, in words of both languages rather than pydantic's.

A page in Vietnamese must not say "Input should be a valid integer": the first
error is told as which value, and what it should have been.
"""

from __future__ import annotations

from typing import Any

from chitieu import _format

Pair = tuple[str, str]

# pydantic's error types (``error["type"]``) → what the value should be.
_SHOULD: dict[str, Pair] = {
    "int_parsing": ("phải là số nguyên", "must be a whole number"),
    "int_from_float": ("phải là số nguyên", "must be a whole number"),
    "float_parsing": ("phải là một số", "must be a number"),
    "finite_number": ("phải là một số hữu hạn", "must be a finite number"),
    "bool_parsing": ("phải là có hoặc không", "must be yes or no"),
    "date_parsing": ("phải là một ngày (dd/mm/yyyy)", "must be a date (dd/mm/yyyy)"),
    "date_from_datetime_parsing": ("phải là một ngày (dd/mm/yyyy)", "must be a date (dd/mm/yyyy)"),
    "missing": ("còn thiếu", "is missing"),
    "string_pattern_mismatch": ("có ký tự không được phép", "holds characters not allowed"),
    "literal_error": ("không nằm trong các lựa chọn", "is not one of the choices"),
    "enum": ("không nằm trong các lựa chọn", "is not one of the choices"),
}
# Bounds: the error's context names the limit.
_BOUNDS: dict[str, tuple[str, Pair]] = {
    "greater_than_equal": ("ge", ("phải từ {} trở lên", "must be {} or more")),
    "greater_than": ("gt", ("phải lớn hơn {}", "must be more than {}")),
    "less_than_equal": ("le", ("phải từ {} trở xuống", "must be {} or less")),
    "less_than": ("lt", ("phải nhỏ hơn {}", "must be less than {}")),
    "string_too_long": ("max_length", ("dài quá {} ký tự", "is longer than {} characters")),
    "string_too_short": ("min_length", ("ngắn hơn {} ký tự", "is shorter than {} characters")),
}
_INVALID: Pair = ("không hợp lệ", "is not valid")
_LONGEST_SHOWN = 40


def invalid_input(errors: list[Any]) -> Pair:
    """The first error of a refused request, as a sentence in each language."""
    first = errors[0] if errors else {}
    kind = str(first.get("type", ""))
    should: Pair
    if kind in _BOUNDS:
        key, (vi, en) = _BOUNDS[kind]
        limit = (first.get("ctx") or {}).get(key)
        shown = [
            _format.number(limit, lang) if isinstance(limit, int | float) else str(limit)
            for lang in ("vi", "en")
        ]
        should = (vi.format(shown[0]), en.format(shown[1]))
    else:
        should = _SHOULD.get(kind, _INVALID)
    # The field's name is the form's own word for it ("rows", "period"): kept, in quotes.
    where = str(first.get("loc", ("", ""))[-1]) if first.get("loc") else ""
    given = first.get("input")
    value = ""
    if isinstance(given, str | int | float) and kind != "missing":
        text = str(given)
        value = text if len(text) <= _LONGEST_SHOWN else text[: _LONGEST_SHOWN - 1] + "…"
    vi = f"Giá trị «{value}» của ô «{where}» {should[0]}." if value else f"Ô «{where}» {should[0]}."
    en = f"The value «{value}» of «{where}» {should[1]}." if value else f"«{where}» {should[1]}."
    return vi, en
