"""Finding agencies and following them through reorganisations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._text import fold, unknown
from chitieu.agency.models import Agency, AgencySuccession


def get_agency(session: Session, *, code_or_name: str) -> Agency:
    found = session.scalar(select(Agency).where(Agency.code == code_or_name))
    if found is not None:
        return found
    wanted = fold(code_or_name)
    every = list(session.scalars(select(Agency).order_by(Agency.id.desc())))
    for agency in every:
        if wanted in {fold(agency.name), fold(agency.short_name or "")}:
            return agency
    raise unknown(
        ("cơ quan", "agency"),
        code_or_name,
        ((a.code, (a.name, a.short_name or "")) for a in every),
    )


def resolve_agency(session: Session, *, agency: Agency, on: date) -> Agency | None:
    """The agency that holds ``agency``'s duties ``on`` a day.

    Sở Kế hoạch và Đầu tư Bắc Giang resolves to Sở Tài chính Bắc Giang from
    March 2025 and to Sở Tài chính Bắc Ninh from July 2025. None when the
    duties ended without a successor.
    """
    current: Agency | None = agency
    visited: set[int] = set()
    while current is not None and current.valid_to is not None and on > current.valid_to:
        if current.id in visited:
            break
        visited.add(current.id)
        edge = session.scalar(
            select(AgencySuccession)
            .where(AgencySuccession.predecessor_id == current.id)
            .order_by(AgencySuccession.effective_on)
        )
        current = edge.successor if edge is not None else None
    return current


def absorbed(session: Session, *, agency: Agency) -> list[Agency]:
    """``agency`` and every agency whose duties it took over, at any depth."""
    found = [agency]
    frontier = [agency.id]
    while frontier:
        edges = session.scalars(
            select(AgencySuccession).where(AgencySuccession.successor_id.in_(frontier))
        ).all()
        fresh = [edge.predecessor for edge in edges if edge.predecessor not in found]
        found.extend(fresh)
        frontier = [a.id for a in fresh]
    return found


def list_agencies(session: Session, *, on: date | None = None) -> list[Agency]:
    agencies = list(session.scalars(select(Agency).order_by(Agency.code)))
    if on is None:
        return agencies
    return [
        a
        for a in agencies
        if (a.valid_from is None or a.valid_from <= on) and (a.valid_to is None or on <= a.valid_to)
    ]
