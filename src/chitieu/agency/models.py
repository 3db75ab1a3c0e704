"""Departments and committees that lead tasks and submit figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chitieu._orm import Base
from chitieu.region.models import Region


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(100))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    kind: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    region: Mapped[Region | None] = relationship()


class AgencySuccession(Base):
    """One edge of a reorganisation: ``predecessor``'s duties passed to ``successor``."""

    __tablename__ = "agency_succession"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    note_en: Mapped[str | None] = mapped_column(String(500))

    predecessor: Mapped[Agency] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Agency | None] = relationship(foreign_keys=[successor_id])
