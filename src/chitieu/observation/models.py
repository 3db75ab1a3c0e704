"""Observed figures: every value reported for an indicator, with where it came from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chitieu._orm import Base, one_of, utcnow
from chitieu.agency.models import Agency
from chitieu.document.models import SourceDocument
from chitieu.indicator.models import Indicator
from chitieu.region.models import Region

STATUSES = ("actual", "estimate", "preliminary")
SOURCE_KINDS = ("document", "submission", "import", "manual")


class ImportBatch(Base):
    """One file of figures brought in at once (an agency's submission)."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    rows: Mapped[int]

    agency: Mapped[Agency | None] = relationship()


class Observation(Base):
    """One revision of one reported figure.

    Rows are never updated: a correction is a new row whose ``supersedes_id``
    points at the row it corrects, so the history stays queryable. Figures of
    the same indicator, region and period from different sources are different
    rows and are all kept.
    """

    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_observation_series", "indicator_code", "region_id", "period_end"),
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint(one_of("source_kind", SOURCE_KINDS), name="source_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    period: Mapped[str] = mapped_column(String(32))
    period_start: Mapped[date]
    period_end: Mapped[date]
    value: Mapped[float]
    unit: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    qualifier: Mapped[str | None] = mapped_column(String(64))
    source_kind: Mapped[str] = mapped_column(String(16))
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("source_document.id"))
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    note: Mapped[str | None] = mapped_column(String(1000))
    note_en: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id"), unique=True)

    indicator: Mapped[Indicator] = relationship()
    region: Mapped[Region] = relationship()
    source_document: Mapped[SourceDocument | None] = relationship()
    import_batch: Mapped[ImportBatch | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
