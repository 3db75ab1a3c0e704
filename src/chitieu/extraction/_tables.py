"""Figures in tables: rows of tab-separated cells, as readers write DOCX and PDF tables.

A table's header says what its value columns are (a year, "thực hiện",
"mục tiêu", "đến năm 2030"), a unit column says what each row counts, and a
row's label says which indicator it is. Footnote markers such as "(*)" can
turn a year column into a period average ("bình quân giai đoạn 2019-2025").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chitieu._text import fold, fold_keeping_offsets
from chitieu.extraction._catalogue import unit_for
from chitieu.extraction._indicators import PhraseIndex, choose, subject_end
from chitieu.extraction._numbers import parse_number
from chitieu.extraction._periods_text import find_periods
from chitieu.extraction._units import read_unit
from chitieu.extraction.records import Figure

_TAG = re.compile(r"<[^>]{1,20}>")
_MARKER = re.compile(r"\((\\?\*)+\)|<sup>\s*\(?(\\?\*)+\)?\s*</sup>")
_VALUE = re.compile(r"\s*(\d+(?:[.,]\d+)*)(?:\s*[-–]\s*(\d+(?:[.,]\d+)*))?\s*")


@dataclass(frozen=True, slots=True)
class _Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class _Column:
    period: str | None
    status: str | None
    # Set for comparison columns ("So sánh (%)", "ƯTH/KH"): a percentage, whatever the row counts.
    measure: str | None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def _cells(offset: int, line: str) -> list[_Cell]:
    cells, start = [], 0
    for part in line.split("\t"):
        cells.append(_Cell(offset + start, offset + start + len(part), part))
        start += len(part) + 1
    return cells


def _blocks(text: str) -> Iterator[list[list[_Cell]]]:
    """Runs of tab-separated lines (a blank line or two may sit inside a table)."""
    block: list[list[_Cell]] = []
    blanks = 0
    for offset, line in _lines(text):
        if line.count("\t") >= 2:
            block.append(_cells(offset, line))
            blanks = 0
        elif not line.strip() and block and blanks < 2:
            blanks += 1
        else:
            if len(block) >= 2:
                yield block
            block, blanks = [], 0
    if len(block) >= 2:
        yield block


def _is_value(cell: _Cell) -> bool:
    return bool(
        _VALUE.fullmatch(_MARKER.sub("", _TAG.sub("", cell.text)))
    ) or cell.text.strip() in ("-", "–")


def _is_data(row: list[_Cell]) -> bool:
    return any(_is_value(cell) and cell.text.strip() not in ("-", "–") for cell in row[2:])


def _header_texts(header: list[list[_Cell]], width: int) -> list[str]:
    """Each column's heading, a merged heading ("Mục tiêu") carried over its sub-columns."""
    texts = [""] * width
    for depth, row in enumerate(header):
        carried = ""
        for index in range(width):
            cell = row[index].text.strip() if index < len(row) else ""
            below = any(index < len(r) and r[index].text.strip() for r in header[depth + 1 :])
            if cell:
                carried = cell
            elif carried and below and index >= 2:
                cell = carried
            texts[index] = f"{texts[index]} {cell}".strip()
    return texts


def _status_of(words: str) -> str | None:
    """What a column heading says its figures are ("ƯTH" is an estimate of the year)."""
    if re.search(r"(?<![a-z])(?:uoc|uth|du kien|du bao)(?![a-z])", words):
        return "estimate"
    if re.search(r"(?<![a-z])(?:thuc hien|thuc te|th)(?![a-z])", words):
        return "actual"
    if re.search(r"(?<![a-z])(?:muc tieu|ke hoach|kh|chi tieu|den nam|phan dau)(?![a-z])", words):
        return "target"
    return None


_RATIO = re.compile(r"so sanh|\(%\)|%|(?<![a-z0-9])[a-z0-9 ]{1,20}/[a-z0-9 ]{1,20}(?![a-z0-9])")


