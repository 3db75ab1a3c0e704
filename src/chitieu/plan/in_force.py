"""The plan in force at a date: the one the overview, ``assess`` and ``report`` take by default.

The province followed is the region of the first plan loaded; when it ceases
(Bắc Giang merged into Bắc Ninh on 1/7/2025) its successor is followed, so a
successor's plans are picked up as soon as they are in the data. Among the
plans of that region whose period covers the date and that were issued by
then, an annual plan wins over the strategy it carries out, then the one
setting the most targets (a socio-economic plan over a sector's
orientation given as context), then the newest. With
none yet for the successor, the predecessor's plan still running is taken and
the choice is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._labels import tr
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region, RegionSuccession


@dataclass(frozen=True)
class PlanInForce:
    """The plan taken by default, the region followed at the date, and why, when not plain."""

    plan: Plan | None
    region: Region | None
    note: str | None = None


def successor_region(session: Session, *, region: Region) -> Region | None:
    """The region ``region`` became (a merger's or a renaming's successor), if any."""
    edge = session.scalar(
        select(RegionSuccession)
        .where(
            RegionSuccession.predecessor_id == region.id,
            RegionSuccession.successor_id.is_not(None),
        )
        .order_by(RegionSuccession.effective_on, RegionSuccession.id)
        .limit(1)
    )
    return edge.successor if edge is not None else None


def plans_covering(session: Session, *, region: Region, year: int, as_of: date) -> list[Plan]:
    """The plans for ``region`` covering ``year``, issued by ``as_of``, that a planner follows.

    Drafts and superseded plans aside; an annual plan first, then the most
    targets, then the newest.
    """
    targets = select(func.count(Target.id)).where(Target.plan_id == Plan.id).scalar_subquery()
    query = (
        select(Plan)
        .where(
            Plan.region_id == region.id,
            Plan.horizon_start <= year,
            Plan.horizon_end >= year,
            Plan.issued_on.is_(None) | (Plan.issued_on <= as_of),
            Plan.kind.not_like("%draft%"),
            Plan.status != "superseded",
        )
        .order_by(
            case((Plan.kind == "annual", 0), else_=1),
            targets.desc(),
            Plan.issued_on.desc().nulls_last(),
            Plan.id.desc(),
        )
    )
    return list(session.scalars(query))


def newest_plan(session: Session, *, region: Region, year: int, as_of: date) -> Plan | None:
    """The first of :func:`plans_covering`: the one a planner follows by default."""
    found = plans_covering(session, region=region, year=year, as_of=as_of)
    return found[0] if found else None


def plan_in_force(session: Session, *, as_of: date, lang: str = "vi") -> PlanInForce:
    first = session.scalar(select(Plan).order_by(Plan.id).limit(1))
    if first is None:
        return PlanInForce(None, None, tr(lang, "chưa có kế hoạch nào", "no plan yet"))
    chain = [first.region]
    while not chain[-1].valid_on(as_of):
        after = successor_region(session, region=chain[-1])
        if after is None or after in chain:
            break
        chain.append(after)
    followed = chain[-1]
    day = _format.day(as_of)
    for place in reversed(chain):
        plan = newest_plan(session, region=place, year=as_of.year, as_of=as_of)
        if plan is None:
            continue
        if place is followed:
            return PlanInForce(plan, followed)
        shown = plan.shown_name
        ceased = place.valid_to + timedelta(days=1) if place.valid_to else as_of
        return PlanInForce(
            plan,
            followed,
            tr(
                lang,
                f"chưa có kế hoạch nào của {followed.name} có hiệu lực ngày {day}; "
                f"dùng kế hoạch {shown} của {place.name} "
                f"({place.name} ngừng tồn tại từ {_format.day(ceased)})",
                f"no plan of {followed.name} in force on {day} yet; using {place.name}'s "
                f"plan {shown} ({place.name} ceased to exist on {_format.day(ceased)})",
            ),
        )
    newest = session.scalar(
        select(Plan).order_by(Plan.issued_on.desc().nulls_last(), Plan.id.desc()).limit(1)
    )
    assert newest is not None
    shown = newest.shown_name
    return PlanInForce(
        newest,
        followed,
        tr(
            lang,
            f"không có kế hoạch nào có hiệu lực ngày {day}; dùng kế hoạch mới nhất ({shown})",
            f"no plan in force on {day}; using the newest ({shown})",
        ),
    )
