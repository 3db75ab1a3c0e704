"""Plans and their targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from chitieu._labels import tr
from chitieu._text import unknown
from chitieu.indicator.models import Indicator
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region


def list_plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.issued_on, Plan.id)))


def figure_horizon(session: Session, *, today: date) -> int:
    """The last year a figure may be for: the end of the plans in the database, or next year.

    Figures are reported or estimated for periods the plans follow; a plan
    ending sooner still leaves this year's estimates and next year's plan
    figures. A figure for 2099 is a typing slip, not a report.
    """
    last_end = session.scalar(select(func.max(Plan.horizon_end)))
    return max(last_end or 0, today.year + 1)


def get_plan(session: Session, *, code_or_number: str) -> Plan:
    """By our code ("qd-249-2019") or by the document number ("249/QĐ-UBND")."""
    found = session.scalar(
        select(Plan).where(or_(Plan.code == code_or_number, Plan.document_number == code_or_number))
    )
    if found is None:
        every = list(session.scalars(select(Plan)))
        # A plan is asked for by code or by number: suggest whichever was mistyped.
        choices: list[tuple[str, tuple[str, ...]]] = [(p.code, (p.title,)) for p in every]
        choices += [(p.document_number, ()) for p in every if p.document_number]
        raise unknown(("kế hoạch", "plan"), code_or_number, choices)
    return found


def list_targets(
    session: Session,
    *,
    plan: Plan | None = None,
    indicator: Indicator | None = None,
    region: Region | None = None,
    references: bool = False,
) -> list[Target]:
    """Targets in plan order; with ``references`` each one's plan, region and indicator
    come with it (a few queries in all, not a look-up per target on first use)."""
    query = select(Target).join(Plan).order_by(Plan.issued_on, Plan.id, Target.id)
    if references:
        query = query.options(
            selectinload(Target.plan), selectinload(Target.region), selectinload(Target.indicator)
        )
    if plan is not None:
        query = query.where(Target.plan_id == plan.id)
    if indicator is not None:
        query = query.where(Target.indicator_code == indicator.code)
    if region is not None:
        query = query.where(Target.region_id == region.id)
    return list(session.scalars(query))


def target_summary(target: Target) -> dict[str, Any]:
    """What names a target in a result about it (an assessment, a scenario's check)."""
    return {
        "plan": target.plan.code,
        "plan_document": target.plan.shown_name,
        "row": target.row,
        "label": target.label_vi,
        "indicator": target.indicator_code,
        "region": target.region.code,
        "period": target.period,
        "measure": target.measure,
        "min": target.minimum,
        "max": target.maximum,
        "unit": target.unit,
    }


def target_record(target: Target) -> dict[str, Any]:
    """A target as plain data, for JSON and CSV output."""
    plan = target.plan
    return {
        "plan": plan.code,
        "plan_document": plan.shown_name,
        "row": target.row,
        "group": target.group_label,
        "label": target.label_vi,
        "indicator": target.indicator_code,
        "region": target.region.code,
        "region_name": target.region.name,
        "period": target.period,
        "measure": target.measure,
        "min": target.minimum,
        "max": target.maximum,
        "qualifier": target.qualifier,
        "unit": target.unit,
        "baseline_period": target.baseline_period,
        "baseline_value": target.baseline_value,
        "footnote": target.footnote,
        "footnote_en": target.footnote_en,
        "source_document": target.source_document.key if target.source_document else None,
        "span": [target.span_start, target.span_end] if target.span_start is not None else None,
    }


# How a plan stands, in the words of the plans list, the continuity page and the report.
_STATUS_WORDS = {
    "in_force": ("còn hiệu lực", "in force"),
    "superseded": ("đã được thay thế", "superseded"),
    "ceased": ("đã chấm dứt", "ceased"),
}


def plan_status_word(status: str, lang: str = "vi") -> str:
    vi, en = _STATUS_WORDS.get(status, (status, status))
    return tr(lang, vi, en)
