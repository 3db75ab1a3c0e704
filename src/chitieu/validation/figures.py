"""The figures a check reads, held in memory: one query, then lookups by series and period.

Checks never query the database themselves: they read a ``Figures`` index,
so the same check runs on one new figure (``enforce``), on a figure not yet
written (the API's dry run) and on the whole database (``check_all``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from chitieu._periods import PeriodKind, parse_period
from chitieu.indicator.models import Indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import STATUS_RANK
from chitieu.region.models import Region

# Series of these kinds have a "same period a year earlier"; points and spans do not.
_YEARLY_KINDS = frozenset(
    {
        PeriodKind.YEAR,
        PeriodKind.HALF,
        PeriodKind.QUARTER,
        PeriodKind.MONTH,
        PeriodKind.MONTHS_TO_DATE,
    }
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One current figure: an observation's series, period, status and value."""

    id: int | None
    indicator: str
    region_id: int
    period: str
    status: str
    value: float

    @classmethod
    def of(cls, observation: Observation) -> Figure:
        return cls(
            id=observation.id,
            indicator=observation.indicator_code,
            region_id=observation.region_id,
            period=observation.period,
            status=observation.status,
            value=observation.value,
        )


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    code: str
    name_vi: str
    name_en: str
    unit: str
    group: str
    plausible_min: float | None = None
    plausible_max: float | None = None

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


def _rank(figure: Figure) -> tuple[int, int]:
    # Best status first, then the newest record; a figure not yet written is the newest.
    return (STATUS_RANK.get(figure.status, 9), -(figure.id if figure.id is not None else 2**62))


class Figures:
    """Current figures indexed by (indicator, region, period)."""

    def __init__(self, figures: Iterable[Figure] = ()) -> None:
        self._slots: dict[tuple[str, int, str], list[Figure]] = defaultdict(list)
        self._periods: dict[tuple[str, int], set[str]] = defaultdict(set)
        # "2023-Q2" is filed under "-Q2": a series' same period of every year, found at once.
        self._alike: dict[tuple[str, int, str], set[str]] = defaultdict(set)
        for figure in figures:
            self.add(figure)

    def add(self, figure: Figure) -> None:
        self._slots[(figure.indicator, figure.region_id, figure.period)].append(figure)
        self._periods[(figure.indicator, figure.region_id)].add(figure.period)
        self._alike[(figure.indicator, figure.region_id, figure.period[4:])].add(figure.period)

    def remove(self, figure: Figure) -> None:
        """Forget a figure: superseded, or refused after all (``validation.batch``)."""
        slot = self._slots[(figure.indicator, figure.region_id, figure.period)]
        slot.remove(figure)
        if not slot:
            self._periods[(figure.indicator, figure.region_id)].discard(figure.period)
            alike = (figure.indicator, figure.region_id, figure.period[4:])
            self._alike[alike].discard(figure.period)

    def __iter__(self) -> Iterator[Figure]:
        for figures in self._slots.values():
            yield from figures

    def at(
        self, indicator: str, region_id: int, period: str, status: str | None = None
    ) -> list[Figure]:
        found = self._slots.get((indicator, region_id, period), [])
        return [f for f in found if status is None or f.status == status]

    def best(
        self,
        indicator: str,
        region_id: int,
        period: str,
        *,
        status: str | None = None,
        checked: Figure | None = None,
    ) -> Figure | None:
        """The figure to use for a slot: the one under check if it is that slot's, else the
        best status and newest record."""
        if (
            checked is not None
            and (checked.indicator, checked.region_id, checked.period)
            == (indicator, region_id, period)
            and (status is None or checked.status == status)
        ):
            return checked
        found = self.at(indicator, region_id, period, status)
        return min(found, key=_rank) if found else None

    def periods(self, indicator: str, region_id: int) -> set[str]:
        return self._periods.get((indicator, region_id), set())

    def periods_alike(self, indicator: str, region_id: int, period: str) -> set[str]:
        """The series' periods written as ``period`` is after its year (2023-Q2: every -Q2)."""
        return self._alike.get((indicator, region_id, period[4:]), set())


def year_before(code: str) -> str | None:
    """The same period one year earlier (2023-H1 → 2022-H1); None for points and spans."""
    period = parse_period(code)
    if period.kind not in _YEARLY_KINDS:
        return None
    return str(period.start.year - 1) + code[4:]


def year_after(code: str) -> str | None:
    period = parse_period(code)
    if period.kind not in _YEARLY_KINDS:
        return None
    return str(period.start.year + 1) + code[4:]


def load_figures(
    session: Session, *, codes: set[str] | None = None, region_id: int | None = None
) -> Figures:
    """The current (not superseded) figures, of ``codes`` and ``region_id`` when given."""
    later = aliased(Observation)
    query = select(
        Observation.id,
        Observation.indicator_code,
        Observation.region_id,
        Observation.period,
        Observation.status,
        Observation.value,
    ).where(~exists().where(later.supersedes_id == Observation.id))
    if codes is not None:
        query = query.where(Observation.indicator_code.in_(sorted(codes)))
    if region_id is not None:
        query = query.where(Observation.region_id == region_id)
    return Figures(Figure(*row) for row in session.execute(query.order_by(Observation.id)))


def load_indicators(session: Session) -> dict[str, IndicatorInfo]:
    return {
        row.code: IndicatorInfo(
            row.code,
            row.name_vi,
            row.name_en,
            row.unit,
            row.group,
            row.plausible_min,
            row.plausible_max,
        )
        for row in session.scalars(select(Indicator))
    }


def load_region_codes(session: Session) -> dict[int, str]:
    return {region_id: code for region_id, code in session.execute(select(Region.id, Region.code))}
