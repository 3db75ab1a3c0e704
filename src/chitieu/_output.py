"""Printing records as a table for people, or as JSON or CSV for programs."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table

from chitieu._cells import csv_cell


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def emit(
    records: Sequence[dict[str, Any]],
    *,
    output: OutputFormat,
    columns: Sequence[tuple[str, str]],
    title: str | None = None,
    console: Console | None = None,
) -> None:
    """``records`` as JSON/CSV (every field) or as a table of ``columns`` (key, header).

    In a table, the cells are the records' values already formatted for people;
    JSON and CSV carry the raw values from ``records``.
    """
    if output is OutputFormat.json:
        json.dump(list(records), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    if output is OutputFormat.csv:
        keys = list(records[0]) if records else [key for key, _ in columns]
        writer = csv.DictWriter(
            sys.stdout, fieldnames=keys, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for _, header in columns:
        table.add_column(header, overflow="fold")
    for record in records:
        table.add_row(*(_cell(record.get(key)) for key, _ in columns))
    (console or Console()).print(table)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return csv_cell(json.dumps(value, ensure_ascii=False))
    return csv_cell(value)
