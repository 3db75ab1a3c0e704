"""Security: who may call what (sessions and API tokens), CSRF, escaping, injection, uploads.

``tests/test_permissions.py`` walks every route as every signed-in role and
checks CSRF on every state-changing route without a token or with a forged
one; this file adds what that walk leaves out: the policy every route must
declare, stated here so that a new route fails until someone says who may use
it; the same walk with API tokens; another session's CSRF token; hostile text
through every page, fragment, JSON answer and the HTML report; SQL injection
through every filter on both databases; and uploads that are too large, zip
bombs, path names and spreadsheets with formulas. The login limit and the
production secret check are in ``tests/test_web_core.py``
(``test_logins_are_rate_limited_per_user_name``,
``test_production_mode_refuses_the_development_secret``); what they leave out
is at the end of this file.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
import typing
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

import anyio
import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from chitieu import ChitieuError, load_folder, transaction
from chitieu._database import create_engine, upgrade
from chitieu._settings import Settings
from chitieu.dataset.service import EMBEDDED
from chitieu.document.models import SourceDocument
from chitieu.observation.models import ImportBatch, Observation
from chitieu.report import build_report, write_report
from chitieu.user.models import ApiToken
from chitieu.web import create_app
from chitieu.web._auth import SESSION_COOKIE, requires
from tests.conftest import BACKENDS, CORPUS
from tests.test_permissions import (
    UNSAFE,
    WALK_ORDER,
    Walk,
    Walked,
    caller,
    fill_path,
    open_walk,
    outcome_problem,
    path_values,
    policies_of,
    walked_routes,
)
from tests.webkit import EDITOR_AGENCY, PASSWORD, Web, build_web, page_csrf

# --- 1. every route declares the policy stated here --------------------------------------

# Who may use each route, restated from docs/web.md: a route missing here, or
# declaring another policy than this, fails until this table says who may use it.
EXPECTED_POLICY: dict[tuple[str, str], str | None] = {
    ("GET", "/"): None,
    ("GET", "/api/v1/health"): None,
    ("GET", "/api/docs"): None,
    ("GET", "/api/v1/me"): "view",
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("POST", "/logout"): None,
    ("GET", "/admin"): "admin",
    ("GET", "/admin/users"): "admin",
    ("POST", "/admin/users"): "admin",
    ("POST", "/admin/users/{user_id}"): "admin",
    ("POST", "/admin/users/{user_id}/tokens"): "admin",
    ("POST", "/admin/tokens/{token_id}/revoke"): "admin",
    ("GET", "/admin/agencies"): "admin",
    ("GET", "/admin/audit"): "admin",
    ("GET", "/api/v1/users"): "admin",
    ("POST", "/api/v1/users"): "admin",
    ("PATCH", "/api/v1/users/{user_id}"): "admin",
    ("GET", "/api/v1/agencies"): "admin",
    ("GET", "/api/v1/audit"): "admin",
    ("GET", "/overview"): "view",
    ("GET", "/plans/compare"): "view",
    ("GET", "/api/v1/plans"): "view",
    ("GET", "/api/v1/plans/{code}/targets"): "view",
    ("GET", "/api/v1/assessments"): "view",
    ("GET", "/indicators"): "view",
    ("GET", "/indicators/{code}"): "view",
    ("GET", "/indicators/{code}/regions"): "view",
    ("GET", "/indicators/{code}/chart.svg"): "view",
    ("GET", "/api/v1/indicators"): "view",
    ("GET", "/api/v1/indicators/{code}"): "view",
    ("GET", "/api/v1/indicators/{code}/observations"): "view",
    ("GET", "/api/v1/indicators/{code}/chart"): "view",
    ("GET", "/api/v1/observations"): "view",
    ("GET", "/tasks"): "view",
    ("GET", "/api/v1/tasks"): "view",
    ("GET", "/api/v1/tasks/{task_id}"): "view",
    ("POST", "/api/v1/observations"): "enter_data",
    ("POST", "/api/v1/imports"): "enter_data",
    ("GET", "/entry"): "enter_data",
    ("POST", "/entry"): "enter_data",
    ("GET", "/entry/template.xlsx"): "enter_data",
    ("POST", "/entry/upload"): "enter_data",
    ("GET", "/requests"): "enter_data",
    ("GET", "/requests/template.xlsx"): "enter_data",
    ("GET", "/api/v1/requests"): "enter_data",
    ("POST", "/api/v1/validation/check"): "enter_data",
    ("POST", "/tasks/{task_id}/updates"): "update_task",
    ("POST", "/api/v1/tasks/{task_id}/updates"): "update_task",
    ("POST", "/api/v1/observations/{observation_id}/correct"): "review",
    ("GET", "/documents"): "review",
    ("POST", "/documents"): "review",
    ("GET", "/documents/{key}"): "review",
    ("POST", "/figures/{figure_id}"): "review",
    ("GET", "/conflicts"): "review",
    ("POST", "/conflicts/choose"): "review",
    ("GET", "/api/v1/documents"): "review",
    ("POST", "/api/v1/documents"): "review",
    ("GET", "/api/v1/documents/{key}/figures"): "review",
    ("POST", "/api/v1/figures/{figure_id}/accept"): "review",
    ("POST", "/api/v1/figures/{figure_id}/reject"): "review",
    ("POST", "/api/v1/figures/{figure_id}/correct"): "review",
    ("GET", "/api/v1/conflicts"): "review",
    ("POST", "/api/v1/conflicts/choose"): "review",
    ("GET", "/validation"): "review",
    ("POST", "/validation/{finding_id}"): "review",
    ("GET", "/api/v1/findings"): "review",
    ("POST", "/api/v1/findings/{finding_id}/explain"): "review",
    ("POST", "/api/v1/findings/{finding_id}/dismiss"): "review",
    ("GET", "/scenario"): "run_scenario",
    ("POST", "/scenario"): "run_scenario",
    ("GET", "/api/v1/scenarios/example"): "run_scenario",
    ("POST", "/api/v1/scenarios/run"): "run_scenario",
    ("POST", "/api/v1/scenarios/odds"): "run_scenario",
}


def served_policies(app: FastAPI) -> dict[tuple[str, str], str | None]:
    """(method, path) → the action each route of the app declares, read from the app."""
    served = {}
    for route in walked_routes(app):
        (policy,) = policies_of(route.dependant)
        for method in route.methods - {"HEAD"}:
            served[(method, route.path)] = policy.action
    return served


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    path = tmp_path_factory.mktemp("routes") / "chitieu.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    return create_app(Settings(database_url=str(engine.url)), engine=engine)


def test_every_route_declares_the_policy_this_table_expects(plain_app):
    served = served_policies(plain_app)
    unexpected = sorted(set(served) - set(EXPECTED_POLICY))
    assert not unexpected, f"routes nobody said who may use (add them above): {unexpected}"
    gone = sorted(set(EXPECTED_POLICY) - set(served))
    assert not gone, f"routes listed here that the app no longer serves: {gone}"
    differing = {
        key: (served[key], EXPECTED_POLICY[key])
        for key in served
        if served[key] != EXPECTED_POLICY[key]
    }
    assert not differing, f"declared vs expected policy: {differing}"


def test_a_new_route_without_an_expectation_fails_the_table(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'chitieu.db'}")
    upgrade(engine)
    app = create_app(Settings(database_url=str(engine.url)), engine=engine)

    @app.get("/api/v1/_unlisted", dependencies=[Depends(requires("view"))])
    def unlisted() -> dict[str, str]:
        return {}

    assert set(served_policies(app)) - set(EXPECTED_POLICY) == {("GET", "/api/v1/_unlisted")}


# --- 1b. the walk with API tokens -----------------------------------------------------------


@pytest.fixture
def walk(loaded: Engine) -> Iterator[Walk]:
    """test_permissions' callers: a signed-in client per role, and nobody, and the public."""
    with open_walk(loaded) as opened:
        yield opened


