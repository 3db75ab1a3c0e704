"""Figures in tables, read from their header whatever the table's layout.

A table's header says what its value columns are: a period ("tháng 8 năm 2024",
"Cộng dồn 9 tháng", "năm 2019"), a status ("Thực hiện"/"TH" actual, "Ước
tính"/"ƯTH" estimate, "Kế hoạch"/"KH" target) and, for a comparison column ("so
với cùng kỳ (%)", "ƯTH/KH"), a percentage about the row. A unit column (or a
unit in brackets after the row's name) says what each row counts, and a row's
name says which indicator it is. Footnote markers such as "(*)" can turn a year
column into a period average ("bình quân giai đoạn 2019-2025").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from chitieu._periods import parse_period
from chitieu._text import fold_keeping_offsets
from chitieu.extraction._catalogue import unit_for
from chitieu.extraction._document import DocumentModel
from chitieu.extraction._indicators import PhraseIndex, choose, subject_end
from chitieu.extraction._numbers import parse_number
from chitieu.extraction._periods_text import find_periods
from chitieu.extraction._table_layouts import MARKER, VALUE, Cell, Table, find_tables, known_unit
from chitieu.extraction._units import read_unit
from chitieu.extraction.records import Figure

_TAG = re.compile(r"<[^>]{1,20}>")
_UNIT_IN_LABEL = re.compile(r"\(([^()]{1,30})\)\s*[:.]?\s*$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class _Column:
    period: str | None
    status: str | None
    # Set for comparison columns ("So sánh (%)", "ƯTH/KH"): a percentage, whatever the row counts.
    measure: str | None
    # A comparison written as an index of its base ("so với cùng kỳ (%)": 105,3 is 5,3 % growth).
    index: bool = False
    # A "cùng kỳ" column: its period is the report's, a year back ("-1") or in the year named.
    back: str | None = None


def _status_of(words: str) -> str | None:
    """What a column heading says its figures are ("ƯTH" is an estimate of the year)."""
    if re.search(r"(?<![a-z])(?:uoc|uth|du kien|du bao)(?![a-z])", words):
        return "estimate"
    if re.search(r"(?<![a-z])(?:thuc hien|thuc te|th)(?![a-z])", words):
        return "actual"
    if re.search(r"(?<![a-z])(?:muc tieu|ke hoach|kh|chi tieu|den nam|phan dau)(?![a-z])", words):
        return "target"
    return None


_RATIO = re.compile(
    r"so sanh|so voi|\(%\)|%|(?<![a-z0-9])[a-z0-9 ]{1,20}/[a-z0-9 ]{1,20}(?![a-z0-9])"
)
_PERIOD_SLASH = re.compile(
    r"((?:quy\s+[ivx1-4]+|thang\s+\d{1,2}|\d{1,2}\s+thang(?: dau nam)?))\s*/\s*((?:19|20)\d{2})"
)
_PLAN_BASE = re.compile(r"(?:/|so voi)\s*(?:cung ky\s*)?(?:kh|ke hoach|ctkh|du toan|chi tieu)")
# "T9/2024" is September, "9T/2024" the nine months to September.
_SHORT_MONTH = re.compile(r"(?<![a-z0-9])t(\d{1,2})(?=\s*/\s*(?:19|20)\d{2})")
_SHORT_MONTHS = re.compile(r"(?<![a-z0-9])(\d{1,2})t(?=\s*/\s*(?:19|20)\d{2})")


def _numerator(folded_header: str) -> str:
    """What a comparison column is about: before "so với", "/" or "(%)"."""
    words = re.sub(r"^(?:so sanh|so voi)\s*", "", folded_header)
    cut = re.split(r"so voi|so sanh|/|\(%\)", words, maxsplit=1)[0]
    # A merged heading's sub-heading follows it: "So với cùng kỳ (%) Tháng 9".
    under = words.split("(%)", 1)[1] if "(%)" in words else ""
    both = f"{cut} {under}".strip()
    return both if both else words


_THIS_MONTH = re.compile(r"(?:thang|ky) (?:bao cao|nay)")
_LAST_MONTH = re.compile(r"(?:thang|ky) truoc")
_TO_DATE = re.compile(r"luy ke|cong don|tu dau nam")


def _period_of(words: str, year: str | None, month: str | None = None) -> str | None:
    mentions = find_periods(words)
    codes = [m.code.replace("{y}", year) if year else m.code for m in mentions]
    codes = [code for code in codes if "{" not in code]
    if codes:
        return codes[-1]
    relative = _relative(words, month)
    if relative is not None:
        return relative
    bare = _YEAR.search(words)
    return bare.group(1) if bare else None


def _relative(words: str, month: str | None) -> str | None:
    """A statistics office's "kỳ báo cáo", "tháng trước", "lũy kế từ đầu năm", in months."""
    if month is None:
        return None
    year, number = int(month[:4]), int(month[5:])
    if _LAST_MONTH.search(words):
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
        return f"{year}-M{number:02}"
    if _TO_DATE.search(words):
        return str(year) if number == 12 else f"{year}-{number}M"
    if _THIS_MONTH.search(words):
        return f"{year}-M{number:02}"
    return None


