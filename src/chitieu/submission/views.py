"""The data entry page: one figure by hand, or a file in the import template."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from chitieu import _format
from chitieu._csvfile import SEPARATOR_KEYS, CsvFormat
from chitieu._errors import (
    ChitieuError,
    DatabaseError,
    PermissionDeniedError,
    RowsRejectedError,
)
from chitieu._periods import parse_period
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import STATUSES, Observation
from chitieu.submission.entry import (
    Entry,
    actor_agency,
    check_may_enter,
    default_region,
    enter_figure,
    enterable_indicators,
    entry_regions,
    read_entry_value,
    recent_entries,
)
from chitieu.submission.service import COLUMNS, HEADINGS_VI
from chitieu.submission.upload import RowsRefusedError, agency_template, import_upload
from chitieu.user.service import Actor
from chitieu.validation.service import open_findings
from chitieu.web._auth import requires
from chitieu.web._templates import render
from chitieu.web.deps import AppSettings, DbSession, Lang

pages = APIRouter(include_in_schema=False)
EnterData = Annotated[Actor, Depends(requires("enter_data"))]
# Form and query text: no NUL (PostgreSQL refuses it) and a sane length.
LINE = r"^[^\x00-\x1f\x7f]*$"
PARAGRAPH = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register(app: FastAPI) -> None:
    app.include_router(pages)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def read_upload(upload: UploadFile, *, limit: int) -> bytes:
    """The uploaded bytes, refused with 413 beyond ``limit``."""
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(
            413, f"tệp lớn hơn giới hạn {_format.number(limit / 1048576, 'vi', 1)} MB"
        )
    return content


def error_status(exc: ChitieuError) -> int:
    return 403 if isinstance(exc, PermissionDeniedError) else 422


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    lang: str,
    *,
    form: dict[str, str] | None = None,
    status_code: int = 200,
    block: str | None = None,
    oob: tuple[str, ...] = (),
    **extra: Any,
) -> Response:
    region = default_region(session, actor=actor)
    context: dict[str, Any] = {
        "agency": actor_agency(session, actor=actor),
        "indicators": enterable_indicators(session, actor=actor),
        "regions": entry_regions(session),
        "statuses": STATUSES,
        "form": {"region": region.code if region else "", "status": "actual", **(form or {})},
        "recent": recent_entries(session, actor=actor),
        "period_label": lambda code: parse_period(code).label(lang),
        "error": None,
        "saved": None,
        "upload_error": None,
        "imported": None,
    }
    context.update(extra)
    return render(
        request, "submission/entry.html", context, block=block, oob=oob, status_code=status_code
    )


def _saved(session: Session, observation_id: int | None) -> dict[str, Any] | None:
    if observation_id is None:
        return None
    row = session.get(Observation, observation_id)
    if row is None:
        return None
    return {
        "observation": row,
        "written": True,
        "previous": None,
        "findings": open_findings(session, observation_id=row.id),
    }


@pages.get("/entry")
def entry_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: EnterData,
    indicator: Annotated[str | None, Query(max_length=64, pattern=LINE)] = None,
    saved: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    unchanged: Annotated[bool, Query()] = False,
    # Only a cleaned file name, so that a crafted link cannot put words in the notice.
    imported: Annotated[str | None, Query(max_length=120, pattern=r"^[A-Za-z0-9._-]*$")] = None,
    rows: Annotated[int, Query(ge=0, le=10**7)] = 0,
    written: Annotated[int, Query(ge=0, le=10**7)] = 0,
    encoding: Annotated[str | None, Query(pattern=r"^(UTF-8|UTF-16|Windows-1258)$")] = None,
    sep: Annotated[str | None, Query(pattern=r"^(comma|semicolon|tab)$")] = None,
) -> Response:
    form: dict[str, str] = {}
    if indicator:
        chosen = get_indicator(session, code_or_name=indicator)
        check_may_enter(session, actor=actor, indicator=chosen)
        form["indicator"] = chosen.code
    shown = _saved(session, saved)
    if shown is not None:
        shown["written"] = not unchanged
    done: dict[str, Any] | None = None
    if imported:
        separator = {key: mark for mark, key in SEPARATOR_KEYS.items()}.get(sep or "")
        read_as = CsvFormat(encoding, separator) if encoding and separator else None
        done = {
            "file": imported,
            "rows": rows,
            "written": written,
            "read_as": read_as.describe(lang) if read_as else None,
        }
    return _page(request, session, actor, lang, form=form, saved=shown, imported=done)


def _entry_view(entry: Entry) -> dict[str, Any]:
    return {
        "observation": entry.observation,
        "written": entry.written,
        "previous": entry.previous,
        "findings": entry.findings,
    }


@pages.post("/entry")
def enter(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: EnterData,
    indicator: Annotated[str, Form(max_length=64, pattern=LINE)],
    period: Annotated[str, Form(max_length=32, pattern=LINE)],
    value: Annotated[str, Form(max_length=64, pattern=LINE)],
    region: Annotated[str, Form(max_length=64, pattern=LINE)] = "",
    status: Annotated[str, Form(max_length=16, pattern=LINE)] = "actual",
    unit: Annotated[str, Form(max_length=64, pattern=LINE)] = "",
    note: Annotated[str, Form(max_length=1000, pattern=PARAGRAPH)] = "",
) -> Response:
    """Save one figure; htmx gets the result block, a plain form a redirect to it."""
    form = {
        "indicator": indicator,
        "region": region,
        "period": period,
        "value": value,
        "unit": unit,
        "status": status,
        "note": note,
    }
    block = "result" if is_htmx(request) else None
    try:
        # A savepoint: a refused or blocked figure leaves nothing behind, yet the
        # page can still be drawn from the same session.
        with session.begin_nested():
            if not region:
                fallback = default_region(session, actor=actor)
                region = fallback.code if fallback else ""
            entry = enter_figure(
                session,
                actor=actor,
                indicator=indicator,
                region=region,
                period=period,
                value=read_entry_value(value),
                status=status,
                unit=unit.strip() or None,
                note=note,
            )
    except DatabaseError:
        raise
    except ChitieuError as exc:
        return _page(
            request,
            session,
            actor,
            lang,
            form=form,
            error=exc.text(lang),
            status_code=error_status(exc),
            block=block,
        )
    if block is None:
        flag = "" if entry.written else "&unchanged=true"
        target = f"/entry?saved={entry.observation.id}{flag}"
        return RedirectResponse(target, status_code=303)
    # The figure saved joins the recent figures below the form, swapped in out of band.
    return _page(
        request,
        session,
        actor,
        lang,
        form=form,
        saved=_entry_view(entry),
        block=block,
        oob=("recent",),
    )


@pages.get("/entry/template.xlsx")
def template(session: DbSession, actor: EnterData) -> Response:
    """The import template with a row ready for each of the actor's indicators."""
    agency = actor_agency(session, actor=actor)
    name = f"mau_so_lieu_{agency.code if agency else 'chitieu'}.xlsx"
    return Response(
        agency_template(session, actor=actor),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _upload_error(exc: ChitieuError) -> dict[str, Any]:
    """What the page says about a refused file: every bad row when rows are to blame."""
    if isinstance(exc, RowsRefusedError | RowsRejectedError):
        kind = "refused" if isinstance(exc, RowsRefusedError) else "rejected"
        return {
            "kind": kind,
            "file": exc.source,
            "problems": exc.problems,
            "message": str(exc),
            # A column named by the template's key and, in Vietnamese, by its heading too.
            "headings": dict(zip(COLUMNS, HEADINGS_VI, strict=True)),
        }
    return {"kind": "file", "file": None, "problems": [], "message": str(exc)}


@pages.post("/entry/upload")
def upload(
    request: Request,
    session: DbSession,
    lang: Lang,
    settings: AppSettings,
    actor: EnterData,
    file: Annotated[UploadFile, File()],
) -> Response:
    content = read_upload(file, limit=settings.max_upload_bytes)
    try:
        with session.begin_nested():
            result = import_upload(
                session, actor=actor, file_name=file.filename or "", content=content
            )
    except DatabaseError:
        raise
    except ChitieuError as exc:
        return _page(
            request,
            session,
            actor,
            lang,
            upload_error=_upload_error(exc),
            status_code=error_status(exc),
        )
    target = f"/entry?imported={result.file_name}&rows={result.rows}&written={result.written}"
    if result.read_as is not None:
        separator = SEPARATOR_KEYS[result.read_as.separator]
        target += f"&encoding={result.read_as.encoding}&sep={separator}"
    return RedirectResponse(target, status_code=303)