FORGED_TOKEN = "ct_" + "0" * 40


def bearer_problems(walk: Walk, routes: list[Walked]) -> list[str]:
    """Every API route asked with each role's token, with none and with a forged one."""
    values = path_values(walk.engine)
    machine = TestClient(walk.app, raise_server_exceptions=False)
    public = TestClient(walk.public_app, raise_server_exceptions=False)
    askers: list[tuple[str, TestClient, dict[str, str], str]] = [
        ("anonymous", machine, {}, "anonymous"),
        ("forged token", machine, {"Authorization": f"Bearer {FORGED_TOKEN}"}, "anonymous"),
        ("public", public, {}, "public"),
        # A bad token is refused even where the public may read: it is a mistake to say.
        (
            "forged token, public mode",
            public,
            {"Authorization": f"Bearer {FORGED_TOKEN}"},
            "anonymous",
        ),
    ]
    for role in WALK_ORDER[2:]:
        askers.append(
            (f"{role} token", machine, {"Authorization": f"Bearer {walk.tokens[role]}"}, role)
        )
    problems = []
    for route in routes:
        (policy,) = policies_of(route.dependant)
        path = fill_path(route, values)
        for method in sorted(route.methods - {"HEAD"}):
            body = {"json": {}} if method in UNSAFE else {}
            for who, client, headers, role in askers:
                client.cookies.clear()
                response = client.request(
                    method, path, headers=headers, follow_redirects=False, **body
                )
                problem = outcome_problem(role, policy.action, True, response)
                if problem:
                    problems.append(f"{method} {path} with {who} ({policy.action}): {problem}")
    return problems


def test_every_api_route_answers_every_token_as_its_policy_says(walk):
    api_routes = [route for route in walked_routes(walk.app) if route.path.startswith("/api/")]
    assert len(api_routes) > 30
    problems = bearer_problems(walk, api_routes)
    assert not problems, "\n".join(problems)


def test_a_revoked_token_is_nobody(walk):
    headers = {"Authorization": f"Bearer {walk.tokens['viewer']}"}
    client = TestClient(walk.app)
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "viewer"
    with transaction(walk.engine) as session:
        token_id = session.scalar(
            sa.select(ApiToken.id).where(ApiToken.user.has(username="viewer"))
        )
    admin = walk.callers["admin"]
    page = admin.send("POST", f"/admin/tokens/{token_id}/revoke", data={"csrf_token": admin.csrf})
    assert page.status_code == 303, page.text[:300]
    assert client.get("/api/v1/me", headers=headers).status_code == 401


# --- 2. CSRF: another session's token is no token -----------------------------------------


def csrf_targets(walk: Walk) -> list[tuple[str, str, bool]]:
    """(path, method, is_api) of every state-changing route, login and logout included."""
    values = path_values(walk.engine)
    targets = [
        (fill_path(route, values), method, route.path.startswith("/api/"))
        for route in walked_routes(walk.app)
        for method in sorted(route.methods & UNSAFE)
    ]
    assert len(targets) > 25
    return targets


def refused_for_csrf(response: Response) -> bool:
    return response.status_code == 403 and "CSRF" in response.text


def test_another_sessions_token_is_refused_on_every_state_changing_route(walk):
    admin = walk.callers["admin"]
    others = {
        "the viewer's session": walk.callers["viewer"].csrf,
        "another session of the same admin": caller(walk.app, "admin").csrf,
        "a session of nobody": walk.callers["anonymous"].csrf,
    }
    assert len({admin.csrf, *others.values()}) == 4, "sessions share a CSRF token"
    # The right password too, so that only the token can refuse a login.
    signing_in = {"username": "planner", "password": PASSWORD}
    problems = []
    for path, method, is_api in csrf_targets(walk):
        for whose, token in others.items():
            form = {**signing_in, "csrf_token": token}
            body: dict[str, Any] = {"json": {}} if is_api else {"data": form}
            by_header = admin.send(method, path, headers={"x-csrf-token": token}, **body)
            if not refused_for_csrf(by_header):
                problems.append(f"{method} {path} with {whose} token: {by_header.status_code}")
            if not is_api:
                by_field = admin.send(method, path, data=form)
                if not refused_for_csrf(by_field):
                    problems.append(
                        f"{method} {path} with {whose} token in the form: {by_field.status_code}"
                    )
    assert not problems, "\n".join(problems)
    # Nothing above signed the admin out or changed who they are.
    assert admin.send("GET", "/api/v1/me").json()["role"] == "admin"


