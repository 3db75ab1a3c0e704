"""Recording figures without losing any, and reading them back."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from chitieu import _format
from chitieu._errors import InputError, StateError
from chitieu._formula import Formula, Input
from chitieu._periods import Period, PeriodKind, parse_period
from chitieu._text import fold
from chitieu.agency.models import Agency
from chitieu.document.models import SourceDocument
from chitieu.indicator.models import Indicator
from chitieu.observation.models import SOURCE_KINDS, STATUSES, ImportBatch, Observation
from chitieu.region.models import Region
from chitieu.region.service import lineage, territory

# Which figure to trust first when one period has several: a closed account
# beats a preliminary one, which beats an estimate made before the period ended.
STATUS_RANK = {"actual": 0, "preliminary": 1, "estimate": 2}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure came from: a document span, an import, a submission or a person."""

    kind: str
    document: SourceDocument | None = None
    span: tuple[int, int] | None = None
    import_batch: ImportBatch | None = None
    agency: Agency | None = None

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise InputError(f"nguồn '{self.kind}' không hợp lệ ({', '.join(SOURCE_KINDS)})")


# Made once: building an alias's columns costs more than running the query.
_LATER = aliased(Observation)


def _current() -> Select[Observation]:
    return select(Observation).where(~exists().where(_LATER.supersedes_id == Observation.id))


def record_observation(
    session: Session,
    *,
    indicator: Indicator,
    region: Region,
    period: Period,
    value: float,
    status: str,
    source: Source,
    recorded_by: str,
    qualifier: str | None = None,
    note: str | None = None,
) -> tuple[Observation, bool]:
    """Store a figure; return it and whether anything was written.

    The same figure from the same source again writes nothing, so loads and
    imports can be rerun. A different value from the same source is a
    correction: a new revision that supersedes the old one, which stays.
    """
    figure = NewFigure(indicator, region, period, value, status, note, qualifier)
    _check_recordable(figure)
    previous = _same_source(session, indicator, region, period, status, source)
    if previous is not None and previous.value == value and previous.qualifier == qualifier:
        return previous, False
    row = _revision(figure, source, recorded_by, previous)
    _add_revision(session, row)
    return row, True


@dataclass(frozen=True, slots=True)
class NewFigure:
    """A figure to record: what ``record_observation`` takes, for ``record_observations``."""

    indicator: Indicator
    region: Region
    period: Period
    value: float
    status: str
    note: str | None = None
    qualifier: str | None = None

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.indicator.code, self.region.id, self.period.code, self.status)


def _check_recordable(figure: NewFigure) -> None:
    if figure.status not in STATUSES:
        raise InputError(f"trạng thái '{figure.status}' không hợp lệ ({', '.join(STATUSES)})")
    indicator = figure.indicator
    if indicator.is_derived:
        raise InputError(
            f"chỉ tiêu {indicator.code} được tính theo công thức {indicator.formula}, không nhập"
        )


def _revision(
    figure: NewFigure, source: Source, recorded_by: str, previous: Observation | None
) -> Observation:
    return Observation(
        indicator=figure.indicator,
        region=figure.region,
        period=figure.period.code,
        period_start=figure.period.start,
        period_end=figure.period.end,
        value=figure.value,
        unit=figure.indicator.unit,
        status=figure.status,
        qualifier=figure.qualifier,
        source_kind=source.kind,
        source_document=source.document,
        span_start=source.span[0] if source.span else None,
        span_end=source.span[1] if source.span else None,
        import_batch=source.import_batch,
        agency=source.agency,
        note=figure.note,
        recorded_by=recorded_by,
        supersedes_id=previous.id if previous is not None else None,
    )


def _add_revision(session: Session, row: Observation) -> None:
    """Insert ``row``; a revision of the same figure committed meanwhile is a conflict.

    Two people correcting one figure at once both find it current. The unique
    ``supersedes_id`` lets only one correction in; the other waits for it, then
    fails, and must not overwrite a value it never saw.
    """
    if row.supersedes_id is None:
        # A first figure replaces nothing: no conflict, and no savepoint to pay for.
        session.add(row)
        session.flush()
        return
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        corrected = session.scalar(
            select(Observation.id).where(Observation.supersedes_id == row.supersedes_id)
        )
        if not corrected:
            raise
        raise StateError(
            f"số liệu #{row.supersedes_id} vừa được sửa bằng #{corrected} (người khác sửa cùng "
            "lúc); bản sửa này không được ghi: hãy xem bản mới nhất rồi sửa lại"
        ) from exc


