"""The review queue: findings listed, explained or dismissed, each change audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from chitieu._errors import InputError, NotFoundError, StateError
from chitieu._orm import utcnow
from chitieu.audit.service import record_change
from chitieu.region.models import Region
from chitieu.validation.models import ValidationFinding

RESOLVED = ("explained", "dismissed")
STATE_WORDS = {
    "open": ("chưa xử lý", "open"),
    "explained": ("đã giải thích", "explained"),
    "dismissed": ("đã bỏ qua", "dismissed"),
}


def list_findings(
    session: Session,
    *,
    state: str | None = "open",
    observation_id: int | None = None,
    figure_id: int | None = None,
    indicator_code: str | None = None,
    limit: int | None = None,
) -> list[ValidationFinding]:
    """Findings in ``state`` (any state for None), newest first."""
    query = select(ValidationFinding)
    if state is not None:
        query = query.where(ValidationFinding.state == state)
    if observation_id is not None:
        query = query.where(ValidationFinding.observation_id == observation_id)
    if figure_id is not None:
        query = query.where(ValidationFinding.figure_id == figure_id)
    if indicator_code is not None:
        query = query.where(ValidationFinding.indicator_code == indicator_code)
    query = query.order_by(ValidationFinding.created_at.desc(), ValidationFinding.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def get_finding(session: Session, *, finding_id: int) -> ValidationFinding:
    finding = session.get(ValidationFinding, finding_id)
    if finding is None:
        raise NotFoundError(f"không có cảnh báo kiểm tra #{finding_id}")
    return finding


def _resolve(
    session: Session, *, finding_id: int, actor: str, state: str, explanation: str | None
) -> ValidationFinding:
    finding = get_finding(session, finding_id=finding_id)
    if finding.state != "open":
        raise StateError(
            f"cảnh báo kiểm tra #{finding.id} {STATE_WORDS[finding.state][0]}, không xử lý lại"
        )
    before = {"state": finding.state, "explanation": finding.explanation}
    finding.state = state
    finding.explanation = explanation
    # The English version shipped with the dataset no longer says what the reviewer wrote.
    finding.explanation_en = None
    finding.resolved_by = actor
    finding.resolved_at = utcnow()
    session.flush()
    record_change(
        session,
        actor=actor,
        action="explain" if state == "explained" else "dismiss",
        entity="validation_finding",
        entity_id=finding.id,
        before=before,
        after={"state": finding.state, "explanation": finding.explanation},
    )
    return finding


def explain_finding(
    session: Session, *, finding_id: int, actor: str, explanation: str
) -> ValidationFinding:
    """Say why a flagged figure is right after all; the finding leaves the queue."""
    text = explanation.strip()
    if not text:
        raise InputError("cần ghi lời giải thích")
    return _resolve(
        session, finding_id=finding_id, actor=actor, state="explained", explanation=text
    )


def dismiss_finding(
    session: Session, *, finding_id: int, actor: str, reason: str | None = None
) -> ValidationFinding:
    """Drop a finding that needs no explanation (a false alarm); it leaves the queue."""
    text = (reason or "").strip() or None
    return _resolve(
        session, finding_id=finding_id, actor=actor, state="dismissed", explanation=text
    )


def finding_record(finding: ValidationFinding, lang: str = "vi") -> dict[str, Any]:
    """A finding as the CLI and the API show it."""
    session = object_session(finding)
    region = session.get(Region, finding.region_id) if session is not None else None
    return {
        "id": finding.id,
        "rule": finding.rule,
        "severity": finding.severity,
        "indicator": finding.indicator_code,
        "region": region.code if region is not None else str(finding.region_id),
        "period": finding.period,
        "observation_id": finding.observation_id,
        "figure_id": finding.figure_id,
        "message": finding.message_vi if lang == "vi" else finding.message_en,
        "message_vi": finding.message_vi,
        "message_en": finding.message_en,
        "state": finding.state,
        "explanation": finding.explanation,
        "resolved_by": finding.resolved_by,
        "resolved_at": finding.resolved_at,
        "created_at": finding.created_at,
    }