def test_the_token_from_before_signing_in_is_worthless_after(walk):
    client = TestClient(walk.app)
    before = page_csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "planner", "password": PASSWORD, "csrf_token": before},
        follow_redirects=False,
    )
    assert response.status_code == 303
    after = page_csrf(client.get("/tasks").text)
    assert after != before
    planted = client.post("/logout", data={"csrf_token": before}, follow_redirects=False)
    assert refused_for_csrf(planted)
    assert client.get("/api/v1/me").json()["role"] == "planner"
    assert (
        client.post("/logout", data={"csrf_token": after}, follow_redirects=False).status_code
        == 303
    )


# --- 3. hostile text is escaped wherever it is shown ---------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT} {IMAGE}"
# What must never reach a page as markup, and how the escaped text reads.
RAW = (SCRIPT, "<img src=x onerror=alert(1)>", "<script>alert")
ESCAPED = str(escape(SCRIPT))
HOSTILE_FILE_NAME = "bao cao 'Q3' & <i>x.txt"


def _rewrite_csv(path: Path, change: dict[str, dict[str, str]], key: str) -> None:
    """Replace columns of the rows whose ``key`` column is in ``change`` (every row for '*')."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    touched = 0
    for row in rows:
        updates = change.get(row[key]) or change.get("*")
        if updates:
            row.update(updates)
            touched += 1
    assert touched, f"nothing to rewrite in {path.name}"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def hostile_dataset(folder: Path) -> None:
    """The embedded dataset with hostile names, titles, labels and notes."""
    shutil.copytree(EMBEDDED, folder)
    named = f"Tên {HOSTILE}"
    _rewrite_csv(
        folder / "indicators.csv",
        {"GRDP_GROWTH": {"name_vi": f"Tăng trưởng {HOSTILE}", "name_en": f"Growth {HOSTILE}"}},
        "code",
    )
    _rewrite_csv(
        folder / "agencies.csv",
        {EDITOR_AGENCY: {"name": named, "short_name": named}},
        "code",
    )
    _rewrite_csv(folder / "plans.csv", {"*": {"title": f"Kế hoạch {HOSTILE}"}}, "code")
    _rewrite_csv(folder / "targets_kh2024.csv", {"1a": {"label_vi": named}}, "row")
    _rewrite_csv(
        folder / "tasks_qd249.csv", {"1": {"description": named, "group_title": named}}, "no"
    )
    _rewrite_csv(folder / "documents.csv", {"bc-ktxh-2023": {"title": named}}, "key")
    _rewrite_csv(
        folder / "observations_published.csv", {"GRDP_GROWTH": {"note": named}}, "indicator"
    )
    _rewrite_csv(folder / "validation_explanations.csv", {"*": {"explanation": named}}, "rule")


HOSTILE_REPORT = f"""BÁO CÁO TÌNH HÌNH KINH TẾ - XÃ HỘI TỈNH BẮC GIANG NĂM 2023
Tăng trưởng kinh tế (GRDP) năm 2023 ước đạt 13,45% {HOSTILE}, đứng đầu cả nước.
Kim ngạch xuất khẩu đạt 22.000 triệu USD {IMAGE}.
"""


@dataclass
class Hostile:
    web: Web
    db_file: Path
    document: str
    """The key of the uploaded document with hostile text and a hostile file name."""
    stored_name: str


def bearer(web: Web, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def created(response: Response) -> Any:
    assert response.status_code in (200, 201), response.text[:500]
    return response.json()


def add_hostile_records(web: Web) -> tuple[str, str]:
    """Hostile text through the API and forms as people would send it: upload, notes, names."""
    client = TestClient(web.app)
    document = created(
        client.post(
            "/api/v1/documents",
            headers=bearer(web, "planner"),
            files={"file": (HOSTILE_FILE_NAME, HOSTILE_REPORT.encode(), "text/plain")},
        )
    )["document"]
    figures = created(
        client.get(f"/api/v1/documents/{document}/figures", headers=bearer(web, "planner"))
    )
    assert len(figures) >= 2
    created(
        client.post(
            f"/api/v1/figures/{figures[0]['id']}/reject",
            headers=bearer(web, "planner"),
            json={"reason": HOSTILE},
        )
    )
    user = created(
        client.post(
            "/api/v1/users",
            headers=bearer(web, "admin"),
            json={
                "username": "ke_la",
                "password": PASSWORD,
                "role": "viewer",
                "display_name": HOSTILE,
            },
        )
    )
    admin = web.clients["admin"]
    token = admin.post(
        f"/admin/users/{user['id']}/tokens",
        data={"name": HOSTILE, "csrf_token": web.csrf("admin")},
        follow_redirects=False,
    )
    assert token.status_code in (200, 303), token.text[:500]
    created(
        client.post(
            "/api/v1/tasks/1/updates",
            headers=bearer(web, "admin"),
            json={"status": "in_progress", "note": HOSTILE},
        )
    )
    # Figures with hostile notes; the two far off their series each raise a finding whose
    # message names the indicator.
    growth = {"indicator": "GRDP_GROWTH", "region": "bac_giang", "value": 95.0}
    budget = {"indicator": "STATE_BUDGET_REVENUE", "region": "bac_ninh", "value": 1.5e12}
    for role, figure in (
        ("planner", {**growth, "period": "2019"}),
        ("planner", {**growth, "period": "2024-H1"}),
        ("agency_editor", {**budget, "period": "2025-Q3"}),
    ):
        created(
            client.post(
                "/api/v1/observations", headers=bearer(web, role), json={**figure, "note": HOSTILE}
            )
        )
    findings = created(client.get("/api/v1/findings", headers=bearer(web, "planner")))["items"]
    assert len(findings) >= 2, findings
    created(
        client.post(
            f"/api/v1/findings/{findings[0]['id']}/explain",
            headers=bearer(web, "planner"),
            json={"explanation": HOSTILE},
        )
    )
    with transaction(web.engine) as session:
        stored = session.scalar(
            sa.select(SourceDocument.file_name).where(SourceDocument.key == document)
        )
    assert stored is not None
    return document, stored


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    root = tmp_path_factory.mktemp("hostile")
    hostile_dataset(root / "dataset")
    db_file = root / "chitieu.db"
    engine = create_engine(f"sqlite:///{db_file}")
    upgrade(engine)
    with transaction(engine) as session:
        load_folder(session, folder=root / "dataset", documents=CORPUS)
    web = build_web(engine)
    document, stored = add_hostile_records(web)
    yield Hostile(web=web, db_file=db_file, document=document, stored_name=stored)
    for client in web.clients.values():
        client.close()
    engine.dispose()


def raw_markup(text: str) -> list[str]:
    return [found for found in RAW if found in text]


# Pages that show hostile text (names, titles, notes, the document): the walk below
# must find it escaped on each, so that it tests the escaping rather than an absence.
SHOWING = frozenset(
    {
        "/overview",
        "/indicators",
        "/indicators/{code}",
        "/documents",
        "/documents/{key}",
        "/tasks",
        "/entry",
        "/validation",
        "/scenario",
        "/admin/users",
        "/admin/agencies",
        "/admin/audit",
    }
)
NOT_HTML = frozenset({"/entry/template.xlsx", "/indicators/{code}/chart.svg"})


def test_hostile_text_is_escaped_on_every_page(hostile):
    values = {**path_values(hostile.web.engine), "document": hostile.document}
    pages = [
        route
        for route in walked_routes(hostile.web.app)
        if "GET" in route.methods
        and not route.path.startswith("/api/")
        and route.path not in NOT_HTML
    ]
    assert len(pages) >= 15
    problems, showing = [], set()
    for route in pages:
        path = fill_path(route, values)
        for role in ("admin", "agency_editor", "viewer"):
            for lang in ("vi", "en"):
                response = hostile.web.clients[role].get(path, params={"lang": lang})
                assert response.status_code < 500, (path, role, response.text[:300])
                if raw := raw_markup(response.text):
                    problems.append(f"{path} as {role} ({lang}): raw {raw}")
                if ESCAPED in response.text:
                    showing.add(route.path)
    assert not problems, "\n".join(problems)
    assert showing >= SHOWING, f"pages that no longer show the text: {SHOWING - showing}"


def test_a_hostile_file_name_is_escaped_where_it_is_shown(hostile):
    assert hostile.stored_name == "bao cao 'Q3' & _i_x.txt"
    shown = str(escape(hostile.stored_name))
    for path in ("/documents", f"/documents/{hostile.document}", "/admin/audit"):
        page = hostile.web.clients["admin"].get(path).text
        assert "'Q3' &" not in page, path
        assert shown in page, path


def test_hostile_text_in_urls_and_error_pages_is_escaped(hostile):
    client = hostile.web.clients["admin"]
    quoted = "/" + HOSTILE
    asked = [
        client.get(f"/indicators/{HOSTILE}"),
        client.get(f"/documents/{HOSTILE}"),
        client.get("/overview", params={"plan": HOSTILE}),
        client.get("/tasks", params={"agency": HOSTILE}),
        client.get("/indicators", params={"q": HOSTILE}),
        client.get("/admin/audit", params={"entity": HOSTILE}),
        TestClient(hostile.web.app).get("/login", params={"next": quoted}),
    ]
    for response in asked:
        assert response.status_code < 500, response.text[:300]
        assert not raw_markup(response.text), (response.url, raw_markup(response.text))
    login = asked[-1].text
    assert str(escape(quoted)) in login


def test_htmx_fragments_escape_what_was_just_sent(hostile):
    web = hostile.web
    admin = web.clients["admin"]
    headers = {"HX-Request": "true", "X-CSRF-Token": web.csrf("admin")}
    figures = (
        TestClient(web.app)
        .get(f"/api/v1/documents/{hostile.document}/figures", headers=bearer(web, "planner"))
        .json()
    )
    pending = [figure for figure in figures if figure["state"] == "pending"]
    assert pending
    row = admin.post(
        f"/figures/{pending[0]['id']}",
        headers=headers,
        data={"action": "reject", "reason": HOSTILE},
    )
    task = admin.post(
        "/tasks/2/updates", headers=headers, data={"status": "in_progress", "note": HOSTILE}
    )
    # A refusal naming the indicator, shown in the entry form's result block.
    refused = web.clients["planner"].post(
        "/entry",
        headers={"HX-Request": "true", "X-CSRF-Token": web.csrf("planner")},
        data={
            "indicator": "GRDP_GROWTH",
            "region": "bac_giang",
            "period": "2020",
            "value": "-80",
            "status": "actual",
        },
    )
    assert "-50–100%" in refused.text, refused.text[:500]
    for fragment in (row, task, refused):
        assert fragment.status_code in (200, 409, 422), fragment.text[:300]
        assert "<html" not in fragment.text  # a fragment, not a page
        assert not raw_markup(fragment.text)
        assert ESCAPED in fragment.text


def test_the_chart_svg_escapes_the_indicator_name(hostile):
    response = hostile.web.clients["viewer"].get("/indicators/GRDP_GROWTH/chart.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert not raw_markup(response.text)
    assert "<script" not in response.text


def test_json_carries_hostile_text_as_json_strings(hostile):
    client = TestClient(hostile.web.app)
    viewer = bearer(hostile.web, "viewer")
    indicator = client.get("/api/v1/indicators/GRDP_GROWTH", headers=viewer)
    assert indicator.headers["content-type"] == "application/json"
    assert indicator.headers["x-content-type-options"] == "nosniff"
    assert indicator.json()["name_vi"] == f"Tăng trưởng {HOSTILE}"
    users = client.get("/api/v1/users", headers=bearer(hostile.web, "admin")).json()
    assert HOSTILE in [user["display_name"] for user in users]


def test_the_html_report_escapes_hostile_text(hostile, tmp_path):
    out = tmp_path / "bao-cao.html"
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CHITIEU_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", str(hostile.db_file), "report",
         "--format", "html", "--as-of", "2025-12-31", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with transaction(hostile.web.engine) as session:
        english = build_report(session, as_of=date(2025, 12, 31), lang="en")
    pages = [
        out.read_text("utf-8"),
        write_report(english, format="html", out=tmp_path / "en.html").read_text("utf-8"),
    ]
    for page in pages:
        assert not raw_markup(page)
        assert ESCAPED in page


# --- 4. SQL injection through every filter ------------------------------------------------

INJECTIONS = (
    "' OR 1=1 --",
    "1; DROP TABLE observation; --",
    "%' UNION SELECT username, password_hash FROM app_user --",
    "') OR ('1'='1",
    "\x00",
)
HEAVY_INJECTIONS = (
    *INJECTIONS,
    '" OR ""="',
    "' OR 'x'='x",
    "1' AND SLEEP(5) --",
    "'; SELECT pg_sleep(5); --",
    "1) OR 1=1 /*",
    "%",
    "_",
    "%%",
    "\\",
    "';--",
    "' UNION ALL SELECT NULL, NULL, NULL --",
    "admin'--",
    "1 OR 1=1",
    "-1",
    "2024-12-31' OR '1'='1",
    "9" * 40,
    "x" * 5000,
    "ǅ ﷽ \u202e\ufeff",
    "\ud7ff\ue000",
    "0x27",
    "%27%20OR%201%3D1",
)


def literal_values(annotation: Any) -> list[Any]:
    """The values a Literal (possibly inside Optional) allows, in order."""
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    found: list[Any] = []
    for argument in typing.get_args(annotation):
        found.extend(literal_values(argument))
    return found


def query_params(dependant: Any) -> list[Any]:
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found.extend(query_params(sub))
    return found


def legitimate(name: str, annotation: Any, values: dict[str, str]) -> str | None:
    """A value of a filter that selects something real, if one is known for it.

    A search (``q``) has none: any text is a legitimate search ("_" finds every code
    with an underscore), so what it finds is measured against no filter at all.
    """
    choices = literal_values(annotation)
    if choices:
        return str(choices[0])
    known = {
        "plan": values["plan"],
        "region": "bac_giang",
        "indicator": "GRDP_GROWTH",
        "period": "2023",
        "as_of": "2024-12-31",
        "agency": EDITOR_AGENCY,
        "entity": "user",
        "actor": "admin",
    }
    return known.get(name)


def count_rows(response: Response) -> int:
    """How many records an answer holds: a JSON list's items, else a page's table rows."""
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, list):
            return len(body)
        if isinstance(body, dict):
            return max((len(v) for v in body.values() if isinstance(v, list)), default=0)
        return 0
    return response.text.count("<tr")


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {
            name: connection.execute(
                sa.select(sa.func.count()).select_from(sa.table(name))
            ).scalar_one()
            for name in names
        }


def injection_problems(web: Web, payloads: tuple[str, ...]) -> tuple[list[str], int]:
    """Each GET route's query and path parameters given each payload; what went wrong."""
    # The admin's session, in a client that answers a server error rather than raising it.
    client = TestClient(web.app, raise_server_exceptions=False)
    client.cookies = web.clients["admin"].cookies
    values = path_values(web.engine)
    problems, asked = [], 0
    for route in walked_routes(web.app):
        if "GET" not in route.methods or route.path == "/entry/template.xlsx":
            continue
        path = fill_path(route, values)
        for param in query_params(route.dependant):
            name = param.alias or param.name
            legit = legitimate(name, param.field_info.annotation, values)
            baseline = client.get(path, params={name: legit} if legit else {})
            assert baseline.status_code < 500, (path, name, baseline.text[:300])
            most = count_rows(baseline)
            for payload in payloads:
                for value in {payload, f"{legit}{payload}" if legit else payload}:
                    asked += 1
                    response = client.get(path, params={name: value}, follow_redirects=False)
                    status = response.status_code
                    if status >= 500:
                        problems.append(f"{path}?{name}={value!r}: {status}")
                    elif status == 200 and count_rows(response) > most:
                        problems.append(
                            f"{path}?{name}={value!r}: {count_rows(response)} rows, "
                            f"more than the {most} of {name}={legit!r}"
                        )
        for param in route.dependant.path_params:
            for payload in payloads:
                asked += 1
                hostile_path = route.path_format.replace(
                    "{" + param.name + "}", quote(payload, safe="")
                )
                hostile_path = (
                    fill_path(
                        Walked(hostile_path, hostile_path, route.methods, route.dependant), values
                    )
                    if "{" in hostile_path
                    else hostile_path
                )
                status = client.get(hostile_path, follow_redirects=False).status_code
                if not 400 <= status < 500:
                    problems.append(f"{hostile_path}: {status}, not a 4xx")
    return problems, asked