def _table_month(document: _Document, table: Table) -> str | None:
    """The month a table is about: named just above it ("… chủ yếu tháng 9 năm 2024"),
    else the month a month-end statistics report closes."""
    above = document.folded[max(0, table.start - 300) : table.start]
    months = [m.code for m in find_periods(above) if re.fullmatch(r"\d{4}-M\d\d", m.code)]
    if months:
        return f"{months[-1][:4]}-{months[-1][-2:]}"
    return document.model.month_end if document.model is not None else None


def _column(folded_header: str, latest: str | None, month: str | None = None) -> _Column | None:
    """A value column's meaning from its heading; None for a column that holds no figures.

    A comparison column naming no period, and a "cùng kỳ" column, get theirs
    from the columns beside them (``_beside``).
    """
    folded_header = _SHORT_MONTH.sub(r"thang \1", folded_header)
    folded_header = _SHORT_MONTHS.sub(r"\1 thang", folded_header)
    # "Quý III/2023", "tháng 9/2024" name a period: that slash divides nothing.
    folded_header = _PERIOD_SLASH.sub(r"\1 nam \2", folded_header)
    ratio = bool(_RATIO.search(folded_header))
    # "ƯTH 2024/TH 2023", "Tháng 9 so với cùng kỳ": the figure belongs to what stands first.
    numerator = _numerator(folded_header) if ratio else folded_header
    status = _status_of(numerator.split("%")[-1] if ratio else numerator)
    if ratio:
        period = _period_of(numerator, latest, month)
        if _PLAN_BASE.search(folded_header):
            return _Column(period, status, "plan_pct")
        # "Tăng, giảm so với cùng kỳ (%)" holds the change; "so với cùng kỳ (%)" an index.
        change = bool(re.search(r"(?<![a-z])(?:tang|giam)(?![a-z])", folded_header))
        return _Column(period, status, "change_pct", index=not change)
    if re.search(r"cung ky", folded_header):
        # "Cùng kỳ năm trước", "Cùng kỳ năm 2023": the report's period a year back, or in 2023.
        named = _YEAR.search(folded_header)
        return _Column(None, status or "actual", None, back=named.group(1) if named else "-1")
    period = _period_of(numerator, latest, month)
    if period is None and status is None:
        return None
    return _Column(period, status, None)


def _beside(columns: list[_Column | None], latest: str | None) -> list[_Column | None]:
    """Periods from the neighbouring columns: a comparison is about the column before it."""
    levels = [c for c in columns if c is not None and c.measure is None and c.back is None]
    resolved: list[_Column | None] = []
    previous: _Column | None = None
    for column in columns:
        if column is not None and column.back is not None:
            # The same period as the column it stands beside, most often the one before it.
            reference = (previous.period if previous is not None else None) or next(
                (c.period for c in levels if c.period), None
            )
            column = replace(column, period=_moved(reference, column.back))
        elif column is not None and column.period is None and column.measure is not None:
            before = previous.period if previous is not None else None
            column = replace(column, period=before or latest)
        if column is not None and column.measure is None and column.back is None:
            previous = column
        resolved.append(column)
    return resolved


def _moved(period: str | None, back: str) -> str | None:
    """``period`` a year back ("-1") or in the year named."""
    if period is None or not period[:4].isdigit():
        return None
    year = int(period[:4]) - 1 if back == "-1" else int(back)
    return f"{year}{period[4:]}"


