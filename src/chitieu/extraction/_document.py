"""What a document says about itself before any figure: its date, periods, kind and provinces.

Read from its head — the title and heading lines, the dateline and the first
paragraph — the way a reader of a Vietnamese report takes them in before the
figures: "Tình hình kinh tế - xã hội tháng 9 và quý III năm 2019" says the
report is about September and the third quarter of 2019, whatever years its
comparisons name later.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from chitieu._periods import parse_period
from chitieu.extraction._periods_text import PeriodMention

HEAD = 1500
_TITLE_LINE = 160

# "ngày 26 tháng 4 năm 2019", "ngày 02/12/2024": an official dateline (or a cited document's).
_OFFICIAL_DATE = re.compile(
    r"ngay\s+(\d{1,2})\s*(?:/|thang\s+)\s*(\d{1,2})\s*(?:/|\s+nam\s+)\s*((?:19|20)\d{2})(?!\d)"
)
# A web page's own date: " date 2024-07" (as the shared texts carry it) or "10/10/2019 07:48".
_PAGE_DATE = re.compile(
    r"(?m)^\s*date\s+((?:19|20)\d{2})-(\d{2})\b"
    r"|^[^\n]{0,40}?(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)[^\n]{0,30}$"
)
_STATISTICS = re.compile(
    r"tinh\s+hinh\s+kinh\s+te\W+xa\s+hoi|thong\s+cao\s+bao\s+chi|cuc\s+thong\s+ke"
)
_MONTH = re.compile(r"-M(\d{2})$")
_SIMPLE_PERIOD = re.compile(r"\d{4}(?:-(?:H\d|Q\d|\d{1,2}M|M\d{2}))?")
# "cùng kỳ năm 2023", "so với năm 2023": a comparison base, a year before the report's.
_BASE_YEAR = re.compile(r"(?:cung\s+ky|so\s+voi)\s+(?:nam\s+)?((?:19|20)\d{2})(?![\d/-])")
# A horizon ("đến năm 2030") or a span names no reporting year.
_HORIZON = re.compile(
    r"(?:den|toi|giai\s+doan|thoi\s+ky|tam\s+nhin|ke\s+hoach|muc\s+tieu|chi\s+tieu"
    r"|nhiem\s+vu|phuong\s+huong)\s+$"
)

# A web page's article ends where its comments or teasers of other articles begin; what
# follows ("Đọc nhiều", "Tin liên quan") are other texts with periods and dates of their own.
_ARTICLE_END = re.compile(
    r"(?m)^[ \t]*(?:binh\s+luan|doc\s+nhieu|xem\s+nhieu|tin\s+(?:lien\s+quan|cung\s+chuyen\s+muc"
    r"|khac|moi(?:\s+nhat)?|noi\s+bat)|bai\s+(?:viet\s+)?lien\s+quan|xem\s+them"
    r"|co\s+the\s+ban\s+quan\s+tam)[ \t]*:?[ \t]*$"
)


@dataclass(frozen=True, slots=True)
class DocumentModel:
    """The document's date, its year and reporting periods, its kind and its provinces."""

    year: int | None
    issued_on: date | None
    periods: tuple[str, ...]
    kind: str
    provinces: tuple[str, ...] = ()
    # The month a month-end statistics report is about ("tháng 9 năm 2020" → "2020-09").
    month_end: str | None = None
    # How the year was read ("ngày ban hành", "tiêu đề 'quý III năm 2019'").
    cue: str = ""
    # Where each of ``periods`` was read, in the same order ("tiêu đề 'quý III năm 2019'").
    period_cues: tuple[str, ...] = ()
    # Where the body starts: before it are the title and heading lines.
    body: int = 0

    def period_cue(self, code: str) -> str | None:
        """Where the document names its period ``code``, if it does."""
        for own, cue in zip(self.periods, self.period_cues, strict=False):
            if own == code:
                return cue
        return None

    # Where a web page's article ends and the teasers of other articles begin.
    article_end: int | None = None

    def in_article(self, position: int) -> bool:
        """Whether ``position`` is in the document's own text, not a teaser after it."""
        return self.article_end is None or position < self.article_end

    def published_after(self, period: str) -> bool:
        """Whether the document is dated after ``period`` closed: it reports its results.

        A page dated only by its month ("date 2025-01") counts from the month's first day.
        """
        if self.issued_on is None or not _SIMPLE_PERIOD.fullmatch(period):
            return False
        return parse_period(period).end < self.issued_on

    def compiled_before_end(self, period: str) -> bool:
        """A month-end report's figures for its month and the periods closing with it."""
        if self.month_end is None or not _SIMPLE_PERIOD.fullmatch(period):
            return False
        end = parse_period(period).end
        return f"{end.year}-{end.month:02}" == self.month_end


