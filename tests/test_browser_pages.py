"""Every page of the app in chromium, with nothing reachable but the app itself, and axe-core,
at a desktop's size and at a phone's.

The pages are the app's own GET routes outside the JSON API (its router is
walked, so a page added later is visited without touching this file), their
path parameters filled from the loaded dataset. Each role signs in and loads
every one at 1366×900 while every request to another host is aborted and
noted: a page must need nothing from outside (many offices have no way out),
log no console error (a script or style the Content-Security-Policy refused is
one) and have no serious or critical accessibility violation as axe-core finds
them. axe-core comes from the ``axe-playwright-python`` package, not a CDN.

At a phone's size (390×844) each page must also fit the screen's width (a wide
table becomes cards or scrolls in its own box, never the page) under a header
of two rows at most.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from chitieu import transaction
from chitieu.extraction.service import ingest_file
from tests.browser import LiveServer, browser, live_server, sign_in, snap
from tests.conftest import CORPUS
from tests.webkit import ROLES, page_paths, path_values

pytestmark = pytest.mark.browser
FIXTURES = (browser, live_server, snap)

VIEWPORT = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Two rows: the name and the account, then the menu (one row is about 40 px).
PHONE_HEADER_HEIGHT = 120
# Text on a phone smaller than this (in CSS pixels) is not read without zooming; on a
# desktop a chart is drawn at its own size, words at Vega's 10 px at least.
SMALLEST_FONT = {"phone": 11, "tab": 10}
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


def open_tab(browser: Any, live_server: LiveServer, **size: Any) -> tuple[Any, Any, Visit]:
    """A fresh context whose requests may reach the live server only: context, tab, visit."""
    visit = Visit(host=urlsplit(live_server.url).netloc)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", **size)
    context.set_default_timeout(30_000)
    context.route("**/*", visit.guard)
    opened = context.new_page()
    opened.on("console", visit.console)
    opened.on("pageerror", lambda error: visit.errors.append(f"uncaught: {error}"))
    return context, opened, visit


@pytest.fixture
def tab(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, Visit]]:
    """A tab at desktop size."""
    context, opened, visit = open_tab(browser, live_server, viewport=VIEWPORT)
    yield opened, visit
    context.close()


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Iterator[tuple[Any, Visit]]:
    """A tab the size of a phone's screen, touched rather than clicked."""
    context, opened, visit = open_tab(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True
    )
    yield opened, visit
    context.close()


@pytest.fixture(scope="module")
def figures_to_review(live_server: LiveServer) -> str:
    """A news item read into figures pending review, so that the review page (the one
    ``path_values`` picks) shows its table; the key of its document."""
    with transaction(live_server.engine) as session:
        read = ingest_file(session, path=sorted(CORPUS.glob("002_*.txt"))[0], recorded_by="planner")
    assert read.found > 0, read
    return read.document


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


# Every role in Vietnamese; in English the administrator, who is shown every page.
ROLES_AND_LANGS = [*((role, "vi") for role in ROLES), ("admin", "en")]


def pages_of(page: Any, live_server: LiveServer, lang: str) -> list[str]:
    """The pages the signed-in tab may ask for, its language chosen (and kept in a cookie)."""
    page.goto(f"/overview?lang={lang}")
    paths = [
        path
        for path in page_paths(live_server.app, path_values(live_server.engine))
        if is_page(page, path)
    ]
    assert len(paths) >= 15, f"too few pages found: {paths}"
    return paths


@pytest.mark.parametrize(("role", "lang"), ROLES_AND_LANGS)
def test_every_page_loads_from_the_app_alone_without_errors_or_accessibility_faults(
    tab, live_server, figures_to_review, role, lang
):
    page, visit = tab
    sign_in(page, role)
    paths = pages_of(page, live_server, lang)
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


# What makes the page wider than the screen: the innermost elements whose content
# overflows them where nothing scrolls it (a scrolling box of its own is allowed).
OVERFLOWING = """() => {
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.scrollWidth <= element.clientWidth + 1 || element.clientWidth === 0) continue;
    if (getComputedStyle(element).overflowX !== "visible") continue;
    const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + (typeof element.className === "string" && element.className
         ? "." + element.className.trim().split(/\\s+/).join(".") : "");
    found.push(`${name} (${element.scrollWidth} px: ${element.textContent.trim().slice(0, 40)})`);
  }
  return found.slice(-3);
}"""
# Where the screenshots looked at in closing issue 16 come from (test-artifacts/browser/).
SNAPPED = {"/overview", "/indicators/{code}", "/documents/{key}", "/entry", "/tasks"}


