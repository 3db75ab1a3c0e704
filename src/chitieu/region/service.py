"""Finding regions, and the territory a region stood for on a given day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chitieu._text import fold, unknown
from chitieu.region.models import Region, RegionSuccession


def get_region(session: Session, *, code_or_name: str, on: date | None = None) -> Region:
    """The region with this code, or with this name (diacritics optional).

    A name shared over time ("Bắc Ninh" before and after 2025) resolves to the
    unit valid ``on`` that day, or to the newest one.
    """
    found = session.scalar(select(Region).where(Region.code == code_or_name))
    if found is not None:
        return found
    wanted = fold(code_or_name)
    every = list(session.scalars(select(Region)))
    matches = [region for region in every if wanted in _names(region)]
    if on is not None:
        matches = [region for region in matches if region.valid_on(on)] or matches
    if not matches:
        raise unknown(("địa bàn", "region"), code_or_name, ((r.code, _names(r)) for r in every))
    return max(matches, key=lambda region: region.valid_from or date.min)


def _names(region: Region) -> set[str]:
    """How people may name a region: with or without its "(trước 01/7/2025)" tag."""
    names = {fold(region.name), fold(region.name_en or "")}
    return names | {name.split(" (")[0] for name in names}


LEVELS = ("country", "province", "district", "commune")


@dataclass(frozen=True, slots=True)
class RegionName:
    """What a search shows of a region: enough to name it and link to it."""

    id: int
    code: str
    name: str
    name_en: str | None
    level: str

    def shown(self, lang: str) -> str:
        return self.name if lang == "vi" else (self.name_en or self.name)


def search_regions(session: Session, *, text: str) -> list[RegionName]:
    """Regions whose name holds ``text`` (diacritics optional, Vietnamese or English),
    the larger units first, then by name; nothing for empty text.

    Reads five columns of every region and folds the names here: about 4,000 nationally.
    """
    wanted = fold(text)
    if not wanted:
        return []
    rows = session.execute(
        select(Region.id, Region.code, Region.name, Region.name_en, Region.level)
    )
    found = [
        RegionName(*row)
        for row in rows
        if wanted in fold(row.name) or wanted in fold(row.name_en or "")
    ]
    rank = {level: index for index, level in enumerate(LEVELS)}
    return sorted(found, key=lambda r: (rank.get(r.level, len(LEVELS)), fold(r.name), r.id))


def list_regions(
    session: Session, *, level: str | None = None, on: date | None = None
) -> list[Region]:
    query = select(Region).order_by(Region.id)
    if level is not None:
        query = query.where(Region.level == level)
    regions = list(session.scalars(query))
    return [r for r in regions if r.valid_on(on)] if on is not None else regions


def predecessors(session: Session, *, region: Region) -> list[Region]:
    """The units that merged into or became ``region`` (one step back)."""
    read: dict[int, list[Region]] | None = session.info.get(_SUCCESSIONS)
    if read is not None:
        return list(read.get(region.id, ()))
    query = (
        select(RegionSuccession)
        .where(RegionSuccession.successor_id == region.id)
        .order_by(RegionSuccession.id)
    )
    return [edge.predecessor for edge in session.scalars(query)]


_SUCCESSIONS = "chitieu.successions_read_ahead"


@contextmanager
def successions_read_ahead(session: Session) -> Iterator[None]:
    """Every merger read once, for read-only work that follows many regions' lineage.

    A national plan's report asked for the predecessors of a region 1,813 times,
    a query each; the succession table is small (624 rows for the whole country).
    Inside a block already reading ahead, nothing more is read.
    """
    if _SUCCESSIONS in session.info:
        yield
        return
    edges = session.scalars(
        select(RegionSuccession)
        .options(selectinload(RegionSuccession.predecessor))
        .order_by(RegionSuccession.id)
    )
    read: dict[int, list[Region]] = defaultdict(list)
    for edge in edges:
        if edge.successor_id is not None:
            read[edge.successor_id].append(edge.predecessor)
    session.info[_SUCCESSIONS] = read
    try:
        yield
    finally:
        session.info.pop(_SUCCESSIONS, None)


def successors(session: Session, *, region: Region) -> list[RegionSuccession]:
    query = select(RegionSuccession).where(RegionSuccession.predecessor_id == region.id)
    return list(session.scalars(query))


def territory(session: Session, *, region: Region, on: date) -> list[Region]:
    """The regions whose figures together describe ``region``'s territory ``on`` a day.

    New Bắc Ninh on 31/12/2024 is the old Bắc Giang plus the old Bắc Ninh; a
    region on a day it existed is itself.
    """
    if region.valid_on(on) or (region.valid_to is not None and on > region.valid_to):
        return [region]
    parts: list[Region] = []
    for earlier in predecessors(session, region=region):
        parts.extend(territory(session, region=earlier, on=on))
    return parts or [region]


def lineage(session: Session, *, region: Region) -> list[Region]:
    """``region`` and every unit that came before it, newest first."""
    seen: list[Region] = [region]
    for earlier in predecessors(session, region=region):
        seen.extend(r for r in lineage(session, region=earlier) if r not in seen)
    return seen