def _head_lines(text: str) -> tuple[list[tuple[int, int]], int]:
    """The heading lines of the head (short, not ending a sentence) and where the body starts."""
    lines: list[tuple[int, int]] = []
    offset = 0
    body = min(len(text), HEAD)
    for line in text[:HEAD].split("\n"):
        stripped = line.strip()
        end = offset + len(line)
        if stripped and not re.match(r"(?:https?://|www\.)", stripped):
            if len(stripped) > _TITLE_LINE or stripped.endswith((".", ":")):
                body = offset
                break
            lines.append((offset, end))
        offset = end + 1
    return lines, body


def read_document_model(
    folded: str,
    periods: list[PeriodMention],
    *,
    provinces: tuple[str, ...] = (),
    text: str | None = None,
) -> DocumentModel:
    """The document model, from the folded text and the period mentions found in it.

    ``text`` is the original the folded text was made from, offset for offset: cues
    quote it, with its diacritics.
    """
    original = folded if text is None else text
    lines, body = _head_lines(folded)
    paragraph_end = folded.find("\n", body + 1)
    opening_end = min(HEAD, paragraph_end if paragraph_end > 0 else len(folded))
    in_title = [m for m in periods if any(s <= m.start < e for s, e in lines)]
    in_opening = [m for m in periods if body <= m.start < opening_end]
    official = [(int(y), int(mo), int(d)) for d, mo, y in _OFFICIAL_DATE.findall(folded[:HEAD])]
    issued = _valid_date(max(official)) if official else _page_date(folded[:HEAD])
    named_year, cue = (
        _named_year(folded, original, in_title, "tiêu đề")
        or _named_year(folded, original, in_opening, "đoạn mở đầu")
        or (None, "")
    )
    year: int | None
    if official:
        year, cue = max(official)[0], "ngày ban hành"
    elif named_year is not None:
        year = named_year
    elif issued is not None:
        year, cue = issued.year, "ngày đăng"
    else:
        year, cue = _year_from_mentions(folded, periods)
    reporting = [
        (code, f"{'tiêu đề' if start < body else 'đoạn mở đầu'} '{original[start:end]}'")
        for code, start, end in _resolved(folded, in_title + in_opening, year)
    ]
    cues: dict[str, str] = {}
    for code, said in reporting:
        cues.setdefault(code, said)
    title = " ".join(folded[s:e] for s, e in lines)
    statistics = bool(_STATISTICS.search(title))
    # The month is the one the statistics title itself names (its line or the next: a
    # wrapped title), not one that a wrapped first paragraph mentions.
    titled = [
        (s, _wrapped_end(lines, i, in_title))
        for i, (s, e) in enumerate(lines)
        if _STATISTICS.search(folded, s, e)
    ]
    in_statistics_title = [m for m in in_title if any(s <= m.start < e for s, e in titled)]
    months = [
        code for code, _, _ in _resolved(folded, in_statistics_title, year) if _MONTH.search(code)
    ]
    return DocumentModel(
        year=year,
        issued_on=issued,
        periods=tuple(cues),
        kind=_kind(title, folded[:HEAD], statistics),
        provinces=provinces,
        month_end=months[0].replace("-M", "-") if statistics and months else None,
        cue=cue,
        period_cues=tuple(cues.values()),
        body=body,
        article_end=_article_end(folded, body),
    )


def _article_end(folded: str, body: int) -> int | None:
    """Where the comments or the teasers of other articles begin, after the body's start."""
    found = _ARTICLE_END.search(folded, body + 1)
    return found.start() if found else None


