"""The documents API: upload reports, review their figures, resolve conflicts (tag ``documents``).

Routes are thin over ``extraction.upload`` and ``extraction.review``; the
pages in ``extraction.views`` call the same functions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, UploadFile

from chitieu.document.service import get_document
from chitieu.extraction import review, upload
from chitieu.extraction.api_models import (
    AcceptIn,
    ChoiceOut,
    ChooseIn,
    ConflictOut,
    CorrectIn,
    DocumentOut,
    FigureOut,
    RejectIn,
    UploadOut,
    choice_out,
    conflict_out,
    document_out,
    figure_out,
)
from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web.deps import AppSettings, DbSession

api = APIRouter(prefix="/api/v1", tags=["documents"])
Reviewer = Annotated[Actor, Depends(requires("review"))]
# Postgres ids are 32-bit: a larger one is a 404 here, not a database error.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Key = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
State = Literal["pending", "accepted", "rejected"]

REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "chưa đăng nhập / not signed in"},
    403: {"description": "không có quyền duyệt / not a reviewer"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "không có / not found"}}
INVALID: dict[int | str, dict[str, Any]] = {
    400: {"description": "thân yêu cầu không đọc được / the body cannot be parsed"},
    422: {"description": "dữ liệu không hợp lệ / invalid input"},
}
DONE: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "đã duyệt hoặc đã sửa, hoặc quy tắc kiểm tra chặn / already reviewed or "
        "corrected, or a blocking validation rule refuses the figure"
    }
}


@api.get("/documents", responses=REFUSED)
def list_documents(session: DbSession, actor: Reviewer) -> list[DocumentOut]:
    """Stored documents with how many of their figures are pending, accepted, rejected."""
    return [document_out(summary) for summary in review.list_documents(session)]


@api.post(
    "/documents",
    status_code=201,
    responses={
        **REFUSED,
        **NOT_FOUND,
        413: {"description": "tệp quá lớn / file too large"},
        415: {"description": "không phải TXT, DOCX, PDF, HTML / an unsupported file type"},
        **INVALID,
    },
)
def upload_document(
    session: DbSession,
    settings: AppSettings,
    actor: Reviewer,
    file: Annotated[UploadFile, File(description="TXT, DOCX, PDF hoặc HTML")],
    region: Annotated[
        str | None, Form(max_length=64, pattern=r"^[a-z0-9_]+$", description="mã địa bàn")
    ] = None,
) -> UploadOut:
    """Store a report and its figures, pending review (the same file twice adds nothing)."""
    try:
        report = upload.store_upload(
            session,
            source=file.file,
            file_name=file.filename or "",
            recorded_by=actor.username,
            max_bytes=settings.max_upload_bytes,
            region=region,
        )
    except upload.UploadTooLargeError as exc:
        raise HTTPException(status_code=413, detail=str(exc)) from None
    return UploadOut(
        document=report.document,
        document_new=report.document_new,
        found=report.found,
        new=report.new,
        notes=list(report.notes),
        skipped=list(report.skipped),
    )


@api.get("/documents/{key}/figures", responses={**REFUSED, **NOT_FOUND})
def document_figures(
    session: DbSession,
    actor: Reviewer,
    key: Key,
    state: Annotated[State | None, Query()] = None,
) -> list[FigureOut]:
    """A document's extracted figures, pending first, in document order."""
    document = get_document(session, key=key)
    figures = review.document_figures(session, document=document, state=state)
    return [figure_out(review.figure_row(session, figure)) for figure in figures]


FIGURE_ERRORS = {**REFUSED, **NOT_FOUND, **INVALID, **DONE}


@api.post("/figures/{figure_id}/accept", responses=FIGURE_ERRORS)
def accept(
    session: DbSession, actor: Reviewer, figure_id: Id, body: AcceptIn | None = None
) -> FigureOut:
    """Record the figure as read as an observation citing its document."""
    figure = review.accept(
        session, figure_id=figure_id, actor=actor.username, note=body.note if body else None
    )
    return figure_out(review.figure_row(session, figure))


@api.post("/figures/{figure_id}/reject", responses=FIGURE_ERRORS)
def reject(session: DbSession, actor: Reviewer, figure_id: Id, body: RejectIn) -> FigureOut:
    """Mark the figure as not one to keep, with the reason."""
    figure = review.reject(session, figure_id=figure_id, actor=actor.username, reason=body.reason)
    return figure_out(review.figure_row(session, figure))


@api.post("/figures/{figure_id}/correct", responses=FIGURE_ERRORS)
def correct(session: DbSession, actor: Reviewer, figure_id: Id, body: CorrectIn) -> FigureOut:
    """Accept the figure with the fields given replacing what was read."""
    figure = review.accept(
        session,
        figure_id=figure_id,
        actor=actor.username,
        note=body.note,
        value=body.value,
        indicator=body.indicator,
        period=body.period,
        status=body.status,
        region=body.region,
    )
    return figure_out(review.figure_row(session, figure))


@api.get("/conflicts", responses=REFUSED)
def list_conflicts(session: DbSession, actor: Reviewer) -> list[ConflictOut]:
    """Groups (indicator, region, period, status) whose sources give values that disagree."""
    return [conflict_out(view) for view in review.conflict_views(session)]


@api.post("/conflicts/choose", status_code=201, responses=FIGURE_ERRORS)
def choose(session: DbSession, actor: Reviewer, body: ChooseIn) -> ChoiceOut:
    """Record which observation counts for its group, and why."""
    choice = review.choose_observation(
        session,
        observation_id=body.observation_id,
        actor=actor.username,
        reason=body.reason,
        knowingly=body.knowingly,
    )
    return choice_out(choice)
