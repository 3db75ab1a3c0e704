"""Absurd figures (issue 13, item 5) and impossible dates (item 7): refused where they enter,
and still shown — never a 500 or a traceback — when an old database already holds them."""

from __future__ import annotations

import csv
import math
import shutil
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from chitieu import _format, transaction
from chitieu._database import create_engine, upgrade
from chitieu._errors import InputError, RowsRejectedError, ValidationBlockedError
from chitieu._models import Observation, Task
from chitieu._periods import parse_period
from chitieu.dataset.service import EMBEDDED, load_folder
from chitieu.extraction.models import ExtractedFigure
from chitieu.extraction.review import accept
from chitieu.extraction.service import ingest_file, pending_figures
from chitieu.indicator.bounds import default_bounds, implausible
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.observation.service import Source, record_observation
from chitieu.region.service import get_region
from chitieu.task.service import add_task_update
from chitieu.validation.service import check_all, check_values
from chitieu.validation.violation import amount, num, signed
from tests.conftest import BACKENDS
from tests.test_cli import chitieu
from tests.webkit import page_csrf

# 1e29 written in full: the number grammar of forms and files takes digits, not exponents.
ABSURD = "1" + "0" * 29
UNITS = ["%", "VND", "USD", "USD/người", "VND/ha", "điểm %", "hạng", "người", "ha", ""]


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _bearer(web, role):
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def _count(engine, indicator: str) -> int:
    with transaction(engine) as session:
        return len(
            session.scalars(
                select(Observation.id).where(Observation.indicator_code == indicator)
            ).all()
        )


# Formatting ------------------------------------------------------------------------------


@given(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(UNITS),
    st.sampled_from(["vi", "en"]),
    st.integers(min_value=0, max_value=4),
)
def test_every_float_is_written_whatever_it_is(value, unit, lang, digits):
    for text in (
        _format.number(value, lang, digits),
        _format.value_with_unit(value, unit, lang),
        _format.bounds(value, None, lang),
        _format.bounds(None, value, lang),
        _format.bounds(value, value, lang),
        _format.bounds(-1.0, value, lang),
        num(value, lang),
        signed(value, lang),
        amount(value, unit, lang),
    ):
        assert text and "\n" not in text


def test_absurd_numbers_are_written_as_a_reader_reads_them():
    assert _format.number(1e29) == "1 × 10²⁹"
    assert _format.number(-1.5e308, "en") == "-1.5 × 10³⁰⁸"
    assert _format.value_with_unit(1e29, "USD") == "1 × 10²⁹ USD"
    assert _format.number(math.nan) == "không xác định"
    assert _format.number(math.nan, "en") == "undefined"
    assert _format.number(math.inf) == "∞" and _format.number(-math.inf) == "-∞"
    assert _format.number(-0.0) == _format.number(-1e-300) == "0"
    assert _format.number(1234.5) == "1.234,5"  # ordinary figures as before
    assert _format.value_with_unit(181e12, "VND") == "181 nghìn tỷ đồng"


# The bounds themselves -------------------------------------------------------------------


def test_the_conventions_follow_unit_and_kind():
    share = default_bounds(code="FOREST_COVER", name_vi="Tỷ lệ che phủ rừng", unit="%")
    growth = default_bounds(code="GRDP_GROWTH", name_vi="Tốc độ tăng trưởng", unit="%")
    money = default_bounds(code="IMPORT_VALUE", name_vi="Kim ngạch nhập khẩu", unit="USD")
    per_head = default_bounds(code="X", name_vi="GRDP bình quân", unit="USD/người")
    assert (share.low, share.high) == (0, 100)
    assert (growth.low, growth.high) == (-100, 1000)
    assert money.low == 0 and money.high is not None and 1e12 < money.high < 1e29
    assert per_head.high is not None and 1e5 < per_head.high < money.high


