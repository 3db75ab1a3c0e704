"""Every route, every role: the answer matches the permission the route declares.

Routes declare their policy with ``Depends(requires(action))``; this walk reads
it back from each route's dependency tree (a route declaring none, or two,
fails) and asks the route as nobody, the public, and each role. What each role
may do is restated here from docs/web.md, not imported from ``user.service``:
the two tables must agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.routing import Mount, Route

from chitieu import transaction
from chitieu._errors import PermissionDeniedError
from chitieu._settings import Settings
from chitieu.document.models import SourceDocument
from chitieu.plan.models import Plan
from chitieu.region.models import Region
from chitieu.user.service import Actor, create_user, issue_token
from chitieu.web import create_app
from chitieu.web._auth import SESSION_COOKIE, Policy, requires
from tests.conftest import BACKENDS
from tests.webkit import EDITOR_AGENCY, log_in, make_users, page_csrf

ALL = frozenset(
    {"view", "enter_data", "update_task", "review", "manage_plans", "admin", "run_scenario"}
)
MAY = {
    "admin": ALL,
    "planner": ALL - {"admin"},
    "agency_editor": frozenset({"view", "enter_data", "update_task", "run_scenario"}),
    "viewer": frozenset({"view", "run_scenario"}),
    "public": frozenset({"view"}),  # nobody signed in, the app in public mode
    "anonymous": frozenset(),  # nobody signed in, the app not public
}
# Agency editors may be refused one agency's record on top of their role.
AGENCY_BOUND = frozenset({"enter_data", "update_task"})
# A role's refusal: the API's detail, and the page's words naming the permission missing.
ROLE_REFUSAL = ("không có quyền / forbidden", "Tài khoản của bạn không có quyền")
# The only routes that declare no policy: FastAPI's and Starlette's own.
UNDECLARED = frozenset({"/static", "/static/swagger-ui", "/api/v1/openapi.json"})
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def policies_of(dependant: Any) -> list[Policy]:
    """The ``requires`` policies anywhere in a route's dependency tree."""
    found = []
    for dependency in dependant.dependencies:
        policy = getattr(dependency.call, "policy", None)
        if isinstance(policy, Policy):
            found.append(policy)
        found.extend(policies_of(dependency))
    return found


@dataclass(frozen=True)
class Walked:
    """A route as the app serves it: with its router's prefix and dependencies."""

    path: str
    path_format: str
    methods: frozenset[str]
    dependant: Any


def walked_routes(app: FastAPI) -> list[Walked]:
    """Every route but FastAPI's and Starlette's own, through included routers.

    FastAPI ≥ 0.16x keeps included routers as such in ``app.routes``;
    ``iter_route_contexts`` gives each route as served.
    """
    routes = []
    for context in iter_route_contexts(app.routes):
        if context.path in UNDECLARED:
            assert isinstance(context.original_route, Mount | Route), context.original_route
            continue
        assert isinstance(context.original_route, APIRoute), (
            f"{context.original_route!r} is not a FastAPI route, so it cannot declare "
            "who may use it"
        )
        routes.append(
            Walked(
                path=context.path,
                path_format=context.path_format,
                methods=frozenset(context.methods),
                dependant=context.dependant,
            )
        )
    assert routes, "the app has no routes"
    return routes


def test_every_route_declares_exactly_one_policy(loaded_sqlite):
    app = create_app(Settings(database_url=str(loaded_sqlite.url)), engine=loaded_sqlite)
    wrong = {
        f"{sorted(route.methods)} {route.path}": policies
        for route in walked_routes(app)
        if len(policies := policies_of(route.dependant)) != 1
    }
    assert not wrong, f"routes without exactly one requires(...): {wrong}"
    for policy in {policies_of(route.dependant)[0] for route in walked_routes(app)}:
        assert policy.action is None or policy.action in ALL, policy


def test_the_table_here_matches_the_one_the_app_enforces():
    from chitieu.user.service import Actor, can

    for role, actions in MAY.items():
        if role == "anonymous":
            continue
        actor = Actor(username=role, role=role)
        assert {action for action in ALL if can(actor, action)} == actions, role


@dataclass
class Caller:
    """A client with a saved session (cookie and its CSRF token) restored before each call."""

    client: TestClient
    cookie: str | None
    csrf: str

    def send(self, method: str, path: str, **kwargs: Any) -> Response:
        self.client.cookies.clear()
        if self.cookie is not None:
            self.client.cookies.set(SESSION_COOKIE, self.cookie)
        return self.client.request(method, path, follow_redirects=False, **kwargs)


def caller(app: FastAPI, username: str | None) -> Caller:
    # A server error is one more wrong answer to list, not a reason to stop the walk.
    client = TestClient(app, raise_server_exceptions=False)
    if username is not None:
        log_in(client, username)
    token = page_csrf(client.get("/login").text)
    return Caller(client=client, cookie=client.cookies.get(SESSION_COOKIE), csrf=token)


@dataclass
class Walk:
    engine: Engine
    app: FastAPI
    public_app: FastAPI
    tokens: dict[str, str]
    callers: dict[str, Caller] = field(default_factory=dict)


