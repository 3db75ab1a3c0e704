"""Why a figure reads as it does: the cue that decided each attribute, and how surely.

A planner reviewing figures checks the doubtful ones first, so each attribute
carries the words that decided it ("kỳ: tiêu đề 'quý III năm 2019'",
"trạng thái: 'ước đạt'") and a confidence on the scale of ``records``: a cue
in the figure's own clause is surer than one carried from the sentence or
paragraph, which is surer than the document's head, which is surer than a
default.

The period and the status are explained where they are decided (the rules
return their reason); the indicator and the region are explained after the
fact from the phrase index and the clause, so that the rules choosing them
stay as they are.
"""

from __future__ import annotations

import functools
import re

from chitieu._text import fold
from chitieu.extraction._document import DocumentModel
from chitieu.extraction._indicators import Hit, PhraseIndex
from chitieu.extraction._period_rules import PeriodReason
from chitieu.extraction.records import (
    CARRIED,
    DEFAULT,
    IN_CLAUSE,
    INHERITED,
    UNKNOWN,
    Cue,
    Figure,
)

_QUOTE = 60
_PERIOD_RULES = {
    "after": ("ngay sau số liệu", IN_CLAUSE),
    "sentence": ("trong câu", IN_CLAUSE),
    "base": ("giá trị của kỳ so sánh", CARRIED),
    "paragraph": ("đoạn văn", CARRIED),
}


def quote(text: str, start: int, end: int) -> str:
    """The words at ``[start, end)`` in quotes, whitespace squeezed, long ones cut."""
    words = " ".join(text[start:end].split())
    if len(words) > _QUOTE:
        words = words[: _QUOTE - 1].rstrip() + "…"
    return f"'{words}'"


def period_cue(
    reason: PeriodReason,
    code: str | None,
    text: str,
    *,
    model: DocumentModel,
    heading: str,
    given_year: bool,
) -> Cue:
    """The cue of a period, from the rule that chose it."""
    mention = reason.mention
    if mention is not None and mention.end <= model.body and reason.rule != "after":
        # A title running into the first sentence: the period is the document's own.
        return Cue("period", f"kỳ: tiêu đề {quote(text, mention.start, mention.end)}", INHERITED)
    if reason.rule in _PERIOD_RULES and mention is not None:
        where, confidence = _PERIOD_RULES[reason.rule]
        return Cue("period", f"kỳ: {where} {quote(text, mention.start, mention.end)}", confidence)
    if reason.rule == "section":
        return Cue("period", f"kỳ: đề mục '{heading}'", INHERITED)
    if reason.rule == "document" and code is not None:
        said = model.period_cue(code)
        return Cue("period", f"kỳ: {said or 'kỳ báo cáo của văn bản'}", INHERITED)
    if reason.rule == "total" and code is not None:
        return Cue("period", "kỳ: của số tổng mà câu 'Trong đó' chia ra", CARRIED)
    if code is None:
        return Cue("period", "kỳ: không rõ", UNKNOWN)
    if given_year:
        return Cue("period", "kỳ: năm cho trước của văn bản", INHERITED)
    return Cue("period", f"kỳ: năm của văn bản ({model.cue or 'năm được nhắc'})", DEFAULT)


# "ước đạt", "ước tính", "dự kiến đạt": the cue word with the verb it qualifies.
_VERB_AFTER = re.compile(r"\s+(?:dat|tinh|thuc\s+hien|tang|giam)(?![a-z])")


def said(attribute: str, label: str, text: str, folded: str, start: int, end: int) -> Cue:
    """An attribute decided by words of the figure's clause."""
    verb = _VERB_AFTER.match(folded, end)
    if verb is not None:
        end = verb.end()
    return Cue(attribute, f"{label}: {quote(text, start, end)}", IN_CLAUSE)


