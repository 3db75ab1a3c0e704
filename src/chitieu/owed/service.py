"""The figures each agency still owes: what every target short of data is waiting for.

A target judged *insufficient data* names the figures that would let it be
judged: every year of a period average, the target year of an ended level
target, the baseline and the latest year of a running one, and for a flow
(growth, revenue) the latest part of the year under way (quarter, half, nine
months); a rate or a stock is reported by the year.
A year's figure is owed once the year has ended, a part of the year a month
after it ended (the usual reporting lag of a provincial statistics office). A
region that ceased owes nothing after its last day; one that ceased on 30 June
owes that half year. A derived indicator owes its inputs. The agency that owes
a figure is the one reporting the indicator today (``indicator_agency``,
followed through department mergers); none is "chưa giao".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._formula import Formula
from chitieu._labels import tr
from chitieu._periods import parse_period
from chitieu.agency.models import Agency
from chitieu.agency.service import resolve_agency
from chitieu.assessment.bounds import is_flow
from chitieu.assessment.series import known_periods
from chitieu.assessment.service import assess
from chitieu.indicator.models import Indicator, IndicatorAgency
from chitieu.plan.in_force import plan_in_force
from chitieu.plan.models import Plan, Target
from chitieu.region.models import Region
from chitieu.region.service import lineage
from chitieu.submission.template import RowToFill

# A part of a year is reported about a month after it ends.
REPORTING_LAG = timedelta(days=31)
_PARTS = ("Q1", "H1", "9M")
_YEAR_MEASURES = ("average_growth", "change_per_year", "cumulative")


@dataclass
class OwedFigure:
    """One figure not yet in the data, who owes it, and the targets waiting on it."""

    indicator: Indicator
    region: Region
    period: str
    agencies: list[Agency] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def plans(self) -> list[str]:
        shown: list[str] = []
        for target in self.targets:
            name = target.plan.shown_name
            if name not in shown:
                shown.append(name)
        return shown

    def record(self, lang: str = "vi") -> dict[str, Any]:
        return {
            "agency": self.agencies[0].code if self.agencies else None,
            "agency_name": self.agencies[0].name if self.agencies else None,
            "indicator": self.indicator.code,
            "indicator_name": self.indicator.name(lang),
            "region": self.region.code,
            "region_name": self.region.name,
            "period": self.period,
            "period_label": parse_period(self.period).label(lang),
            "unit": self.indicator.unit,
            "plans": self.plans(),
            "targets": [target.id for target in self.targets],
        }


def agency_label(agency: Agency | None, lang: str = "vi") -> str:
    if agency is None:
        return tr(lang, "Chưa giao cơ quan", "No agency assigned")
    return agency.name


def default_plans(session: Session, *, as_of: date) -> list[Plan]:
    """The plans of the province followed and of those it came from; no drafts, none superseded.

    Both the plans in force and the ended ones whose final record still lacks
    figures (Decision 249 after the merger) are the planning office's to chase.
    """
    followed = plan_in_force(session, as_of=as_of).region
    if followed is None:
        return []
    regions = {region.id for region in lineage(session, region=followed)}
    plans = session.scalars(
        select(Plan)
        .where(
            Plan.region_id.in_(regions),
            Plan.kind.not_like("%draft%"),
            Plan.status != "superseded",
            Plan.issued_on.is_(None) | (Plan.issued_on <= as_of),
        )
        .order_by(Plan.horizon_start, Plan.id)
    )
    return list(plans)


def responsible_agencies(session: Session, *, indicator: Indicator, on: date) -> list[Agency]:
    """The agencies reporting ``indicator`` on a day, after any merger of departments."""
    mapped = session.scalars(
        select(Agency)
        .join(IndicatorAgency, IndicatorAgency.agency_id == Agency.id)
        .where(IndicatorAgency.indicator_code == indicator.code)
        .order_by(Agency.code)
    )
    found: list[Agency] = []
    for agency in mapped:
        current = resolve_agency(session, agency=agency, on=on)
        if current is not None and current not in found:
            found.append(current)
    return found


def _last_day(region: Region, as_of: date) -> date:
    return min(as_of, region.valid_to) if region.valid_to is not None else as_of


def _due_years(region: Region, as_of: date) -> int:
    """The last year whose figure is owed: ended, and inside the region's life."""
    last = _last_day(region, as_of)
    return last.year if last == date(last.year, 12, 31) and last < as_of else last.year - 1