def check_injections(web: Web, payloads: tuple[str, ...]) -> None:
    before = table_counts(web.engine)
    assert {"observation", "app_user", "indicator"} <= set(before), sorted(before)
    problems, asked = injection_problems(web, payloads)
    assert asked > 300
    assert not problems, "\n".join(problems)
    assert table_counts(web.engine) == before


def test_a_search_is_text_not_a_like_pattern(web):
    client = web.clients["viewer"]
    assert count_rows(client.get("/indicators", params={"q": "GRDP"})) > 0
    # Wildcards of SQL's LIKE are only characters: no name holds a "%".
    assert count_rows(client.get("/indicators", params={"q": "%"})) == 0
    assert count_rows(client.get("/indicators", params={"q": "GRDP%"})) == 0


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_injections_through_every_filter_are_refused_or_find_nothing(web):
    check_injections(web, INJECTIONS)


@pytest.mark.heavy
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_many_more_injections_through_every_filter(web):
    check_injections(web, HEAVY_INJECTIONS)


# --- 5. uploads: size, zip bombs, names, formulas -----------------------------------------

UPLOADS = (
    ("/api/v1/imports", "enter_data.xlsx"),
    ("/api/v1/documents", "bao_cao.txt"),
    ("/entry/upload", "enter_data.xlsx"),
    ("/documents", "bao_cao.txt"),
)
MiB = 1024 * 1024
# A bomb inflates far past every limit; reading it whole would take far more than this.
MEMORY_BOUND = 64 * MiB


