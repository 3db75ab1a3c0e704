"""Every page of the app in chromium, with nothing reachable but the app itself, and axe-core.

The pages are the app's own GET routes outside the JSON API (its router is
walked, so a page added later is visited without touching this file), their
path parameters filled from the loaded dataset. Each role signs in and loads
every one at 1366×900 while every request to another host is aborted and
noted: a page must need nothing from outside (many offices have no way out),
log no console error (a script or style the Content-Security-Policy refused is
one) and have no serious or critical accessibility violation as axe-core finds
them. axe-core comes from the ``axe-playwright-python`` package, not a CDN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select

from chitieu import transaction
from chitieu.document.models import SourceDocument
from chitieu.extraction.models import ExtractedFigure
from chitieu.observation.models import Observation
from tests.browser import LiveServer, browser, live_server, sign_in
from tests.webkit import ROLES

pytestmark = pytest.mark.browser
FIXTURES = (browser, live_server)

VIEWPORT = {"width": 1366, "height": 900}
# axe-core's impacts are minor, moderate, serious and critical.
BLOCKING = frozenset({"serious", "critical"})
AXE = Axe()


@dataclass
class Visit:
    """What one browser tab met: requests aborted for leaving the app, console errors."""

    host: str
    left: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def guard(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.host:
            route.continue_()
        else:
            self.left.append(url)
            route.abort("blockedbyclient")

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url')})")

    def forget_refusal(self, url: str) -> None:
        """Chromium logs a page answered 403 as an error: the test checks that status itself."""
        self.errors = [
            error for error in self.errors if not (" 403 " in error and error.endswith(f"({url})"))
        ]


@pytest.fixture
def tab(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, Visit]]:
    """A fresh context at desktop size whose requests may reach the live server only."""
    visit = Visit(host=urlsplit(live_server.url).netloc)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    context.route("**/*", visit.guard)
    opened = context.new_page()
    opened.on("console", visit.console)
    opened.on("pageerror", lambda error: visit.errors.append(f"uncaught: {error}"))
    yield opened, visit
    context.close()


def path_values(live_server: LiveServer) -> dict[str, str]:
    """A value for each path parameter of the app's pages, from the loaded dataset."""
    with transaction(live_server.engine) as session:
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


def is_page(tab: Any, path: str) -> bool:
    """Whether ``path`` answers with HTML (asked with the tab's own cookies)."""
    answer = tab.request.get(path, max_redirects=5)
    return answer.headers.get("content-type", "").startswith("text/html")


def blocking_violations(tab: Any) -> list[str]:
    """axe-core's serious and critical findings on the loaded page: each rule, how many
    elements break it and the first few of them."""
    results = AXE.run(tab).response
    return [
        f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements: "
        + "; ".join(", ".join(map(str, node["target"])) for node in violation["nodes"][:3])
        + f") — {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def load(tab: Any, path: str) -> int:
    response = tab.goto(path)
    # htmx fills some parts after the page loads: axe must see them too.
    tab.wait_for_load_state("networkidle")
    return int(response.status)


@pytest.mark.parametrize(
    ("role", "lang"),
    # Every role in Vietnamese; in English the administrator, who is shown every page.
    [*((role, "vi") for role in ROLES), ("admin", "en")],
)
def test_every_page_loads_from_the_app_alone_without_errors_or_accessibility_faults(
    tab, live_server, role, lang
):
    page, visit = tab
    sign_in(page, role)
    page.goto(f"/overview?lang={lang}")  # the choice is kept in a cookie
    paths = [
        path
        for path in page_paths(live_server.app, path_values(live_server))
        if is_page(page, path)
    ]
    assert len(paths) >= 15, f"too few pages found: {paths}"
    statuses: dict[str, int] = {}
    langs: dict[str, str | None] = {}
    faults: dict[str, list[str]] = {}
    checked: set[str] = set()
    for path in paths:
        statuses[path] = load(page, path)
        if statuses[path] == 403:
            visit.forget_refusal(page.url)
        if page.url in checked:  # "/" lands on a page checked already
            continue
        checked.add(page.url)
        langs[path] = page.locator("html").get_attribute("lang")
        if found := blocking_violations(page):
            faults[path] = found
    # A role may be refused a page (403, with the error page): never a failure of the page.
    assert {path: s for path, s in statuses.items() if s not in (200, 403)} == {}
    assert statuses["/overview"] == 200 and statuses["/api/docs"] == 200
    # Screen readers pick their voice from it: each page says the language it is in.
    assert {path: said for path, said in langs.items() if said != lang} == {}
    assert visit.left == [], f"requests that left the app: {visit.left}"
    assert visit.errors == [], f"console errors: {visit.errors}"
    assert faults == {}, "serious or critical accessibility violations:\n" + "\n".join(
        f"{path}: {line}" for path, lines in faults.items() for line in lines
    )


def test_signed_out_pages_load_from_the_app_alone_without_accessibility_faults(tab):
    page, visit = tab
    faults = {}
    for path in ("/login", "/login?lang=en", "/no-such-page"):
        page.goto(path)
        if found := blocking_violations(page):
            faults[path] = found
    assert visit.left == [] and faults == {}, (visit.left, faults)


def test_api_docs_show_the_operations_with_nothing_from_outside(tab, live_server):
    page, visit = tab
    assert page.goto("/api/docs").status == 200
    operations = page.locator("#swagger-ui .opblock")
    operations.first.wait_for(state="visible")
    schema = page.request.get("/api/v1/openapi.json").json()
    expected = sum(
        1
        for methods in schema["paths"].values()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    )
    assert operations.count() == expected
    # An operation opens to show its parameters and responses, rendered by Swagger UI.
    page.locator("#swagger-ui .opblock-summary").first.click()
    page.locator("#swagger-ui .opblock .responses-wrapper").first.wait_for(state="visible")
    assert blocking_violations(page) == []
    assert visit.left == [], f"requests that left the app: {visit.left}"
    assert visit.errors == [], f"console errors: {visit.errors}"
