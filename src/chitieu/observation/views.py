"""Pages and API routes of the observation domain (to be filled in)."""

from __future__ import annotations

from fastapi import FastAPI


def register(app: FastAPI) -> None:
    """Add this domain's routers to the app."""