def _same_source(
    session: Session,
    indicator: Indicator,
    region: Region,
    period: Period,
    status: str,
    source: Source,
) -> Observation | None:
    query = _current().where(
        Observation.indicator_code == indicator.code,
        Observation.region_id == region.id,
        Observation.period == period.code,
        Observation.status == status,
    )
    return session.scalar(_from_source(query, source))


def _from_source(query: Select[Observation], source: Source) -> Select[Observation]:
    """``query`` narrowed to the figures ``source`` gave (the same document span, or agency).

    An agency's figure is its own whichever way it came (the web form, a file, the
    API): its later figure for the same series, period and status revises the
    earlier one instead of standing beside it as a second, conflicting figure.
    """
    if source.agency is not None and source.document is None:
        return query.where(
            Observation.agency_id == source.agency.id, Observation.source_document_id.is_(None)
        )
    query = query.where(Observation.source_kind == source.kind)
    if source.document is not None:
        query = query.where(Observation.source_document_id == source.document.id)
        start = source.span[0] if source.span else None
        query = query.where(
            Observation.span_start.is_(None) if start is None else Observation.span_start == start
        )
    else:
        query = query.where(
            Observation.source_document_id.is_(None), Observation.agency_id.is_(None)
        )
    return query


def correct_observation(
    session: Session,
    *,
    observation: Observation,
    value: float,
    recorded_by: str,
    note: str,
    force: bool = False,
) -> Observation:
    """A new revision of ``observation`` with another value; the old one is kept.

    Correcting a revision already corrected, even by someone a moment ago, is a
    ``StateError``: the value the other person wrote is never silently replaced.
    A change of an order of magnitude or of sign is refused unless ``force``:
    it is more often a slipped decimal comma or a wrong unit than a correction.
    """
    if session.scalar(select(Observation.id).where(Observation.supersedes_id == observation.id)):
        raise StateError(f"số liệu #{observation.id} đã được sửa; hãy sửa bản mới nhất")
    if not force and order_of_magnitude(observation.value, value):
        # A conflict with the figure as it stands (409 in the API), not malformed input.
        raise StateError(
            f"số liệu #{observation.id} ({observation.indicator_code}): "
            f"{_format.number(observation.value)} → {_format.number(value)} là thay đổi gấp 10 lần "
            "trở lên hoặc đổi dấu (nhầm dấu phẩy, đơn vị?); nếu đúng, hãy xác nhận (--force)"
        )
    kept = {
        column.key: getattr(observation, column.key)
        for column in Observation.__table__.columns
        if column.key not in ("id", "recorded_at")
    }
    kept.update(value=value, note=note, recorded_by=recorded_by, supersedes_id=observation.id)
    row = Observation(**kept)
    _add_revision(session, row)
    return row


def order_of_magnitude(before: float, after: float) -> bool:
    """Whether ``after`` is ten times ``before`` or more, a tenth or less, or of the other sign."""
    if before == 0 or after == 0:
        return False  # no ratio: a figure first reported as nought is not a slipped comma
    ratio = after / before
    return ratio <= 0 or ratio >= 10 or ratio <= 0.1


def list_observations(
    session: Session,
    *,
    indicator: Indicator | None = None,
    region: Region | None = None,
    territory: bool = False,
    period: str | None = None,
    status: str | None = None,
    history: bool = False,
) -> list[Observation]:
    """Figures in series order; with ``history`` the superseded revisions too.

    With ``territory`` a region's figures include those of the units it was
    formed from, so new Bắc Ninh's series reaches back through Bắc Giang's.
    """
    plain = not (territory or period or status or history)
    if indicator is not None and region is not None and plain:
        # An inner block's series first, then an outer block's read in full: what the
        # database would answer.
        for key in (_READ_AHEAD, _FULL_READ_AHEAD):
            read_ahead = session.info.get(key)
            found = read_ahead.get((indicator.code, region.id)) if read_ahead else None
            if found is not None:
                return list(found)
    query = select(Observation) if history else _current()
    if indicator is not None:
        query = query.where(Observation.indicator_code == indicator.code)
    if region is not None:
        regions = lineage(session, region=region) if territory else [region]
        query = query.where(Observation.region_id.in_([r.id for r in regions]))
    if period is not None:
        query = query.where(Observation.period == parse_period(period).code)
    if status is not None:
        query = query.where(Observation.status == status)
    return list(session.scalars(query.order_by(*_SERIES_ORDER)))


