"""Fuzzing with hypothesis: the grammars on arbitrary text, the readers on damaged files.

Properties, not examples: a number written the Vietnamese way parses back to
itself; no text makes a grammar raise anything but its documented error; what
a grammar finds lies inside the text it was given; and a damaged DOCX, PDF,
XLSX or HTML file is either read or refused with one ``InputError`` line —
never another exception, never a hang (each example has a deadline of
seconds, for files of a few kilobytes: far more than a read takes, far less
than a hang). Every file is built here by code. The ``heavy`` variants run the
same properties on many more examples (``pytest -m heavy``).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import re
import struct
import zipfile
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError, RowsRejectedError
from chitieu._format import number as vietnamese
from chitieu._periods import PeriodKind, parse_period, read_period
from chitieu._text import fold
from chitieu.extraction._numbers import NUMBER, parse_number
from chitieu.extraction._periods_text import find_periods
from chitieu.extraction.grammar import extract_figures
from chitieu.extraction.readers import read_document
from chitieu.extraction.records import DocumentContext
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.submission.service import (
    _cell_text,
    _status,
    import_submission,
    read_number,
    read_submission,
    unit_factor,
)
from tests.conftest import corpus_text
from tests.test_readers import _pdf
from tests.test_security import _xlsx

EXAMPLES = 60
HEAVY_EXAMPLES = 2000
DEADLINE = timedelta(seconds=5)
CONTEXT = DocumentContext(name="fuzz.txt", region="Bắc Giang", year=2023)


def fuzz(*strategies: Any, examples: int = EXAMPLES, **named: Any) -> Callable[..., Any]:
    """The property as two tests: ``examples`` examples, and a heavy one with many more.

    Use as ``test_x, test_x_heavy = fuzz(strategy)(check)``.
    """

    def both(check: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
        common = {"deadline": DEADLINE, "suppress_health_check": [HealthCheck.too_slow]}
        quick = settings(max_examples=examples, **common)(given(*strategies, **named)(check))
        heavy = pytest.mark.heavy(
            settings(max_examples=HEAVY_EXAMPLES, **common)(given(*strategies, **named)(check))
        )
        return quick, heavy

    return both


# --- the number grammar ----------------------------------------------------------------------

# Words and pieces reports are made of, so that arbitrary text often looks like a figure.
PIECES = (
    "tăng", "giảm", "đạt", "ước đạt", "khoảng", "trên", "dưới", "gấp", "lần", "%", "tỷ đồng",
    "nghìn tỷ", "triệu USD", "người", "ha", "so với", "cùng kỳ", "năm 2023", "năm 2024",
    "6 tháng đầu năm", "9 tháng", "quý I/2024", "quý IV", "tháng 5/2023", "đến 31/2/2023",
    "tính đến 30/6/2024", "giai đoạn 2021-2025", "2021 - 2025", "kế hoạch", "dự toán", "mục tiêu",
    "Tăng trưởng kinh tế (GRDP)", "Kim ngạch xuất khẩu", "thu ngân sách", "đứng thứ", "/63",
    "1.234,5", "12-13", "1,568", "0,77", "500.000", "10,94", "-5,7", "+0,1", "hai", "mười lăm",
    "9" * 400, "9" * 300, "1e5", ".", ",", ";", ":", "(", ")", "\n", "\t", "–", "-",
)  # fmt: skip
report_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40).map(
    " ".join
)


def check_parse_number_takes_any_token(token: str) -> None:
    value = parse_number(token)
    assert value is None or (math.isfinite(value) and value >= 0)


test_parse_number_takes_any_token, test_parse_number_takes_any_token_heavy = fuzz(
    st.one_of(st.text(alphabet="0123456789.,", max_size=30), st.text(max_size=30))
)(example("²")(example("9" * 400)(check_parse_number_takes_any_token)))


def check_numbers_in_text_are_finite(text: str) -> None:
    for match in NUMBER.finditer(text):
        value = parse_number(match.group())
        assert value is None or math.isfinite(value), match.group()


test_numbers_in_text_are_finite, test_numbers_in_text_are_finite_heavy = fuzz(report_text)(
    check_numbers_in_text_are_finite
)


decimals = st.decimals(min_value=0, max_value=10**12, places=3, allow_nan=False)


def check_a_vietnamese_number_parses_back(number: Decimal) -> None:
    written = vietnamese(float(number), "vi", digits=3)
    assert parse_number(written) == pytest.approx(float(number), rel=1e-12), written


test_a_vietnamese_number_parses_back, test_a_vietnamese_number_parses_back_heavy = fuzz(decimals)(
    check_a_vietnamese_number_parses_back
)


def check_a_percentage_is_read_as_written(number: Decimal) -> None:
    written = vietnamese(float(number), "vi", digits=2)
    (figure,) = extract_figures(f"Tăng trưởng kinh tế đạt {written}%.", CONTEXT)
    assert (figure.value, figure.unit) == (pytest.approx(float(number)), "%")
    assert figure.text.startswith(written)


test_a_percentage_is_read_as_written, test_a_percentage_is_read_as_written_heavy = fuzz(
    st.decimals(min_value=0, max_value=999, places=2, allow_nan=False)
)(check_a_percentage_is_read_as_written)


def check_a_range_stays_a_range(low: Decimal, width: Decimal) -> None:
    high = low + width
    text = f"Tăng trưởng đạt {vietnamese(float(low), 'vi', 2)}-{vietnamese(float(high), 'vi', 2)}%."
    (figure,) = extract_figures(text, CONTEXT)
    assert figure.value == pytest.approx(float(low))
    assert figure.value_max == pytest.approx(float(high))
    assert figure.unit == "%"


test_a_range_stays_a_range, test_a_range_stays_a_range_heavy = fuzz(
    st.decimals(min_value=0, max_value=99, places=1, allow_nan=False),
    st.decimals(min_value=Decimal("0.5"), max_value=20, places=1, allow_nan=False),
)(check_a_range_stays_a_range)


def check_figures_lie_in_the_text_they_came_from(text: str) -> None:
    for figure in extract_figures(text, CONTEXT):
        assert 0 <= figure.start < figure.end <= len(text)
        assert text[figure.start : figure.end] == figure.text
        assert math.isfinite(figure.value), figure
        assert figure.value_max is None or math.isfinite(figure.value_max), figure
        if figure.period is not None:
            assert parse_period(figure.period).code == figure.period, figure


(
    test_figures_lie_in_the_text_they_came_from,
    test_figures_lie_in_the_text_they_came_from_heavy,
) = fuzz(report_text)(
    example("Tính đến 31/2/2023, dân số đạt 1.000.000 người.")(
        example("Doanh thu đạt " + "9" * 300 + " nghìn tỷ đồng.")(
            check_figures_lie_in_the_text_they_came_from
        )
    )
)


# --- the period grammar ----------------------------------------------------------------------

period_codes = st.one_of(
    st.integers(1900, 2200).map(str),
    st.tuples(st.integers(1900, 2200), st.sampled_from("HQM"), st.integers(0, 13)).map(
        lambda t: f"{t[0]}-{t[1]}{t[2]:02}" if t[1] == "M" else f"{t[0]}-{t[1]}{t[2]}"
    ),
    st.tuples(st.integers(1890, 2210), st.integers(0, 13)).map(lambda t: f"{t[0]}-{t[1]}M"),
    st.tuples(st.integers(1890, 2210), st.integers(1890, 2210)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.tuples(st.integers(1890, 2210), st.integers(0, 13), st.integers(0, 32)).map(
        lambda t: f"{t[0]}-{t[1]:02}-{t[2]:02}"
    ),
    st.text(max_size=20),
)


def check_a_period_code_is_read_or_refused(code: str) -> None:
    try:
        period = parse_period(code)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert period.start <= period.end
    assert parse_period(period.code) == period
    assert period.kind in PeriodKind


test_a_period_code_is_read_or_refused, test_a_period_code_is_read_or_refused_heavy = fuzz(
    period_codes
)(check_a_period_code_is_read_or_refused)


ROMAN = ("I", "II", "III", "IV")
written_periods = st.one_of(
    st.integers(1990, 2100).map(lambda y: (f"năm {y}", str(y))),
    st.integers(1990, 2100).map(lambda y: (f"6 tháng đầu năm {y}", f"{y}-H1")),
    st.tuples(st.integers(1990, 2100), st.integers(1, 11).filter(lambda m: m != 6)).map(
        lambda t: (f"{t[1]} tháng năm {t[0]}", f"{t[0]}-{t[1]}M")
    ),
    st.tuples(st.integers(1990, 2100), st.integers(1, 4)).map(
        lambda t: (f"quý {ROMAN[t[1] - 1]}/{t[0]}", f"{t[0]}-Q{t[1]}")
    ),
    st.tuples(st.integers(1990, 2100), st.integers(1, 12)).map(
        lambda t: (f"tháng {t[1]}/{t[0]}", f"{t[0]}-M{t[1]:02}")
    ),
    st.tuples(st.integers(1990, 2090), st.integers(1, 10)).map(
        lambda t: (f"giai đoạn {t[0]}-{t[0] + t[1]}", f"{t[0]}/{t[0] + t[1]}")
    ),
    st.dates()
    .filter(lambda d: 1900 <= d.year <= 2200)
    .map(lambda d: (f"{d.day}/{d.month}/{d.year}", d.isoformat())),
)


def check_a_written_period_is_read_as_its_code(written: tuple[str, str]) -> None:
    text, code = written
    assert read_period(text).code == code
    assert read_period(text.upper()).code == code  # as a heading writes it


test_a_written_period_is_read_as_its_code, test_a_written_period_is_read_as_its_code_heavy = fuzz(
    written_periods
)(check_a_written_period_is_read_as_its_code)


def check_any_text_is_a_period_or_refused(text: str) -> None:
    try:
        period = read_period(text)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert parse_period(period.code) == period


test_any_text_is_a_period_or_refused, test_any_text_is_a_period_or_refused_heavy = fuzz(
    st.one_of(st.text(max_size=30), report_text)
)(check_any_text_is_a_period_or_refused)


def check_periods_found_in_text_are_real_periods(text: str, year: int) -> None:
    folded = fold(text)
    mentions = find_periods(folded)
    for before, after in itertools.pairwise(mentions):
        assert before.end <= after.start or after.end <= before.start
    for mention in mentions:
        assert 0 <= mention.start < mention.end <= len(folded)
        code = mention.resolve(year, f"{year}-9M")
        if code is not None:
            assert parse_period(code).code == code, (mention, folded[mention.start : mention.end])


test_periods_found_in_text_are_real_periods, test_periods_found_in_text_are_real_periods_heavy = (
    fuzz(report_text, st.integers(1990, 2100))(
        example("den 31/2/2023 dat 5%", 2023)(check_periods_found_in_text_are_real_periods)
    )
)


# --- the import grammar (cells of the Excel template) ----------------------------------------


def check_a_cell_number_is_read_or_refused(text: str) -> None:
    try:
        value = read_number(text)
    except ValueError as exc:
        assert "\n" not in str(exc) or "\n" in text
        return
    assert math.isfinite(value)


test_a_cell_number_is_read_or_refused, test_a_cell_number_is_read_or_refused_heavy = fuzz(
    st.one_of(st.text(alphabet="0123456789.,+-− \u00a0", max_size=25), st.text(max_size=25))
)(example("9" * 400)(check_a_cell_number_is_read_or_refused))


def check_an_excel_number_keeps_its_value(value: float) -> None:
    # What openpyxl gives for a number cell, as the import reads it.
    assert read_number(_cell_text(value)) == value


test_an_excel_number_keeps_its_value, test_an_excel_number_keeps_its_value_heavy = fuzz(
    st.floats(allow_nan=False, allow_infinity=False, width=64)
)(example(1.234)(example(1e-7)(example(-2.125)(check_an_excel_number_keeps_its_value))))


def check_a_typed_number_reads_back(number: Decimal) -> None:
    written = vietnamese(float(number), "vi", digits=3)
    assert read_number(written) == pytest.approx(float(number), rel=1e-12), written


test_a_typed_number_reads_back, test_a_typed_number_reads_back_heavy = fuzz(
    st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False)
)(check_a_typed_number_reads_back)


BILLION_VND = Indicator(code="STATE_BUDGET_REVENUE", unit="VND")


def check_units_and_statuses_are_read_or_refused(unit: str, status: str) -> None:
    try:
        factor = unit_factor(unit, BILLION_VND)
    except ValueError:
        pass
    else:
        assert factor > 0 and math.isfinite(factor)
    with contextlib.suppress(ValueError):
        assert _status(status) in ("actual", "estimate", "preliminary")


test_units_and_statuses_are_read_or_refused, test_units_and_statuses_are_read_or_refused_heavy = (
    fuzz(
        st.one_of(
            st.sampled_from(("tỷ đồng", "triệu USD", "nghìn tỷ đồng", "đồng/người")),
            st.text(max_size=15),
        ),
        st.one_of(st.sampled_from(("ước tính", "thực hiện", "sơ bộ", "")), st.text(max_size=15)),
    )(check_units_and_statuses_are_read_or_refused)
)


cell = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**15), 10**15),
    st.sampled_from(
        ("GRDP_GROWTH", "bac_giang", "2023", "quý I/2024", "1.234,5", "tỷ đồng", "ước tính")
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)
sheets = st.lists(st.lists(cell, min_size=0, max_size=8), min_size=0, max_size=6)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_any_sheet_imports_or_names_its_bad_rows(
    loaded_sqlite: Any, workdir: Path, rows: Any
) -> None:
    path = workdir / "so_lieu.xlsx"
    path.write_bytes(_xlsx(rows))
    with Session(loaded_sqlite) as session:
        try:
            report = import_submission(session, path=path, recorded_by="fuzz")
        except RowsRejectedError as exc:
            assert exc.problems and all(problem.line >= 2 for problem in exc.problems)
        except InputError as exc:
            assert "\n" not in str(exc)
        else:
            assert report.rows == report.written + report.unchanged
            written = session.scalars(
                select(Observation.value).where(Observation.recorded_by == "fuzz")
            ).all()
            assert len(written) == report.written
            assert all(math.isfinite(value) for value in written), written
        finally:
            session.rollback()


# Three hundred nines of "nghìn tỷ đồng" are a finite number times 10^12: infinity.
OVERFLOWING = [["RETAIL_SALES", "bac_giang", "2015", "9" * 300, "nghìn tỷ đồng", "", ""]]
test_any_sheet_imports_or_names_its_bad_rows, test_any_sheet_imports_or_names_its_bad_rows_heavy = (
    fuzz(rows=sheets, examples=25)(
        example(rows=OVERFLOWING)(check_any_sheet_imports_or_names_its_bad_rows)
    )
)


# --- the readers on damaged files -----------------------------------------------------------


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI NĂM 2023", level=1)
    document.add_paragraph("Tăng trưởng kinh tế (GRDP) ước đạt 13,45%, đứng đầu cả nước.")
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(("Xuất khẩu", "triệu USD", "1.477,8")):
        table.cell(1, column).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HTML = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Tin</title></head><body>"
    "<nav>Trang chủ</nav><article><h1>Kinh tế Bắc Giang</h1><p>GRDP 9 tháng tăng 13,85%.</p>"
    "<table><tr><td>Xuất khẩu</td><td>1.477,8</td></tr></table></article></body></html>"
)


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    """Real files of each kind the readers take, made here; the corpus gives the text."""
    return {
        ".docx": _docx(),
        ".pdf": _pdf(["BÁO CÁO NĂM 2023", "Tăng trưởng kinh tế (GRDP) ước đạt 13,45%."]),
        ".html": HTML.encode(),
        ".txt": corpus_text("002")[:3000].encode(),
        # A spreadsheet sent as a report: refused, whatever is done to it.
        ".xlsx": _xlsx([["GRDP_GROWTH", "bac_giang", "2023", "13,45", "%", "ước tính", ""]]),
    }


def _rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


# Fields of a zip's central directory entry: (offset in the entry, size in bytes).
DIRECTORY_FIELDS = {
    "version needed": (6, 2),
    "flags": (8, 2),
    "method": (10, 2),
    "compressed size": (20, 4),
    "size": (24, 4),
    "name length": (28, 2),
    "local header offset": (42, 4),
}


@st.composite
def damaged_directory(draw: st.DrawFn, data: bytes) -> bytes:
    """The zip with one field of one member's directory entry set to random bytes."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        return data
    (start,) = struct.unpack_from("<I", data, end + 16)
    entries = [m.start() for m in re.finditer(b"PK\x01\x02", data[start:end])]
    if not entries:
        return data
    entry = start + draw(st.sampled_from(entries))
    offset, size = DIRECTORY_FIELDS[draw(st.sampled_from(sorted(DIRECTORY_FIELDS)))]
    field = draw(st.binary(min_size=size, max_size=size))
    return data[: entry + offset] + field + data[entry + offset + size :]