def _wrapped_end(lines: list[tuple[int, int]], index: int, named: list[PeriodMention]) -> int:
    """The end of a title line, or of the line right after it when the title goes on there."""
    start, end = lines[index]
    if any(start <= m.start < end for m in named) or index + 1 >= len(lines):
        return end
    following = lines[index + 1]
    return following[1] if following[0] == end + 1 else end


def _own(folded: str, mention: PeriodMention) -> bool:
    """A period the document reports on: not a comparison, a horizon or a span of years."""
    if mention.comparison or "/" in mention.code or mention.code == "{ytd}":
        return False
    return not _HORIZON.search(folded[max(0, mention.start - 15) : mention.start])


def _named_year(
    folded: str, original: str, mentions: list[PeriodMention], where: str
) -> tuple[int, str] | None:
    # The latest: "năm 2023 đạt 13,1%; ước năm 2024 đạt 14,5%" is written in 2024.
    named = [m for m in mentions if _own(folded, m) and re.match(r"\d{4}", m.code)]
    if not named:
        return None
    latest = max(named, key=lambda m: int(m.code[:4]))
    return int(latest.code[:4]), f"{where} '{original[latest.start : latest.end]}'"


def _resolved(
    folded: str, mentions: list[PeriodMention], year: int | None
) -> list[tuple[str, int, int]]:
    """The document's own periods and where each is said, its year included.

    "tháng 9 và quý III năm 2019": both share the year, and "quý III năm 2019" is where
    the quarter is said.
    """
    own = [m for m in mentions if _own(folded, m)]
    found: list[tuple[str, int, int]] = []
    for index, mention in enumerate(own):
        later = next((m for m in own[index + 1 :] if re.match(r"\d{4}", m.code)), None)
        near = later is not None and later.start - mention.end < 40
        shared = int(later.code[:4]) if later and near else year
        code = mention.resolve(shared)
        if code is not None and re.match(r"\d{4}(?:-|$)", code) and len(code) <= 8:
            said_to = (
                later.end if later and near and not mention.code[:4].isdigit() else mention.end
            )
            found.append((code, mention.start, said_to))
    return found


def _year_from_mentions(folded: str, periods: list[PeriodMention]) -> tuple[int | None, str]:
    """With no date nor titled period: the year its comparisons point to, else the most named."""
    # "tăng 5,52% so với cùng kỳ năm 2023" is written in 2024.
    bases = Counter(int(y) + 1 for y in _BASE_YEAR.findall(folded))
    own = Counter(
        int(m.code[:4]) for m in periods if _own(folded, m) and re.match(r"\d{4}", m.code)
    )
    if own:
        best = max(own, key=lambda y: (own[y] + bases[y], y))
        return best, "năm được nhắc nhiều nhất"
    if bases:
        return max(bases, key=lambda y: (bases[y], y)), "năm sau năm so sánh"
    years = Counter(int(y) for y in re.findall(r"(?<![\d/])((?:19|20)\d{2})(?![\d/])", folded))
    if not years:
        return None, ""
    return max(years, key=lambda y: (years[y], y)), "năm được nhắc nhiều nhất"


def _page_date(head: str) -> date | None:
    match = _PAGE_DATE.search(head)
    if match is None:
        return None
    if match.group(1):
        return _valid_date((int(match.group(1)), int(match.group(2)), 1))
    return _valid_date((int(match.group(5)), int(match.group(4)), int(match.group(3))))


def _valid_date(parts: tuple[int, int, int]) -> date | None:
    try:
        return date(*parts)
    except ValueError:
        return None


def _kind(title: str, head: str, statistics: bool) -> str:
    """Statistics report, plan, decision, report or news, from the title and the head."""
    if re.search(r"quyet\s+dinh", head) and re.search(r"ke\s+hoach|de\s+an|quy\s+hoach", head):
        return "plan"
    if re.search(r"nghi\s+quyet", title):
        return "resolution"
    if statistics:
        return "statistics"
    if re.search(r"(?<![a-z])bao\s+cao(?![a-z])", title):
        return "report"
    return "news"
