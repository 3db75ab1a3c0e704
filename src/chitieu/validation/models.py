"""What a validation rule found, kept for the review queue until someone explains it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chitieu._orm import Base, one_of, utcnow

SEVERITIES = ("warning", "blocking")
FINDING_STATES = ("open", "explained", "dismissed")


class ValidationFinding(Base):
    __tablename__ = "validation_finding"
    __table_args__ = (
        CheckConstraint(one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(one_of("state", FINDING_STATES), name="state"),
        Index("ix_validation_finding_series", "indicator_code", "region_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    period: Mapped[str] = mapped_column(String(32))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"))
    figure_id: Mapped[int | None] = mapped_column(ForeignKey("extracted_figure.id"))
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")
    explanation: Mapped[str | None] = mapped_column(Text)
    explanation_en: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
