"""What the documents pages and API need: review rows, conflicts, each change audited.

The extraction service does the work (accept, reject, choose); this module
adds what a person reviewing on the web needs around it: the sentence around
a figure, counts per document, and one audit entry per change, written in a
savepoint with the change so that a refused action leaves nothing behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import ChitieuError, InputError, StateError
from chitieu._labels import document_kind, tr
from chitieu._periods import parse_period
from chitieu._text import without_markup
from chitieu.audit.service import record_change
from chitieu.document.models import SourceDocument
from chitieu.extraction._document import DocumentModel
from chitieu.extraction._why import cue_words as cue_words  # the review page says its cues
from chitieu.extraction.conflicts import Conflict, ConflictMember, choose, conflicts
from chitieu.extraction.models import REVIEW_STATES, ConflictChoice, ExtractedFigure
from chitieu.extraction.service import accept_figure, get_figure, reject_figure
from chitieu.observation.models import Observation
from chitieu.submission.service import read_number
from chitieu.validation.models import ValidationFinding
from chitieu.validation.service import open_findings

STATE_ORDER = {state: index for index, state in enumerate(REVIEW_STATES)}
# A stop before a space or a letter ("nước.Về" happens in pasted text); not "2.474,8".
_SENTENCE_END = re.compile(r"[.!?;](?=\s|[^\W\d_])|\n")
_SENTENCE_LIMIT = 240

_MEASURES = {
    "level": ("mức", "level"),
    "change_pct": ("tăng/giảm %", "change %"),
    "change_abs": ("tăng/giảm", "change"),
    "multiple": ("gấp (lần)", "multiple"),
    "share_pct": ("tỷ trọng %", "share %"),
    "plan_pct": ("% kế hoạch", "% of plan"),
    "rank": ("xếp hạng", "rank"),
    "target": ("mục tiêu", "target"),
}
_STATES = {
    "pending": ("chờ duyệt", "pending"),
    "accepted": ("đã chấp nhận", "accepted"),
    "rejected": ("đã loại", "rejected"),
}


def label(key: str | None, lang: str) -> str:
    """A measure's or review state's name for people; other keys as they are."""
    if key is None:
        return ""
    pair = _MEASURES.get(key) or _STATES.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "vi" else pair[1]


def period_label(code: str | None, lang: str) -> str:
    if code is None:
        return "—"
    try:
        return parse_period(code).label(lang)
    except ChitieuError:
        return code


# --- documents and their figures -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A stored document with how far its figures are reviewed."""

    key: str
    title: str
    file_name: str | None
    kind: str
    added_at: datetime
    pending: int
    accepted: int
    rejected: int
    observations: int


def list_documents(session: Session) -> list[DocumentSummary]:
    """Documents with a text or extracted figures, newest first."""
    counts: dict[tuple[int, str], int] = {
        (document_id, state): count
        for document_id, state, count in session.execute(
            select(
                ExtractedFigure.source_document_id,
                ExtractedFigure.review_state,
                func.count(),
            ).group_by(ExtractedFigure.source_document_id, ExtractedFigure.review_state)
        )
    }
    cited = {
        document_id: count
        for document_id, count in session.execute(
            select(Observation.source_document_id, func.count())
            .where(Observation.source_document_id.is_not(None))
            .group_by(Observation.source_document_id)
        )
    }
    with_figures = select(ExtractedFigure.source_document_id)
    documents = session.scalars(
        select(SourceDocument)
        .where(or_(SourceDocument.text.is_not(None), SourceDocument.id.in_(with_figures)))
        .order_by(SourceDocument.added_at.desc(), SourceDocument.key)
    )
    return [
        DocumentSummary(
            key=document.key,
            title=document.title,
            file_name=document.file_name,
            kind=document.kind,
            added_at=document.added_at,
            pending=counts.get((document.id, "pending"), 0),
            accepted=counts.get((document.id, "accepted"), 0),
            rejected=counts.get((document.id, "rejected"), 0),
            observations=cited.get(document.id, 0),
        )
        for document in documents
    ]


def sentence_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The sentence holding a span, as (before, the span, after), whitespace squeezed."""
    floor = max(0, start - _SENTENCE_LIMIT)
    ends = [match.end() for match in _SENTENCE_END.finditer(text, floor, start)]
    left = ends[-1] if ends else floor
    ceiling = min(len(text), end + _SENTENCE_LIMIT)
    stop = _SENTENCE_END.search(text, end, ceiling)
    right = stop.end() if stop else ceiling
    before = re.sub(r"\s+", " ", text[left:start]).lstrip()
    after = re.sub(r"\s+", " ", text[end:right]).rstrip()
    if left == floor and floor > 0:
        before = "…" + before
    if stop is None and ceiling < len(text):
        after += "…"
    return without_markup(before), re.sub(r"\s+", " ", text[start:end]), without_markup(after)


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One extracted figure as the review table shows it."""

    figure: ExtractedFigure
    before: str
    marked: str
    after: str
    findings: tuple[ValidationFinding, ...]
    # Each attribute's deciding cue and its confidence, as extraction stored them.
    cues: tuple[tuple[str, float], ...] = ()


