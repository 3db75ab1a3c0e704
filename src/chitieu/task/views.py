"""The tasks board (page) and the tasks API: who holds each task now, how far it is."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from chitieu._errors import ChitieuError, DatabaseError
from chitieu._version import current_version
from chitieu.agency.models import Agency
from chitieu.agency.service import get_agency, list_agencies
from chitieu.plan.models import Plan
from chitieu.plan.service import get_plan, list_plans
from chitieu.submission.views import LINE, PARAGRAPH, error_status, is_htmx
from chitieu.task.board import (
    NO_TASK,
    Board,
    TaskRow,
    build_board,
    get_task,
    report_progress,
    report_scope,
    task_row,
)
from chitieu.task.models import TASK_STATUSES
from chitieu.task.service import read_day
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import render, render_shared
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["tasks"])
MAX_ID = 2**31 - 1
DAY = r"^(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})?$"
ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"
AsOf = Annotated[
    str | None,
    Query(
        pattern=ISO_DAY,
        description="YYYY-MM-DD; today when left out",
        json_schema_extra={"format": "date"},
    ),
]
TaskStatus = Literal["not_started", "in_progress", "done", "cancelled"]
View = Annotated[Actor, Depends(requires("view"))]
UpdateTask = Annotated[Actor, Depends(requires("update_task"))]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body is not JSON"},
    401: {"description": "not signed in"},
    403: {"description": "the role or the agency may not report on this task"},
    404: {"description": "no such task, plan or agency"},
    422: {"description": "bad input"},
}


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


def _filtered_board(
    session: Session,
    actor: Actor,
    day: date,
    *,
    plan: str | None,
    agency: str | None,
    status: str | None,
    overdue: bool,
) -> tuple[Board, Plan | None, Agency | None]:
    """The board on ``day`` with the plan and agency chosen (404 for one that is not there)."""
    chosen_plan = get_plan(session, code_or_number=plan) if plan else None
    chosen_agency = get_agency(session, code_or_name=agency) if agency else None
    board = build_board(
        session,
        actor=actor,
        as_of=day,
        plan=chosen_plan,
        agency=chosen_agency,
        status=status,
        overdue=overdue,
    )
    return board, chosen_plan, chosen_agency


# Pages ----------------------------------------------------------------------


@pages.get("/tasks")
def board_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: View,
    plan: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    agency: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    status: Annotated[str | None, Query(max_length=16, pattern=LINE)] = None,
    overdue: Annotated[bool, Query()] = False,
    as_of: Annotated[str | None, Query(max_length=10, pattern=DAY)] = None,
) -> Response:
    """The plan's tasks under the agencies that hold them now, overdue ones marked.

    The same for everyone who may report on the same tasks (see ``report_scope``):
    drawn once per data version, day and filters, and kept.
    """
    today = date.today()
    day = read_day(as_of) or today
    scope = report_scope(actor)

    def build() -> dict[str, Any]:
        board, chosen_plan, chosen_agency = _filtered_board(
            session, actor, day, plan=plan, agency=agency, status=status or None, overdue=overdue
        )
        return {
            "board": board,
            "plans": list_plans(session),
            "agencies": list_agencies(session, on=day),
            "statuses": TASK_STATUSES,
            "chosen": {
                "plan": chosen_plan.code if chosen_plan else "",
                "agency": chosen_agency.code if chosen_agency else "",
                "status": status or "",
                "overdue": overdue,
                "as_of": day.isoformat(),
            },
            "today": today.isoformat(),
        }

    # The page links to itself with its query (the counts fetch themselves again), so
    # the query as sent is part of the key, beside the filters it gives.
    return render_shared(
        request,
        "task/board.html",
        build,
        key=(request.url.query, day, today, scope),
        version=current_version(session),
        forms=scope != NO_TASK,
    )


def _row_response(
    request: Request, row: TaskRow, *, error: str | None = None, status_code: int = 200
) -> Response:
    context = {"row": row, "today": date.today().isoformat(), "row_error": error}
    return render(request, "task/_row.html", context, status_code=status_code)


@pages.post("/tasks/{task_id}/updates")
def update_page(
    request: Request,
    session: DbSession,
    actor: UpdateTask,
    task_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    status: Annotated[str, Form(max_length=16, pattern=LINE)],
    note: Annotated[str, Form(max_length=5000, pattern=PARAGRAPH)] = "",
    on_date: Annotated[str, Form(max_length=10, pattern=DAY)] = "",
) -> Response:
    """Record a dated report; htmx gets the task's row back, a plain form a redirect."""
    try:
        with session.begin_nested():
            report_progress(
                session,
                actor=actor,
                task_id=task_id,
                status=status,
                note=note,
                on_date=read_day(on_date),
            )
    except DatabaseError:
        raise
    except ChitieuError as exc:
        if not is_htmx(request):
            raise
        task = get_task(session, task_id=task_id)
        row = task_row(session, actor=actor, task=task, as_of=date.today())
        return _row_response(request, row, error=str(exc), status_code=error_status(exc))
    if not is_htmx(request):
        return RedirectResponse(f"/tasks#task-{task_id}", status_code=303)
    task = get_task(session, task_id=task_id)
    response = _row_response(request, task_row(session, actor=actor, task=task, as_of=date.today()))
    # The board's counts by status change too: they listen for this and fetch themselves.
    response.headers["HX-Trigger"] = "tasks-changed"
    return response


