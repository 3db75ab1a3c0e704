"""Every operation of the API's own OpenAPI, fuzzed by schemathesis with all its checks.

The schema is read from the running app (``/api/v1/openapi.json``), so routes
added later are covered without touching this file. Requests carry an admin's
API token, so that permissions do not hide the routes from the fuzzer; the
permission walk (``test_permissions.py``) covers the other roles. Each
operation gets a bounded, derandomized set of examples: the same cases on
every run, in reasonable time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import Engine

from chitieu._settings import Settings
from chitieu.web import create_app
from tests.conftest import BACKENDS, ROOT
from tests.webkit import make_users

MAX_EXAMPLES = 25


@dataclass
class Api:
    app: FastAPI
    token: str


@pytest.fixture
def api(loaded: Engine) -> Iterator[Api]:
    app = create_app(Settings(database_url=str(loaded.url)), engine=loaded)
    yield Api(app=app, token=make_users(loaded)["admin"])


@pytest.fixture
def api_schema(api: Api) -> schemathesis.schemas.BaseSchema:
    config = schemathesis.config.SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app, config=config)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32 renames the running test through ``node._nodeid``, which pytest 9
    no longer has; giving it back keeps its fixture-based schemas working."""
    request.node._nodeid = request.node.nodeid


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_conforms_to_the_schema(case, api):
    case.call_and_validate(headers={"Authorization": f"Bearer {api.token}"})
