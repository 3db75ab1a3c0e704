"""The overview: every target of a plan judged at a date, grouped by area, with counts.

Pure library functions over a session; the web page and the periodic report
both read an :class:`Overview`. Nothing is cached: a figure entered a second
ago must change the page at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._periods import PeriodKind, parse_period
from chitieu.assessment import bounds
from chitieu.assessment.service import STATUSES, Assessment, assess
from chitieu.plan.in_force import plan_in_force
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region

# The plan's three areas, in the order plans list them.
AREAS: dict[str, tuple[str, str]] = {
    "economy": ("Kinh tế", "Economy"),
    "society": ("Xã hội", "Society"),
    "environment": ("Môi trường", "Environment"),
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "achieved": ("đạt", "achieved"),
    "on_track": ("đúng tiến độ", "on track"),
    "needs_acceleration": ("cần tăng tốc", "needs acceleration"),
    "off_track": ("chệch hướng", "off track"),
    "deteriorating": ("đi lùi", "deteriorating"),
    "insufficient_data": ("thiếu số liệu", "insufficient data"),
    "not_achieved": ("không đạt", "not achieved"),
    "succeeded": ("đã chuyển sang kế hoạch của tỉnh mới", "succeeded by the new province's plan"),
}


def status_word(status: str, lang: str = "vi") -> str:
    vi, en = STATUS_WORDS.get(status, (status, status))
    return vi if lang == "vi" else en


def verdict_word(assessment: Assessment, lang: str = "vi") -> str:
    """Whether a status is a final verdict on an ended period or a projection."""
    if assessment.status == "succeeded":
        return ""
    if assessment.final:
        return "Kết luận" if lang == "vi" else "Verdict"
    return "Dự báo" if lang == "vi" else "Projection"


def plan_ended(plan: Plan, as_of: date) -> bool:
    """Whether the plan's period is over, or its region ceased, by ``as_of``."""
    ceased = plan.region.valid_to is not None and plan.region.valid_to < as_of
    return ceased or date(plan.horizon_end, 12, 31) <= as_of


def area_word(area: str, lang: str = "vi") -> str:
    vi, en = AREAS.get(area, (area, area))
    return vi if lang == "vi" else en


@dataclass(frozen=True)
class OverviewRow:
    """One target's line: its assessment and what the page shows beside it."""

    assessment: Assessment
    percent_of_plan: float | None
    latest_period_label: str | None
    period_label: str

    @property
    def target(self) -> Target:
        return self.assessment.target

    @property
    def status(self) -> str:
        return self.assessment.status


@dataclass(frozen=True)
class Area:
    code: str
    rows: list[OverviewRow]


@dataclass(frozen=True)
class Overview:
    plan: Plan
    region: Region | None
    as_of: date
    areas: list[Area]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> list[OverviewRow]:
        return [row for area in self.areas for row in area.rows]


def default_plan(session: Session, *, as_of: date | None = None) -> Plan | None:
    """The plan in force at ``as_of`` (today by default) for the province followed."""
    return plan_in_force(session, as_of=as_of or date.today()).plan


def plan_regions(session: Session, *, plan: Plan) -> list[Region]:
    """The regions the plan sets targets for (the choices of the region filter)."""
    query = (
        select(Region)
        .where(Region.id.in_(select(Target.region_id).where(Target.plan_id == plan.id)))
        .order_by(Region.id)
    )
    return list(session.scalars(query))


def percent_of_plan(assessment: Assessment) -> float | None:
    """The latest figure as a share of the target, where that share means something.

    Only for a level target judged on a whole year's figure: on the target's own
    year, or any year for a standing level (a share, a coverage rate) — a growth
    rate or an amount of another year is no part of this year's plan.
    """
    target, latest = assessment.target, assessment.latest
    if target.measure != "level" or latest is None:
        return None
    period = parse_period(latest.period)
    if period.kind is not PeriodKind.YEAR:
        return None
    direction = target.indicator.direction
    if period.year != parse_period(target.period).year and bounds.is_flow(target.indicator):
        return None
    threshold = bounds.threshold(target, direction)
    if not threshold or threshold < 0 or latest.value <= 0:
        return None
    share = threshold / latest.value if direction == "lower" else latest.value / threshold
    return share * 100


def overview(
    session: Session,
    *,
    plan: Plan,
    as_of: date,
    region: Region | None = None,
    lang: str = "vi",
) -> Overview:
    """The plan's targets judged on what was known by ``as_of``, by area, in plan order."""
    by_area: dict[str, list[OverviewRow]] = {code: [] for code in AREAS}
    for assessment in assess(session, as_of=as_of, plan=plan, region=region, lang=lang):
        latest = assessment.latest
        row = OverviewRow(
            assessment=assessment,
            percent_of_plan=percent_of_plan(assessment),
            latest_period_label=parse_period(latest.period).label(lang) if latest else None,
            period_label=parse_period(assessment.target.period).label(lang),
        )
        by_area.setdefault(assessment.target.indicator.group, []).append(row)
    areas = [Area(code, rows) for code, rows in by_area.items() if rows]
    counted = Counter(row.status for area in areas for row in area.rows)
    counts = {status: counted.get(status, 0) for status in STATUSES}
    return Overview(plan=plan, region=region, as_of=as_of, areas=areas, counts=counts)
