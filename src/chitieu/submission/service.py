"""Agency submissions: figures in a CSV or Excel template, checked row by row.

The template (``docs/import-template.md``) has the columns ``indicator``,
``region``, ``period``, ``value``, ``unit``, ``status`` and ``note``, or their
Vietnamese headings. Every bad row is reported with its line number and
reason; nothing is written unless every row is good (or ``partial`` is asked).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.orm import Session

from chitieu._archive import check_inflation, zip_members
from chitieu._csvfile import CsvFormat, csv_format, decimal_comma_fix, read_records, split_number
from chitieu._errors import (
    ChitieuError,
    InputError,
    RowProblem,
    RowsRejectedError,
)
from chitieu._format import number
from chitieu._periods import Period, read_period
from chitieu._text import fold
from chitieu.agency.models import Agency
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.observation.bulk import record_observations
from chitieu.observation.models import ImportBatch, Observation
from chitieu.observation.service import NewFigure, Source
from chitieu.region.models import Region
from chitieu.region.service import get_region, list_regions
from chitieu.validation.batch import FileChecker

COLUMNS = ("indicator", "region", "period", "value", "unit", "status", "note")
HEADINGS_VI = ("Chỉ tiêu", "Địa bàn", "Kỳ", "Giá trị", "Đơn vị", "Loại số", "Ghi chú")
_ALIASES = {
    "chi tieu": "indicator",
    "ma chi tieu": "indicator",
    "dia ban": "region",
    "ky": "period",
    "ky bao cao": "period",
    "gia tri": "value",
    "so lieu": "value",
    "don vi": "unit",
    "don vi tinh": "unit",
    "loai so": "status",
    "trang thai": "status",
    "ghi chu": "note",
}
_STATUS_WORDS = {
    "actual": "actual",
    "thuc hien": "actual",
    "estimate": "estimate",
    "uoc": "estimate",
    "uoc tinh": "estimate",
    "uoc thuc hien": "estimate",
    "preliminary": "preliminary",
    "so bo": "preliminary",
}
_SCALE = {
    "nghin": 1e3,
    "ngan": 1e3,
    "trieu": 1e6,
    "ty": 1e9,
    "ti": 1e9,
    "nghin ty": 1e12,
    "ngan ty": 1e12,
}
_BASE_UNIT = {"dong": "VND", "vnd": "VND", "usd": "USD", "do la my": "USD"}
# An import file is rows of figures: a few MB of XML; past this it is a zip bomb.
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
NOTE_MAX = 1000  # the observation's note column
T = TypeVar("T")


@dataclass
class ImportReport:
    file: Path
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    # Rows with no value: a pre-filled template's rows the agency has no figure for yet.
    blank: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # How a CSV file was read (encoding, separator); None for a workbook.
    read_as: CsvFormat | None = None


def read_number(text: str) -> float:
    """A number as Vietnamese or English forms write it: 1.234,5 / 1234.5 / 12,5.

    A single dot followed by exactly three digits is a thousands separator
    ("1.500" is 1500), as in Vietnamese writing.
    """
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"[+-−]?[\d.,]*\d", cleaned) or not cleaned:
        raise ValueError(f"không đọc được số '{text}'")
    cleaned = cleaned.replace("−", "-")
    dots, commas = cleaned.count("."), cleaned.count(",")
    if dots and commas:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        cleaned = cleaned.replace(grouping, "").replace(decimal, ".")
    elif commas == 1:
        cleaned = cleaned.replace(",", ".")
    elif commas > 1:
        cleaned = cleaned.replace(",", "")
    elif dots > 1 or (dots == 1 and re.search(r"[1-9]\d*\.\d{3}$", cleaned.lstrip("+-"))):
        cleaned = cleaned.replace(".", "")
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise ValueError(f"không đọc được số '{text}'") from exc
    if not math.isfinite(value):  # hundreds of digits: no figure, and float() says infinity
        raise ValueError(f"không đọc được số '{text[:40]}…': quá lớn")
    return value


def unit_factor(unit: str, indicator: Indicator) -> float:
    """How much one ``unit`` is in the indicator's unit ("tỷ đồng" → 1e9 VND)."""
    if not unit or unit == indicator.unit:
        return 1.0
    folded = fold(unit)
    base_text, _, per = folded.partition("/")
    target_base, _, target_per = fold(indicator.unit).partition("/")
    factor, rest = 1.0, base_text
    for scale_word in sorted(_SCALE, key=len, reverse=True):
        if base_text.startswith(scale_word + " "):
            factor, rest = _SCALE[scale_word], base_text[len(scale_word) + 1 :]
            break
    base = _BASE_UNIT.get(rest, rest)
    if fold(base) == target_base and per == target_per:
        return factor
    raise ValueError(
        f"đơn vị '{unit}' không khớp đơn vị của chỉ tiêu {indicator.code} ({indicator.unit})"
    )


def _status(text: str) -> str:
    found = _STATUS_WORDS.get(fold(text)) if text else "actual"
    if found is None:
        raise ValueError(f"loại số '{text}' không hợp lệ (thực hiện, ước tính, sơ bộ)")
    return found


