"""Which figure stands for each period of a series, and what to say about the others.

Sources disagree and estimates come before actuals. For each period the
planner's recorded choice wins; otherwise an actual beats a preliminary figure,
which beats an estimate, and the newest record wins a tie. The figures left out
are remembered so that an assessment can say it rests on one source among
several, or on an estimate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._periods import PeriodKind, parse_period
from chitieu.extraction.models import ConflictChoice
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import agree, list_observations, preferred
from chitieu.region.models import Region


@dataclass(frozen=True)
class Point:
    """The figure standing for one period, and why it needs a word of caution."""

    period: str
    value: float
    status: str
    observation: Observation
    notes: tuple[str, ...] = field(default=())


def _source(obs: Observation) -> str:
    if obs.source_document is not None:
        return obs.source_document.key
    return obs.agency.code if obs.agency is not None else obs.source_kind


def _choices(session: Session, indicator: Indicator, regions: list[Region]) -> dict[str, int]:
    """Period → the observation a planner chose, the latest choice for each group."""
    ids = [r.id for r in regions]
    read: list[ConflictChoice] | None = session.info.get(_CHOICES)
    if read is not None:
        rows: Iterable[ConflictChoice] = [
            row for row in read if row.indicator_code == indicator.code and row.region_id in ids
        ]
    else:
        rows = session.scalars(
            select(ConflictChoice)
            .where(
                ConflictChoice.indicator_code == indicator.code, ConflictChoice.region_id.in_(ids)
            )
            .order_by(ConflictChoice.id)
        )
    return {row.period: row.observation_id for row in rows}


_CHOICES = "chitieu.choices_read_ahead"


@contextmanager
def choices_read_ahead(session: Session) -> Iterator[None]:
    """Every planner's choice read once, for read-only work over many series (they are few)."""
    session.info[_CHOICES] = list(
        session.scalars(select(ConflictChoice).order_by(ConflictChoice.id))
    )
    try:
        yield
    finally:
        session.info.pop(_CHOICES, None)


def _point(period: str, rows: list[Observation], chosen: int | None, lang: str) -> Point:
    pick = next((r for r in rows if r.id == chosen), None) or preferred(rows)
    assert pick is not None
    notes = []
    others = [r for r in rows if r.id != pick.id and not agree(r.value, pick.value)]
    if others:
        shown = ", ".join(f"{_format.number(r.value, lang)} ({_source(r)})" for r in others[:3])
        how = (
            "theo lựa chọn của người lập kế hoạch" if chosen == pick.id else "ưu tiên số thực hiện"
        )
        notes.append(
            f"{period}: dùng {_format.number(pick.value, lang)} ({_source(pick)}, {how}); "
            f"nguồn khác: {shown}"
        )
    if pick.status != "actual":
        notes.append(f"{period}: số {'ước tính' if pick.status == 'estimate' else 'sơ bộ'}")
    return Point(period, pick.value, pick.status, pick, tuple(notes))


def yearly(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    as_of: date,
    lang: str = "vi",
) -> dict[int, Point]:
    """Year → the figure standing for it, known by ``as_of`` (years only, no parts of years)."""
    return {
        parse_period(point.period).year: point
        for point in _points(session, indicator, region, as_of, lang, PeriodKind.YEAR)
    }


def latest_partial(
    session: Session, *, indicator: Indicator, region: Region, year: int, as_of: date
) -> Point | None:
    """The longest part of ``year`` reported by ``as_of`` (nine months beat a half)."""
    parts = [
        point
        for point in _points(session, indicator, region, as_of, "vi", None)
        if parse_period(point.period).kind
        in (PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTHS_TO_DATE)
        and parse_period(point.period).start == date(year, 1, 1)
    ]
    return max(parts, key=lambda p: parse_period(p.period).end, default=None)


def _points(
    session: Session,
    indicator: Indicator,
    region: Region,
    as_of: date,
    lang: str,
    kind: PeriodKind | None,
) -> list[Point]:
    regions = [region]
    by_period: dict[str, list[Observation]] = defaultdict(list)
    for obs in list_observations(session, indicator=indicator, region=region):
        if obs.period_end <= as_of and (kind is None or parse_period(obs.period).kind is kind):
            by_period[obs.period].append(obs)
    choices = _choices(session, indicator, regions)
    return [_point(period, group, choices.get(period), lang) for period, group in by_period.items()]
