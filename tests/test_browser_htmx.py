"""htmx actions in a real browser: the counts and lists an action changes follow it, no reload.

A figure saved on the data-entry page joins "Số liệu nhập gần đây" (an
out-of-band swap); a task reported on moves the board's counts by status (the
counts hear ``tasks-changed`` and fetch themselves with the page's filters).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chitieu import transaction
from chitieu.observation.models import Observation
from tests.browser import browser, live_server, page, sign_in, snap

pytestmark = pytest.mark.browser
FIXTURES = (browser, live_server, page, snap)


def test_a_saved_figure_joins_the_recent_list_without_a_reload(page, snap, live_server):
    sign_in(page, "agency_editor")
    page.goto("/entry")
    loaded = page.evaluate("performance.timeOrigin")
    form = page.locator("#entry-form")
    form.locator("select[name=indicator]").select_option("STATE_BUDGET_REVENUE")
    form.locator("select[name=region]").select_option("bac_ninh")
    form.locator("input[name=period]").fill("2025-Q4")
    form.locator("input[name=value]").fill("1.234,5")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#saved[data-written=true]")
    with transaction(live_server.engine) as session:
        saved = session.scalars(
            select(Observation.id).where(
                Observation.indicator_code == "STATE_BUDGET_REVENUE",
                Observation.period == "2025-Q4",
                Observation.recorded_by == "agency_editor",
            )
        ).one()
    page.wait_for_selector(f"#recent-block tr[data-observation='{saved}']")
    snap(page, "recent")
    assert "Chưa có số liệu nào" not in page.locator("#recent-block").inner_text()
    assert page.evaluate("performance.timeOrigin") == loaded  # the same page, never reloaded


def _count(page, status: str) -> int:
    return int(page.locator(f"#task-counts [data-status={status}] strong").inner_text())


def test_a_task_report_moves_the_boards_counts_without_a_reload(page, snap):
    sign_in(page, "planner")
    page.goto("/tasks")
    loaded = page.evaluate("performance.timeOrigin")
    row = page.locator("tr[data-status=not_started]:has(form.task-update)").first
    task = row.get_attribute("data-task")
    before = {status: _count(page, status) for status in ("not_started", "done")}
    row.locator("select[name=status]").select_option("done")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"tr[data-task='{task}'][data-status=done]")
    page.wait_for_function(
        "n => document.querySelector('#task-counts [data-status=done] strong').textContent == n",
        arg=str(before["done"] + 1),
    )
    snap(page, "counts")
    assert _count(page, "not_started") == before["not_started"] - 1
    assert page.evaluate("performance.timeOrigin") == loaded


def test_a_region_is_found_as_one_types_and_opened_with_the_keyboard(page, snap):
    sign_in(page, "viewer")
    # The server's first indicator page loads the forecasting library: slow on a busy machine.
    page.goto("/indicators/GRDP_GROWTH", timeout=120_000)
    loaded = page.evaluate("performance.timeOrigin")
    page.get_by_label("Tìm địa bàn khác").fill("bac ninh")
    found = page.locator("#region-results a", has_text="Bắc Ninh").first
    found.wait_for()
    assert page.evaluate("performance.timeOrigin") == loaded  # listed without a reload
    snap(page, "region-search")
    found.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#indicator[data-region=bac_ninh]")
