"""The administrator's pages and API: users, roles, tokens, agencies and the audit log."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from chitieu.web._auth import Policy
from tests.conftest import BACKENDS
from tests.webkit import EDITOR_AGENCY, log_in, page_csrf

DATASET = Path(__file__).resolve().parents[1] / "src/chitieu/dataset/bac_giang"
NEW_PASSWORD = "mot-mat-khau-moi-123"


def admin_csrf(web) -> str:
    return page_csrf(web.clients["admin"].get("/admin/users").text)


def user_id(web, username: str) -> int:
    html = web.clients["admin"].get("/admin/users").text
    found = re.search(rf'data-user="{re.escape(username)}" data-user-id="(\d+)"', html)
    assert found, f"{username} is not on the users page"
    return int(found.group(1))


def alert(html: str) -> str:
    found = re.search(r'role="alert">([^<]*)<', html)
    assert found, "the page shows no error"
    return found.group(1)


def add_user(web, **fields: str):
    data = {"csrf_token": admin_csrf(web), "display_name": "", "agency": "", **fields}
    return web.clients["admin"].post("/admin/users", data=data, follow_redirects=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- pages ----------------------------------------------------------------------------


def test_admin_adds_an_agency_editor_who_can_then_sign_in(web):
    refused = add_user(web, username="nhap.lieu", role="agency_editor", password=NEW_PASSWORD)
    assert refused.status_code == 422
    assert "phải thuộc một cơ quan" in alert(refused.text)
    # The form keeps what was typed, but never the password.
    assert 'value="nhap.lieu"' in refused.text and NEW_PASSWORD not in refused.text
    short = add_user(web, username="nhap.lieu", role="viewer", password="ngan")
    assert short.status_code == 422 and "mật khẩu" in alert(short.text)
    spaced = add_user(web, username="nhap lieu", role="viewer", password=NEW_PASSWORD)
    assert spaced.status_code == 422 and "tên đăng nhập" in alert(spaced.text)

    added = add_user(
        web,
        username="nhap.lieu",
        display_name="Cán bộ Sở Công Thương",
        role="agency_editor",
        agency="bn_so_cong_thuong",
        password=NEW_PASSWORD,
    )
    assert added.status_code == 303
    page = web.clients["admin"].get(added.headers["location"]).text
    assert "Đã thêm người dùng nhap.lieu" in page
    row = page[page.index('data-user="nhap.lieu"') :]
    row = row[: row.index("</tr>")]
    assert 'data-role="agency_editor"' in row and "bn_so_cong_thuong" in row
    again = add_user(web, username="nhap.lieu", role="viewer", password=NEW_PASSWORD)
    assert again.status_code == 422 and "đã có" in alert(again.text)

    newcomer = TestClient(web.app)
    log_in(newcomer, "nhap.lieu", NEW_PASSWORD)
    me = newcomer.get("/api/v1/me").json()
    assert me["username"] == "nhap.lieu" and me["role"] == "agency_editor"
    assert me["agency_id"] is not None


def test_the_admin_page_links_to_everything_and_the_agencies_page_lists_duties(web):
    home = web.clients["admin"].get("/admin").text
    for link in ("/admin/users", "/admin/agencies", "/admin/audit"):
        assert f'href="{link}"' in home
    page = web.clients["admin"].get("/admin/agencies").text
    with (DATASET / "indicator_agencies.csv").open(encoding="utf-8") as handle:
        reported = [r["indicator"] for r in csv.DictReader(handle) if r["agency"] == EDITOR_AGENCY]
    row = page[page.index(f'data-agency="{EDITOR_AGENCY}"') :]
    row = row[: row.index("</tr>")]
    assert reported and all(f'data-indicator="{code}"' in row for code in reported)
    # Bắc Ninh's finance department took over Bắc Giang's on 1 July 2025.
    assert "tiếp nhận Sở Tài chính" in row and "01/07/2025" in row
    ended = page[page.index('data-agency="bg_so_khdt"') :]
    assert ended.startswith('data-agency="bg_so_khdt" class="muted" data-ended="true"')


def test_a_planner_is_refused_every_admin_page_and_admin_api(web):
    # Every route declaring the admin policy, as served (through included routers).
    paths = {
        (method, context.path)
        for context in iter_route_contexts(web.app.routes)
        if isinstance(context.original_route, APIRoute)
        and Policy("admin") in policies(context.dependant)
        for method in context.methods
    }
    assert ("GET", "/admin/audit") in paths and ("PATCH", "/api/v1/users/{user_id}") in paths
    planner = web.clients["planner"]
    csrf = page_csrf(planner.get("/scenario").text)
    for method, path in sorted(paths):
        filled = re.sub(r"\{\w+\}", "1", path)
        if path.startswith("/api/"):
            response = web.anonymous().request(
                method, filled, headers=bearer(web.tokens["planner"]), json={}
            )
            assert response.status_code == 403, (method, path)
            assert "detail" in response.json()
            session_call = planner.request(method, filled, json={}, headers={"X-CSRF-Token": csrf})
            assert session_call.status_code == 403, (method, path)
        else:
            response = planner.request(
                method, filled, data={"csrf_token": csrf}, follow_redirects=False
            )
            assert response.status_code == 403, (method, path)
            assert 'role="alert"' in response.text
    # Nothing the planner sent was written.
    assert "planner" not in [a for a in audit_actions(web, entity="user") if a != "login"]


def policies(dependant: Any) -> list[Policy]:
    found = []
    stack = list(dependant.dependencies)
    while stack:
        dependency = stack.pop()
        policy = getattr(dependency.call, "policy", None)
        if isinstance(policy, Policy):
            found.append(policy)
        stack.extend(dependency.dependencies)
    return found


def audit_actions(web, **filters: str) -> list[str]:
    body = (
        web.anonymous()
        .get("/api/v1/audit", params=filters, headers=bearer(web.tokens["admin"]))
        .json()
    )
    return [f"{item['actor']}:{item['action']}" for item in body["items"]]


def test_the_audit_page_shows_a_user_created_and_changed_without_passwords(web):
    assert (
        add_user(web, username="xem.so.lieu", role="viewer", password=NEW_PASSWORD).status_code
        == 303
    )
    created = user_id(web, "xem.so.lieu")
    changed = web.clients["admin"].post(
        f"/admin/users/{created}",
        data={
            "csrf_token": admin_csrf(web),
            "role": "agency_editor",
            "agency": EDITOR_AGENCY,
            "password": "mat-khau-dat-lai-456",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303 and "changed=xem.so.lieu" in changed.headers["location"]
    page = web.clients["admin"].get("/admin/audit", params={"entity": "user", "actor": "admin"})
    html = page.text
    entries = re.findall(
        r'<tr data-entry="\d+" data-entity="user" data-action="(\w+)">(.*?)</tr>', html, re.S
    )
    ours = [(action, body) for action, body in entries if f"#{created}<" in body]
    assert [action for action, _ in ours] == ["update", "create"]
    update, create = ours[0][1], ours[1][1]
    assert "xem.so.lieu" in create and 'data-field="role"' in create
    role_change = re.search(r'data-field="role">.*?</li>', update, re.S).group(0)
    # Roles and the password's change in words: the codes stay in the log and the API.
    assert "Người xem" in role_change and "Cán bộ nhập liệu của cơ quan" in role_change
    assert re.search(r'data-field="password">.*?đã đổi', update, re.S)
    for secret in (NEW_PASSWORD, "mat-khau-dat-lai-456", "$argon2", "password_hash"):
        assert secret not in html
    # The filter keeps other people's entries out.
    assert (
        'data-action="login"'
        not in web.clients["admin"]
        .get("/admin/audit", params={"entity": "user", "actor": "nobody"})
        .text
    )


def test_deactivating_a_user_stops_their_session_and_their_tokens(web):
    assert (
        add_user(web, username="tam.thoi", role="viewer", password=NEW_PASSWORD).status_code == 303
    )
    target = user_id(web, "tam.thoi")
    issued = web.clients["admin"].post(
        f"/admin/users/{target}/tokens", data={"csrf_token": admin_csrf(web), "name": "máy"}
    )
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = re.search(r"data-token>(ct_[^<]+)<", issued.text).group(1)
    # Shown once: the list afterwards names the token but never shows it again.
    assert token not in web.clients["admin"].get("/admin/users").text
    person = TestClient(web.app)
    log_in(person, "tam.thoi", NEW_PASSWORD)
    machine = web.anonymous()
    assert person.get("/api/v1/me").status_code == 200
    assert machine.get("/api/v1/me", headers=bearer(token)).json()["username"] == "tam.thoi"

    off = web.clients["admin"].post(
        f"/admin/users/{target}",
        data={"csrf_token": admin_csrf(web), "active": "no"},
        follow_redirects=False,
    )
    assert off.status_code == 303
    assert person.get("/api/v1/me").status_code == 401
    page = person.get("/scenario", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert machine.get("/api/v1/me", headers=bearer(token)).status_code == 401
    # Deactivation revoked the token: turning the user back on brings back neither it
    # nor the session; a new token works, and revoking it ends it for good.
    web.clients["admin"].post(
        f"/admin/users/{target}", data={"csrf_token": admin_csrf(web), "active": "yes"}
    )
    assert machine.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert person.get("/api/v1/me").status_code == 401
    issued = web.clients["admin"].post(
        f"/admin/users/{target}/tokens", data={"csrf_token": admin_csrf(web), "name": "máy mới"}
    )
    token = re.search(r"data-token>(ct_[^<]+)<", issued.text).group(1)
    assert machine.get("/api/v1/me", headers=bearer(token)).status_code == 200
    token_id = re.search(
        r'data-token-id="(\d+)">máy mới', web.clients["admin"].get("/admin/users").text
    ).group(1)
    revoked = web.clients["admin"].post(
        f"/admin/tokens/{token_id}/revoke", data={"csrf_token": admin_csrf(web)}
    )
    assert revoked.status_code == 200 and f"Đã thu hồi mã API số {token_id}" in revoked.text
    assert machine.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert "admin:revoke_token" in audit_actions(web, entity="api_token")


def test_an_admin_cannot_lock_themselves_out(web):
    me = user_id(web, "admin")
    for change in ({"active": "no"}, {"role": "viewer"}):
        response = web.clients["admin"].post(
            f"/admin/users/{me}", data={"csrf_token": admin_csrf(web), **change}
        )
        assert response.status_code == 403 and "chính mình" in alert(response.text)
    assert web.clients["admin"].get("/admin").status_code == 200
    unchanged = web.clients["admin"].post(
        f"/admin/users/{me}", data={"csrf_token": admin_csrf(web)}, follow_redirects=False
    )
    assert "unchanged=admin" in unchanged.headers["location"]
    assert (
        web.clients["admin"]
        .post("/admin/users/999999", data={"csrf_token": admin_csrf(web)})
        .status_code
        == 404
    )


# --- the API (both databases) ---------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_users_api_adds_changes_and_lists_without_passwords(web):
    client = web.anonymous()
    admin = bearer(web.tokens["admin"])
    editor = {"username": "api.editor", "password": NEW_PASSWORD, "role": "agency_editor"}
    assert client.post("/api/v1/users", json=editor, headers=admin).status_code == 422
    added = client.post(
        "/api/v1/users", json={**editor, "agency": "bn_so_cong_thuong"}, headers=admin
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["role"] == "agency_editor" and body["agency"] == "bn_so_cong_thuong"
    assert body["active"] is True and "password" not in body
    assert (
        client.post(
            "/api/v1/users", json={**editor, "agency": "bn_so_cong_thuong"}, headers=admin
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/api/v1/users",
            json={"username": "x.y", "password": NEW_PASSWORD, "role": "viewer", "agency": "nope"},
            headers=admin,
        ).status_code
        == 404
    )
    for bad in ({"active": "false"}, {"active": 0}, {"role": "boss"}, {"password": "short"}):
        response = client.patch(f"/api/v1/users/{body['id']}", json=bad, headers=admin)
        assert response.status_code == 422, bad
    moved = client.patch(
        f"/api/v1/users/{body['id']}",
        json={"agency": EDITOR_AGENCY, "display_name": "Chuyển sang Sở Tài chính"},
        headers=admin,
    )
    assert moved.status_code == 200 and moved.json()["agency"] == EDITOR_AGENCY
    viewer_id = next(
        u["id"]
        for u in client.get("/api/v1/users", headers=admin).json()
        if u["username"] == "viewer"
    )
    conflict = client.patch(
        f"/api/v1/users/{viewer_id}", json={"role": "agency_editor"}, headers=admin
    )
    assert conflict.status_code == 409 and "agency" in conflict.json()["detail"]
    listed = client.get("/api/v1/users", headers=admin)
    assert {u["username"] for u in listed.json()} >= {"admin", "planner", "api.editor"}
    assert "password" not in listed.text and "$argon2" not in listed.text
    assert client.patch("/api/v1/users/999999", json={}, headers=admin).status_code == 404
    me = next(u["id"] for u in listed.json() if u["username"] == "admin")
    assert (
        client.patch(f"/api/v1/users/{me}", json={"active": False}, headers=admin).status_code
        == 403
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_deactivating_through_the_api_stops_the_token_at_once(web):
    client = web.anonymous()
    admin = bearer(web.tokens["admin"])
    viewer = next(
        u for u in client.get("/api/v1/users", headers=admin).json() if u["username"] == "viewer"
    )
    assert client.get("/api/v1/me", headers=bearer(web.tokens["viewer"])).status_code == 200
    off = client.patch(f"/api/v1/users/{viewer['id']}", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer(web.tokens["viewer"])).status_code == 401
    assert web.clients["viewer"].get("/api/v1/me").status_code == 401
    entries = client.get(
        "/api/v1/audit", params={"entity": "user", "actor": "admin"}, headers=admin
    ).json()["items"]
    change = next(e for e in entries if e["entity_id"] == str(viewer["id"]))
    assert change["before"]["active"] is True and change["after"]["active"] is False


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_audit_api_filters_and_pages(web):
    client = web.anonymous()
    admin = bearer(web.tokens["admin"])
    everything = client.get("/api/v1/audit", params={"limit": 1000}, headers=admin).json()
    assert everything["total"] == len(everything["items"]) >= 8
    ids = [item["id"] for item in everything["items"]]
    assert ids == sorted(ids, reverse=True)
    first = client.get("/api/v1/audit", params={"limit": 2}, headers=admin).json()
    second = client.get("/api/v1/audit", params={"limit": 2, "offset": 2}, headers=admin).json()
    assert [i["id"] for i in first["items"] + second["items"]] == ids[:4]
    tokens = client.get("/api/v1/audit", params={"entity": "api_token"}, headers=admin).json()
    assert tokens["total"] == 4 and {i["action"] for i in tokens["items"]} == {"issue_token"}
    logins = client.get(
        "/api/v1/audit", params={"entity": "user", "actor": "planner"}, headers=admin
    ).json()
    assert logins["items"] and {i["actor"] for i in logins["items"]} == {"planner"}
    for bad in ({"limit": 0}, {"limit": 5000}, {"offset": -1}):
        assert client.get("/api/v1/audit", params=bad, headers=admin).status_code == 422


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_agencies_api_gives_validity_successions_and_indicators(web):
    response = web.anonymous().get("/api/v1/agencies", headers=bearer(web.tokens["admin"]))
    assert response.status_code == 200
    agencies = {a["code"]: a for a in response.json()}
    with (DATASET / "agencies.csv").open(encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert set(agencies) == codes
    with (DATASET / "indicator_agencies.csv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle))
    finance = agencies[EDITOR_AGENCY]
    assert finance["indicators"] == sorted(
        r["indicator"] for r in pairs if r["agency"] == EDITOR_AGENCY
    )
    assert finance["users"] == 1 and finance["valid_from"] == "2025-07-01"
    planning = agencies["bg_so_khdt"]
    assert planning["valid_to"] == "2025-02-28"
    assert planning["successors"][0]["successor"] == "bg_so_tai_chinh"
    assert planning["successors"][0]["effective_on"] == "2025-03-01"
    assert planning["successors"][0]["note"].startswith("Sở Kế hoạch và Đầu tư sáp nhập")
    assert planning["successors"][0]["note_en"].startswith("The Department of Planning and")