def test_every_figure_of_the_embedded_dataset_is_plausible():
    catalogue = {}
    for path in sorted(EMBEDDED.glob("indicators*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                catalogue[row["code"]] = Indicator(
                    code=row["code"], name_vi=row["name_vi"], unit=row["unit"]
                )
    found = []
    for path in sorted(EMBEDDED.glob("observations*.csv")):
        with path.open(encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                refused = implausible(catalogue[row["indicator"]], float(row["value"]))
                if refused:
                    found.append(f"{path.name}:{line}: {refused}")
    assert found == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_loaded_dataset_breaks_neither_bounds_nor_horizon(loaded):
    with transaction(loaded) as session:
        found = [v for v in check_all(session) if v.rule in ("plausible", "horizon")]
    assert found == []


# Refused where figures enter ------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_absurd_figure_posted_to_the_api_is_refused_with_its_bounds(web):
    before = _count(web.engine, "IMPORT_VALUE")
    response = web.anonymous().post(
        "/api/v1/observations",
        json={
            "indicator": "IMPORT_VALUE",
            "region": "bac_ninh",
            "period": "2025-Q3",
            "value": 1e29,
        },
        headers=_bearer(web, "planner"),
    )
    # Well formed but refused by the indicator's rules: a conflict, as for every blocking rule.
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert "1 × 10²⁹ USD" in detail and "từ 0 USD đến 100 nghìn tỷ USD" in detail
    assert _count(web.engine, "IMPORT_VALUE") == before
    fine = web.anonymous().post(
        "/api/v1/observations",
        json={"indicator": "IMPORT_VALUE", "region": "bac_ninh", "period": "2025-Q3", "value": 9e9},
        headers=_bearer(web, "planner"),
    )
    assert fine.status_code == 201, fine.text


def test_an_absurd_figure_typed_in_the_form_is_refused_with_its_bounds(web):
    data = {
        "csrf_token": page_csrf(web.clients["planner"].get("/entry").text),
        "indicator": "IMPORT_VALUE",
        "region": "bac_ninh",
        "period": "2025-Q3",
        "value": ABSURD,
        "status": "actual",
        "note": "",
    }
    response = web.clients["planner"].post("/entry", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert "từ 0 USD đến 100 nghìn tỷ USD" in response.text
    assert _count(web.engine, "IMPORT_VALUE") == 1  # the dataset's own


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_absurd_figure_in_an_imported_file_is_refused_naming_its_line(loaded, tmp_path):
    exports, imports = _count(loaded, "EXPORT_VALUE"), _count(loaded, "IMPORT_VALUE")
    source = tmp_path / "nop.csv"
    source.write_text(
        "indicator,region,period,value\n"
        "EXPORT_VALUE,bac_ninh,2025-Q3,5000000000\n"
        f"IMPORT_VALUE,bac_ninh,2025-Q3,{ABSURD}\n",
        encoding="utf-8",
    )
    result = chitieu("import", str(source), db=_url(loaded))
    assert result.returncode == 1
    assert "dòng 3" in result.stderr and "100 nghìn tỷ USD" in result.stderr
    assert "Traceback" not in result.stderr
    assert (_count(loaded, "EXPORT_VALUE"), _count(loaded, "IMPORT_VALUE")) == (exports, imports)


def test_the_catalogue_overrides_the_bounds_and_load_refuses_what_breaks_them(
    database_url, tmp_path
):
    folder = tmp_path / "data"
    shutil.copytree(EMBEDDED, folder)
    catalogue = folder / "indicators.csv"
    with catalogue.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["plausible_min"] = row["plausible_max"] = ""
        if row["code"] == "IMPORT_VALUE":
            row["plausible_max"] = "2e10"  # narrower: 20 tỷ USD
        if row["code"] == "EXPORT_VALUE":
            row["plausible_max"] = "1e30"  # wider than the convention's ceiling
    with catalogue.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    engine = create_engine(database_url)
    upgrade(engine)
    with transaction(engine) as session:
        load_folder(session, folder=folder)
    with transaction(engine) as session:
        narrower = check_values(
            session, indicator="IMPORT_VALUE", region="bac_ninh", period="2025", value=3e10
        )
        wider = check_values(
            session, indicator="EXPORT_VALUE", region="bac_ninh", period="2025", value=1e29
        )
    assert [v.rule for v in narrower] == ["plausible"]
    assert "20 tỷ USD" in narrower[0].message_vi
    assert "plausible" not in [v.rule for v in wider]

    # A figure of the dataset itself beyond its bounds: the load names the file and line.
    with (folder / "observations_bad.csv").open("w", encoding="utf-8") as handle:
        handle.write(
            "indicator,region,period,value,unit,status,qualifier,doc,start,end,text,note\n"
            "IMPORT_VALUE,bac_giang,2023,30000000000,USD,actual,,,,,,\n"
        )
    with pytest.raises(RowsRejectedError) as refused, transaction(engine) as session:
        load_folder(session, folder=folder)
    assert "observations_bad.csv" in str(refused.value) and "dòng 2" in str(refused.value)
    assert "20 tỷ USD" in str(refused.value)
    engine.dispose()


# Still shown when an old database holds them -----------------------------------------


def _store_absurd(engine) -> None:
    """Figures written past every check, as a database from before the bounds may hold."""
    with transaction(engine) as session:
        place = get_region(session, code_or_name="bac_giang")
        for code, value in (("IMPORT_VALUE", 1e29), ("EXPORT_VALUE", 1e308)):
            record_observation(
                session,
                indicator=get_indicator(session, code_or_name=code),
                region=place,
                period=parse_period("2024"),
                value=value,
                status="actual",
                source=Source("manual"),
                recorded_by="old database",
            )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_pages_answer_with_an_absurd_figure_stored(web):
    _store_absurd(web.engine)
    client = web.clients["planner"]
    for path in (
        "/indicators/IMPORT_VALUE",
        "/indicators/EXPORT_VALUE",
        "/indicators/TRADE_VALUE",  # derived: 1e308 + a figure
        "/indicators/IMPORT_VALUE?lang=en",
        "/indicators/IMPORT_VALUE/chart.svg",
        "/api/v1/indicators/IMPORT_VALUE/chart",
        "/api/v1/indicators/EXPORT_VALUE/observations",
        "/indicators",
        "/overview",
        "/validation",
        "/",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[-500:])
    # 1e29 USD, shown at the column's readable scale (tỷ USD / billion USD): 1 × 10²⁰.
    shown = client.get("/indicators/IMPORT_VALUE").text
    assert "1 × 10²⁰" in shown and "USD" in shown


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_cli_lists_an_absurd_stored_figure_without_a_traceback(loaded):
    _store_absurd(loaded)
    for code in ("IMPORT_VALUE", "EXPORT_VALUE"):
        for output in ("table", "csv", "json"):
            result = chitieu(
                "observations", "--indicator", code, "--format", output, db=_url(loaded)
            )
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr
    shown = chitieu("observations", "--indicator", "IMPORT_VALUE", db=_url(loaded)).stdout
    assert "10²⁹" in shown
    validate = chitieu("validate", db=_url(loaded))
    assert "Traceback" not in validate.stderr and "10³⁰⁸" in validate.stdout + validate.stderr


# Dates and periods (item 7) ---------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_task_update_dated_after_today_is_refused(loaded):
    today = date(2026, 3, 15)
    with transaction(loaded) as session:
        task = session.scalars(select(Task).order_by(Task.id)).first()
        with pytest.raises(InputError, match=r"31/12/9999.*15/03/2026"):
            add_task_update(
                session,
                task=task,
                on_date=date(9999, 12, 31),
                status="done",
                recorded_by="x",
                today=today,
            )
        with pytest.raises(InputError, match="16/03/2026"):
            add_task_update(
                session,
                task=task,
                on_date=date(2026, 3, 16),
                status="done",
                recorded_by="x",
                today=today,
            )
        update = add_task_update(
            session, task=task, on_date=today, status="in_progress", recorded_by="x", today=today
        )
        assert update.on_date == today


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_task_update_for_9999_is_refused_by_the_api_and_the_cli(web):
    with transaction(web.engine) as session:
        task_id = session.scalars(select(Task.id).order_by(Task.id)).first()
    posted = web.anonymous().post(
        f"/api/v1/tasks/{task_id}/updates",
        json={"status": "done", "on_date": "9999-12-31"},
        headers=_bearer(web, "planner"),
    )
    assert posted.status_code == 422 and "31/12/9999" in posted.json()["detail"]
    # The CLI reads dates as the forms do (2025-06-30 or 30/06/2025), each refusal one line.
    for written, said in (
        ("9999-12-31", "31/12/9999"),
        ("31/12/9999", "31/12/9999"),
        ("31/02/2025", "không hợp lệ"),
    ):
        result = chitieu("task-update", str(task_id), "done", "--on", written, db=_url(web.engine))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1
    today = web.anonymous().post(
        f"/api/v1/tasks/{task_id}/updates",
        json={"status": "in_progress", "on_date": date.today().isoformat()},
        headers=_bearer(web, "planner"),
    )
    assert today.status_code == 201, today.text


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_figure_for_2099_is_refused_with_the_plans_horizon(web, tmp_path):
    before = _count(web.engine, "GRDP_GROWTH")
    response = web.anonymous().post(
        "/api/v1/observations",
        json={"indicator": "GRDP_GROWTH", "region": "bac_ninh", "period": "2099", "value": 8.0},
        headers=_bearer(web, "planner"),
    )
    assert response.status_code == 409, response.text
    assert "2030" in response.json()["detail"]  # the end of the strategy the seeds follow
    assert _count(web.engine, "GRDP_GROWTH") == before
    source = tmp_path / "nop.csv"
    source.write_text("indicator,region,period,value\nGRDP_GROWTH,bac_ninh,2099,8\n", "utf-8")
    result = chitieu("import", str(source), db=_url(web.engine))
    assert result.returncode == 1 and "dòng 2" in result.stderr and "2030" in result.stderr
    within = web.anonymous().post(
        "/api/v1/observations",
        json={"indicator": "GRDP_GROWTH", "region": "bac_ninh", "period": "2030", "value": 8.0},
        headers=_bearer(web, "planner"),
    )
    assert within.status_code == 201, within.text


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_reviewer_cannot_accept_an_extracted_figure_as_absurd_or_for_2099(loaded, tmp_path):
    path = tmp_path / "tin.txt"
    path.write_text("Năm 2024, tốc độ tăng trưởng GRDP đạt 7,5%.\n", encoding="utf-8")
    with transaction(loaded) as session:
        ingest_file(session, path=path, recorded_by="test", region="Bắc Giang")
    with transaction(loaded) as session:
        figure = next(f for f in pending_figures(session) if f.value == 7.5)
        figure_id = figure.id
    for change, expected in (({"value": 1e29}, "10²⁹"), ({"period": "2099"}, "2030")):
        with pytest.raises(ValidationBlockedError, match=expected), transaction(loaded) as session:
            accept(session, figure_id=figure_id, actor="reviewer", **change)
    with transaction(loaded) as session:
        assert session.get(ExtractedFigure, figure_id).observation_id is None
        accepted = accept(session, figure_id=figure_id, actor="reviewer")
        assert accepted.observation_id is not None
