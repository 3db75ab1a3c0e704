"""What views ask FastAPI for: a database session per request, the settings, the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chitieu._settings import Settings
from chitieu.web._templates import request_lang
from chitieu.web._transaction import RequestSession


# Coroutines, though they wait for nothing: FastAPI runs a plain function in a thread,
# and each trip there and back costs a page more than reading a cookie does.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _lang(request: Request) -> str:
    return request_lang(request)


DbSession = RequestSession
AppSettings = Annotated[Settings, Depends(_settings)]
Lang = Annotated[str, Depends(_lang)]
