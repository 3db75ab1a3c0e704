"""The tasks board: a plan's tasks under the agencies holding them now, and who may report.

Departments merge; a task the plan gave to Sở Kế hoạch và Đầu tư Bắc Giang is
today Sở Tài chính Bắc Ninh's, so the board shows it there (marked), and that
department's editors may report on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chitieu._errors import InputError, NotFoundError, PermissionDeniedError
from chitieu.agency.models import Agency
from chitieu.agency.service import absorbed, resolve_agency
from chitieu.audit.service import record_change
from chitieu.plan.models import Plan
from chitieu.task.models import TASK_STATUSES, Task, TaskUpdate
from chitieu.task.service import add_task_update, is_overdue, list_tasks, task_status
from chitieu.user.service import Actor, agency_bound, can


@dataclass(frozen=True)
class Lead:
    """A lead agency as the plan names it, and who holds its duties on the board's day."""

    agency: Agency
    holder: Agency | None

    @property
    def moved(self) -> bool:
        """The duties passed to another agency (a merger)."""
        return self.holder is not None and self.holder.id != self.agency.id

    @property
    def ceased(self) -> bool:
        """The agency ended with nobody taking its duties over."""
        return self.holder is None


@dataclass(frozen=True)
class TaskRow:
    task: Task
    status: str
    overdue: bool
    leads: list[Lead]
    updates: list[TaskUpdate]
    may_update: bool

    def record(self) -> dict[str, Any]:
        task = self.task
        return {
            "id": task.id,
            "plan": task.plan.code,
            "ref": f"{task.group_no}.{task.number}",
            "group": task.group_title,
            "description": task.description,
            "timeframe": task.timeframe,
            "due_year": task.due_year,
            "leads": [lead.agency.code for lead in self.leads],
            "holders": [lead.holder.code if lead.holder else None for lead in self.leads],
            "partners": [agency.code for agency in task.partners],
            "status": self.status,
            "overdue": self.overdue,
            "updates": [update_record(u) for u in self.updates],
        }


@dataclass
class AgencyGroup:
    """The tasks one agency holds now; a ceased one when nobody took over; None: no lead."""

    agency: Agency | None
    rows: list[TaskRow] = field(default_factory=list)

    @property
    def ceased(self) -> bool:
        if self.agency is None:
            return False
        return bool(self.rows) and all(
            any(lead.ceased and lead.agency is self.agency for lead in row.leads)
            for row in self.rows
        )


@dataclass(frozen=True)
class Board:
    as_of: date
    groups: list[AgencyGroup]
    counts: dict[str, int]
    overdue: int

    @property
    def rows(self) -> list[TaskRow]:
        return [row for group in self.groups for row in group.rows]


def update_record(update: TaskUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "on_date": update.on_date.isoformat(),
        "status": update.status,
        "note": update.note,
        "recorded_by": update.recorded_by,
    }


NO_TASK = "none"
EVERY_TASK = "all"


def report_scope(actor: Actor) -> Hashable:
    """What decides which tasks the actor may report on, and so the board they see: no
    task, every task, or those of one agency (with the agencies it absorbed)."""
    if not can(actor, "update_task"):
        return NO_TASK
    if not agency_bound(actor):
        return EVERY_TASK
    return ("agency", actor.agency_id)


def _reach(session: Session, actor: Actor) -> set[int] | None:
    """Ids of the agencies whose tasks the actor may report on; None for all, empty for none."""
    scope = report_scope(actor)
    if scope == NO_TASK:
        return set()
    if scope == EVERY_TASK:
        return None
    agency = session.get(Agency, actor.agency_id) if actor.agency_id is not None else None
    return {a.id for a in absorbed(session, agency=agency)} if agency else set()


def _allowed(reach: set[int] | None, task: Task) -> bool:
    return reach is None or any(a.id in reach for a in [*task.leads, *task.partners])


def may_update(session: Session, actor: Actor, task: Task) -> bool:
    """Whether the actor may report on ``task``: its agency or one it absorbed takes part."""
    return _allowed(_reach(session, actor), task)


def get_task(session: Session, *, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFoundError(f"không có nhiệm vụ #{task_id}")
    return task


def task_row(session: Session, *, actor: Actor, task: Task, as_of: date) -> TaskRow:
    """One task as the board shows it ``as_of`` a day, for the actor."""
    return _row(session, task, as_of, _reach(session, actor))


def _row(session: Session, task: Task, as_of: date, reach: set[int] | None) -> TaskRow:
    leads = [Lead(a, resolve_agency(session, agency=a, on=as_of)) for a in task.leads]
    updates = sorted(
        (u for u in task.updates if u.on_date <= as_of),
        key=lambda u: (u.on_date, u.id),
        reverse=True,
    )
    return TaskRow(
        task=task,
        status=task_status(task, as_of=as_of),
        overdue=is_overdue(task, as_of=as_of),
        leads=leads,
        updates=updates,
        may_update=_allowed(reach, task),
    )


def _home(row: TaskRow, focus: set[int]) -> Agency | None:
    """The group a task goes in: the holder of its first lead (the filtered agency's, if any)."""
    leads = [lead for lead in row.leads if lead.agency.id in focus] or row.leads
    if not leads:
        return None
    return leads[0].holder or leads[0].agency


def build_board(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    plan: Plan | None = None,
    agency: Agency | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> Board:
    """The tasks that pass the filters, grouped under the agencies that hold them ``as_of``."""
    if status is not None and status not in TASK_STATUSES:
        raise InputError(f"trạng thái '{status}' không hợp lệ ({', '.join(TASK_STATUSES)})")
    reach = _reach(session, actor)
    tasks = list_tasks(session, plan=plan, agency=agency, overdue=overdue, as_of=as_of)
    rows = [_row(session, task, as_of, reach) for task in tasks]
    if status is not None:
        rows = [row for row in rows if row.status == status]
    focus = {a.id for a in absorbed(session, agency=agency)} if agency else set()
    groups: dict[int | None, AgencyGroup] = {}
    for row in rows:
        # A task with no lead agency at all goes in a group of its own, not nowhere.
        home = _home(row, focus)
        groups.setdefault(home.id if home else None, AgencyGroup(home)).rows.append(row)
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.agency is None, g.ceased, g.agency.name if g.agency else ""),
    )
    counts = Counter(row.status for row in rows)
    return Board(
        as_of=as_of,
        groups=ordered,
        counts={s: counts.get(s, 0) for s in TASK_STATUSES},
        overdue=sum(row.overdue for row in rows),
    )


def report_progress(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    status: str,
    note: str | None = None,
    on_date: date | None = None,
    today: date | None = None,
) -> TaskUpdate:
    """A dated update on a task by someone allowed to give it, audited; ``today`` as for
    ``add_task_update``."""
    task = get_task(session, task_id=task_id)
    if not may_update(session, actor, task):
        raise PermissionDeniedError(
            f"{actor.username} không được cập nhật nhiệm vụ #{task.id}: cơ quan của bạn "
            "không chủ trì hay phối hợp thực hiện nhiệm vụ này"
        )
    today = today or date.today()
    day = on_date or today
    before = task_status(task)
    update = add_task_update(
        session,
        task=task,
        on_date=day,
        status=status,
        recorded_by=actor.username,
        note=(note or "").strip() or None,
        today=today,
    )
    session.refresh(task, ["updates"])
    record_change(
        session,
        actor=actor.username,
        action="update",
        entity="task",
        entity_id=task.id,
        before={"status": before},
        after={"status": update.status, "on_date": update.on_date, "note": update.note},
    )
    return update