_SERIES_ORDER = (
    Observation.indicator_code,
    Observation.region_id,
    Observation.period_end,
    Observation.period_start.desc(),
    Observation.status,
    Observation.id,
)
_READ_AHEAD = "chitieu.series_read_ahead"
_FULL_READ_AHEAD = "chitieu.series_read_ahead.full"
_GROUP_KEY = (
    Observation.indicator_code,
    Observation.region_id,
    Observation.period,
    Observation.status,
)


def figures_in_groups(
    session: Session,
    *,
    indicator: Indicator | None = None,
    region: Region | None = None,
    also: Iterable[tuple[str, object, str, str]] = (),
) -> list[Observation]:
    """Current figures sharing indicator, region, period and status with another, in series order.

    With the figures of the ``also`` groups (indicator, region id, period,
    status): where sources can disagree, found by the database rather than by
    reading every figure.
    """
    repeated = select(*_GROUP_KEY).where(~exists().where(_LATER.supersedes_id == Observation.id))
    if indicator is not None:
        repeated = repeated.where(Observation.indicator_code == indicator.code)
    if region is not None:
        repeated = repeated.where(Observation.region_id == region.id)
        if indicator is None:
            # Every figure's indicator is in the catalogue (a foreign key): naming them lets
            # the database read the region's figures through the series index instead of
            # scanning the whole table (1.5 s for a province of the national dataset).
            repeated = repeated.where(Observation.indicator_code.in_(select(Indicator.code)))
    shared = repeated.group_by(*_GROUP_KEY).having(func.count() > 1).subquery()
    query = _current().join(
        shared, and_(*(column == shared.c[column.key] for column in _GROUP_KEY))
    )
    found = {obs.id: obs for obs in session.scalars(query)}
    for code, region_id, period, status in set(also):
        for obs in session.scalars(
            _current().where(
                Observation.indicator_code == code,
                Observation.region_id == region_id,
                Observation.period == period,
                Observation.status == status,
            )
        ):
            found[obs.id] = obs
    return sorted(found.values(), key=_series_position)


def _series_position(obs: Observation) -> tuple[str, int, date, int, str, int]:
    return (
        obs.indicator_code,
        obs.region_id,
        obs.period_end,
        -obs.period_start.toordinal(),
        obs.status,
        obs.id,
    )


_CODES_PER_QUERY = 500


@contextmanager
def series_read_ahead(
    session: Session, *, series: Iterable[tuple[str, int]], months: bool = True
) -> Iterator[None]:
    """Read many series' current figures at once, a query per region, for read-only work.

    Inside the block, ``list_observations`` of one of these series (indicator and
    region, nothing else) answers from what was read: assessing a plan's targets
    asks the database once instead of once or twice per target. A figure written
    inside the block is not seen by those calls.

    Without ``months``, a single month's figures are left out unless one of that
    month's figures is doubtful: for work that reads years and parts of years and
    says which doubtful figure it passed over (the assessment). A monthly series
    is most of a series' rows.
    """
    wanted: dict[int, set[str]] = defaultdict(set)
    for code, region_id in series:
        wanted[region_id].add(code)
    found: dict[tuple[str, int], list[Observation]] = {}
    for region_id, codes in wanted.items():
        ordered = sorted(codes)
        for start in range(0, len(ordered), _CODES_PER_QUERY):
            chunk = ordered[start : start + _CODES_PER_QUERY]
            found.update({(code, region_id): [] for code in chunk})
            query = _current().where(
                Observation.region_id == region_id, Observation.indicator_code.in_(chunk)
            )
            if not months:
                query = query.where(_not_a_month(session, query))
            for obs in session.scalars(query.order_by(*_SERIES_ORDER)):
                found[(obs.indicator_code, region_id)].append(obs)
    # Nested (the report reads its region's series, then assesses a plan inside), the
    # outer block's figures are back in use when the inner one ends; inside, a series the
    # inner block did not read is the outer one's if that was read in full.
    keys = (_READ_AHEAD, _FULL_READ_AHEAD) if months else (_READ_AHEAD,)
    outer = {key: session.info.get(key) for key in keys}
    session.info.update(dict.fromkeys(keys, found))
    try:
        yield
    finally:
        for key, value in outer.items():
            if value is None:
                session.info.pop(key, None)
            else:
                session.info[key] = value


