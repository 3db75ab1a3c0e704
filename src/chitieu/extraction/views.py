"""The documents pages: upload a report, review its figures, resolve conflicts.

Views are thin: ``extraction.upload`` stores, ``extraction.review`` reviews
and chooses, each with its audit entry. Rows of the review table are swapped
one at a time by htmx; without JavaScript the same forms post and come back
to the page. The API over the same functions is ``extraction.api``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from chitieu._errors import (
    ChitieuError,
    DatabaseError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from chitieu.document.service import get_document
from chitieu.extraction import review, upload
from chitieu.extraction.api import Id, Key, Reviewer, State, api
from chitieu.extraction.service import get_figure
from chitieu.indicator.service import list_indicators
from chitieu.observation.models import STATUSES
from chitieu.region.service import list_regions
from chitieu.user.service import Actor
from chitieu.web._templates import render
from chitieu.web.deps import AppSettings, DbSession, Lang

pages = APIRouter(include_in_schema=False)
# Form text: no NUL (PostgreSQL refuses it) nor other control characters.
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
CODE = r"^[a-z0-9_]*$"


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


# --- pages ----------------------------------------------------------------------------------


def _documents_page(
    request: Request, session: Session, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "extraction/documents.html",
        {
            "documents": review.list_documents(session),
            "regions": list_regions(session),
            "max_bytes": request.app.state.settings.max_upload_bytes,
            "error": error,
        },
        status_code=status_code,
    )


@pages.get("/documents")
def documents_page(request: Request, session: DbSession, actor: Reviewer) -> HTMLResponse:
    return _documents_page(request, session)


@pages.post("/documents")
def upload_page(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    actor: Reviewer,
    file: Annotated[UploadFile, File()],
    region: Annotated[str, Form(max_length=64, pattern=CODE)] = "",
) -> Response:
    try:
        report = upload.store_upload(
            session,
            source=file.file,
            file_name=file.filename or "",
            recorded_by=actor.username,
            max_bytes=settings.max_upload_bytes,
            region=region or None,
        )
    except upload.UploadTooLargeError as exc:
        return _documents_page(request, session, error=str(exc), status_code=413)
    except InputError as exc:
        return _documents_page(request, session, error=_one_line(exc), status_code=422)
    return RedirectResponse(f"/documents/{report.document}", status_code=303)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _period_label(lang: str) -> Any:
    return lambda code: review.period_label(code, lang)


def _label(lang: str) -> Any:
    return lambda key: review.label(key, lang)


@pages.get("/documents/{key}")
def document_page(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    lang: Lang,
    key: Key,
    state: Annotated[State | None, Query()] = None,
) -> HTMLResponse:
    document = get_document(session, key=key)
    figures = review.document_figures(session, document=document, state=state)
    return render(
        request,
        "extraction/document.html",
        {
            "document": document,
            "facts": review.document_facts(document, lang),
            "rows": [review.figure_row(session, figure) for figure in figures],
            "counts": review.state_counts(session, document=document),
            "state": state,
            "indicators": list_indicators(session),
            "regions": list_regions(session),
            "statuses": STATUSES,
            "period_label": _period_label(lang),
            "label": _label(lang),
            "error": None,
        },
    )


def _review(
    session: Session,
    actor: Actor,
    figure_id: int,
    action: str,
    fields: dict[str, str],
) -> None:
    if action == "reject":
        review.reject(session, figure_id=figure_id, actor=actor.username, reason=fields["reason"])
        return
    note = fields["note"].strip() or None
    if action == "accept":
        review.accept(session, figure_id=figure_id, actor=actor.username, note=note)
        return
    review.accept(
        session,
        figure_id=figure_id,
        actor=actor.username,
        note=note,
        value=review.form_number(fields["value"]),
        indicator=fields["indicator"].strip() or None,
        period=fields["period"].strip() or None,
        status=fields["status"] or None,
        region=fields["region"] or None,
    )


@pages.post("/figures/{figure_id}")
def review_figure(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    lang: Lang,
    figure_id: Id,
    action: Annotated[Literal["accept", "reject", "correct"], Form()],
    reason: Annotated[str, Form(max_length=1000, pattern=TEXT)] = "",
    note: Annotated[str, Form(max_length=500, pattern=TEXT)] = "",
    value: Annotated[str, Form(max_length=40, pattern=TEXT)] = "",
    indicator: Annotated[str, Form(max_length=300, pattern=TEXT)] = "",
    period: Annotated[str, Form(max_length=32, pattern=TEXT)] = "",
    status: Annotated[Literal["", "actual", "estimate", "preliminary"], Form()] = "",
    region: Annotated[str, Form(max_length=64, pattern=CODE)] = "",
    state: Annotated[Literal["", "pending", "accepted", "rejected"], Form()] = "",
) -> Response:
    """Accept, reject or correct one figure: the row back to htmx, else back to the page."""
    figure = get_figure(session, figure_id=figure_id)
    fields = {
        "reason": reason,
        "note": note,
        "value": value,
        "indicator": indicator,
        "period": period,
        "status": status,
        "region": region,
    }
    if request.headers.get("hx-request") != "true":
        _review(session, actor, figure_id, action, fields)
        back = f"/documents/{figure.source_document.key}"
        back += f"?state={state}" if state else ""
        return RedirectResponse(f"{back}#figure-{figure_id}", status_code=303)
    error = None
    try:
        _review(session, actor, figure_id, action, fields)
    except (NotFoundError, PermissionDeniedError, DatabaseError):
        raise
    except ChitieuError as exc:
        # htmx swaps only successful answers: the refusal is shown in the row itself.
        error = _one_line(exc)
    return render(
        request,
        "extraction/document.html",
        {
            "row": review.figure_row(session, figure),
            "state": state or None,
            "regions": list_regions(session),
            "statuses": STATUSES,
            "period_label": _period_label(lang),
            "label": _label(lang),
            "error": error,
        },
        block="row",
    )


@pages.get("/conflicts")
def conflicts_page(
    request: Request, session: DbSession, actor: Reviewer, lang: Lang
) -> HTMLResponse:
    views = review.conflict_views(session)
    codes = {view.conflict.indicator for view in views}
    names = {i.code: i.name(lang) for i in list_indicators(session) if i.code in codes}
    return render(
        request,
        "extraction/conflicts.html",
        {
            "conflicts": views,
            "names": names,
            "period_label": _period_label(lang),
        },
    )


@pages.post("/conflicts/choose")
def choose_page(
    session: DbSession,
    actor: Reviewer,
    observation_id: Annotated[int | None, Form(ge=1, le=2_147_483_647)] = None,
    reason: Annotated[str, Form(max_length=1000, pattern=TEXT)] = "",
    knowingly: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    if observation_id is None:
        raise InputError("hãy chọn một số liệu trong nhóm mâu thuẫn")
    choice = review.choose_observation(
        session,
        observation_id=observation_id,
        actor=actor.username,
        reason=reason,
        knowingly=knowingly,
    )
    return RedirectResponse(f"/conflicts#choice-{choice.id}", status_code=303)
