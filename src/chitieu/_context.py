"""What a CLI command needs: settings, the open database, the language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated

import typer
from sqlalchemy.engine import Engine

from chitieu._database import open_database
from chitieu._settings import Settings


@dataclass
class AppContext:
    settings: Settings
    _engine: Engine | None = field(default=None, init=False)

    @property
    def lang(self) -> str:
        return self.settings.lang

    def engine(self) -> Engine:
        """The database, created or upgraded to the current schema on first use."""
        if self._engine is None:
            self._engine = open_database(
                self.settings.database_url, busy_seconds=self.settings.database_busy_seconds
            )
        return self._engine

    def close(self) -> None:
        """Close the database's connections: a command run in a test's process ends too."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def app_context(ctx: typer.Context) -> AppContext:
    found = ctx.find_object(AppContext)
    assert found is not None, "the root callback sets the context"
    return found


# The day a command judges at, the same option on every command that takes one.
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Ngày xét, YYYY-MM-DD (mặc định hôm nay).")
]


def as_of_day(text: str | None) -> date:
    return date.fromisoformat(text) if text else date.today()
