"""Figures from documents: extracting, storing for review, accepting, and conflicts.

A document's figures are stored as they were read (``extracted_figure``),
pending until a person accepts one, which records an observation citing the
document span, or rejects it. Figures that disagree across sources, accepted
or still pending, are shown together as conflicts; a planner's choice of the
figure that counts is kept with who made it, when and why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import InputError, NotFoundError
from chitieu._orm import utcnow
from chitieu._periods import Period, parse_period
from chitieu._text import fold
from chitieu.document.models import SourceDocument
from chitieu.extraction._document import DocumentModel
from chitieu.extraction._indicators import states_value
from chitieu.extraction.grammar import extract_document
from chitieu.extraction.models import ConflictChoice, ExtractedFigure
from chitieu.extraction.readers import read_document
from chitieu.extraction.records import DocumentContext, DocumentText, Figure
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import STATUSES, Observation
from chitieu.observation.service import (
    STATUS_RANK,
    Source,
    agree,
    doubt,
    figures_in_groups,
    list_observations,
    record_observation,
)
from chitieu.region.models import Region
from chitieu.region.service import get_region
from chitieu.validation.service import enforce

# --- extracting and storing ----------------------------------------------------------


def extract_file(
    path: Path, *, region: str | None = None
) -> tuple[DocumentText, DocumentModel, list[Figure]]:
    """Read a TXT, DOCX, PDF or HTML file, what it says about itself, and its figures.

    Nothing is stored. ``region`` is the unit the document is about, given to
    figures whose sentence names none. Raises ``InputError`` for a file that
    cannot be read.
    """
    document = read_document(path)
    context = DocumentContext(name=path.name, region=region)
    model, figures = extract_document(document.text, context)
    return document, model, figures


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What ingesting one file found and stored."""

    path: Path
    document: str
    document_new: bool
    found: int
    new: int
    notes: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def document_key(name: str, sha256: str) -> str:
    """A stable key for a file: its name as a slug and the start of its hash."""
    stem = Path(name).stem
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")[:80] or "tai-lieu"
    return f"{slug}-{sha256[:8]}"


def ingest_file(
    session: Session, *, path: Path, recorded_by: str, region: str | None = None
) -> IngestReport:
    """Store a document and its figures, pending review; all of the file or nothing.

    A document already stored (the same bytes, by hash) is reused, and a span
    already stored is not stored again, so ingesting a file twice adds nothing.
    """
    text, model, figures = extract_file(path, region=region)
    return store_extracted(
        session, path=path, text=text, figures=figures, recorded_by=recorded_by, model=model
    )


def store_extracted(
    session: Session,
    *,
    path: Path,
    text: DocumentText,
    figures: Sequence[Figure],
    recorded_by: str,
    model: DocumentModel | None = None,
) -> IngestReport:
    """Store a document already read and its figures, pending review; all of it or nothing.

    The writing half of ``ingest_file``, for figures found elsewhere (a worker
    process, a Dask cluster); in a savepoint, so a refusal leaves the caller's
    transaction as it was. ``model`` (what the text says about itself) is kept
    with a document that has none yet.
    """
    with session.begin_nested():
        document, document_new = _stored_document(session, path, text)
        if model is not None and document.read_kind is None:
            _keep_model(document, model)
        known_spans = {
            (start, end)
            for start, end in session.execute(
                select(ExtractedFigure.span_start, ExtractedFigure.span_end).where(
                    ExtractedFigure.source_document_id == document.id
                )
            )
        }
        catalogue = set(session.scalars(select(Indicator.code)))
        new = 0
        skipped = []
        for figure in figures:
            if (figure.start, figure.end) in known_spans:
                continue
            misfit = _misfit(figure)
            if misfit is not None:
                skipped.append(misfit)
                continue
            known_spans.add((figure.start, figure.end))
            session.add(_figure_row(document, figure, catalogue, recorded_by))
            new += 1
        session.flush()
    return IngestReport(
        path=path,
        document=document.key,
        document_new=document_new,
        found=len(figures),
        new=new,
        notes=text.notes,
        skipped=tuple(skipped),
    )


def _misfit(figure: Figure) -> str | None:
    """Why a figure cannot be stored as read (a misread unit spanning a sentence), if so."""
    for field_name, column in (
        ("text", "text"),
        ("unit", "unit"),
        ("period", "period"),
        ("status", "status"),
        ("measure", "measure"),
        ("region", "region_name"),
        ("qualifier", "qualifier"),
    ):
        written = getattr(figure, field_name)
        kind = ExtractedFigure.__table__.c[column].type
        length = kind.length if isinstance(kind, String) else None
        if written is not None and length is not None and len(written) > length:
            return (
                f"số liệu {figure.text!r} ở vị trí {figure.start}–{figure.end}: "
                f"{field_name} dài {len(written)} ký tự (tối đa {length}), có lẽ đọc sai"
            )
    return None