@lru_cache(maxsize=256)  # once per column, not once per cell
def _normalise_header(name: str) -> str:
    folded = fold(name)
    return _ALIASES.get(folded, folded)


class SubmissionRow(NamedTuple):
    """A row of a submitted file: its line, its cells by column, and why it cannot be read."""

    line: int
    cells: dict[str, str]
    problem: str | None = None


def read_submission(path: Path) -> Iterator[SubmissionRow]:
    """The file's rows, from CSV or XLSX; a CSV row of the wrong width has a ``problem``."""
    if not path.is_file():
        raise InputError(f"{path}: không có tệp này")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    else:
        raise InputError(f"{path}: chỉ nhận tệp .csv hoặc .xlsx")


def _csv_rows(path: Path) -> Iterator[SubmissionRow]:
    for row in read_records(path, required=()):
        cells = {_normalise_header(k): v for k, v in row.cells.items()}
        problem = row.problem
        if problem is None and row.separator == ",":
            problem = _split_value(cells)
        yield SubmissionRow(row.line, cells, problem)


def _split_value(cells: dict[str, str]) -> str | None:
    """An integer value then digits alone in the next column: 13,5 cut in two by the comma.

    A row with a column after the value fits its header even so (the note
    taking the 5); the unit or loại số column would only be refused as unknown.
    """
    columns = list(cells)
    if "value" not in columns or columns[-1] == "value":
        return None
    following = columns[columns.index("value") + 1]
    number = split_number(cells["value"], cells[following])
    if number is None:
        return None
    return (
        f"giá trị {cells['value']} rồi cột {following} chỉ có {cells[following]}: "
        f"{decimal_comma_fix(number)}"
    )


def _xlsx_rows(path: Path) -> Iterator[SubmissionRow]:
    from openpyxl import load_workbook

    check_inflation(
        str(path),
        zip_members(str(path), path, "tệp Excel"),
        "tệp Excel",
        max_uncompressed=XLSX_MAX_UNCOMPRESSED,
    )
    # openpyxl, zipfile, zlib and lxml raise many exception types on a damaged file,
    # when it is opened or as its rows are read (BadZipFile, zlib.error, XMLSyntaxError,
    # IndexError, ValueError…); each means only that it cannot be read as a workbook.
    try:
        # data_only: a formula's value as Excel last saved it; nothing is evaluated.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"{path}: không đọc được tệp Excel ({type(exc).__name__})") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_normalise_header(str(c or "")) for c in next(rows, ())]
        for number, values in enumerate(rows, start=2):
            cells = {name: _cell_text(v) for name, v in zip(header, values, strict=False) if name}
            if any(cells.values()):
                yield SubmissionRow(number, cells)
    except Exception as exc:
        raise InputError(f"{path}: không đọc được tệp Excel ({type(exc).__name__})") from exc
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # Excel numbers are already numbers: written with a decimal comma and no
        # exponent, the one form read_number reads one way ("1.234" would be 1234).
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, int):
        return repr(value)
    return str(value).strip()


@dataclass(frozen=True)
class _Row:
    line: int
    indicator: Indicator
    region: Region
    period: Period
    value: float
    status: str
    note: str | None


class FileCatalogue:
    """The file's indicators, regions and periods, each looked up once however many rows name it."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._indicators: dict[str, Indicator | str] = {}
        self._regions: dict[tuple[str, date], Region | str] = {}
        self._region_codes: dict[str, Region] | None = None
        self._periods: dict[str, Period | str] = {}

    def indicator(self, text: str) -> Indicator:
        found = self._indicators.get(text)
        if found is None:
            found = self._indicators[text] = _found(
                lambda: get_indicator(self._session, code_or_name=text)
            )
        return _or_raise(found)

    def region(self, text: str, on: date) -> Region:
        if self._region_codes is None:
            # A code names one region whatever the date; names need the date.
            self._region_codes = {r.code: r for r in list_regions(self._session)}
        by_code = self._region_codes.get(text)
        if by_code is not None:
            return by_code
        found = self._regions.get((text, on))
        if found is None:
            found = self._regions[text, on] = _found(
                lambda: get_region(self._session, code_or_name=text, on=on)
            )
        return _or_raise(found)

    def period(self, text: str) -> Period:
        found = self._periods.get(text)
        if found is None:
            found = self._periods[text] = _found(lambda: read_period(text))
        return _or_raise(found)


def _found(look_up: Callable[[], T]) -> T | str:
    # What was found, or why not: a file naming one unknown code on 10,000 rows looks once.
    try:
        return look_up()
    except (ChitieuError, ValueError) as exc:
        return str(exc)


def _or_raise(found: T | str) -> T:
    if isinstance(found, str):
        raise ValueError(found)
    return found


class CellError(ValueError):
    """A row refused because of one of its cells, named by its column."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column


def _in_column(column: str, read: Callable[[], T]) -> T:
    try:
        return read()
    except (ChitieuError, ValueError) as exc:
        raise CellError(column, str(exc)) from exc


