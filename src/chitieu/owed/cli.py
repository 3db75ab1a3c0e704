"""``chitieu requests``: the figures each agency still owes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import AsOf, app_context, as_of_day
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu._output import OutputFormat, emit
from chitieu.agency.service import get_agency
from chitieu.owed.service import OwedFigure, agency_label, by_agency, figures_owed
from chitieu.plan.service import get_plan


def register(app: typer.Typer) -> None:
    app.command("requests")(requests_command)


def _rows(items: list[OwedFigure], lang: str) -> list[dict[str, str]]:
    """One line per indicator and region with its missing periods: fits 80 columns."""
    lines: dict[tuple[str, str], list[OwedFigure]] = {}
    for item in items:
        lines.setdefault((item.indicator.code, item.region.code), []).append(item)
    rows = []
    for group in lines.values():
        first = group[0]
        plans: list[str] = []
        for item in group:
            plans.extend(p for p in item.plans() if p not in plans)
        rows.append(
            {
                "indicator": first.indicator.name(lang),
                "region": first.region.name,
                "periods": ", ".join(item.record(lang)["period_label"] for item in group),
                "plans": ", ".join(plans),
            }
        )
    return rows


def requests_command(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Chỉ cơ quan này (mã hoặc tên).")] = None,
    plan: Annotated[
        list[str] | None,
        typer.Option(help="Chỉ kế hoạch này (mã hoặc số hiệu; lặp lại được)."),
    ] = None,
    as_of: AsOf = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Số liệu các cơ quan còn phải báo cáo cho các mục tiêu thiếu số liệu (figures owed)."""
    context = app_context(ctx)
    lang = context.lang
    day = as_of_day(as_of)
    with transaction(context.engine(), writes=False) as session:
        chosen = get_agency(session, code_or_name=agency) if agency else None
        plans = [get_plan(session, code_or_number=code) for code in plan] if plan else None
        owed = figures_owed(session, as_of=day, plans=plans, agency=chosen, lang=lang)
        records = [item.record(lang) for item in owed]
        groups = [(agency_label(head, lang), items) for head, items in by_agency(owed)]
    if output is not OutputFormat.table:
        emit(records, output=output, columns=[])
        return
    console = Console()
    if not owed:
        console.print(
            tr(lang, "Không cơ quan nào còn nợ số liệu.", "No agency owes a figure."),
            highlight=False,
        )
        return
    for name, items in groups:
        emit(
            _rows(items, lang),
            output=output,
            title=tr(lang, f"{name}: {len(items)} số liệu", f"{name}: {len(items)} figures"),
            columns=[
                ("indicator", tr(lang, "Chỉ tiêu", "Indicator")),
                ("region", tr(lang, "Địa bàn", "Region")),
                ("periods", tr(lang, "Kỳ còn thiếu", "Periods missing")),
                ("plans", tr(lang, "Cần cho", "Needed for")),
            ],
            console=console,
        )
    console.print(
        tr(
            lang,
            f"Tổng: {len(owed)} số liệu. Mẫu điền sẵn: chitieu template TỆP.xlsx --agency MÃ",
            f"Total: {len(owed)} figures. Pre-filled template: "
            "chitieu template FILE.xlsx --agency CODE",
        ),
        highlight=False,
    )