def multipart(
    filename: str, content: bytes, fields: dict[str, str] | None = None
) -> tuple[bytes, str]:
    """A multipart body written by hand, so that any file name (a NUL too) reaches the server."""
    boundary = f"chitieu-{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in (fields or {}).items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def send_upload(web: Web, path: str, filename: str, content: bytes) -> Response:
    """An upload as a browser (session, CSRF field) or a machine (token) sends it."""
    if path.startswith("/api/"):
        body, kind = multipart(filename, content)
        return TestClient(web.app, raise_server_exceptions=False).post(
            path, content=body, headers={**bearer(web, "planner"), "content-type": kind}
        )
    body, kind = multipart(filename, content, {"csrf_token": web.csrf("planner")})
    return web.clients["planner"].post(
        path, content=body, headers={"content-type": kind}, follow_redirects=False
    )


STREAM_BOUNDARY = "chitieu-stream"


def stream_to_app(
    app: FastAPI, path: str, headers: dict[str, str], *, chunks: int, prefix: bytes = b""
) -> tuple[int, int]:
    """POST ``prefix`` and then ``chunks`` × 64 KiB straight to the ASGI app, without a length.

    Returns the status answered and how many body bytes the app pulled.
    """
    pieces = [prefix] if prefix else []
    pieces += [b"a" * (64 * 1024)] * chunks
    pulled = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if not pieces:
            return {"type": "http.disconnect"}
        piece = pieces.pop(0)
        pulled += len(piece)
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    anyio.run(app, scope, receive, send)
    return status, pulled


