"""Reporting periods: the canonical codes of the extraction contract and their meaning.

A period is stored as its code (``2023``, ``2023-H1``, ``2024-9M``, ``2023-Q3``,
``2023-M05``, ``2021/2025``, ``2023-06-30``) and interpreted here, so that
every layer agrees on what "the first nine months" means.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from chitieu._errors import InputError
from chitieu._text import fold


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    MONTHS_TO_DATE = "months_to_date"
    MULTI_YEAR = "multi_year"
    POINT = "point"


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass(frozen=True, slots=True)
class Period:
    """A span of time a figure refers to, from ``start`` to ``end`` inclusive."""

    code: str
    kind: PeriodKind
    start: date
    end: date

    @property
    def year(self) -> int:
        """The year the period ends in (a multi-year period's last year)."""
        return self.end.year

    @property
    def months(self) -> int:
        """How many calendar months the period covers (0 for a point in time)."""
        if self.kind is PeriodKind.POINT:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def label(self, lang: str = "vi") -> str:
        return _label_vi(self) if lang == "vi" else _label_en(self)

    def __str__(self) -> str:
        return self.code


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(code: str, kind: PeriodKind, year: int, first: int, last: int) -> Period:
    return Period(code, kind, date(year, first, 1), _month_end(year, last))


_CODE_PATTERNS: list[tuple[re.Pattern[str], PeriodKind]] = [
    (re.compile(r"(\d{4})"), PeriodKind.YEAR),
    (re.compile(r"(\d{4})-H([12])"), PeriodKind.HALF),
    (re.compile(r"(\d{4})-Q([1-4])"), PeriodKind.QUARTER),
    (re.compile(r"(\d{4})-M(0[1-9]|1[0-2])"), PeriodKind.MONTH),
    (re.compile(r"(\d{4})-([1-9]|1[01])M"), PeriodKind.MONTHS_TO_DATE),
    (re.compile(r"(\d{4})/(\d{4})"), PeriodKind.MULTI_YEAR),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), PeriodKind.POINT),
]


def parse_period(code: str) -> Period:
    """Read a canonical period code; raise InputError naming the code otherwise."""
    found = _parsed(code.strip())
    if found is not None:
        return found
    raise InputError(
        f"không đọc được kỳ '{_one_line(code)}' (ví dụ hợp lệ: 2023, 2023-H1, 2024-9M, "
        "2023-Q1, 2023-M05, 2021/2025, 2023-06-30)"
    )


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Period | None:
    # Checks read the same few period codes for every figure of a file: parse each once.
    for pattern, kind in _CODE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return _build(text, kind, match)
            except ValueError:
                return None
    return None


def _one_line(text: str) -> str:
    """The text as a message shows it: a line break in a cell would break the message's line."""
    return " ".join(text.split())


def _build(text: str, kind: PeriodKind, match: re.Match[str]) -> Period:
    year = int(match.group(1))
    if not 1900 <= year <= 2200:
        raise ValueError(text)
    if kind is PeriodKind.YEAR:
        return _span(text, kind, year, 1, 12)
    if kind is PeriodKind.HALF:
        half = int(match.group(2))
        return _span(text, kind, year, 6 * half - 5, 6 * half)
    if kind is PeriodKind.QUARTER:
        quarter = int(match.group(2))
        return _span(text, kind, year, 3 * quarter - 2, 3 * quarter)
    if kind is PeriodKind.MONTH:
        month = int(match.group(2))
        return _span(text, kind, year, month, month)
    if kind is PeriodKind.MONTHS_TO_DATE:
        months = int(match.group(2))
        if months == 6:
            # The first six months are the first half: one period, one code.
            return _span(f"{year}-H1", PeriodKind.HALF, year, 1, 6)
        return _span(text, kind, year, 1, months)
    if kind is PeriodKind.MULTI_YEAR:
        last = int(match.group(2))
        if last <= year:
            raise ValueError(text)
        return Period(text, kind, date(year, 1, 1), date(last, 12, 31))
    day = date(year, int(match.group(2)), int(match.group(3)))
    return Period(text, kind, day, day)


