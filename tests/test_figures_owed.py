"""Figures owed: which agency still owes which figure, its template, and its home page."""

from __future__ import annotations

import json
import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from chitieu import transaction
from chitieu.agency.service import get_agency
from chitieu.cli import build_app
from chitieu.owed.service import figures_owed, needed_periods
from tests.conftest import BACKENDS
from tests.test_assessment import _figures, _target
from tests.test_final_verdicts import _plan, _regions
from tests.webkit import EDITOR_AGENCY

DAY = date(2026, 12, 6)


def _owed_plans(session):
    """A province that ceased on 30/6/2025 and the new one it merged into, with a plan each."""
    old, new = _regions(session)
    strategy = _plan(session, old, "kh-cu-2019", 2019, 2030, date(2019, 4, 1))
    annual = _plan(session, new, "kh-moi-2026", 2026, 2026, date(2025, 12, 20))
    # A rate, figures for 2022-2023 only: the 2025 target needs the baseline and the last year.
    _target(session, strategy, "TRAINED_LABOUR_RATE", "2025", "level", 70, None)
    _figures(session, old, "TRAINED_LABOUR_RATE", {2022: 62.0, 2023: 65.0})
    # A flow with no figure at all: every year of the average, and the half year it lived.
    _target(session, strategy, "GRDP_GROWTH_SERVICES", "2019/2025", "average_growth", 8, None)
    # The year under way, an annual plan: the latest part of the year reported by now.
    _target(session, annual, "GRDP_GROWTH", "2026", "level", 12.5, 13)
    # A derived indicator owes its inputs, each year and the one before; rates have no halves.
    _target(session, strategy, "POVERTY_REDUCTION", "2019/2025", "change_per_year", 1.5, 2)
    _figures(session, old, "POVERTY_RATE", {2018: 5.1, 2019: 3.8, 2020: 3.0, 2022: 2.1})
    return strategy, annual


