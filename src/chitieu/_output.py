"""Printing records as a table for people, or as JSON or CSV for programs."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rich.console import Console

from chitieu._cells import csv_cell
from chitieu._layout import Column, print_records


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class Display:
    """How a listing command was asked to print: ``--wide``, ``--limit`` (see chitieu.cli)."""

    lang: str = "vi"
    wide: bool = False
    limit: int | None = None
    # Records the limit left out, over every table of the command (review prints many).
    hidden: int = 0

    def take(self, records: Sequence[dict[str, Any]]) -> Sequence[dict[str, Any]]:
        """The records still within the limit; the rest are counted as hidden."""
        if self.limit is None:
            return records
        kept = records[: self.limit]
        self.limit -= len(kept)
        self.hidden += len(records) - len(kept)
        return kept


# Set by the root command for the one it runs; a library caller gets the defaults.
DISPLAY: ContextVar[Display | None] = ContextVar("chitieu_display", default=None)


def current_display() -> Display:
    """The running command's display options (the defaults outside a command)."""
    return DISPLAY.get() or Display()


def emit(
    records: Sequence[dict[str, Any]],
    *,
    output: OutputFormat,
    columns: Sequence[tuple[str, str] | Column],
    title: str | None = None,
    console: Console | None = None,
) -> None:
    """``records`` as JSON/CSV (every field) or as a table of ``columns`` (key, header).

    In a table, the cells are the records' values already formatted for people;
    JSON and CSV carry the raw values from ``records``. A table too wide for the
    terminal becomes one block per record (see :mod:`chitieu._layout`).
    """
    display = current_display()
    kept = display.take(records)
    if records and not kept:
        return  # the limit was reached by an earlier table of the same command
    records = kept
    if output is OutputFormat.json:
        for text in json_pieces(records):
            sys.stdout.write(text)
        sys.stdout.write("\n")
        return
    if output is OutputFormat.csv:
        keys = list(records[0]) if records else [_column(c).key for c in columns]
        writer = csv.DictWriter(
            sys.stdout, fieldnames=keys, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
        return
    print_records(
        console or Console(),
        [{key: _cell(value) for key, value in record.items()} for record in records],
        [_column(c) for c in columns],
        title=title,
        wide=display.wide,
    )


def _column(spec: tuple[str, str] | Column) -> Column:
    return spec if isinstance(spec, Column) else Column(*spec)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return csv_cell(json.dumps(value, ensure_ascii=False))
    return csv_cell(value)


_RECORDS_A_PIECE = 1000


def json_pieces(records: Sequence[dict[str, Any]]) -> Iterator[str]:
    """``json.dumps(records, ensure_ascii=False, indent=2, default=str)``, a thousand records
    a piece.

    ``json.dump`` hands the file a piece per value and punctuation mark: with
    standard output unbuffered (PYTHONUNBUFFERED) each is a system call, which for
    the national assessment's 85,000 records were 8 of its seconds.
    """
    if not records:
        yield "[]"
        return
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)
    yield "[\n"
    for start in range(0, len(records), _RECORDS_A_PIECE):
        # A list's text is "[\n" + its items, each on its own lines, + "\n]".
        items = encoder.encode(list(records[start : start + _RECORDS_A_PIECE]))[2:-2]
        yield items if start == 0 else ",\n" + items
    yield "\n]"
