"""Agency submissions: every bad row named, all or nothing, reruns change nothing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from chitieu import RowsRejectedError, get_agency, import_submission, transaction
from chitieu._format import number as format_number
from chitieu._models import ImportBatch, Observation
from chitieu.submission.service import read_number
from tests.conftest import BACKENDS

GOOD = """indicator,region,period,value,unit,status,note
GRDP_GROWTH,Bắc Giang,6 tháng đầu năm 2024,"14,14",%,ước tính,
Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng,bac_giang,2024,"55.123,5",tỷ đồng,thực hiện,
FOREST_COVER,bac giang,2024,37.6,,actual,ghi chú
"""

BAD = """indicator,region,period,value,unit,status,note
GRDP_GROWTH,bac_giang,2024,"13,9",%,actual,
NO_SUCH_CODE,bac_giang,2024,1,,actual,
FOREST_COVER,bac_giang,năm ngoái,37.6,%,actual,
FOREST_COVER,bac_giang,2023,ba mươi,%,actual,
FOREST_COVER,bac_giang,2022,37.6,ha,actual,
GRDP_GROWTH,bac_giang,2024,14,%,actual,
FOREST_COVER,bac_giang,2026,37.6,%,actual,
"""


def _count(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(Observation))


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_good_file_is_recorded_and_a_rerun_writes_nothing(loaded, tmp_path):
    path = tmp_path / "bao_cao.csv"
    path.write_text(GOOD, encoding="utf-8")
    before = _count(loaded)
    with transaction(loaded) as session:
        agency = get_agency(session, code_or_name="bg_so_khdt")
        report = import_submission(session, path=path, recorded_by="so_khdt", agency=agency)
    with transaction(loaded) as session:
        again = import_submission(
            session,
            path=path,
            recorded_by="so_khdt",
            agency=get_agency(session, code_or_name="bg_so_khdt"),
        )
        batches = session.scalar(select(func.count()).select_from(ImportBatch))
        retail = session.scalar(
            select(Observation).where(
                Observation.indicator_code == "RETAIL_SALES", Observation.period == "2024"
            )
        )
        growth = session.scalar(
            select(Observation).where(
                Observation.indicator_code == "GRDP_GROWTH",
                Observation.period == "2024-H1",
                Observation.source_kind == "import",
            )
        )
        growth_agency = growth.agency.code
    assert (report.rows, report.written, report.problems) == (3, 3, [])
    assert (again.written, again.unchanged) == (0, 3)
    assert batches == 1
    assert _count(loaded) == before + 3
    assert retail.value == pytest.approx(55_123.5e9)
    assert (growth.value, growth.status, growth_agency) == (14.14, "estimate", "bg_so_khdt")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_every_bad_row_is_named_and_nothing_is_written(loaded, tmp_path):
    path = tmp_path / "loi.csv"
    path.write_text(BAD, encoding="utf-8")
    before = _count(loaded)
    with pytest.raises(RowsRejectedError) as caught, transaction(loaded) as session:
        import_submission(session, path=path, recorded_by="x")
    problems = {p.line: p.reason for p in caught.value.problems}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8]
    assert "NO_SUCH_CODE" in problems[3]
    assert "kỳ" in problems[4]
    assert "số" in problems[5]
    assert "đơn vị" in problems[6]
    assert "trùng với dòng 2" in problems[7]
    assert "không tồn tại" in problems[8]
    assert _count(loaded) == before


def test_partial_keeps_the_good_rows(loaded_sqlite, tmp_path):
    path = tmp_path / "loi.csv"
    path.write_text(BAD, encoding="utf-8")
    with transaction(loaded_sqlite) as session:
        report = import_submission(session, path=path, recorded_by="x", partial=True)
        session.rollback()
    assert (report.written, len(report.problems)) == (1, 6)


def test_an_excel_submission_is_read_with_its_row_numbers(loaded_sqlite, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Chỉ tiêu", "Địa bàn", "Kỳ", "Giá trị", "Đơn vị", "Loại số", "Ghi chú"])
    sheet.append(["TOURISTS", "bac_giang", "2024", 2_400_000, "lượt", "thực hiện", None])
    sheet.append(["TOURISTS", "bac_giang", "quý I/2025", "không rõ", "lượt", "ước tính", None])
    path = tmp_path / "mau.xlsx"
    workbook.save(path)
    with (
        pytest.raises(RowsRejectedError, match="dòng 3") as caught,
        transaction(loaded_sqlite) as session,
    ):
        import_submission(session, path=path, recorded_by="x")
    assert [p.line for p in caught.value.problems] == [3]


def test_a_file_that_is_not_excel_is_one_clear_error(loaded_sqlite, tmp_path):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"not a zip")
    from chitieu import InputError

    with (
        pytest.raises(InputError, match="không đọc được tệp Excel"),
        transaction(loaded_sqlite) as session,
    ):
        import_submission(session, path=path, recorded_by="x")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", 1234.5),
        ("1.500", 1500),
        ("12,5", 12.5),
        ("0.5", 0.5),
        ("1234.5", 1234.5),
        ("1,234,567", 1234567),
        ("-5,7", -5.7),
        ("1 234,5", 1234.5),
        ("181", 181),
    ],
)
def test_numbers_are_read_as_vietnamese_forms_write_them(text, value):
    assert read_number(text) == value


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_vietnamese_formatted_numbers_read_back(number):
    assert read_number(format_number(float(number), "vi")) == pytest.approx(float(number))
