"""Alembic environment: runs on the engine chitieu hands over, never on a URL of its own."""

from __future__ import annotations

from alembic import context

from chitieu._models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
