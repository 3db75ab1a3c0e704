"""A write is answered only after its commit: a commit that fails is the request's error."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.webkit import build_web

# Raised by a deferred trigger, so the insert succeeds and only COMMIT fails,
# the way a full disk or a restarting server fails it.
FAIL_AT_COMMIT = """
create function fail_at_commit() returns trigger language plpgsql as $$
begin raise exception 'disk full at commit' using errcode = '53100'; end $$;
create constraint trigger fail_at_commit after insert on observation
deferrable initially deferred for each row execute function fail_at_commit();
"""


@pytest.mark.postgresql
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_correction_whose_commit_fails_is_a_503_and_nothing_is_stored(loaded):
    web = build_web(loaded, secret_key="c" * 40)
    with loaded.begin() as connection:
        observation_id = connection.scalar(sa.text("select min(id) from observation"))
        connection.execute(sa.text(FAIL_AT_COMMIT))
        before = connection.scalar(sa.text("select count(*) from observation"))
    client = TestClient(web.app, raise_server_exceptions=False)
    answer = client.post(
        f"/api/v1/observations/{observation_id}/correct",
        json={"value": 1.5, "note": "sửa thử"},
        headers={"Authorization": f"Bearer {web.tokens['planner']}"},
    )
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    with loaded.connect() as connection:
        assert connection.scalar(sa.text("select count(*) from observation")) == before
