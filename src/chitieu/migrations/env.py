"""Alembic environment: runs on the engine chitieu hands over, never on a URL of its own."""

from __future__ import annotations

from alembic import context

from chitieu._models import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds tables, which foreign keys would forbid; the
        # pragma only takes effect outside a transaction, so it is set first
        # and every reference is checked before the migration commits.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,
                compare_type=True,
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration broke references: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
