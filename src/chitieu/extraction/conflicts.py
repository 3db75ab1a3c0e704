"""Conflicts between figures of one indicator, region and period, and the choice that counts.

Figures that disagree across sources, accepted or still pending, are shown
together; a planner's choice of the figure that counts is kept with who made
it, when and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError, NotFoundError
from chitieu._orm import utcnow
from chitieu._periods import parse_period
from chitieu._text import fold
from chitieu.extraction._indicators import states_value
from chitieu.extraction.models import ConflictChoice, ExtractedFigure
from chitieu.extraction.service import pending_figures
from chitieu.indicator.models import Indicator
from chitieu.observation.models import STATUSES, Observation
from chitieu.observation.service import (
    STATUS_RANK,
    agree,
    doubt,
    figures_in_groups,
    list_observations,
)
from chitieu.region.models import Region
from chitieu.region.service import get_region


@dataclass(frozen=True, slots=True)
class ConflictMember:
    """One source's figure in a conflict: an accepted observation or a pending figure."""

    value: float
    unit: str
    source: str
    source_title: str | None
    quote: str | None
    observation_id: int | None = None
    figure_id: int | None = None
    chosen: bool = False
    status: str | None = None

    @property
    def state(self) -> str:
        return "pending" if self.observation_id is None else "accepted"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Figures of one indicator, region, period and status that do not agree."""

    indicator: str
    region: str | None
    region_name: str | None
    period: str
    status: str
    members: tuple[ConflictMember, ...]
    choice: ConflictChoice | None = None


@dataclass
class _Group:
    indicator: str
    region: Region | None
    region_name: str | None
    period: str
    status: str
    members: list[tuple[object, ConflictMember]] = field(default_factory=list)


def conflicts(
    session: Session,
    *,
    default_region: str | None = None,
    indicator: Indicator | None = None,
    region: Region | None = None,
) -> list[Conflict]:
    """Every group of figures where two sources give values that do not agree.

    A group is an indicator, a region, a period and a status. Its members are
    the current accepted observations and the pending extracted figures
    (``default_region`` places figures that name no region); a pending figure
    overlapping an observation of the same document is that observation, not
    another source. Values agree when they are equal to the precision of the
    less precise one (``agree``): "16%" and "15,96%" agree. With ``indicator``
    or ``region``, only that indicator's or region's groups, read without the rest.
    """
    pending = _pending_entries(session, indicator=indicator, default_region=default_region)
    placed = [key for key, _group, _member in pending if isinstance(key[1], int)]
    groups: dict[tuple[str, object, str, str], _Group] = {}
    for obs in figures_in_groups(session, indicator=indicator, region=region, also=placed):
        key: tuple[str, object, str, str] = (
            obs.indicator_code,
            obs.region_id,
            obs.period,
            obs.status,
        )
        if key not in groups:
            groups[key] = _Group(
                obs.indicator_code, obs.region, obs.region.name, obs.period, obs.status
            )
        groups[key].members.append((_observation_source(obs), _observation_member(obs)))
    for key, group, member in pending:
        groups.setdefault(key, group).members.append(member)
    choices = _latest_choices(session)
    found = []
    for group in groups.values():
        if not _disputed(group.members) or (region is not None and group.region != region):
            continue
        choice = _group_choice(choices, group)
        chosen_id = _newest_revision(session, choice.observation).id if choice else None
        members = tuple(
            _mark_chosen(member, chosen_id)
            for _source, member in sorted(
                group.members + _other_statuses(session, group), key=lambda item: -item[1].value
            )
        )
        found.append(
            Conflict(
                indicator=group.indicator,
                region=group.region.code if group.region is not None else None,
                region_name=group.region_name,
                period=group.period,
                status=group.status,
                members=members,
                choice=choice,
            )
        )
    return sorted(
        found,
        key=lambda c: (c.indicator, c.region or "", c.region_name or "", c.period, c.status),
    )


def _other_statuses(session: Session, group: _Group) -> list[tuple[object, ConflictMember]]:
    """The period's current figures of other statuses: a choice is made with all in view."""
    if group.region is None:
        return []
    indicator = session.get(Indicator, group.indicator)
    assert indicator is not None
    return [
        (_observation_source(obs), _observation_member(obs))
        for obs in list_observations(
            session, indicator=indicator, region=group.region, period=group.period
        )
        if obs.status != group.status
    ]


_PendingEntry = tuple[tuple[str, object, str, str], _Group, tuple[object, ConflictMember]]


