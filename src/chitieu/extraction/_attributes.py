"""The grammar's second pass, attribute by attribute: a figure's status and indicator.

``grammar.py`` walks the document and places each figure (``Place``: its
sentence, the figure before it, the total it breaks down) in the document's
``Setting``; the rules here read from them what the figure is and what it is of.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from chitieu.extraction._document import DocumentModel
from chitieu.extraction._indicator_context import (
    GENERIC_GROWTH,
    RIGHT_AFTER,
    clause_start,
    growth_of_sector,
    names_anew,
    names_one_project,
    opens_list_item,
    place_heading,
    price_base,
    subject_after,
    topic_start,
)
from chitieu.extraction._indicators import Hit, PhraseIndex, choose
from chitieu.extraction._lexicon import LOWER, UPPER
from chitieu.extraction._period_rules import (
    PeriodFrame,
    ends_after,
    list_lead,
)
from chitieu.extraction._raw_figures import Raw
from chitieu.extraction._structure import Section
from chitieu.extraction._why import (
    carried,
    month_end_cue,
    said,
)
from chitieu.extraction.records import (
    CARRIED,
    DEFAULT,
    INHERITED,
    Cue,
    DocumentContext,
    Figure,
)


@dataclass(frozen=True, slots=True)
class Setting:
    """What the whole document says: its name and region, its year, how far into it."""

    context: DocumentContext
    model: DocumentModel
    periods: PeriodFrame
    plan: bool
    region: str | None
    index: PhraseIndex
    text: str
    sentence_bounds: list[tuple[int, int]]
    sentence_starts: list[int]
    paragraph_starts: list[int]
    # The provinces the document's title and opening name.
    head_provinces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """Where a figure stands: its sentence, and the end of the figure before it in it."""

    sentence_start: int
    since: int
    previous: Figure | None
    gap: str
    # The total a breakdown sentence ("Trong đó, …") lists the parts of.
    total: Figure | None = None


PARAGRAPH = re.compile(rf"\n[ \t]*\n[ \t]*(?=[{UPPER}(*+\-•])")


def start_of_paragraph(setting: Setting, position: int) -> int:
    """Where the paragraph holding ``position`` begins (a blank line before a capital)."""
    starts = setting.paragraph_starts
    found = starts[bisect.bisect_right(starts, position) - 1]
    return max(found, position - 3000)


_ESTIMATE = re.compile(r"(?<![a-z])(?:uoc|du\s+kien|du\s+bao|du\s+tinh|tam\s+tinh)(?![a-z])")
_TARGET = re.compile(
    r"(?<![a-z])(?:phan\s+dau|muc\s+tieu|chi\s+tieu|dinh\s+huong|yeu\s+cau"
    r"|ke\s+hoach\s+nam|ke\s+hoach\s+giao)(?![a-z])"
)
_DONE = re.compile(r"(?<![^\W\d_])[đĐ]ã(?![^\W\d_])")


def figure_status(
    text: str,
    folded: str,
    raw: Raw,
    place: Place,
    period: str | None,
    explicit: bool,
    section: Section,
    setting: Setting,
) -> tuple[str, Cue]:
    """The figure's status and the cue that decided it."""
    for pattern, found in (("estimate", _ESTIMATE), ("target", _TARGET)):
        cue = found.search(place.gap)
        if cue:
            start, end = place.since + cue.start(), place.since + cue.end()
            return pattern, said("status", "trạng thái", text, folded, start, end)
    if place.total is not None:
        # The parts of an estimated total are estimates: "GRDP ước tăng 3,02%. Trong đó, …".
        source = place.previous or place.total
        return source.status, carried("status", "trạng thái", source)
    lead = list_lead(folded, place.sentence_start) if place.previous is None else None
    if lead is not None:
        # "6 tháng, các chỉ tiêu ước đạt như sau:" says it of every item below it.
        for pattern, found in (("estimate", _ESTIMATE), ("target", _TARGET)):
            if found.search(lead):
                return pattern, Cue("status", "trạng thái: câu dẫn của danh sách", CARRIED)
    if (
        period is not None
        and setting.model.compiled_before_end(period)
        and (place.previous is None or place.previous.status != "target")
    ):
        # A statistics office writes its month's report before the month closes.
        return "estimate", month_end_cue(setting.model)
    done = _DONE.search(text[place.since : raw.start])
    if done:
        start, end = place.since + done.start(), place.since + done.end()
        return "actual", said("status", "trạng thái", text, folded, start, end)
    year = setting.periods.year
    # A span ending after the document's year ("Quy hoạch tỉnh thời kỳ 2021-2030") is a plan.
    future = explicit and period is not None and year is not None and ends_after(period, year)
    if future or section.status == "target":
        # In a plan's sections, a forecast ("dự báo", "dự kiến") holds for its paragraph.
        back = max(section.start, start_of_paragraph(setting, raw.start))
        forecast = _ESTIMATE.search(folded[back : raw.start])
        if section.status in ("target", "estimate") and forecast:
            start, end = back + forecast.start(), back + forecast.end()
            quoted = said("status", "trạng thái", text, folded, start, end)
            return "estimate", replace(quoted, text=f"{quoted.text} trong đoạn", confidence=CARRIED)
        if future:
            status = "estimate" if section.status == "estimate" else "target"
            return status, Cue("status", "trạng thái: kỳ sau năm của văn bản", CARRIED)
        if place.previous is None:
            status = "estimate" if section.status == "estimate" else "target"
            return status, Cue("status", "trạng thái: đề mục mục tiêu, kế hoạch", INHERITED)
    if place.previous is not None:
        return place.previous.status, carried("status", "trạng thái", place.previous)
    if section.status == "estimate":
        return "estimate", Cue("status", "trạng thái: đề mục dự báo", INHERITED)
    if not explicit and setting.plan:
        return "target", Cue("status", "trạng thái: văn bản ban hành kế hoạch, đề án", INHERITED)
    if (
        period == str(year)
        and setting.periods.year_to_date is not None
        and not setting.model.published_after(period)
        and setting.model.in_article(raw.start)
    ):
        # A mid-year report's figures for the whole year can only be estimates; a text
        # dated after the year closed that still names its months reports results.
        return "estimate", Cue("status", "trạng thái: số cả năm trong báo cáo giữa năm", INHERITED)
    return "actual", Cue("status", "trạng thái: mặc định là số thực hiện", DEFAULT)


