"""Serving from a read-only PostgreSQL database, as from a streaming replica.

A hot standby refuses every write with SQLSTATE 25006, as a database set
``default_transaction_read_only`` does: that is what can be tested here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chitieu._settings import Settings
from chitieu.web import create_app
from tests.webkit import PASSWORD, build_web, page_csrf

SECRET = "s" * 40


def _as_replica(engine: sa.Engine) -> FastAPI:
    """The database set read-only, and an app serving it as a replica would be served."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        name = engine.url.database
        connection.execute(
            sa.text(f'alter database "{name}" set default_transaction_read_only = on')
        )
    engine.dispose()  # pooled connections keep the old setting
    settings = Settings(database_url=str(engine.url), secret_key=SECRET)  # type: ignore[arg-type]
    return create_app(settings, engine=engine)


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_replica_serves_pages_to_those_signed_in_on_the_primary(loaded):
    primary = build_web(loaded, secret_key=SECRET)
    viewer = primary.clients["viewer"]
    replica = _as_replica(loaded)
    reader = TestClient(replica, cookies=viewer.cookies)
    for page in ("/overview", "/indicators/GRDP_GROWTH", "/api/v1/plans"):
        answer = reader.get(page)
        assert answer.status_code == 200, (page, answer.text[:300])
    assert "GRDP" in reader.get("/indicators/GRDP_GROWTH").text


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_write_on_a_replica_is_a_clear_503_not_a_crash(loaded):
    primary = build_web(loaded, secret_key=SECRET)
    token = primary.tokens["planner"]
    with loaded.connect() as connection:
        observation_id = connection.scalar(sa.text("select min(id) from observation"))
    replica = _as_replica(loaded)
    client = TestClient(replica, raise_server_exceptions=False)
    answer = client.post(
        f"/api/v1/observations/{observation_id}/correct",
        json={"value": 1.5, "note": "thử trên bản sao"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 503, answer.text
    assert "chỉ đọc" in answer.json()["detail"]
    # Signing in writes the audit log: it belongs on the primary.
    signing_in = TestClient(replica, raise_server_exceptions=False)
    answer = signing_in.post(
        "/login",
        data={
            "username": "viewer",
            "password": PASSWORD,
            "csrf_token": page_csrf(signing_in.get("/login").text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 503 and "chỉ đọc" in answer.text


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_api_token_reads_from_a_replica_even_when_its_use_is_due_to_be_noted(loaded):
    primary = build_web(loaded, secret_key=SECRET)
    token = primary.tokens["viewer"]
    with loaded.begin() as connection:
        connection.execute(sa.text("update api_token set last_used_at = null"))
    replica = _as_replica(loaded)
    answer = TestClient(replica).get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()
