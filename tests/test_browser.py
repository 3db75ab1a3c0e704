"""The pages in a real browser: signing in, the overview, a chart, a document's review, data entry.

Debian's chromium through Playwright, on a live uvicorn server over the loaded
SQLite dataset (``tests/browser.py``). The tests hold the pages to their DOM
hooks (``data-*`` attributes, ids, ``role=alert``) rather than to their wording.
The live server also gets twenty readers at once, as a browser-less check.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from chitieu import transaction
from chitieu.agency.models import Agency
from chitieu.extraction.models import ExtractedFigure
from chitieu.observation.models import Observation
from chitieu.user.service import indicator_codes_of
from tests.browser import browser, live_server, page, sign_in, snap
from tests.conftest import CORPUS
from tests.test_web_documents import acceptable
from tests.webkit import EDITOR_AGENCY

pytestmark = pytest.mark.browser
# The fixtures this module uses, from tests/browser.py (named here so pytest finds them).
FIXTURES = (browser, live_server, page, snap)

STATUSES = {
    "achieved",
    "on_track",
    "needs_acceleration",
    "off_track",
    "deteriorating",
    "insufficient_data",
    # Final verdicts and targets passed to a successor's plan (the default plan today is
    # Decision 249, whose 2025 targets have ended and whose region ceased in 2025).
    "not_achieved",
    "succeeded",
}


def _count(text: str) -> int:
    """A count as the pages print it: Vietnamese thousands separators are dots."""
    digits = re.sub(r"[.,\s]", "", text)
    assert digits.isdigit(), f"not a count: {text!r}"
    return int(digits)


def test_planner_logs_in_through_the_form_and_lands_on_the_overview(page, snap):
    page.goto("/login")
    page.fill("input[name=username]", "planner")
    page.fill("input[name=password]", "wrong-password")
    with page.expect_navigation() as refused:
        page.click("form[action='/login'] button[type=submit]")
    assert refused.value.status == 401
    assert page.locator("[role=alert]").is_visible()

    landed = sign_in(page, "planner")
    snap(page, "overview")
    assert urlsplit(page.url).path == "/overview"
    assert landed.status == 200
    assert page.locator("[data-role=planner]").inner_text().strip() == "planner"


def test_overview_shows_a_known_status_per_target_and_counts_that_add_up(page, snap):
    sign_in(page, "viewer")
    assert page.goto("/overview").status == 200
    snap(page, "statuses")
    rows = page.locator("tr[data-target][data-status]")
    statuses = [rows.nth(i).get_attribute("data-status") for i in range(rows.count())]
    assert statuses, "the overview lists no target rows"
    assert set(statuses) <= STATUSES, set(statuses) - STATUSES
    counts = page.locator("[data-count-status]")
    assert counts.count() > 0, "the overview shows no status counts"
    by_status = {
        counts.nth(i).get_attribute("data-count-status"): _count(
            counts.nth(i).locator("strong").first.inner_text()
        )
        for i in range(counts.count())
    }
    assert sum(by_status.values()) == len(statuses)
    for status, shown in by_status.items():
        assert shown == statuses.count(status), status


def test_indicator_page_draws_its_chart_and_lists_its_observations(page, snap, live_server):
    sign_in(page, "viewer")
    response = page.goto("/indicators/GRDP_GROWTH")
    assert response.status == 200
    chart = page.locator("#indicator-chart svg").first
    chart.wait_for(state="visible")
    snap(page, "chart")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    # Vega draws lines, points and bars as paths inside its mark groups.
    marks = page.locator(
        "#indicator-chart svg g.role-mark path, #indicator-chart svg g.role-mark symbol, "
        "#indicator-chart svg g.role-mark rect"
    )
    assert marks.count() > 0, "the chart has axes but no marks"

    rows = page.locator("table#observations tr[data-observation]")
    shown = {int(rows.nth(i).get_attribute("data-observation")) for i in range(rows.count())}
    assert shown, "the observations table is empty"
    with transaction(live_server.engine) as session:
        stored = set(
            session.scalars(
                select(Observation.id).where(Observation.indicator_code == "GRDP_GROWTH")
            )
        )
    assert shown <= stored, "rows that are not GRDP_GROWTH's observations"


def test_planner_uploads_a_document_and_accepts_a_figure(page, snap, live_server):
    sign_in(page, "planner")
    assert page.goto("/documents").status == 200
    document = sorted(CORPUS.glob("002_*.txt"))[0]
    page.set_input_files("form#upload input[name=file]", str(document))
    with page.expect_navigation(url=re.compile(r"/documents/[^/?#]+")):
        page.locator("form#upload [type=submit]").first.click()
    key = urlsplit(page.url).path.removeprefix("/documents/")
    pending = page.locator("tr[data-figure][data-state=pending]")
    assert pending.count() > 0, "the uploaded document shows no pending figures"

    with transaction(live_server.engine) as session:
        figures = session.scalars(
            select(ExtractedFigure).where(ExtractedFigure.source_document.has(key=key))
        ).all()
        of_document = {figure.id for figure in figures}
    shown = {int(pending.nth(i).get_attribute("data-figure")) for i in range(pending.count())}
    assert shown <= of_document, "pending rows that are not this document's figures"

    # The queue opens on the least certain figures; accept one that can be taken as read.
    figure_id = str(acceptable(live_server.engine, key)[0].id)
    page.click(f'tr[data-figure="{figure_id}"] button[name=action][value=accept]')
    page.wait_for_selector(f'tr[data-figure="{figure_id}"][data-state=accepted]')
    snap(page, "accepted")
    with transaction(live_server.engine) as session:
        stored = session.get(ExtractedFigure, int(figure_id))
        assert stored is not None and stored.review_state == "accepted"


REPORT = (
    "CỤC THỐNG KÊ TỈNH BÀ RỊA - VŨNG TÀU\n"
    "Tình hình kinh tế - xã hội tháng 9 và 9 tháng năm 2024\n"
    "Bà Rịa - Vũng Tàu, ngày 27 tháng 9 năm 2024\n\n"
    "Tính chung 9 tháng, GRDP (không kể dầu thô và khí đốt) ước tăng 7,51% so với cùng kỳ "
    "năm 2023; khu vực công nghiệp và xây dựng tăng 8,2%, đóng góp 4,12 điểm phần trăm. "
    "Toàn tỉnh có 18 khu công nghiệp; 12 nhà văn hóa được xây mới.\n"
)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_documents_page_shows_its_model_and_the_doubtful_figures_first(
    page, snap, live_server, tmp_path, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "planner")
    path = tmp_path / f"brvt-thang-9-{width}.txt"
    # Each width uploads its own bytes: the same file would be the same document.
    path.write_text(REPORT + f"\n(bản {width})\n", encoding="utf-8")
    page.goto("/documents")
    page.set_input_files("form#upload input[name=file]", str(path))
    with page.expect_navigation(url=re.compile(r"/documents/[^/?#]+")):
        page.locator("form#upload [type=submit]").first.click()
    model = page.locator("section.document-model")
    assert model.is_visible()
    facts = model.locator("dd")
    assert [facts.nth(i).inner_text() for i in range(facts.count())][1:] == [
        "tháng 9/2024; 9 tháng năm 2024",
        "báo cáo thống kê",
        "Bà Rịa - Vũng Tàu",
    ]
    # The model fits the screen: nothing of it hidden past the right edge.
    box = model.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    confidences = page.locator("tr[data-state=pending] .why").evaluate_all(
        "nodes => nodes.map(n => parseFloat(n.dataset.confidence))"
    )
    assert len(confidences) >= 3 and confidences == sorted(confidences)
    assert page.locator("tr[data-state=pending] .why li").first.inner_text().startswith("kỳ: ")
    snap(page, f"document-{width}")


def test_agency_editor_is_refused_another_agencys_indicator(page, snap, live_server):
    sign_in(page, "agency_editor")
    response = page.goto("/entry?indicator=EXPORT_VALUE")
    assert response.status == 403
    assert page.locator("[role=alert]").first.is_visible()
    snap(page, "refused")

    assert page.goto("/entry").status == 200
    options = page.locator("#entry-form select[name=indicator] option")
    offered = {options.nth(i).get_attribute("value") for i in range(options.count())} - {"", None}
    assert "EXPORT_VALUE" not in offered
    assert "STATE_BUDGET_REVENUE" in offered
    with transaction(live_server.engine) as session:
        agency = session.scalars(select(Agency).where(Agency.code == EDITOR_AGENCY)).one()
        own = indicator_codes_of(session, agency_id=agency.id)
    assert offered <= own, f"offered other agencies' indicators: {sorted(offered - own)}"


def test_twenty_readers_at_once_all_get_their_page(live_server):
    """Each request must hold one database connection at most: twenty at once
    (more than the pool's 5 + 10) must not wait on each other until they time out.

    The clients wait longer than the pool's 30 s, so that a regression shows as the
    server's errors, and the server is idle again when the module stops it.
    """
    headers = {"Authorization": f"Bearer {live_server.tokens['viewer']}"}

    def read(_: int) -> int:
        with httpx.Client(base_url=live_server.url, headers=headers, timeout=90) as client:
            return client.get("/indicators").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(read, range(20)))
    assert statuses == [200] * 20, (
        f"answers {sorted(statuses)}: does a request hold two database connections "
        "(its session, and another to find who is asking)?"
    )
