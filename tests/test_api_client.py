"""A Python client generated from the served OpenAPI document works as generated.

openapi-python-client reads ``/api/v1/openapi.json`` of a running server; any
warning (a model it drops, a response it cannot parse, a duplicate name) fails
the test. The generated package (in a temporary folder, never committed) then
lists plans and submits a figure through the same server with an API token.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from chitieu._database import transaction
from chitieu.observation.models import Observation
from tests.browser import LiveServer, live_server  # noqa: F401  (the served app)

PACKAGE = "chitieu_api_client"


@pytest.fixture(scope="module")
def spec(live_server: LiveServer) -> dict[str, Any]:  # noqa: F811
    document: dict[str, Any] = httpx.get(f"{live_server.url}/api/v1/openapi.json").json()
    return document


@pytest.fixture(scope="module")
def generated(
    spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ModuleType, str]]:
    """The client package generated from the served document, and what the generator said."""
    folder = tmp_path_factory.mktemp("client")
    served = folder / "openapi.json"
    served.write_text(json.dumps(spec), encoding="utf-8")
    config = folder / "config.json"
    # No formatting hooks: the generator's output is used as it writes it.
    config.write_text(json.dumps({"post_hooks": [], "package_name_override": PACKAGE}))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(served),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), said
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_generator_has_no_warning(generated: tuple[ModuleType, str]):
    _, said = generated
    lines = [line for line in said.splitlines() if line.strip()]
    assert all(line.startswith("Generating ") for line in lines), said


def test_model_names_are_unique_across_the_spec(spec: dict[str, Any]):
    schemas = spec["components"]["schemas"]
    titles = [s.get("title", name) for name, s in schemas.items()]
    assert len(titles) == len(set(titles))
    # FastAPI qualifies a clashing name with its module: none may be left.
    assert not [name for name in schemas if "__" in name]
    assert {"ObservationOut", "IndicatorObservationOut"} <= schemas.keys()


def test_operations_that_need_a_sign_in_declare_bearer_and_cookie(spec: dict[str, Any]):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert (schemes["cookieAuth"]["in"], schemes["cookieAuth"]["name"]) == (
        "cookie",
        "chitieu_session",
    )
    operations = {
        (method, path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    open_ones = {k for k, op in operations.items() if not op.get("security")}
    assert open_ones == {("get", "/api/v1/health")}
    for operation in operations.values():
        for requirement in operation.get("security", []):
            assert requirement in ({"bearerAuth": []}, {"cookieAuth": []})


def test_the_generated_client_lists_plans_and_submits_a_figure(
    generated: tuple[ModuleType, str],
    live_server: LiveServer,  # noqa: F811
):
    assert generated[0].__name__ == PACKAGE
    client_module = importlib.import_module(f"{PACKAGE}.client")
    plans_api = importlib.import_module(f"{PACKAGE}.api.plans.plans_api_api_v1_plans_get")
    submit_api = importlib.import_module(
        f"{PACKAGE}.api.observations.submit_api_v1_observations_post"
    )
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_module.AuthenticatedClient(
        base_url=live_server.url, token=live_server.tokens["planner"]
    )
    with client:
        plans = plans_api.sync(client=client)
        assert {p.document_number for p in plans} >= {"249/QĐ-UBND"}
        before = _count(live_server, "IMPORT_VALUE")
        body = models.ObservationIn(
            indicator="IMPORT_VALUE", region="bac_ninh", period="2025-Q3", value=9e9
        )
        response = submit_api.sync_detailed(client=client, body=body)
    assert response.status_code == 201, response.content
    entry = response.parsed
    assert isinstance(entry, models.EntryOut) and entry.written
    assert isinstance(entry.observation, models.ObservationOut)
    assert (entry.observation.indicator, entry.observation.value) == ("IMPORT_VALUE", 9e9)
    assert _count(live_server, "IMPORT_VALUE") == before + 1
    anonymous = client_module.Client(base_url=live_server.url)
    with anonymous:
        refused = plans_api.sync_detailed(client=anonymous)  # type: ignore[arg-type]
    assert refused.status_code == 401


def _count(server: LiveServer, code: str) -> int:
    with transaction(server.engine, writes=False) as session:
        return int(
            session.scalar(select(func.count()).where(Observation.indicator_code == code)) or 0
        )
