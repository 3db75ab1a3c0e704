"""What the documents API reads and writes: strict models and their builders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from chitieu.extraction.models import ConflictChoice
from chitieu.extraction.review import ConflictView, DocumentSummary, FigureRow

# No NUL or other control characters: PostgreSQL refuses NUL in text.
_TEXT = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*"
_PRINTABLE = f"^{_TEXT}$"
# A reason is required: blank is no reason, so the schema says so too.
_SAID = f"^{_TEXT}[^\\s\\x00-\\x1f\\x7f]{_TEXT}$"


def _text(max_length: int, *, min_length: int = 0, said: bool = False) -> Any:
    pattern = _SAID if said else _PRINTABLE
    return Field(min_length=min_length, max_length=max_length, pattern=pattern)


def aware(moment: datetime) -> datetime:
    """Stored as naive UTC; said so, as RFC 3339 wants an offset."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class _In(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(strict=True)


class AcceptIn(_In):
    note: Annotated[str | None, _text(500)] = None


class RejectIn(_In):
    reason: Annotated[str, _text(1000, min_length=1, said=True)]


class CorrectIn(_In):
    """Fields replacing what the document was read as; those left out stay as read."""

    value: Annotated[float | None, Field(allow_inf_nan=False)] = None
    indicator: Annotated[str | None, _text(300, min_length=1)] = None
    period: Annotated[str | None, _text(32, min_length=1)] = None
    status: Literal["actual", "estimate", "preliminary"] | None = None
    region: Annotated[str | None, _text(200, min_length=1)] = None
    note: Annotated[str | None, _text(500)] = None


def _whole(value: object) -> object:
    """JSON Schema counts 12.0 as an integer; a boolean or a string stays refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class ChooseIn(_In):
    observation_id: Annotated[int, Field(ge=1, le=2_147_483_647), BeforeValidator(_whole)]
    reason: Annotated[str, _text(1000, min_length=1, said=True)]
    # Choosing an estimate over the period's actual must be meant (see ``choose``).
    knowingly: bool = False


class DocumentOut(_Out):
    key: str
    title: str
    file_name: str | None
    kind: str
    added_at: datetime
    pending: int
    accepted: int
    rejected: int
    observations: int


class UploadOut(_Out):
    document: str
    document_new: bool
    found: int
    new: int
    notes: list[str]
    skipped: list[str]


class FindingOut(_Out):
    id: int
    rule: str
    severity: str
    message_vi: str
    message_en: str


class CueOut(_Out):
    cue: str
    confidence: float


class FigureOut(_Out):
    id: int
    document: str
    state: str
    start: int
    end: int
    text: str
    sentence: str
    value: float
    value_max: float | None
    unit: str
    period: str | None
    status: str
    measure: str
    indicator: str | None
    region: str | None
    qualifier: str | None
    observation_id: int | None
    reviewed_by: str | None
    review_note: str | None
    findings: list[FindingOut]
    # Each attribute's deciding cue and the least confidence, as `extract --explain` gives them
    # (None for figures stored before extraction explained itself).
    why: dict[str, CueOut] | None
    confidence: float | None


class MemberOut(_Out):
    value: float
    unit: str
    state: str
    source: str
    source_title: str | None
    document: str | None
    quote: str | None
    observation_id: int | None
    figure_id: int | None
    chosen: bool
    status: str | None = None


class ChoiceOut(_Out):
    id: int
    observation_id: int
    indicator: str
    region: str
    period: str
    status: str
    value: float
    chosen_by: str
    chosen_at: datetime
    reason: str


class ConflictOut(_Out):
    indicator: str
    region: str | None
    region_name: str | None
    period: str
    status: str
    members: list[MemberOut]
    choice: ChoiceOut | None


def document_out(summary: DocumentSummary) -> DocumentOut:
    return DocumentOut(
        key=summary.key,
        title=summary.title,
        file_name=summary.file_name,
        kind=summary.kind,
        added_at=aware(summary.added_at),
        pending=summary.pending,
        accepted=summary.accepted,
        rejected=summary.rejected,
        observations=summary.observations,
    )


def figure_out(row: FigureRow) -> FigureOut:
    figure = row.figure
    return FigureOut(
        id=figure.id,
        document=figure.source_document.key,
        state=figure.review_state,
        start=figure.span_start,
        end=figure.span_end,
        text=figure.text,
        sentence=row.before + row.marked + row.after,
        value=figure.value,
        value_max=figure.value_max,
        unit=figure.unit,
        period=figure.period,
        status=figure.status,
        measure=figure.measure,
        indicator=figure.indicator_code,
        region=figure.region_name,
        qualifier=figure.qualifier,
        observation_id=figure.observation_id,
        reviewed_by=figure.reviewed_by,
        review_note=figure.review_note,
        why={
            attribute: CueOut(cue=str(cue["cue"]), confidence=float(cue["confidence"]))
            for attribute, cue in figure.why.items()
            if isinstance(cue, dict)
        }
        if figure.why
        else None,
        confidence=figure.confidence,
        findings=[
            FindingOut(
                id=finding.id,
                rule=finding.rule,
                severity=finding.severity,
                message_vi=finding.message_vi,
                message_en=finding.message_en,
            )
            for finding in row.findings
        ],
    )


def choice_out(choice: ConflictChoice) -> ChoiceOut:
    return ChoiceOut(
        id=choice.id,
        observation_id=choice.observation_id,
        indicator=choice.indicator_code,
        region=choice.region.code,
        period=choice.period,
        status=choice.status,
        value=choice.observation.value,
        chosen_by=choice.chosen_by,
        chosen_at=aware(choice.chosen_at),
        reason=choice.reason,
    )


def conflict_out(view: ConflictView) -> ConflictOut:
    conflict = view.conflict
    return ConflictOut(
        indicator=conflict.indicator,
        region=conflict.region,
        region_name=conflict.region_name,
        period=conflict.period,
        status=conflict.status,
        members=[
            MemberOut(
                value=m.member.value,
                unit=m.member.unit,
                state=m.member.state,
                source=m.member.source,
                source_title=m.member.source_title,
                document=m.document_key,
                quote=m.member.quote,
                observation_id=m.member.observation_id,
                figure_id=m.member.figure_id,
                chosen=m.member.chosen,
                status=m.member.status,
            )
            for m in view.members
        ],
        choice=choice_out(conflict.choice) if conflict.choice is not None else None,
    )
