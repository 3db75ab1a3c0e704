"""``chitieu plans compare``: the ceased plan's targets beside its successor's."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu._output import OutputFormat, emit
from chitieu.plan.service import get_plan


def compare_command(
    ctx: typer.Context,
    ceased: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Kế hoạch đã chấm dứt (mặc định: kế hoạch đã chấm dứt nhiều chỉ tiêu nhất).",
        ),
    ] = None,
    successor: Annotated[
        str | None,
        typer.Option("--to", help="Kế hoạch kế tiếp (mặc định: các kế hoạch còn hiệu lực)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Ngày xem xét, YYYY-MM-DD (mặc định hôm nay).")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, json hoặc csv.")
    ] = OutputFormat.table,
) -> None:
    """Mục tiêu của kế hoạch đã chấm dứt bên cạnh kế hoạch kế tiếp (compare across a merger)."""
    # Here, not at the top: `chitieu plans` registers this command on every run, and the
    # comparison's figures (observation.service) are for this command alone.
    from chitieu.plan.continuity import compare_plans, default_ceased

    context = app_context(ctx)
    lang = context.lang
    day = date.fromisoformat(as_of) if as_of else date.today()
    with transaction(context.engine(), writes=False) as session:
        old = get_plan(session, code_or_number=ceased) if ceased else default_ceased(session)
        new = get_plan(session, code_or_number=successor) if successor else None
        result = compare_plans(session, ceased=old, successor=new, as_of=day)
        records = [row.record(lang) for row in result.rows]
        old_name = old.shown_name
        new_names = ", ".join(p.shown_name for p in result.successors)
        former, current = result.former_region.name, result.current_region.name
    if output is OutputFormat.csv:
        for record in records:
            for key in ("ceased_targets", "successor_targets", "current_parts"):
                record.pop(key)
    emit(
        records,
        output=output,
        title=tr(
            lang,
            f"{old_name} ({former}) và {new_names} ({current}), số liệu đến {_format.day(day)}",
            f"{old_name} ({former}) and {new_names} ({current}), figures as of {_format.day(day)}",
        ),
        columns=[
            ("indicator_name", tr(lang, "Chỉ tiêu", "Indicator")),
            ("ceased_shown", tr(lang, f"Mục tiêu {old_name}", f"{old_name} target")),
            ("successor_shown", tr(lang, "Mục tiêu kế tiếp", "Successor target")),
            ("former_shown", tr(lang, f"Số mới nhất {former}", f"Latest {former}")),
            ("current_shown", tr(lang, f"Số mới nhất {current}", f"Latest {current}")),
        ],
    )
