"""Numbers as Vietnamese official writing prints them.

"1.477,8" is 1477.8 (dot groups thousands, comma marks decimals); "1,568 tỷ"
is 1.568 billion; "1.89 tỷ USD" can only be an English decimal point, because
Vietnamese grouping needs three digits after a dot.
"""

from __future__ import annotations

import re

from chitieu.extraction._lexicon import NUMBER_WORDS

# A run of digits with dots and commas inside; the sign is taken separately.
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
LARGEST = 1e100

_VI_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_EN_GROUPED = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|\d{1,3}(?:,\d{3})+\.\d+")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_DECIMAL_POINT = re.compile(r"\d+\.\d+")


def parse_number(token: str) -> float | None:
    """The value of a digit token, or None when it is no single number ("1.2.1")."""
    value = _token_value(token)
    # No report writes a hundred digits; float() would read hundreds as infinity, and
    # a scale word ("nghìn tỷ") could push a long one there.
    return value if value is None or value < LARGEST else None


def _token_value(token: str) -> float | None:
    # isdecimal, not isdigit: "²" is a digit to Python but no number to float().
    if token.isdecimal():
        return float(token)
    if _VI_GROUPED.fullmatch(token):
        return float(token.replace(".", "").replace(",", "."))
    if _EN_GROUPED.fullmatch(token):
        return float(token.replace(",", ""))
    if _DECIMAL_COMMA.fullmatch(token):
        return float(token.replace(",", "."))
    if _DECIMAL_POINT.fullmatch(token):
        # One dot with other than three digits after it cannot group thousands.
        return float(token)
    return None


def number_from_words(words: list[str]) -> float | None:
    """'hai', 'mười lăm', 'hai mươi', 'đôi' (folded) → the number, else None."""
    if not words or any(w not in NUMBER_WORDS and w not in ("lam", "mot", "tu") for w in words):
        return None
    total = 0.0
    current = 0.0
    for word in words:
        if word == "muoi":
            current = (current or 1) * 10
        elif word in ("lam",) and current >= 10:
            current += 5
        elif word == "mot" and current >= 10:
            current += 1
        elif word == "tu" and current >= 10:
            current += 4
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        else:
            return None
    total += current
    return total or None