def _check_row(catalogue: FileCatalogue, line: int, cells: dict[str, str]) -> _Row:
    missing = [c for c in ("indicator", "region", "period", "value") if not cells.get(c)]
    if len(missing) == 1:
        raise CellError(missing[0], f"thiếu {missing[0]}")
    if missing:
        raise ValueError(f"thiếu {', '.join(missing)}")
    indicator = _in_column("indicator", lambda: catalogue.indicator(cells["indicator"]))
    if indicator.is_derived:
        raise CellError(
            "indicator", f"chỉ tiêu {indicator.code} được tính theo công thức, không nhập"
        )
    period = _in_column("period", lambda: catalogue.period(cells["period"]))
    region = _in_column("region", lambda: catalogue.region(cells["region"], period.end))
    if not (region.valid_on(period.start) or region.valid_on(period.end)):
        raise CellError("region", f"địa bàn {region.name} không tồn tại trong {period.label()}")
    read = _in_column("value", lambda: read_number(cells["value"]))
    value = read * _in_column("unit", lambda: unit_factor(cells.get("unit", ""), indicator))
    if not math.isfinite(value):  # a long number times "nghìn tỷ" overflows
        raise CellError("value", "giá trị phải là một số hữu hạn")
    note = cells.get("note") or None
    if note is not None and len(note) > NOTE_MAX:
        raise CellError(
            "note",
            f"ghi chú dài {number(len(note), 'vi')} ký tự, quá {number(NOTE_MAX, 'vi')} ký tự",
        )
    status = _in_column("status", lambda: _status(cells.get("status", "")))
    return _Row(line, indicator, region, period, value, status, note)


def import_submission(
    session: Session,
    *,
    path: Path,
    recorded_by: str,
    agency: Agency | None = None,
    partial: bool = False,
) -> ImportReport:
    """Check every row of ``path`` and record the figures, all or none.

    Every bad row is named in one ``RowsRejectedError``: rows that cannot be read
    and rows the validation rules block, the latter found by writing the good
    rows, so the caller's transaction (or savepoint) must roll back on it.
    """
    report = ImportReport(file=path)
    if path.suffix.lower() == ".csv" and path.is_file():
        report.read_as = csv_format(path)
    good: list[_Row] = []
    seen: dict[tuple[str, int, str, str], int] = {}
    blank_lines: list[int] = []
    catalogue = FileCatalogue(session)
    for line, cells, problem in read_submission(path):
        if problem is None and "value" in cells and not cells["value"].strip():
            # A template row sent back unfilled: the agency has no figure for it yet.
            report.blank += 1
            blank_lines.append(line)
            continue
        report.rows += 1
        try:
            if problem is not None:
                raise ValueError(problem)
            row = _check_row(catalogue, line, cells)
        except (ChitieuError, ValueError) as exc:
            column = exc.column if isinstance(exc, CellError) else None
            report.problems.append(RowProblem(line, str(exc), column))
            continue
        key = (row.indicator.code, row.region.id, row.period.code, row.status)
        if key in seen:
            report.problems.append(RowProblem(line, f"trùng với dòng {seen[key]}"))
            continue
        seen[key] = line
        good.append(row)
    if report.rows == 0 and blank_lines:
        # Not one value in the whole file: a mistake (an empty template, a formula never
        # computed), not a choice to send nothing; every row is named.
        raise RowsRejectedError(
            str(path), [RowProblem(line, "chưa điền giá trị (value)") for line in blank_lines]
        )
    if report.rows == 0:
        raise InputError(f"{path}: không có dòng số liệu nào")
    if report.problems and not good and not partial:
        raise RowsRejectedError(str(path), report.problems)
    batch = ImportBatch(
        file_name=path.name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        agency=agency,
        imported_by=recorded_by,
        rows=len(good),
    )
    session.add(batch)
    checker = FileChecker(
        session,
        indicator_codes={row.indicator.code for row in good},
        region_ids={row.region.id for row in good},
    )
    recorded = record_observations(
        session,
        figures=[
            NewFigure(row.indicator, row.region, row.period, row.value, row.status, row.note)
            for row in good
        ],
        source=Source("import", import_batch=batch, agency=agency),
        recorded_by=recorded_by,
    )
    blocked: list[RowProblem] = []
    refused: list[Observation] = []
    # In the file's order, each row checked against the rows before it, as if written alone.
    for row, (observation, written) in zip(good, recorded, strict=True):
        violations = checker.check(observation) if written else []
        if violations:
            blocked.append(
                RowProblem(row.line, "; ".join(v.message_vi for v in violations), "value")
            )
            refused.append(observation)
            continue
        report.written += int(written)
        report.unchanged += int(not written)
    if (blocked or report.problems) and not partial:
        # Every problem of the file at once, those found reading it and those the rules
        # find in the rows that read well: the sender fixes them all in one go. The
        # caller's transaction rolls back every row written.
        raise RowsRejectedError(
            str(path), sorted([*report.problems, *blocked], key=lambda problem: problem.line)
        )
    for observation in refused:
        session.delete(observation)
    report.problems.extend(blocked)
    batch.rows = len(good) - len(blocked)
    session.flush()
    if report.written == 0:
        # A rerun of a file already imported leaves no trace, not even an empty batch.
        session.delete(batch)
        session.flush()
    return report