def _stored_document(
    session: Session, path: Path, text: DocumentText
) -> tuple[SourceDocument, bool]:
    existing = session.scalar(select(SourceDocument).where(SourceDocument.sha256 == text.sha256))
    if existing is not None:
        if existing.text is None:
            existing.text = text.text
        elif existing.text != text.text:
            raise InputError(
                f"{path.name}: tài liệu '{existing.key}' đã lưu với nội dung khác bản vừa đọc; "
                "vị trí số liệu sẽ không khớp"
            )
        return existing, False
    document = SourceDocument(
        key=document_key(path.name, text.sha256),
        file_name=path.name,
        sha256=text.sha256,
        title=path.name,
        kind=text.kind,
        text=text.text,
    )
    session.add(document)
    session.flush()
    return document, True


def _keep_model(document: SourceDocument, model: DocumentModel) -> None:
    document.read_on = model.issued_on
    document.read_year = model.year
    document.read_periods = _joined(model.periods, ",", 200)
    document.read_kind = model.kind
    document.read_provinces = _joined(model.provinces, "; ", 500)


def _joined(items: Sequence[str], separator: str, limit: int) -> str | None:
    """As many whole items as fit a column of ``limit`` characters; None for none."""
    kept: list[str] = []
    for item in items:
        if len(separator.join([*kept, item])) > limit:
            break
        kept.append(item)
    return separator.join(kept) or None


def _figure_row(
    document: SourceDocument, figure: Figure, catalogue: set[str], recorded_by: str
) -> ExtractedFigure:
    return ExtractedFigure(
        source_document=document,
        span_start=figure.start,
        span_end=figure.end,
        text=figure.text,
        value=figure.value,
        value_max=figure.value_max,
        unit=figure.unit,
        period=figure.period,
        status=figure.status,
        measure=figure.measure,
        # A database loaded with another catalogue may not hold the code.
        indicator_code=figure.indicator if figure.indicator in catalogue else None,
        region_name=figure.region,
        qualifier=figure.qualifier,
        rank_of=figure.rank_of,
        extracted_by=recorded_by,
        review_state="pending",
        confidence=figure.confidence,
        why=figure.explained()["why"] if figure.why else None,
    )


# --- review ----------------------------------------------------------------------------


def pending_figures(
    session: Session,
    *,
    document: str | None = None,
    indicator: str | None = None,
) -> list[ExtractedFigure]:
    """Figures waiting for a person, in document order."""
    query = (
        select(ExtractedFigure)
        .join(ExtractedFigure.source_document)
        .where(ExtractedFigure.review_state == "pending")
    )
    if document is not None:
        query = query.where(SourceDocument.key == document)
    if indicator is not None:
        code = get_indicator(session, code_or_name=indicator).code
        query = query.where(ExtractedFigure.indicator_code == code)
    query = query.order_by(
        ExtractedFigure.source_document_id, ExtractedFigure.span_start, ExtractedFigure.id
    )
    return list(session.scalars(query))


def get_figure(session: Session, *, figure_id: int) -> ExtractedFigure:
    found = session.get(ExtractedFigure, figure_id)
    if found is None:
        raise NotFoundError(f"không có số liệu trích #{figure_id}")
    return found


def accept_figure(
    session: Session,
    *,
    figure_id: int,
    recorded_by: str,
    value: float | None = None,
    indicator: str | None = None,
    period: str | None = None,
    status: str | None = None,
    region: str | None = None,
    note: str | None = None,
    default_region: str | None = None,
) -> Observation:
    """Record the figure as an observation citing its document span; return the observation.

    A reviewer may correct any field while accepting: the observation gets the
    corrected values and a note saying what was changed, and the figure row
    keeps what the document was read as. ``default_region`` is used only when
    neither the reviewer nor the figure names a region.
    """
    figure = get_figure(session, figure_id=figure_id)
    if figure.review_state == "accepted":
        raise InputError(
            f"số liệu trích #{figure.id} đã được chấp nhận thành số liệu #{figure.observation_id}; "
            "muốn sửa hãy dùng chitieu correct"
        )
    code = indicator or figure.indicator_code
    if code is None:
        raise InputError(
            f"số liệu trích #{figure.id} chưa gắn chỉ tiêu nào; hãy chỉ rõ chỉ tiêu (--indicator)"
        )
    chosen = get_indicator(session, code_or_name=code)
    kind = status or figure.status
    if kind == "target":
        raise InputError(
            f"số liệu trích #{figure.id} là mục tiêu kế hoạch (target), không phải số liệu "
            "thực hiện; mục tiêu không thể thành số liệu quan sát"
        )
    if kind not in STATUSES:
        raise InputError(f"trạng thái '{kind}' không hợp lệ ({', '.join(STATUSES)})")
    period_code = period or figure.period
    if period_code is None:
        raise InputError(f"số liệu trích #{figure.id} không rõ kỳ; hãy chỉ rõ kỳ (--period)")
    when = parse_period(period_code)
    place_name = region or figure.region_name or default_region
    if place_name is None:
        raise InputError(
            f"số liệu trích #{figure.id} không ghi địa bàn; hãy chỉ rõ địa bàn (--region)"
        )
    place = get_region(session, code_or_name=place_name, on=when.end)
    if value is None:
        _check_reads_as(figure, chosen)
    moved = None
    if region is not None and figure.region_name is not None:
        moved = _region_change(session, figure.region_name, place, when)
    changes = _changes(figure, chosen, when, kind, value, moved)
    observation, _written = record_observation(
        session,
        indicator=chosen,
        region=place,
        period=when,
        value=figure.value if value is None else value,
        status=kind,
        source=Source(
            "document",
            document=figure.source_document,
            span=(figure.span_start, figure.span_end),
        ),
        recorded_by=recorded_by,
        qualifier=figure.qualifier,
        note="; ".join(part for part in (changes, note) if part) or None,
    )
    # A figure breaking a blocking rule raises here and stays pending.
    enforce(session, observation=observation, actor=recorded_by, figure_id=figure.id)
    figure.review_state = "accepted"
    figure.reviewed_by = recorded_by
    figure.reviewed_at = utcnow()
    figure.review_note = note
    figure.observation = observation
    session.flush()
    return observation


