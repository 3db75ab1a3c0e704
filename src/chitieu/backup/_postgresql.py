"""PostgreSQL: pg_dump's custom format, replayed by pg_restore in a single transaction.

pg_dump reads one snapshot and takes only locks that let the server go on
writing. A restore sends pg_restore's script to psql inside one transaction
that first drops every chitieu table (so tables a newer schema added do not
survive an older backup) and commits only if the whole script ran: a failure
anywhere leaves the database as it was.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import Engine

from chitieu._database import describe, head_revision, upgrade
from chitieu._errors import DatabaseError, InputError
from chitieu._models import Base
from chitieu._version import DataVersion
from chitieu.backup._files import publish, sibling_temp
from chitieu.backup._schema import (
    POSTGRESQL,
    advance_version,
    check_contents,
    check_kind,
    damaged,
    data_version,
    not_a_backup,
)

# A table entry of pg_restore --list: "221; 1259 18163 TABLE public agency owner".
_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")
# The schema itself is the target's; a restore must never drop or create it.
_SCHEMA = re.compile(r"^\d+; \d+ \d+ (SCHEMA|COMMENT - SCHEMA) ")


def tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, or else the newest Debian installs."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if versions:
        return str(versions[-1])
    raise DatabaseError(f"không tìm thấy {name}: hãy cài gói postgresql-client")


def backup(engine: Engine, output: Path) -> None:
    schema = schema_of(engine)
    conninfo, env = _libpq(engine)
    with sibling_temp(output) as temp:
        pattern = '"' + schema.replace('"', '""') + '"'
        _run(
            [
                tool("pg_dump"),
                "--format=custom",
                f"--schema={pattern}",
                f"--file={temp}",
                f"--dbname={conninfo}",
            ],
            env=env,
            failure=f"không sao lưu được {describe(engine)}",
        )
        publish(temp, output)


def check(source: Path) -> tuple[str, str, set[str], str]:
    """Refuse a file that is no chitieu backup; its table of contents, schema, tables, revision."""
    check_kind(source, expected=POSTGRESQL)
    toc = _run([tool("pg_restore"), "--list", str(source)], failure="", damaged_file=source)
    schema, tables = _tables(toc, source)
    revision = check_contents(source, tables=tables, revision=_revision(source, schema))
    return toc, schema, tables, revision


def restore(engine: Engine, source: Path) -> str:
    """Replace the chitieu tables' contents with ``source``'s; the backup's schema revision."""
    toc, schema, tables, revision = check(source)
    pg_restore = tool("pg_restore")
    # The whole file is read once before anything is touched: a truncated one fails here.
    _run([pg_restore, f"--file={os.devnull}", str(source)], failure="", damaged_file=source)
    target = schema_of(engine)
    if schema != target:
        raise InputError(
            f'{source}: bản sao lưu của lược đồ PostgreSQL "{schema}", '
            f'cơ sở dữ liệu đích dùng lược đồ "{target}"'
        )
    floor = data_version(engine)
    _replay(
        engine, source, toc=toc, schema=schema, floor=floor, has_version="data_version" in tables
    )
    if revision != head_revision():
        upgrade(engine)
        advance_version(engine, floor)
    return revision


