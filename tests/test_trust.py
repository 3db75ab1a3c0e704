"""Trust fixes (issue 14, item 7): doubtful figures, choices across statuses, the correction
guard and the order-of-magnitude check, on the embedded dataset and on both backends."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from chitieu import get_indicator, get_region, transaction
from chitieu._errors import StateError
from chitieu._models import ConflictChoice, Observation, Plan
from chitieu._periods import parse_period
from chitieu.assessment.service import assess
from chitieu.extraction.conflicts import choose, conflicts
from chitieu.observation.service import Source, correct_observation, record_observation
from tests.conftest import BACKENDS
from tests.test_cli import chitieu
from tests.webkit import page_csrf

on_both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
AS_OF = date(2026, 12, 1)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _record(session: Session, plan: str, indicator: str, period: str) -> dict[str, Any]:
    owner = session.scalar(select(Plan).where(Plan.code == plan))
    (found,) = [
        a.record()
        for a in assess(session, as_of=AS_OF, plan=owner)
        if a.target.indicator_code == indicator and a.target.period == period
    ]
    return found


def _figure(session: Session, indicator: str, period: str, value: float, status: str) -> int:
    found = session.scalar(
        select(Observation.id).where(
            Observation.indicator_code == indicator,
            Observation.period == period,
            Observation.value == value,
            Observation.status == status,
        )
    )
    assert found is not None, (indicator, period, value, status)
    return found


# --- doubtful figures ------------------------------------------------------------------


@on_both
def test_a_doubtful_figure_is_set_aside_and_the_assessment_says_so(loaded):
    with transaction(loaded) as session:
        urbanisation = _record(session, "kh-ktxh-2024", "URBANISATION_RATE", "2024")
        decision = _record(session, "qd-249-2019", "URBANISATION_RATE", "2025")
    # 57,13 % for 2024 is noted "nghi vấn nếu là số của toàn tỉnh": before, "đạt 238% kế hoạch".
    assert urbanisation["latest_value"] != 57.13
    assert urbanisation["status"] != "achieved"
    assert "238" not in urbanisation["note"]
    # The source by its title, not its key (hoi-thao-2025).
    assert "không dùng 57,13 (Báo cáo kết quả hội thảo khoa học" in urbanisation["note"]
    assert "nghi vấn (không ghi kỳ" in urbanisation["note"]
    # 2024 had no other figure: it needs checking, and the series went on without it.
    assert "cần kiểm tra" in urbanisation["note"]
    assert decision["latest_period"] == "2020" and decision["latest_value"] == 18.3
    assert decision["status"] != "achieved"
    assert "không dùng 57,13" in decision["note"]


@on_both
def test_a_doubtful_figure_a_planner_chose_counts_unflagged(loaded):
    with transaction(loaded) as session:
        before = _record(session, "kh-ktxh-2024", "URBANISATION_RATE", "2024")
        doubtful = _figure(session, "URBANISATION_RATE", "2024", 57.13, "actual")
        choose(session, observation_id=doubtful, chosen_by="planner", reason="đã đối chiếu")
    with transaction(loaded) as session:
        record = _record(session, "kh-ktxh-2024", "URBANISATION_RATE", "2024")
    assert before["latest_value"] != 57.13
    assert record["latest_value"] == 57.13
    assert "không dùng" not in (record["note"] or "")


def test_the_assess_command_shows_the_figure_set_aside(loaded_sqlite):
    result = chitieu("assess", "--plan", "kh-ktxh-2024", "--format", "json", db=_url(loaded_sqlite))
    assert result.returncode == 0, result.stderr
    (urbanisation,) = [
        r for r in json.loads(result.stdout) if r["indicator"] == "URBANISATION_RATE"
    ]
    assert urbanisation["latest_value"] != 57.13
    assert "không dùng 57,13" in urbanisation["note"] and "cần kiểm tra" in urbanisation["note"]


# --- choices across statuses -----------------------------------------------------------


@on_both
def test_a_choice_among_estimates_never_displaces_the_published_actual(loaded):
    with transaction(loaded) as session:
        estimate = _figure(session, "GRDP_GROWTH", "2024", 14.5, "estimate")
        actual = _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual")
        choice = choose(session, observation_id=estimate, chosen_by="planner", reason="số ước")
        assert choice.status == "estimate"
    with transaction(loaded) as session:
        record = _record(session, "kh-ktxh-2024", "GRDP_GROWTH", "2024")
        (group,) = [
            c
            for c in conflicts(
                session, indicator=get_indicator(session, code_or_name="GRDP_GROWTH")
            )
            if c.period == "2024" and c.status == "estimate"
        ]
    assert record["latest_value"] == 13.87 and record["latest_status"] == "actual"
    assert "không theo lựa chọn số 14,5 (lựa chọn giữa các số ước tính)" in record["note"]
    # The conflict among estimates shows the actual too, with its status.
    statuses = {m.observation_id: m.status for m in group.members}
    assert statuses[actual] == "actual" and statuses[estimate] == "estimate"


@on_both
def test_a_choice_made_before_the_guard_does_not_displace_the_actual(loaded):
    # What the earlier code recorded: a choice among estimates, with the estimates' status.
    with transaction(loaded) as session:
        estimate = session.get(
            Observation, _figure(session, "GRDP_GROWTH", "2024", 14.5, "estimate")
        )
        assert estimate is not None
        session.add(
            ConflictChoice(
                indicator_code="GRDP_GROWTH",
                region_id=estimate.region_id,
                period="2024",
                status="estimate",
                observation=estimate,
                chosen_by="planner",
                reason="số ước",
            )
        )
    with transaction(loaded) as session:
        record = _record(session, "qd-249-2019", "GRDP_GROWTH", "2019/2025")
    assert record["latest_value"] == 13.87


@on_both
def test_a_knowing_choice_displaces_the_actual(loaded):
    with transaction(loaded) as session:
        estimate = _figure(session, "GRDP_GROWTH", "2024", 14.5, "estimate")
        choice = choose(
            session,
            observation_id=estimate,
            chosen_by="planner",
            reason="số của tỉnh",
            knowingly=True,
        )
        assert choice.status == "actual"
    with transaction(loaded) as session:
        record = _record(session, "kh-ktxh-2024", "GRDP_GROWTH", "2024")
    assert record["latest_value"] == 14.5
    assert "theo lựa chọn của người lập kế hoạch" in record["note"]


def test_the_choose_command_says_the_actual_stays_unless_knowingly(loaded):
    db = _url(loaded)
    with transaction(loaded) as session:
        estimate = _figure(session, "GRDP_GROWTH", "2024", 14.5, "estimate")
        actual = _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual")
    said = chitieu("review", "choose", str(estimate), "--reason", "số ước", db=db)
    assert said.returncode == 0, said.stderr
    assert f"13,87% (#{actual}, thực hiện)" in said.stdout and "--knowingly" in said.stdout
    listed = chitieu("review", "--format", "json", db=db)
    (group,) = [
        c
        for c in json.loads(listed.stdout)["conflicts"]
        if c["indicator"] == "GRDP_GROWTH" and c["period"] == "2024" and c["status"] == "estimate"
    ]
    assert {m["observation_id"]: m["status"] for m in group["members"]}[actual] == "actual"
    knowing = chitieu("review", "choose", str(estimate), "--reason", "số ước", "--knowingly", db=db)
    assert knowing.returncode == 0, knowing.stderr
    assert "--knowingly" not in knowing.stdout


# --- the correction guard --------------------------------------------------------------


@on_both
def test_correct_refuses_ten_times_without_force_and_names_the_values(loaded):
    with transaction(loaded) as session:
        actual = _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual")
    url = _url(loaded)
    refused = chitieu("correct", str(actual), "138.7", "--note", "sửa", db=url)
    assert refused.returncode != 0
    (line,) = refused.stderr.strip().splitlines()
    assert "GRDP_GROWTH" in line and "13,87 → 138,7" in line and "--force" in line
    with transaction(loaded) as session:
        assert (
            session.scalar(select(Observation.id).where(Observation.supersedes_id == actual))
            is None
        )
    forced = chitieu("correct", str(actual), "138.7", "--note", "sửa", "--force", db=url)
    assert forced.returncode == 0, forced.stderr
    assert "GRDP_GROWTH" in forced.stdout and "13,87% → 138,7%" in forced.stdout


@on_both
def test_correct_accepts_a_small_change_and_shows_old_and_new(loaded):
    with transaction(loaded) as session:
        actual = _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual")
    done = chitieu("correct", str(actual), "13.9", "--note", "số chính thức", db=_url(loaded))
    assert done.returncode == 0, done.stderr
    assert "GRDP_GROWTH" in done.stdout and "13,87% → 13,9%" in done.stdout


@on_both
def test_the_library_guard_refuses_a_tenth_and_a_change_of_sign(loaded):
    with transaction(loaded) as session:
        row = session.get(Observation, _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual"))
        assert row is not None
        for value in (1.387, -13.87):
            with pytest.raises(StateError, match="--force"):
                correct_observation(
                    session, observation=row, value=value, recorded_by="x", note="y"
                )


# --- the order-of-magnitude check ------------------------------------------------------


@on_both
def test_validate_flags_a_jump_of_ten_times_inside_a_series(loaded):
    with transaction(loaded) as session:
        indicator = get_indicator(session, code_or_name="URBANISATION_RATE")
        region = get_region(session, code_or_name="bac_giang")
        record_observation(
            session,
            indicator=indicator,
            region=region,
            period=parse_period("2021"),
            value=1.5,
            status="actual",
            source=Source("manual"),
            recorded_by="tester",
        )
    result = chitieu("validate", "--format", "json", db=_url(loaded))
    assert result.returncode == 0, result.stderr
    found = [f for f in json.loads(result.stdout) if f["rule"] == "order_of_magnitude"]
    (jump,) = [f for f in found if f["period"] == "2021"]
    assert jump["indicator"] == "URBANISATION_RATE" and jump["rule"] == "order_of_magnitude"
    assert "năm 2020 (18,3%)" in jump["message_vi"] and "năm 2021 (1,5%)" in jump["message_vi"]


def test_the_conflicts_page_offers_the_actual_and_asks_before_displacing_it(web):
    client = web.clients["planner"]
    with transaction(web.engine) as session:
        estimate = _figure(session, "GRDP_GROWTH", "2024", 14.5, "estimate")
        actual = _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual")
    page = client.get("/conflicts").text
    assert f'value="{actual}"' in page and 'name="knowingly"' in page
    statuses = []
    for knowingly in ({}, {"knowingly": "true"}):
        response = client.post(
            "/conflicts/choose",
            data={
                "observation_id": str(estimate),
                "reason": "số của tỉnh",
                "csrf_token": page_csrf(page),
                **knowingly,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        with transaction(web.engine) as session:
            choice = session.scalars(
                select(ConflictChoice).order_by(ConflictChoice.id.desc())
            ).first()
            assert choice is not None and choice.observation_id == estimate
            statuses.append(choice.status)
    assert statuses == ["estimate", "actual"]


def test_observations_conflicts_lists_the_actual_beside_the_disputed_estimates(loaded):
    with transaction(loaded) as session:
        actual = _figure(session, "GRDP_GROWTH", "2024", 13.87, "actual")
    args = ("observations", "--conflicts", "--indicator", "GRDP_GROWTH", "--period", "2024")
    result = chitieu(*args, "--format", "json", db=_url(loaded))
    assert result.returncode == 0, result.stderr
    shown = {r["id"]: (r["status"], r["disputed"]) for r in json.loads(result.stdout)}
    assert shown[actual] == ("actual", False)
    assert {status for status, disputed in shown.values() if disputed} == {"estimate"}