@pytest.fixture
def small_web(loaded: Engine) -> Iterator[Web]:
    """The app with a 256 KiB upload limit."""
    built = build_web(loaded, max_upload_bytes=256 * 1024)
    yield built
    for client in built.clients.values():
        client.close()


def test_a_body_past_the_limit_is_refused_while_it_is_read(small_web):
    from chitieu.web._limits import MULTIPART_SLACK

    allowed = 256 * 1024 + MULTIPART_SLACK
    before = table_counts(small_web.engine)
    for path, name in UPLOADS:
        headers = {
            **bearer(small_web, "planner"),
            "content-type": f"multipart/form-data; boundary={STREAM_BOUNDARY}",
        }
        # A well-formed start of a multipart upload, then a file that never ends.
        prefix = (
            f'--{STREAM_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        status, pulled = stream_to_app(small_web.app, path, headers, chunks=1000, prefix=prefix)
        assert status == 413, path
        # Read up to the limit and one chunk more, not the 64 MB sent.
        assert pulled <= allowed + 64 * 1024 + len(prefix), (path, pulled)
        declared = {**headers, "content-length": str(10**12)}
        status, pulled = stream_to_app(small_web.app, path, declared, chunks=1000, prefix=prefix)
        assert (status, pulled) == (413, 0), path
    status, _pulled = stream_to_app(
        small_web.app,
        "/api/v1/observations",
        {**bearer(small_web, "planner"), "content-type": "application/json"},
        chunks=1000,
    )
    assert status == 413
    assert table_counts(small_web.engine) == before


def test_a_too_large_upload_gets_413_in_the_answer_its_caller_reads(small_web):
    before = table_counts(small_web.engine)
    content = b"indicator,region,period,value\n" + b"x" * (2 * MiB)
    for path, name in UPLOADS:
        response = send_upload(small_web, path, name, content)
        assert response.status_code == 413, (path, response.text[:300])
        if path.startswith("/api/"):
            assert "quá lớn" in response.json()["detail"]
        else:
            assert 'role="alert"' in response.text and "quá lớn" in response.text
        assert response.headers["x-content-type-options"] == "nosniff"
    assert table_counts(small_web.engine) == before


def _docx(text: str = "Tăng trưởng kinh tế (GRDP) năm 2023 ước đạt 13,45%.") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "region", "period", "value", "unit", "status", "note"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_member(archive: bytes, name: str, write: Any, *, replace: bool = False) -> bytes:
    """The zip with one member added (or replaced), written by ``write(stream)``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if not (replace and info.filename == name):
                target.writestr(info, source.read(info))
        with target.open(name, "w", force_zip64=True) as stream:
            write(stream)
    return out.getvalue()


def _zeros(size: int) -> Any:
    def write(stream: Any) -> None:
        block = bytes(MiB)
        for _ in range(size // MiB):
            stream.write(block)

    return write


def _huge_shared_strings(size: int) -> Any:
    """A sharedStrings part whose one string is ``size`` bytes: openpyxl would hold it all."""

    def write(stream: Any) -> None:
        stream.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                     b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')  # fmt: skip
        block = b"a" * MiB
        for _ in range(size // MiB):
            stream.write(block)
        stream.write(b"</t></si></sst>")

    return write


BOMB = 256 * MiB


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    inner = _with_member(b"PK\x05\x06" + b"\0" * 18, "zeros.bin", _zeros(BOMB))
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as archive:
        for number in range(4):
            archive.writestr(f"lop{number}.zip", inner)
    return {
        "docx": _with_member(_docx(), "word/media/bom.bin", _zeros(BOMB)),
        "xlsx": _with_member(
            _xlsx([["GRDP_GROWTH", "bac_giang", "2019", 7.5, "%", "", ""]]),
            "xl/sharedStrings.xml",
            _huge_shared_strings(BOMB),
            replace=True,
        ),
        "nested": nested.getvalue(),
        # An embedded package holding a bomb: Word files embed spreadsheets as zips.
        "embedding": _with_member(_docx(), "word/embeddings/goi.zip", lambda s: s.write(inner)),
    }


def refused_within_memory(web: Web, path: str, name: str, content: bytes) -> Response:
    tracemalloc.start()
    try:
        response = send_upload(web, path, name, content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"{path} {name}: {peak / MiB:.0f} MiB at the peak"
    return response


def test_zip_bombs_are_refused_with_one_clear_line_without_inflating(web, bombs):
    before = table_counts(web.engine)
    cases = [
        ("/api/v1/documents", "bom.docx", bombs["docx"], "zip bomb"),
        ("/documents", "bom.docx", bombs["docx"], "zip bomb"),
        ("/api/v1/imports", "bom.xlsx", bombs["xlsx"], "zip bomb"),
        ("/entry/upload", "bom.xlsx", bombs["xlsx"], "zip bomb"),
        ("/api/v1/documents", "long.docx", bombs["nested"], "không phải DOCX"),
        ("/api/v1/imports", "long.xlsx", bombs["nested"], "Excel"),
    ]
    for path, name, content, reason in cases:
        assert len(content) < 20 * MiB
        response = refused_within_memory(web, path, name, content)
        assert response.status_code in (415, 422), (path, name, response.text[:300])
        message = response.json()["detail"] if path.startswith("/api/") else response.text
        assert reason in message, (path, name, message[:300])
        assert "/tmp" not in message
    assert table_counts(web.engine) == before


def test_a_bomb_embedded_in_a_document_is_never_inflated(web, bombs):
    response = refused_within_memory(web, "/api/v1/documents", "nhung.docx", bombs["embedding"])
    assert response.status_code == 201, response.text[:300]
    assert response.json()["found"] >= 1


HOSTILE_NAMES = (
    "../../etc/passwd.txt",
    "/etc/cron.d/chitieu.txt",
    "..\\..\\Windows\\win.ini.txt",
    "C:\\Windows\\System32\\drivers\\etc\\hosts.txt",
    "bao\x00cao.txt",
    "....//....//x.txt",
    "%2e%2e%2f%2e%2e%2fescape.txt",
)


def safe_name(name: str) -> bool:
    return (
        "/" not in name and "\\" not in name and ".." not in name
        and "\x00" not in name and name.isprintable() and 0 < len(name.encode()) <= 255
    )  # fmt: skip


def test_path_names_in_uploads_never_leave_the_temporary_folder(web, tmp_path, monkeypatch):
    spool = tmp_path / "spool" / "deep" / "deeper"
    spool.mkdir(parents=True)
    # Every temporary file and folder of the uploads is made under here, so that a
    # name escaping its folder would land in tmp_path, where the test looks.
    monkeypatch.setattr("tempfile.tempdir", str(spool))
    before = {path for path in tmp_path.rglob("*")}
    report = Path(sorted(CORPUS.glob("002*"))[0]).read_bytes()
    for number, name in enumerate(HOSTILE_NAMES):
        document = send_upload(web, "/api/v1/documents", name, report + b"\n" * (number + 1))
        assert document.status_code == 201, (name, document.text[:300])
        key = document.json()["document"]
        sheet = _xlsx([["GRDP_GROWTH", "bac_giang", str(2000 + number), 7.5, "%", "", ""]])
        spreadsheet = send_upload(web, "/api/v1/imports", name.replace(".txt", ".xlsx"), sheet)
        assert spreadsheet.status_code == 201, (name, spreadsheet.text[:300])
        with transaction(web.engine) as session:
            stored = session.scalar(sa.select(SourceDocument).where(SourceDocument.key == key))
            batch = session.get(ImportBatch, spreadsheet.json()["batch"])
            assert stored is not None and batch is not None
            for shown in (stored.file_name, stored.title, stored.key, batch.file_name):
                assert safe_name(shown), (name, shown)
    after = {path for path in tmp_path.rglob("*")}
    written = sorted(str(path.relative_to(tmp_path)) for path in after - before)
    assert all(name.startswith("chitieu.db") for name in written), written
    assert not any(spool.iterdir()), "an upload left its temporary files"


def _formula_sheet(formula: str, cached: str | None, period: str) -> bytes:
    """A workbook whose value cell is ``formula`` with, or without, the value Excel cached."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["indicator", "region", "period", "value", "unit", "status", "note"])
    link = '=HYPERLINK("http://127.0.0.1:9/","x")'
    sheet.append(["GRDP_GROWTH", "bac_giang", period, formula, "%", "", link])
    buffer = io.BytesIO()
    workbook.save(buffer)
    if cached is None:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer) as archive:
        part = archive.read("xl/worksheets/sheet1.xml").decode()
    written = f"<f>{xml_escape(formula[1:])}</f><v></v>"
    assert written in part, part
    part = part.replace(written, written.replace("<v></v>", f"<v>{cached}</v>"))
    return _with_member(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda s: s.write(part.encode()),
        replace=True,
    )