@contextmanager
def open_walk(loaded: Engine) -> Iterator[Walk]:
    """The app, its public twin and a signed-in caller per role, on a loaded database."""
    # A bystander gets the first user and token ids, so that a walk that sends
    # "deactivate user 1" or "revoke token 1" does not lock out the roles it walks with.
    with transaction(loaded) as session:
        bystander = create_user(session, username="bystander", password="ngoai-cuoc", role="viewer")
        issue_token(session, user=bystander, name="bystander", actor="tests")
    settings = Settings(database_url=str(loaded.url))
    app = create_app(settings, engine=loaded)
    public_app = create_app(settings.model_copy(update={"public": True}), engine=loaded)
    walk = Walk(engine=loaded, app=app, public_app=public_app, tokens=make_users(loaded))
    walk.callers = {
        role: caller(app, role) for role in ("admin", "planner", "agency_editor", "viewer")
    }
    walk.callers["anonymous"] = caller(app, None)
    walk.callers["public"] = caller(public_app, None)
    yield walk
    for each in walk.callers.values():
        each.client.close()


@pytest.fixture
def walk(loaded: Engine) -> Iterator[Walk]:
    with open_walk(loaded) as opened:
        yield opened


def path_values(engine: Engine) -> dict[str, str]:
    """Plausible values for path parameters, by what their names say they are."""
    with transaction(engine) as session:
        return {
            "document": session.scalars(
                select(SourceDocument.key).order_by(SourceDocument.id)
            ).first()
            or "x",
            "plan": session.scalars(select(Plan.code).order_by(Plan.id)).first() or "x",
            "region": session.scalars(select(Region.code).order_by(Region.id)).first() or "x",
            "indicator": "GRDP_GROWTH",
            "agency": EDITOR_AGENCY,
            "user": "viewer",
        }


def fill_path(route: Walked, values: dict[str, str]) -> str:
    path = route.path_format
    for param in route.dependant.path_params:
        name = param.name
        if param.field_info.annotation is int:
            value = "1"
        elif "key" in name or "document" in name:
            value = values["document"]
        elif "plan" in name:
            value = values["plan"]
        elif "region" in name:
            value = values["region"]
        elif "agency" in name:
            value = values["agency"]
        elif "user" in name:
            value = values["user"]
        elif "code" in name or "indicator" in name:
            value = values["indicator"]
        else:
            value = "1"
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"unfilled path parameter in {path}"
    return path


def asked_to_sign_in(response: Response) -> bool:
    """The pages' answer to nobody: the login page, told where to come back to."""
    location = response.headers.get("location", "")
    return response.status_code == 303 and location.startswith("/login?next=")


def outcome_problem(role: str, action: str | None, is_api: bool, response: Response) -> str | None:
    """What is wrong with ``response`` for ``role`` on a route needing ``action``, if anything."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if action is None or action in MAY[role]:
        if status == 401 or asked_to_sign_in(response):
            return f"allowed but asked to sign in ({status})"
        if status == 403:
            agency_refusal = role == "agency_editor" and action in AGENCY_BOUND
            if not agency_refusal or any(words in response.text for words in ROLE_REFUSAL):
                return f"allowed but refused: {response.text[:200]}"
        return None
    if role == "anonymous":
        if is_api:
            return None if status == 401 else f"expected 401, got {status}"
        if asked_to_sign_in(response):
            return None
        return f"expected a redirect to /login, got {status}"
    if status != 403:
        return f"expected 403, got {status}"
    if is_api:
        return None if "detail" in response.json() else "403 without a detail"
    page = response.headers.get("content-type", "").startswith("text/html")
    return None if page and 'role="alert"' in response.text else "403 without the error page"


def request_kwargs(method: str, is_api: bool, csrf: str) -> dict[str, Any]:
    """The session's CSRF token on unsafe calls, so that CSRF is not what refuses."""
    if method not in UNSAFE:
        return {}
    headers = {"x-csrf-token": csrf}
    if is_api:
        return {"headers": headers, "json": {}}
    return {"headers": headers, "data": {"csrf_token": csrf}}


# Least privileged first, so that what an allowed role changes cannot hide a refusal.
WALK_ORDER = ("anonymous", "public", "viewer", "agency_editor", "planner", "admin")


def walk_problems(walk: Walk, routes: list[Walked]) -> list[str]:
    """Ask each route as each role; what was answered wrongly, one line per call."""
    values = path_values(walk.engine)
    problems = []
    # Logging out ends every session of the user on the server: last, or the
    # routes after it would be walked signed out.
    for route in sorted(routes, key=lambda route: route.path == "/logout"):
        (policy,) = policies_of(route.dependant)
        path = fill_path(route, values)
        is_api = route.path.startswith("/api/")
        for method in sorted(route.methods - {"HEAD"}):
            for role in WALK_ORDER:
                who = walk.callers[role]
                response = who.send(method, path, **request_kwargs(method, is_api, who.csrf))
                problem = outcome_problem(role, policy.action, is_api, response)
                if problem:
                    problems.append(f"{method} {path} as {role} ({policy.action}): {problem}")
    return problems


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_every_route_answers_every_role_as_its_policy_says(walk):
    problems = walk_problems(walk, walked_routes(walk.app))
    assert not problems, "\n".join(problems)