def figure_indicator(
    text: str, folded: str, raw: Raw, place: Place, setting: Setting
) -> str | None:
    index = setting.index
    sentence_start, since, previous = place.sentence_start, place.since, place.previous
    sentence_text = folded[sentence_start : raw.start]
    paragraph_start = start_of_paragraph(setting, raw.start)
    share_context = bool(_SHARE_WORDS.search(sentence_text)) or (
        # "Cơ cấu kinh tế: nông… 14,5%; dịch vụ 37,2%": a list split over lines.
        not _GROWTH_WORDS.search(sentence_text)
        and "co cau" in folded[paragraph_start:sentence_start]
    )
    topic_from = topic_start(folded, paragraph_start, sentence_start)
    topic = folded[topic_from:sentence_start]

    # "bằng 83,4% năm 2023" compares with another year: about any indicator, whatever its unit.
    measure = "plan_pct" if raw.relative else raw.measure

    def pick(start: int, end: int, context: str) -> tuple[str, Hit] | None:
        # "(TFP) vào tăng trưởng đạt 31,5%": a phrase after "vào", "cho", "để" is a complement.
        hits = [
            h
            for h in index.within(start, end)
            if not _COMPLEMENT_BEFORE.search(folded, max(0, h.start - 8), h.start)
        ]
        return choose(
            hits,
            sentence=context,
            unit=raw.unit,
            measure=measure,
            share_context=share_context,
            topic=topic,
        )

    fresh = None
    after = subject_after(folded, raw.unit_end)
    if (
        after is not None
        and opens_list_item(folded[since : raw.start])
        and any(h.start < after[0] + 12 for h in index.within(*after))
    ):
        # "(gồm 1,89 tỷ USD vốn cấp mới; 2,95 tỷ USD vốn tăng thêm)": the subject follows.
        fresh = pick(*after, sentence_text + folded[after[0] : after[1]])
    fresh = fresh or pick(since, raw.start, sentence_text)
    # "đạt 100,2% kế hoạch", ", tăng 13%": right after a figure, about the same thing.
    if fresh is None and previous is not None and not index.within(since, raw.start):
        if raw.measure == "rank" and previous.indicator is not None:
            return _RANK_OF.get(previous.indicator) if national(raw) else None
        if raw.measure in ("plan_pct", "change_pct", "change_abs", "multiple") or raw.relative:
            again = pick(sentence_start, raw.start, sentence_text)
            clause = clause_start(folded, sentence_start, previous.start)
            if (
                again is not None
                and again[0]
                and names_anew(again[1], previous, measure, clause, index)
            ):
                return again[0]
            if (
                raw.measure != "multiple"
                or previous.indicator is not None
                or RIGHT_AFTER.fullmatch(folded, since, raw.start)
            ):
                # "9.506,22 tỷ đồng, gấp gần 5,3 lần": the amount's multiple, even of nothing
                # the catalogue holds.
                return previous.indicator
    chosen = fresh
    if (
        is_count(raw.unit)
        and "con hieu luc" in _CLAUSE_STOPS.split(folded[raw.end : raw.end + 90])[0]
    ):
        # "210 dự án FDI còn hiệu lực": the projects still valid, a stock over the years.
        return None
    if is_count(raw.unit) and chosen is not None:
        # "cấp mới 15 dự án đầu tư trong nước": the counted noun names something narrower.
        right = _CLAUSE_STOPS.split(folded[raw.end : raw.unit_end + 40])[0]
        named = pick(raw.end, raw.end + len(right), sentence_text + right)
        if named is not None and named[1].rule.blocks:
            return None
    if chosen is None and is_count(raw.unit):
        # "66 dự án FDI", "11 khu công nghiệp": the counted noun names the indicator.
        right = _CLAUSE_STOPS.split(folded[raw.end : raw.unit_end + 40])[0]
        named = pick(raw.end, raw.end + len(right), sentence_text + right)
        after_noun = folded[raw.unit_end : raw.end + len(right)]
        if named is not None and (
            (
                named[0].startswith(("INDUSTRIAL_PARK", "INDUSTRIAL_CLUSTER"))
                and _SUBSET.search(after_noun)
            )
            or (named[0].startswith("NEW_RURAL") and _HIGHER_STANDARD.search(after_noun))
        ):
            return None
        chosen = named
    if chosen is None and (raw.measure == "rank" or not _LETTER.search(folded, since, raw.start)):
        # "40,1% lao động trong độ tuổi tham gia BHXH", "đứng thứ 8/63 tỉnh, thành thu hút
        # vốn FDI": the subject follows the number.
        stops = _SENTENCE_STOPS if raw.measure == "rank" else _CLAUSE_STOPS
        right = stops.split(folded[raw.unit_end : raw.unit_end + 80])[0]
        chosen = pick(raw.unit_end, raw.unit_end + len(right), sentence_text + right)
    if chosen is None:
        chosen = pick(sentence_start, raw.start, sentence_text)
    heading = place_heading(text, raw.start, raw.unit_end) if chosen is None else None
    if heading is not None:
        # "Hà Nam: 10,39%" under a lead naming what the list is about.
        lead = max(0, heading - 400)
        chosen = pick(lead, heading, folded[lead:heading])
    if chosen is None or not chosen[0]:
        return None
    code, hit = chosen
    if code.startswith(("INDUSTRIAL_PARK", "INDUSTRIAL_CLUSTER")) and _names_one(text, hit.end):
        return None
    if code.startswith(("FDI_", "INVESTMENT_")) and names_one_project(
        text, clause_start(text, sentence_start, raw.start), raw.start
    ):
        return None
    if raw.measure == "rank" and not national(raw):
        return None
    if code == "GRDP_GROWTH" and " ".join(folded[hit.start : hit.end].split()) in GENERIC_GROWTH:
        # "khu vực dịch vụ đạt mức tăng trưởng cao nhất (+7,6%)": the sector's growth.
        sector = pick(growth_of_sector(folded, hit.start, sentence_start), hit.start, sentence_text)
        if sector is not None and sector[0].startswith("GRDP_GROWTH_"):
            return sector[0]
    if code in ("GRDP_CURRENT", "GRDP_CONSTANT"):
        base = price_base(folded, topic_from, raw.start, raw.unit_end)
        if base is not None:
            return "GRDP_CONSTANT" if base == "constant" else "GRDP_CURRENT"
    return code


