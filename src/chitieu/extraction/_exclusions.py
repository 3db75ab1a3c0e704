"""Numbers that are not figures: dates, document numbers, codes, roads, section numbers, URLs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from chitieu.extraction._lexicon import UPPER

_ON_ORIGINAL = [
    # URLs and e-mail addresses.
    re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+"),
    # Dates: 15/07/2021, 30/6, 9/2024, 01-04-2019.
    re.compile(r"(?<![\d/])(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])(?:/\d{2,4})?(?![\d/])"),
    re.compile(r"(?<![\d-])(?:0?[1-9]|[12]\d|3[01])-(?:0?[1-9]|1[0-2])-\d{2,4}(?![\d-])"),
    re.compile(r"(?<![\d/])\d{1,2}/(?:19|20)\d{2}(?![\d/])"),
    # Document numbers and codes: 249/QĐ-UBND, 98/2018/NĐ-CP, 147-NQ/TU, QCVN:02/2009/BYT.
    re.compile(r"\b\d+(?:[/-]\d+)*[/-][A-ZĐ][\w.-]*(?:/[\w.-]+)*"),
    re.compile(r"\b[A-ZĐ]{2,}[\w.:-]*\d[\w./:-]*"),
    # Section numbers at the start of a line: "1.2.1.", "2.", "a)".
    re.compile(rf"(?m)^[ \t]*(?:\d+\.)+\d*(?=[ \t]+[{UPPER}]|[ \t]*$)"),
    re.compile(r"(?m)^[ \t]*\(?\d+\)(?=[ \t])"),
    # Footnote numbers opening a footnote line.
    re.compile(rf"(?m)^[ \t]*\d{{1,3}}(?=[ \t]+[{UPPER}])"),
]

_ON_FOLDED = [
    # Dates written out: "ngày 26 tháng 4 năm 2019".
    re.compile(r"ngay\s+\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?"),
    # Roads: quốc lộ 1, 17, 31; tỉnh lộ 292, 293; ĐT 292; QL 1A.
    re.compile(
        r"(?:quoc lo|tinh lo|duong tinh|duong huyen|\bdt|\bql|\btl|\bdh)\.?\s*"
        r"\d+[a-z]?(?:\s*(?:,|va)\s*\d+[a-z]?)*"
    ),
    # Ordinal names: "lần thứ 32", "khóa XII", "Điều 3", "khoản 2", "mục 1".
    re.compile(r"(?:lan|khoa|ky hop|phien)\s+thu\s+\d+"),
    re.compile(
        r"(?<![a-z])(?:dieu|khoan|muc|chuong|phan|phu luc|bieu|bang|so|tuyen|to|tieu muc)"
        r"\s+\d+(?:\.\d+)*(?![\d,.]*\s*%)"
    ),
    re.compile(r"muc do\s+\d"),
    re.compile(r"quy chuan\s+\d+"),
    re.compile(r"(?:cong nghiep|cmcn|cach mang cong nghiep)\s+\d\.0"),
]


def excluded_spans(original: str, folded: str) -> Iterator[tuple[int, int]]:
    for pattern in _ON_ORIGINAL:
        for match in pattern.finditer(original):
            yield match.span()
    for pattern in _ON_FOLDED:
        for match in pattern.finditer(folded):
            yield match.span()
