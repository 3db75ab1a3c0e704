"""Entering one figure by hand or by an API call: who may, reading it, validating it, auditing it.

The web form and the JSON API both end here, so that an agency's figure is
checked the same way whichever door it came through.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError, NotFoundError, PermissionDeniedError
from chitieu._periods import Period, parse_period, read_period
from chitieu.agency.models import Agency
from chitieu.audit.service import record_change
from chitieu.indicator.models import Indicator, IndicatorAgency
from chitieu.indicator.service import get_indicator, list_indicators
from chitieu.observation.models import Observation
from chitieu.observation.service import Source, correct_observation, record_observation
from chitieu.plan.service import list_plans
from chitieu.region.models import Region
from chitieu.region.service import get_region, list_regions
from chitieu.submission.service import read_number, unit_factor
from chitieu.user.service import Actor, agency_bound, indicator_codes_of, may_enter
from chitieu.validation.models import ValidationFinding
from chitieu.validation.service import enforce

# Figures typed in or posted one at a time are an agency's submission, like
# its files; the agency (if any) is kept with the figure.
ENTRY_SOURCE = "submission"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Entry:
    """What entering a figure did: the figure kept, whether it is new, what the checks found."""

    observation: Observation
    written: bool
    previous: Observation | None = None
    findings: list[ValidationFinding] = field(default_factory=list)


def actor_agency(session: Session, *, actor: Actor) -> Agency | None:
    return session.get(Agency, actor.agency_id) if actor.agency_id is not None else None


def enterable_indicators(session: Session, *, actor: Actor) -> list[Indicator]:
    """The indicators the actor may enter figures for; derived ones are computed, never entered."""
    indicators = [i for i in list_indicators(session) if not i.is_derived]
    if not agency_bound(actor):
        return indicators
    assert actor.agency_id is not None
    own = indicator_codes_of(session, agency_id=actor.agency_id)
    return [i for i in indicators if i.code in own]


def refusal(session: Session, *, actor: Actor, indicator: Indicator) -> str:
    """Why an agency editor may not enter ``indicator``, naming both and who reports it."""
    agency = actor_agency(session, actor=actor)
    mine = agency.name if agency else actor.username
    reporters = session.scalars(
        select(Agency)
        .join(IndicatorAgency, IndicatorAgency.agency_id == Agency.id)
        .where(IndicatorAgency.indicator_code == indicator.code)
        .order_by(Agency.name)
    ).all()
    whose = f" (do {', '.join(a.name for a in reporters)} báo cáo)" if reporters else ""
    return (
        f"{mine} không được nhập số liệu chỉ tiêu {indicator.code} – {indicator.name_vi}{whose}; "
        "cơ quan chỉ nhập số liệu các chỉ tiêu mình phụ trách."
    )


def check_may_enter(session: Session, *, actor: Actor, indicator: Indicator) -> None:
    if not may_enter(session, actor=actor, indicator_code=indicator.code):
        raise PermissionDeniedError(refusal(session, actor=actor, indicator=indicator))


def default_region(session: Session, *, actor: Actor) -> Region | None:
    """The province of the actor's agency, else the region of the newest plan."""
    agency = actor_agency(session, actor=actor)
    region = agency.region if agency is not None else None
    while region is not None and region.level not in ("province", "country"):
        region = region.parent
    if region is None:
        plans = list_plans(session)
        region = plans[-1].region if plans else None
    return region


def entry_regions(session: Session) -> list[Region]:
    """Regions a figure may be entered for: provinces first, then districts, current ones first."""
    regions = [r for r in list_regions(session) if r.level in ("province", "district")]
    today = date.today()
    return sorted(regions, key=lambda r: (r.level != "province", not r.valid_on(today), r.id))


def read_entry_period(text: str) -> Period:
    """A period as a form gives it: ``2025``, ``2025-Q2``, ``2025-06``, ``2025-H1``, or in words."""
    text = text.strip()
    month = _MONTH.fullmatch(text)
    if month:
        # The browser's month picker writes 2025-06; the canonical code is 2025-M06.
        return parse_period(f"{month[1]}-M{month[2]}")
    return read_period(text)