def schema_of(engine: Engine) -> str:
    """The schema chitieu's tables are in (the first one on the search path)."""
    try:
        with engine.connect() as connection:
            schema = connection.scalar(sa.text("select current_schema()"))
    except sa.exc.OperationalError as exc:
        raise DatabaseError(f"không kết nối được cơ sở dữ liệu {describe(engine)}") from exc
    if not schema:
        raise DatabaseError(
            f"{describe(engine)}: đường tìm lược đồ (search_path) không có lược đồ nào"
        )
    return str(schema)


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The URL as libpq takes it; the password goes in the environment, not on a command line."""
    url = engine.url
    parts: dict[str, str | int | None] = {"host": url.host, "port": url.port, "user": url.username}
    parts["dbname"] = url.database
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return make_conninfo("", **{k: v for k, v in parts.items() if v is not None}), env


def _run(
    command: list[str],
    *,
    failure: str,
    env: dict[str, str] | None = None,
    damaged_file: Path | None = None,
) -> str:
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        check=False,
    )
    if done.returncode != 0:
        detail = _first_error(done.stderr)
        if damaged_file is not None:
            raise damaged(damaged_file, detail)
        raise DatabaseError(f"{failure}: {detail}")
    return done.stdout


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["không rõ lỗi"])[0]


def _tables(toc: str, source: Path) -> tuple[str, set[str]]:
    """The schema the backup's alembic_version is in, and that schema's tables."""
    entries = [match.groups() for line in toc.splitlines() if (match := _TABLE.match(line))]
    schemas = {schema for schema, name in entries if name == "alembic_version"}
    if len(schemas) != 1:
        raise not_a_backup(
            source, "không có bảng alembic_version" if not schemas else "nhiều lược đồ"
        )
    (schema,) = schemas
    return schema, {name for in_schema, name in entries if in_schema == schema}


def _revision(source: Path, schema: str) -> str | None:
    script = _run(
        [
            tool("pg_restore"),
            "--data-only",
            f"--schema={schema}",
            "--table=alembic_version",
            "--file=-",
            str(source),
        ],
        failure="",
        damaged_file=source,
    )
    lines = script.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("COPY ")), None)
    if start is None or start + 1 >= len(lines) or lines[start + 1] == "\\.":
        return None
    return lines[start + 1].strip()


def _replay(
    engine: Engine, source: Path, *, toc: str, schema: str, floor: int, has_version: bool
) -> None:
    conninfo, env = _libpq(engine)
    with tempfile.TemporaryDirectory() as work:
        listing = Path(work) / "toc.list"
        listing.write_text(_without_schema(toc), encoding="utf-8")
        reader_command = [tool("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        reader_command += ["--no-privileges", f"--use-list={listing}", "--file=-", str(source)]
        writer_command = [tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
        writer_command += ["--file=-", f"--dbname={conninfo}"]
        with tempfile.TemporaryFile() as reader_errors, tempfile.TemporaryFile() as writer_errors:
            reader = subprocess.Popen(reader_command, stdout=subprocess.PIPE, stderr=reader_errors)
            writer = subprocess.Popen(
                writer_command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=writer_errors,
                env=env,
            )
            epilogue = _epilogue(engine, schema, floor if has_version else None)
            _pipe(reader, writer, prelude=_prelude(engine, schema), epilogue=epilogue)
            # psql first: when it stops at an error, pg_restore dies of the closed pipe.
            if writer.returncode != 0:
                raise DatabaseError(
                    f"không khôi phục được {source} vào {describe(engine)}: "
                    f"{_first_error(_read(writer_errors))}; cơ sở dữ liệu giữ nguyên"
                )
            if reader.returncode != 0:
                raise damaged(source, _first_error(_read(reader_errors)))


def _pipe(
    reader: subprocess.Popen[bytes], writer: subprocess.Popen[bytes], *, prelude: str, epilogue: str
) -> None:
    """pg_restore's script between ours; COMMIT only once pg_restore has finished well.

    Without the COMMIT, psql ends inside the transaction and the server rolls it back.
    """
    assert reader.stdout is not None and writer.stdin is not None
    try:
        writer.stdin.write(prelude.encode())
        shutil.copyfileobj(reader.stdout, writer.stdin)
        if reader.wait() == 0:
            writer.stdin.write(epilogue.encode())
    except BrokenPipeError:
        pass  # psql stopped at an error; its exit code and message say which
    finally:
        with contextlib.suppress(BrokenPipeError):
            writer.stdin.close()
        reader.stdout.close()
        reader.wait()
        writer.wait()


def _read(handle: IO[bytes]) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace")


def _without_schema(toc: str) -> str:
    return "\n".join(f";{line}" if _SCHEMA.match(line) else line for line in toc.splitlines())


def _prelude(engine: Engine, schema: str) -> str:
    quote = engine.dialect.identifier_preparer.quote
    names = sorted({*Base.metadata.tables, "alembic_version"})
    tables = ", ".join(f"{quote(schema)}.{quote(name)}" for name in names)
    return f"SET client_min_messages = warning;\nBEGIN;\nDROP TABLE IF EXISTS {tables} CASCADE;\n"


def _epilogue(engine: Engine, schema: str, floor: int | None) -> str:
    quote = engine.dialect.identifier_preparer.quote
    bump = ""
    if floor is not None:
        table = f"{quote(schema)}.{quote(DataVersion.__tablename__)}"
        bump = f"UPDATE {table} SET version = GREATEST(version, {int(floor)}) + 1;\n"
    return f"{bump}COMMIT;\n"
