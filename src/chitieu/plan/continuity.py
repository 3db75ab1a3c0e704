"""Continuity across a merger: what the ceased plan promised beside what its successor promises.

Decision 249 set Bắc Giang's targets for 2030; Bắc Giang ended on 30/6/2025 and
the new Bắc Ninh's plans now speak for its territory. For each indicator a
leader sees the ceased plan's final-year target, the successor's target, and
the latest figures of both territories, so the old promise can be read against
the new one and against where the former province stood when it ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import InputError
from chitieu._labels import unit_word
from chitieu._periods import parse_period
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import TerritoryTotal, latest_observation, territory_totals
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region
from chitieu.region.service import successors


@dataclass(frozen=True)
class Figure:
    """A territory's latest figure: one observation, or a total summed from its parts."""

    region: Region
    period: str
    value: float
    status: str
    unit: str
    parts: dict[str, float] | None = None

    def shown(self, lang: str = "vi") -> str:
        value = _format.value_with_unit(self.value, self.unit, lang)
        how = "cộng từ các địa bàn cũ" if lang == "vi" else "sum of the former units"
        label = parse_period(self.period).label(lang)
        return f"{value} ({label}{', ' + how if self.parts else ''})"


@dataclass(frozen=True)
class ContinuityRow:
    """One indicator: the ceased plan's targets, the successor's, both territories' figures."""

    indicator: Indicator
    ceased: list[Target]
    successor: list[Target]
    former: Figure | None
    current: Figure | None

    def record(self, lang: str = "vi") -> dict[str, Any]:
        name = self.indicator.name_vi if lang == "vi" else self.indicator.name_en
        return {
            "indicator": self.indicator.code,
            "indicator_name": name,
            "ceased_plan": _plans(self.ceased),
            "ceased_targets": [_target_data(t) for t in self.ceased],
            "ceased_shown": _joined(self.ceased, lang),
            "successor_plan": _plans(self.successor),
            "successor_targets": [_target_data(t) for t in self.successor],
            "successor_shown": _joined(self.successor, lang),
            "former_region": self.former.region.code if self.former else None,
            "former_value": self.former.value if self.former else None,
            "former_period": self.former.period if self.former else None,
            "former_shown": self.former.shown(lang) if self.former else "—",
            "current_region": self.current.region.code if self.current else None,
            "current_value": self.current.value if self.current else None,
            "current_period": self.current.period if self.current else None,
            "current_parts": self.current.parts if self.current else None,
            "current_shown": self.current.shown(lang) if self.current else "—",
        }


@dataclass(frozen=True)
class Continuity:
    ceased: Plan
    successors: list[Plan]
    former_region: Region
    current_region: Region
    as_of: date
    rows: list[ContinuityRow]


def _plans(targets: list[Target]) -> str | None:
    codes = dict.fromkeys(t.plan.shown_name for t in targets)
    return ", ".join(codes) or None


def _target_data(target: Target) -> dict[str, Any]:
    return {
        "plan": target.plan.code,
        "row": target.row,
        "period": target.period,
        "measure": target.measure,
        "min": target.minimum,
        "max": target.maximum,
        "unit": target.unit,
        "footnote": target.footnote,
        "footnote_en": target.footnote_en,
    }


def target_shown(target: Target, lang: str = "vi") -> str:
    """'9–10% (giai đoạn 2026-2030)', '≥ 8.700 USD/người (năm 2030)', in the plan's unit."""
    low, high = target.minimum, target.maximum
    qualifier = f"{target.qualifier} " if target.qualifier else ""
    if target.unit.partition("/")[0] in ("VND", "USD"):
        shown = [
            _format.value_with_unit(v, target.unit, lang) for v in (low, high) if v is not None
        ]
        bounds = " – ".join(dict.fromkeys(shown)) or "—"
        if len(shown) == 1 and (low is None or high is None) and not qualifier:
            bounds = ("≥ " if high is None else "≤ ") + bounds
    else:
        bounds = _format.bounds(low, high, lang)
        if qualifier and bounds[:1] in "≥≤":
            bounds = bounds[2:]
        bounds += target.unit if target.unit == "%" else f" {unit_word(target.unit, lang)}"
    return f"{qualifier}{bounds} ({parse_period(target.period).label(lang)})"


