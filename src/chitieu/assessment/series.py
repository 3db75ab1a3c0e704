"""Which figure stands for each period of a series, and what to say about the others.

Sources disagree and estimates come before actuals. For each period the
planner's recorded choice wins, if it was made with the period's best figures
in view: a choice among estimates does not displace an actual unless the
planner chose against the actual knowingly (the choice's status is then the
actual's). Otherwise an actual beats a preliminary figure, which beats an
estimate, and the newest record wins a tie. A figure whose note marks it
doubtful is set aside unless a planner chose it; ``set_aside`` says which were.
The figures left out are remembered so that an assessment can say it rests on
one source among several, or on an estimate.
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
from chitieu.observation.service import STATUS_RANK, agree, doubt, list_observations, preferred
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


def _choices(
    session: Session, indicator: Indicator, regions: list[Region]
) -> dict[str, list[ConflictChoice]]:
    """Period → the choices planners made for it, oldest first."""
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
    found: dict[str, list[ConflictChoice]] = defaultdict(list)
    for row in rows:
        found[row.period].append(row)
    return found


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


_STATUS_WORD = {"actual": "thực hiện", "preliminary": "sơ bộ", "estimate": "ước tính"}


def _standing_choice(rows: list[Observation], choices: list[ConflictChoice]) -> int | None:
    """The observation the latest choice still standing picked, if any.

    A choice stands while no figure of a better status than the one it was made
    against has come in: choosing among estimates says nothing of an actual.
    """
    trusted = [r for r in rows if doubt(r) is None] or rows
    best = min(STATUS_RANK[r.status] for r in trusted)
    ids = {r.id for r in rows}
    for choice in reversed(choices):
        if choice.observation_id in ids and STATUS_RANK[choice.status] <= best:
            return choice.observation_id
    return None


def _point(
    period: str, rows: list[Observation], choices: list[ConflictChoice], lang: str
) -> Point | None:
    """The figure standing for ``period``; None when only doubtful figures exist."""
    chosen = _standing_choice(rows, choices)
    trusted = [r for r in rows if doubt(r) is None]
    pick = next((r for r in rows if r.id == chosen), None) or preferred(trusted)
    if pick is None:
        return None
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
    if choices and chosen is None and pick.id != choices[-1].observation_id:
        notes.append(
            f"{period}: không theo lựa chọn #{choices[-1].observation_id} "
            f"({_format.number(choices[-1].observation.value, lang)}), chọn giữa các số "
            f"{_STATUS_WORD[choices[-1].status]}, vì đã có số {_STATUS_WORD[pick.status]}"
        )
    if pick.status != "actual":
        notes.append(f"{period}: số {'ước tính' if pick.status == 'estimate' else 'sơ bộ'}")
    return Point(period, pick.value, pick.status, pick, tuple(notes))


def _set_aside_note(
    period: str, rows: list[Observation], choices: list[ConflictChoice], lang: str
) -> str | None:
    """What to say of a doubtful figure that would have stood for ``period`` but did not."""
    would = preferred(rows)
    if would is None or doubt(would) is None or _standing_choice(rows, choices) == would.id:
        return None
    value = f"{_format.number(would.value, lang)} ({_source(would)})"
    check = all(doubt(r) is not None for r in rows)
    if lang == "en":
        return f"{period}: {value} set aside, marked doubtful ({doubt(would)})" + (
            "; needs checking" if check else ""
        )
    return f"{period}: không dùng {value} vì số này bị ghi là nghi vấn ({doubt(would)})" + (
        "; cần kiểm tra" if check else ""
    )


def set_aside(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    since: date,
    as_of: date,
    until: date,
    lang: str = "vi",
) -> list[str]:
    """Why each doubtful figure of a period ending between ``since`` and ``until`` was not used.

    A period with only doubtful figures is said to need checking: the series
    goes on without it, on the next trustworthy figure.
    """
    groups = _groups(session, indicator, region, as_of, None)
    choices = _choices(session, indicator, [region])
    notes = []
    for period, rows in groups.items():
        end = rows[0].period_end
        if since <= end <= until and (note := _set_aside_note(period, rows, choices[period], lang)):
            notes.append(note)
    return notes


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


def known_periods(
    session: Session, *, indicator: Indicator, region: Region, as_of: date
) -> set[str]:
    """The periods with a figure that counts by ``as_of`` (doubtful figures set aside do not)."""
    return {point.period for point in _points(session, indicator, region, as_of, "vi", None)}


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
    groups = _groups(session, indicator, region, as_of, kind)
    choices = _choices(session, indicator, [region])
    found = (_point(period, group, choices[period], lang) for period, group in groups.items())
    return [point for point in found if point is not None]


def _groups(
    session: Session, indicator: Indicator, region: Region, as_of: date, kind: PeriodKind | None
) -> dict[str, list[Observation]]:
    by_period: dict[str, list[Observation]] = defaultdict(list)
    for obs in list_observations(session, indicator=indicator, region=region):
        if obs.period_end <= as_of and (kind is None or parse_period(obs.period).kind is kind):
            by_period[obs.period].append(obs)
    return by_period
