"""CSV imports as Vietnamese spreadsheets write them: decimal commas, `;` separators, stray bytes.

Each bad row is refused by its line, with nothing written; a `;`-separated file
(Vietnamese Excel, LibreOffice Calc) is read with its decimal commas; and an
import reads the catalogue once per file, not once per row.
"""

import os
import subprocess
import sys

import pytest
from sqlalchemy import event, select

from chitieu import InputError, RowsRejectedError, import_submission, transaction
from chitieu._models import Observation
from tests._encodings import cp1258
from tests.conftest import BACKENDS

HEADER = "indicator,region,period,value"
# The file: stored as 13 before, the 5 dropped.
SPLIT = f"{HEADER}\nIIP_GROWTH,bac_giang,2016-Q2,13,5\n"
# With a note column the row fits its header: stored as 13 with the note "5".
SPLIT_INTO_NOTE = f"{HEADER},note\nIIP_GROWTH,bac_giang,2016-Q2,13,5\n"
SEMICOLONS = (
    "chỉ tiêu;địa bàn;kỳ;giá trị;đơn vị;ghi chú\n"
    "IIP_GROWTH;bac_giang;2016-Q2;13,5;%;theo báo cáo, bản cuối\n"
    "RETAIL_SALES;bac_giang;2016;1.234,5;tỷ đồng;\n"
)


def _imported(engine, indicator, period):
    with transaction(engine) as session:
        rows = session.scalars(
            select(Observation).where(
                Observation.indicator_code == indicator,
                Observation.period == period,
                Observation.source_kind == "import",
            )
        )
        return [(row.value, row.note) for row in rows]


