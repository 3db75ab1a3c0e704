"""Which period a figure is about: the rules of Vietnamese reporting, in the order they apply.

1. A period named right after the figure, in the same clause ("đạt 6,58% của 6
   tháng đầu năm 2022").
2. Else the last period named before it in its sentence ("Tính chung 9 tháng,
   GRDP ước đạt …"), a base period's own value taking the base year ("cùng kỳ
   năm 2023 chỉ đạt 5,03%" is the report's period in 2023).
3. Else the reporting period framing its paragraph (a partial period, or one
   opening its sentence), unless it was said in passing in brackets ("(quý II
   giảm 9,6%)").
4. Else the section heading's period, else the document's own period (from its
   title and opening: "6 tháng đầu năm 2024"), else its year.

Comparisons ("so với cùng kỳ năm 2023", "kể từ năm 2021"), price bases ("giá so
sánh năm 2010") and dates never count: ``find_periods`` marks or drops them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from chitieu._periods import parse_period
from chitieu.extraction._periods_text import PeriodMention


class Mentions:
    """A document's own period mentions (not comparisons), looked up by position."""

    def __init__(self, periods: list[PeriodMention]) -> None:
        self.items = [m for m in periods if not m.comparison]
        self.starts = [m.start for m in self.items]

    def between(self, start: int, end: int) -> list[PeriodMention]:
        """Mentions starting in ``[start, end)``."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        return self.items[first:last]


@dataclass(frozen=True, slots=True)
class PeriodFrame:
    """What the document as a whole says about periods."""

    folded: str
    mentions: Mentions
    sentence_starts: list[int]
    year: int | None
    year_to_date: str | None
    # The document's own period ("2024-H1") and month ("2023-M06"), from its head.
    own: str | None
    month: str | None
    # Where a web page's article ends: the teasers after it are not about its period.
    article_end: int | None = None


@dataclass(frozen=True, slots=True)
class FigureSpan:
    """Where a figure stands, as far as its period is concerned."""

    start: int
    end: int
    unit_end: int
    change: bool
    sentence_start: int
    paragraph_start: int
    section_start: int
    section_period: str | None
    # The period of the total a breakdown ("Trong đó, …") breaks down, if it is one.
    total_period: str | None = None


_PUNCTUATION = re.compile(r"[,;:(.]")
_CLAUSE_END = re.compile(r"[;:)]|, ")
_YEAR_FIRST = re.compile(r"\d{4}")
_REPORTING = re.compile(r"-(?:H\d|Q\d|\d{1,2}M)$|\{ytd\}|\{m\}")
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_ONE_YEAR = re.compile(r"\d{4}(?:-|$)")
# "đạt 6,58% của 6 tháng đầu năm 2022": a possessive names the figure's own period.
_OF = re.compile(r"\s*(?:cua|trong)\s+$")


@dataclass(frozen=True, slots=True)
class PeriodReason:
    """Which rule gave a figure its period, and the mention it read, if any."""

    # "after", "sentence", "base", "total", "paragraph", "section", "document" or "year".
    rule: str
    mention: PeriodMention | None = None


def figure_period(frame: PeriodFrame, span: FigureSpan) -> tuple[str | None, bool, PeriodReason]:
    """The figure's period, whether the text named it (not the document), and why."""
    folded, mentions = frame.folded, frame.mentions
    after = [
        m
        for m in mentions.between(span.unit_end, span.unit_end + 26)
        if not _PUNCTUATION.search(folded, span.unit_end, m.start)
        # "gấp 4 lần so với cùng kỳ năm 2024 (51,8 triệu USD)": the base is the bracket's.
        and m.base_year is None
        and (not span.change or _OF.fullmatch(folded, span.unit_end, m.start))
    ]
    before = [
        m
        for m in mentions.between(span.sentence_start, span.start)
        if m.end <= span.start
        # A base's own value is said in one clause: "trong khi cùng kỳ năm 2021 chỉ đạt 3,15%;"
        # or in the brackets after it: "so với cùng kỳ năm 2023 (35,4 triệu USD)".
        and (m.base_year is None or not _CLAUSE_END.search(folded, m.end, span.start))
    ]
    recent = [
        m
        for m in mentions.between(
            max(span.paragraph_start, span.start - 1500, span.section_start),
            span.sentence_start,
        )
        if _frames(m, frame) and "/" not in m.code and m.base_year is None
    ]
    chosen = after[:1] or before[-1:]
    if chosen and chosen[0].base_year is not None:
        framing = [m for m in before if m.base_year is None] or recent
        code = _resolve(frame, framing[-1], span) if framing else frame.own
        return _moved(code, chosen[0].base_year), True, PeriodReason("base", chosen[0])
    rule = "after" if after else "sentence"
    if not chosen and span.total_period is not None:
        # "… dự kiến đạt 15-16%. Trong đó, công nghiệp tăng 17-18%/năm": the parts of a
        # total are about the total's period, whatever framed the paragraphs before.
        return span.total_period, True, PeriodReason("total")
    if not chosen:
        chosen, rule = recent[-1:], "paragraph"
    if chosen:
        code = _resolve(frame, chosen[0], span)
        if code is not None:
            return code, True, PeriodReason(rule, chosen[0])
    if span.section_period is not None:
        return span.section_period, True, PeriodReason("section")
    if frame.own is not None and (frame.article_end is None or span.start < frame.article_end):
        return frame.own, False, PeriodReason("document")
    return (str(frame.year) if frame.year else None), False, PeriodReason("year")


