"""Figures from documents: extracting, storing for review, accepting, rejecting.

A document's figures are stored as they were read (``extracted_figure``),
pending until a person accepts one, which records an observation citing the
document span, or rejects it. Figures that disagree across sources, and the
choice of the one that counts, are in ``conflicts.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
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
from chitieu.extraction.models import ExtractedFigure
from chitieu.extraction.readers import read_document
from chitieu.extraction.records import DocumentContext, DocumentText, Figure
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import STATUSES, Observation
from chitieu.observation.service import (
    Source,
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
    # A statistics table's "so với cùng kỳ (%)" is an index (105,3): the figure stored for
    # review is the change it states (5,3 %), what an observation of growth records.
    base = figure.extras.get("index_base")
    value = round(figure.value - base, 9) if isinstance(base, int | float) else figure.value
    return ExtractedFigure(
        source_document=document,
        span_start=figure.start,
        span_end=figure.end,
        text=figure.text,
        value=value,
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
