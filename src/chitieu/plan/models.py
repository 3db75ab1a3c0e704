"""Plans and the targets they set."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chitieu._orm import Base, one_of
from chitieu.document.models import SourceDocument
from chitieu.indicator.models import Indicator
from chitieu.region.models import Region

MEASURES = ("level", "average_growth", "change_per_year", "cumulative")
# Where a plan stands: still governs its territory, replaced by a later text (a draft
# the adopted resolution superseded), or ended with the territory it was made for.
PLAN_STATUSES = ("in_force", "superseded", "ceased")


class Plan(Base):
    __tablename__ = "plan"
    __table_args__ = (CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    document_number: Mapped[str | None] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(300))
    issued_on: Mapped[date | None]
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    horizon_start: Mapped[int]
    horizon_end: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="in_force", server_default="in_force")
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("source_document.id"))

    region: Mapped[Region] = relationship()
    source_document: Mapped[SourceDocument | None] = relationship()
    targets: Mapped[list[Target]] = relationship(
        back_populates="plan", order_by="Target.id", cascade="all, delete-orphan"
    )

    @property
    def shown_name(self) -> str:
        """What a person calls the plan: its document's number (249/QĐ-UBND), else its title
        without the details in brackets. The code is the database's, never shown."""
        return self.document_number or self.title.split(" (")[0]

    def shown_in(self, lang: str) -> str:
        """``shown_name`` in the reader's language: an English title where the dataset has one."""
        if self.document_number or lang == "vi" or not self.title_en:
            return self.shown_name
        return self.title_en.split(" (")[0]

    @property
    def full_name(self) -> str:
        """The number and the title, or the title alone."""
        return f"{self.document_number} — {self.title}" if self.document_number else self.title


class Target(Base):
    """What a plan wants an indicator to reach over a period.

    ``minimum``/``maximum`` keep a range as a range ("12-13"); a single figure
    has both equal; an open bound ("trên") leaves one empty. Whether more is
    better comes from the indicator's direction, not from the bounds.
    """

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("plan_id", "row", "period"),
        CheckConstraint(one_of("measure", MEASURES), name="measure"),
        CheckConstraint("minimum is null or maximum is null or minimum <= maximum", name="bounds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    row: Mapped[str] = mapped_column(String(16))
    group_label: Mapped[str | None] = mapped_column(String(300))
    group_label_en: Mapped[str | None] = mapped_column(String(300))
    label_vi: Mapped[str] = mapped_column(String(500))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    period: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(32))
    minimum: Mapped[float | None]
    maximum: Mapped[float | None]
    qualifier: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(64))
    baseline_period: Mapped[str | None] = mapped_column(String(32))
    baseline_value: Mapped[float | None]
    footnote: Mapped[str | None] = mapped_column(String(1000))
    footnote_en: Mapped[str | None] = mapped_column(String(1000))
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("source_document.id"))
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]

    plan: Mapped[Plan] = relationship(back_populates="targets")
    indicator: Mapped[Indicator] = relationship()
    region: Mapped[Region] = relationship()
    source_document: Mapped[SourceDocument | None] = relationship()

    def label(self, lang: str) -> str:
        """The row's words in the plan under Vietnamese; in English, the indicator's name
        (a plan is written in Vietnamese only)."""
        return self.label_vi if lang == "vi" else self.indicator.name_en