def _imported(web: Web, period: str) -> list[tuple[float, str | None]]:
    with transaction(web.engine) as session:
        return [
            (row.value, row.note)
            for row in session.scalars(
                sa.select(Observation).where(
                    Observation.indicator_code == "GRDP_GROWTH",
                    Observation.period == period,
                    Observation.source_kind == "import",
                )
            )
        ]


def test_formulas_and_external_links_in_a_spreadsheet_are_not_evaluated(web):
    # Excel's cached value is what is imported, never the formula worked out here;
    # the note's formula (a link) has no cached value and is no note.
    cached = _formula_sheet("=100*2", "7.5", "2019")
    response = send_upload(web, "/api/v1/imports", "cong_thuc.xlsx", cached)
    assert response.status_code == 201, response.text[:300]
    assert _imported(web, "2019") == [(7.5, None)]
    # Links to other workbooks, on the web and on disk: their cached value, nothing opened.
    for period, link in (
        ("2018", "='http://127.0.0.1:9/[so_lieu.xlsx]Sheet1'!A1"),
        ("2017", "='C:\\du_lieu\\[so_lieu.xlsx]Sheet1'!A1"),
    ):
        linked = _formula_sheet(link, "8.25", period)
        response = send_upload(web, "/api/v1/imports", "lien_ket.xlsx", linked)
        assert response.status_code == 201, response.text[:300]
        assert _imported(web, period) == [(8.25, None)]
    # A formula Excel never computed has no value to import: the row is named and refused.
    before = table_counts(web.engine)
    uncached = _formula_sheet("=100*2", None, "2016")
    refused = send_upload(web, "/api/v1/imports", "chua_tinh.xlsx", uncached)
    assert refused.status_code == 422
    assert [row["line"] for row in refused.json()["rows"]] == [2]
    assert "value" in refused.json()["rows"][0]["reason"]
    assert table_counts(web.engine) == before