def _due_part(region: Region, year: int, as_of: date) -> str | None:
    """The longest part of ``year`` owed by now, if any."""
    last = _last_day(region, as_of)
    owed = None
    for code in _PARTS:
        end = parse_period(f"{year}-{code}").end
        if end <= last and end + REPORTING_LAG <= as_of:
            owed = f"{year}-{code}"
    return owed


def needed_periods(target: Target, *, as_of: date) -> list[str]:
    """The periods whose figures would let ``target`` be judged at ``as_of``."""
    region = target.region
    period = parse_period(target.period)
    year = period.end.year
    start = target.plan.horizon_start
    due = _due_years(region, as_of)
    # Parts of a year are reported for flows (growth, revenue); a rate or a stock is yearly.
    parts = is_flow(target.indicator)
    if target.measure in _YEAR_MEASURES:
        years = range(max(start, period.start.year), min(year, due) + 1)
        needed = [str(y) for y in years]
        if parts and year > due and (part := _due_part(region, due + 1, as_of)) is not None:
            needed.append(part)
        return needed
    if year <= due:
        return [str(year)]
    needed = []
    # A baseline serves only to project a pace, which a multi-year plan alone has.
    if target.baseline_value is None and target.plan.horizon_end > start:
        needed.append(str(start - 1))
    if due >= start:
        needed.append(str(due))
    if parts and year == due + 1 and (part := _due_part(region, year, as_of)) is not None:
        needed.append(part)
    return needed


def _inputs(indicator: Indicator, period: str, session: Session) -> Iterable[tuple[Indicator, str]]:
    """What a derived indicator's figure for ``period`` is computed from."""
    if not indicator.formula:
        if period[:4].isdigit() and len(period) > 4 and not is_flow(indicator):
            return  # a rate or a stock has no figure for part of a year
        yield indicator, period
        return
    for needed in Formula(indicator.formula).inputs:
        source = session.get(Indicator, needed.code)
        if source is None:
            continue
        shown = period
        if needed.previous and period.isdigit():
            shown = str(int(period) - 1)
        yield from _inputs(source, shown, session)


def figures_owed(
    session: Session,
    *,
    as_of: date,
    plans: Sequence[Plan] | None = None,
    agency: Agency | None = None,
    lang: str = "vi",
) -> list[OwedFigure]:
    """Every figure missing for a target judged *insufficient data*, ordered by agency."""
    chosen = default_plans(session, as_of=as_of) if plans is None else list(plans)
    owed: dict[tuple[str, int, str], OwedFigure] = {}
    known: dict[tuple[str, int], set[str]] = {}
    for plan in chosen:
        for result in assess(session, as_of=as_of, plan=plan, lang=lang):
            if result.status != "insufficient_data":
                continue
            target = result.target
            for period in needed_periods(target, as_of=as_of):
                for indicator, wanted in _inputs(target.indicator, period, session):
                    key = (indicator.code, target.region_id)
                    if key not in known:
                        known[key] = known_periods(
                            session, indicator=indicator, region=target.region, as_of=as_of
                        )
                    if wanted in known[key]:
                        continue
                    item = owed.setdefault(
                        (indicator.code, target.region_id, wanted),
                        OwedFigure(indicator, target.region, wanted),
                    )
                    if target not in item.targets:
                        item.targets.append(target)
    agencies: dict[str, list[Agency]] = {}
    for item in owed.values():
        if item.indicator.code not in agencies:
            agencies[item.indicator.code] = responsible_agencies(
                session, indicator=item.indicator, on=as_of
            )
        item.agencies = agencies[item.indicator.code]
    found = [item for item in owed.values() if agency is None or agency in item.agencies]
    found.sort(
        key=lambda item: (
            item.agencies[0].code if item.agencies else "~",
            item.indicator.code,
            item.region.code,
            parse_period(item.period).end,
        )
    )
    return found


def by_agency(owed: Sequence[OwedFigure]) -> list[tuple[Agency | None, list[OwedFigure]]]:
    """The figures grouped under the agency that owes them first (unassigned last)."""
    groups: dict[int | None, list[OwedFigure]] = {}
    heads: dict[int | None, Agency | None] = {}
    for item in owed:
        head = item.agencies[0] if item.agencies else None
        key = head.id if head is not None else None
        heads[key] = head
        groups.setdefault(key, []).append(item)
    return [(heads[key], items) for key, items in groups.items()]


def rows_to_fill(owed: Sequence[OwedFigure]) -> list[RowToFill]:
    """The import template's rows for ``owed``: everything but the figure filled in."""
    return [
        RowToFill(
            indicator=item.indicator.code,
            region=item.region.code,
            period=item.period,
            unit=item.indicator.unit,
            needed_for=", ".join(item.plans()),
        )
        for item in owed
    ]
