"""Many series' current figures as plain rows, for judging many targets at once.

Judging every plan of the country reads about 1.6 million figures. As ORM objects
a third of the run went into building them (identity map, instance state, a
descriptor per attribute read); a slotted row per figure carries what a series'
standing figure and its notes need, and reaches the stored figure, its document
or its agency through the session only when asked (the report cites the figure
a status rests on).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    bindparam,
    exists,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

from chitieu.agency.models import Agency
from chitieu.document.models import SourceDocument
from chitieu.observation.models import Observation
from chitieu.observation.service import _MONTH_CODE, _SERIES_ORDER, _doubtful

# Series per query: enough to make the round trips few, few enough that PostgreSQL
# plans a bitmap scan of the series index rather than a costlier plan it then compiles.
_SERIES_PER_QUERY = 200
_COLUMNS = (
    Observation.id,
    Observation.indicator_code,
    Observation.region_id,
    Observation.period,
    Observation.period_start,
    Observation.period_end,
    Observation.value,
    Observation.status,
    Observation.source_kind,
    Observation.source_document_id,
    Observation.agency_id,
    Observation.note,
)


@dataclass(slots=True, eq=False)
class Figure:
    """A current figure as a plain row: the attributes of an ``Observation`` a series reads."""

    _session: Session = field(repr=False)
    id: int
    indicator_code: str
    region_id: int
    period: str
    period_start: date
    period_end: date
    value: float
    status: str
    source_kind: str
    source_document_id: int | None
    agency_id: int | None
    note: str | None
    _stored: Observation | None = field(default=None, repr=False)

    @property
    def source_document(self) -> SourceDocument | None:
        if self.source_document_id is None:
            return None
        return self._session.get(SourceDocument, self.source_document_id)

    @property
    def agency(self) -> Agency | None:
        return None if self.agency_id is None else self._session.get(Agency, self.agency_id)

    def stored(self) -> Observation:
        """The figure as the ORM holds it: a query the first time, unless the session has it
        (to cite many, load them in one query first and keep them referenced)."""
        if self._stored is None:
            self._stored = self._session.get(Observation, self.id)
            assert self._stored is not None, f"figure {self.id} is gone"
        return self._stored


_READ = "chitieu.assessment.figures_read_ahead"
_SUPERSEDED = "chitieu.assessment.superseded"


@contextmanager
def revisions_read_ahead(session: Session) -> Iterator[None]:
    """Which figures a later revision replaced, read once for many ``figures_read_ahead``.

    Few figures are ever revised (80,169 of 14.9 million in the national
    dataset): a set of their ids costs less than asking the database, query
    after query, whether a later revision exists.
    """
    session.info[_SUPERSEDED] = _superseded(session)
    try:
        yield
    finally:
        session.info.pop(_SUPERSEDED, None)


def _superseded(session: Session) -> set[int]:
    query = select(Observation.supersedes_id).where(Observation.supersedes_id.is_not(None))
    return {row for row in session.scalars(query) if row is not None}


@contextmanager
def figures_read_ahead(session: Session, *, series: Iterable[tuple[str, int]]) -> Iterator[None]:
    """The current figures of many series (indicator code, region id), read a batch at a time.

    Inside the block ``read_ahead(session, code, region_id)`` answers for these
    series, in series order. A single month's figures are left out unless one of
    that month's figures is doubtful: nothing else in an assessment reads months.
    A figure written inside the block is not seen.
    """
    # Without the revisions read ahead (a plan's few dozen targets), the database says.
    superseded: set[int] | None = session.info.get(_SUPERSEDED)
    wanted = sorted(set(series))
    found: dict[tuple[str, int], list[Figure]] = {key: [] for key in wanted}
    for start in range(0, len(wanted), _SERIES_PER_QUERY):
        _read_batch(session, wanted[start : start + _SERIES_PER_QUERY], superseded, found)
    session.info[_READ] = found
    try:
        yield
    finally:
        session.info.pop(_READ, None)


def read_ahead(session: Session, code: str, region_id: int) -> list[Figure] | None:
    """The series' figures read ahead, or None when it was not."""
    found: dict[tuple[str, int], list[Figure]] | None = session.info.get(_READ)
    return None if found is None else found.get((code, region_id))


def _read_batch(
    session: Session,
    series: list[tuple[str, int]],
    superseded: set[int] | None,
    found: dict[tuple[str, int], list[Figure]],
) -> None:
    month = Observation.period.like(_MONTH_CODE)
    # Months come only with a note, the only way one can be doubtful; a doubtful month's
    # other figures are read after.
    query = (
        select(month, *_COLUMNS)
        .where(_among(session, series), ~month | Observation.note.is_not(None))
        .where(*_current(superseded))
        .order_by(*_SERIES_ORDER)
    )
    revised = superseded if superseded is not None else set()
    doubted: set[tuple[str, int, str]] = set()
    # Core rows: the ORM's row handling for plain columns costs as much as the rows.
    rows: Iterable[Sequence[Any]] = session.connection().execute(query).all()
    for row in rows:
        if row[1] in revised:
            continue
        if row[0]:
            if _doubtful(row[12]):
                doubted.add((row[2], row[3], row[4]))
            continue
        found[(row[2], row[3])].append(Figure(session, *row[1:]))
    if doubted:
        _add_doubted_months(session, sorted(doubted), superseded, found)


def _among(session: Session, series: list[tuple[str, int]]) -> ColumnElement[bool]:
    """The rows of these series (indicator code, region id).

    PostgreSQL gets them as two arrays: a list of pairs is two placeholders a
    pair, and psycopg splits a query text that long anew for every batch.
    """
    pair = tuple_(Observation.indicator_code, Observation.region_id)
    if session.get_bind().dialect.name != "postgresql":
        return pair.in_(series)
    codes = bindparam("codes", [code for code, _ in series], type_=ARRAY(String))
    regions = bindparam("regions", [region for _, region in series], type_=ARRAY(Integer))
    wanted = func.unnest(codes, regions).table_valued("code", "region_id").render_derived()
    return pair.in_(select(wanted.c.code, wanted.c.region_id))


def _current(superseded: set[int] | None) -> list[ColumnElement[bool]]:
    """No revised figure, when the revisions were not read ahead."""
    if superseded is not None:
        return []
    return [~exists().where(_LATER.supersedes_id == Observation.id)]


_LATER = aliased(Observation)


def _add_doubted_months(
    session: Session,
    months: list[tuple[str, int, str]],
    superseded: set[int] | None,
    found: dict[tuple[str, int], list[Figure]],
) -> None:
    """Every figure of the months with a doubtful figure, each series kept in series order."""
    changed = set()
    for start in range(0, len(months), _SERIES_PER_QUERY):
        chunk = months[start : start + _SERIES_PER_QUERY]
        period = tuple_(Observation.indicator_code, Observation.region_id, Observation.period)
        query = select(*_COLUMNS).where(period.in_(chunk), *_current(superseded))
        rows: Iterable[Sequence[Any]] = session.connection().execute(query).all()
        for row in rows:
            if superseded is None or row[0] not in superseded:
                found[(row[1], row[2])].append(Figure(session, *row))
                changed.add((row[1], row[2]))
    for key in changed:
        found[key].sort(key=_series_position)


def _series_position(figure: Figure) -> tuple[date, int, str, int]:
    # The query's order within one series: period end, the longer period first, status, id.
    return (figure.period_end, -figure.period_start.toordinal(), figure.status, figure.id)
