"""Sessions end on the server: logout, a password change and deactivation sign the user out.

The session cookie carries the user's session generation; each of those raises it,
so a cookie saved before (and the CSRF token that came with it) signs nobody in,
even replayed from elsewhere. A password change and deactivation also revoke the
user's API tokens, so reactivating a user brings back neither. On both databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner

from chitieu import transaction
from chitieu.cli import build_app
from chitieu.task.models import Task, TaskUpdate
from chitieu.web._auth import SESSION_COOKIE, _serializer
from tests.conftest import BACKENDS
from tests.webkit import PASSWORD, Web, log_in, page_csrf

NEW_PASSWORD = "mot-mat-khau-moi-789"
pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@dataclass
class Saved:
    """A session as someone who copied it would keep it: the cookie and its CSRF token."""

    web: Web
    cookie: str
    csrf: str

    def send(self, method: str, path: str, **kwargs: Any) -> Response:
        client = TestClient(self.web.app)
        client.cookies.set(SESSION_COOKIE, self.cookie)
        headers = {"x-csrf-token": self.csrf}
        return client.request(method, path, headers=headers, follow_redirects=False, **kwargs)


def sign_in(web: Web, username: str, password: str = PASSWORD) -> tuple[TestClient, Saved]:
    client = TestClient(web.app)
    log_in(client, username, password)
    csrf = page_csrf(client.get("/tasks").text)
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie
    return client, Saved(web=web, cookie=cookie, csrf=csrf)


def first_task(web: Web) -> int:
    with transaction(web.engine) as session:
        task_id = session.scalar(sa.select(sa.func.min(Task.id)))
    assert task_id is not None
    return task_id


def update_count(web: Web, task_id: int) -> int:
    with transaction(web.engine) as session:
        counted = session.scalar(
            sa.select(sa.func.count()).select_from(TaskUpdate).where(TaskUpdate.task_id == task_id)
        )
    return int(counted or 0)


def post_update(saved: Saved, task_id: int) -> Response:
    return saved.send("POST", f"/api/v1/tasks/{task_id}/updates", json={"status": "in_progress"})


def signed_out(saved: Saved) -> bool:
    me = saved.send("GET", "/api/v1/me")
    page = saved.send("GET", "/tasks")
    return (
        me.status_code == 401 and page.status_code == 303 and "/login" in page.headers["location"]
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_works(web: Web, token: str) -> bool:
    return web.anonymous().get("/api/v1/me", headers=bearer(token)).status_code == 200


def cli(web: Web, *args: str, answer: str | None = None) -> str:
    db = web.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(build_app(), ["--db", db, *args], input=answer)
    assert result.exit_code == 0, result.output
    return result.output


def test_logout_ends_the_saved_cookie_and_every_other_session_of_the_user(web):
    task_id = first_task(web)
    client, saved = sign_in(web, "planner")
    _, elsewhere = sign_in(web, "planner")
    assert post_update(saved, task_id).status_code == 201
    before = update_count(web, task_id)
    out = client.post("/logout", data={"csrf_token": saved.csrf}, follow_redirects=False)
    assert out.status_code == 303
    for session in (saved, elsewhere):
        assert signed_out(session)
        refused = post_update(session, task_id)
        assert refused.status_code == 401, refused.text
    assert update_count(web, task_id) == before
    # The planner's machine token is not a session: logout leaves it alone.
    assert token_works(web, web.tokens["planner"])
    again, fresh = sign_in(web, "planner")
    assert again.get("/api/v1/me").json()["username"] == "planner"
    assert post_update(fresh, task_id).status_code == 201
    # Other people stay signed in.
    assert web.clients["viewer"].get("/api/v1/me").status_code == 200


def test_a_password_set_from_the_cli_ends_old_sessions_and_tokens(web):
    _, saved = sign_in(web, "viewer")
    assert token_works(web, web.tokens["viewer"])
    said = cli(web, "user", "set", "viewer", "--password-stdin", answer=NEW_PASSWORD + "\n")
    assert "phiên đăng nhập và mã API cũ của viewer đã hết hiệu lực" in said
    assert signed_out(saved)
    assert web.clients["viewer"].get("/api/v1/me").status_code == 401
    assert not token_works(web, web.tokens["viewer"])
    client, _ = sign_in(web, "viewer", NEW_PASSWORD)
    assert client.get("/api/v1/me").json()["username"] == "viewer"
    # A role change is not a password change: it signs nobody out.
    assert "hết hiệu lực" not in cli(web, "user", "set", "viewer", "--role", "planner")
    assert client.get("/api/v1/me").json()["role"] == "planner"


def test_reactivating_a_user_revives_neither_old_cookies_nor_old_tokens(web):
    _, saved = sign_in(web, "agency_editor")
    cli(web, "user", "set", "agency_editor", "--inactive")
    assert signed_out(saved)
    assert not token_works(web, web.tokens["agency_editor"])
    cli(web, "user", "set", "agency_editor", "--active")
    assert signed_out(saved)
    assert not token_works(web, web.tokens["agency_editor"])
    client, _ = sign_in(web, "agency_editor")
    assert client.get("/api/v1/me").json()["username"] == "agency_editor"


def test_an_admin_reset_through_the_api_ends_the_users_sessions(web):
    admin = bearer(web.tokens["admin"])
    client = web.anonymous()
    users = client.get("/api/v1/users", headers=admin).json()
    viewer = next(u["id"] for u in users if u["username"] == "viewer")
    _, saved = sign_in(web, "viewer")
    reset = client.patch(f"/api/v1/users/{viewer}", json={"password": NEW_PASSWORD}, headers=admin)
    assert reset.status_code == 200, reset.text
    assert signed_out(saved)
    assert not token_works(web, web.tokens["viewer"])
    # Revoked tokens are named in the audit log, by who changed the password.
    entries = client.get(
        "/api/v1/audit", params={"entity": "api_token", "actor": "admin"}, headers=admin
    ).json()["items"]
    assert any(e["action"] == "revoke_token" for e in entries)


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(web):
    me_client = web.clients["admin"]
    _, elsewhere = sign_in(web, "admin")
    users_page = me_client.get("/admin/users").text
    me = next(u["id"] for u in me_client.get("/api/v1/users").json() if u["username"] == "admin")
    changed = me_client.post(
        f"/admin/users/{me}",
        data={"csrf_token": page_csrf(users_page), "password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    assert me_client.get("/api/v1/me").json()["username"] == "admin"
    assert signed_out(elsewhere)


def test_a_cookie_without_a_generation_signs_nobody_in(web):
    with transaction(web.engine) as session:
        uid = session.scalar(sa.text("select id from app_user where username = 'admin'"))
    forged = _serializer(web.app.state.settings).dumps({"uid": uid, "csrf": "x" * 32})
    assert signed_out(Saved(web=web, cookie=forged, csrf="x" * 32))


def test_a_page_kept_in_memory_is_refused_at_once_when_the_session_ends(web):
    """The overview and the tasks board come from memory, and who is asking is read in
    the page's own transaction: still, the next request after deactivation is refused."""
    _, saved = sign_in(web, "viewer")
    for page in ("/overview", "/tasks", "/overview", "/tasks"):
        assert saved.send("GET", page).status_code == 200
    cli(web, "user", "set", "viewer", "--inactive")
    for page in ("/overview", "/tasks", "/indicators/GRDP_GROWTH"):
        refused = saved.send("GET", page)
        assert refused.status_code == 303 and "/login" in refused.headers["location"], page


def test_a_page_asks_the_database_in_one_transaction(web):
    """Who is asking and the page's data (its data version) are read together."""
    _, saved = sign_in(web, "viewer")
    begun: list[object] = []

    def count(connection: object) -> None:
        begun.append(connection)

    sa.event.listen(web.engine, "begin", count)
    try:
        for page in ("/overview", "/tasks", "/indicators/GRDP_GROWTH"):
            begun.clear()
            assert saved.send("GET", page).status_code == 200
            assert len(begun) == 1, page
    finally:
        sa.event.remove(web.engine, "begin", count)