def read_entry_value(text: str) -> float:
    """A value as Vietnamese forms write it (1.234,5) or as English ones do (1234.5)."""
    try:
        return read_number(text)
    except ValueError as exc:
        raise InputError(f"giá trị: {exc}") from exc


def _find_region(session: Session, code_or_name: str, period: Period) -> Region:
    region = get_region(session, code_or_name=code_or_name, on=period.end)
    if not (region.valid_on(period.start) or region.valid_on(period.end)):
        raise InputError(f"địa bàn {region.name} không tồn tại trong {period.label()}")
    return region


def observation_record(row: Observation) -> dict[str, Any]:
    """A figure as the audit log keeps it."""
    return {
        "id": row.id,
        "indicator": row.indicator_code,
        "region": row.region.code,
        "period": row.period,
        "value": row.value,
        "unit": row.unit,
        "status": row.status,
        "source_kind": row.source_kind,
        "agency": row.agency.code if row.agency else None,
        "note": row.note,
        "supersedes": row.supersedes_id,
    }


def enter_figure(
    session: Session,
    *,
    actor: Actor,
    indicator: str,
    region: str,
    period: str,
    value: float,
    status: str = "actual",
    unit: str | None = None,
    note: str | None = None,
) -> Entry:
    """Check, record, validate and audit one figure, all in the caller's transaction.

    A blocking validation rule raises ``ValidationBlockedError``; the caller's
    transaction then rolls back, so nothing of the figure stays.
    """
    found = get_indicator(session, code_or_name=indicator)
    check_may_enter(session, actor=actor, indicator=found)
    when = read_entry_period(period)
    place = _find_region(session, region, when)
    try:
        value *= unit_factor(unit or "", found)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if not math.isfinite(value):
        raise InputError("giá trị phải là một số hữu hạn")
    agency = actor_agency(session, actor=actor)
    row, written = record_observation(
        session,
        indicator=found,
        region=place,
        period=when,
        value=value,
        status=status,
        source=Source(ENTRY_SOURCE, agency=agency),
        recorded_by=actor.username,
        note=(note or "").strip() or None,
    )
    if not written:
        return Entry(observation=row, written=False)
    previous = session.get(Observation, row.supersedes_id) if row.supersedes_id else None
    findings = enforce(session, observation=row, actor=actor.username)
    record_change(
        session,
        actor=actor.username,
        action="enter",
        entity="observation",
        entity_id=row.id,
        before=observation_record(previous) if previous else None,
        after=observation_record(row),
    )
    return Entry(observation=row, written=True, previous=previous, findings=findings)


def correct_figure(
    session: Session,
    *,
    actor: Actor,
    observation_id: int,
    value: float,
    note: str,
    force: bool = False,
) -> Entry:
    """A reviewer's correction: a new revision, validated and audited; the old one stays."""
    existing = session.get(Observation, observation_id)
    if existing is None:
        raise NotFoundError(f"không có số liệu #{observation_id}")
    if not math.isfinite(value):
        raise InputError("giá trị phải là một số hữu hạn")
    if not note.strip():
        raise InputError("cần ghi lý do sửa số liệu")
    row = correct_observation(
        session,
        observation=existing,
        value=value,
        recorded_by=actor.username,
        note=note.strip(),
        force=force,
    )
    findings = enforce(session, observation=row, actor=actor.username)
    record_change(
        session,
        actor=actor.username,
        action="correct",
        entity="observation",
        entity_id=existing.id,
        before=observation_record(existing),
        after=observation_record(row),
    )
    return Entry(observation=row, written=True, previous=existing, findings=findings)


def recent_entries(session: Session, *, actor: Actor, limit: int = 10) -> list[Observation]:
    """The figures the actor's agency (or, without one, the actor) entered or imported lately."""
    query = select(Observation).where(Observation.source_kind.in_((ENTRY_SOURCE, "import")))
    if actor.agency_id is not None:
        query = query.where(Observation.agency_id == actor.agency_id)
    else:
        query = query.where(Observation.recorded_by == actor.username)
    return list(session.scalars(query.order_by(Observation.id.desc()).limit(limit)))
