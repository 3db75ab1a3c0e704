"""The front door: the home page's redirect, a health check, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict

from chitieu.user.service import Actor, agency_bound
from chitieu.web._auth import requires

router = APIRouter()


class Health(BaseModel):
    model_config = ConfigDict(strict=True)
    status: str


class Me(BaseModel):
    model_config = ConfigDict(strict=True)
    username: str
    role: str
    agency_id: int | None


def register(app: FastAPI) -> None:
    app.include_router(router)


@router.get("/", include_in_schema=False)
def home(actor: Annotated[Actor, Depends(requires(None))]) -> RedirectResponse:
    # An agency editor's first question is what it still has to report.
    return RedirectResponse("/requests" if agency_bound(actor) else "/overview", status_code=303)


@router.get("/api/v1/health", tags=["meta"])
def health(actor: Annotated[Actor, Depends(requires(None))]) -> Health:
    """Whether the app answers (the database is checked by every other route)."""
    return Health(status="ok")


@router.get("/api/v1/me", tags=["meta"], responses={401: {"description": "not signed in"}})
def me(actor: Annotated[Actor, Depends(requires("view"))]) -> Me:
    return Me(username=actor.username, role=actor.role, agency_id=actor.agency_id)
