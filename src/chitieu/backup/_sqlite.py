"""SQLite: copies made with SQLite's online backup API, so the server may keep running.

A backup reads one snapshot of the live file while others go on writing; a
restore builds the new contents in a temporary file next to the database,
checks and upgrades it there, and only then copies it into the database in a
single write transaction. Copying into the file, rather than renaming a new
file over it, is what keeps a running server right: its open connections go
on using the same file (and its write-ahead log) and see the new contents on
their next transaction.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from chitieu._database import create_engine, describe, head_revision, upgrade
from chitieu._errors import DatabaseError, InputError
from chitieu._format import number
from chitieu.backup._files import publish, sibling_temp
from chitieu.backup._schema import (
    SQLITE,
    advance_version,
    check_contents,
    check_kind,
    damaged,
    data_version,
)

_HEADER_BYTES = 100


def database_path(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise DatabaseError(f"{describe(engine)}: chỉ sao lưu và khôi phục được tệp SQLite")
    return Path(name)


def check_exists(engine: Engine) -> None:
    if not database_path(engine).is_file():
        raise DatabaseError(f"không có tệp cơ sở dữ liệu {database_path(engine)}")


def backup(engine: Engine, output: Path) -> None:
    source = database_path(engine)
    with sibling_temp(output) as temp:
        try:
            with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(temp)) as copy:
                # In one step (pages=-1) the copy is a single snapshot; copying in steps
                # would start over whenever another connection writes.
                live.backup(copy)
                # One self-contained file, whatever journal mode the live database uses.
                copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as exc:
            raise DatabaseError(f"không sao lưu được {source}: {exc}") from exc
        publish(temp, output)


def check(source: Path) -> None:
    """Refuse, before anyone is asked to replace anything, a file that is no whole backup.

    Its tables and schema are read in place, read-only; the full integrity check
    waits for the restore's temporary copy.
    """
    check_kind(source, expected=SQLITE)
    _check_size(source)
    try:
        uri = f"{source.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as backup:
            tables, revision = _contents(backup)
    except sqlite3.Error as exc:
        raise damaged(source, str(exc)) from exc
    check_contents(source, tables=tables, revision=revision)


def _contents(connection: sqlite3.Connection) -> tuple[set[str], str | None]:
    """The tables of a copy and its schema revision (None without alembic_version)."""
    tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    if "alembic_version" not in tables:
        return tables, None
    row = connection.execute("select version_num from alembic_version").fetchone()
    return tables, row[0] if row else None


def restore(engine: Engine, source: Path) -> str:
    """Replace the database's contents with ``source``'s; the backup's schema revision."""
    check(source)
    target = database_path(engine)
    if not target.parent.is_dir():
        raise InputError(f"không có thư mục {target.parent} để khôi phục vào")
    with sibling_temp(target) as temp:
        _load(source, temp)
        revision = _check_copy(source, temp)
        _bring_up_to_date(temp, revision, floor=data_version(engine))
        _match_page_size(temp, target)
        _copy_into(temp, target)
    return revision


@dataclass(frozen=True)
class _Header:
    page_size: int
    pages: int | None  # None when the header's page count is stale (SQLite then counts bytes)
    wal: bool


def _header(path: Path) -> _Header | None:
    with path.open("rb") as handle:
        raw = handle.read(_HEADER_BYTES)
    if len(raw) < _HEADER_BYTES:
        return None
    page_size = int.from_bytes(raw[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    # The page count is trustworthy only if written by the same change as the counter.
    pages = int.from_bytes(raw[28:32], "big") if raw[24:28] == raw[92:96] else None
    return _Header(page_size=page_size, pages=pages or None, wal=raw[18] == 2)


def _check_size(source: Path) -> None:
    """A truncated file is refused before SQLite reads it, whatever pages it lost."""
    header = _header(source)
    if header is None or header.page_size < 512 or header.page_size & (header.page_size - 1):
        raise damaged(source, "phần đầu tệp không hợp lệ")
    size = source.stat().st_size
    expected = header.pages * header.page_size if header.pages else size
    if size % header.page_size or size < expected:
        raise damaged(source, f"{number(size)} byte, cần {number(expected)}")


def _load(source: Path, temp: Path) -> None:
    try:
        # Read-only: restoring never writes next to the backup file.
        uri = f"{source.resolve().as_uri()}?mode=ro"
        with (
            closing(sqlite3.connect(uri, uri=True)) as backup,
            closing(sqlite3.connect(temp)) as copy,
        ):
            backup.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise damaged(source, str(exc)) from exc


def _check_copy(source: Path, temp: Path) -> str:
    try:
        with closing(sqlite3.connect(temp)) as copy:
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise damaged(source, problems[0])
            tables, revision = _contents(copy)
    except sqlite3.Error as exc:
        raise damaged(source, str(exc)) from exc
    return check_contents(source, tables=tables, revision=revision)


def _bring_up_to_date(temp: Path, revision: str, *, floor: int) -> None:
    """Upgrade an older backup in the temporary copy, so the database never sees a half step."""
    engine = create_engine(f"sqlite:///{temp}")
    try:
        if revision != head_revision():
            upgrade(engine)
        advance_version(engine, floor)
    finally:
        engine.dispose()


def _match_page_size(temp: Path, target: Path) -> None:
    # SQLite cannot copy into a database in WAL mode with another page size.
    live = _header(target) if target.is_file() else None
    copy = _header(temp)
    if live is None or copy is None or not live.wal or live.page_size == copy.page_size:
        return
    with closing(sqlite3.connect(temp)) as connection:
        connection.execute(f"PRAGMA page_size={live.page_size}")
        connection.execute("VACUUM")


def _copy_into(temp: Path, target: Path) -> None:
    try:
        with closing(sqlite3.connect(temp)) as copy, closing(sqlite3.connect(target)) as live:
            # One write transaction: other connections see the old contents or the new.
            copy.backup(live)
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"không ghi được vào {target}: {exc}; cơ sở dữ liệu giữ nguyên"
        ) from exc
