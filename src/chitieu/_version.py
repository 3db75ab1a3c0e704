"""The data version: a number that grows with every committed change to what people are shown.

Pages that are the same for everyone who may see them (the overview, an
indicator's page) are drawn once per version and served from memory until a
change commits. Every commit that adds, changes or deletes rows raises the
version in the same transaction, so no process can see the change and an old
version together; bookkeeping (users, tokens, the audit log) does not count.
Code that writes through a bare connection (a bulk COPY) calls
``raise_version`` itself.
"""

from __future__ import annotations

import weakref
from itertools import chain
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, event, inspect, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase

from chitieu._orm import Base

BOOKKEEPING = frozenset({"app_user", "api_token", "audit_entry", "data_version"})
_CHANGED = "chitieu.changed"
# Databases known to have the table, by connection pool (an engine with SQLite's per
# transaction options is a new object each time, its pool the engine's); one still at an
# older schema is asked again.
_HAS_TABLE: weakref.WeakKeyDictionary[Pool, bool] = weakref.WeakKeyDictionary()


class DataVersion(Base):
    """One row: how many changing commits the database has seen."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def current_version(session: Session) -> int:
    """The version now; 0 for a database at a schema without it."""
    connection = session.connection()
    if not _has_table(connection):
        return 0
    return int(connection.execute(_READ).scalar() or 0)


# Built once, run on the session's connection: every page asks, and the ORM's way
# round cost four times the query.
_READ = select(DataVersion.__table__.c.version).where(DataVersion.__table__.c.id == 1)


def raise_version(connection: Connection) -> None:
    """Count a change made without the ORM, in the caller's transaction."""
    if _has_table(connection):
        connection.execute(update(DataVersion).values(version=DataVersion.version + 1))


def _has_table(connection: Connection) -> bool:
    pool = connection.engine.pool
    if not _HAS_TABLE.get(pool, False):
        _HAS_TABLE[pool] = inspect(connection).has_table(DataVersion.__tablename__)
    return _HAS_TABLE[pool]


def _counts(instance: object) -> bool:
    table = getattr(instance, "__tablename__", None)
    return table is not None and table not in BOOKKEEPING


class TrackedSession(Session):
    """A session that raises the data version when it commits a change."""


def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    if any(_counts(obj) for obj in chain(session.new, dirty, session.deleted)):
        session.info[_CHANGED] = True


def _note_statement(state: ORMExecuteState) -> None:
    statement = state.statement
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) not in BOOKKEEPING:
            state.session.info[_CHANGED] = True


def _raise_on_commit(session: Session) -> None:
    # The last flush happens after this hook: flush now to see every change.
    session.flush()
    if session.info.pop(_CHANGED, False):
        raise_version(session.connection())


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)


# Listeners on chitieu's own session class only; other sessions are left alone.
event.listen(TrackedSession, "before_flush", _note_flush)
event.listen(TrackedSession, "do_orm_execute", _note_statement)
event.listen(TrackedSession, "before_commit", _raise_on_commit)
event.listen(TrackedSession, "after_soft_rollback", lambda session, _previous: _forget(session))