@pytest.mark.parametrize(("role", "lang"), ROLES_AND_LANGS)
def test_every_page_fits_a_phone_screen_under_a_compact_header(
    phone, live_server, figures_to_review, snap, role, lang
):
    page, visit = phone
    sign_in(page, role)
    paths = pages_of(page, live_server, lang)
    snapped = {template.format(**path_values(live_server.engine)) for template in SNAPPED}
    wide: dict[str, str] = {}
    headers: dict[str, float] = {}
    faults: dict[str, list[str]] = {}
    checked: set[str] = set()
    for path in paths:
        if load(page, path) == 403:
            visit.forget_refusal(page.url)
        if page.url in checked:
            continue
        checked.add(page.url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[path] = f"{width} px; " + "; ".join(page.evaluate(OVERFLOWING))
        header = page.locator("header.top").bounding_box()
        if header is None or header["height"] > PHONE_HEADER_HEIGHT:
            headers[path] = header["height"] if header else 0.0
        if found := blocking_violations(page):
            faults[path] = found
        landed = urlsplit(page.url).path  # "/" lands on the overview
        if role == "admin" and lang == "vi" and landed in snapped:
            snap(page, landed.strip("/").split("/")[0])
    assert wide == {}, "pages wider than the phone's screen:\n" + "\n".join(
        f"{path}: {why}" for path, why in wide.items()
    )
    assert headers == {}, f"headers taller than {PHONE_HEADER_HEIGHT} px: {headers}"
    assert visit.left == [], f"requests that left the app: {visit.left}"
    assert visit.errors == [], f"console errors: {visit.errors}"
    assert faults == {}, "serious or critical accessibility violations:\n" + "\n".join(
        f"{path}: {line}" for path, lines in faults.items() for line in lines
    )


def test_on_a_phone_each_overview_target_is_a_card_naming_its_figures(phone, live_server):
    page, _ = phone
    sign_in(page, "planner")
    load(page, "/overview")
    names = page.locator("#targets thead th").all_text_contents()
    rows = page.locator("#targets tbody tr[data-target]")
    assert rows.count() > 0
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        # The first cell, the indicator, is the card's title; each figure under it says
        # which column it was (target, latest figure, % of plan, assessment).
        said = [
            cells.nth(column).evaluate("cell => getComputedStyle(cell, '::before').content")
            for column in range(1, cells.count())
        ]
        assert said == [f'"{name.strip()}: "' for name in names[1:]]
        for column in range(cells.count()):
            box = cells.nth(column).bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"], (index, column, box)
    assert not page.locator("#targets thead").is_visible()


# The size a chart's words are drawn at: their font size times the SVG's scale on screen.
DRAWN_SIZES = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll(".role-legend-label text, .role-axis-label text"),
                    text => parseFloat(text.getAttribute("font-size")) * scale);
}"""
LEGEND_BELOW_PLOT = """svg => {
  const legend = svg.querySelector(".role-legend").getBoundingClientRect();
  const axis = svg.querySelector(".role-axis[aria-label^='X-axis']").getBoundingClientRect();
  return legend.top >= axis.bottom - 1;
}"""


@pytest.mark.parametrize("size", ["phone", "tab"])
def test_a_chart_fits_the_screen_its_legend_readable_below_it(request, live_server, size):
    page, _ = request.getfixturevalue(size)
    sign_in(page, "viewer")
    load(page, "/indicators/GRDP_GROWTH")
    shown = page.locator("#indicator-chart svg:visible")
    assert shown.count() == 1, "one drawing of the chart, the one for this screen"
    chart = shown.first
    box = chart.bounding_box()
    figure = page.locator("#indicator-chart").bounding_box()
    assert box is not None and figure is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= figure["x"] + figure["width"] + 1
    assert box["width"] >= 0.8 * min(figure["width"], float(chart.get_attribute("width")))
    sizes = chart.evaluate(DRAWN_SIZES)
    assert sizes and min(sizes) >= SMALLEST_FONT[size], sizes
    assert chart.evaluate(LEGEND_BELOW_PLOT)
