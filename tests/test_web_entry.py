"""Agency data entry on the web and by API: one figure, a file, the template, corrections."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from chitieu import transaction
from chitieu._models import ImportBatch, Observation
from chitieu.agency.models import Agency
from chitieu.audit.models import AuditEntry
from chitieu.dataset.service import EMBEDDED
from chitieu.indicator.models import Indicator
from chitieu.observation.service import disagreements
from tests.conftest import BACKENDS
from tests.webkit import EDITOR_AGENCY, OTHER_AGENCY, build_web

BUDGET = "STATE_BUDGET_REVENUE"  # the editor's agency reports it
EXPORTS = "EXPORT_VALUE"  # another agency's


def _bearer(web, role):
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def _figures(engine, indicator, period=None):
    with transaction(engine) as session:
        query = select(Observation).where(Observation.indicator_code == indicator)
        if period is not None:
            query = query.where(Observation.period == period)
        return [
            (row.id, row.value, row.status, row.source_kind, row.agency_id, row.recorded_by)
            for row in session.scalars(query.order_by(Observation.id))
        ]


def _count(engine, model):
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def _audit(engine, entity, entity_id=None):
    with transaction(engine) as session:
        query = select(AuditEntry).where(AuditEntry.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEntry.entity_id == str(entity_id))
        return [
            (e.actor, e.action, json.loads(e.before) if e.before else None, json.loads(e.after))
            for e in session.scalars(query.order_by(AuditEntry.id))
        ]


def _agency_id(engine, code):
    with transaction(engine) as session:
        return session.scalar(select(Agency.id).where(Agency.code == code))


def _reported_by(agency_code):
    """The non-derived indicators an agency reports, read from the dataset itself."""
    with (EMBEDDED / "indicator_agencies.csv").open(encoding="utf-8") as handle:
        return {row["indicator"] for row in csv.DictReader(handle) if row["agency"] == agency_code}


def _alert(html):
    found = re.findall(r'role="alert"[^>]*>\s*([^<]+)', html)
    return " ".join(text.strip() for text in found)


def _form(web, role, **fields):
    data = {"csrf_token": web.csrf(role), "status": "actual", "note": "", **fields}
    return web.clients[role].post("/entry", data=data, follow_redirects=False)


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "region", "period", "value", "unit", "status", "note"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(web, role, name, content):
    return web.clients[role].post(
        "/entry/upload",
        data={"csrf_token": web.csrf(role)},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_agency_editor_enters_a_budget_figure_and_it_is_saved_and_audited(web):
    before = _figures(web.engine, BUDGET, "2025-Q3")
    response = _form(
        web, "agency_editor", indicator=BUDGET, region="bac_ninh", period="2025-Q3", value="1.234,5"
    )
    assert response.status_code == 303
    after = _figures(web.engine, BUDGET, "2025-Q3")
    assert len(after) == len(before) + 1
    new_id, value, status, kind, agency_id, by = after[-1]
    assert value == 1234.5  # "1.234,5" in Vietnamese writing
    assert (status, kind, by) == ("actual", "submission", "agency_editor")
    assert agency_id == _agency_id(web.engine, EDITOR_AGENCY)
    audit = _audit(web.engine, "observation", new_id)
    assert len(audit) == 1
    actor, action, before, recorded = audit[0]
    assert (actor, action, before) == ("agency_editor", "enter", None)
    assert recorded["value"] == 1234.5
    assert recorded["indicator"] == BUDGET and recorded["period"] == "2025-Q3"

    page = web.clients["agency_editor"].get(response.headers["location"])
    assert page.status_code == 200
    assert f'data-observation="{new_id}" data-written="true"' in page.text
    assert "1.234,5" in page.text


def test_the_form_offers_only_the_agencys_indicators_and_defaults_to_its_province(web):
    page = web.clients["agency_editor"].get("/entry")
    assert page.status_code == 200
    form = re.search(
        r'<form id="entry-form" method="post" action="/entry".*?</form>', page.text, re.S
    )
    assert form, "the entry form is missing"
    html = form.group(0)
    for name in ('select name="indicator"', 'input name="period"', 'input name="value"'):
        assert name in html
    assert 'select name="status"' in html and 'select name="region"' in html
    offered = set(re.findall(r'<option value="([A-Z0-9_]+)"', html))
    with transaction(web.engine) as session:
        derived = set(session.scalars(select(Indicator.code).where(Indicator.formula.is_not(None))))
    assert offered == _reported_by(EDITOR_AGENCY) - derived
    assert re.search(r'<option value="bac_ninh" selected>', html)

    everything = web.clients["planner"].get("/entry").text
    with transaction(web.engine) as session:
        enterable = set(session.scalars(select(Indicator.code).where(Indicator.formula.is_(None))))
    assert set(re.findall(r'<option value="([A-Z0-9_]+)"', everything)) == enterable


def test_get_entry_preselects_an_own_indicator_and_refuses_another_agencys(web):
    own = web.clients["agency_editor"].get(f"/entry?indicator={BUDGET}")
    assert own.status_code == 200
    assert f'<option value="{BUDGET}" selected>' in own.text

    refused = web.clients["agency_editor"].get(f"/entry?indicator={EXPORTS}")
    assert refused.status_code == 403
    message = _alert(refused.text)
    assert EXPORTS in message and "Sở Tài chính tỉnh Bắc Ninh" in message
    # ... and who does report it, as the dataset says.
    assert EXPORTS in _reported_by(OTHER_AGENCY) and "Sở Công Thương tỉnh Bắc Ninh" in message


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_editor_is_refused_another_agencys_indicator_everywhere(web):
    before = _figures(web.engine, EXPORTS)
    audit_before = _count(web.engine, AuditEntry)

    posted = _form(
        web, "agency_editor", indicator=EXPORTS, region="bac_ninh", period="2025-Q3", value="10"
    )
    assert posted.status_code == 403
    assert EXPORTS in _alert(posted.text)

    api = web.anonymous().post(
        "/api/v1/observations",
        json={"indicator": EXPORTS, "region": "bac_ninh", "period": "2025-Q3", "value": 10.0},
        headers=_bearer(web, "agency_editor"),
    )
    assert api.status_code == 403
    assert EXPORTS in api.json()["detail"]

    mixed = _csv(
        [
            [BUDGET, "bac_ninh", "2025-Q3", "5", "", "actual", ""],
            [EXPORTS, "bac_ninh", "2025-Q3", "7", "", "actual", ""],
            ["Kim ngạch nhập khẩu", "bac_ninh", "2025-Q3", "8", "", "actual", ""],
        ]
    )
    uploaded = _upload(web, "agency_editor", "so lieu quy 3.csv", mixed)
    assert uploaded.status_code == 403
    lines = re.findall(r'<li data-line="(\d+)"', uploaded.text)
    assert lines == ["3", "4"]  # the export row and the import row, named by their line
    assert EXPORTS in uploaded.text and "IMPORT_VALUE" in uploaded.text

    # Another agency's row and a row bad for another reason: both named in one answer.
    both = _csv(
        [
            [BUDGET, "bac_ninh", "2025-Q3", "abc", "", "actual", ""],
            [EXPORTS, "bac_ninh", "2025-Q3", "7", "", "actual", ""],
        ]
    )
    answer = _upload(web, "agency_editor", "hai_loi.csv", both)
    assert answer.status_code == 403
    named = re.findall(r'<li data-line="(\d+)" data-column="(\w+)"', answer.text)
    assert named == [("2", "value"), ("3", "indicator")]
    assert "dòng 2, cột Giá trị (value)" in answer.text

    by_api = web.anonymous().post(
        "/api/v1/imports",
        files={"file": ("so_lieu.csv", mixed, "text/csv")},
        headers=_bearer(web, "agency_editor"),
    )
    assert by_api.status_code == 403
    assert [row["line"] for row in by_api.json()["rows"]] == [3, 4]

    assert _figures(web.engine, EXPORTS) == before
    assert _figures(web.engine, BUDGET, "2025-Q3") == []  # the good row was not written either
    assert _count(web.engine, AuditEntry) == audit_before


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_planner_may_enter_any_indicator(web):
    page = web.clients["planner"].get(f"/entry?indicator={EXPORTS}")
    assert page.status_code == 200
    posted = _form(
        web, "planner", indicator=EXPORTS, region="bac_giang", period="2025-H1", value="12.345,6"
    )
    assert posted.status_code == 303
    assert [row[1] for row in _figures(web.engine, EXPORTS, "2025-H1")][-1] == 12345.6
    api = web.anonymous().post(
        "/api/v1/observations",
        json={
            "indicator": "POVERTY_RATE",
            "region": "bac_ninh",
            "period": "2025-09",
            "value": 1.5,
            "status": "preliminary",
            "note": "số sơ bộ",
        },
        headers=_bearer(web, "planner"),
    )
    assert api.status_code == 201, api.text
    body = api.json()
    assert body["written"] is True
    stored = _figures(web.engine, "POVERTY_RATE", "2025-M09")
    assert stored[-1][0] == body["observation"]["id"]
    assert stored[-1][1:4] == (1.5, "preliminary", "submission")


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_api_takes_strict_json_and_converts_units(web):
    client = web.anonymous()
    headers = _bearer(web, "agency_editor")
    base = {"indicator": BUDGET, "region": "bac_ninh", "period": "2025-Q3"}
    for wrong in (True, "1234,5", "12", None):
        response = client.post(
            "/api/v1/observations", json={**base, "value": wrong}, headers=headers
        )
        assert response.status_code == 422, wrong
    assert (
        client.post(
            "/api/v1/observations", json={**base, "value": 1, "extra": 1}, headers=headers
        ).status_code
        == 422
    )
    assert _figures(web.engine, BUDGET, "2025-Q3") == []

    converted = client.post(
        "/api/v1/observations", json={**base, "value": 2.5, "unit": "tỷ đồng"}, headers=headers
    )
    assert converted.status_code == 201
    assert converted.json()["observation"]["value"] == 2.5e9
    again = client.post(
        "/api/v1/observations", json={**base, "value": 2.5, "unit": "tỷ đồng"}, headers=headers
    )
    assert again.status_code == 200 and again.json()["written"] is False
    assert len(_figures(web.engine, BUDGET, "2025-Q3")) == 1
    revised = client.post(
        "/api/v1/observations", json={**base, "value": 2.75, "unit": "tỷ đồng"}, headers=headers
    )
    assert revised.status_code == 201
    assert revised.json()["replaced"] == converted.json()["observation"]["id"]
    entries = _audit(web.engine, "observation", revised.json()["observation"]["id"])
    assert entries[0][2]["value"] == 2.5e9 and entries[0][3]["value"] == 2.75e9

    wrong_unit = client.post(
        "/api/v1/observations", json={**base, "value": 1, "unit": "ha"}, headers=headers
    )
    assert wrong_unit.status_code == 422 and "đơn vị" in wrong_unit.json()["detail"]


def test_bad_form_input_is_refused_with_its_reason_and_nothing_written(web):
    cases = {
        "value": {"value": "mười hai"},
        "period": {"period": "quý 5/2025"},
        "region": {"region": "bac_giang", "period": "2026"},  # Bắc Giang ended in mid-2025
    }
    for field, change in cases.items():
        fields = {"indicator": BUDGET, "region": "bac_ninh", "period": "2025-Q3", "value": "1"}
        response = _form(web, "agency_editor", **{**fields, **change})
        assert response.status_code == 422, field
        assert _alert(response.text), field
        assert f'name="{field}"' in response.text
    assert [row for row in _figures(web.engine, BUDGET) if row[3] == "submission"] == []


def test_htmx_gets_the_result_block_with_the_saved_figure(web):
    response = web.clients["agency_editor"].post(
        "/entry",
        data={
            "indicator": "GRDP_GROWTH",
            "region": "bac_ninh",
            "period": "2025-Q3",
            "value": "8,5",
            "status": "estimate",
        },
        headers={"HX-Request": "true", "X-CSRF-Token": web.csrf("agency_editor")},
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="saved"' in response.text
    saved = _figures(web.engine, "GRDP_GROWTH", "2025-Q3")[-1]
    assert f'data-observation="{saved[0]}"' in response.text and saved[1] == 8.5
    # The recent figures below the form come along, swapped out of band, the new one in them.
    recent = re.search(r'<div id="recent-block" hx-swap-oob="true">.*?</div>', response.text, re.S)
    assert recent, response.text
    assert f'<tr data-observation="{saved[0]}">' in recent.group(0)
    assert "Chưa có số liệu nào" not in recent.group(0)

    refused = web.clients["agency_editor"].post(
        "/entry",
        data={"indicator": EXPORTS, "region": "bac_ninh", "period": "2025-Q3", "value": "1"},
        headers={"HX-Request": "true", "X-CSRF-Token": web.csrf("agency_editor")},
    )
    assert refused.status_code == 403 and "<html" not in refused.text
    assert EXPORTS in _alert(refused.text)


def test_a_form_post_without_the_csrf_token_is_refused(web):
    data = {"indicator": BUDGET, "region": "bac_ninh", "period": "2025-Q3", "value": "1"}
    client = web.clients["agency_editor"]
    assert client.post("/entry", data=data).status_code == 403
    assert client.post("/entry", data={**data, "csrf_token": "forged"}).status_code == 403
    upload = client.post("/entry/upload", files={"file": ("a.csv", b"x", "text/csv")})
    assert upload.status_code == 403
    assert _figures(web.engine, BUDGET, "2025-Q3") == []


def test_viewers_and_the_public_cannot_enter_figures(web):
    assert web.clients["viewer"].get("/entry").status_code == 403
    assert web.anonymous().get("/entry", follow_redirects=False).status_code == 303
    api = web.anonymous().post(
        "/api/v1/observations",
        json={"indicator": BUDGET, "region": "bac_ninh", "period": "2025", "value": 1.0},
        headers=_bearer(web, "viewer"),
    )
    assert api.status_code == 403


def test_the_template_lists_the_agencys_indicators(web):
    response = web.clients["agency_editor"].get("/entry/template.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["so_lieu"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("indicator", "region", "period", "value")
    listed = {row[0] for row in rows[1:]}
    with transaction(web.engine) as session:
        derived = set(session.scalars(select(Indicator.code).where(Indicator.formula.is_not(None))))
    assert listed == _reported_by(EDITOR_AGENCY) - derived
    assert {row[1] for row in rows[1:]} == {"bac_ninh"}
    assert EXPORTS not in listed
    catalogue = {row[0] for row in workbook["chi_tieu"].iter_rows(min_row=2, values_only=True)}
    assert catalogue == listed


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_filled_template_imports_and_a_rerun_writes_nothing(web):
    template = load_workbook(
        io.BytesIO(web.clients["agency_editor"].get("/entry/template.xlsx").content)
    )
    sheet = template["so_lieu"]
    for row in range(sheet.max_row, 1, -1):
        if sheet.cell(row, 1).value not in (BUDGET, "SOCIAL_INVESTMENT"):
            sheet.delete_rows(row)
    for row in (2, 3):
        sheet.cell(row, 3).value = "quý III/2025"
        sheet.cell(row, 4).value = "1.500,5"
        sheet.cell(row, 5).value = "tỷ đồng"
    filled = io.BytesIO()
    template.save(filled)
    batches = _count(web.engine, ImportBatch)

    first = _upload(web, "agency_editor", "Báo cáo quý 3 (bản cuối).xlsx", filled.getvalue())
    assert first.status_code == 303
    page = web.clients["agency_editor"].get(first.headers["location"])
    assert 'data-imported="Bao_cao_quy_3_ban_cuoi_.xlsx"' in page.text
    assert [row[1] for row in _figures(web.engine, BUDGET, "2025-Q3")] == [1500.5e9]
    assert _count(web.engine, ImportBatch) == batches + 1
    imports = _audit(web.engine, "import_batch")
    assert imports[-1][0] == "agency_editor" and imports[-1][3]["written"] == 2

    again = web.anonymous().post(
        "/api/v1/imports",
        files={"file": ("lan2.xlsx", filled.getvalue(), "application/octet-stream")},
        headers=_bearer(web, "agency_editor"),
    )
    assert again.status_code == 201
    assert again.json() | {"batch": None} == {
        "file": "lan2.xlsx",
        "rows": 2,
        "written": 0,
        "unchanged": 2,
        "batch": None,
        "encoding": None,  # a workbook has no encoding or separator to tell
        "separator": None,
    }
    assert _count(web.engine, ImportBatch) == batches + 1


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_agencys_later_figure_revises_the_earlier_whatever_the_channel(web):
    """Form, then CSV, then Excel, then API: one chain of revisions, never two figures."""
    period = "2025-Q4"
    form = _form(
        web, "agency_editor", indicator=BUDGET, region="bac_ninh", period=period, value="100"
    )
    assert form.status_code == 303, _alert(form.text)
    row = [BUDGET, "bac_ninh", period, "120", "", "actual", ""]
    assert _upload(web, "agency_editor", "lan1.csv", _csv([row])).status_code == 303
    workbook = load_workbook(
        io.BytesIO(web.clients["agency_editor"].get("/entry/template.xlsx").content)
    )
    sheet = workbook["so_lieu"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append([BUDGET, "bac_ninh", period, 130, "", "actual", ""])
    filled = io.BytesIO()
    workbook.save(filled)
    assert _upload(web, "agency_editor", "lan2.xlsx", filled.getvalue()).status_code == 303
    api = web.anonymous().post(
        "/api/v1/observations",
        json={"indicator": BUDGET, "region": "bac_ninh", "period": period, "value": 140.0},
        headers=_bearer(web, "agency_editor"),
    )
    assert api.status_code == 201, api.text
    # The same figure again by another channel is no duplicate: nothing is written.
    assert _upload(web, "agency_editor", "lan3.csv", _csv([[*row[:3], "140", *row[4:]]]))
    with transaction(web.engine) as session:
        rows = session.scalars(
            select(Observation)
            .where(Observation.indicator_code == BUDGET, Observation.period == period)
            .order_by(Observation.id)
        ).all()
        assert [(r.value, r.source_kind) for r in rows] == [
            (100, "submission"),
            (120, "import"),
            (130, "import"),
            (140, "submission"),
        ]
        # Each supersedes the one before: one current figure, so no conflict.
        assert [r.supersedes_id for r in rows] == [None, *(r.id for r in rows[:-1])]
        assert disagreements(rows[-1:]) == set()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_bad_upload_names_every_bad_row_and_writes_nothing(web):
    content = _csv(
        [
            [BUDGET, "bac_ninh", "2025-Q3", "5", "", "actual", ""],
            [BUDGET, "bac_ninh", "năm ngoái", "5", "", "actual", ""],
            ["SOCIAL_INVESTMENT", "bac_ninh", "2025-Q3", "ba mươi", "", "actual", ""],
            ["GRDP_GROWTH", "bac_giang", "2026", "7", "%", "actual", ""],
            ["NO_SUCH_INDICATOR", "bac_ninh", "2025", "1", "", "actual", ""],
        ]
    )
    before = _count(web.engine, Observation)
    page = _upload(web, "agency_editor", "bad.csv", content)
    assert page.status_code == 422
    assert re.findall(r'<li data-line="(\d+)"', page.text) == ["3", "4", "5", "6"]
    api = web.anonymous().post(
        "/api/v1/imports",
        files={"file": ("bad.csv", content, "text/csv")},
        headers=_bearer(web, "planner"),
    )
    assert api.status_code == 422
    assert [row["line"] for row in api.json()["rows"]] == [3, 4, 5, 6]
    assert "/tmp" not in api.json()["detail"]  # the server's temporary path stays private
    assert _count(web.engine, Observation) == before


def test_only_xlsx_and_csv_files_of_a_bounded_size_are_taken(loaded):
    web = build_web(loaded, max_upload_bytes=200)
    token = web.csrf("planner")
    client = web.clients["planner"]
    other = client.post(
        "/entry/upload", data={"csrf_token": token}, files={"file": ("x.exe", b"MZ", "text/plain")}
    )
    assert other.status_code == 422 and ".xlsx" in _alert(other.text)
    big = client.post(
        "/entry/upload",
        data={"csrf_token": token},
        files={"file": ("big.csv", b"indicator\n" + b"x" * 500, "text/csv")},
    )
    assert big.status_code == 413
    broken = client.post(
        "/entry/upload",
        data={"csrf_token": token},
        files={"file": ("broken.xlsx", b"not a zip", "application/octet-stream")},
    )
    assert broken.status_code == 422 and "/tmp" not in _alert(broken.text)
    api = web.anonymous().post(
        "/api/v1/imports",
        files={"file": ("big.csv", b"x" * 500, "text/csv")},
        headers=_bearer(web, "planner"),
    )
    assert api.status_code == 413


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_observations_api_lists_current_figures_with_filters_and_pages(web):
    client = web.anonymous()
    headers = _bearer(web, "viewer")
    with transaction(web.engine) as session:
        superseded = select(Observation.supersedes_id).where(Observation.supersedes_id.is_not(None))
        current = session.scalars(
            select(Observation.id).where(
                Observation.indicator_code == "GRDP_GROWTH", Observation.id.not_in(superseded)
            )
        ).all()
    listed = client.get("/api/v1/observations?indicator=GRDP_GROWTH&limit=1000", headers=headers)
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == len(current) > 2
    assert {item["id"] for item in body["items"]} == set(current)
    assert {item["indicator"] for item in body["items"]} == {"GRDP_GROWTH"}

    second = client.get(
        "/api/v1/observations?indicator=GRDP_GROWTH&limit=2&offset=1", headers=headers
    ).json()
    assert [item["id"] for item in second["items"]] == [item["id"] for item in body["items"][1:3]]

    by_region = client.get(
        "/api/v1/observations?region=bac_giang&period=2023", headers=headers
    ).json()
    assert by_region["items"] and all(
        item["region"] == "bac_giang" and item["period"] == "2023" for item in by_region["items"]
    )
    assert client.get("/api/v1/observations?indicator=NOPE", headers=headers).status_code == 404
    assert client.get("/api/v1/observations?period=năm+ngoái", headers=headers).status_code == 422
    assert client.get("/api/v1/observations?limit=0", headers=headers).status_code == 422
    assert client.get("/api/v1/observations").status_code == 401


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_planner_corrects_a_figure_and_the_old_one_stays(web):
    with transaction(web.engine) as session:
        original = session.scalars(
            select(Observation).where(Observation.indicator_code == "GRDP_GROWTH")
        ).first()
        original_id, original_value = original.id, original.value
    client = web.anonymous()
    body = {"value": original_value + 0.1, "note": "sửa theo số liệu chính thức"}
    refused = client.post(
        f"/api/v1/observations/{original_id}/correct",
        json=body,
        headers=_bearer(web, "agency_editor"),
    )
    assert refused.status_code == 403
    corrected = client.post(
        f"/api/v1/observations/{original_id}/correct", json=body, headers=_bearer(web, "planner")
    )
    assert corrected.status_code == 201, corrected.text
    revision = corrected.json()["observation"]
    assert revision["supersedes"] == original_id and revision["value"] == body["value"]
    with transaction(web.engine) as session:
        assert session.get(Observation, original_id).value == original_value
    entries = _audit(web.engine, "observation", original_id)
    assert entries[-1][1] == "correct"
    assert entries[-1][2]["value"] == original_value and entries[-1][3]["value"] == body["value"]

    twice = client.post(
        f"/api/v1/observations/{original_id}/correct", json=body, headers=_bearer(web, "planner")
    )
    assert twice.status_code == 409
    missing = client.post(
        "/api/v1/observations/999999/correct", json=body, headers=_bearer(web, "planner")
    )
    assert missing.status_code == 404
    no_reason = client.post(
        f"/api/v1/observations/{revision['id']}/correct",
        json={"value": 1.0, "note": ""},
        headers=_bearer(web, "planner"),
    )
    assert no_reason.status_code == 422


def test_the_entry_page_speaks_english_when_asked(web):
    page = web.clients["agency_editor"].get("/entry?lang=en")
    assert "Data entry" in page.text and "Save the figure" in page.text
    assert "Nhập số liệu</h1>" not in page.text