def add_probes(app: FastAPI, *, broken: bool = False) -> None:
    """A page and an API route per action, so the walk is tried on every policy.

    ``broken`` probes refuse everyone themselves, as a route with a wrong
    agency check would; the walk must notice.
    """
    for action in sorted(ALL):
        # A default, not ``Annotated``: string annotations would be looked up in the
        # module's globals, where this loop's dependency is not.
        needs = Depends(requires(action))

        @app.get(f"/_probe/{action}/{{item_id}}")
        def probe_page(item_id: int, actor: Actor = needs) -> HTMLResponse:
            if broken:
                raise PermissionDeniedError("không thuộc cơ quan của bạn")
            return HTMLResponse(f"<p>{item_id}</p>")

        @app.post(f"/api/v1/_probe/{action}/{{code}}")
        def probe_api(code: str, actor: Actor = needs) -> dict[str, str]:
            if broken:
                raise PermissionDeniedError("không thuộc cơ quan của bạn")
            return {"by": actor.username, "code": code}


def probe_routes(walk: Walk) -> list[Walked]:
    return [route for route in walked_routes(walk.app) if "/_probe/" in route.path]


def test_the_walk_passes_routes_that_keep_their_policy(walk):
    add_probes(walk.app)
    add_probes(walk.public_app)
    probes = probe_routes(walk)
    assert len(probes) == 2 * len(ALL)
    assert walk_problems(walk, probes) == []
    answer = walk.callers["planner"].send(
        "POST",
        "/api/v1/_probe/review/GRDP_GROWTH",
        headers={"x-csrf-token": walk.callers["planner"].csrf},
    )
    assert answer.json() == {"by": "planner", "code": "GRDP_GROWTH"}


def test_the_walk_catches_routes_that_break_their_policy(walk):
    add_probes(walk.app, broken=True)
    add_probes(walk.public_app, broken=True)
    problems = walk_problems(walk, probe_routes(walk))
    # Every role allowed by a probe's policy was refused, except the agency
    # editor on the agency-bound actions, whose refusal is the agency check's.
    allowed = sum(action in MAY[role] for role in WALK_ORDER for action in ALL)
    probes_per_action = 2
    expected = probes_per_action * (allowed - len(AGENCY_BOUND))
    assert len(problems) == expected, "\n".join(problems)
    assert all("allowed but refused" in problem for problem in problems)


def test_the_walk_fails_a_route_that_declares_no_policy(loaded_sqlite):
    app = create_app(Settings(database_url=str(loaded_sqlite.url)), engine=loaded_sqlite)

    @app.get("/api/v1/_undeclared")
    def undeclared() -> dict[str, str]:
        return {}

    (route,) = [route for route in walked_routes(app) if route.path == "/api/v1/_undeclared"]
    assert policies_of(route.dependant) == []


def test_unsafe_calls_need_the_csrf_token_from_a_session_but_not_with_a_token(walk):
    """Every state-changing route that needs a permission, and a probe route of our own
    so that the check never walks nothing."""
    values = path_values(walk.engine)
    targets = [
        (fill_path(route, values), method, route.path.startswith("/api/"))
        for route in walked_routes(walk.app)
        if policies_of(route.dependant)[0].action is not None
        for method in sorted(route.methods & UNSAFE)
    ]
    probe = "/api/v1/_probe"

    @walk.app.post(probe)
    def _probe(actor: Annotated[Actor, Depends(requires("enter_data"))]) -> dict[str, str]:
        return {"by": actor.username}

    targets.append((probe, "POST", True))
    admin = walk.callers["admin"]
    bearer = {"Authorization": f"Bearer {walk.tokens['admin']}"}
    machine = TestClient(walk.app, raise_server_exceptions=False)
    problems = []
    for path, method, is_api in targets:
        body: dict[str, Any] = {"json": {}} if is_api else {"data": {}}
        refused = admin.send(method, path, **body)
        if refused.status_code != 403 or "CSRF" not in refused.text:
            problems.append(f"{method} {path} without CSRF: {refused.status_code}")
        forged = admin.send(method, path, headers={"x-csrf-token": "forged"}, **body)
        if forged.status_code != 403 or "CSRF" not in forged.text:
            problems.append(f"{method} {path} with a forged CSRF token: {forged.status_code}")
        by_token = machine.request(method, path, headers=bearer, follow_redirects=False, **body)
        if by_token.status_code in (401, 403) or by_token.status_code >= 500:
            problems.append(f"{method} {path} with a bearer token: {by_token.status_code}")
    assert not problems, "\n".join(problems)
    assert machine.post(probe, headers=bearer).json() == {"by": "admin"}
    with_header = admin.send("POST", probe, headers={"x-csrf-token": admin.csrf})
    assert with_header.json() == {"by": "admin"}
