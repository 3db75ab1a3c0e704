"""Opening the database: engines, sessions, and the schema's migration state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from chitieu._errors import DatabaseBusyError, DatabaseError
from chitieu._settings import database_url
from chitieu._version import TrackedSession

if TYPE_CHECKING:
    # Alembic is imported only to migrate or to read the migrations' history: opening
    # a database already at the newest schema, as every command does, needs neither.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
_VERSION_TABLE = "alembic_version"
# What a read replica (or a database set read-only) answers a write with.
READ_ONLY_SQLSTATE = "25006"
# How long an SQLite writer waits for the one before it: longer than the longest
# write people make (a large import), short enough that a stuck one is reported.
DEFAULT_BUSY_SECONDS = 30.0
# Execution options the SQLite "begin" hook reads (SQLAlchemy passes others through).
_WRITES = "chitieu_writes"
_BUSY_MS = "chitieu_busy_ms"


def _enable_sqlite_rules(dbapi_connection: Any, _record: Any) -> None:
    # Left to itself, pysqlite runs DDL outside any transaction, so a failed
    # migration would leave half a schema behind; we issue BEGIN ourselves.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _begin_sqlite(connection: sa.Connection) -> None:
    """BEGIN IMMEDIATE for a writer, a plain (deferred) BEGIN for a reader.

    A deferred transaction that read and then writes cannot wait for the write
    lock (SQLite answers SQLITE_BUSY at once, whatever the busy timeout), so two
    overlapping writes failed. A writer asks for the lock at its first statement,
    waits its turn there, and then reads what the writer before it committed.
    """
    options = connection.get_execution_options()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(options.get(_BUSY_MS, 0))}")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITES) else "BEGIN")


def create_engine(url: str, *, busy_seconds: float = DEFAULT_BUSY_SECONDS) -> Engine:
    """An engine for ``url``; SQLite files get foreign keys enforced.

    On SQLite a writer waits up to ``busy_seconds`` for another to finish.
    """
    try:
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        # SQLite connections are file handles: waiting writers must not leave
        # readers without one (the web's thread pool bounds how many are open).
        pool: dict[str, Any] = {"max_overflow": -1} if sqlite and _is_file(parsed) else {}
        engine = sa.create_engine(parsed, pool_pre_ping=True, **pool)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise DatabaseError(f"địa chỉ cơ sở dữ liệu không hợp lệ: {url}") from exc
    if sqlite:
        engine.update_execution_options(**{_BUSY_MS: round(busy_seconds * 1000)})
        event.listen(engine, "connect", _enable_sqlite_rules)
        event.listen(engine, "begin", _begin_sqlite)
    return engine


def _is_file(url: sa.URL) -> bool:
    return url.database not in (None, "", ":memory:")


def allow_concurrent_readers(engine: Engine) -> None:
    """Put an SQLite file in WAL mode, where readers and one writer do not block each other.

    A server needs it: in SQLite's default mode a page being read holds off every
    write until it is sent. The mode stays with the file; other databases need nothing.
    """
    if engine.url.get_backend_name() != "sqlite" or not _is_file(engine.url):
        return
    # Outside SQLAlchemy's transaction: SQLite changes the mode only between transactions.
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
    finally:
        raw.close()


def describe(engine: Engine) -> str:
    """The URL without its password, to name the database in messages."""
    return engine.url.render_as_string(hide_password=True)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    """Every schema revision this version can open (and upgrade from)."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def newest_migration() -> str:
    """The revision of the newest file in migrations/versions, named ``NNNN_what.py``.

    Read from the file names alone, without Alembic; tests/test_migrations.py checks
    it is Alembic's head.
    """
    return max(p.name for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py")).partition("_")[0]


def current_revision(engine: Engine) -> str | None:
    """The schema revision Alembic stamped on the database, None on an empty one."""
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(_VERSION_TABLE):
                return None
            stamped = connection.execute(sa.text(f"select version_num from {_VERSION_TABLE}"))
            revisions = list(stamped.scalars())
    except sa.exc.OperationalError as exc:
        raise DatabaseError(
            f"không kết nối được cơ sở dữ liệu {describe(engine)}: {_first_line(exc)}"
        ) from exc
    if len(revisions) > 1:
        raise DatabaseError(
            f"cơ sở dữ liệu {describe(engine)} ghi nhiều lược đồ cùng lúc: {', '.join(revisions)}"
        )
    return revisions[0] if revisions else None


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creating it in an empty database)."""
    from alembic import command

    check_not_newer(engine)
    command.upgrade(alembic_config(engine), revision)


def check_not_newer(engine: Engine) -> None:
    current = current_revision(engine)
    if current is None:
        return
    scripts = _scripts()
    known = {script.revision for script in scripts.walk_revisions()}
    if current not in known:
        raise DatabaseError(
            f"cơ sở dữ liệu {describe(engine)} có lược đồ {current}, mới hơn phiên bản "
            f"chitieu này (tối đa {scripts.get_current_head()}); hãy nâng cấp chitieu"
        )


def ensure_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema this version does not know.

    An empty database (a new SQLite file) is created on first use.
    """
    if current_revision(engine) == newest_migration():
        return
    upgrade(engine)