def _pending_entries(
    session: Session, *, indicator: Indicator | None, default_region: str | None
) -> list[_PendingEntry]:
    """Pending figures comparable with observations: each one's group and member."""
    figures = pending_figures(session, indicator=indicator.code if indicator else None)
    if not figures:
        return []
    # Read at the first pending figure that needs them: they are every document figure's
    # place in its text, a scan of all the figures (2 s nationally).
    observed_spans: dict[int, list[tuple[int, int]]] | None = None
    units = {
        code: (unit, name)
        for code, unit, name in session.execute(
            select(Indicator.code, Indicator.unit, Indicator.name_vi)
        )
    }
    regions = _RegionNames(session)
    entries: list[_PendingEntry] = []
    for figure in figures:
        if not _comparable(figure, units):
            continue
        assert figure.indicator_code is not None and figure.period is not None
        if observed_spans is None:
            observed_spans = _observed_spans(session)
        if _overlaps(figure, observed_spans):
            continue
        name = figure.region_name or default_region
        found = regions.find(name, figure.period)
        place: object = found.id if found is not None else (fold(name) if name else None)
        group = _Group(
            figure.indicator_code,
            found,
            found.name if found is not None else name,
            figure.period,
            figure.status,
        )
        key = (figure.indicator_code, place, figure.period, figure.status)
        entries.append(
            (key, group, (("document", figure.source_document_id), _figure_member(figure)))
        )
    return entries


def _comparable(figure: ExtractedFigure, units: dict[str, tuple[str, str]]) -> bool:
    """Whether a pending figure states its indicator's value for a known period."""
    code = figure.indicator_code
    if code is None or code not in units or figure.period is None:
        return False
    unit, name = units[code]
    return (
        figure.status in STATUSES
        and figure.value_max is None
        and states_value(figure.measure, code=code, name_vi=name)
        and unit == figure.unit
    )


def _observed_spans(session: Session) -> dict[int, list[tuple[int, int]]]:
    """Where each document's figures stored as observations stand in its text."""
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = session.execute(
        select(Observation.source_document_id, Observation.span_start, Observation.span_end)
        .where(
            Observation.source_document_id.is_not(None),
            Observation.span_start.is_not(None),
            Observation.span_end.is_not(None),
        )
        .distinct()
    )
    for document_id, start, end in rows:
        assert document_id is not None and start is not None and end is not None
        spans[document_id].append((start, end))
    return spans


def _overlaps(figure: ExtractedFigure, spans: dict[int, list[tuple[int, int]]]) -> bool:
    return any(
        start < figure.span_end and figure.span_start < end
        for start, end in spans.get(figure.source_document_id, [])
    )


def _observation_source(obs: Observation) -> tuple[str, int]:
    """Which source a figure comes from: figures of one source do not make a conflict."""
    if obs.source_document_id is not None:
        return ("document", obs.source_document_id)
    if obs.import_batch_id is not None:
        return ("import", obs.import_batch_id)
    if obs.agency_id is not None:
        return ("agency", obs.agency_id)
    return ("observation", obs.id)


def _observation_member(obs: Observation) -> ConflictMember:
    document = obs.source_document
    quote = None
    if document is not None and obs.span_start is not None and obs.span_end is not None:
        quote = document.quote(obs.span_start, obs.span_end)
    if document is not None:
        source = document.key
    elif obs.agency is not None:
        source = obs.agency.code
    else:
        source = obs.source_kind
    return ConflictMember(
        value=obs.value,
        unit=obs.unit,
        source=source,
        source_title=document.title if document is not None else None,
        quote=quote,
        observation_id=obs.id,
        status=obs.status,
    )


def _figure_member(figure: ExtractedFigure) -> ConflictMember:
    document = figure.source_document
    return ConflictMember(
        value=figure.value,
        unit=figure.unit,
        source=document.key,
        source_title=document.title,
        quote=document.quote(figure.span_start, figure.span_end),
        figure_id=figure.id,
        status=figure.status,
    )


def _disputed(members: list[tuple[object, ConflictMember]]) -> bool:
    for index, (source, member) in enumerate(members):
        for other_source, other in members[index + 1 :]:
            if source != other_source and not agree(member.value, other.value):
                return True
    return False


def _mark_chosen(member: ConflictMember, chosen_id: int | None) -> ConflictMember:
    if chosen_id is None or member.observation_id != chosen_id:
        return member
    return replace(member, chosen=True)