def month_end_cue(model: DocumentModel) -> Cue:
    """A month-end statistics report's figures for its month and the periods ending with it."""
    year, month = (model.month_end or "-").split("-")
    return Cue(
        "status",
        f"trạng thái: báo cáo thống kê tháng {int(month)}/{year} viết trước khi hết tháng",
        INHERITED,
    )


def carried(attribute: str, label: str, previous: Figure) -> Cue:
    """An attribute carried over from the figure before, in the same sentence."""
    before = next((cue for cue in previous.why if cue.attribute == attribute), None)
    if before is None:
        return Cue(attribute, f"{label}: như số liệu trước trong câu", CARRIED)
    because = before.text.split(": ", 1)[-1]
    return Cue(
        attribute,
        f"{label}: như số liệu trước trong câu ({because})",
        min(CARRIED, before.confidence),
    )


def indicator_cue(
    code: str | None,
    text: str,
    index: PhraseIndex,
    where: tuple[int, int, int, int],
    *,
    previous: Figure | None,
) -> Cue:
    """The phrase that named a figure's indicator: in its clause, after it, or before.

    ``where`` is the start of the figure's sentence, of its clause, of the figure and
    the end of its unit.
    """
    sentence_start, since, start, unit_end = where
    if not code:
        return Cue("indicator", "chỉ tiêu: không có trong danh mục hoặc chưa rõ", UNKNOWN)
    in_clause = index.within(since, start)
    named = [h for h in in_clause if h.rule.code == code]
    if named or in_clause:
        # The nearest phrase of the clause; a narrower phrase ("đóng góp") may have turned
        # the sentence's indicator into its own.
        hit = max(named or in_clause, key=lambda h: (h.end, h.end - h.start))
        return Cue(
            "indicator", f"chỉ tiêu: {_phrase_and_figure(text, hit, start, unit_end)}", IN_CLAUSE
        )
    after = [h for h in index.within(start, unit_end + 80) if h.rule.code == code]
    if after:
        hit = after[0]
        return Cue("indicator", f"chỉ tiêu: sau số liệu {quote(text, hit.start, hit.end)}", CARRIED)
    if previous is not None and previous.indicator == code:
        return carried("indicator", "chỉ tiêu", previous)
    earlier = [h for h in index.within(sentence_start, since) if h.rule.code == code]
    if earlier:
        hit = max(earlier, key=lambda h: h.end)
        said_by = _phrase_and_figure(text, hit, start, unit_end)
        return Cue("indicator", f"chỉ tiêu: trong câu {said_by}", CARRIED)
    if previous is not None and previous.indicator is not None:
        return carried("indicator", "chỉ tiêu", previous)
    return Cue("indicator", "chỉ tiêu: theo câu", INHERITED)


def _phrase_and_figure(text: str, hit: Hit, start: int, unit_end: int) -> str:
    """'GRDP tăng 7,05%' when the phrase stands by the figure, else 'đóng góp … 0,82 điểm'."""
    if len(text[hit.end : start].strip()) <= 12:
        return quote(text, hit.start, unit_end)
    phrase = " ".join(text[hit.start : hit.end].split())
    figure = " ".join(text[start:unit_end].split())
    return f"'{phrase} … {figure}'"


def region_cue(
    region: str | None, clause: str, *, document_region: str | None, given: bool, in_head: bool
) -> Cue:
    """The province (or nation) a figure is about: named in its clause, or the document's."""
    if region is None:
        return Cue("region", "địa bàn: không rõ", UNKNOWN)
    if region != document_region or _folded(region) in clause:
        return Cue("region", f"địa bàn: '{region}'", IN_CLAUSE)
    if given:
        return Cue("region", "địa bàn: tỉnh của văn bản (cho trước)", INHERITED)
    if in_head:
        return Cue("region", "địa bàn: tỉnh của văn bản (tiêu đề, đoạn mở đầu)", INHERITED)
    return Cue("region", "địa bàn: tỉnh của văn bản (được nhắc nhiều nhất)", DEFAULT)


