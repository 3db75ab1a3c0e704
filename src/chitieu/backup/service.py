"""Backing up the whole database to one file, and restoring one, on SQLite and PostgreSQL.

A backup is the backend's native format (an SQLite file, a pg_dump custom
archive) holding every chitieu table and the schema revision. Restoring
checks the file completely before touching the database, refuses a backup of
the other backend or of a newer schema, and upgrades an older one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from chitieu._database import current_revision, describe, head_revision
from chitieu._errors import DatabaseError, InputError
from chitieu.backup import _postgresql, _sqlite
from chitieu.backup._schema import NAMES, POSTGRESQL, SQLITE

SUFFIXES = {SQLITE: ".sqlite", POSTGRESQL: ".pgdump"}


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int
    kind: str  # "sqlite" or "postgresql"
    revision: str


@dataclass(frozen=True)
class Restored:
    source: Path
    kind: str
    revision: str  # the backup's schema revision
    upgraded_to: str | None  # the schema it was brought up to, if it was older


def backend(engine: Engine) -> str:
    name = engine.url.get_backend_name()
    if name not in NAMES:
        raise DatabaseError(f"{describe(engine)}: chỉ sao lưu được SQLite và PostgreSQL")
    return name


def backup(
    *,
    engine: Engine,
    output: Path | str | None = None,
    overwrite: bool = False,
    now: datetime | None = None,
) -> BackupFile:
    """Copy the whole database to ``output`` (a file, or a folder to name one in).

    Text ending in "/" names a folder, made if missing (a Path has lost the slash).

    Safe while the server runs: the copy is one consistent snapshot.
    """
    kind = backend(engine)
    if kind == SQLITE:
        _sqlite.check_exists(engine)
    revision = current_revision(engine)
    if revision is None:
        raise DatabaseError(f"{describe(engine)}: chưa có dữ liệu chitieu để sao lưu")
    path = _output_path(output, kind, now or datetime.now())
    _check_output(engine, path, overwrite=overwrite)
    if kind == SQLITE:
        _sqlite.backup(engine, path)
    else:
        _postgresql.backup(engine, path)
    return BackupFile(path=path, size=path.stat().st_size, kind=kind, revision=revision)


def check(*, engine: Engine, source: Path) -> None:
    """Refuse ``source`` unless it is a chitieu backup for ``engine``'s kind of database.

    Cheap enough to run before asking a person to confirm the restore.
    """
    if backend(engine) == SQLITE:
        _sqlite.check(source)
    else:
        _postgresql.check(source)


def restore(*, engine: Engine, source: Path) -> Restored:
    """Replace the database's contents with the backup's, all at once or not at all."""
    kind = backend(engine)
    if kind == SQLITE:
        revision = _sqlite.restore(engine, source)
    else:
        revision = _postgresql.restore(engine, source)
    head = head_revision()
    return Restored(
        source=source, kind=kind, revision=revision, upgraded_to=head if revision != head else None
    )


def default_name(kind: str, now: datetime) -> str:
    return f"chitieu-{now:%Y%m%d-%H%M%S}{SUFFIXES[kind]}"


def _output_path(output: Path | str | None, kind: str, now: datetime) -> Path:
    if output is None:
        return Path(default_name(kind, now))
    path = Path(output)
    # "sao-luu/" names a folder, as it does for cp: made if missing, the file named inside.
    if isinstance(output, str) and output.endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        return path / default_name(kind, now)
    return path


def _check_output(engine: Engine, path: Path, *, overwrite: bool) -> None:
    if not path.parent.is_dir():
        raise InputError(f"{path}: không có thư mục {path.parent}")
    if path.is_dir():
        raise InputError(f"{path}: là một thư mục")
    if path.exists() and not overwrite:
        raise InputError(f"{path}: đã có tệp này, không ghi đè (ghi đè: --force)")
    live = engine.url.database if engine.url.get_backend_name() == SQLITE else None
    if live and path.resolve() == Path(live).resolve():
        raise InputError(f"{path}: là chính cơ sở dữ liệu, không sao lưu đè lên nó được")
