"""``chitieu audit``: the audit log, newest first."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._output import OutputFormat, emit
from chitieu.audit.service import entry_record, list_entries


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)


def audit(
    ctx: typer.Context,
    entity: Annotated[
        str | None, typer.Option(help="observation, task, user, extracted_figure…")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Người thực hiện.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Nhật ký thay đổi: ai, khi nào, thay đổi gì (the audit log)."""
    with transaction(app_context(ctx).engine(), writes=False) as session:
        records = [
            entry_record(entry)
            for entry in list_entries(session, entity=entity, actor=actor, limit=limit)
        ]
    if output is OutputFormat.table:
        for record in records:
            for key in ("before", "after"):
                value = record[key]
                record[key] = json.dumps(value, ensure_ascii=False) if value else ""
    emit(
        records,
        output=output,
        columns=[
            ("at", "thời điểm (UTC)"),
            ("actor", "người"),
            ("action", "thao tác"),
            ("entity", "đối tượng"),
            ("entity_id", "mã"),
            ("before", "trước"),
            ("after", "sau"),
        ],
    )