@functools.cache
def _folded(name: str) -> str:
    return fold(name)


def table_cues(figure: Figure, region: Cue) -> tuple[Cue, ...]:
    """A table's figure: its column header gives period and status, its row the indicator."""
    indicator = (
        Cue("indicator", "chỉ tiêu: tên dòng của bảng", CARRIED)
        if figure.indicator
        else Cue("indicator", "chỉ tiêu: tên dòng không có trong danh mục", UNKNOWN)
    )
    period = (
        Cue("period", "kỳ: tiêu đề cột của bảng", CARRIED)
        if figure.period
        else Cue("period", "kỳ: không rõ", UNKNOWN)
    )
    return (
        period,
        Cue("status", "trạng thái: tiêu đề cột của bảng", CARRIED),
        indicator,
        region,
    )


# The cues' own words in English, longest first; what a cue quotes ('quý III năm 2019')
# is the document's and stays as written.
_CUE_WORDS_EN = {
    "báo cáo thống kê tháng": "the statistics report of month",
    "viết trước khi hết tháng": "written before the month ended",
    "không có trong danh mục hoặc chưa rõ": "not in the catalogue, or unclear",
    "tên dòng không có trong danh mục": "a row name not in the catalogue",
    "của số tổng mà câu": "of the total that the sentence",
    "chia ra": "breaks down",
    "tỉnh của văn bản": "the document's province",
    "(tiêu đề, đoạn mở đầu)": "(title, opening paragraph)",
    "(được nhắc nhiều nhất)": "(named most often)",
    "(cho trước)": "(given)",
    "năm được nhắc nhiều nhất": "the year named most often",
    "năm sau năm so sánh": "the year after the one compared with",
    "năm được nhắc": "the year named",
    "năm cho trước của văn bản": "the document's given year",
    "năm của văn bản": "the document's year",
    "kỳ báo cáo của văn bản": "the document's reporting period",
    "kỳ sau năm của văn bản": "a period after the document's year",
    "như số liệu trước trong câu": "as the figure before it in the sentence",
    "ngay sau số liệu": "right after the figure",
    "giá trị của kỳ so sánh": "the value of the period compared with",
    "tên dòng của bảng": "the table's row name",
    "tiêu đề cột của bảng": "the table's column heading",
    "câu dẫn của danh sách": "the list's lead-in sentence",
    "đề mục mục tiêu, kế hoạch": "a heading of targets or plans",
    "đề mục dự báo": "a forecast heading",
    "văn bản ban hành kế hoạch, đề án": "a document issuing a plan or scheme",
    "số cả năm trong báo cáo giữa năm": "a full-year figure in a mid-year report",
    "mặc định là số thực hiện": "an actual figure by default",
    "ngày ban hành": "the date of issue",
    "ngày đăng": "the date published",
    "đoạn mở đầu": "opening paragraph",
    "sau số liệu": "after the figure",
    "trong câu": "in the sentence",
    "trong đoạn": "in the paragraph",
    "theo câu": "from the sentence",
    "đoạn văn": "paragraph",
    "tiêu đề": "title",
    "đề mục": "heading",
    "không rõ": "unknown",
    "trạng thái:": "status:",
    "chỉ tiêu:": "indicator:",
    "địa bàn:": "region:",
    "kỳ:": "period:",
}
_CUE_PHRASES = re.compile(
    "|".join(re.escape(p) for p in sorted(_CUE_WORDS_EN, key=len, reverse=True))
)
_QUOTED = re.compile(r"('[^']*')")


def cue_words(cue: str, lang: str) -> str:
    """A stored cue (written in Vietnamese) in the reader's language; its quotes unchanged."""
    if lang == "vi":
        return cue
    pieces = _QUOTED.split(cue)
    return "".join(
        piece if index % 2 else _CUE_PHRASES.sub(lambda m: _CUE_WORDS_EN[m.group(0)], piece)
        for index, piece in enumerate(pieces)
    )
