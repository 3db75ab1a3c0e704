"""What views ask FastAPI for: a database session per request, the settings, the language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from chitieu._database import transaction
from chitieu._settings import Settings
from chitieu.web._auth import SAFE_METHODS
from chitieu.web._templates import request_lang


def _session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the view returns, rolled back if it raises.

    Ended before the response is sent (scope "function"): a commit that fails is the
    request's error (503, 409…), never a success already sent or a reset connection.
    A page (GET) only reads: on SQLite it never queues behind writers, while a POST
    waits for the write lock before it reads what it will change.
    """
    writes = request.method not in SAFE_METHODS
    with transaction(request.app.state.engine, writes=writes) as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(_session, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]
Lang = Annotated[str, Depends(request_lang)]
