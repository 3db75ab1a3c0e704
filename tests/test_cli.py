"""The command line, run as a person runs it: a separate process, its output and exit code."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, CORPUS


def chitieu(*args: str, db: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CHITIEU_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", db, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("cli") / "chitieu.db")
    result = chitieu("load", "--documents", str(CORPUS), db=db)
    assert result.returncode == 0, result.stderr
    assert "observations" in result.stdout
    return db


def test_targets_json_holds_decision_249_and_the_2024_plan(loaded_db):
    result = chitieu("targets", "--format", "json", db=loaded_db)
    assert result.returncode == 0, result.stderr
    targets = json.loads(result.stdout)
    required = {
        "indicator",
        "plan_document",
        "region",
        "period",
        "measure",
        "min",
        "max",
        "baseline_period",
        "baseline_value",
    }
    assert all(required <= set(t) for t in targets)
    growth = [
        t
        for t in targets
        if t["plan_document"] == "249/QĐ-UBND" and t["indicator"] == "GRDP_GROWTH"
    ]
    assert [(t["period"], t["min"], t["max"], t["measure"]) for t in growth] == [
        ("2019/2025", 12, 13, "average_growth"),
        ("2026/2030", 9, 10, "average_growth"),
    ]
    assert growth[0]["baseline_value"] == 16
    # Bắc Giang's two plans, and those of plans_after_merger.csv (tests/test_plans_after_merger.py).
    assert {t["plan"] for t in targets} >= {"qd-249-2019", "kh-ktxh-2024", "nq-dh-bn-2025"}
    assert len({t["plan"] for t in targets}) == 11


def test_observations_show_the_conflicting_2024_growth_side_by_side(loaded_db):
    table = chitieu("observations", "--indicator", "GRDP_GROWTH", "--period", "2024", db=loaded_db)
    data = chitieu(
        "observations",
        "--indicator",
        "GRDP_GROWTH",
        "--period",
        "2024",
        "--format",
        "json",
        db=loaded_db,
    )
    assert table.returncode == 0, table.stderr
    for shown in ("14,5%", "13,85%", "13,87%", "tin-2024-a", "tin-2024-b", "nguồn khác nhau"):
        assert shown in table.stdout
    rows = json.loads(data.stdout)
    assert {r["value"] for r in rows} >= {14.5, 13.85, 13.87}
    # The estimates disagree: 14,5 and 13,85 in the corpus, 13,87 and 13,85 on published pages
    # (daibieunhandan.vn, ngoisao.vn, vietnam.vn).
    assert {r["value"] for r in rows if r["disputed"]} == {14.5, 13.85, 13.87}
    assert any(r["source_url"] and "daibieunhandan.vn" in r["source_url"] for r in rows)
    assert any(r["quote"] and "«14,5%»" in r["quote"] for r in rows)


def test_overview_prints_each_target_with_its_latest_figure(loaded_db):
    result = chitieu(
        "overview",
        "--plan",
        "kh-ktxh-2024",
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        db=loaded_db,
    )
    rows = json.loads(result.stdout)
    growth = next(r for r in rows if r["indicator"] == "GRDP_GROWTH")
    assert (growth["latest_period"], growth["latest_value"]) == ("2024", 13.87)
    english = chitieu("--lang", "en", "overview", "--plan", "kh-ktxh-2024", db=loaded_db)
    assert "Latest figure" in english.stdout


def test_tasks_of_a_merged_department_and_overdue_ones(loaded_db):
    result = chitieu(
        "tasks",
        "--agency",
        "bn_so_tai_chinh",
        "--overdue",
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
        db=loaded_db,
    )
    tasks = json.loads(result.stdout)
    assert tasks and all(t["overdue"] for t in tasks)
    assert all("bn_so_tai_chinh" in t["holders"] for t in tasks)


def test_a_task_update_marks_it_done(loaded_db):
    listed = json.loads(
        chitieu(
            "tasks", "--overdue", "--as-of", "2026-01-01", "--format", "json", db=loaded_db
        ).stdout
    )
    first = listed[0]["id"]
    assert (
        chitieu("task-update", str(first), "done", "--on", "2025-12-01", db=loaded_db).returncode
        == 0
    )
    after = json.loads(
        chitieu(
            "tasks", "--overdue", "--as-of", "2026-01-01", "--format", "json", db=loaded_db
        ).stdout
    )
    assert first not in {t["id"] for t in after}
    assert len(after) == len(listed) - 1


def test_export_writes_open_sdg_files(loaded_db, tmp_path):
    result = chitieu(
        "export",
        "--out",
        str(tmp_path),
        "--format",
        "open-sdg",
        "--region",
        "bac_giang",
        db=loaded_db,
    )
    assert result.returncode == 0, result.stderr
    numbers = (tmp_path / "indicator_ids.csv").read_text(encoding="utf-8").splitlines()
    number = next(line.split(",")[0] for line in numbers if ",GRDP_GROWTH," in line)
    data = tmp_path / "data" / f"indicator_{number}.csv"
    lines = data.read_text(encoding="utf-8").splitlines()
    assert lines[0] in ("Year,Value", "Year,Region,Value")
    assert ("2024,13.87" if lines[0] == "Year,Value" else "2024,,13.87") in lines
    assert (tmp_path / "indicator-config" / "en" / f"{number}.yml").is_file()
    assert (tmp_path / "config_data.yml").is_file()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_load_and_query_on_each_backend(database_url):
    assert chitieu("load", db=database_url).returncode == 0
    result = chitieu("plans", "--format", "json", db=database_url)
    assert {p["document_number"] for p in json.loads(result.stdout)} >= {"249/QĐ-UBND"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "khong_co.csv"), "khong_co.csv: không có tệp này"),
        (("load", "khong_co_thu_muc"), "không có thư mục dữ liệu"),
        (("targets", "--indicator", "KHONG_CO"), "không có chỉ tiêu 'KHONG_CO'"),
        (("observations", "--region", "Atlantis"), "không có địa bàn 'Atlantis'"),
        (("observations", "--period", "2023-H5"), "không đọc được kỳ '2023-H5'"),
        # Square brackets are part of names, not terminal markup to swallow.
        (("import", "[ban_nhap] nop.csv"), "[ban_nhap] nop.csv: không có tệp này"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(loaded_db, tmp_path, args, message):
    result = chitieu(*args, db=loaded_db, cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line(tmp_path):
    result = chitieu("plans", db="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "không kết nối được" in result.stderr


def test_a_rejected_import_leaves_the_database_unchanged(loaded_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,region,period,value\nGRDP_GROWTH,bac_giang,2030,1\nNOPE,bac_giang,2030,1\n",
        encoding="utf-8",
    )
    before = chitieu("observations", "--period", "2030", "--format", "json", db=loaded_db)
    result = chitieu("import", str(bad), db=loaded_db)
    after = chitieu("observations", "--period", "2030", "--format", "json", db=loaded_db)
    assert result.returncode == 1 and "dòng 3" in result.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout) == []


def test_plans_are_named_in_the_reader_language(loaded_db):
    english = chitieu("--lang", "en", "plans", "--format", "csv", db=loaded_db).stdout
    vietnamese = chitieu("plans", "--format", "csv", db=loaded_db).stdout
    assert "Bắc Giang provincial master plan for 2021-2030" in english
    assert "Quy hoạch tỉnh Bắc Giang thời kỳ 2021-2030" in vietnamese
    table = chitieu("--lang", "en", "plans", db=loaded_db).stdout
    assert "Socio-economic development plan for 2024" in table
    assert "Kế hoạch phát triển kinh tế - xã hội năm 2024" not in table
