"""The audit log for administrators: a page with filters and paging, and the API.

Each entry shows who, when, what, and its before → after as the fields that
changed. Entries are written by the services making the changes; nothing here
writes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chitieu._localtime import local_minute
from chitieu.audit.models import AuditEntry
from chitieu.audit.service import entry_record
from chitieu.audit.words import (
    NAMED,
    action_word,
    entity_word,
    field_word,
    names_of,
    shown_value,
)
from chitieu.user.admin import as_utc
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import render, request_lang
from chitieu.web.deps import DbSession

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["admin"])
Admin = Annotated[Actor, Depends(requires("admin"))]
LINE = r"^[^\x00-\x1f\x7f]*$"
PAGE_SIZE = 50
MAX_OFFSET = 10**7
EntityFilter = Annotated[str | None, Query(max_length=64, pattern=LINE)]
# "actor" names the person filtered on; in the views ``actor`` is the one asking.
ActorFilter = Annotated[str | None, Query(alias="actor", max_length=100, pattern=LINE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


@dataclass(frozen=True, slots=True)
class Change:
    """One field of an entry: its value before and after (None where it did not exist)."""

    field: str
    before: Any
    after: Any
    kind: str
    """``changed``, ``added`` (only after) or ``removed`` (only before)."""


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields that differ between before and after, by name."""
    old, new = before or {}, after or {}
    found = []
    for key in sorted(set(old) | set(new)):
        if key in old and key in new:
            if old[key] != new[key]:
                found.append(Change(key, old[key], new[key], "changed"))
        elif key in new:
            found.append(Change(key, None, new[key], "added"))
        else:
            found.append(Change(key, old[key], None, "removed"))
    return found


@dataclass(frozen=True, slots=True)
class ShownChange:
    """A change as the page shows it: the field's name and both values in words."""

    field: str
    label: str
    before: str
    after: str
    kind: str


def _shown(
    change: Change,
    sides: tuple[dict[str, Any] | None, dict[str, Any] | None],
    lang: str,
    names: dict[str, dict[str, str]],
) -> ShownChange:
    # A figure's value is read with its unit, which the same record keeps beside it.
    before, after = (side or {} for side in sides)
    return ShownChange(
        field=change.field,
        label=field_word(change.field, lang),
        before=shown_value(change.field, change.before, lang, names=names, unit=before.get("unit")),
        after=shown_value(change.field, change.after, lang, names=names, unit=after.get("unit")),
        kind=change.kind,
    )


def _codes(found: list[list[Change]]) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {field: set() for field in NAMED}
    for row in found:
        for change in row:
            if change.field in codes:
                codes[change.field] |= {
                    v for v in (change.before, change.after) if isinstance(v, str)
                }
    return codes


def _filtered(query: Select[Any], entity: str | None, actor: str | None) -> Select[Any]:
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return query


def audit_page_of(
    session: Session, *, entity: str | None, actor: str | None, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """The newest entries first, one page of them, and how many match in all."""
    total = session.scalar(_filtered(select(func.count()).select_from(AuditEntry), entity, actor))
    query = _filtered(select(AuditEntry), entity, actor)
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), total or 0


@pages.get("/admin/audit")
def audit_page(
    request: Request,
    session: DbSession,
    actor: Admin,
    entity: EntityFilter = None,
    who: ActorFilter = None,
    offset: Offset = 0,
) -> HTMLResponse:
    """Who changed what and when, newest first; filter by entity and by person."""
    entries, total = audit_page_of(
        session, entity=entity or None, actor=who or None, limit=PAGE_SIZE, offset=offset
    )
    lang = request_lang(request)
    sides = [_sides(entry) for entry in entries]
    found = [changes(*side) for side in sides]
    names = names_of(session, _codes(found), lang)
    rows = [
        {
            "entry": entry,
            "at": local_minute(entry.at),
            "action": action_word(entry.action, lang),
            "entity": entity_word(entry.entity, lang),
            "changes": [_shown(change, side, lang, names) for change in row_changes],
        }
        for entry, side, row_changes in zip(entries, sides, found, strict=True)
    ]
    entities = session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity))
    context = {
        "rows": rows,
        "total": total,
        "entities": [(code, entity_word(code, lang)) for code in entities],
        "filters": {"entity": entity or "", "actor": who or ""},
        "offset": offset,
        "page_size": PAGE_SIZE,
        "previous": max(offset - PAGE_SIZE, 0) if offset > 0 else None,
        "next": offset + PAGE_SIZE if offset + PAGE_SIZE < total else None,
    }
    return render(request, "audit/log.html", context)


def _sides(entry: AuditEntry) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    record = entry_record(entry)
    return record["before"], record["after"]


class AuditOut(BaseModel):
    model_config = ConfigDict(strict=True)
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        before, after = _sides(entry)
        return cls(
            id=entry.id,
            at=as_utc(entry.at),
            actor=entry.actor,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            before=before,
            after=after,
        )


class AuditPage(BaseModel):
    model_config = ConfigDict(strict=True)
    items: list[AuditOut]
    total: int
    limit: int
    offset: int


@api.get(
    "/audit",
    responses={401: {"description": "not signed in"}, 403: {"description": "not an administrator"}},
)
def audit_api(
    session: DbSession,
    actor: Admin,
    entity: EntityFilter = None,
    who: ActorFilter = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE_SIZE,
    offset: Offset = 0,
) -> AuditPage:
    """The audit log, newest first: who, when, what, and the record before and after."""
    entries, total = audit_page_of(session, entity=entity, actor=who, limit=limit, offset=offset)
    return AuditPage(
        items=[AuditOut.of(entry) for entry in entries], total=total, limit=limit, offset=offset
    )
