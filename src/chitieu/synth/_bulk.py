"""Writing many rows fast: COPY on PostgreSQL, one prepared statement on SQLite.

Both run in the caller's transaction, so an interrupted load leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Connection, ForeignKeyConstraint, UniqueConstraint, func, select, text
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from chitieu._orm import Base

_BATCH = 5_000
# SQLAlchemy's own text forms of dates and times on SQLite, so the ORM reads them back.
_SQLITE_DATE = "%Y-%m-%d"
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S%.6f"


def is_postgresql(connection: Connection) -> bool:
    return connection.engine.url.get_backend_name() == "postgresql"


def largest_ids(connection: Connection, tables: Sequence[str]) -> dict[str, int]:
    """The largest id in each table, so that new rows can be numbered on from it."""
    result = {}
    for name in tables:
        table = Base.metadata.tables[name]
        result[name] = int(connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
    return result


def insert_rows(connection: Connection, table_name: str, rows: list[dict[str, Any]]) -> None:
    table = Base.metadata.tables[table_name]
    for start in range(0, len(rows), _BATCH):
        connection.execute(table.insert(), rows[start : start + _BATCH])


def lock_for_numbering(connection: Connection, table_name: str) -> None:
    """Keep other writers out while ids are handed out here (SQLite's write lock does it)."""
    if is_postgresql(connection):
        connection.execute(text(f"LOCK TABLE {table_name} IN EXCLUSIVE MODE"))


def copy_frame(connection: Connection, table_name: str, frame: pl.DataFrame) -> None:
    if is_postgresql(connection):
        _copy_postgresql(connection, table_name, frame)
    else:
        _insert_sqlite(connection, table_name, frame)


def _copy_postgresql(connection: Connection, table_name: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(frame.columns)
    # Polars writes a null as an empty unquoted field: NULL to COPY's CSV format.
    data = frame.write_csv(include_header=False, datetime_format="%Y-%m-%d %H:%M:%S")
    raw: Any = connection.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN (FORMAT csv)") as copy,
    ):
        copy.write(data)


def _insert_sqlite(connection: Connection, table_name: str, frame: pl.DataFrame) -> None:
    as_text = [
        pl.col(name).dt.strftime(_SQLITE_DATETIME if dtype == pl.Datetime else _SQLITE_DATE)
        for name, dtype in frame.schema.items()
        if dtype in (pl.Date, pl.Datetime)
    ]
    frame = frame.with_columns(as_text)
    marks = ", ".join("?" for _ in frame.columns)
    sql = f"INSERT INTO {table_name} ({', '.join(frame.columns)}) VALUES ({marks})"
    raw: Any = connection.connection.driver_connection
    raw.executemany(sql, frame.iter_rows())


def move_sequences_on(connection: Connection, tables: Sequence[str]) -> None:
    """PostgreSQL's id sequences past the ids given here, so later inserts do not collide."""
    if not is_postgresql(connection):
        return
    for name in tables:
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
            )
        )


@contextmanager
def without_checks_until_done(connection: Connection, table_name: str) -> Iterator[None]:
    """On PostgreSQL, drop the table's foreign keys and indexes for the load, then rebuild them.

    Checked row by row, the keys cost far more than the rows themselves; rebuilt at
    the end, each is one pass that still refuses the whole load if a row breaks it.
    The DDL is part of the transaction: an interrupted load leaves them as they were.
    """
    if not is_postgresql(connection):
        yield
        return
    table = Base.metadata.tables[table_name]
    constraints = [
        c
        for c in table.constraints
        if isinstance(c, ForeignKeyConstraint | UniqueConstraint) and c.name is not None
    ]
    indexes = list(table.indexes)
    for constraint in constraints:
        connection.execute(DropConstraint(constraint))
    for index in indexes:
        connection.execute(DropIndex(index))
    yield
    for index in indexes:
        connection.execute(CreateIndex(index))
    for constraint in constraints:
        connection.execute(AddConstraint(constraint))
    # Fresh statistics, or the planner reads the series by a full scan until autovacuum runs.
    connection.execute(text(f"ANALYZE {table_name}"))
