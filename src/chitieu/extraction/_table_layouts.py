"""Where a text's tables are, whatever their layout, as rows of labelled cells.

Reports reach us in three table layouts: rows of tab-separated cells (what the
DOCX, PDF and HTML readers write), rows of cells between pipes (tables typed
or converted to Markdown), and tables flattened from a web page with one
cell a line: the header cells, then for each row its name, its unit and one
value a line. Each layout is turned into the same ``Table`` here, so that one
reading of its header (``_tables.py``) serves them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from chitieu._text import fold, fold_keeping_offsets
from chitieu.extraction._units import read_unit

_TAG = re.compile(r"<[^>]{1,20}>")
MARKER = re.compile(r"\((\\?\*)+\)|<sup>\s*\(?(\\?\*)+\)?\s*</sup>")
VALUE = re.compile(
    r"\s*([-−+]?)(\d+(?:[.,]\d+)*)(?:\s*[-–]\s*(\d+(?:[.,]\d+)*))?\s*(?:\(\\?\*+\))?\s*"
)
_UNITS = frozenset(
    {
        "%", "VND", "USD", "ha", "tấn", "tạ", "kg", "m3", "m2", "km", "điểm %", "năm", "lần",
        "người", "lượt", "hộ", "xã", "doanh nghiệp", "dự án", "lao động", "con", "cơ sở",
        "trường", "giường", "chiếc", "căn", "hợp tác xã", "tỷ", "kwh", "lít", "cây",
    }
)  # fmt: skip
_YEAR = re.compile(r"(?:19|20)\d{2}")
_MISSING = frozenset({"-", "–", "—", "x", "…", "...", "-/-", "k", "kxđ"})
# A row's number: "1", "1.2", "II", "a", "+" (a part of the row above).
_ORDINAL = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.?|[a-zđ]\)?|[-+*•])", re.I)
_NUMBERED_LABEL = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,5}|[a-zđ])[.)]\s+\S", re.I)


@dataclass(frozen=True, slots=True)
class Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: its name, whether it opens a group of rows, its unit and its values."""

    label: Cell
    # A numbered row ("1", "II") or a section without values heads the rows after it.
    heads_group: bool
    unit: str
    values: tuple[Cell | None, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table's value columns' headings (folded) and its rows, aligned with them."""

    headings: tuple[str, ...]
    rows: tuple[Row, ...]
    start: int
    end: int
    # Flattened and pipe tables: the whole span is kept from the prose grammar.
    whole: bool


def is_value(text: str) -> bool:
    bare = MARKER.sub("", _TAG.sub("", text)).strip()
    return bool(VALUE.fullmatch(bare)) or bare.lower() in _MISSING


def known_unit(text: str) -> bool:
    """Whether a short line is a unit ("Tỷ đồng", "%", "Nghìn lượt người")."""
    lowered = " " + " ".join(text.lower().split())
    reading = read_unit(lowered, fold_keeping_offsets(lowered), 0)
    if reading is None or reading.end < len(lowered.rstrip()):
        return False
    # Any noun reads as a counted noun ("HDI", "Lúa"): only the units tables write count.
    return reading.scale != 1 or "/" in reading.unit or reading.unit in _UNITS


def _is_number(text: str) -> bool:
    return bool(VALUE.fullmatch(MARKER.sub("", _TAG.sub("", text))))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def _split(offset: int, line: str, separator: str) -> list[Cell]:
    cells, start = [], 0
    for part in line.split(separator):
        cells.append(Cell(offset + start, offset + start + len(part), part))
        start += len(part) + 1
    return cells


def _pipe_cells(offset: int, line: str) -> list[Cell] | None:
    """The cells of "| a | b | c |" or "a | b | c"; None for a line that is no such row."""
    if line.count("|") < 2:
        return None
    cells = _split(offset, line, "|")
    if cells and not cells[0].text.strip():
        cells = cells[1:]
    if cells and not cells[-1].text.strip():
        cells = cells[:-1]
    return cells if len(cells) >= 3 else None


def _grids(text: str) -> Iterator[tuple[list[list[Cell]], bool]]:
    """Runs of tab-separated or pipe-separated lines (a blank line or two may sit inside)."""
    block: list[list[Cell]] = []
    piped = False
    blanks = 0
    for offset, line in _lines(text):
        if line.count("\t") >= 2:
            row: list[Cell] | None = _split(offset, line, "\t")
            kind = False
        else:
            row, kind = _pipe_cells(offset, line), True
            if row is not None and all(re.fullmatch(r"\s*:?-{2,}:?\s*", c.text) for c in row):
                continue  # a Markdown rule under the header
        if row is not None and (not block or kind == piped):
            block.append(row)
            piped, blanks = kind, 0
        elif not line.strip() and block and blanks < 2:
            blanks += 1
        else:
            if len(block) >= 2:
                yield block, piped
            block, blanks = ([row], 0) if row is not None else ([], 0)
            piped = kind
    if len(block) >= 2:
        yield block, piped


def _is_data(row: list[Cell], first_value: int) -> bool:
    """A row of figures, not of headings: a number that is no bare year ("2023")."""
    return any(
        _is_number(cell.text) and not _YEAR.fullmatch(cell.text.strip())
        for cell in row[first_value:]
    )


def _header_texts(header: list[list[Cell]], width: int) -> list[str]:
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


def _mostly_numbers(rows: list[list[Cell]], column: int) -> bool:
    """A column of figures: at least half its cells are numbers or dashes."""
    cells = [row[column] for row in rows if column < len(row) and row[column].text.strip()]
    return bool(cells) and sum(is_value(cell.text) for cell in cells) * 2 >= len(cells)


def _numbering_column(headings: list[str], rows: list[list[Cell]]) -> bool:
    """Whether the first column numbers the rows ("STT", or cells "1", "II", "a", "+")."""
    if re.fullmatch(r"(?:s?tt|so tt|so thu tu)\.?", headings[0] if headings else ""):
        return True
    cells = [row[0].text.strip() for row in rows if row and row[0].text.strip()]
    return bool(cells) and all(_ORDINAL.fullmatch(cell) for cell in cells)


def _grid_table(block: list[list[Cell]], piped: bool) -> Table | None:
    width = max(len(row) for row in block)
    first_data = next((i for i, row in enumerate(block) if _is_data(row, 1)), None)
    if not first_data:
        return None
    headings = [" ".join(fold(h).split()) for h in _header_texts(block[:first_data], width)]
    rows = block[first_data:]
    label_column = 1 if _numbering_column(headings, rows) else 0
    unit_column = next(
        (i for i, h in enumerate(headings) if i > label_column and re.search(r"don vi|dvt", h)),
        None,
    )
    first_value = max(label_column, unit_column or 0) + 1
    columns = [i for i in range(first_value, width) if _mostly_numbers(rows, i)]
    if not columns:
        return None
    read: list[Row] = []
    for row in rows:
        if label_column >= len(row):
            continue
        label = row[label_column]
        numbered = bool(label_column and row[0].text.strip() and label.text.strip())
        if not label_column:
            numbered = bool(_NUMBERED_LABEL.match(label.text.strip()))
        unit = row[unit_column].text if unit_column is not None and unit_column < len(row) else ""
        values = tuple(row[i] if i < len(row) else None for i in columns)
        read.append(Row(label, numbered, unit, values))
    return Table(
        tuple(headings[i] for i in columns),
        tuple(read),
        block[0][0].start,
        block[-1][-1].end,
        piped,
    )


# --- one cell a line ----------------------------------------------------------------

# The header cells that name no value column: the row names, the units, the numbering.
_ANCHOR = re.compile(
    r"(?:s?tt|so tt|(?:cac |ten )?chi tieu(?: chu yeu)?|noi dung|danh muc|"
    r"don vi tinh|don vi|dvt)\.?:?"
)
_UNIT_ANCHOR = re.compile(r"don vi|dvt")
# What a value column's heading says: a period, a status or a comparison.
_HEADING_WORD = re.compile(
    r"(?<![a-z])(?:thang|quy|nam|thuc hien|th|uoc|uth|ke hoach|kh|du kien|muc tieu|"
    r"cong don|luy ke|so voi|so sanh|cung ky|tang|giam|6 thang|9 thang)(?![a-z])|%|\d{4}"
)
_PROSE_LINE = 140


def _heading_line(folded: str) -> bool:
    return (
        0 < len(folded) <= 90
        and not is_value(folded)
        and not folded.endswith(".")
        and bool(_HEADING_WORD.search(folded))
    )


_ANCHOR_LINE = re.compile(
    r"(?m)^[ \t]*(?:s?tt|so tt|(?:cac |ten )?chi tieu(?: chu yeu)?|noi dung|danh muc|"
    r"don vi tinh|don vi|dvt)\.?:?[ \t]*$"
)
# How far below its first header line a table's header may end.
_HEADER_LINES = 40
# A table's rows, one cell a line: a few thousand lines at most.
_MOST_LINES = 5000


def _flat_tables(text: str, folded_text: str) -> Iterator[Table]:
    after = 0
    for anchor in _ANCHOR_LINE.finditer(folded_text):
        if anchor.start() < after:
            continue
        start = folded_text.rfind("\n", 0, anchor.start()) + 1
        lines = _lines_from(text, start)
        folded = [" ".join(folded_text[o : o + len(line)].split()) for o, line in lines]
        if _double_spaced(folded):
            # A page that puts a blank line after every line: its cells are the non-blank lines.
            kept = [i for i, words in enumerate(folded) if words]
            lines, folded = [lines[i] for i in kept], [folded[i] for i in kept]
        table = _flat_table(lines, folded)
        if table is not None:
            after = table.end
            yield table


def _lines_from(text: str, start: int) -> list[tuple[int, str]]:
    """The lines from ``start`` on, up to where any table of one cell a line has ended."""
    lines: list[tuple[int, str]] = []
    offset = start
    while offset <= len(text):
        stop = text.find("\n", offset)
        stop = len(text) if stop < 0 else stop
        line = text[offset:stop]
        lines.append((offset, line))
        if len(lines) > _MOST_LINES or (
            len(line.strip()) > _PROSE_LINE and len(lines) > _HEADER_LINES
        ):
            break
        offset = stop + 1
    return lines


def _double_spaced(folded: list[str]) -> bool:
    head = folded[: 2 * 8]
    return len(head) >= 8 and all(not words for words in head[1::2]) and all(head[0::2])


def _flat_table(lines: list[tuple[int, str]], folded: list[str]) -> Table | None:
    """The table whose header starts at the first line."""
    anchors: list[str] = []
    headings: list[str] = []
    cursor = 0
    while cursor < min(len(lines), _HEADER_LINES):
        words = folded[cursor]
        if not words:
            cursor += 1
        elif _ANCHOR.fullmatch(words) and not headings:
            anchors.append(words)
            cursor += 1
        elif _heading_line(words):
            headings.append(words)
            cursor += 1
        else:
            break
    headings = _under_groups(_rejoined(headings))
    if len(headings) < 2 or not any(_UNIT_ANCHOR.search(a) or "chi tieu" in a for a in anchors):
        return None
    rows, end = _flat_rows(
        lines,
        folded,
        cursor,
        len(headings),
        any(_UNIT_ANCHOR.search(a) for a in anchors),
        any(re.fullmatch(r"s?tt\.?|so tt", a) for a in anchors),
    )
    if not any(any(v is not None and _is_number(v.text) for v in row.values) for row in rows):
        return None
    return Table(tuple(headings), tuple(rows), lines[0][0], end, True)


# A heading that opens with its comparison names no period of its own.
_STATUS_ONLY = re.compile(
    r"(?:thuc hien|th|uoc tinh|uoc thuc hien|uoc th|uoc|uth|ke hoach|kh|du kien|muc tieu)"
)
_STATUS_WORD = re.compile(
    r"(?<![a-z])(?:thuc hien|th|uoc|uth|ke hoach|kh|du kien|muc tieu|cung ky)(?![a-z])"
)


def _rejoined(headings: list[str]) -> list[str]:
    """A heading broken over two lines: "Thực hiện" then "tháng 8/2024" are one heading.

    A status alone, followed by a period with no status and no comparison, is
    one heading; over two periods it stays one column's head ("Ước thực hiện"
    over "Tháng 9", "9 tháng"), the second taking its status from the table.
    """
    joined: list[str] = []
    index = 0
    while index < len(headings):
        heading = headings[index]
        after = headings[index + 1] if index + 1 < len(headings) else ""
        if (
            _STATUS_ONLY.fullmatch(heading)
            and after
            and not _STATUS_WORD.search(after)
            and not re.search(r"so voi|so sanh|%", after)
        ):
            joined.append(f"{heading} {after}")
            index += 2
        else:
            joined.append(heading)
            index += 1
    return joined


_GROUP_HEADING = re.compile(r"(?:tang[ ,/]*giam[^a-z]*|tang truong )?(?:so voi|so sanh)")


def _under_groups(headings: list[str]) -> list[str]:
    """Sub-headings under a merged heading: "So với cùng kỳ (%)" over "Tháng 9", "9 tháng".

    A heading opening with its comparison, with plain headings after it, heads them:
    flattened, the merged cell comes first and its sub-columns after it.
    """
    for position, heading in enumerate(headings[:-1]):
        rest = headings[position + 1 :]
        if _GROUP_HEADING.match(heading) and not any(
            re.search(r"so voi|so sanh|/", item) for item in rest
        ):
            return [*headings[:position], *(f"{item} {heading}" for item in rest)]
    return headings


def _flat_rows(
    lines: list[tuple[int, str]],
    folded: list[str],
    cursor: int,
    width: int,
    has_unit: bool,
    has_number: bool,
) -> tuple[list[Row], int]:
    """Rows of one cell a line: [number,] name, [unit,] then ``width`` values, in order."""
    rows: list[Row] = []
    end = lines[cursor - 1][0] + len(lines[cursor - 1][1]) if cursor else 0

    def cell(at: int) -> Cell:
        offset, line = lines[at]
        return Cell(offset, offset + len(line), line)

    def text_line(at: int) -> bool:
        return at < len(lines) and bool(folded[at]) and not is_value(lines[at][1])

    numbered = False
    while cursor < len(lines):
        line = lines[cursor][1].strip()
        if not line:
            cursor += 1
            continue
        if len(line) > _PROSE_LINE or re.match(r"(?:nguon|ghi chu)\b", folded[cursor]):
            break
        if has_number and _ORDINAL.fullmatch(line) and text_line(cursor + 1):
            numbered = True
            cursor += 1
            continue
        if is_value(line):
            break  # a value where a row's name should be: the table has ended
        label = cursor
        cursor += 1
        unit = ""
        follows = cursor < len(lines) and (is_value(lines[cursor][1]) or not folded[cursor])
        if (
            not follows
            and text_line(cursor)
            and len(folded[cursor]) <= 25
            and (has_unit or known_unit(lines[cursor][1]))
        ):
            after = cursor + 1
            if after >= len(lines) or is_value(lines[after][1]) or not folded[after]:
                unit = lines[cursor][1].strip()
                cursor += 1
                follows = True
        if not follows:
            # A section row ("1. Nông nghiệp"): a name without values heads the rows below.
            rows.append(Row(cell(label), True, "", (None,) * width))
            numbered = False
            continue
        values: list[Cell | None] = []
        while cursor < len(lines) and len(values) < width:
            if text_line(cursor) or (
                has_number
                and _ORDINAL.fullmatch(lines[cursor][1].strip())
                and text_line(cursor + 1)
            ):
                break
            values.append(cell(cursor) if lines[cursor][1].strip() else None)
            cursor += 1
        values += [None] * (width - len(values))
        heads = numbered or bool(_NUMBERED_LABEL.match(lines[label][1].strip()))
        rows.append(Row(cell(label), heads, unit, tuple(values)))
        numbered = False
        end = lines[cursor - 1][0] + len(lines[cursor - 1][1])
    return rows, end


def find_tables(text: str, folded: str) -> Iterator[Table]:
    """Every table of ``text`` in any of the layouts, in no particular order."""
    for block, piped in _grids(text):
        table = _grid_table(block, piped)
        if table is not None:
            yield table
    if "\n" in text:
        yield from _flat_tables(text, folded)