class _RegionNames:
    """Region names as figures write them, resolved once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[str, str], Region | None] = {}

    def find(self, name: str | None, period: str) -> Region | None:
        if name is None:
            return None
        key = (name, period)
        if key not in self.cache:
            try:
                end = parse_period(period).end
                self.cache[key] = get_region(self.session, code_or_name=name, on=end)
            except (NotFoundError, InputError):
                self.cache[key] = None
        return self.cache[key]


def _latest_choices(session: Session) -> dict[tuple[str, int, str, str], ConflictChoice]:
    latest: dict[tuple[str, int, str, str], ConflictChoice] = {}
    for choice in session.scalars(
        select(ConflictChoice).order_by(ConflictChoice.chosen_at, ConflictChoice.id)
    ):
        latest[(choice.indicator_code, choice.region_id, choice.period, choice.status)] = choice
    return latest


def _group_choice(
    choices: dict[tuple[str, int, str, str], ConflictChoice], group: _Group
) -> ConflictChoice | None:
    """The latest choice made with this group's figures in view (its status or a better one)."""
    if group.region is None:
        return None
    found = [
        choice
        for status in STATUSES
        if STATUS_RANK[status] <= STATUS_RANK[group.status]
        and (choice := choices.get((group.indicator, group.region.id, group.period, status)))
    ]
    return max(found, key=lambda c: (c.chosen_at, c.id), default=None)


def choose(
    session: Session,
    *,
    observation_id: int,
    chosen_by: str,
    reason: str,
    knowingly: bool = False,
) -> ConflictChoice:
    """Record that ``observation`` is the figure that counts for its period, and why.

    Choosing an estimate where an actual (or a preliminary figure) exists
    displaces it only ``knowingly``: the choice then carries the better status
    it was made against, so the series lets it stand; without that, a choice is
    made among figures of its own status and never displaces a better one
    (``better_figures`` names what it left standing).
    """
    observation = session.get(Observation, observation_id)
    if observation is None:
        raise NotFoundError(f"không có số liệu #{observation_id}")
    if not reason.strip():
        raise InputError("hãy ghi lý do chọn số liệu này (--reason)")
    later = session.scalar(
        select(Observation.id).where(Observation.supersedes_id == observation.id)
    )
    if later is not None:
        raise InputError(f"số liệu #{observation.id} đã được sửa bằng #{later}; hãy chọn bản mới")
    better = better_figures(session, observation=observation)
    choice = ConflictChoice(
        indicator_code=observation.indicator_code,
        region_id=observation.region_id,
        period=observation.period,
        status=better[0].status if better and knowingly else observation.status,
        observation=observation,
        chosen_by=chosen_by,
        chosen_at=utcnow(),
        reason=reason.strip(),
    )
    session.add(choice)
    session.flush()
    return choice


def better_figures(session: Session, *, observation: Observation) -> list[Observation]:
    """Current figures of the same period with a better status than ``observation``, best first."""
    rank = STATUS_RANK[observation.status]
    found = [
        obs
        for obs in list_observations(
            session,
            indicator=observation.indicator,
            region=observation.region,
            period=observation.period,
        )
        if STATUS_RANK[obs.status] < rank and doubt(obs) is None
    ]
    return sorted(found, key=lambda obs: (STATUS_RANK[obs.status], -obs.id))


def latest_choice(
    session: Session, *, indicator: Indicator, region: Region, period: str, status: str
) -> ConflictChoice | None:
    """The choice that counts for a group (the latest), with who made it and why."""
    query = (
        select(ConflictChoice)
        .where(*_of_group(indicator, region, period, status))
        .order_by(ConflictChoice.chosen_at.desc(), ConflictChoice.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def choice_history(
    session: Session, *, indicator: Indicator, region: Region, period: str, status: str
) -> list[ConflictChoice]:
    """Every choice made for a group, oldest first."""
    query = (
        select(ConflictChoice)
        .where(*_of_group(indicator, region, period, status))
        .order_by(ConflictChoice.chosen_at, ConflictChoice.id)
    )
    return list(session.scalars(query))


def chosen_value(
    session: Session, *, indicator: Indicator, region: Region, period: str, status: str
) -> Observation | None:
    """The figure a planner chose for the group, or None when nobody chose.

    A chosen figure corrected since is followed to its newest revision. The
    other figures of the group stay in ``list_observations`` and ``conflicts``.
    """
    choice = latest_choice(
        session, indicator=indicator, region=region, period=period, status=status
    )
    if choice is None:
        return None
    return _newest_revision(session, choice.observation)


def _newest_revision(session: Session, observation: Observation) -> Observation:
    current = observation
    while True:
        later = session.scalar(select(Observation).where(Observation.supersedes_id == current.id))
        if later is None:
            return current
        current = later


def _of_group(indicator: Indicator, region: Region, period: str, status: str) -> tuple[Any, ...]:
    """The conditions naming one group of competing figures in the choices made for it."""
    return (
        ConflictChoice.indicator_code == indicator.code,
        ConflictChoice.region_id == region.id,
        ConflictChoice.period == parse_period(period).code,
        ConflictChoice.status == status,
    )
