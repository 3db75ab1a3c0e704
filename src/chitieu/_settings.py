"""Settings are read once by the entry points and passed down; nothing reads them at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "chitieu.db"


class Settings(BaseSettings):
    """Where the database is and how to talk to people.

    ``database_url`` takes an SQLAlchemy URL (``postgresql+psycopg://…``) or a
    plain path to an SQLite file, which is created on first use.
    """

    model_config = SettingsConfigDict(env_prefix="CHITIEU_", extra="ignore", strict=True)

    database_url: str = DEFAULT_DATABASE_FILE
    lang: Literal["vi", "en"] = "vi"


def database_url(value: str) -> str:
    """Turn a path into an SQLite URL; leave URLs alone."""
    if "://" in value:
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
