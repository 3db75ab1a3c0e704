"""Settings are read once by the entry points and passed down; nothing reads them at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_FILE = "chitieu.db"
# Good enough on a laptop; `chitieu serve` refuses it outside development mode.
DEVELOPMENT_SECRET = "chitieu-development-secret-do-not-use-in-production"


class Settings(BaseSettings):
    """Where the database is and how to talk to people.

    ``database_url`` takes an SQLAlchemy URL (``postgresql+psycopg://…``) or a
    plain path to an SQLite file, which is created on first use.
    """

    model_config = SettingsConfigDict(env_prefix="CHITIEU_", extra="ignore", strict=True)

    database_url: str = DEFAULT_DATABASE_FILE
    # How long an SQLite writer waits its turn behind another (a large import) before
    # giving up with "database busy"; PostgreSQL writers simply wait.
    database_busy_seconds: float = 30.0
    lang: Literal["vi", "en"] = "vi"
    # The web application's; see docs/web.md.
    mode: Literal["development", "production"] = "development"
    secret_key: str = DEVELOPMENT_SECRET
    public: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    session_hours: int = 12
    # Failed sign-ins allowed in the window per user name (from any address), and per
    # address (many people behind one office router share it, so far more).
    login_attempts: int = 5
    login_address_attempts: int = 50
    login_window_seconds: int = 300
    # Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
    trusted_proxies: str = ""
    # Pages drawn for everyone, kept in memory per data version (0 keeps none).
    page_cache_entries: int = 256
    # `chitieu extract/ingest` send files to this Dask scheduler (tcp://host:port).
    dask_scheduler: str | None = None


def database_url(value: str) -> str:
    """Turn a path into an SQLite URL; leave URLs alone."""
    if "://" in value:
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