def _month_ending(period: str | None) -> str | None:
    if period is None or not re.fullmatch(r"\d{4}(?:-(?:M\d\d|Q[1-4]|H[12]|\d{1,2}M))?", period):
        return None
    try:
        end = parse_period(period).end
    except ValueError:
        return None
    return f"{end.year}-{end.month:02}"


def _settled(
    columns: list[_Column | None], year: int | None, model: DocumentModel | None
) -> list[_Column | None]:
    """Each column's status where its heading names none, from the other columns and the text.

    A month's estimate makes every period closing with that month an estimate
    ("Cộng dồn 9 tháng" beside "Ước tính tháng 9"); a comparison column is
    what its period's level column is; a month-end statistics report's own
    periods are estimates; else a period after the document's year is a target.
    """
    estimated = {
        _month_ending(c.period)
        for c in columns
        if c is not None and c.status == "estimate" and c.measure is None
    }
    estimated.discard(None)
    levels: dict[str | None, str] = {}
    settled: list[_Column | None] = []
    for column in columns:
        if column is None or column.status is not None or column.measure is not None:
            settled.append(column)
            if column is not None and column.measure is None and column.status is not None:
                levels.setdefault(column.period, column.status)
            continue
        status = _fallback(column.period, estimated, year, model)
        levels.setdefault(column.period, status)
        settled.append(replace(column, status=status))
    return [
        replace(c, status=levels.get(c.period) or _fallback(c.period, estimated, year, model))
        if c is not None and c.status is None
        else c
        for c in settled
    ]


def _fallback(
    period: str | None, estimated: set[str | None], year: int | None, model: DocumentModel | None
) -> str:
    if _month_ending(period) in estimated:
        return "estimate"
    if period is not None and model is not None and model.compiled_before_end(period):
        return "estimate"
    if period is not None and year is not None and period[:4].isdigit() and int(period[:4]) > year:
        return "target"
    return "actual"


