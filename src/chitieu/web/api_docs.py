"""The API's documentation page: Swagger UI from an installed package, not a CDN.

Offices often have no way out to the internet, and the app's Content-Security-Policy
allows scripts from the app itself only: the page loads Swagger UI's files from
``fastapi-offline``'s copy, served under ``/static/swagger-ui``, and starts it
from a script file of ours rather than the inline script FastAPI's page carries.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from chitieu.user.service import Actor
from chitieu.web._auth import requires
from chitieu.web._templates import render

ASSETS = "/static/swagger-ui"
# The package that ships Swagger UI 5 (OpenAPI 3.1, which FastAPI writes), and its folder.
ASSETS_PACKAGE = ("fastapi_offline", "static")

router = APIRouter()


def mount_assets(app: FastAPI) -> None:
    """Serve Swagger UI's files; before the app's own ``/static``, which would shadow them."""
    app.mount(ASSETS, StaticFiles(packages=[ASSETS_PACKAGE]), name="swagger-ui")


def register(app: FastAPI) -> None:
    app.include_router(router)


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, actor: Annotated[Actor, Depends(requires(None))]) -> HTMLResponse:
    # Open like the OpenAPI document it shows: the operations say which need a token.
    return render(
        request,
        "api_docs.html",
        {"assets": ASSETS, "openapi_url": request.app.openapi_url},
    )
