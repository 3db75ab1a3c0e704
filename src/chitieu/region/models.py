"""Administrative units and how they merge, split and get renamed over time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chitieu._orm import Base


class Region(Base):
    """A province, district or commune as it existed between two dates.

    A unit whose territory changes becomes a new region with a new code; the
    change itself is a :class:`RegionSuccession`.
    """

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    gso_code: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class RegionSuccession(Base):
    """One edge of a change: ``predecessor`` became (part of) ``successor``."""

    __tablename__ = "region_succession"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    note: Mapped[str | None] = mapped_column(String(500))
    note_en: Mapped[str | None] = mapped_column(String(500))

    predecessor: Mapped[Region] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Region | None] = relationship(foreign_keys=[successor_id])