_SHARE_WORDS = re.compile(r"co cau|ty trong|chiem")
_GROWTH_WORDS = re.compile(r"tang|toc do")
_LETTER = re.compile(r"[a-z]")
_CLAUSE_STOPS = re.compile(r"[,;.()]")
_SENTENCE_STOPS = re.compile(r"[.;()]")
_PROPER_NAME = re.compile(rf"[ \t]+(?:mở rộng[ \t]+)?[{UPPER}][{LOWER}]")
_COMPLEMENT_BEFORE = re.compile(r"(?<![a-z])(?:vao|cho|de|doi voi)\s+$")


def national(raw: Raw) -> bool:
    """A rank among all provinces (63, or 34 after the 2025 mergers), not within a region."""
    return raw.rank_of is None or raw.rank_of in (63, 64, 34)


_RANK_OF = {
    "GRDP_GROWTH": "GRDP_GROWTH_RANK",
    "GRDP_CURRENT": "GRDP_RANK",
    "GRDP_CURRENT_USD": "GRDP_RANK",
    "FDI_CAPITAL_NEW": "FDI_RANK",
    "FDI_PROJECTS_NEW": "FDI_RANK",
    "INVESTMENT_ATTRACTED_USD": "FDI_RANK",
}


def _names_one(text: str, end: int) -> bool:
    """'KCN Tân Hưng': a phrase followed by a proper name is about one park, not all."""
    return bool(_PROPER_NAME.match(text[end : end + 20]))


# Words after a counted noun that make the count a subset ("6 khu công nghiệp đang lập...").
_SUBSET = re.compile(
    r"(?<![a-z])(?:moi|mo rong|dang\s+(?:lap|trinh|xay dung|trien khai|hoan thien|de nghi|cho)"
    r"|duoc\s+phe\s+duyet|trinh|du\s+kien|chua)(?![a-z])"
)
# New-rural communes "nâng cao" or "kiểu mẫu" are a higher standard, counted apart.
_HIGHER_STANDARD = re.compile(r"(?<![a-z])(?:nang\s+cao|kieu\s+mau)(?![a-z])")
_NOT_COUNTS = frozenset(
    {
        "%",
        "VND",
        "USD",
        "ha",
        "km",
        "km2",
        "m2",
        "m3",
        "tấn",
        "tạ",
        "kg",
        "lít",
        "MW",
        "kW",
        "kWh",
        "năm",
        "lần",
        "hạng",
        "điểm %",
    }
)


def is_count(unit: str) -> bool:
    return unit.split("/")[0] not in _NOT_COUNTS
