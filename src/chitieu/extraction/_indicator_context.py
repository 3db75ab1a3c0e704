"""Conventions of Vietnamese reporting that decide a figure's indicator beyond its nearest phrase.

The phrase table (`_indicators.py`) says which words name which indicator. These
rules say which words a figure's indicator is read from when the nearest phrase
would mislead: a list whose subjects follow their numbers, a paragraph whose
topic was named once in its lead, a price base stated once for a paragraph, the
generic "tăng trưởng" of a sector, a single named project, a heading that names
only a place.
"""

from __future__ import annotations

import re

from chitieu.extraction._indicators import Hit, PhraseIndex, is_rate_of_change
from chitieu.extraction._lexicon import LOWER, UPPER
from chitieu.extraction.records import Figure

# "(gồm 1,89 tỷ USD vốn cấp mới; 2,95 tỷ USD vốn tăng thêm; và 0,27 tỷ USD vốn góp)":
# an item of a list opens with its number, its subject follows.
_ITEM_OPENERS = re.compile(r"(?<![a-z])(?:va|gom|bao gom|trong do|trong so do|rieng|con)(?![a-z])")
_SEPARATOR = re.compile(r"[,;:(]")
_LETTER = re.compile(r"[a-z]")


def opens_list_item(gap: str) -> bool:
    """Whether a figure opens a list item: nothing but a separator and list words before it."""
    parts = _SEPARATOR.split(gap)
    if len(parts) < 2 and not _ITEM_OPENERS.search(gap):
        return False
    return not _LETTER.search(_ITEM_OPENERS.sub("", parts[-1]))


_SUBJECT_STOP = re.compile(r"[,;.()\n]")


def subject_after(folded: str, unit_end: int) -> tuple[int, int] | None:
    """The words right after a figure's unit, up to the next separator, if they follow at once."""
    start = unit_end
    while start < len(folded) and folded[start] in " \t":
        start += 1
    if start == unit_end or start - unit_end > 2 or start >= len(folded):
        return None
    if not folded[start].isalpha():
        return None
    stop = _SUBJECT_STOP.search(folded, start, start + 80)
    return start, stop.start() if stop else min(len(folded), start + 80)


def topic_start(folded: str, paragraph_start: int, position: int) -> int:
    """Where a figure's topic may have been named: its line (a web paragraph) or paragraph."""
    line = folded.rfind("\n", max(0, position - 800), position) + 1
    return max(line, paragraph_start, position - 800)


# "theo giá so sánh 2010", "theo giá hiện hành": the price base of the paragraph's levels.
_PRICE_BASE = re.compile(
    r"(?<![a-z])gia\s+(?:(so\s+sanh|co\s+dinh)|(hien\s+hanh|thuc\s+te))(?![a-z])"
)


_BRACKETED_BASE = re.compile(r"\s*\(\s*(?:theo\s+)?gia\s+[a-z\s]{2,12}")


def price_base(folded: str, since: int, start: int, unit_end: int) -> str | None:
    """'constant' or 'current': the price base said in brackets after a level, else the last before.

    A statistics report states the price base once for its paragraph ("GRDP theo giá so
    sánh năm 2010 của quý III ước đạt …. Tính chung 9 tháng, GRDP ước đạt …").
    """
    right = _BRACKETED_BASE.match(folded[unit_end : unit_end + 30])
    found = _PRICE_BASE.search(right.group()) if right else None
    if found is None:
        said = list(_PRICE_BASE.finditer(folded, since, start))
        found = said[-1] if said else None
    if found is None:
        return None
    return "constant" if found.group(1) else "current"


def growth_of_sector(folded: str, phrase_start: int, floor: int) -> int:
    """Where the clause of a generic growth word begins ("khu vực dịch vụ đạt mức tăng trưởng")."""
    cut = max((m.end() for m in re.finditer(r"[,;:.(]", folded[floor:phrase_start])), default=0)
    return floor + cut


# "Dự án … của Samsung Display với tổng vốn đăng ký đạt 1,8 tỷ USD": one named project.
_PROJECT = re.compile(r"\s*(?:[-–•+]\s*)?(?:và\s+)?dự án\s", re.IGNORECASE)
_PROPER = re.compile(rf"\s[{UPPER}][{LOWER}]")


def names_one_project(text: str, clause_start: int, start: int) -> bool:
    """A clause opening with "dự án" and naming it is about one project, not a province's total."""
    head = _PROJECT.match(text, clause_start, start)
    return head is not None and _PROPER.search(text, head.end() - 1, start) is not None


def clause_start(text: str, sentence_start: int, start: int) -> int:
    """Where the clause before ``start`` begins: after the last ';' or ':' of its sentence."""
    cut = max(text.rfind(";", sentence_start, start), text.rfind(":", sentence_start, start))
    return cut + 1 if cut >= 0 else sentence_start


# "Hà Nam: 10,39%": a heading that names only a place and its figure.
_PLACE_HEADING = re.compile(rf"[ \t]*[{UPPER}][^\d\n:]{{1,40}}:[ \t]*[+\-]?$")


def place_heading(text: str, start: int, unit_end: int) -> int | None:
    """Where a heading line holding only a place and a figure starts, if it is one."""
    line = text.rfind("\n", 0, start) + 1
    rest = text.find("\n", unit_end)
    rest = len(text) if rest < 0 else rest
    if not _PLACE_HEADING.fullmatch(text, line, start) or text[unit_end:rest].strip(" .%"):
        return None
    return line


# "9.506,22 tỷ đồng, gấp gần 5,3 lần": a multiple said right after an amount is the amount's.
RIGHT_AFTER = re.compile(r"[\s,]*(?:va\s+)?gap(?:\s+(?:gan|hon|khoang|xap xi|tren))?\s*")
# Growth words that name no subject: in a clause naming a sector, they are the sector's.
GENERIC_GROWTH = frozenset({"tang truong", "toc do tang truong"})


def names_anew(hit: Hit, previous: Figure, measure: str, clause: int, index: PhraseIndex) -> bool:
    """Whether a figure right after another is about something its sentence names anew.

    Points after a growth rate are what the sector adds to growth ("giảm 7,5% và làm
    giảm 0,18 điểm %"). A change in percent after an amount is the growth of the
    amount's subject: "GRDP đạt 122.486,8 tỷ đồng, giảm 2,3%" is GRDP growth, and a
    sector's value added, which has no indicator of its own, "tăng 13,26%" is the
    sector's growth. A change after a share or a rate stays the share's or the rate's.
    """
    if hit.rule.units == ("điểm %",):
        return True
    return (
        measure == "change_pct"
        and hit.rule.growth
        and previous.unit not in ("%", "điểm %")
        and clause <= hit.start < previous.start
        and (previous.indicator is None or not is_rate_of_change(previous.indicator, ""))
        # "Giá trị sản xuất ngành nông, lâm nghiệp và thủy sản đạt …, tăng 3,2%": the
        # amount was of something narrower than the sector (its own words aside:
        # "lâm nghiệp" within "nông, lâm nghiệp và thủy sản").
        and not any(
            h.rule.blocks and not hit.start <= h.start < h.end <= hit.end
            for h in index.within(clause, previous.start)
        )
    )
