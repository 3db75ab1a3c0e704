"""Numbers that are not figures: dates, document numbers, codes, roads, section numbers, URLs.

Each number is judged by the "word" it stands in (the run of characters
between spaces) and by the few words before it, so the whole text is never
scanned once per kind of exclusion.
"""

from __future__ import annotations

import re

from chitieu.extraction._lexicon import MEASURES, UPPER

_WORD_EDGE = re.compile(r"[\s\"“”'‘’()\[\]]")
_TRAILING = ".,;:!?…"

# A word that is a date: 15/07/2021, 30/6, 9/2024, 01-04-2019.
_DATE = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])(?:/\d{2,4})?|\d{1,2}/(?:19|20)\d{2}"
    r"|(?:0?[1-9]|[12]\d|3[01])-(?:0?[1-9]|1[0-2])-\d{2,4}"
)
# Letters glued to a number that are its unit, not a code: "1.397ha", "74,2%".
_GLUED_UNIT = re.compile(
    r"[+\-−]?\d[\d.,]*(?:%|" + "|".join(sorted(MEASURES, key=len, reverse=True)) + r")?"
    r"(?:[-–]\d[\d.,]*(?:%)?)?(?:/[^\W\d_]+)*"
)
# Dates written out: "ngày 26 tháng 4 năm 2019". Only a day or a month can follow:
# "trong tháng 43.373 tấn" and "6 tháng 101.749 tấn" are amounts, not dates.
_DATE_LEFT = re.compile(r"(?:ngay|thang)\s+(?:\d{1,2}\s+thang\s+)?$")
_DAY_OR_MONTH = re.compile(r"0?[1-9]|[12]\d|3[01]")
# "mục 3" numbers a part of a text; "mức 4,5%" is a level (both fold to "muc").
_PART_MUC = re.compile(r"(?<![^\W\d_])(?:tiểu\s+)?mục\s+$", re.IGNORECASE)
_LEFT_FOLDED = [
    # Roads: quốc lộ 1, 17, 31; tỉnh lộ 292, 293; ĐT 292; QL 1A.
    re.compile(
        r"(?:quoc lo|tinh lo|duong tinh|duong huyen|(?<![a-z])(?:dt|ql|tl|dh))\.?\s*"
        r"(?:\d+[a-z]?\s*(?:,|va)\s*)*$"
    ),
    # Ordinals and parts of texts: "lần thứ 32", "Điều 3", "khoản 2", "mục 1", "số 08".
    # Ordinals that are no ranks: "lần thứ 32", "kỳ họp thứ 24", "năm thứ 9 liên tiếp".
    re.compile(r"(?<![a-z])thu\s+$"),
    re.compile(
        r"(?<![a-z])(?:dieu|khoan|chuong|phan|phu luc|bieu|so|tuyen|to"
        r"|muc do|quy chuan)\s+$"
    ),
]
_RIGHT_FOLDED = re.compile(r"^\.0(?![\d,])")
_LINE_START_SECTION = re.compile(rf"[ \t]*(?:\d+\.)+\d*(?:[ \t]+[{UPPER}]|[ \t]*$)")
_LINE_START_ITEM = re.compile(r"[ \t]*\(?\d+\)[ \t]")
_LINE_START_FOOTNOTE = re.compile(rf"[ \t]*\d{{1,3}}[ \t]+[{UPPER}]")


def _word(original: str, start: int, end: int) -> str:
    """The whitespace-delimited word around ``[start, end)``, without closing punctuation."""
    left = start
    while left > 0 and not _WORD_EDGE.match(original[left - 1]):
        left -= 1
    right = end
    while right < len(original) and not _WORD_EDGE.match(original[right]):
        right += 1
    return original[left:right].rstrip(_TRAILING)


def not_a_figure(original: str, folded: str, start: int, end: int) -> bool:
    """Whether the number at ``[start, end)`` is part of a date, a code, a name or a heading."""
    word = _word(original, start, end)
    if "://" in word or word.startswith("www.") or "@" in word:
        return True
    if _DATE.fullmatch(word):
        return True
    if any(c.isalpha() for c in word) and not _GLUED_UNIT.fullmatch(word.lower()):
        # 249/QĐ-UBND, 147-NQ/TU, QL31, E5RON92, QCVN:02/2009/BYT, "thực tiễn1."
        return True
    line_start = original.rfind("\n", 0, start) + 1
    if not original[line_start:start].strip():
        line = original[line_start : line_start + 200]
        if (
            _LINE_START_SECTION.match(line)
            or _LINE_START_ITEM.match(line)
            or _LINE_START_FOOTNOTE.match(line)
        ):
            return True
    left = folded[max(0, start - 40) : start]
    if any(pattern.search(left) for pattern in _LEFT_FOLDED):
        return True
    if _DATE_LEFT.search(left) and _DAY_OR_MONTH.fullmatch(original[start:end]):
        return True
    if _PART_MUC.search(original, max(0, start - 12), start):
        return True
    return bool(_RIGHT_FOLDED.match(folded, end)) and "cong nghiep" in left