def _check_reads_as(figure: ExtractedFigure, indicator: Indicator) -> None:
    """A figure kept as read must be a single value in the indicator's unit."""
    if figure.value_max is not None:
        shown = f"{_format.number(figure.value)}–{_format.number(figure.value_max)}"
        raise InputError(
            f"số liệu trích #{figure.id} là một khoảng ({shown}); hãy ghi một giá trị (--value)"
        )
    if not states_value(figure.measure, code=indicator.code, name_vi=indicator.name_vi):
        raise InputError(
            f"số liệu trích #{figure.id} là phép đo '{figure.measure}' (so với kế hoạch, "
            f"mức thay đổi hay số lần), không phải giá trị của chỉ tiêu {indicator.code}; "
            "hãy ghi giá trị đúng (--value)"
        )
    if figure.unit != indicator.unit:
        raise InputError(
            f"số liệu trích #{figure.id} tính bằng '{figure.unit}' nhưng chỉ tiêu "
            f"{indicator.code} tính bằng '{indicator.unit}'; hãy ghi giá trị đúng (--value) "
            "hoặc chọn chỉ tiêu khác (--indicator)"
        )


def _changes(
    figure: ExtractedFigure,
    indicator: Indicator,
    period: Period,
    status: str,
    value: float | None,
    moved: str | None,
) -> str | None:
    """What the reviewer changed from what the document was read as."""
    changed = []
    if value is not None and value != figure.value:
        changed.append(f"giá trị {_format.number(figure.value)} → {_format.number(value)}")
    if indicator.code != figure.indicator_code:
        changed.append(f"chỉ tiêu {figure.indicator_code or '—'} → {indicator.code}")
    if period.code != figure.period:
        changed.append(f"kỳ {figure.period or '—'} → {period.code}")
    if status != figure.status:
        changed.append(f"loại số {figure.status} → {status}")
    if moved is not None:
        changed.append(moved)
    if not changed:
        return None
    return f"sửa khi duyệt số liệu trích #{figure.id}: " + ", ".join(changed)


def _region_change(session: Session, read_as: str, place: Region, period: Period) -> str | None:
    try:
        original = get_region(session, code_or_name=read_as, on=period.end)
    except NotFoundError:
        original = None
    if original is not None and original.id == place.id:
        return None
    return f"địa bàn {read_as} → {place.name}"


def reject_figure(
    session: Session, *, figure_id: int, recorded_by: str, reason: str
) -> ExtractedFigure:
    """Mark a figure as not a figure to keep (a misread, a target, a duplicate)."""
    figure = get_figure(session, figure_id=figure_id)
    if not reason.strip():
        raise InputError("hãy ghi lý do loại số liệu (--reason)")
    if figure.review_state != "pending":
        state = "được chấp nhận" if figure.review_state == "accepted" else "bị loại"
        raise InputError(f"số liệu trích #{figure.id} đã {state}")
    figure.review_state = "rejected"
    figure.reviewed_by = recorded_by
    figure.reviewed_at = utcnow()
    figure.review_note = reason.strip()
    session.flush()
    return figure


# --- conflicts ---------------------------------------------------------------------------


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
    observed_spans = _observed_spans(session)
    units = {
        code: (unit, name)
        for code, unit, name in session.execute(
            select(Indicator.code, Indicator.unit, Indicator.name_vi)
        )
    }
    regions = _RegionNames(session)
    entries: list[_PendingEntry] = []
    for figure in pending_figures(session, indicator=indicator.code if indicator else None):
        if not _comparable(figure, units):
            continue
        assert figure.indicator_code is not None and figure.period is not None
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
        .where(
            ConflictChoice.indicator_code == indicator.code,
            ConflictChoice.region_id == region.id,
            ConflictChoice.period == parse_period(period).code,
            ConflictChoice.status == status,
        )
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
        .where(
            ConflictChoice.indicator_code == indicator.code,
            ConflictChoice.region_id == region.id,
            ConflictChoice.period == parse_period(period).code,
            ConflictChoice.status == status,
        )
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