_VI_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:nam\s+)?(\d{4})"), "{0}"),
    (re.compile(r"6 thang (?:dau )?(?:nam )?(\d{4})"), "{0}-H1"),
    (re.compile(r"6 thang cuoi (?:nam )?(\d{4})"), "{0}-H2"),
    (re.compile(r"(\d{1,2}) thang (?:dau )?(?:nam )?(\d{4})"), "{1}-{0}M"),
    (re.compile(r"quy (i|ii|iii|iv|[1-4])\s*(?:/|nam)\s*(\d{4})"), "{1}-Q{0}"),
    (re.compile(r"thang (\d{1,2})\s*(?:/|nam)\s*(\d{4})"), "{1}-M{0:0>2}"),
    (re.compile(r"(?:giai doan\s+)?(\d{4})\s*-\s*(\d{4})"), "{0}/{1}"),
    (
        re.compile(r"(?:(?:tinh )?den (?:het )?(?:ngay )?)?(\d{1,2})/(\d{1,2})/(\d{4})"),
        "{2}-{1:0>2}-{0:0>2}",
    ),
]


def read_period(text: str) -> Period:
    """Read a period as people write it in a form or spreadsheet.

    Accepts the canonical codes and the usual Vietnamese forms: "năm 2023",
    "6 tháng đầu năm 2023", "9 tháng 2024", "quý I/2025", "tháng 5/2023",
    "giai đoạn 2021-2025", "30/6/2023".
    """
    try:
        return parse_period(text)
    except InputError:
        pass
    folded = fold(text)
    for pattern, template in _VI_FORMS:
        match = pattern.fullmatch(folded)
        if match:
            parts = [_ROMAN.get(g.upper(), g) for g in match.groups()]
            if template == "{1}-{0}M" and parts[0] in {"6", "12"}:
                # "6 tháng năm 2023" is the first half; "12 tháng" the whole year.
                template = "{1}-H1" if parts[0] == "6" else "{1}"
            return parse_period(template.format(*[_int_or_str(p) for p in parts]))
    raise InputError(f"không đọc được kỳ '{_one_line(text)}'")


def _int_or_str(value: object) -> int | str:
    text = str(value)
    return int(text) if text.isdigit() else text


def _label_vi(period: Period) -> str:
    year = period.start.year
    match period.kind:
        case PeriodKind.YEAR:
            return f"năm {year}"
        case PeriodKind.HALF:
            return f"6 tháng {'đầu' if period.start.month == 1 else 'cuối'} năm {year}"
        case PeriodKind.QUARTER:
            return f"quý {_roman(period.end.month // 3)}/{year}"
        case PeriodKind.MONTH:
            return f"tháng {period.start.month}/{year}"
        case PeriodKind.MONTHS_TO_DATE:
            return f"{period.end.month} tháng năm {year}"
        case PeriodKind.MULTI_YEAR:
            return f"giai đoạn {year}-{period.end.year}"
        case PeriodKind.POINT:
            return f"đến {period.start:%d/%m/%Y}"


def _label_en(period: Period) -> str:
    year = period.start.year
    match period.kind:
        case PeriodKind.YEAR:
            return str(year)
        case PeriodKind.HALF:
            return f"{'first' if period.start.month == 1 else 'second'} half of {year}"
        case PeriodKind.QUARTER:
            return f"Q{period.end.month // 3} {year}"
        case PeriodKind.MONTH:
            return f"{period.start:%B %Y}"
        case PeriodKind.MONTHS_TO_DATE:
            return f"first {period.end.month} months of {year}"
        case PeriodKind.MULTI_YEAR:
            return f"{year}-{period.end.year}"
        case PeriodKind.POINT:
            return f"as of {period.start:%d/%m/%Y}"


def _roman(number: int) -> str:
    return {v: k for k, v in _ROMAN.items()}[number]
