"""The tasks a plan assigns, who holds them now, and which are overdue."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import InputError
from chitieu.agency.models import Agency
from chitieu.agency.service import absorbed
from chitieu.plan.models import Plan
from chitieu.task.models import TASK_STATUSES, Task, TaskUpdate, task_lead

_TIMEFRAME = re.compile(r"(?P<start>\d{4})(?:/(?P<end>\d{4}))?(?::(?P<due>\d{4}))?")


def parse_timeframe(code: str | None) -> tuple[int | None, int | None]:
    """(start year, due year) of a timeframe code; recurring work has no due year."""
    if not code or code in ("annually", "ongoing"):
        return None, None
    match = _TIMEFRAME.fullmatch(code)
    if match is None:
        raise InputError(
            f"thời hạn '{code}' không hợp lệ (2019, 2019/2025, 2019/2030:2020, annually, ongoing)"
        )
    start = int(match["start"])
    end = int(match["end"] or start)
    due = int(match["due"]) if match["due"] else end
    return start, due


def read_day(text: str | None) -> date | None:
    """A date as a form or a query gives it: 2025-06-30 or 30/06/2025; empty is none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"ngày '{text}' không hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy)") from exc


def task_status(task: Task, *, as_of: date | None = None) -> str:
    updates = [u for u in task.updates if as_of is None or u.on_date <= as_of]
    return updates[-1].status if updates else "not_started"


def is_overdue(task: Task, *, as_of: date) -> bool:
    """Past its due year and not reported done (recurring tasks are never overdue)."""
    if task.due_year is None or as_of.year <= task.due_year:
        return False
    return task_status(task, as_of=as_of) not in ("done", "cancelled")


def list_tasks(
    session: Session,
    *,
    plan: Plan | None = None,
    agency: Agency | None = None,
    overdue: bool = False,
    as_of: date,
) -> list[Task]:
    """Tasks, optionally those an agency leads — including its predecessors' tasks."""
    query = select(Task).order_by(Task.plan_id, Task.id)
    if plan is not None:
        query = query.where(Task.plan_id == plan.id)
    if agency is not None:
        holders = [a.id for a in absorbed(session, agency=agency)]
        query = query.where(
            Task.id.in_(select(task_lead.c.task_id).where(task_lead.c.agency_id.in_(holders)))
        )
    tasks = list(session.scalars(query))
    return [t for t in tasks if is_overdue(t, as_of=as_of)] if overdue else tasks


def add_task_update(
    session: Session,
    *,
    task: Task,
    on_date: date,
    status: str,
    recorded_by: str,
    note: str | None = None,
    today: date | None = None,
) -> TaskUpdate:
    """A dated report on ``task``; ``today`` (the real date unless a test fixes it) bounds the
    date: progress is reported on what has happened, never ahead."""
    if status not in TASK_STATUSES:
        raise InputError(f"trạng thái '{status}' không hợp lệ ({', '.join(TASK_STATUSES)})")
    today = today or date.today()
    if on_date > today:
        raise InputError(
            f"ngày báo cáo {_format.day(on_date)} ở sau hôm nay ({_format.day(today)}): "
            "tiến độ chỉ báo cáo cho việc đã diễn ra"
        )
    update = TaskUpdate(
        task=task, on_date=on_date, status=status, note=note, recorded_by=recorded_by
    )
    session.add(update)
    session.flush()
    return update
