"""``chitieu tasks`` and ``chitieu task-update``."""

from __future__ import annotations

import getpass
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import select

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._errors import NotFoundError
from chitieu._labels import tr, word
from chitieu._layout import Column
from chitieu._output import OutputFormat, emit
from chitieu.agency.service import get_agency, resolve_agency
from chitieu.audit.service import record_change
from chitieu.plan.service import get_plan
from chitieu.task.models import Task
from chitieu.task.service import (
    add_task_update,
    is_overdue,
    list_tasks,
    read_day,
    task_status,
)


def register(app: typer.Typer) -> None:
    app.command("tasks")(tasks)
    app.command("task-update")(task_update)


def tasks(
    ctx: typer.Context,
    plan: Annotated[str | None, typer.Option(help="Mã hoặc số hiệu kế hoạch.")] = None,
    agency: Annotated[
        str | None,
        typer.Option(help="Cơ quan chủ trì (mã hoặc tên); gồm cả nhiệm vụ của cơ quan tiền thân."),
    ] = None,
    overdue: Annotated[bool, typer.Option(help="Chỉ nhiệm vụ quá hạn.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Ngày xét, YYYY-MM-DD.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Nhiệm vụ của kế hoạch theo cơ quan (tasks a plan assigns)."""
    context = app_context(ctx)
    lang = context.lang
    day = read_day(as_of) or date.today()
    with transaction(context.engine()) as session:
        found = list_tasks(
            session,
            plan=get_plan(session, code_or_number=plan) if plan else None,
            agency=get_agency(session, code_or_name=agency) if agency else None,
            overdue=overdue,
            as_of=day,
        )
        records = [_task_record(session, task, day, lang) for task in found]
    if output is not OutputFormat.table:
        for record in records:
            record.pop("overdue_shown")
            record.pop("status_shown")
    emit(
        records,
        output=output,
        columns=[
            Column("ref", tr(lang, "Mục", "Ref"), "head"),
            Column("description", tr(lang, "Nhiệm vụ", "Task"), "head"),
            ("lead_names", tr(lang, "Chủ trì", "Lead")),
            ("holder_names", tr(lang, f"Cơ quan đảm nhận ({day:%d/%m/%Y})", "Holds it now")),
            ("timeframe_shown", tr(lang, "Thời hạn", "Timeframe")),
            ("status_shown", tr(lang, "Tình trạng", "Status")),
            ("overdue_shown", ""),
        ],
    )


def _task_record(session: Any, task: Task, day: date, lang: str) -> dict[str, Any]:
    holders = [resolve_agency(session, agency=lead, on=day) for lead in task.leads]
    overdue = is_overdue(task, as_of=day)
    return {
        "id": task.id,
        "plan": task.plan.code,
        "ref": f"{task.group_no}.{task.number}",
        "group": task.group_title,
        "description": task.description,
        "leads": [a.code for a in task.leads],
        "lead_names": "; ".join(a.name for a in task.leads),
        "holders": [h.code if h else None for h in holders],
        "holder_names": "; ".join(h.name if h else "—" for h in holders),
        "partners": [a.code for a in task.partners],
        "timeframe": task.timeframe,
        "timeframe_shown": word(task.timeframe, lang) if task.timeframe else "",
        "due_year": task.due_year,
        "status": task_status(task, as_of=day),
        "status_shown": word(task_status(task, as_of=day), lang),
        "overdue": overdue,
        "overdue_shown": tr(lang, "⚠ quá hạn", "⚠ overdue") if overdue else "",
    }


def task_update(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="Số thứ tự nhiệm vụ (id).")],
    status: Annotated[str, typer.Argument(help="not_started, in_progress, done, cancelled.")],
    on: Annotated[str | None, typer.Option(help="Ngày báo cáo, YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    by: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Ghi một báo cáo tiến độ có ngày cho nhiệm vụ (record a dated update)."""
    context = app_context(ctx)
    with transaction(context.engine()) as session:
        task = session.scalar(select(Task).where(Task.id == task_id))
        if task is None:
            raise NotFoundError(f"không có nhiệm vụ #{task_id}")
        update = add_task_update(
            session,
            task=task,
            on_date=read_day(on) or date.today(),
            status=status,
            note=note,
            recorded_by=by or getpass.getuser(),
        )
        record_change(
            session,
            actor=update.recorded_by,
            action="update",
            entity="task",
            entity_id=task.id,
            after={"status": update.status, "on_date": update.on_date, "note": update.note},
        )
    Console().print(tr(context.lang, "Đã ghi.", "Recorded."))