def _owed(session, plans, agency=None):
    return {
        (item.indicator.code, item.region.code, item.period): item
        for item in figures_owed(session, as_of=DAY, plans=plans, agency=agency)
    }


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_each_target_short_of_data_owes_the_periods_that_would_judge_it(loaded):
    with transaction(loaded) as session:
        strategy, annual = _owed_plans(session)
        owed = _owed(session, [strategy, annual])
        by_target = {
            t.indicator_code: needed_periods(t, as_of=DAY)
            for t in strategy.targets + annual.targets
        }
        agencies = {key: [a.code for a in item.agencies] for key, item in owed.items()}
        session.rollback()
    assert by_target["TRAINED_LABOUR_RATE"] == ["2018", "2024"]
    assert by_target["GRDP_GROWTH_SERVICES"] == [str(y) for y in range(2019, 2025)] + ["2025-H1"]
    assert by_target["GRDP_GROWTH"] == ["2026-9M"]
    trained = {k[2] for k in owed if k[0] == "TRAINED_LABOUR_RATE"}
    assert trained == {"2018", "2024"}  # 2022 and 2023 are in the data, not owed
    services = {k[2] for k in owed if k[0] == "GRDP_GROWTH_SERVICES"}
    assert services == {"2019", "2020", "2021", "2022", "2023", "2024", "2025-H1"}
    assert ("GRDP_GROWTH", "tinh_moi", "2026-9M") in owed
    poverty = {k[2] for k in owed if k[0] == "POVERTY_RATE"}
    assert poverty == {"2021", "2023", "2024"}  # 2018-2020 and 2022 known; no half year
    assert not any(k[0] == "POVERTY_REDUCTION" for k in owed)  # computed, never entered
    # The agency reporting the indicator now, after the departments merged.
    assert agencies[("TRAINED_LABOUR_RATE", "tinh_cu", "2024")] == ["bn_so_noi_vu"]
    assert agencies[("GRDP_GROWTH_SERVICES", "tinh_cu", "2019")] == ["bn_thong_ke"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_figure_entered_is_no_longer_owed_and_the_agency_filter_keeps_its_own(loaded):
    with transaction(loaded) as session:
        strategy, annual = _owed_plans(session)
        old = strategy.region
        before = _owed(session, [strategy, annual])
        _figures(session, old, "TRAINED_LABOUR_RATE", {2024: 68.0})
        after = _owed(session, [strategy, annual])
        interior = _owed(
            session, [strategy, annual], get_agency(session, code_or_name="bn_so_noi_vu")
        )
        session.rollback()
    assert ("TRAINED_LABOUR_RATE", "tinh_cu", "2024") in before
    # 2024 is in now; the verdict still rests on no 2025 figure, so 2018 stays owed.
    assert ("TRAINED_LABOUR_RATE", "tinh_cu", "2024") not in after
    assert {k[0] for k in interior} == {"TRAINED_LABOUR_RATE"}


def test_requests_and_the_prefilled_template_on_the_embedded_data(tmp_path):
    database = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    app = build_app()
    assert runner.invoke(app, ["--db", database, "load"]).exit_code == 0
    listed = runner.invoke(
        app, ["--db", database, "requests", "--as-of", DAY.isoformat(), "--format", "json"]
    )
    assert listed.exit_code == 0, listed.output
    records = json.loads(listed.stdout)
    plans = {plan for r in records for plan in r["plans"]}
    assert "249/QĐ-UBND" in plans  # the ended plan's final record
    # and the plans in force, by their names (nq-dh-bn-2025, kh-ktxh-bn-2026 have no number)
    in_force = ("Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Bắc Ninh", "Mục tiêu phát triển kinh tế")
    assert any(plan.startswith(in_force) for plan in plans), plans
    health = [r for r in records if r["agency"] == "bn_so_y_te"]
    assert health and all(r["agency_name"] == "Sở Y tế tỉnh Bắc Ninh" for r in health)

    table = runner.invoke(app, ["--db", database, "requests", "--as-of", DAY.isoformat()])
    assert "Sở Y tế tỉnh Bắc Ninh" in table.stdout and "Kỳ còn thiếu" in table.stdout

    out = tmp_path / "y_te.xlsx"
    written = runner.invoke(
        app,
        [
            "--db",
            database,
            "template",
            str(out),
            "--agency",
            "bn_so_y_te",
            "--as-of",
            DAY.isoformat(),
        ],
    )
    assert written.exit_code == 0, written.output
    sheet = load_workbook(out)["so_lieu"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (r["indicator"], r["region"], r["period"]) for r in health
    ]
    assert all(r[3] is None for r in rows)  # the figure is left to fill: no example

    # Sent back unfilled: nothing to import, said in one line, nothing written.
    blank = runner.invoke(app, ["--db", database, "import", str(out)])
    assert blank.exit_code != 0
    assert f"{len(rows)} dòng lỗi" in str(blank.exception)
    assert str(blank.exception).count("chưa điền giá trị") == len(rows)
    # One value filled in: that row is imported, the rest skipped.
    book = load_workbook(out)
    book["so_lieu"].cell(2, 4).value = 71.5
    book.save(out)
    filled = runner.invoke(app, ["--db", database, "import", str(out), "--agency", "bn_so_y_te"])
    assert filled.exit_code == 0, filled.output
    assert "ghi 1" in filled.output and f"bỏ qua {len(rows) - 1} dòng" in filled.output
    again = runner.invoke(
        app,
        [
            "--db",
            database,
            "requests",
            "--agency",
            "bn_so_y_te",
            "--as-of",
            DAY.isoformat(),
            "--format",
            "json",
        ],
    )
    left = {(r["indicator"], r["region"], r["period"]) for r in json.loads(again.stdout)}
    assert (rows[0][0], rows[0][1], rows[0][2]) not in left


def test_the_plain_template_has_no_example_row(tmp_path):
    database = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    app = build_app()
    assert runner.invoke(app, ["--db", database, "init"]).exit_code == 0
    out = tmp_path / "mau.xlsx"
    assert runner.invoke(app, ["--db", database, "template", str(out)]).exit_code == 0
    sheet = load_workbook(out)["so_lieu"]
    assert sheet.max_row == 1  # headings only: nothing that an import would take as a figure


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_agency_editor_lands_on_what_its_agency_owes(web):
    editor = web.clients["agency_editor"]
    home = editor.get("/", follow_redirects=False)
    assert home.headers["location"] == "/requests"
    planner_home = web.clients["planner"].get("/", follow_redirects=False)
    assert planner_home.headers["location"] == "/overview"
    page = editor.get("/requests")
    assert page.status_code == 200
    assert "Số liệu còn thiếu — Sở Tài chính tỉnh Bắc Ninh" in page.text
    agencies = set(re.findall(r'class="owed-group" data-agency="([^"]*)"', page.text))
    assert agencies == {EDITOR_AGENCY}
    api = editor.get("/api/v1/requests")
    assert api.status_code == 200
    records = api.json()
    assert records and {r["agency"] for r in records} == {EDITOR_AGENCY}
    for r in records:
        assert f'data-indicator="{r["indicator"]}" data-period="{r["period"]}"' in page.text
    xlsx = editor.get("/requests/template.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content))["so_lieu"]
    filled = [(r[0], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert filled == [(r["indicator"], r["period"]) for r in records]
    assert web.clients["viewer"].get("/api/v1/requests").status_code == 403
    everyone = web.clients["planner"].get("/api/v1/requests").json()
    assert len({r["agency"] for r in everyone}) > 1