def figure_row(session: Session, figure: ExtractedFigure) -> FigureRow:
    text = figure.source_document.text
    if text is None:
        before, marked, after = "", figure.text, ""
    else:
        before, marked, after = sentence_around(text, figure.span_start, figure.span_end)
    findings = tuple(open_findings(session, figure_id=figure.id))
    cues = tuple(
        (str(cue["cue"]), float(cue["confidence"]))
        for cue in (figure.why or {}).values()
        if isinstance(cue, dict)
    )
    return FigureRow(figure, before, marked, after, findings, cues)


def document_figures(
    session: Session, *, document: SourceDocument, state: str | None = None
) -> list[ExtractedFigure]:
    """A document's figures: pending first, the least certain of them first; then in order.

    A planner checks the doubtful figures first. Figures stored before extraction
    gave a confidence come after the scored ones, in document order.
    """
    query = select(ExtractedFigure).where(ExtractedFigure.source_document_id == document.id)
    if state is not None:
        query = query.where(ExtractedFigure.review_state == state)
    figures = session.scalars(query)
    return sorted(figures, key=_queue_order)


def _queue_order(figure: ExtractedFigure) -> tuple[int, float, int, int]:
    pending = figure.review_state == "pending"
    doubt = figure.confidence if pending and figure.confidence is not None else 2.0
    return (STATE_ORDER.get(figure.review_state, 9), doubt, figure.span_start, figure.id)


def document_facts(document: SourceDocument, lang: str) -> list[tuple[str, str]]:
    """What the document's head says about it, as read when it was ingested."""
    periods, provinces = tuple(document.reporting_periods), tuple(document.provinces)
    model = DocumentModel(document.read_year, document.read_on, periods, document.read_kind or "")
    return describe(replace(model, provinces=provinces), lang=lang)


def describe(model: DocumentModel, *, lang: str) -> list[tuple[str, str]]:
    """What a document says about itself, as (label, value) lines for people.

    "Ngày: 05/04/2022", "Kỳ báo cáo: tháng 3/2022; quý I/2022", "Loại văn bản:
    báo cáo thống kê", "Địa bàn: Thái Bình"; what the text does not say is left out.
    """
    lines: list[tuple[str, str]] = []
    if model.issued_on is not None:
        lines.append((tr(lang, "Ngày", "Date"), _format.day(model.issued_on, lang)))
    elif model.year is not None:
        lines.append((tr(lang, "Năm", "Year"), str(model.year)))
    if model.periods:
        shown = "; ".join(period_label(code, lang) for code in model.periods)
        lines.append((tr(lang, "Kỳ báo cáo", "Reporting period"), shown))
    if model.kind:
        lines.append((tr(lang, "Loại văn bản", "Kind"), document_kind(model.kind, lang)))
    if model.provinces:
        lines.append((tr(lang, "Địa bàn", "Provinces"), "; ".join(model.provinces)))
    return lines


def state_counts(session: Session, *, document: SourceDocument) -> dict[str, int]:
    found = {
        state: count
        for state, count in session.execute(
            select(ExtractedFigure.review_state, func.count())
            .where(ExtractedFigure.source_document_id == document.id)
            .group_by(ExtractedFigure.review_state)
        )
    }
    return {state: found.get(state, 0) for state in REVIEW_STATES}


# --- reviewing, audited ----------------------------------------------------------------


def _reviewed(figure: ExtractedFigure) -> dict[str, Any]:
    observation = figure.observation
    return {
        "review_state": figure.review_state,
        "observation_id": figure.observation_id,
        "indicator": observation.indicator_code if observation else figure.indicator_code,
        "region": observation.region.code if observation else figure.region_name,
        "period": observation.period if observation else figure.period,
        "status": observation.status if observation else figure.status,
        "value": observation.value if observation else figure.value,
        "note": figure.review_note,
    }


def _pending(session: Session, figure_id: int) -> ExtractedFigure:
    figure = get_figure(session, figure_id=figure_id)
    # Locked until the review commits (PostgreSQL; SQLite has one writer anyway): of two
    # reviewers of one figure at once, the second waits, then finds it reviewed.
    session.refresh(figure, with_for_update=True)
    if figure.review_state != "pending":
        done = "được chấp nhận" if figure.review_state == "accepted" else "bị loại"
        raise StateError(f"số liệu trích #{figure.id} đã {done}; không duyệt lại được")
    return figure


