"""The web application: pages and the JSON API over the same service functions as the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chitieu.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # The application (FastAPI and every page) loads on first use, not with
    # ``chitieu serve --help``.
    if name != "create_app":
        raise AttributeError(f"module 'chitieu.web' has no attribute {name!r}")
    from chitieu.web.app import create_app

    return create_app