@st.composite
def damaged(draw: st.DrawFn, samples: dict[str, bytes]) -> tuple[str, bytes]:
    """A sample file damaged one way or several, and the extension it is sent with."""
    kind = draw(st.sampled_from(sorted(samples)))
    data = samples[kind]
    how = draw(
        st.sampled_from(("truncate", "flip", "directory", "insert", "member", "random", "combined"))
    )
    if how == "random":
        return kind, draw(st.binary(max_size=4096))
    if how in ("member", "combined") and data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(("junk", "cut", "drop", "add")))
        junk = draw(st.binary(max_size=512))

        def change(members: dict[str, bytes]) -> None:
            if action == "junk":
                members[name] = junk
            elif action == "cut":
                members[name] = members[name][: len(members[name]) // 2]
            elif action == "drop":
                del members[name]
            else:
                members[
                    draw(st.sampled_from(("word/extra.xml", "x/../../y.xml", "customXml/z")))
                ] = junk

        data = _rezip(data, change)
        if how == "member":
            return kind, data
    if how in ("truncate", "combined"):
        data = data[: draw(st.integers(0, len(data)))]
    if how in ("flip", "combined") and data:
        damaged_bytes = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            position = draw(st.integers(0, len(damaged_bytes) - 1))
            damaged_bytes[position] = draw(st.integers(0, 255))
        data = bytes(damaged_bytes)
    if how == "directory" and data.startswith(b"PK"):
        data = draw(damaged_directory(data))
    if how == "insert":
        position = draw(st.integers(0, len(data)))
        data = data[:position] + draw(st.binary(min_size=1, max_size=64)) + data[position:]
    return kind, data


def check_a_damaged_file_is_read_or_refused_in_one_line(
    workdir: Path, samples: dict[str, bytes], data: st.DataObject
) -> None:
    kind, content = data.draw(damaged(samples))
    extension = data.draw(st.sampled_from((kind, kind, ".docx", ".pdf", ".txt", ".html", "")))
    path = workdir / f"hong{extension}"
    path.write_bytes(content)
    try:
        read = read_document(path)
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        return
    assert isinstance(read.text, str) and read.text.strip()
    assert read.kind in ("txt", "docx", "pdf", "html")


(
    test_a_damaged_file_is_read_or_refused_in_one_line,
    test_a_damaged_file_is_read_or_refused_in_one_line_heavy,
) = fuzz(data=st.data(), examples=150)(check_a_damaged_file_is_read_or_refused_in_one_line)


def check_a_damaged_spreadsheet_is_imported_or_refused(
    workdir: Path, samples: dict[str, bytes], data: st.DataObject
) -> None:
    _kind, content = data.draw(damaged({".xlsx": samples[".xlsx"]}))
    path = workdir / "hong.xlsx"
    path.write_bytes(content)
    try:
        rows = list(read_submission(path))
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert all(isinstance(row.line, int) and isinstance(row.cells, dict) for row in rows)


# openpyxl warns (a missing stylesheet, an unknown extension) where it reads on.
(
    test_a_damaged_spreadsheet_is_imported_or_refused,
    test_a_damaged_spreadsheet_is_imported_or_refused_heavy,
) = fuzz(data=st.data(), examples=100)(
    pytest.mark.filterwarnings("ignore::UserWarning")(
        check_a_damaged_spreadsheet_is_imported_or_refused
    )
)
