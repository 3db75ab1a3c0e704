"""Figures found in documents, waiting for a person, and planners' choices between sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chitieu._orm import Base, one_of, utcnow
from chitieu.document.models import SourceDocument
from chitieu.indicator.models import Indicator
from chitieu.observation.models import STATUSES, Observation
from chitieu.region.models import Region

REVIEW_STATES = ("pending", "accepted", "rejected")


class ExtractedFigure(Base):
    """One figure the grammar read in a stored document, as it read it.

    The row keeps what extraction found even after review: a reviewer who
    corrects a figure changes the observation it becomes, never this row.
    The span (document, start, end) is the figure's identity, so extracting
    the same document again adds nothing. ``why`` holds, for each attribute,
    the cue that decided it and its confidence (``{"period": {"cue": …,
    "confidence": 0.9}, …}``); ``confidence`` is the least of them (None for
    figures stored before extraction gave reasons).
    """

    __tablename__ = "extracted_figure"
    __table_args__ = (
        UniqueConstraint("source_document_id", "span_start", "span_end"),
        CheckConstraint(one_of("review_state", REVIEW_STATES), name="review_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_document_id: Mapped[int] = mapped_column(ForeignKey("source_document.id"))
    span_start: Mapped[int]
    span_end: Mapped[int]
    text: Mapped[str] = mapped_column(String(300))
    value: Mapped[float]
    value_max: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(64))
    period: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(16))
    indicator_code: Mapped[str | None] = mapped_column(ForeignKey("indicator.code"))
    region_name: Mapped[str | None] = mapped_column(String(200))
    qualifier: Mapped[str | None] = mapped_column(String(64))
    rank_of: Mapped[int | None]
    extracted_by: Mapped[str] = mapped_column(String(100))
    extracted_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_state: Mapped[str] = mapped_column(String(16), default="pending")
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(1000))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))
    confidence: Mapped[float | None]
    why: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    source_document: Mapped[SourceDocument] = relationship()
    indicator: Mapped[Indicator | None] = relationship()
    observation: Mapped[Observation | None] = relationship()


class ConflictChoice(Base):
    """A planner's word on which figure counts when sources disagree.

    A group is an indicator, region, period and status. A new choice for the
    same group is a new row; the latest one counts and the earlier ones stay
    as the history of who chose what, when and why.
    """

    __tablename__ = "conflict_choice"
    __table_args__ = (
        Index("ix_conflict_choice_group", "indicator_code", "region_id", "period", "status"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    period: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id"))
    chosen_by: Mapped[str] = mapped_column(String(100))
    chosen_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(1000))

    indicator: Mapped[Indicator] = relationship()
    region: Mapped[Region] = relationship()
    observation: Mapped[Observation] = relationship()
