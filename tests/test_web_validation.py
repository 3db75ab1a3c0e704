"""The review queue page and the validation API, on the loaded seeds.

A finding is made the way the app makes them: a figure is recorded and
enforced; its numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from chitieu import transaction
from chitieu._periods import parse_period
from chitieu.audit.models import AuditEntry
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import Source, record_observation
from chitieu.region.models import Region
from chitieu.validation.models import ValidationFinding
from chitieu.validation.service import enforce
from tests.conftest import BACKENDS

on_both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
# Poverty in Huyện Yên Thế, 2014: estimated 3%, then 1,5% actual: 1,5 points apart.
MESSAGE_VI = (
    "Tỷ lệ hộ nghèo (chuẩn đa chiều) năm 2014: 3% (ước tính) lệch 1,5 điểm so với số thực "
    "hiện 1,5% (cho phép 1)"
)
MESSAGE_EN = (
    "Multidimensional poverty rate (households) 2014: 3% (estimate) differs from the actual "
    "1.5% by 1.5 points (tolerance 1)"
)


def make_finding(engine) -> int:
    with transaction(engine) as session:
        region = session.scalar(select(Region).where(Region.code == "bg_yen_the"))
        indicator = session.get(Indicator, "POVERTY_RATE")
        rows = [
            record_observation(
                session,
                indicator=indicator,
                region=region,
                period=parse_period("2014"),
                value=value,
                status=status,
                source=Source("manual"),
                recorded_by="an",
            )[0]
            for value, status in ((3.0, "estimate"), (1.5, "actual"))
        ]
        (finding,) = enforce(session, observation=rows[1], actor="an")
        return finding.id


def bearer(web, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def audit_entries(engine, finding_id: int) -> list[AuditEntry]:
    with transaction(engine) as session:
        query = select(AuditEntry).where(
            AuditEntry.entity == "validation_finding", AuditEntry.entity_id == str(finding_id)
        )
        return list(session.scalars(query))


# The page ----------------------------------------------------------------------------------------


def test_the_queue_shows_a_finding_and_explaining_it_takes_it_off(web):
    finding_id = make_finding(web.engine)
    planner = web.clients["planner"]
    page = planner.get("/validation")
    assert page.status_code == 200
    assert f'id="finding-{finding_id}"' in page.text
    assert MESSAGE_VI in page.text
    assert 'href="/indicators/POVERTY_RATE"' in page.text
    assert "Huyện Yên Thế" in page.text and "năm 2014" in page.text
    assert 'data-count="1"' in page.text
    assert 'name="explanation"' in page.text
    english = planner.get("/validation?lang=en")
    assert MESSAGE_EN in english.text
    planner.get("/validation?lang=vi")

    answer = planner.post(
        f"/validation/{finding_id}",
        data={
            "csrf_token": web.csrf("planner"),
            "action": "explain",
            "explanation": "Số ước tính đầu năm, trước khi có điều tra hộ nghèo",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/validation"
    after = planner.get("/validation")
    assert f'id="finding-{finding_id}"' not in after.text
    assert 'data-count="0"' in after.text
    (entry,) = audit_entries(web.engine, finding_id)
    assert (entry.actor, entry.action) == ("planner", "explain")


def test_htmx_gets_the_row_back_and_an_empty_explanation_is_refused(web):
    finding_id = make_finding(web.engine)
    admin = web.clients["admin"]
    headers = {"HX-Request": "true", "X-CSRF-Token": web.csrf("admin")}
    refused = admin.post(
        f"/validation/{finding_id}",
        data={"action": "explain", "explanation": "   "},
        headers=headers,
    )
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "cần ghi lời giải thích" in refused.text
    assert 'data-state="open"' in refused.text
    dismissed = admin.post(f"/validation/{finding_id}", data={"action": "dismiss"}, headers=headers)
    assert dismissed.status_code == 200
    assert f'id="finding-{finding_id}"' in dismissed.text
    assert 'data-state="dismissed"' in dismissed.text and "<html" not in dismissed.text
    # The queue's count hears that a finding left it, and fetches itself with the page's filter.
    assert dismissed.headers["HX-Trigger"] == "findings-changed"
    assert "HX-Trigger" not in refused.headers
    queue = admin.get("/validation?indicator=POVERTY_RATE").text
    count = re.search(r'<p id="findings-count"[^>]*>', queue).group(0)
    assert 'hx-trigger="findings-changed from:body"' in count
    assert 'hx-get="/validation?indicator=POVERTY_RATE"' in count
    assert 'hx-select="#findings-count"' in count
    assert audit_entries(web.engine, finding_id)[0].action == "dismiss"
    again = admin.post(f"/validation/{finding_id}", data={"action": "dismiss"}, headers=headers)
    assert again.status_code == 422 and "đã bỏ qua" in again.text
    unknown = admin.post(
        f"/validation/{finding_id}",
        data={"action": "delete", "csrf_token": web.csrf("admin")},
    )
    assert unknown.status_code == 422


def test_the_queue_filters_by_indicator_and_is_for_reviewers_only(web):
    make_finding(web.engine)
    planner = web.clients["planner"]
    assert 'data-count="1"' in planner.get("/validation?indicator=poverty_rate").text
    assert 'data-count="0"' in planner.get("/validation?indicator=GRDP_GROWTH").text
    assert planner.get("/validation?indicator=NO_SUCH").status_code == 404
    # Reviewers filter by the name they know; the box shows the name, never the code.
    by_name = planner.get(
        "/validation", params={"indicator": "ty le ho ngheo (chuan da chieu)"}
    ).text
    assert 'data-count="1"' in by_name
    box = re.search(r'<input name="indicator"[^>]*>', by_name).group(0)
    assert 'value="Tỷ lệ hộ nghèo (chuẩn đa chiều)"' in box and "POVERTY_RATE" not in box
    assert '<option value="Tốc độ tăng trưởng kinh tế (GRDP) theo giá so sánh">' in by_name
    english = planner.get("/validation?indicator=poverty_rate&lang=en").text
    assert (
        'value="Multidimensional poverty rate (households)"' in english
        and "GRDP_GROWTH" not in english
    )
    for role in ("viewer", "agency_editor"):
        assert web.clients[role].get("/validation").status_code == 403
    assert web.anonymous().get("/validation", follow_redirects=False).status_code == 303


# The API -----------------------------------------------------------------------------------------


@on_both
def test_findings_are_listed_by_state_and_explained_through_the_api(web):
    finding_id = make_finding(web.engine)
    client = web.anonymous()
    listed = client.get("/api/v1/findings", headers=bearer(web, "planner")).json()
    assert listed["total"] == 1
    (item,) = listed["items"]
    assert (item["id"], item["rule"], item["severity"], item["state"]) == (
        finding_id,
        "estimate_vs_actual_points",
        "warning",
        "open",
    )
    assert (item["indicator"], item["region"], item["period"]) == (
        "POVERTY_RATE",
        "bg_yen_the",
        "2014",
    )
    assert item["message"] == MESSAGE_VI and item["message_en"] == MESSAGE_EN
    assert (
        client.get("/api/v1/findings?lang=en", headers=bearer(web, "planner")).json()["items"][0][
            "message"
        ]
        == MESSAGE_EN
    )
    # The ten explanations shipped with the seeds (eight for the published web figures).
    seeds = client.get("/api/v1/findings?state=explained", headers=bearer(web, "admin")).json()
    assert seeds["total"] == 10
    assert {i["rule"] for i in seeds["items"]} == {
        "grdp_structure",
        "grdp_growth_by_sector",
        "grdp_industry_construction",
        "estimate_vs_actual_points",
        "outlier",
    }
    # Each comes in the language asked for: the dataset ships an English version beside it.
    english = client.get(
        "/api/v1/findings?state=explained&lang=en", headers=bearer(web, "admin")
    ).json()
    assert all(" the " in i["explanation"] for i in english["items"]), english["items"]
    assert all("Các số được giữ" not in i["explanation"] for i in english["items"])
    assert any("Các số được giữ" in i["explanation"] for i in seeds["items"])

    explained = client.post(
        f"/api/v1/findings/{finding_id}/explain",
        json={"explanation": "ước tính sớm"},
        headers=bearer(web, "planner"),
    )
    assert explained.status_code == 200, explained.text
    body = explained.json()
    assert (body["state"], body["explanation"], body["resolved_by"]) == (
        "explained",
        "ước tính sớm",
        "planner",
    )
    assert body["resolved_at"].endswith("+00:00") or body["resolved_at"].endswith("Z")
    assert client.get("/api/v1/findings", headers=bearer(web, "planner")).json()["total"] == 0
    (entry,) = audit_entries(web.engine, finding_id)
    assert (entry.actor, entry.action) == ("planner", "explain")

    again = client.post(
        f"/api/v1/findings/{finding_id}/dismiss", json={}, headers=bearer(web, "planner")
    )
    assert again.status_code == 409 and "đã giải thích" in again.json()["detail"]


@on_both
def test_the_findings_api_refuses_bad_input_and_other_roles(web):
    finding_id = make_finding(web.engine)
    client = web.anonymous()
    admin = bearer(web, "admin")
    not_text = client.post(
        f"/api/v1/findings/{finding_id}/explain", json={"explanation": 5}, headers=admin
    )
    assert not_text.status_code == 422
    extra = client.post(
        f"/api/v1/findings/{finding_id}/explain",
        json={"explanation": "x", "state": "open"},
        headers=admin,
    )
    assert extra.status_code == 422
    assert (
        client.post(
            "/api/v1/findings/999999/explain", json={"explanation": "x"}, headers=admin
        ).status_code
        == 404
    )
    assert client.get("/api/v1/findings?state=closed", headers=admin).status_code == 422
    assert client.get("/api/v1/findings?indicator=NO_SUCH", headers=admin).status_code == 404
    for role in ("viewer", "agency_editor"):
        assert client.get("/api/v1/findings", headers=bearer(web, role)).status_code == 403
        refused = client.post(
            f"/api/v1/findings/{finding_id}/dismiss", json={}, headers=bearer(web, role)
        )
        assert refused.status_code == 403
    assert client.get("/api/v1/findings").status_code == 401
    dismissed = client.post(
        f"/api/v1/findings/{finding_id}/dismiss", json={"reason": "trùng"}, headers=admin
    )
    assert dismissed.json()["state"] == "dismissed" and dismissed.json()["explanation"] == "trùng"


@on_both
def test_a_dry_run_check_says_what_a_figure_would_break_and_writes_nothing(web):
    client = web.anonymous()
    with transaction(web.engine) as session:
        before = session.scalar(select(func.count()).select_from(Observation))
        findings_before = session.scalar(select(func.count()).select_from(ValidationFinding))
    # 2022: a year without a published forest cover (2023's 37,8% would add a comparison).
    figure = {
        "indicator": "FOREST_COVER",
        "region": "bac_giang",
        "period": "2022",
        "value": 137.8,
        "status": "estimate",
    }
    answer = client.post(
        "/api/v1/validation/check", json=figure, headers=bearer(web, "agency_editor")
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["blocked"] is True
    (violation,) = result["violations"]
    assert (violation["rule"], violation["kind"], violation["severity"]) == (
        "rate_0_100",
        "bounds",
        "blocking",
    )
    assert violation["message"] == (
        "Tỷ lệ che phủ rừng năm 2022: 137,8% nằm ngoài khoảng 0–100% của một tỷ lệ"
    )
    assert violation["explanation"] is None
    english = client.post(
        "/api/v1/validation/check?lang=en", json=figure, headers=bearer(web, "planner")
    ).json()
    assert english["violations"][0]["message"].startswith("Forest cover 2022: 137.8% is outside")
    fine = client.post(
        "/api/v1/validation/check", json={**figure, "value": 38}, headers=bearer(web, "planner")
    ).json()
    assert fine == {"blocked": False, "violations": []}
    # The seeds' own mid-2023 estimate: flagged, and already explained.
    known = client.post(
        "/api/v1/validation/check",
        json={
            "indicator": "GRDP_GROWTH",
            "region": "Bắc Giang",
            "period": "năm 2023",
            "value": 14.5,
            "status": "estimate",
        },
        headers=bearer(web, "planner"),
    ).json()
    assert known["blocked"] is False and known["violations"]
    assert all(v["explanation"] for v in known["violations"])
    with transaction(web.engine) as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == before
        assert (
            session.scalar(select(func.count()).select_from(ValidationFinding)) == findings_before
        )


@on_both
def test_the_dry_run_refuses_bad_input_and_readers(web):
    client = web.anonymous()
    planner = bearer(web, "planner")
    figure = {"indicator": "FOREST_COVER", "region": "bac_giang", "period": "2023", "value": 40}
    for bad in (
        {"value": True},
        {"value": "40"},
        {"status": "target"},
        {"period": "năm ngoái"},
        {"extra": 1},
    ):
        assert (
            client.post(
                "/api/v1/validation/check", json={**figure, **bad}, headers=planner
            ).status_code
            == 422
        ), bad
    assert (
        client.post(
            "/api/v1/validation/check", json={**figure, "indicator": "NO_SUCH"}, headers=planner
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/validation/check", json={**figure, "region": "Atlantis"}, headers=planner
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/validation/check", json={**figure, "indicator": "TRADE_VALUE"}, headers=planner
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/validation/check", json=figure, headers=bearer(web, "viewer")
        ).status_code
        == 403
    )
    assert client.post("/api/v1/validation/check", json=figure).status_code == 401
