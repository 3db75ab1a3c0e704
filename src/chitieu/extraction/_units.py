"""What follows a number: its scale, its unit, a range's other end."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chitieu.extraction._lexicon import COUNT_NOUNS, CURRENCIES, MEASURES, NOT_COUNT_NOUNS, SCALES

_SPACE = re.compile(r"[ \t\u00a0]*(?:\n[ \t\u00a0]*){0,3}")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class UnitReading:
    unit: str
    scale: float
    end: int
    per_year: bool = False


def skip_space(folded: str, pos: int) -> int:
    match = _SPACE.match(folded, pos)
    return match.end() if match else pos


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for a word list, longest phrase first, each ending at a word boundary."""
    ordered = sorted(phrases, key=len, reverse=True)
    choices = "|".join(r"\s+".join(re.escape(w) for w in phrase.split()) for phrase in ordered)
    return re.compile(rf"(?:{choices})(?![^\W_])")


def _phrase_at(folded: str, pos: int, phrases: re.Pattern[str]) -> str | None:
    """The longest phrase of ``phrases`` (an ``_alternation``) at ``pos``, ending a word."""
    match = phrases.match(folded, pos)
    return folded[pos : match.end()] if match else None


# Built once: hashing a word list to find its pattern again cost more than matching it.
_SCALES = _alternation(tuple(SCALES))
_CURRENCIES = _alternation(tuple(CURRENCIES))
_MEASURES = _alternation(tuple(MEASURES))
_COUNT_NOUNS = _alternation(tuple(COUNT_NOUNS))
_PERCENT_WORDS = tuple(
    (_alternation((words,)), unit)
    for words, unit in (("diem phan tram", "điểm %"), ("diem %", "điểm %"), ("phan tram", "%"))
)


def _scale_at(folded: str, pos: int) -> tuple[float, int] | None:
    match = _SCALES.match(folded, pos)
    if match is None:
        return None
    return SCALES[" ".join(match.group().split())], match.end()


def read_scale(folded: str, pos: int) -> tuple[float, int]:
    """A scale word right after ``pos`` (nghìn, triệu, tỷ, nghìn tỷ), else (1, pos)."""
    at = skip_space(folded, pos)
    found = _scale_at(folded, at)
    return found if found else (1.0, pos)


def read_unit(original: str, folded: str, pos: int) -> UnitReading | None:
    """The unit written after a number ending at ``pos``, with any scale word before it."""
    at = skip_space(folded, pos)
    if folded.startswith("%", at):
        return _with_per(original, folded, UnitReading("%", 1.0, at + 1))
    for words, unit in _PERCENT_WORDS:
        said = _phrase_at(folded, at, words)
        if said:
            return UnitReading(unit, 1.0, at + len(said))
    scale = _scale_at(folded, at)
    if scale is not None:
        factor, after_scale = scale
        rest = _base_unit(original, folded, after_scale)
        if rest is None:
            # "59.830 tỷ" in a report means đồng; a bare "2 triệu" may be anything.
            if factor < 1e9 and not _per_follows(folded, after_scale):
                return None
            rest = UnitReading("VND", 1.0, after_scale)
        return _with_per(original, folded, UnitReading(rest.unit, factor, rest.end))
    base = _base_unit(original, folded, pos)
    return _with_per(original, folded, base) if base else None


def _per_follows(folded: str, pos: int) -> bool:
    return folded.startswith("/", skip_space(folded, pos))


def _base_unit(original: str, folded: str, pos: int) -> UnitReading | None:
    at = skip_space(folded, pos)
    glued = at == pos
    currency = _phrase_at(folded, at, _CURRENCIES)
    if currency is not None:
        return UnitReading(CURRENCIES[currency], 1.0, at + len(currency))
    measure = _phrase_at(folded, at, _MEASURES)
    if measure is not None:
        return UnitReading(MEASURES[measure], 1.0, at + len(measure))
    if glued:
        return None
    return _count_noun(original, folded, at)


