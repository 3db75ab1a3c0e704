"""Records laid out for a terminal: a table when it fits, else one block per record.

Two promises hold at any width: no word is cut across lines (a number such as
1.670.000 or 13,29 is a word), and no line is wider than the terminal, unless
``--wide`` asks for every column side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

# "head" names the record (the first line of its block); "note" is long text that goes
# below the record rather than in a column of its own, unless --wide; "text" is the rest.
Kind = Literal["text", "head", "note"]

# A table whose rows would average more lines than this reads worse than blocks.
_TALL_ROWS = 3.0
_INDENT = 2
_WIDE_NOTE = 60
_SEPARATOR = " · "


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "text"


def print_records(
    console: Console,
    records: Sequence[dict[str, str]],
    columns: Sequence[Column],
    *,
    title: str | None,
    wide: bool,
) -> None:
    """``records`` (cells already text, Rich markup allowed) as a table or as blocks."""
    if not records:
        return  # the command says in words that there is nothing, not with an empty frame
    if wide:
        # Every column, a long note wrapped at a readable measure rather than one endless line.
        widths = [
            max(_longest_word(records, c), min(_longest_line(records, c), _WIDE_NOTE))
            for c in columns
        ]
        table = _table(records, columns, widths, title)
        needed = sum(widths) + _overhead(len(columns))
        # A console of the table's width: Rich caps print(width=) at the terminal's.
        Console(
            file=console.file,
            width=max(console.width, needed),
            force_terminal=console.is_terminal,
            color_system=console.color_system,  # type: ignore[arg-type]
        ).print(table)
        return
    shown = [c for c in columns if c.kind != "note"]
    has_notes = any(records_with(records, c) for c in columns if c.kind == "note")
    fitted = None if has_notes else table_widths(records, shown, console.width)
    if fitted is None:
        print_blocks(console, records, columns, title=title)
    else:
        console.print(_table(records, shown, fitted, title))


def records_with(records: Sequence[dict[str, str]], column: Column) -> bool:
    return any(_plain(r.get(column.key, "")) for r in records)


def table_widths(
    records: Sequence[dict[str, str]], columns: Sequence[Column], width: int
) -> list[int] | None:
    """Each column's width so that no word is cut, or None when the table cannot fit."""
    if not columns:
        return None
    least = [_longest_word(records, c) for c in columns]
    most = [max(low, _longest_line(records, c)) for low, c in zip(least, columns, strict=True)]
    spare = width - _overhead(len(columns)) - sum(least)
    if spare < 0:
        return None
    # The room left is shared out: a column wanting less than its share gets all it wants
    # (a region's name stays on one line), the long ones split what remains.
    wants = [high - low for low, high in zip(least, most, strict=True)]
    widths = list(least)
    waiting = sorted(range(len(columns)), key=lambda index: wants[index])
    for place, index in enumerate(waiting):
        given = min(wants[index], spare // (len(waiting) - place))
        widths[index] += given
        spare -= given
    if _average_height(records, columns, widths) > _TALL_ROWS:
        return None
    return widths


def print_blocks(
    console: Console,
    records: Sequence[dict[str, str]],
    columns: Sequence[Column],
    *,
    title: str | None,
) -> None:
    """One block per record: its name in bold, then 'Header: value' fields, then notes."""
    heads = [c for c in columns if c.kind == "head"] or list(columns[:1])
    notes = [c for c in columns if c.kind == "note"]
    fields = [c for c in columns if c not in heads and c not in notes]
    if title:
        console.print(Text.from_markup(title, style="bold"))
    room = max(console.width - _INDENT, 20)
    for record in records:
        console.print()
        head = _SEPARATOR.join(v for c in heads if (v := record.get(c.key, "")))
        console.print(Text.from_markup(head, style="bold"))
        parts = [_field(c, record.get(c.key, "")) for c in fields]
        lines = _pack([p for p in parts if p.plain], room)
        for column in notes:
            note = _field(column, record.get(column.key, ""))
            if note.plain:
                note.stylize("dim")
                lines.append(note)
        for line in lines:
            _print_indented(console, line, room)


def _print_indented(console: Console, text: Text, room: int) -> None:
    """``text`` wrapped between words at ``room``, each line indented (and not padded out)."""
    for line in text.wrap(console, room, overflow="fold"):
        line.rstrip()
        console.print(Text(" " * _INDENT) + line, soft_wrap=True)


def _field(column: Column, value: str) -> Text:
    shown = Text.from_markup(value)
    if not shown.plain or not column.header:
        return shown
    return Text.assemble((f"{column.header}: ", "italic"), shown)


def _pack(parts: list[Text], room: int) -> list[Text]:
    """Fields side by side while they fit a line: a field is never split between two."""
    lines: list[Text] = []
    for part in parts:
        if lines and cell_len(lines[-1].plain) + len(_SEPARATOR) + cell_len(part.plain) <= room:
            lines[-1].append(_SEPARATOR)
            lines[-1].append_text(part)
        else:
            lines.append(part.copy())
    return lines


def _table(
    records: Sequence[dict[str, str]],
    columns: Sequence[Column],
    widths: list[int],
    title: str | None,
) -> Table:
    table = Table(title=title, header_style="bold", box=box.HEAVY_HEAD)
    for column, width in zip(columns, widths, strict=True):
        table.add_column(column.header, width=width, overflow="fold")
    for record in records:
        table.add_row(*(record.get(c.key, "") for c in columns))
    return table


def _overhead(count: int) -> int:
    """Borders and padding of a table of ``count`` columns: '│ ' + ' ' per cell, one '│' more."""
    return 3 * count + 1


def _plain(cell: str) -> str:
    return Text.from_markup(cell).plain if "[" in cell else cell


def _cells(records: Sequence[dict[str, str]], column: Column) -> list[str]:
    return [column.header, *(_plain(r.get(column.key, "")) for r in records)]


def _longest_word(records: Sequence[dict[str, str]], column: Column) -> int:
    return max((cell_len(w) for cell in _cells(records, column) for w in cell.split()), default=1)


def _longest_line(records: Sequence[dict[str, str]], column: Column) -> int:
    cells = _cells(records, column)
    return max((cell_len(line) for cell in cells for line in cell.splitlines()), default=1)


def _average_height(
    records: Sequence[dict[str, str]], columns: Sequence[Column], widths: list[int]
) -> float:
    if not records:
        return 1.0
    heights = [
        max(_height(_plain(r.get(c.key, "")), w) for c, w in zip(columns, widths, strict=True))
        for r in records
    ]
    return sum(heights) / len(heights)


def _height(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped between words at ``width`` (what Rich does)."""
    lines = 0
    for paragraph in text.splitlines() or [""]:
        lines += 1
        used = 0
        for word in paragraph.split():
            size = cell_len(word)
            if used and used + 1 + size > width:
                lines += 1
                used = size
            else:
                used += size + (1 if used else 0)
    return lines