_MONTH_CODE = "____-M__"  # a canonical month's code, 2023-M05 (a run of months is 2023-5M)


def _not_a_month(session: Session, query: Select[Observation]) -> ColumnElement[bool]:
    """The rows of ``query`` that are no single month's, or of a month with a doubtful figure."""
    months = query.with_only_columns(
        Observation.indicator_code, Observation.period, Observation.note
    ).where(Observation.period.like(_MONTH_CODE), Observation.note.is_not(None))
    doubted = {(code, period) for code, period, note in session.execute(months) if _doubtful(note)}
    plain = ~Observation.period.like(_MONTH_CODE)
    if not doubted:
        return plain
    return plain | tuple_(Observation.indicator_code, Observation.period).in_(sorted(doubted))


def revisions(session: Session, *, observation: Observation) -> list[Observation]:
    """Every revision of the figure, oldest first."""
    chain = [observation]
    while chain[0].supersedes_id is not None:
        earlier = session.get(Observation, chain[0].supersedes_id)
        assert earlier is not None
        chain.insert(0, earlier)
    while True:
        later = session.scalar(select(Observation).where(Observation.supersedes_id == chain[-1].id))
        if later is None:
            return chain
        chain.append(later)


def disagreements(observations: Iterable[Observation]) -> set[int]:
    """Ids of figures that another source contradicts.

    Two figures conflict when they are of the same indicator, region, period
    and status and differ beyond the precision of the less precise one: "16%"
    and "15,96%" agree, "14,5%" and "13,85%" do not. An estimate and a later
    actual are not a conflict but a revision of the estimate.
    """
    groups: dict[tuple[str, int, str, str], list[Observation]] = defaultdict(list)
    for obs in observations:
        groups[(obs.indicator_code, obs.region_id, obs.period, obs.status)].append(obs)
    disputed: set[int] = set()
    for rows in groups.values():
        for index, row in enumerate(rows):
            for other in rows[index + 1 :]:
                if not agree(row.value, other.value):
                    disputed.update((row.id, other.id))
    return disputed


def _significant_digits(value: float) -> int:
    digits = f"{abs(value):.15g}".split("e")[0]
    if "." in digits:
        return len(digits.replace(".", "").lstrip("0")) or 1
    return len(digits.rstrip("0")) or 1


def agree(first: float, second: float) -> bool:
    """Whether two figures say the same thing, given how precisely each was written."""
    if first == second:
        return True
    digits = min(_significant_digits(first), _significant_digits(second))
    return float(f"{first:.{digits}g}") == float(f"{second:.{digits}g}")


# How a note marks a figure its recorder did not trust (folded: "nghi vấn" is "nghi van").
# Sources publish such figures and they are kept, but nothing is judged on them unawares.
_DOUBT = re.compile(r"\b(doubtful|nghi van|dang ngo|can kiem tra)\b")