def _joined(targets: list[Target], lang: str) -> str:
    # The same promise cited from two pages is one promise.
    return "; ".join(dict.fromkeys(target_shown(t, lang) for t in targets)) or "—"


def default_successors(session: Session, *, ceased: Plan) -> list[Plan]:
    """Plans in force for the territory that took over ``ceased``'s, reaching its horizon."""
    regions = [s.successor_id for s in successors(session, region=ceased.region) if s.successor_id]
    if not regions:
        return []
    query = (
        select(Plan)
        .where(
            Plan.region_id.in_(regions),
            Plan.status == "in_force",
            Plan.horizon_end >= ceased.horizon_end,
        )
        .order_by(Plan.issued_on, Plan.id)
    )
    return list(session.scalars(query))


def default_ceased(session: Session) -> Plan:
    """The ceased plan with the most targets: the one a merger left without a territory."""
    ceased = [p for p in session.scalars(select(Plan).where(Plan.status == "ceased"))]
    if not ceased:
        raise InputError("không có kế hoạch nào đã chấm dứt để so sánh")
    return max(ceased, key=lambda plan: (len(plan.targets), -plan.id))


def _final_targets(plan: Plan) -> list[Target]:
    """The targets for the plan's last year (a multi-year period ending then counts)."""
    return [t for t in plan.targets if parse_period(t.period).end.year == plan.horizon_end]


def _figure(session: Session, indicator: Indicator, region: Region, as_of: date) -> Figure | None:
    obs: Observation | None = latest_observation(
        session, indicator=indicator, region=region, as_of=as_of
    )
    direct = (
        Figure(region, obs.period, obs.value, obs.status, obs.unit) if obs is not None else None
    )
    # Before the merger the new province's territory has figures only as its parts' sum.
    totals: list[TerritoryTotal] = [
        t
        for t in territory_totals(session, indicator=indicator, region=region)
        if parse_period(t.period).end <= as_of
    ]
    if totals and (direct is None or parse_period(totals[-1].period).end > obs_end(direct)):
        last = totals[-1]
        return Figure(region, last.period, last.value, "sum", indicator.unit, dict(last.parts))
    return direct


def obs_end(figure: Figure) -> date:
    return parse_period(figure.period).end


def compare_plans(
    session: Session, *, ceased: Plan, successor: Plan | None = None, as_of: date
) -> Continuity:
    """Each indicator's final target in ``ceased`` beside the successor plans' targets.

    Without ``successor``, every plan in force for the territory that succeeded
    ``ceased``'s region and reaching its horizon is read (the Party Congress
    resolution and the infrastructure goals both set 2030 targets).
    """
    plans = [successor] if successor is not None else default_successors(session, ceased=ceased)
    if not plans:
        raise InputError(f"không có kế hoạch kế tiếp cho {ceased.shown_name}; hãy chỉ rõ bằng --to")
    current_region = plans[0].region
    old: dict[str, list[Target]] = {}
    new: dict[str, list[Target]] = {}
    for target in _final_targets(ceased):
        old.setdefault(target.indicator_code, []).append(target)
    for plan in plans:
        for target in plan.targets:
            new.setdefault(target.indicator_code, []).append(target)
    rows = []
    for code in dict.fromkeys([*old, *new]):
        targets = old.get(code, []) + new.get(code, [])
        indicator = targets[0].indicator
        rows.append(
            ContinuityRow(
                indicator=indicator,
                ceased=old.get(code, []),
                successor=new.get(code, []),
                former=_figure(session, indicator, ceased.region, as_of),
                current=_figure(session, indicator, current_region, as_of),
            )
        )
    return Continuity(ceased, plans, ceased.region, current_region, as_of, rows)
