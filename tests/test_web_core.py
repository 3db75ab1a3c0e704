"""Signing in, sessions, CSRF, the login limit and the production secret check."""

from __future__ import annotations

import pytest

from chitieu import ChitieuError
from chitieu._settings import Settings
from chitieu.web.app import check_settings
from tests.conftest import BACKENDS
from tests.webkit import PASSWORD, build_web, page_csrf


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_each_role_signs_in_and_the_api_knows_who_it_is(web):
    for role, client in web.clients.items():
        assert client.get("/api/v1/me").json()["role"] == role
    for role, token in web.tokens.items():
        me = web.anonymous().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["role"] == role


def test_nobody_signed_in_gets_401_from_the_api_and_the_login_page_from_pages(web):
    client = web.anonymous()
    assert client.get("/api/v1/me").status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer ct_forged"}).status_code == 401
    )
    page = client.get("/api/v1/me", follow_redirects=False)
    assert page.status_code == 401


def test_session_cookie_is_httponly_and_samesite(web):
    client = web.anonymous()
    token = page_csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": "viewer", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_login_without_the_csrf_token_is_refused(web):
    response = web.anonymous().post(
        "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 403


def test_a_forged_session_cookie_counts_as_nobody(web):
    client = web.anonymous()
    client.cookies.set("chitieu_session", "eyJ1aWQiOjF9.forged.signature")
    assert client.get("/api/v1/me").status_code == 401


def test_logins_are_rate_limited_per_user_name(web):
    client = web.anonymous()
    token = page_csrf(client.get("/login").text)
    statuses = [
        client.post(
            "/login",
            data={"username": "planner", "password": "wrong-password", "csrf_token": token},
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # Even the right password waits until the window has passed.
    right = client.post(
        "/login", data={"username": "planner", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 429


def test_production_mode_refuses_the_development_secret():
    with pytest.raises(ChitieuError, match="secret"):
        check_settings(Settings(mode="production"))
    with pytest.raises(ChitieuError):
        check_settings(Settings(mode="production", secret_key="short"))
    with pytest.raises(ChitieuError):  # long, but not random
        check_settings(Settings(mode="production", secret_key="x" * 40))
    check_settings(Settings(mode="production", secret_key="k7Qm2vX9pL4tR8wZ1nB6cF3hJ5dS0gYe"))
    check_settings(Settings())


def test_public_mode_lets_anyone_read(loaded):
    public = build_web(loaded, public=True)
    client = public.anonymous()
    assert client.get("/api/v1/me").json()["role"] == "public"