class Recorded(Protocol):
    """What ranking a period's figures reads of each: a stored figure or its plain row."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def note(self) -> str | None: ...


_Recorded = TypeVar("_Recorded", bound=Recorded)


def doubt(obs: Recorded) -> str | None:
    """The note that marks ``obs`` as doubtful, or None when nothing casts doubt on it."""
    return obs.note if _doubtful(obs.note) else None


@lru_cache(maxsize=4096)
def _doubtful(note: str | None) -> bool:
    # Few notes, each on many figures: folding one costs more than looking it up.
    return bool(note and _DOUBT.search(fold(note)))


def preferred(observations: Sequence[_Recorded]) -> _Recorded | None:
    """The figure to show for a period: best status, then the newest record."""
    if not observations:
        return None
    return min(observations, key=lambda o: (STATUS_RANK[o.status], -o.id))


def latest_observation(
    session: Session, *, indicator: Indicator, region: Region, as_of: date | None = None
) -> Observation | None:
    """The most recent figure of a series (latest period end, then best status)."""
    rows = [
        obs
        for obs in list_observations(session, indicator=indicator, region=region)
        if as_of is None or obs.period_end <= as_of
    ]
    if not rows:
        return None
    last_end = max(obs.period_end for obs in rows)
    ending = [obs for obs in rows if obs.period_end == last_end]
    # A year's own figure says more about that year than a multi-year average ending in it.
    best_kind = min(_period_preference(obs) for obs in ending)
    return preferred([obs for obs in ending if _period_preference(obs) == best_kind])


def _period_preference(obs: Observation) -> tuple[bool, bool, int]:
    kind = parse_period(obs.period).kind
    return (
        kind is not PeriodKind.YEAR,
        kind is PeriodKind.MULTI_YEAR,
        -obs.period_start.toordinal(),
    )


@dataclass(frozen=True, slots=True)
class DerivedValue:
    period: str
    value: float
    inputs: dict[str, float]


def derived_values(session: Session, *, indicator: Indicator, region: Region) -> list[DerivedValue]:
    """A derived indicator's values for every period where all its inputs are known."""
    if not indicator.formula:
        raise InputError(f"chỉ tiêu {indicator.code} không có công thức")
    formula = Formula(indicator.formula)
    codes = {needed.code for needed in formula.inputs}
    by_code: dict[str, dict[str, float]] = defaultdict(dict)
    grouped: dict[tuple[str, str], list[Observation]] = defaultdict(list)
    for obs in session.scalars(
        _current().where(Observation.indicator_code.in_(codes), Observation.region_id == region.id)
    ):
        grouped[(obs.indicator_code, obs.period)].append(obs)
    for (code, period), rows in grouped.items():
        best = preferred(rows)
        assert best is not None
        by_code[code][period] = best.value
    periods = sorted({p for values in by_code.values() for p in values}, key=_period_sort_key)
    results = []
    for period in periods:
        values: dict[Input, float] = {}
        for needed in formula.inputs:
            wanted = _year_before(period) if needed.previous else period
            if wanted is not None and wanted in by_code[needed.code]:
                values[needed] = by_code[needed.code][wanted]
        value = formula.evaluate(values)
        if value is not None:
            shown = {(f"prev({k.code})" if k.previous else k.code): v for k, v in values.items()}
            results.append(DerivedValue(period, value, shown))
    return results


def _period_sort_key(code: str) -> tuple[date, date]:
    period = parse_period(code)
    return (period.end, period.start)


def _year_before(code: str) -> str | None:
    period = parse_period(code)
    if period.kind.value in ("multi_year", "point"):
        return None
    year = str(period.start.year)
    return str(period.start.year - 1) + code[len(year) :]


@dataclass(frozen=True, slots=True)
class TerritoryTotal:
    """A figure for a region's territory before the region existed, summed from its parts."""

    period: str
    value: float
    parts: dict[str, float]


def territory_totals(
    session: Session, *, indicator: Indicator, region: Region
) -> list[TerritoryTotal]:
    """Sums over the units that later formed ``region``, where adding up is meaningful.

    Only indicators whose merge rule is ``sum`` (GRDP in đồng, exports, counts)
    add up; rates and shares must be recomputed from their parts instead, so
    they get no total here. A period gets a total only when every part has a
    figure for it.
    """
    if indicator.merge_rule != "sum":
        return []
    totals = []
    by_period: dict[str, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    for obs in list_observations(session, indicator=indicator, region=region, territory=True):
        by_period[obs.period][obs.region.code].append(obs)
    for period_code, regions in by_period.items():
        period = parse_period(period_code)
        parts = territory(session, region=region, on=period.end)
        if parts == [region] or any(part.code not in regions for part in parts):
            continue
        chosen = {part.code: preferred(regions[part.code]) for part in parts}
        values = {code: obs.value for code, obs in chosen.items() if obs is not None}
        totals.append(TerritoryTotal(period_code, sum(values.values()), values))
    return sorted(totals, key=lambda total: _period_sort_key(total.period))
