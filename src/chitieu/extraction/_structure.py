"""Sentences and section headings: the context a figure's period and status come from."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from chitieu.extraction._lexicon import LOWER, UPPER
from chitieu.extraction._periods_text import find_periods

# A sentence ends at . ! ? followed by space, or at a line break before a capital,
# a bullet or a numbered item; a line wrapped inside a sentence continues it.
# A sentence ends at . ! ? followed by space, at a period glued to a capital
# ("nước.Về"), at ";" closing a line, and where a line opens a list item. A line
# break inside a sentence (PDF text wraps lines mid-sentence) continues it,
# unless the line before is a heading.
# The glued period's letter is checked after the period: the engine then tries that
# branch only at periods, not at every letter.
_BOUNDARY = re.compile(
    rf"[.!?…]+[\"”’)]*\s+|\.(?<=[{LOWER}]\.)(?=[{UPPER}])|;\s*\n"
    rf"|\n\s*(?=[\-+•*–]\s|\(?\d+[.)]\s|\(?[a-zđ]\)\s)"
)
_HEADING_LINE = re.compile(
    rf"^[ \t#*]*(?:[IVX]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|Phần|Điều \d+)[^\n]{{0,120}}$"
    rf"|[ \t#*]*[{UPPER}0-9 ,\-–]{{6,}}[ \t*]*$"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the original text, covering it in order."""
    cuts = {match.end() for match in _BOUNDARY.finditer(text)}
    offset = 0
    for line in text.split("\n"):
        # Only short lines can be headings; testing each keeps this linear and quick.
        if len(line) <= 160 and _HEADING_LINE.match(line):
            cuts.add(offset + len(line))
        offset += len(line) + 1
    bounds: list[tuple[int, int]] = []
    start = 0
    for cut in sorted(cuts):
        if cut > start:
            bounds.append((start, cut))
            start = cut
    bounds.append((start, len(text)))
    return bounds


@dataclass(frozen=True, slots=True)
class Section:
    """The innermost heading above a position, with what it says about its figures."""

    start: int
    level: int
    status: str | None
    period: str | None


_HEADING = re.compile(
    r"(?m)^[ \t#*]*"
    r"(?:(phan thu \w+|phan [ivx]+|dieu \d+\.?)|([ivx]+)\.|(\d+(?:\.\d+)*)\.|([a-z])\))[ \t*]+(.*)$"
)


def _status_of(title: str) -> str | None:
    if re.search(r"ket qua|thuc hien|danh gia|tinh hinh", title):
        return "actual"
    if re.search(r"muc tieu|chi tieu|ke hoach|nhiem vu|phuong huong|giai phap", title):
        return "target"
    if re.search(r"du bao", title):
        return "estimate"
    return None


def sections(folded: str) -> Callable[[int], Section]:
    """A function giving the section a position lies in."""
    found: list[Section] = [Section(0, 0, None, None)]
    stack: list[Section] = []
    for match in _HEADING.finditer(folded):
        part, roman, numbers, _letter, _title = match.groups()
        level = 0 if part else 1 if roman else 2 + numbers.count(".") if numbers else 5
        line = folded[match.start() : match.end()]
        if part:
            # "Phần thứ hai" is followed by its title on the next line.
            nxt = folded[match.end() : match.end() + 200].strip().split("\n")[0]
            line += " " + nxt
        mentions = [m for m in find_periods(line) if "{y}" not in m.code and not m.comparison]
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        status = _status_of(line) or (parent.status if parent else None)
        period = mentions[-1].code if mentions else (parent.period if parent else None)
        section = Section(match.start(), level, status, period)
        stack.append(section)
        found.append(section)
    starts = [s.start for s in found]

    def section_at(position: int) -> Section:
        return found[bisect.bisect_right(starts, position) - 1]

    return section_at