def _footnotes(folded: str) -> dict[int, list[tuple[int, int]]]:
    """Marker stars → the year ranges its footnote names: "(*) ... (2019-2025; 2026-2030)"."""
    notes: dict[int, list[tuple[int, int]]] = {}
    for match in re.finditer(r"(?m)^\s*\((\\?\*(?:\\?\*)*)\)\s*(.+)$", folded):
        stars = match.group(1).count("*")
        ranges = [
            (int(a), int(b))
            for a, b in re.findall(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", match.group(2))
        ]
        if ranges:
            notes[stars] = ranges
    return notes


def _stars(text: str) -> int:
    found = MARKER.search(text)
    return found.group(0).count("*") if found else 0


def _averaged(
    period: str | None, stars: int, notes: dict[int, list[tuple[int, int]]]
) -> str | None:
    if period is None or not stars or stars not in notes or not period.isdigit():
        return period
    for first, last in notes[stars]:
        if last == int(period):
            return f"{first}/{last}"
    return period


@dataclass(frozen=True)
class _Document:
    """What every cell of a document's tables is read against."""

    text: str
    folded: str
    name: str
    region: str | None
    year: int | None
    index: PhraseIndex
    notes: dict[int, list[tuple[int, int]]]
    model: DocumentModel | None


def table_figures(
    text: str,
    folded: str,
    *,
    doc: str,
    region: str | None,
    year: int | None,
    index: PhraseIndex,
    model: DocumentModel | None = None,
) -> tuple[list[Figure], list[tuple[int, int]]]:
    """Figures of every table in ``text`` whose header names its value columns.

    Also the spans the prose grammar should leave alone: the figures, and the
    whole of a table whose layout (one cell a line, pipes) prose could misread.
    """
    document = _Document(text, folded, doc, region, year, index, _footnotes(folded), model)
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for table in find_tables(text, folded):
        if any(start < table.end and table.start < end for start, end in taken):
            continue  # the same rows already read in another layout
        figures = list(_table_figures(table, document))
        found.extend(figures)
        if table.whole and figures:
            taken.append((table.start, table.end))
    spans = [(f.start, f.end) for f in found]
    return sorted(found, key=lambda figure: figure.start), spans + taken


def _table_figures(table: Table, document: _Document) -> Iterator[Figure]:
    month = _table_month(document, table)
    latest = _latest_year(list(table.headings)) or (
        month[:4] if month else str(document.year) if document.year else None
    )
    columns = _settled(
        _beside([_column(h, latest, month) for h in table.headings], latest),
        document.year,
        document.model,
    )
    group = ""
    group_cell: Cell | None = None
    for row in table.rows:
        label_cell = row.label
        label = " ".join(_TAG.sub("", document.folded[label_cell.start : label_cell.end]).split())
        if row.heads_group and label:
            group, group_cell = label, label_cell
        context = label if label == group else f"{group} {label}"
        labels = [label_cell] if group_cell in (None, label_cell) else [label_cell, group_cell]
        unit_text = row.unit or _unit_in_label(document.text, label_cell)
        for cell, column in zip(row.values, columns, strict=False):
            if column is None or cell is None:
                continue
            figure = _cell_figure(cell, labels, context, unit_text, column, document)
            if figure is not None:
                yield figure


def _unit_in_label(text: str, label: Cell) -> str:
    """A unit written after the row's name: "Kim ngạch xuất khẩu (triệu USD)"."""
    found = _UNIT_IN_LABEL.search(_TAG.sub("", text[label.start : label.end]))
    if found is None or not known_unit(found.group(1)):
        return ""
    return found.group(1)


def _cell_figure(
    cell: Cell,
    labels: list[Cell],
    context: str,
    unit_text: str,
    column: _Column,
    document: _Document,
) -> Figure | None:
    text, folded, index = document.text, document.folded, document.index
    raw = text[cell.start : cell.end]
    bare = MARKER.sub("", _TAG.sub("", raw))
    match = VALUE.fullmatch(bare)
    if match is None:
        return None
    low, high = (
        parse_number(match.group(2)),
        parse_number(match.group(3) or "") if match.group(3) else None,
    )
    if low is None:
        return None
    sign = -1.0 if match.group(1) in ("-", "−") else 1.0
    start = cell.start + raw.index(match.group(1) + match.group(2))
    end = start + len((match.group(1) + match.group(2)).strip())
    if match.group(3):
        end = cell.start + raw.index(match.group(3), end - cell.start) + len(match.group(3))
    read = _unit(unit_text)
    if read is None:
        return None
    unit, scale = read
    share = bool(re.search(r"co cau|ty trong", context))
    measure = "share_pct" if share and unit == "%" else "level"
    chosen = None
    for label_cell in labels:
        hits = index.within(label_cell.start, label_cell.end)
        chosen = choose(
            hits,
            sentence=context,
            unit=unit,
            measure=measure,
            share_context=share,
            subject_end=subject_end(folded, label_cell.start, label_cell.end),
        )
        if chosen is not None:
            break
    indicator = chosen[0] or None if chosen else None
    extras: dict[str, object] = {}
    if column.measure is not None:
        # A comparison column ("So sánh (%)") holds percentages about the row's indicator,
        # chosen above from the row's own unit.
        unit, scale, measure = "%", 1.0, column.measure
        if column.index:
            extras["index_base"] = 100
    stars = _stars(raw) or _stars(text[labels[0].start : labels[0].end])
    return Figure(
        doc=document.name,
        start=start,
        end=end,
        text=text[start:end],
        value=sign * low * scale,
        value_max=high * scale if high is not None else None,
        unit=unit_for(indicator, unit),
        period=_averaged(column.period, stars, document.notes),
        status=column.status or "actual",
        measure=measure,
        indicator=indicator,
        region=document.region,
        extras=extras,
    )


def _latest_year(headings: list[str]) -> str | None:
    years = _YEAR.findall(" ".join(headings))
    return max(years) if years else None


def _unit(unit_text: str) -> tuple[str, float] | None:
    """A unit column's cell as (unit, scale): "Tỷ đồng" → ("VND", 1e9), "Tuổi" → ("năm", 1).

    None when the cell is no unit at all (a sentence in a column taken for units).
    """
    written = " ".join(_TAG.sub("", unit_text).split())
    if not written:
        return "", 1.0
    # A leading space lets a lone count noun ("Xã", "Người") read as a counted noun.
    lowered = " " + written.lower()
    reading = read_unit(lowered, fold_keeping_offsets(lowered), 0)
    if reading is not None:
        return reading.unit, reading.scale
    return (written.lower(), 1.0) if len(written) <= 25 and len(written.split()) <= 3 else None
