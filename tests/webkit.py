"""The web app over a loaded database, with one signed-in client per role, built by code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from chitieu import get_agency, transaction
from chitieu._settings import Settings
from chitieu.document.models import SourceDocument
from chitieu.extraction.models import ExtractedFigure
from chitieu.observation.models import Observation
from chitieu.user.service import create_user, issue_token
from chitieu.web import create_app

PASSWORD = "mat-khau-thu-nghiem"
# The agency editor belongs to the new Bắc Ninh finance department, which the
# seeds make responsible for budget, investment and GRDP figures.
EDITOR_AGENCY = "bn_so_tai_chinh"
OTHER_AGENCY = "bn_so_cong_thuong"
ROLES = ("admin", "planner", "agency_editor", "viewer")


@dataclass
class Web:
    app: FastAPI
    engine: Engine
    clients: dict[str, TestClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def anonymous(self) -> TestClient:
        return TestClient(self.app)

    def csrf(self, role: str) -> str:
        """The CSRF token of ``role``'s session, as its pages carry it."""
        return page_csrf(self.clients[role].get("/tasks").text)


def page_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries no CSRF field"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = page_csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def make_users(engine: Engine) -> dict[str, str]:
    """One user per role, named after it; returns an API token per role."""
    tokens: dict[str, str] = {}
    with transaction(engine) as session:
        for role in ROLES:
            agency = (
                get_agency(session, code_or_name=EDITOR_AGENCY) if role == "agency_editor" else None
            )
            user = create_user(session, username=role, password=PASSWORD, role=role, agency=agency)
            tokens[role] = issue_token(session, user=user, name="tests", actor="tests")
    return tokens


def build_web(engine: Engine, **settings: object) -> Web:
    app = create_app(Settings(database_url=str(engine.url), **settings), engine=engine)  # type: ignore[arg-type]
    web = Web(app=app, engine=engine, tokens=make_users(engine))
    for role in ROLES:
        client = TestClient(app)
        log_in(client, role)
        web.clients[role] = client
    return web


@pytest.fixture
def web(loaded: Engine) -> Iterator[Web]:
    """The app on the loaded dataset, on the backend the test is parametrised with."""
    built = build_web(loaded)
    yield built
    for client in built.clients.values():
        client.close()


def path_values(engine: Engine) -> dict[str, str]:
    """A value for each path parameter of the app's pages, from the loaded dataset."""
    with transaction(engine) as session:
        # The indicator with most figures (its page has a chart, sources and a table).
        code = session.scalars(
            select(Observation.indicator_code)
            .group_by(Observation.indicator_code)
            .order_by(func.count().desc(), Observation.indicator_code)
            .limit(1)
        ).one()
        # The document with most figures to review, if any has some.
        key = session.scalars(
            select(SourceDocument.key)
            .outerjoin(ExtractedFigure, ExtractedFigure.source_document_id == SourceDocument.id)
            .group_by(SourceDocument.id)
            .order_by(func.count(ExtractedFigure.id).desc(), SourceDocument.id)
            .limit(1)
        ).one()
    return {"code": code, "key": key}


def page_paths(app: FastAPI, values: dict[str, str]) -> list[str]:
    """Every GET route outside the JSON API and the static files, parameters filled.

    Downloads (a chart's SVG, Excel templates) are among them: ``is_page`` sorts them out.
    """
    paths = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        if context.path_format.startswith("/api/v1/"):
            continue
        names = set(re.findall(r"{(\w+)}", context.path_format))
        assert names <= values.keys(), (
            f"{context.path_format}: no value for {sorted(names - values.keys())}; "
            "add one to path_values"
        )
        paths.append(context.path_format.format(**values))
    assert "/overview" in paths and "/api/docs" in paths, paths
    return paths