def _column(folded_header: str, year: int | None, latest: str | None) -> _Column | None:
    """A value column's meaning from its heading; None for a column that holds no figures."""
    ratio = bool(_RATIO.search(folded_header))
    # "ƯTH 2024/TH 2023": the figure belongs to what stands before the slash.
    numerator = folded_header.split("/")[0] if ratio else folded_header
    mentions = [m for m in find_periods(numerator) if "{" not in m.code]
    bare_year = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", numerator)
    period = mentions[-1].code if mentions else bare_year.group(1) if bare_year else None
    status = _status_of(numerator.split("%")[-1] if ratio else numerator)
    if ratio:
        measure = (
            "plan_pct" if re.search(r"/\s*(?:kh|ke hoach|ctkh)", folded_header) else "ratio_pct"
        )
        return _Column(period or latest, status, measure)
    if period is None and status is None:
        return None
    if status is None and period is not None and year is not None:
        status = "target" if int(period[:4]) > year else "actual"
    return _Column(period, status, None)


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
    found = _MARKER.search(text)
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


def table_figures(
    text: str,
    folded: str,
    *,
    doc: str,
    region: str | None,
    year: int | None,
    index: PhraseIndex,
) -> list[Figure]:
    """Figures of every table in ``text`` whose header names its value columns."""
    document = _Document(text, folded, doc, region, year, index, _footnotes(folded))
    found: list[Figure] = []
    for block in _blocks(text):
        found.extend(_block_figures(block, document))
    return found


def _block_figures(block: list[list[_Cell]], document: _Document) -> Iterator[Figure]:
    first_data = next((i for i, row in enumerate(block) if _is_data(row)), None)
    if not first_data:
        return
    width = max(len(row) for row in block)
    headings = [" ".join(fold(h).split()) for h in _header_texts(block[:first_data], width)]
    unit_column = next((i for i, h in enumerate(headings) if re.search(r"don vi|dvt", h)), None)
    rows = block[first_data:]
    latest = _latest_year(headings)
    columns = {
        i: _column(h, document.year, latest)
        for i, h in enumerate(headings)
        if i > (unit_column or 1) and _mostly_numbers(rows, i)
    }
    group = ""
    group_cell: _Cell | None = None
    for row in rows:
        label_cell = row[1] if len(row) > 1 else row[0]
        label = " ".join(_TAG.sub("", document.folded[label_cell.start : label_cell.end]).split())
        if row[0].text.strip() and label:
            group, group_cell = label, label_cell
        context = label if label == group else f"{group} {label}"
        labels = [label_cell] if group_cell in (None, label_cell) else [label_cell, group_cell]
        unit_text = (
            row[unit_column].text if unit_column is not None and unit_column < len(row) else ""
        )
        for position, column in columns.items():
            if column is None or position >= len(row):
                continue
            figure = _cell_figure(row[position], labels, context, unit_text, column, document)
            if figure is not None:
                yield figure


def _cell_figure(
    cell: _Cell,
    labels: list[_Cell],
    context: str,
    unit_text: str,
    column: _Column,
    document: _Document,
) -> Figure | None:
    text, folded, index = document.text, document.folded, document.index
    raw = text[cell.start : cell.end]
    bare = _MARKER.sub("", _TAG.sub("", raw))
    match = _VALUE.fullmatch(bare)
    if match is None:
        return None
    low, high = (
        parse_number(match.group(1)),
        parse_number(match.group(2) or "") if match.group(2) else None,
    )
    if low is None:
        return None
    start = cell.start + raw.index(match.group(1))
    end = start + len(match.group(0).strip())
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
    if column.measure is not None:
        # A comparison column ("So sánh (%)") holds percentages about the row's indicator,
        # chosen above from the row's own unit.
        unit, scale, measure = "%", 1.0, column.measure
    stars = _stars(raw) or _stars(text[labels[0].start : labels[0].end])
    return Figure(
        doc=document.name,
        start=start,
        end=end,
        text=text[start:end],
        value=low * scale,
        value_max=high * scale if high is not None else None,
        unit=unit_for(indicator, unit),
        period=_averaged(column.period, stars, document.notes),
        status=column.status or "actual",
        measure=measure,
        indicator=indicator,
        region=document.region,
    )


def _latest_year(headings: list[str]) -> str | None:
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", " ".join(headings))
    return max(years) if years else None


def _mostly_numbers(rows: list[list[_Cell]], column: int) -> bool:
    """A column of figures: at least half its cells are numbers or dashes."""
    cells = [row[column] for row in rows if column < len(row) and row[column].text.strip()]
    return bool(cells) and sum(_is_value(cell) for cell in cells) * 2 >= len(cells)


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