def _refused(engine, path):
    with pytest.raises(RowsRejectedError) as caught, transaction(engine) as session:
        import_submission(session, path=path, recorded_by="x")
    return caught.value.problems


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize("text", [SPLIT, SPLIT_INTO_NOTE], ids=["extra field", "into the note"])
def test_an_unquoted_decimal_comma_is_refused_naming_the_line_and_the_fix(loaded, tmp_path, text):
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    (problem,) = _refused(loaded, path)
    assert problem.line == 2
    assert '"13,5"' in problem.reason  # quote it…
    assert "dấu chấm phẩy (;)" in problem.reason  # …or separate the columns with ';'
    assert _imported(loaded, "IIP_GROWTH", "2016-Q2") == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_semicolon_separated_file_is_read_with_its_decimal_commas(loaded, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(SEMICOLONS, encoding="utf-8-sig")  # Excel writes a BOM
    with transaction(loaded) as session:
        report = import_submission(session, path=path, recorded_by="x")
    assert (report.rows, report.written, report.problems) == (2, 2, [])
    assert _imported(loaded, "IIP_GROWTH", "2016-Q2") == [(13.5, "theo báo cáo, bản cuối")]
    assert _imported(loaded, "RETAIL_SALES", "2016") == [(pytest.approx(1234.5e9), None)]


def test_excels_separator_line_is_read(loaded_sqlite, tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\n" + SEMICOLONS.replace("13,5", "x"), encoding="utf-8")
    with pytest.raises(RowsRejectedError) as caught, transaction(loaded_sqlite) as session:
        import_submission(session, path=path, recorded_by="x")
    assert [p.line for p in caught.value.problems] == [3]  # lines counted from the file's top


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_every_row_of_the_wrong_width_is_named_in_one_pass(loaded, tmp_path):
    path = tmp_path / "ngan.csv"
    path.write_text(
        f"{HEADER}\n"
        "IIP_GROWTH,bac_giang,2016-Q1,12\n"
        "IIP_GROWTH,bac_giang,2016-Q2\n"
        "IIP_GROWTH,bac_giang,2016-Q3,ghi chú,thừa\n"
        "IIP_GROWTH,bac_giang,2016-Q4,14\n",
        encoding="utf-8",
    )
    problems = {p.line: p.reason for p in _refused(loaded, path)}
    assert sorted(problems) == [3, 4]
    assert "3 ô, ít hơn 4 cột" in problems[3]
    assert "5 ô, nhiều hơn 4 cột" in problems[4] and "ngoặc kép" in problems[4]
    assert _imported(loaded, "IIP_GROWTH", "2016-Q1") == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_nul_byte_in_a_cell_is_refused_naming_line_and_column(loaded, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(
        f"{HEADER},note\nIIP_GROWTH,bac_giang,2016-Q1,12,ok\nIIP_GROWTH,bac_giang,2016-Q2,13,a\x00b\n".encode()
    )
    (problem,) = _refused(loaded, path)
    assert problem.line == 3 and "cột note" in problem.reason and "NUL" in problem.reason
    assert _imported(loaded, "IIP_GROWTH", "2016-Q1") == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_note_longer_than_its_column_is_refused_naming_the_line(loaded, tmp_path):
    path = tmp_path / "dai.csv"
    path.write_text(f"{HEADER},note\nIIP_GROWTH,bac_giang,2016-Q2,13,{'x' * 1001}\n")
    (problem,) = _refused(loaded, path)
    assert problem.line == 2 and "1.001 ký tự, quá 1.000" in problem.reason


# What Vietnamese Excel and LibreOffice Calc save, each read with its decimal commas.
SAVED = {
    "windows-1258": (cp1258(SEMICOLONS), "Windows-1258"),
    "utf-16 bom": (SEMICOLONS.replace(";", "\t").encode("utf-16"), "UTF-16"),
    "utf-16le": (SEMICOLONS.encode("utf-16-le"), "UTF-16"),
    "utf-8 bom": (SEMICOLONS.encode("utf-8-sig"), "UTF-8"),
}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@pytest.mark.parametrize("saved", SAVED, ids=list(SAVED))
def test_files_saved_by_vietnamese_spreadsheets_are_read_and_say_how(loaded, tmp_path, saved):
    content, encoding = SAVED[saved]
    path = tmp_path / "excel.csv"
    path.write_bytes(content)
    with transaction(loaded) as session:
        report = import_submission(session, path=path, recorded_by="x")
    assert (report.rows, report.written, report.problems) == (2, 2, [])
    assert report.read_as is not None and report.read_as.encoding == encoding
    assert report.read_as.separator == ("\t" if saved == "utf-16 bom" else ";")
    assert f"bảng mã {encoding}" in report.read_as.describe()
    # The note's words come back whole, tones composed (NFC), whatever the encoding.
    assert _imported(loaded, "IIP_GROWTH", "2016-Q2") == [(13.5, "theo báo cáo, bản cuối")]
    assert _imported(loaded, "RETAIL_SALES", "2016") == [(pytest.approx(1234.5e9), None)]


def test_a_windows_1258_region_name_is_found(loaded_sqlite, tmp_path):
    path = tmp_path / "ansi.csv"
    # "Bắc Giang" as Excel saves it on a Vietnamese Windows: ă is E3, the acute EC.
    path.write_bytes(f"{HEADER}\nIIP_GROWTH,B\xe3\xecc Giang,2016,13\n".encode("latin-1"))
    with transaction(loaded_sqlite) as session:
        report = import_submission(session, path=path, recorded_by="x")
    assert report.written == 1
    assert report.read_as is not None
    assert report.read_as.describe() == (
        "đọc theo bảng mã Windows-1258, các cột phân cách bằng dấu phẩy (,)"
    )


def test_bytes_no_encoding_reads_say_to_save_as_utf8(loaded_sqlite, tmp_path):
    path = tmp_path / "hong.csv"
    path.write_bytes(f"{HEADER}\nIIP_GROWTH,bac_giang,2016,13\x90\n".encode("latin-1"))
    with (
        pytest.raises(InputError, match="dòng 2: tệp không phải UTF-8.*CSV UTF-8"),
        transaction(loaded_sqlite) as session,
    ):
        import_submission(session, path=path, recorded_by="x")


def test_the_upload_page_says_how_the_file_was_read(web):
    response = web.clients["planner"].post(
        "/entry/upload",
        data={"csrf_token": web.csrf("planner")},
        files={"file": ("excel.csv", cp1258(SEMICOLONS), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "đọc theo bảng mã Windows-1258, các cột phân cách bằng dấu chấm phẩy (;)" in (
        response.text
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_command_refuses_a_decimal_comma_and_a_nul_in_one_line(loaded, tmp_path):
    url = loaded.url.render_as_string(hide_password=False)
    for name, content in (
        ("a.csv", SPLIT.encode()),
        ("nul.csv", f"{HEADER},note\nIIP_GROWTH,bac_giang,2016-Q2,13,\x00\n".encode()),
    ):
        (tmp_path / name).write_bytes(content)
        env = {**os.environ, "COLUMNS": "400"}
        env.pop("CHITIEU_DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "-m", "chitieu", "--db", url, "import", str(tmp_path / name)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        output = (result.stdout + result.stderr).strip()
        assert result.returncode == 1, output
        assert "Traceback" not in output and len(output.splitlines()) == 1, output
        assert "dòng 2" in output
    assert _imported(loaded, "IIP_GROWTH", "2016-Q2") == []


def _post(web, name, content):
    return web.anonymous().post(
        "/api/v1/imports",
        files={"file": (name, content, "text/csv")},
        headers={"Authorization": f"Bearer {web.tokens['planner']}"},
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_api_refuses_bad_widths_and_nul_and_reads_semicolons(web):
    split = _post(web, "a.csv", SPLIT_INTO_NOTE.encode())
    assert split.status_code == 422
    assert [row["line"] for row in split.json()["rows"]] == [2]
    assert "13,5" in split.json()["rows"][0]["reason"]
    nul = _post(web, "nul.csv", f"{HEADER},note\nIIP_GROWTH,bac_giang,2016-Q2,13,\x00\n".encode())
    assert nul.status_code == 422 and "NUL" in nul.json()["rows"][0]["reason"]
    assert _imported(web.engine, "IIP_GROWTH", "2016-Q2") == []
    read = _post(web, "excel.csv", SEMICOLONS.encode("utf-8-sig"))
    assert read.status_code == 201, read.text
    assert read.json()["written"] == 2
    assert (read.json()["encoding"], read.json()["separator"]) == ("UTF-8", ";")
    assert _imported(web.engine, "IIP_GROWTH", "2016-Q2") == [(13.5, "theo báo cáo, bản cuối")]


def _reads(engine, path):
    """How many SELECT statements importing ``path`` runs (the import is rolled back)."""
    counted = []

    def count(_connection, _cursor, statement, *_args):
        counted.extend([1] if statement.lstrip().upper().startswith("SELECT") else [])

    event.listen(engine, "before_cursor_execute", count)
    try:
        with transaction(engine) as session:
            report = import_submission(session, path=path, recorded_by="x")
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return report.written, len(counted)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_catalogue_and_figures_are_read_once_per_file_not_per_row(loaded, tmp_path):
    def write(rows):
        path = tmp_path / f"{rows}.csv"
        lines = [
            f"{code},{region},{year},{7 + year % 5}"
            for year in range(2001, 2021)
            for code in ("IIP_GROWTH", "GRDP_GROWTH")
            for region in ("bac_giang", "bg_yen_the", "bg_tan_yen", "bg_luc_nam", "bg_hiep_hoa")
        ]
        path.write_text("\n".join([HEADER, *lines[:rows]]) + "\n", encoding="utf-8")
        return path

    few_written, few = _reads(loaded, write(20))
    many_written, many = _reads(loaded, write(200))
    assert (few_written, many_written) == (20, 200)
    # The same reads for 200 rows as for 20: the catalogue, figures and findings once a file.
    assert many == few, (few, many)


def test_the_command_says_how_it_read_the_file(loaded_sqlite, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(cp1258(SEMICOLONS))
    url = loaded_sqlite.url.render_as_string(hide_password=False)
    env = {**os.environ, "COLUMNS": "400"}
    env.pop("CHITIEU_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", url, "import", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "đọc theo bảng mã Windows-1258, các cột phân cách bằng dấu chấm phẩy (;)" in (
        result.stdout
    )