def test_an_excel_number_with_three_decimals_keeps_its_value(web):
    # 1,234 in an Excel number cell is one point two three four, not 1234.
    sheet = _xlsx([["GRDP_GROWTH", "bac_giang", "2015", 1.234, "%", "", ""]])
    response = send_upload(web, "/api/v1/imports", "ba_so_le.xlsx", sheet)
    assert response.status_code == 201, response.text[:300]
    assert [value for value, _note in _imported(web, "2015")] == [pytest.approx(1.234)]


# --- 6. the login limit's window, and the production secret through the factory ------------


def _login(client: TestClient, username: str, password: str) -> int:
    token = page_csrf(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    ).status_code


def test_the_login_limit_counts_per_address_and_lifts_after_its_window(loaded):
    web = build_web(loaded, login_attempts=2, login_address_attempts=3, login_window_seconds=3)
    client = web.anonymous()
    assert [_login(client, "planner", "sai-mat-khau") for _ in range(2)] == [401, 401]
    assert _login(client, "planner", PASSWORD) == 429
    # Another name from the same address is not held back by the planner's typos…
    assert _login(client, "viewer", "sai-mat-khau") == 401
    # …until the address itself reaches its own (higher) limit.
    assert _login(client, "viewer", PASSWORD) == 429
    time.sleep(3.2)  # the window the settings give, just past
    assert _login(client, "planner", PASSWORD) == 303


def test_the_app_factory_refuses_production_with_the_built_in_secret(loaded, monkeypatch):
    url = str(loaded.url)
    with pytest.raises(ChitieuError, match="CHITIEU_SECRET_KEY"):
        create_app(Settings(database_url=url, mode="production"), engine=loaded)
    monkeypatch.setenv("CHITIEU_MODE", "production")
    monkeypatch.setenv("CHITIEU_DATABASE_URL", url)
    with pytest.raises(ChitieuError, match="CHITIEU_SECRET_KEY"):
        create_app(Settings(), engine=loaded)
    monkeypatch.setenv("CHITIEU_SECRET_KEY", "s" * 31)
    with pytest.raises(ChitieuError):
        create_app(Settings(), engine=loaded)
    monkeypatch.setenv("CHITIEU_SECRET_KEY", uuid.uuid4().hex + uuid.uuid4().hex)
    app = create_app(Settings(), engine=loaded)
    client = TestClient(app, base_url="https://testserver")
    response = client.get("/login")
    assert response.status_code == 200
    assert "secure" in response.headers["set-cookie"].lower()


def test_serve_refuses_production_with_the_built_in_secret(tmp_path):
    env = {**os.environ, "CHITIEU_MODE": "production"}
    env.pop("CHITIEU_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", str(tmp_path / "c.db"), "serve", "--port", "1"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "CHITIEU_SECRET_KEY" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def body_fields(dependant: Any) -> list[str]:
    found = [param.alias or param.name for param in dependant.body_params]
    for sub in dependant.dependencies:
        found.extend(body_fields(sub))
    return found


def form_problems(web: Web, payloads: tuple[str, ...]) -> list[str]:
    """Every form field of every page that takes a form, given each payload."""
    client = TestClient(web.app, raise_server_exceptions=False)
    # The admin's session, set again before each form: one of them is the log-out form.
    session = web.clients["admin"].cookies[SESSION_COOKIE]
    token = web.csrf("admin")
    values = path_values(web.engine)
    problems = []
    for route in walked_routes(web.app):
        fields = [
            name for name in body_fields(route.dependant) if name not in ("csrf_token", "file")
        ]
        if route.path.startswith("/api/") or not fields or not route.methods & UNSAFE:
            continue
        path = fill_path(route, values)
        for payload in payloads:
            form = {name: payload for name in fields} | {"csrf_token": token}
            client.cookies.clear()
            client.cookies.set(SESSION_COOKIE, session)
            response = client.post(path, data=form, follow_redirects=False)
            if response.status_code >= 500:
                problems.append(f"POST {path} with every field {payload!r}: {response.status_code}")
            if response.headers.get("location", "").startswith("/login?next="):
                problems.append(f"POST {path}: the session was lost, the walk tests nothing")
    return problems


def check_form_injections(web: Web, payloads: tuple[str, ...]) -> None:
    before = table_counts(web.engine)
    problems = form_problems(web, payloads)
    assert not problems, "\n".join(problems)
    after = table_counts(web.engine)
    # The forms may have written what they were given, as text; no table went.
    assert set(after) == set(before)
    assert all(after[name] >= before[name] for name in before)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_injections_in_every_form_field_never_give_a_server_error(web):
    check_form_injections(web, INJECTIONS)


@pytest.mark.heavy
@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_many_more_injections_in_every_form_field(web):
    check_form_injections(web, HEAVY_INJECTIONS)
