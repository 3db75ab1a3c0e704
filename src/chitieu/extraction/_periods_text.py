"""Where a text names a period ("9 tháng năm 2024", "quý I/2025", "tính đến 30/6/2023")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True, slots=True)
class PeriodMention:
    """A period named in the text; ``code`` has ``{y}`` where the year is left to context."""

    start: int
    end: int
    code: str
    comparison: bool = False
    # "cùng kỳ năm 2023 chỉ đạt 5,03%": the base period's own value, the figure's period
    # is the report's, moved to this year.
    base_year: int | None = None

    def resolve(
        self, year: int | None, year_to_date: str | None = None, month: str | None = None
    ) -> str | None:
        if self.code == "{ytd}":
            return year_to_date
        if self.code == "{m}":
            return month
        if self.code == "{y-1}":
            return str(year - 1) if year else None
        if "{y}" not in self.code:
            return self.code
        return self.code.replace("{y}", str(year)) if year else None


_YEAR = r"(?:19|20)\d{2}"
_SEP_YEAR = rf"(?:\s*/\s*|\s+(?:nam\s+)?)({_YEAR})"
# "trong tháng 43.373 tấn": digits grouped in thousands after "tháng" are an amount.
_NOT_AMOUNT = r"(?!\d|[.,]\d{3}(?!\d))"

# Patterns on folded text, most specific first; a later pattern never takes a
# span an earlier one matched.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # "theo giá so sánh (năm) 2010" is the price base of a volume, never a period.
    (re.compile(rf"gia\s+(?:so\s+sanh|co\s+dinh|goc)\s+(?:nam\s+)?{_YEAR}"), "price_base"),
    (
        re.compile(rf"den\s+(?:het\s+)?(?:ngay\s+)?(\d{{1,2}})/(\d{{1,2}})/({_YEAR})"),
        "point",
    ),
    (
        re.compile(rf"den\s+(?:het\s+)?ngay\s+(\d{{1,2}})\s+thang\s+(\d{{1,2}})\s+nam\s+({_YEAR})"),
        "point",
    ),
    # A date ("ngày 29 tháng 3 năm 2024", "ngày 21/6") dates the text or an event; its
    # month is no reporting period.
    (
        re.compile(
            rf"ngay\s+\d{{1,2}}\s*(?:/\s*\d{{1,2}}(?:\s*/\s*{_YEAR})?"
            rf"|\s+thang\s+\d{{1,2}}(?:\s+nam\s+{_YEAR})?)"
        ),
        "date",
    ),
    (re.compile(rf"giai\s+doan\s+({_YEAR})\s*[-–]\s*({_YEAR})"), "range"),
    (re.compile(rf"thoi\s+ky\s+({_YEAR})\s*[-–]\s*({_YEAR})"), "range"),
    (re.compile(rf"binh\s+quan\s+({_YEAR})\s*[-–]\s*({_YEAR})"), "range"),
    (re.compile(rf"nhiem\s+ky\s+({_YEAR})\s*[-–]\s*({_YEAR})"), "range"),
    (re.compile(rf"(?:6\s+thang|nua)\s+dau(?:\s+nam)?(?:\s*({_YEAR}))?"), "H1"),
    (re.compile(rf"(?:6\s+thang|nua)\s+cuoi(?:\s+nam)?(?:\s*({_YEAR}))?"), "H2"),
    # "9 tháng", "Tính chung 9 tháng,", "11 tháng đầu năm 2024": the first months of a year.
    # "\d\d?" rather than "\d{1,2}": a pattern opening on a character class lets the
    # engine skip to the digits instead of trying every position.
    (re.compile(rf"(\d\d?)\s+thang(?:\s+dau)?(?:\s+nam)?(?:\s+({_YEAR}))?(?![a-z])"), "months"),
    (re.compile(rf"quy\s+(iv|iii|ii|i|[1-4])(?:{_SEP_YEAR})?"), "quarter"),
    (re.compile(rf"thang\s+(\d{{1,2}}){_NOT_AMOUNT}(?:{_SEP_YEAR})?"), "month"),
    (re.compile(rf"nam\s+({_YEAR})"), "year"),
    (re.compile(r"ca\s+nam"), "this_year"),
    (re.compile(r"nam\s+nay"), "this_year"),
    # "năm trước chỉ đạt 5,1%": the year before the report's ("so với năm trước" compares).
    (re.compile(r"nam\s+(?:truoc|ngoai)(?![a-z])"), "last_year"),
    (re.compile(r"tu\s+dau\s+nam(?:\s+(?:den|toi)\s+nay)?"), "ytd"),
    # "trong tháng", "riêng tháng này": the month a monthly report is about.
    (
        re.compile(
            rf"(?:trong\s+thang(?:\s+nay)?|rieng\s+thang(?:\s+nay)?|thang\s+nay)"
            rf"(?![a-z]|\s*(?:0?[1-9]|1[0-2]){_NOT_AMOUNT})"
        ),
        "this_month",
    ),
    (re.compile(r"den\s+nay"), "ytd"),
    (re.compile(rf"({_YEAR})\s*[-–]\s*({_YEAR})"), "range"),
]

# "so với năm 2022" names what a figure is compared with; "chuẩn giai đoạn 2021-2025"
# names a standard; neither is the figure's own period.
_COMPARISON = re.compile(
    r"so\s+(?:voi\s+)?(?:cung\s+(?:ky|thoi\s+diem)\s+)?(?:cuoi\s+|dau\s+)?(?:nam\s+)?$"
    r"|cung\s+(?:ky|thoi\s+diem)\s+$"
    # "cao nhất kể từ năm 2021 (trở lại đây)": a point of reference, not the figure's period.
    r"|ke\s+tu\s+$"
    r"|chuan(?:\s+ngheo)?(?:\s+da\s+chieu)?\s+$"
    r"|(?:bang|gap)\s+(?:khoang\s+)?[\d.,]+\s*(?:%|lan)?\s*$"
    r"|(?:(?:cao|thap|nhieu|it|lon|nho)\s+hon|tuong\s+duong|bang|vuot|gap(?:\s+\w+)?)\s+$"
)
# "đạt 103 nghìn tỷ đồng, tăng 16,7% năm 2023": a change followed by a period compares with
# it ("so với" left out) — unless the period word is written with a capital, which in the
# middle of a line starts a new sentence: a headline run into its lead ("… tăng 15,5 lần
# Quý I/2024, tỉnh cấp mới …").
_AFTER_CHANGE = re.compile(r"(?:tang|giam)\s+(?:khoang\s+)?[\d.,]+\s*(?:%|lan)?\s*$")


def find_periods(folded: str, original: str | None = None) -> list[PeriodMention]:
    """Every period the text names, in order, with comparisons ("so với năm 2022") marked.

    ``original`` is the unfolded text, where a capital tells a sentence's start.
    """
    taken = bytearray(len(folded) + 1)
    found: list[PeriodMention] = []
    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(folded):
            if not _word_start(folded, match.start()):
                continue
            if any(taken[match.start() : match.end()]):
                continue
            if kind in ("price_base", "date"):
                taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
                continue
            code = _code(kind, match)
            if code is None:
                continue
            before = folded[max(0, match.start() - 25) : match.start()]
            comparison = bool(_COMPARISON.search(before)) or (
                bool(_AFTER_CHANGE.search(before))
                and not (original is not None and original[match.start()].isupper())
            )
            base_year = _base_own_value(folded, before, match.end(), code) if comparison else None
            taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
            found.append(
                PeriodMention(
                    match.start(), match.end(), code, comparison and base_year is None, base_year
                )
            )
    return sorted(found, key=lambda m: m.start)


# "(trong khi) cùng kỳ năm 2023 chỉ đạt 5,03%": the base period is the subject, the figure
# its own value; "tăng 5% so với cùng kỳ năm 2023", "cao hơn cùng kỳ năm 2023" compare.
_BASE_SUBJECT = re.compile(r"(?:[\n.,;:(]|trong\s+khi(?:\s+do)?|con|nhung|khi)\s*cung\s+ky\s+$")
_OWN_VALUE_VERB = re.compile(r"\s*(?:chi\s+|cung\s+|da\s+|moi\s+)?(?:dat|tang|giam|la|o\s+muc)\b")


# "vượt nhiều lần so với cùng kỳ năm 2023 (35,4 triệu USD)": a bare amount in brackets
# right after a comparison base is the base's own value; "giảm 1,7% so với năm 2022 (đạt
# 96.085 ha)" says with its verb what the subject itself reached.
_BRACKETED_VALUE = re.compile(r"\s*\(\s*\d")


def _base_own_value(folded: str, before: str, end: int, code: str) -> int | None:
    year = re.match(r"\d{4}", code)
    if year is None:
        return None
    if _BRACKETED_VALUE.match(folded, end):
        return int(year.group())
    if not _BASE_SUBJECT.search(before):
        return None
    return int(year.group()) if _OWN_VALUE_VERB.match(folded, end) else None


def _word_start(text: str, index: int) -> bool:
    return index == 0 or not text[index - 1].isalnum()


def _code(kind: str, match: re.Match[str]) -> str | None:
    groups = match.groups()
    year: str = "{y}"
    if kind == "point":
        day, month, point_year = (int(g) for g in groups)
        try:
            date(point_year, month, day)
        except ValueError:  # 31/2 or 0/13 is no day, and no period code either
            return None
        return f"{point_year}-{month:02}-{day:02}"
    if kind == "range":
        first, last = int(groups[0]), int(groups[1])
        return f"{first}/{last}" if first < last else None
    if kind in ("H1", "H2"):
        return f"{groups[0] or year}-{kind}"
    if kind == "months":
        months = int(groups[0])
        y = groups[1] or year
        if months == 6:
            return f"{y}-H1"
        if months == 12:
            return str(y)
        return f"{y}-{months}M" if 1 <= months <= 11 else None
    if kind == "quarter":
        quarter = _ROMAN.get(groups[0]) or int(groups[0])
        return f"{groups[1] or year}-Q{quarter}"
    if kind == "month":
        month = int(groups[0])
        return f"{groups[1] or year}-M{month:02}" if 1 <= month <= 12 else None
    if kind == "year":
        return groups[0]
    if kind == "last_year":
        return "{y-1}"
    if kind == "this_year":
        return year
    if kind == "ytd":
        return "{ytd}"
    if kind == "this_month":
        return "{m}"
    return None