# "Trong đó,", "Cụ thể:", "chia ra": a sentence listing the parts of the figure before it.
_BREAKDOWN = re.compile(r"[\s\-+*•]*(?:trong\s+do|cu\s+the|chia\s+ra|bao\s+gom)\s*[,:]")


def is_breakdown(folded: str, sentence_start: int) -> bool:
    """Whether the sentence at ``sentence_start`` breaks down the figure before it."""
    return bool(_BREAKDOWN.match(folded, sentence_start))


_ITEM = re.compile(r"\s*(?:[-+*•–]|[a-zđ\d]{1,2}[.)])\s")


def list_lead(folded: str, sentence_start: int) -> str | None:
    """The lead a list item hangs from ("… ước đạt như sau:" above "- GRDP tăng 5,1%;").

    The lead is the line ending with a colon right above the item or above the items
    before it; what it says of the list ("ước", "chỉ tiêu") holds for each item.
    """
    end = folded.rfind("\n", 0, sentence_start + 1)
    if end < 0 or (not _ITEM.match(folded, end + 1) and not folded[:end].rstrip().endswith(":")):
        return None
    for _ in range(40):
        start = folded.rfind("\n", 0, end) + 1
        line = folded[start:end].strip()
        if line.endswith(":"):
            return line
        if not line or not (_ITEM.match(folded, start) or line.endswith((";", ","))):
            return None
        if start == 0:
            return None
        end = start - 1
    return None


def _resolve(frame: PeriodFrame, mention: PeriodMention, span: FigureSpan) -> str | None:
    context_year = _year_before(frame.mentions, mention.start, span.sentence_start - 300)
    return mention.resolve(context_year or frame.year, frame.year_to_date, frame.month)


def _moved(code: str | None, year: int) -> str:
    """The same part of another year: "2024-9M" in 2023 is "2023-9M"."""
    if code is None or not _YEAR_FIRST.match(code):
        return str(year)
    return f"{year}{code[4:]}"


def _frames(mention: PeriodMention, frame: PeriodFrame) -> bool:
    """A period that frames what follows: a reporting period, or one opening its sentence.

    "9 tháng năm 2024" carries into the next sentences; "cuối tháng 11" in the middle of
    a sentence about prices does not, nor "(quý II giảm 9,6%)" said in passing in brackets.
    """
    aside = frame.folded.rfind("(", max(0, mention.start - 40), mention.start)
    if aside >= 0 and ")" not in frame.folded[aside : mention.start]:
        return False
    if _REPORTING.search(mention.code):
        return True
    if _DAY.fullmatch(mention.code):
        # "Tính đến ngày 15/3/2024, …" dates the stock its sentence counts, not the next ones.
        return False
    index = bisect.bisect_right(frame.sentence_starts, mention.start) - 1
    return mention.start - frame.sentence_starts[max(index, 0)] <= 60


def _year_before(mentions: Mentions, position: int, since: int) -> int | None:
    """The year named nearest before ``position`` (not a multi-year range), back to ``since``."""
    for mention in reversed(mentions.between(since, position)):
        if _ONE_YEAR.match(mention.code):
            return int(mention.code[:4])
    return None


def ends_after(period: str, year: int) -> bool:
    """Whether ``period`` ends after ``year``: a later year, or a span reaching past it."""
    return int(period.rpartition("/")[2][:4]) > year


def own_period(periods: tuple[str, ...], year: int | None) -> str | None:
    """The document's own period among those its head names, for figures that name none.

    A mid-year report names its year and the part of it it covers ("tháng 6 và 6
    tháng đầu năm 2023"): the part; of several parts, the longest.
    """
    mine = [code for code in periods if year is not None and code.startswith(str(year))]
    partial = [code for code in mine if code != str(year)]
    if not partial:
        return None
    return max(partial, key=lambda code: (parse_period(code).months, code))


def own_month(periods: tuple[str, ...], year: int | None) -> str | None:
    """The month a monthly report is about ("tháng 6 và 6 tháng đầu năm 2023" → "2023-M06")."""
    months = [code for code in periods if year is not None and re.fullmatch(rf"{year}-M\d\d", code)]
    return months[0] if months else None
