"""The figures owed: a page (an agency editor's home), its pre-filled template, and the API."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from chitieu.agency.models import Agency
from chitieu.agency.service import get_agency, list_agencies
from chitieu.owed.service import agency_label, by_agency, figures_owed, rows_to_fill
from chitieu.submission.template import write_template
from chitieu.submission.views import LINE, XLSX
from chitieu.user.service import Actor, agency_bound
from chitieu.web._auth import requires
from chitieu.web._templates import render
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["requests"])
Viewer = Annotated[Actor, Depends(requires("enter_data"))]
AgencyCode = Annotated[str, Query(max_length=64, pattern=LINE)]


class OwedOut(BaseModel):
    model_config = ConfigDict(strict=True)
    agency: str | None
    agency_name: str | None
    indicator: str
    indicator_name: str
    region: str
    region_name: str
    period: str
    period_label: str
    unit: str
    plans: list[str]
    targets: list[int]


def register(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)


def _agency(session: Session, actor: Actor, code: str) -> Agency | None:
    """The agency asked for; an agency editor sees its own unless it asks for another."""
    if code:
        return get_agency(session, code_or_name=code)
    if agency_bound(actor) and actor.agency_id is not None:
        return session.get(Agency, actor.agency_id)
    return None


@pages.get("/requests")
def requests_page(
    request: Request, session: DbSession, lang: Lang, actor: Viewer, agency: AgencyCode = ""
) -> HTMLResponse:
    chosen = _agency(session, actor, agency)
    today = date.today()
    owed = figures_owed(session, as_of=today, agency=chosen, lang=lang)
    context: dict[str, Any] = {
        "chosen": chosen,
        "agencies": list_agencies(session, on=today),
        "groups": [
            (head, agency_label(head, lang), [item.record(lang) for item in items])
            for head, items in by_agency(owed)
        ],
        "total": len(owed),
        "as_of": today,
    }
    return render(request, "owed/list.html", context)


@pages.get("/requests/template.xlsx")
def requests_template(
    session: DbSession, lang: Lang, actor: Viewer, agency: AgencyCode = ""
) -> Response:
    """The import template with one row per figure the agency owes, the figure left to fill."""
    chosen = _agency(session, actor, agency)
    owed = figures_owed(session, as_of=date.today(), agency=chosen, lang=lang)
    with tempfile.TemporaryDirectory(prefix="chitieu-template-") as folder:
        path = Path(folder) / "mau.xlsx"
        write_template(session, path=path, rows=rows_to_fill(owed))
        content = path.read_bytes()
    name = f"so_lieu_con_thieu_{chosen.code if chosen else 'tat_ca'}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.get(
    "/requests",
    responses={
        401: {"description": "chưa đăng nhập / not signed in"},
        403: {"description": "không có quyền / forbidden"},
        404: {"description": "không có cơ quan này / no such agency"},
        422: {"description": "tham số không hợp lệ / invalid parameter"},
    },
)
def requests_api(
    session: DbSession, lang: Lang, actor: Viewer, agency: AgencyCode = ""
) -> list[OwedOut]:
    """Every figure still owed for a target short of data, with the agency that owes it."""
    chosen = _agency(session, actor, agency)
    owed = figures_owed(session, as_of=date.today(), agency=chosen, lang=lang)
    return [OwedOut(**item.record(lang)) for item in owed]
