"""The catalogue of indicators that plans set targets for and figures report."""

from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chitieu._orm import Base, one_of

DIRECTIONS = ("higher", "lower", "none")
# Open SDG's dash-delimited goal-target-indicator number: 1-1-1, 3-a-2, 1-3-1-a.
OPEN_SDG_ID = re.compile(r"[1-9][0-9]*(?:-[0-9a-z]+){2,3}")


class Indicator(Base):
    __tablename__ = "indicator"
    __table_args__ = (CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    group: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    merge_rule: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str | None] = mapped_column(Text)
    definition_en: Mapped[str | None] = mapped_column(Text)
    formula: Mapped[str | None] = mapped_column(String(500))
    # Overrides of the bounds derived from the unit and kind (validation refuses figures outside).
    plausible_min: Mapped[float | None]
    plausible_max: Mapped[float | None]
    # Goal-target-indicator number on an Open SDG site (1-1-1); None: numbered from the group.
    open_sdg_id: Mapped[str | None] = mapped_column(String(32))

    @property
    def is_derived(self) -> bool:
        return bool(self.formula)

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en


class IndicatorAgency(Base):
    """An agency that reports an indicator: its editors may submit figures for it."""

    __tablename__ = "indicator_agency"

    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
