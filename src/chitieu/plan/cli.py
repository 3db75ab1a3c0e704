"""``chitieu plans``, ``chitieu targets`` and ``chitieu overview``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import source_kind_word, tr, word
from chitieu._layout import Column
from chitieu._output import OutputFormat, emit
from chitieu._periods import parse_period
from chitieu.indicator.service import get_indicator
from chitieu.plan.compare_cli import compare_command
from chitieu.plan.models import Plan, Target
from chitieu.plan.service import get_plan, list_plans, list_targets, plan_status_word, target_record
from chitieu.region.service import get_region

PlanOption = Annotated[str | None, typer.Option("--plan", help="Mã hoặc số hiệu kế hoạch.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table, json hoặc csv.")]


def register(app: typer.Typer) -> None:
    # A group whose bare call still lists the plans: `chitieu plans` as before,
    # `chitieu plans compare` for what a merger changed.
    group = typer.Typer(help="Liệt kê các kế hoạch (list plans).")
    group.callback(invoke_without_command=True)(plans)
    group.command("compare")(compare_command)
    app.add_typer(group, name="plans")
    app.command("targets")(targets)
    app.command("overview")(overview)


def plans(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """Liệt kê các kế hoạch (list plans)."""
    if ctx.invoked_subcommand is not None:
        return
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        records = [_plan_record(plan, lang) for plan in list_plans(session)]
    emit(
        records,
        output=output,
        columns=[
            ("code", tr(lang, "Mã", "Code")),
            ("document_number", tr(lang, "Số hiệu", "Number")),
            Column("title_shown", tr(lang, "Tên", "Title"), "head"),
            ("issued", tr(lang, "Ngày ban hành", "Issued")),
            ("horizon", tr(lang, "Thời kỳ", "Horizon")),
            ("status_shown", tr(lang, "Tình trạng", "Status")),
            ("targets", tr(lang, "Số chỉ tiêu", "Targets")),
        ],
    )


def _plan_record(plan: Plan, lang: str) -> dict[str, Any]:
    return {
        "code": plan.code,
        "document_number": plan.document_number,
        "title": plan.title,
        "title_en": plan.title_en,
        "title_shown": tr(lang, plan.title, plan.title_en or plan.title),
        "issuer": plan.issuer,
        "issued_on": plan.issued_on.isoformat() if plan.issued_on else None,
        "issued": _format.day(plan.issued_on) if plan.issued_on else "",
        "region": plan.region.code,
        "horizon": f"{plan.horizon_start}-{plan.horizon_end}",
        "kind": plan.kind,
        "status": plan.status,
        "status_shown": plan_status_word(plan.status, lang),
        "targets": len(plan.targets),
    }


def _selected_targets(
    session: Session, plan: str | None, indicator: str | None, region: str | None
) -> list[Target]:
    return list_targets(
        session,
        plan=get_plan(session, code_or_number=plan) if plan else None,
        indicator=get_indicator(session, code_or_name=indicator) if indicator else None,
        region=get_region(session, code_or_name=region) if region else None,
    )


def targets(
    ctx: typer.Context,
    plan: PlanOption = None,
    indicator: Annotated[str | None, typer.Option(help="Mã hoặc tên chỉ tiêu.")] = None,
    region: Annotated[str | None, typer.Option(help="Mã hoặc tên địa bàn.")] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Liệt kê mục tiêu của kế hoạch (list the targets plans set)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        records = []
        for target in _selected_targets(session, plan, indicator, region):
            record = target_record(target)
            record["label_shown"] = target.label(lang)
            record["plan_shown"] = target.plan.shown_in(lang)
            record["target_shown"] = _target_shown(target, lang)
            record["baseline_shown"] = _baseline_shown(target, lang)
            record["period_shown"] = parse_period(target.period).label(lang)
            record["measure_shown"] = word(target.measure, lang)
            records.append(record)
    if output is not OutputFormat.table:
        for record in records:
            for key in (
                "plan_shown",
                "label_shown",
                "target_shown",
                "baseline_shown",
                "period_shown",
                "measure_shown",
            ):
                record.pop(key)
    emit(
        records,
        output=output,
        columns=[
            ("plan_shown", tr(lang, "Kế hoạch", "Plan")),
            Column("row", tr(lang, "Dòng", "Row"), "head"),
            Column("label_shown", tr(lang, "Chỉ tiêu", "Target"), "head"),
            ("period_shown", tr(lang, "Kỳ", "Period")),
            ("measure_shown", tr(lang, "Cách đo", "Measure")),
            ("target_shown", tr(lang, "Mục tiêu", "Target value")),
            ("baseline_shown", tr(lang, "Gốc", "Baseline")),
        ],
    )


def _target_shown(target: Target, lang: str, scale: _format.Scale | None = None) -> str:
    scale = scale or _format.scale_for([target.minimum, target.maximum], target.unit, lang)
    bounds = scale.bounds(target.minimum, target.maximum)
    if target.qualifier and bounds[:1] in "≥≤":
        bounds = bounds[2:]  # "trên 1.670", not "trên ≥ 1.670"
    qualifier = f"{word(target.qualifier, lang)} " if target.qualifier else ""
    return f"{qualifier}{bounds}{scale.suffix}".strip()


def _baseline_shown(target: Target, lang: str) -> str:
    if target.baseline_value is None:
        return ""
    period = parse_period(target.baseline_period).label(lang) if target.baseline_period else ""
    return f"{_format.number(target.baseline_value, lang)} ({period})"


def overview(
    ctx: typer.Context,
    plan: PlanOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Ngày xem xét, YYYY-MM-DD (mặc định hôm nay).")
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Mỗi mục tiêu cùng số liệu mới nhất (every target with its latest figure)."""
    # Here, not at the top: `chitieu plans` and `targets` load this module and never need it.
    from chitieu.observation.service import latest_observation

    context = app_context(ctx)
    lang = context.lang
    day = date.fromisoformat(as_of) if as_of else date.today()
    with transaction(context.engine(), writes=False) as session:
        records = []
        for target in _selected_targets(session, plan, None, None):
            latest = latest_observation(
                session, indicator=target.indicator, region=target.region, as_of=day
            )
            record = target_record(target)
            same_unit = latest is not None and latest.unit == target.unit
            # The target and the latest figure at one scale: ≥ 1.670 and 715 nghìn tỷ đồng.
            scale = _format.scale_for(
                [target.minimum, target.maximum, latest.value if latest and same_unit else None],
                target.unit,
                lang,
            )
            record.update(
                {
                    "label_shown": target.label(lang),
                    "plan_shown": target.plan.shown_in(lang),
                    "target_shown": _target_shown(target, lang, scale),
                    "period_shown": parse_period(target.period).label(lang),
                    "latest_value": latest.value if latest else None,
                    "latest_period": latest.period if latest else None,
                    "latest_status": latest.status if latest else None,
                    "latest_source": _source_key(latest),
                    "latest_source_shown": _source_name(latest, lang),
                    "latest_shown": (
                        scale.amount(latest.value)
                        if same_unit
                        else _format.value_with_unit(latest.value, latest.unit, lang)
                    )
                    if latest
                    else "—",
                    "latest_when": (
                        f"{parse_period(latest.period).label(lang)}, {word(latest.status, lang)}"
                    )
                    if latest
                    else "",
                }
            )
            records.append(record)
    emit(
        records,
        output=output,
        title=tr(
            lang,
            f"Mục tiêu và số liệu mới nhất đến {_format.day(day)}",
            f"Targets and latest figures as of {_format.day(day)}",
        ),
        columns=[
            ("plan_shown", tr(lang, "Kế hoạch", "Plan")),
            Column("row", tr(lang, "Dòng", "Row"), "head"),
            Column("label_shown", tr(lang, "Chỉ tiêu", "Target"), "head"),
            ("period_shown", tr(lang, "Kỳ mục tiêu", "Target period")),
            ("target_shown", tr(lang, "Mục tiêu", "Target value")),
            ("latest_shown", tr(lang, "Số mới nhất", "Latest figure")),
            ("latest_when", tr(lang, "Kỳ số liệu", "Figure period")),
            ("latest_source_shown", tr(lang, "Nguồn", "Source")),
        ],
    )


def _source_key(observation: Any) -> str | None:
    """The source's key, for JSON and CSV output: what a program looks it up by."""
    if observation is None:
        return None
    if observation.source_document is not None:
        return str(observation.source_document.key)
    if observation.agency is not None:
        return str(observation.agency.code)
    return str(observation.source_kind)


def _source_name(observation: Any, lang: str) -> str | None:
    """The source as a person names it, for the table."""
    if observation is None:
        return None
    if observation.source_document is not None:
        return str(observation.source_document.shown_name)
    if observation.agency is not None:
        return str(observation.agency.short_name or observation.agency.name)
    return source_kind_word(observation.source_kind, lang)
