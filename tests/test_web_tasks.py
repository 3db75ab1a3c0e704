"""The tasks board and the tasks API: holders after mergers, overdue tasks, progress reports."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from chitieu import is_overdue, transaction
from chitieu.agency.models import Agency
from chitieu.agency.service import absorbed, resolve_agency
from chitieu.audit.models import AuditEntry
from chitieu.task.models import Task, TaskUpdate
from tests.conftest import BACKENDS
from tests.webkit import EDITOR_AGENCY

ROW = re.compile(
    r'<tr id="task-(\d+)" data-task="\1" data-status="([a-z_]+)" '
    r'data-overdue="(true|false)"( class="overdue")?>'
)


def _rows(html):
    """{task id: (status, data-overdue, has the overdue class)} as the board shows them."""
    return {
        int(found[0]): (found[1], found[2] == "true", bool(found[3])) for found in ROW.findall(html)
    }


def _bearer(web, role):
    return {"Authorization": f"Bearer {web.tokens[role]}"}


def _overdue_ids(engine, as_of):
    with transaction(engine) as session:
        return {t.id for t in session.scalars(select(Task)) if is_overdue(t, as_of=as_of)}


def _editor_reach(session):
    agency = session.scalar(select(Agency).where(Agency.code == EDITOR_AGENCY))
    return {a.id for a in absorbed(session, agency=agency)}


def _tasks(engine):
    """(a task the editor's department inherited by a merger, one it has nothing to do with)."""
    with transaction(engine) as session:
        reach = _editor_reach(session)
        tasks = session.scalars(select(Task).order_by(Task.id)).all()
        inherited = next(
            t.id
            for t in tasks
            if any(a.code == "bg_so_khdt" for a in t.leads)
            and all(a.id not in reach for a in t.partners)
        )
        foreign = next(
            t.id for t in tasks if all(a.id not in reach for a in [*t.leads, *t.partners])
        )
    return inherited, foreign


def _updates(engine, task_id):
    with transaction(engine) as session:
        return [
            (u.on_date, u.status, u.note, u.recorded_by)
            for u in session.scalars(
                select(TaskUpdate).where(TaskUpdate.task_id == task_id).order_by(TaskUpdate.id)
            )
        ]


def _audit(engine, task_id):
    with transaction(engine) as session:
        return [
            (e.actor, e.action, json.loads(e.after))
            for e in session.scalars(
                select(AuditEntry).where(
                    AuditEntry.entity == "task", AuditEntry.entity_id == str(task_id)
                )
            )
        ]


def _post(web, role, task_id, *, htmx=False, csrf=True, **fields):
    headers = {"HX-Request": "true"} if htmx else {}
    data = dict(fields)
    if csrf:
        data["csrf_token"] = web.csrf(role)
    return web.clients[role].post(
        f"/tasks/{task_id}/updates", data=data, headers=headers, follow_redirects=False
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_board_highlights_the_overdue_tasks(web):
    today = date.today()
    page = web.clients["viewer"].get("/tasks")
    assert page.status_code == 200
    rows = _rows(page.text)
    with transaction(web.engine) as session:
        all_ids = set(session.scalars(select(Task.id)))
    assert set(rows) == all_ids
    expected = _overdue_ids(web.engine, today)
    assert expected, "the dataset should hold overdue tasks"
    assert {tid for tid, (_, overdue, _) in rows.items() if overdue} == expected
    assert all(marked == overdue for _, overdue, marked in rows.values())
    assert f'data-status="overdue"><strong>{len(expected)}</strong>' in page.text

    early = date(2019, 6, 30)
    past = _rows(web.clients["viewer"].get(f"/tasks?as_of={early.isoformat()}").text)
    assert {tid for tid, (_, overdue, _) in past.items() if overdue} == _overdue_ids(
        web.engine, early
    )
    only = _rows(web.clients["viewer"].get("/tasks?overdue=true").text)
    assert set(only) == expected


def test_tasks_of_merged_departments_are_shown_under_their_successor(web):
    today = date.today()
    html = web.clients["viewer"].get("/tasks").text
    sections = re.split(r'<section class="task-group" data-agency="', html)[1:]
    placed = {}
    for section in sections:
        code = section.split('"', 1)[0]
        for task_id in _rows(section):
            placed[task_id] = code
    with transaction(web.engine) as session:
        for task in session.scalars(select(Task)):
            first = task.leads[0]
            holder = resolve_agency(session, agency=first, on=today) or first
            assert placed[task.id] == holder.code, task.id
        khdt = [t.id for t in session.scalars(select(Task)) if t.leads[0].code == "bg_so_khdt"]
    assert khdt and all(placed[tid] == EDITOR_AGENCY for tid in khdt)
    assert 'data-moved-to="bn_so_tai_chinh"' in html

    filtered = web.clients["viewer"].get("/tasks?agency=bn_so_tai_chinh").text
    with transaction(web.engine) as session:
        reach = _editor_reach(session)
        led = {t.id for t in session.scalars(select(Task)) if any(a.id in reach for a in t.leads)}
    assert set(_rows(filtered)) == led


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_editor_updates_a_task_its_department_inherited_and_is_refused_anothers(web):
    inherited, foreign = _tasks(web.engine)
    page = web.clients["agency_editor"].get("/tasks").text
    assert re.search(rf'action="/tasks/{inherited}/updates"', page)
    assert not re.search(rf'action="/tasks/{foreign}/updates"', page)

    response = _post(
        web, "agency_editor", inherited, htmx=True, status="in_progress", note="đang làm"
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    still_overdue = inherited in _overdue_ids(web.engine, date.today())  # in progress, not done
    assert _rows(response.text) == {inherited: ("in_progress", still_overdue, still_overdue)}
    assert 'class="task-update"' in response.text and "đang làm" in response.text
    # The board's counts hear of it and fetch themselves again with the page's filters.
    assert response.headers["HX-Trigger"] == "tasks-changed"
    board = web.clients["agency_editor"].get("/tasks?status=done").text
    counts = re.search(r'<div class="counts" id="task-counts"[^>]*>', board).group(0)
    assert 'hx-trigger="tasks-changed from:body"' in counts
    assert 'hx-get="/tasks?status=done"' in counts and 'hx-select="#task-counts"' in counts
    assert _updates(web.engine, inherited) == [
        (date.today(), "in_progress", "đang làm", "agency_editor")
    ]
    actor, action, after = _audit(web.engine, inherited)[-1]
    assert (actor, action, after["status"], after["note"]) == (
        "agency_editor",
        "update",
        "in_progress",
        "đang làm",
    )

    refused = _post(web, "agency_editor", foreign, status="done", note="")
    assert refused.status_code == 403
    assert re.search(r'role="alert"[^>]*>[^<]*#' + str(foreign), refused.text)
    as_htmx = _post(web, "agency_editor", foreign, htmx=True, status="done")
    assert as_htmx.status_code == 403 and "<html" not in as_htmx.text
    assert _updates(web.engine, foreign) == []
    assert _audit(web.engine, foreign) == []


def test_updates_are_dated_and_listed_newest_first(web):
    inherited, _ = _tasks(web.engine)
    first = _post(
        web, "planner", inherited, status="in_progress", note="bắt đầu", on_date="2025-01-10"
    )
    assert first.status_code == 303
    second = _post(web, "planner", inherited, status="done", note="xong", on_date="15/03/2025")
    assert second.status_code == 303
    earlier = _post(web, "planner", inherited, status="in_progress", on_date="2024-05-01")
    assert earlier.status_code == 303
    html = web.clients["planner"].get("/tasks").text
    row = re.search(rf'<tr id="task-{inherited}".*?</tr>', html, re.S).group(0)
    shown = re.findall(r"<li data-update=\"\d+\">(\d\d/\d\d/\d{4})", row)
    assert shown == ["15/03/2025", "10/01/2025", "01/05/2024"]
    assert _rows(row)[inherited][0] == "done"  # the latest report by date gives the status

    assert _post(web, "planner", inherited, status="finished").status_code == 422
    assert _post(web, "planner", inherited, status="done", on_date="31/02/2025").status_code == 422
    assert len(_updates(web.engine, inherited)) == 3


def test_a_viewer_sees_the_board_but_cannot_report(web):
    inherited, _ = _tasks(web.engine)
    page = web.clients["viewer"].get("/tasks")
    assert page.status_code == 200 and 'class="task-update"' not in page.text
    assert _post(web, "viewer", inherited, status="done").status_code == 403
    assert _updates(web.engine, inherited) == []
    assert web.anonymous().get("/tasks", follow_redirects=False).status_code == 303


def test_a_report_without_the_csrf_token_is_refused(web):
    inherited, _ = _tasks(web.engine)
    assert _post(web, "planner", inherited, csrf=False, status="done").status_code == 403
    forged = web.clients["planner"].post(
        f"/tasks/{inherited}/updates", data={"status": "done", "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert _updates(web.engine, inherited) == []


def test_board_filters_by_status_and_english(web):
    inherited, _ = _tasks(web.engine)
    _post(web, "planner", inherited, status="done", note="xong")
    done = _rows(web.clients["viewer"].get("/tasks?status=done").text)
    assert done == {inherited: ("done", False, False)}
    assert web.clients["viewer"].get("/tasks?status=finished").status_code == 422
    assert web.clients["viewer"].get("/tasks?plan=no-such-plan").status_code == 404
    english = web.clients["viewer"].get("/tasks?lang=en").text
    assert "Tasks by lead agency" in english and "overdue" in english


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_tasks_api(web):
    client = web.anonymous()
    viewer = _bearer(web, "viewer")
    today = date.today()
    listed = client.get("/api/v1/tasks", headers=viewer)
    assert listed.status_code == 200
    body = listed.json()
    assert body["as_of"] == today.isoformat()
    with transaction(web.engine) as session:
        assert len(body["items"]) == len(session.scalars(select(Task.id)).all())
    overdue = client.get("/api/v1/tasks?overdue=true", headers=viewer).json()["items"]
    assert {item["id"] for item in overdue} == _overdue_ids(web.engine, today)
    assert all(item["overdue"] for item in overdue)

    mine = client.get(f"/api/v1/tasks?agency={EDITOR_AGENCY}", headers=viewer).json()["items"]
    assert mine and all(
        any(holder == EDITOR_AGENCY for holder in (lead["holder"] for lead in item["leads"]))
        for item in mine
    )

    inherited, foreign = _tasks(web.engine)
    one = client.get(f"/api/v1/tasks/{inherited}", headers=viewer)
    assert one.status_code == 200 and one.json()["id"] == inherited
    assert client.get("/api/v1/tasks/999999", headers=viewer).status_code == 404
    assert client.get("/api/v1/tasks?status=finished", headers=viewer).status_code == 422

    editor = _bearer(web, "agency_editor")
    posted = client.post(
        f"/api/v1/tasks/{inherited}/updates",
        json={"status": "done", "note": "đã hoàn thành", "on_date": "2025-08-01"},
        headers=editor,
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["status"] == "done"
    assert posted.json()["updates"][0]["on_date"] == "2025-08-01"
    assert _audit(web.engine, inherited)[-1][0] == "agency_editor"

    for wrong in (
        {"status": True},
        {"status": "done", "note": 5},
        {"status": "done", "on_date": "01/08/2025"},
        {"status": "done", "on_date": "2025-02-30"},
        {"status": "done", "extra": "x"},
    ):
        response = client.post(f"/api/v1/tasks/{inherited}/updates", json=wrong, headers=editor)
        assert response.status_code == 422, wrong
    refused = client.post(
        f"/api/v1/tasks/{foreign}/updates", json={"status": "done"}, headers=editor
    )
    assert refused.status_code == 403
    as_viewer = client.post(
        f"/api/v1/tasks/{inherited}/updates", json={"status": "done"}, headers=viewer
    )
    assert as_viewer.status_code == 403
    assert len(_updates(web.engine, inherited)) == 1
    assert _updates(web.engine, foreign) == []


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_report_dated_in_the_future_is_refused_with_its_reason_everywhere(web):
    inherited, _ = _tasks(web.engine)
    form = _post(web, "planner", inherited, status="done", note="", on_date="2030-06-30")
    assert form.status_code == 422
    assert re.search(r'role="alert"[^>]*>[^<]*30/06/2030[^<]*sau hôm nay', form.text), form.text
    row = _post(web, "planner", inherited, htmx=True, status="done", on_date="30/06/2030")
    assert row.status_code == 422 and "<html" not in row.text
    assert "30/06/2030" in row.text and "sau hôm nay" in row.text
    api = web.anonymous().post(
        f"/api/v1/tasks/{inherited}/updates",
        json={"status": "done", "on_date": "2030-06-30"},
        headers=_bearer(web, "planner"),
    )
    assert api.status_code == 422 and "sau hôm nay" in api.text
    assert _updates(web.engine, inherited) == []  # nothing waits to flip the task in 2030


def _forms_csrf(html):
    """The CSRF tokens the board's report forms carry (the frame's logout form left out)."""
    return set(
        re.findall(
            r'<form class="task-update"[^>]*>\s*<input type="hidden" '
            r'name="csrf_token" value="([^"]+)"',
            html,
        )
    )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_kept_board_is_drawn_anew_after_a_report(web):
    inherited, _ = _tasks(web.engine)
    viewer = web.clients["viewer"]
    assert _rows(viewer.get("/tasks").text)[inherited][0] == "not_started"
    assert _rows(viewer.get("/tasks").text)[inherited][0] == "not_started"  # kept
    assert _post(web, "planner", inherited, status="in_progress").status_code == 303
    assert _rows(viewer.get("/tasks").text)[inherited][0] == "in_progress"


def test_a_kept_board_shows_each_reader_the_forms_of_their_own_scope_and_token(web):
    """Drawn first for a viewer, then an agency editor, then planners: each sees the forms
    their role and agency allow, carrying the CSRF token of their own session."""
    inherited, foreign = _tasks(web.engine)

    def forms_of(role):
        html = web.clients[role].get("/tasks").text
        tasks = {int(task) for task in re.findall(r'action="/tasks/(\d+)/updates"', html)}
        return tasks, _forms_csrf(html)

    viewer_forms, viewer_tokens = forms_of("viewer")
    assert viewer_forms == set() and viewer_tokens == set()
    editor_forms, editor_tokens = forms_of("agency_editor")
    assert inherited in editor_forms and foreign not in editor_forms
    assert editor_tokens == {web.csrf("agency_editor")}
    planner_forms, planner_tokens = forms_of("planner")
    assert {inherited, foreign} <= planner_forms
    assert planner_tokens == {web.csrf("planner")}
    admin_forms, admin_tokens = forms_of("admin")
    assert admin_forms == planner_forms and admin_tokens == {web.csrf("admin")}
    assert web.csrf("admin") != web.csrf("planner")
    # The token the page gave works, and no stand-in is left for anyone to post.
    assert _post(web, "agency_editor", inherited, status="done").status_code == 303
