"""The indicator catalogue and the values of derived indicators."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._text import fold, unknown
from chitieu.indicator.models import Indicator


def get_indicator(session: Session, *, code_or_name: str) -> Indicator:
    """By code (any case) or by Vietnamese or English name (diacritics optional)."""
    found = session.get(Indicator, code_or_name.strip().upper())
    if found is not None:
        return found
    wanted = fold(code_or_name)
    every = list(session.scalars(select(Indicator)))
    for indicator in every:
        if wanted in {fold(indicator.name_vi), fold(indicator.name_en)}:
            return indicator
    raise unknown(
        ("chỉ tiêu", "indicator"),
        code_or_name,
        ((i.code, (i.name_vi, i.name_en)) for i in every),
    )


def list_indicators(session: Session, *, group: str | None = None) -> list[Indicator]:
    query = select(Indicator).order_by(Indicator.group, Indicator.code)
    if group is not None:
        query = query.where(Indicator.group == group)
    return list(session.scalars(query))