def open_database(location: str, *, busy_seconds: float = DEFAULT_BUSY_SECONDS) -> Engine:
    """An SQLite path or database URL, with its schema created or brought up to date.

    On SQLite a writer waits up to ``busy_seconds`` for another writer to finish.
    """
    engine = create_engine(database_url(location), busy_seconds=busy_seconds)
    try:
        ensure_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def transaction(engine: Engine, *, writes: bool = True, waits: bool = True) -> Iterator[Session]:
    """A session whose work is committed together, or not at all.

    On SQLite a transaction that ``writes`` takes the write lock at its first
    statement and waits for the writer before it (up to the engine's busy
    timeout), so that what it reads is what it changes: two people correcting
    one figure meet as a conflict (``StateError``), as on PostgreSQL. One that
    only reads (``writes=False``) never waits for writers. Bookkeeping that is
    better skipped than queued passes ``waits=False``.
    """
    # Every model, whatever the command imported: a foreign key names its table, and the
    # mappers are configured as a whole at first use (the migrations used to import them,
    # but a database at the newest schema no longer runs them).
    import chitieu._models  # noqa: F401

    bind = engine
    if engine.url.get_backend_name() == "sqlite":
        options: dict[str, Any] = {_WRITES: writes}
        if not waits:
            options[_BUSY_MS] = 0
        bind = engine.execution_options(**options)
    try:
        # The session class itself: a sessionmaker makes a subclass of it on every call,
        # and each new class copies every event listener (a third of a page's time).
        with TrackedSession(bind, expire_on_commit=False) as session, session.begin():
            yield session
    except sa.exc.OperationalError as exc:
        if _busy(exc):
            seconds = engine.get_execution_options().get(_BUSY_MS, 0) / 1000
            raise DatabaseBusyError(
                f"cơ sở dữ liệu {describe(engine)} đang bận: một lần ghi khác chưa xong sau "
                f"{_seconds(seconds)} giây, không ghi được gì; hãy chạy lại sau ít phút "
                "(database busy)"
            ) from exc
        if not _disk_full(exc):
            raise
        raise DatabaseError(
            f"ổ đĩa của cơ sở dữ liệu {describe(engine)} đã đầy, không ghi được gì "
            "(database or disk is full); dữ liệu cũ vẫn nguyên: hãy giải phóng chỗ rồi chạy lại"
        ) from exc


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _busy(exc: sa.exc.OperationalError) -> bool:
    """SQLite's SQLITE_BUSY (or one of its extended codes): another writer held on."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _disk_full(exc: sa.exc.OperationalError) -> bool:
    """SQLite's SQLITE_FULL, or PostgreSQL's disk_full (SQLSTATE 53100)."""
    original = exc.orig
    return (
        getattr(original, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
        or getattr(original, "sqlstate", None) == "53100"
    )
