"""The grammar's first pass: each number that is a figure, read from the words around it.

A number is a figure when it has a unit, or is a rank or a multiple; its value,
range, unit, qualifier and measure are read here, before its sentence and the
document say what it is about (``grammar.py``, the second pass).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chitieu.extraction._exclusions import not_a_figure
from chitieu.extraction._lexicon import QUALIFIERS, SCALES
from chitieu.extraction._numbers import NUMBER, number_from_words, parse_number
from chitieu.extraction._periods_text import PeriodMention
from chitieu.extraction._units import UnitReading, read_scale, read_unit


@dataclass(frozen=True, slots=True)
class Raw:
    """A figure before its context is known."""

    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    measure: str
    qualifier: str | None
    rank_of: int | None = None
    per_year: bool = False
    unit_end: int = 0
    relative: bool = False
    whole: int | None = None


_LEFT_WORDS = re.compile(r"([a-z%]+)\s*$")


def _left(folded: str, start: int, size: int = 40) -> str:
    return folded[max(0, start - size) : start]


def _left_clause(folded: str, start: int, size: int = 60) -> str:
    """The words right before ``start``, back to the last number or punctuation."""
    left = _left(folded, start, size)
    last = _UP_TO_LAST_BREAK.match(left)
    return left[last.end() :] if last else left


# Greedy, so it ends just past the last number or punctuation: one match, not one per mark.
_UP_TO_LAST_BREAK = re.compile(r".*[\d;.,:()%]", re.DOTALL)
_LETTERS = re.compile(r"[a-z]+")


def _last_words(folded: str, start: int, count: int) -> list[str]:
    return _LETTERS.findall(_left_clause(folded, start))[-count:]


def _sign(text: str, start: int) -> tuple[int, float]:
    """A sign written right before the digits: '+0,1%', '-5,7%'."""
    if start > 0 and text[start - 1] in "+-−":
        before = text[start - 2] if start > 1 else " "
        if not before.isalnum():
            return start - 1, (-1.0 if text[start - 1] != "+" else 1.0)
    return start, 1.0


_VERBS_BEFORE = re.compile(r"(?:\s*(?:dat|uoc dat|uoc|la|con|muc|o muc|vao|len|xuong))+\s*$")
_QUALIFIER_AT_END = re.compile(
    r"(?<![a-z])("
    + "|".join(re.escape(w) for w in sorted(QUALIFIERS, key=len, reverse=True))
    + r")\s*$"
)


_FROM = re.compile(r"(?<![a-z])tu\s*$")
_AND_ABOVE = re.compile(r"^\s*[^.;]{0,30}tro len")


def _qualifier(folded: str, start: int) -> str | None:
    left = _VERBS_BEFORE.sub("", _left(folded, start, 30))
    found = _QUALIFIER_AT_END.search(left)
    if found:
        return QUALIFIERS[found.group(1)]
    if _FROM.search(_left(folded, start, 10)) and _AND_ABOVE.search(folded[start : start + 40]):
        return "từ … trở lên"
    return None


# "đứng thứ 2", "xếp thứ 9", "duy trì vị trí thứ 12", "xếp hạng thứ 3" — but not
# "kỳ họp thứ 24" or "năm thứ 9 liên tiếp", which are ordinals.
_RANK_LEFT = re.compile(
    r"(?<![a-z])(?:xep|dung|vuon\s+len|tut\s+xuong|len|xuong|vi\s+tri|hang|giu|o)"
    r"(?:\s+(?:hang|o|tai|vi\s+tri|len))*\s+thu\s*$"
)
_NOT_RANK = re.compile(r"(?:lan|khoa|ky|phien|hoi nghi|dai hoi|ngay|buoc|hop|nam)\s+thu\s*$")
_PLAN_RIGHT = re.compile(
    r"^\s*(?:so\s+(?:voi\s+)?)?(?:ke\s+hoach|kh\b|du\s+toan|chi\s+tieu|muc\s+tieu|nghi\s+quyet)"
    r"(?:\s+(?:nam|de\s+ra|giao|tinh\s+giao|trung\s+uong\s+giao))*(?:\s+(?:19|20)\d{2})?"
)


_ORDINAL = re.compile(r"(?<![a-z])thu\s*$")
_RANK_OF_RIGHT = re.compile(r"/\s*(\d{1,3})(?!\d)")
# "cao thứ 3 cả nước", "lớn thứ hai trong vùng": an ordinal followed by the whole it ranks in.
_RANKED_IN = re.compile(r"\s*(?:trong\s+|tren\s+)?(?:ca\s+nuoc|toan\s+quoc)(?![a-z])")


def _rank(folded: str, start: int, end: int) -> tuple[int, int | None] | None:
    left = _left(folded, start, 30)
    if "thu" not in left:
        return None
    # Matched in place: a slice to the end would copy the rest of a long document.
    of = _RANK_OF_RIGHT.match(folded, end)
    ordinal = _ORDINAL.search(left)
    ranked = _RANK_LEFT.search(left) or (
        ordinal and (of or _RANKED_IN.match(folded, end, end + 20))
    )
    if not ranked or _NOT_RANK.search(left):
        return None
    return (of.end(), int(of.group(1))) if of else (end, None)


def _measure(folded: str, start: int, unit_end: int, unit: str) -> tuple[str, float, float]:
    """(measure, sign, offset added to the value) from the verbs around a figure."""
    words = _last_words(folded, start, 4)
    tail = " ".join(words)
    if unit == "%" and _PLAN_RIGHT.match(folded[unit_end : unit_end + 40]):
        return ("plan_pct", 1.0, 100.0) if words and words[-1] == "vuot" else ("plan_pct", 1, 0)
    if _MULTIPLE.search(tail) or unit == "lần":
        return "multiple", 1.0, 0.0
    bracketed = _CHANGE_IN_BRACKETS.search(_left(folded, start, 30)) if unit == "%" else None
    if bracketed is not None:
        # "tuy tăng cao (+17,2%) so với quý trước", "giảm sâu (-5,7%)".
        return "change_pct", (-1.0 if bracketed.group(1) == "giam" else 1.0), 0.0
    if _DOWN_TO.search(tail):
        return "level", 1.0, 0.0
    verb = _CHANGE_VERB.search(tail)
    if verb is None:
        if _SHARE_VERB.search(tail):
            return "share_pct", 1.0, 0.0
        return "level", 1.0, 0.0
    sign = -1.0 if verb.group(1) == "giam" else 1.0
    return ("change_pct" if unit == "%" else "change_abs"), sign, 0.0


_MULTIPLE = re.compile(r"(?:^|\s)gap(?:\s+\w+)?$")
_DOWN_TO = re.compile(r"(?:giam|tang|ha)\s+con$|(?:^|\s)con$|giam\s+xuong$|tang\s+len$")
_CHANGE_VERB = re.compile(
    r"(tang|giam)(?:\s+them)?"
    r"(?:\s+(?:khoang|gan|tren|hon|duoi|xap xi|toi|den|duoc|lan luot))?$"
)
_SHARE_VERB = re.compile(r"chiem(?:\s+\w+)?$")
_CHANGE_IN_BRACKETS = re.compile(r"(?<![a-z])(tang|giam)(?:\s+[a-z]+)?\s*\(\s*$")
_FRACTION = re.compile(r"/(\d{1,4})(?![\d/.,])")
_RANGE = re.compile(r"\s*(?:([-–—÷~])|\s+den\s+)\s*(\d+(?:[.,]\d+)*)")


def _range_end(folded: str, start: int, end: int) -> tuple[re.Match[str], float] | None:
    """The other end of a range right after a number: '12-13', 'từ 700 triệu đến 1 tỷ'."""
    scale, after_scale = read_scale(folded, end)
    match = _RANGE.match(folded, after_scale)
    if match is None:
        return None
    if match.group(1) is None and not _FROM.search(_left(folded, start, 15)) and scale == 1.0:
        # "đến" makes a range after "từ", or between scaled amounts ("700 triệu đến 1 tỷ").
        return None
    return match, scale


def _read(original: str, folded: str, match: re.Match[str], skip: list[bool]) -> Raw | None:
    start, end = match.span()
    value = parse_number(match.group())
    if value is None:
        return None
    rank = _rank(folded, start, end)
    if rank is not None and not original[start - 1 : start].isalpha():
        return Raw(start, end, value, None, "hạng", "rank", None, rank_of=rank[1], unit_end=rank[0])
    of = _FRACTION.match(original, end)
    if of is not None and not skip[start] and not not_a_figure(original, folded, start, of.end()):
        # "16/21 chỉ tiêu", "94/151 xã": the count, out of a whole.
        counted = read_unit(original, folded, of.end())
        if counted is not None and counted.unit not in ("%", "VND", "USD"):
            return Raw(
                start,
                end,
                value,
                None,
                counted.unit,
                "level",
                None,
                unit_end=counted.end,
                whole=int(of.group(1)),
            )
    if skip[start] or not _free_standing(original, start, end):
        return None
    if not_a_figure(original, folded, start, end):
        return None
    low_scale = 1.0
    value_max: float | None = None
    unit_from = end
    ranged = _range_end(folded, start, end)
    if ranged is not None:
        second, low_scale = ranged
        upper = parse_number(second.group(2))
        if upper is not None:
            value_max, unit_from, end = upper, second.end(), second.end(2)
    unit = read_unit(original, folded, unit_from)
    if unit is None or (value_max is None and _year_like(match.group(), unit)):
        return None
    if _ANAPHORIC.match(folded, unit.end):
        # "3 địa phương kể trên" counts again what the text has just listed.
        return None
    measure, sign, offset = _measure(folded, _sign(original, start)[0], unit.end, unit.unit)
    signed_start, written_sign = _sign(original, start)
    scale_low = low_scale if low_scale != 1.0 else unit.scale
    number = written_sign * value * scale_low
    if measure in ("change_pct", "change_abs") and written_sign > 0:
        number *= sign
    return Raw(
        signed_start,
        end,
        number + offset,
        value_max * unit.scale if value_max is not None else None,
        unit.unit,
        measure,
        _qualifier(folded, signed_start),
        per_year=unit.per_year,
        unit_end=_plan_words_end(folded, unit.end) if measure == "plan_pct" else unit.end,
        relative=unit.unit == "%" and bool(_EQUAL_TO.search(_left_clause(folded, start))),
    )


_EQUAL_TO = re.compile(r"(?<![a-z])bang\s*$")
_ANAPHORIC = re.compile(r"\s+(?:ke|noi|neu)\s+tren(?![a-z])")


def _plan_words_end(folded: str, position: int) -> int:
    """Past "kế hoạch năm" after a share of plan, so the next figure does not read it as a cue."""
    found = _PLAN_RIGHT.match(folded[position : position + 60])
    return position + found.end() if found else position


def _year_like(token: str, unit: UnitReading) -> bool:
    return token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2100 and unit.scale == 1


def _free_standing(original: str, start: int, end: int) -> bool:
    """Not glued to letters (QL31, E5RON92, 'tiễn1') and not a list marker '(3)'."""
    before = original[start - 1] if start else " "
    if (
        before.isalpha()
        or before in "/_"
        or (before in ".," and start > 1 and original[start - 2].isdigit())
    ):
        return False
    after = original[end] if end < len(original) else " "
    if after == "/" and end + 1 < len(original) and original[end + 1].isdigit():
        return False
    if after in "-" and end + 1 < len(original) and original[end + 1].isalpha():
        return False
    return not (before == "(" and after == ")")


# Numbers in words: a first word that can open a number ("tư", "lăm", "mốt" only follow
# one: "từ hai phần trăm" is no six), then more number words.
_WORDS_FIRST = r"(?:mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
_WORDS_NEXT = r"(?:mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|muoi)"
_WRITTEN = rf"(?<![a-z])({_WORDS_FIRST}(?:\s+{_WORDS_NEXT})*)"
# "cả năm tỷ lệ hộ nghèo": "tỷ lệ", "tỷ trọng" are no scale.
_WRITTEN_SCALED = re.compile(
    rf"{_WRITTEN}\s+(nghin ty|trieu|nghin|ngan|ty)(\s+ruoi)?\s(?!(?:le|trong)(?![a-z]))"
)
_WRITTEN_PERCENT = re.compile(rf"{_WRITTEN}\s+phan\s+tram(?![a-z])")
# "gap" first, its boundary checked after: a literal start lets the engine skip ahead.
_WRITTEN_MULTIPLE = re.compile(
    r"gap(?<![a-z]gap)\s+((?:[a-z]+\s+){0,2}?[a-z]+)(?:\s+lan)?(?![a-z])"
)


def _word_figures(original: str, folded: str) -> Iterator[Raw]:
    """Figures in words: 'gấp đôi', 'gấp hai lần', 'hai triệu (rưỡi) lượt', 'mười hai phần trăm'.

    Only where a scale, "phần trăm" or "gấp" makes the words a figure: "một số chỉ tiêu",
    "thứ nhất", "hai dự án" are no reported figures.
    """
    for match in _WRITTEN_MULTIPLE.finditer(folded):
        value = number_from_words(match.group(1).split())
        if value is not None:
            yield Raw(match.start(1), match.end(1), value, None, "lần", "multiple", None)
    for match in _WRITTEN_SCALED.finditer(folded):
        value = number_from_words(match.group(1).split())
        half = match.group(3) is not None
        # "một triệu rưỡi lượt": one and a half million; the unit follows "rưỡi".
        unit = read_unit(original, folded, match.end(3) if half else match.end(1))
        if value is None or unit is None or unit.unit == "%":
            continue
        scale = SCALES[match.group(2)] if half else unit.scale
        yield _word_raw(folded, match.start(1), match.end(1), (value + 0.5 * half) * scale, unit)
    for match in _WRITTEN_PERCENT.finditer(folded):
        value = number_from_words(match.group(1).split())
        unit = read_unit(original, folded, match.end(1))
        if value is not None and unit is not None and unit.unit == "%":
            yield _word_raw(folded, match.start(1), match.end(1), value, unit)


def _word_raw(folded: str, start: int, end: int, value: float, unit: UnitReading) -> Raw:
    measure, sign, offset = _measure(folded, start, unit.end, unit.unit)
    signed = value * sign if measure in ("change_pct", "change_abs") else value
    return Raw(start, end, signed + offset, None, unit.unit, measure, None, unit_end=unit.end)


def raw_figures(
    original: str, folded: str, periods: list[PeriodMention], taken: list[tuple[int, int]]
) -> list[Raw]:
    skip = [False] * (len(original) + 1)
    for start, end in taken:
        skip[start:end] = [True] * (end - start)
    for mention in periods:
        skip[mention.start : mention.end] = [True] * (mention.end - mention.start)
    found: list[Raw] = []
    for match in NUMBER.finditer(original):
        if found and match.start() < found[-1].end:
            continue
        raw = _read(original, folded, match, skip)
        if raw is not None:
            found.append(raw)
    spans = {(r.start, r.end) for r in found}
    found += [
        r
        for r in _word_figures(original, folded)
        if not any(s < r.end and r.start < e for s, e in spans)
    ]
    return sorted(found, key=lambda r: r.start)
