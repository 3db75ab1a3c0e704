"""The overview page (every target of a plan, judged at a date) and the plans' API."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from chitieu import (
    Source,
    assess,
    get_plan,
    get_region,
    list_plans,
    list_targets,
    parse_period,
    record_observation,
    transaction,
)
from chitieu.plan.dashboard import default_plan
from tests.conftest import BACKENDS

AS_OF = date(2025, 12, 31)
ROW = re.compile(r'<tr data-target="(\d+)" data-status="(\w+)"')
COUNT = re.compile(r'data-count-status="(\w+)"><strong>(\d+)</strong>')


def shown_rows(html: str) -> dict[int, str]:
    return {int(target): status for target, status in ROW.findall(html)}


def shown_counts(html: str) -> dict[str, int]:
    return {status: int(count) for status, count in COUNT.findall(html)}


def expected(web, *, plan_code: str, as_of: date, region: str | None = None) -> dict[int, str]:
    with transaction(web.engine) as session:
        plan = get_plan(session, code_or_number=plan_code)
        place = get_region(session, code_or_name=region) if region else None
        return {
            a.target.id: a.status for a in assess(session, as_of=as_of, plan=plan, region=place)
        }


def test_overview_statuses_and_counts_agree_with_assess(web):
    # The plan in force at the date: Bắc Giang ceased on 1/7/2025; of the new Bắc Ninh's
    # plans covering 2025 and issued by then, its 2025 plan (HĐND, 14/7/2025) carries out
    # the Party Congress resolution for that year.
    with transaction(web.engine) as session:
        chosen = default_plan(session, as_of=AS_OF)
        newest_code, newest_title = chosen.code, chosen.title
        assert newest_code == "nq-hdnd-bn-2025"
    page = web.clients["viewer"].get("/overview", params={"as_of": AS_OF.isoformat()})
    assert page.status_code == 200
    assert newest_title in page.text
    assert "chưa có kế hoạch nào của Bắc Ninh" not in page.text
    rows = shown_rows(page.text)
    wanted = expected(web, plan_code=newest_code, as_of=AS_OF)
    assert rows == wanted
    counts = shown_counts(page.text)
    assert sum(counts.values()) == len(rows)
    assert {s: n for s, n in counts.items() if n} == dict(Counter(wanted.values()))
    for target, status in rows.items():
        assert re.search(
            rf'<tr data-target="{target}" data-status="{status}"[^>]*>.*?'
            rf'<span class="badge status-{status}">',
            page.text,
            re.S,
        )


def test_each_row_links_to_its_indicator_and_shows_the_latest_figure(web):
    page = web.clients["viewer"].get("/overview", params={"plan": "kh-ktxh-2024"}).text
    with transaction(web.engine) as session:
        plan = get_plan(session, code_or_number="kh-ktxh-2024")
        targets = [
            (t.id, t.indicator_code, t.region.code) for t in list_targets(session, plan=plan)
        ]
    for target_id, code, region in targets:
        row = re.search(rf'<tr data-target="{target_id}".*?</tr>', page, re.S)
        assert row, target_id
        assert f'href="/indicators/{code}?region={region}"' in row.group(0)
    # GRDP growth 2024: 13,87 against 14,5, shown the Vietnamese way.
    grdp = next(t for t in targets if t[1] == "GRDP_GROWTH")
    row = re.search(rf'<tr data-target="{grdp[0]}".*?</tr>', page, re.S).group(0)
    assert "13,87%" in row and "14,5%" in row
    assert "năm 2024" in row and "thực hiện" in row


def test_the_plan_filter_shows_that_plans_targets(web):
    client = web.clients["viewer"]
    page = client.get("/overview", params={"plan": "qd-249-2019", "as_of": AS_OF.isoformat()})
    assert shown_rows(page.text) == expected(web, plan_code="qd-249-2019", as_of=AS_OF)
    # The document number works too, and an unknown plan is a 404.
    by_number = client.get("/overview", params={"plan": "249/QĐ-UBND", "as_of": "2025-12-31"})
    assert shown_rows(by_number.text) == shown_rows(page.text)
    assert client.get("/overview", params={"plan": "no-such-plan"}).status_code == 404


def test_an_earlier_date_changes_what_is_known(web):
    client = web.clients["viewer"]
    now = client.get("/overview", params={"plan": "qd-249-2019", "as_of": "2025-12-31"}).text
    then = client.get("/overview", params={"plan": "qd-249-2019", "as_of": "2020-06-30"}).text
    assert shown_rows(then) == expected(web, plan_code="qd-249-2019", as_of=date(2020, 6, 30))
    assert shown_rows(then) != shown_rows(now)
    assert "30/06/2020" in then and 'value="2020-06-30"' in then


def test_the_region_filter(web):
    client = web.clients["viewer"]
    # Bắc Giang's 2024 plan: every target is Bắc Giang's, none the new Bắc Ninh's.
    plan = {"plan": "kh-ktxh-2024"}
    everywhere = client.get("/overview", params={**plan, "as_of": "2025-12-31"}).text
    bac_giang = client.get(
        "/overview", params={**plan, "as_of": "2025-12-31", "region": "bac_giang"}
    )
    assert shown_rows(bac_giang.text) == shown_rows(everywhere)
    elsewhere = client.get("/overview", params={**plan, "region": "bac_ninh"})
    assert elsewhere.status_code == 200
    assert shown_rows(elsewhere.text) == {}
    assert set(shown_counts(elsewhere.text).values()) == {0}
    assert client.get("/overview", params={"region": "atlantis"}).status_code == 404


def test_htmx_gets_only_the_results_block(web):
    client = web.clients["viewer"]
    full = client.get("/overview", params={"plan": "qd-249-2019"})
    partial = client.get(
        "/overview", params={"plan": "qd-249-2019"}, headers={"HX-Request": "true"}
    )
    assert "<html" in full.text and "<html" not in partial.text
    assert partial.text.lstrip().startswith('<div id="overview">')
    assert shown_rows(partial.text) == shown_rows(full.text)
    # The filters are a plain GET form too, for browsers without JavaScript.
    assert re.search(r'<form[^>]*method="get"[^>]*action="/overview"', full.text)
    assert 'hx-get="/overview"' in full.text and 'type="date" name="as_of"' in full.text


def test_english_labels_and_numbers(web):
    client = web.clients["viewer"]
    vi = client.get("/overview", params={"plan": "kh-ktxh-2024"}).text
    en = client.get("/overview", params={"plan": "kh-ktxh-2024", "lang": "en"}).text
    assert "Kinh tế" in vi and "Economy" in en and "Kinh tế</th>" not in en
    assert "thiếu số liệu" in vi and "insufficient data" in en
    # GRDP per head: 4.550 USD in Vietnamese, 4,550 in English.
    assert "4.550 USD/người" in vi and "4,550 USD/person" in en
    assert "13.87%" in en and "13,87%" in vi


def test_a_bad_date_is_a_422_not_a_crash(web):
    response = web.clients["viewer"].get("/overview", params={"as_of": "31/12/2025"})
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.text


def test_nobody_signed_in_is_sent_to_log_in(web):
    response = web.anonymous().get("/overview", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# --- API, on both databases --------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_plans_and_their_targets_api(web):
    client = web.clients["viewer"]
    plans = client.get("/api/v1/plans")
    assert plans.status_code == 200
    with transaction(web.engine) as session:
        stored = {plan.code: len(plan.targets) for plan in list_plans(session)}
        qd = get_plan(session, code_or_number="qd-249-2019")
        qd_targets = [(t.id, t.indicator_code, t.minimum, t.maximum) for t in qd.targets]
    assert {plan["code"]: plan["targets"] for plan in plans.json()} == stored
    qd_plan = next(plan for plan in plans.json() if plan["code"] == "qd-249-2019")
    assert qd_plan["document_number"] == "249/QĐ-UBND" and qd_plan["issued_on"] == "2019-04-26"
    targets = client.get("/api/v1/plans/qd-249-2019/targets")
    assert targets.status_code == 200
    assert [(t["id"], t["indicator"], t["min"], t["max"]) for t in targets.json()] == qd_targets
    assert {t["area"] for t in targets.json()} == {"economy", "society", "environment"}
    assert client.get("/api/v1/plans/nothing/targets").status_code == 404


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_assessments_api_matches_assess(web):
    headers = {"Authorization": f"Bearer {web.tokens['viewer']}"}
    client = web.anonymous()
    response = client.get(
        "/api/v1/assessments",
        params={"plan": "qd-249-2019", "as_of": "2024-06-30"},
        headers=headers,
    )
    assert response.status_code == 200
    with transaction(web.engine) as session:
        plan = get_plan(session, code_or_number="qd-249-2019")
        records = {
            a.target.id: a.record() for a in assess(session, as_of=date(2024, 6, 30), plan=plan)
        }
    got = {item["target_id"]: item for item in response.json()}
    assert got.keys() == records.keys()
    for target_id, record in records.items():
        for key, value in record.items():
            assert got[target_id][key] == value, (target_id, key)
    every_plan = client.get("/api/v1/assessments", params={"as_of": "2024-06-30"}, headers=headers)
    assert len(every_plan.json()) == sum(
        len(client.get(f"/api/v1/plans/{code}/targets", headers=headers).json())
        for code in (p["code"] for p in client.get("/api/v1/plans", headers=headers).json())
    )
    assert (
        client.get(
            "/api/v1/assessments", params={"as_of": "yesterday"}, headers=headers
        ).status_code
        == 422
    )
    assert (
        client.get(
            "/api/v1/assessments", params={"region": "atlantis"}, headers=headers
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/assessments", params={"plan": "x" * 65}, headers=headers).status_code
        == 422
    )
    assert client.get("/api/v1/assessments").status_code == 401


def test_a_page_kept_in_memory_carries_nobody_elses_name_and_a_change_redraws_it(web):
    # A plan named, not the default: the default follows the calendar (issue 14, item 5).
    params = {"plan": "kh-ktxh-2024", "as_of": AS_OF.isoformat()}
    first = web.clients["planner"].get("/overview", params=params)
    kept = web.clients["viewer"].get("/overview", params=params)
    assert first.status_code == kept.status_code == 200
    assert 'data-role="viewer"' in kept.text and 'data-role="planner"' not in kept.text
    assert shown_rows(kept.text) == shown_rows(first.text)
    assert len(web.app.state.page_cache) == 1

    with transaction(web.engine) as session:
        plan = get_plan(session, code_or_number="kh-ktxh-2024")
        judged = assess(session, as_of=AS_OF, plan=plan)
        target = next(
            a.target
            for a in judged
            if a.status == "insufficient_data"
            and a.target.measure == "level"
            and a.target.indicator.direction == "higher"
            and a.target.minimum is not None
            and not a.target.indicator.is_derived
        )
        target_id, plan_code = target.id, plan.code
        record_observation(
            session,
            indicator=target.indicator,
            region=target.region,
            period=parse_period(target.period),
            value=target.minimum,
            status="actual",
            source=Source("manual"),
            recorded_by="test",
        )
    redrawn = web.clients["viewer"].get("/overview", params=params)
    assert shown_rows(redrawn.text)[target_id] == "achieved"
    assert shown_rows(redrawn.text) == expected(web, plan_code=plan_code, as_of=AS_OF)


def test_plan_title_and_target_groups_follow_the_page_language(web):
    client = web.clients["viewer"]
    params = {"plan": "kh-ktxh-2024"}
    english = client.get("/overview", params={**params, "lang": "en"}).text
    vietnamese = client.get("/overview", params={**params, "lang": "vi"}).text
    assert "<strong>Socio-economic development plan for 2024</strong>" in english
    assert "<strong>Kế hoạch phát triển kinh tế - xã hội năm 2024</strong>" in vietnamese
    assert '<td colspan="6">State budget revenue</td>' in english
    assert '<td colspan="6">Thu ngân sách nhà nước</td>' in vietnamese