# API ------------------------------------------------------------------------


class AgencyRef(BaseModel):
    model_config = ConfigDict(strict=True)
    code: str
    name: str
    holder: str | None = Field(description="the agency holding its duties on as_of; None: ceased")


class UpdateOut(BaseModel):
    model_config = ConfigDict(strict=True)
    id: int
    on_date: date
    status: str
    note: str | None
    recorded_by: str


class TaskOut(BaseModel):
    model_config = ConfigDict(strict=True)
    id: int
    plan: str
    ref: str
    group: str
    description: str
    timeframe: str | None
    due_year: int | None
    leads: list[AgencyRef]
    partners: list[str]
    status: str
    overdue: bool
    updates: list[UpdateOut] = Field(description="newest first")

    @classmethod
    def of(cls, row: TaskRow) -> TaskOut:
        task = row.task
        return cls(
            id=task.id,
            plan=task.plan.code,
            ref=f"{task.group_no}.{task.number}",
            group=task.group_title,
            description=task.description,
            timeframe=task.timeframe,
            due_year=task.due_year,
            leads=[
                AgencyRef(
                    code=lead.agency.code,
                    name=lead.agency.name,
                    holder=lead.holder.code if lead.holder else None,
                )
                for lead in row.leads
            ],
            partners=[agency.code for agency in task.partners],
            status=row.status,
            overdue=row.overdue,
            updates=[
                UpdateOut(
                    id=u.id,
                    on_date=u.on_date,
                    status=u.status,
                    note=u.note,
                    recorded_by=u.recorded_by,
                )
                for u in row.updates
            ],
        )


class TaskList(BaseModel):
    model_config = ConfigDict(strict=True)
    as_of: date
    items: list[TaskOut]


class TaskUpdateIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    status: TaskStatus
    note: Annotated[str, Field(max_length=5000, pattern=PARAGRAPH)] | None = None
    on_date: Annotated[str, Field(pattern=ISO_DAY, json_schema_extra={"format": "date"})] | None = (
        Field(default=None, description="YYYY-MM-DD; today when left out")
    )


@api.get("/tasks", responses=ERRORS)
def tasks(
    session: DbSession,
    actor: View,
    plan: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    agency: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    status: TaskStatus | None = None,
    overdue: bool = False,
    as_of: AsOf = None,
) -> TaskList:
    """Tasks with their status and updates on ``as_of`` (today by default); ``agency`` includes
    the tasks of the agencies it absorbed."""
    day = read_day(as_of) or date.today()
    board, _, _ = _filtered_board(
        session, actor, day, plan=plan, agency=agency, status=status, overdue=overdue
    )
    rows = sorted(board.rows, key=lambda row: row.task.id)
    return TaskList(as_of=day, items=[TaskOut.of(row) for row in rows])


@api.get("/tasks/{task_id}", responses=ERRORS)
def task(
    session: DbSession,
    actor: View,
    task_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    as_of: AsOf = None,
) -> TaskOut:
    found = get_task(session, task_id=task_id)
    day = read_day(as_of) or date.today()
    return TaskOut.of(task_row(session, actor=actor, task=found, as_of=day))


@api.post("/tasks/{task_id}/updates", status_code=201, responses=ERRORS)
def post_update(
    session: DbSession,
    actor: UpdateTask,
    task_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: TaskUpdateIn,
) -> TaskOut:
    """Record a dated report on a task; answers with the task as it stands today."""
    report_progress(
        session,
        actor=actor,
        task_id=task_id,
        status=body.status,
        note=body.note,
        on_date=read_day(body.on_date),
    )
    found = get_task(session, task_id=task_id)
    return TaskOut.of(task_row(session, actor=actor, task=found, as_of=date.today()))
