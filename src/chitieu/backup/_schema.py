"""What a backup holds: its kind from its first bytes, chitieu's tables, the schema revision.

Both backends' backups are their native formats (an SQLite database file, a
pg_dump custom archive), so that the usual tools can still read one in an
emergency; what makes one a chitieu backup is what is inside.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chitieu._database import current_revision, head_revision, known_revisions
from chitieu._errors import InputError
from chitieu._version import DataVersion

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
_MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}
# Tables every chitieu schema has had since the first revision.
_CORE_TABLES = frozenset(
    {"alembic_version", "indicator", "region", "plan", "target", "observation"}
)


def check_kind(path: Path, *, expected: str) -> None:
    """Refuse a missing file, a file that is no backup, or one of the other backend."""
    if not path.is_file():
        raise InputError(f"{path}: không có tệp sao lưu này", en=f"{path}: no such backup file")
    try:
        with path.open("rb") as handle:
            start = handle.read(16)
    except OSError as exc:
        raise InputError(f"{path}: không đọc được tệp sao lưu ({exc.strerror})") from exc
    found = next((kind for kind, magic in _MAGIC.items() if start.startswith(magic)), None)
    if found is None:
        raise not_a_backup(path)
    if found != expected:
        raise InputError(
            f"{path}: là bản sao lưu {NAMES[found]}, không khôi phục vào cơ sở dữ liệu "
            f"{NAMES[expected]} được"
        )


def not_a_backup(path: Path, why: str = "") -> InputError:
    return InputError(
        f"{path}: không phải bản sao lưu chitieu" + (f" ({why})" if why else ""),
        en=f"{path}: not a chitieu backup",
    )


def damaged(path: Path, detail: str) -> InputError:
    return InputError(
        f"{path}: tệp sao lưu bị cắt cụt hoặc hỏng ({detail}); chưa khôi phục gì",
        en=f"{path}: the backup file is truncated or damaged ({detail}); nothing was restored",
    )


def check_contents(path: Path, *, tables: set[str], revision: str | None) -> str:
    """The backup's schema revision, once sure it is chitieu's and one this version knows."""
    if not tables >= _CORE_TABLES or revision is None:
        raise not_a_backup(path, "không có các bảng của chitieu")
    if revision not in known_revisions():
        raise InputError(
            f"{path}: bản sao lưu có lược đồ {revision}, mới hơn phiên bản chitieu này "
            f"(tối đa {head_revision()}); hãy nâng cấp chitieu rồi khôi phục"
        )
    return revision


def data_version(engine: Engine) -> int:
    """The data version the database is at now (0 before it had one)."""
    current_revision(engine)  # one clear line if the database cannot be reached
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(DataVersion.__tablename__):
            return 0
        return int(connection.scalar(sa.select(DataVersion.version)) or 0)


def advance_version(engine: Engine, floor: int) -> None:
    """Move the data version past both the restored one and ``floor``.

    A running server keeps pages per data version; a restore that brought back
    an old number would let it serve pages drawn from the data just replaced.
    """
    column = DataVersion.version
    with engine.begin() as connection:
        connection.execute(
            sa.update(DataVersion).values(
                version=sa.case((column > floor, column), else_=floor) + 1
            )
        )