def _count_noun(original: str, folded: str, at: int) -> UnitReading | None:
    noun = _phrase_at(folded, at, _COUNT_NOUNS)
    if noun is not None:
        return UnitReading(COUNT_NOUNS[" ".join(noun.split())], 1.0, at + len(noun))
    word = _WORD.match(original, at)
    if word is None:
        return None
    folded_word = folded[word.start() : word.end()]
    if folded_word in NOT_COUNT_NOUNS or not word.group().islower() or len(folded_word) < 2:
        return None
    # Most Vietnamese nouns have two syllables ("chính sách", "ắc quy"); a second
    # word that is a function word or a verb ends the noun after one.
    second = _SECOND_WORD.match(original, word.end())
    if second and second.group(1).islower():
        folded_second = folded[second.start(1) : second.end(1)]
        if folded_second not in _NOT_SECOND:
            return UnitReading(original[word.start() : second.end(1)], 1.0, second.end(1))
    return UnitReading(word.group(), 1.0, word.end())


_SECOND_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
_NOT_SECOND = frozenset(
    {
        "moi",
        "cu",
        "lon",
        "nho",
        "chinh",
        "tro",
        "duoc",
        "dang",
        "da",
        "se",
        "co",
        "khong",
        "nua",
        "hien",
        "dat",
        "thuoc",
        "tai",
        "o",
        "voi",
        "nay",
        "kia",
        "do",
        "cac",
        "nhieu",
        "it",
        "rieng",
        "chung",
        "thi",
        "nen",
        "ma",
        "vao",
        "ra",
        "len",
        "xuong",
        "qua",
        "lai",
        "deu",
        "gom",
        "trong",
        "ngoai",
        "truoc",
        "sau",
        "giua",
        "het",
        "va",
        "cua",
        "la",
        "tu",
        "den",
        "cho",
        "theo",
        "so",
        "nhu",
        "khi",
        "nhung",
        "ve",
        "hoac",
        "tren",
        "duoi",
        "hon",
        "ca",
        "tong",
        "cung",
        "con",
        "dau",
        "cuoi",
        "tang",
        "giam",
        "mo",
    }
)


_PER = re.compile(r"/\s*((?:\d{1,3}(?:\.\d{3})*\s+)?[^\W\d_]+(?:\s[^\W\d_]+)?)(/[^\W\d_]+)?")
_PER_WORDS = (
    "nguoi",
    "lao dong",
    "ha",
    "nam",
    "thang",
    "dan",
    "ho",
    "km2",
    "km",
    "m2",
    "tan",
    "nguoi dan",
    "nguoi/nam",
    "con",
    "xa",
    "huyen",
    "kg",
    "lit",
    "m3",
    "chiec",
    "tan/nam",
    "doanh nghiep",
    "du an",
)


def _with_per(original: str, folded: str, reading: UnitReading) -> UnitReading:
    match = _PER.match(folded, reading.end)
    if match is None:
        return reading
    words = match.group(1).split()
    core = " ".join(w for w in words if not w[0].isdigit())
    for size in (2, 1):
        head = " ".join(core.split()[:size])
        if head in _PER_WORDS:
            break
    else:
        return reading
    if head == "nam" and reading.unit == "%":
        return UnitReading("%", reading.scale, reading.end + len("/nam"), per_year=True)
    numbers = [w for w in words if w[0].isdigit()]
    prefix = f"{numbers[0]} " if numbers else ""
    start = match.start(1) + match.group(1).find(numbers[0] if numbers else head)
    written = original[start : start + len(prefix) + len(head)]
    unit = f"{reading.unit}/{written}"
    end = start + len(written)
    second = match.group(2)
    if second and second[1:] in ("nam", "ha", "nguoi", "thang") and match.end(1) == end:
        unit += original[end : end + len(second)]
        end += len(second)
    return UnitReading(unit, reading.scale, end)