def accept(
    session: Session,
    *,
    figure_id: int,
    actor: str,
    note: str | None = None,
    value: float | None = None,
    indicator: str | None = None,
    period: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> ExtractedFigure:
    """Accept a figure, corrected where the reviewer says so, and audit it.

    Any of value, indicator, period, status or region given makes it a
    correction (audited as such); the figure row keeps what was read.
    """
    figure = _pending(session, figure_id)
    before = _reviewed(figure)
    corrected = any(x is not None for x in (value, indicator, period, status, region))
    with session.begin_nested():
        accept_figure(
            session,
            figure_id=figure_id,
            recorded_by=actor,
            value=value,
            indicator=indicator,
            period=period,
            status=status,
            region=region,
            note=note,
        )
        record_change(
            session,
            actor=actor,
            action="correct" if corrected else "accept",
            entity="extracted_figure",
            entity_id=figure.id,
            before=before,
            after=_reviewed(figure),
        )
    return figure


def reject(session: Session, *, figure_id: int, actor: str, reason: str) -> ExtractedFigure:
    figure = _pending(session, figure_id)
    before = _reviewed(figure)
    with session.begin_nested():
        reject_figure(session, figure_id=figure_id, recorded_by=actor, reason=reason)
        record_change(
            session,
            actor=actor,
            action="reject",
            entity="extracted_figure",
            entity_id=figure.id,
            before=before,
            after=_reviewed(figure),
        )
    return figure


def form_number(text: str | None) -> float | None:
    """A value typed in a form (1.234,5 or 1234.5); empty means unchanged."""
    if text is None or not text.strip():
        return None
    try:
        return read_number(text)
    except ValueError as exc:
        raise InputError(str(exc)) from None


# --- conflicts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberView:
    """A conflict member with its document and the sentence it was read in."""

    member: ConflictMember
    document_key: str | None
    before: str
    marked: str
    after: str


@dataclass(frozen=True, slots=True)
class ConflictView:
    conflict: Conflict
    members: tuple[MemberView, ...]

    @property
    def hook(self) -> str:
        """``indicator|region code|period|status``: the page's handle on the conflict."""
        c = self.conflict
        return f"{c.indicator}|{c.region or ''}|{c.period}|{c.status}"

    @property
    def choosable(self) -> bool:
        """Whether a figure of the disputed status is accepted: the others are context."""
        return any(
            view.member.observation_id is not None and view.member.status == self.conflict.status
            for view in self.members
        )


def _member_view(session: Session, member: ConflictMember) -> MemberView:
    document: SourceDocument | None = None
    span: tuple[int, int] | None = None
    if member.observation_id is not None:
        observation = session.get(Observation, member.observation_id)
        if observation is not None and observation.source_document is not None:
            document = observation.source_document
            if observation.span_start is not None and observation.span_end is not None:
                span = (observation.span_start, observation.span_end)
    elif member.figure_id is not None:
        figure = session.get(ExtractedFigure, member.figure_id)
        if figure is not None:
            document = figure.source_document
            span = (figure.span_start, figure.span_end)
    key = document.key if document is not None else None
    if document is None or document.text is None or span is None:
        return MemberView(member, key, "", "", "")
    return MemberView(member, key, *sentence_around(document.text, *span))


def conflict_views(session: Session) -> list[ConflictView]:
    return [
        ConflictView(conflict, tuple(_member_view(session, m) for m in conflict.members))
        for conflict in conflicts(session)
    ]


def choose_observation(
    session: Session, *, observation_id: int, actor: str, reason: str, knowingly: bool = False
) -> ConflictChoice:
    """Record which figure counts for its group and why, and audit it."""
    later = session.scalar(
        select(Observation.id).where(Observation.supersedes_id == observation_id)
    )
    if later is not None:
        raise StateError(f"số liệu #{observation_id} đã được sửa bằng #{later}; hãy chọn bản mới")
    with session.begin_nested():
        choice = choose(
            session,
            observation_id=observation_id,
            chosen_by=actor,
            reason=reason,
            knowingly=knowingly,
        )
        record_change(
            session,
            actor=actor,
            action="choose",
            entity="conflict_choice",
            entity_id=choice.id,
            after={
                "observation_id": choice.observation_id,
                "indicator": choice.indicator_code,
                "region": choice.region.code,
                "period": choice.period,
                "status": choice.status,
                "value": choice.observation.value,
                "reason": choice.reason,
            },
        )
    return choice
