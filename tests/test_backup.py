"""Backups and restores on both databases: every table comes back, bad files change nothing."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from chitieu import InputError
from chitieu._database import (
    alembic_config,
    allow_concurrent_readers,
    create_engine,
    current_revision,
    describe,
    head_revision,
    upgrade,
)
from chitieu._models import Base
from chitieu._version import raise_version
from chitieu.backup import service
from chitieu.backup.cli import human_size
from chitieu.cli import build_app
from tests.conftest import BACKENDS
from tests.test_cli import chitieu as run_chitieu

both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

TABLES = sorted(Base.metadata.tables)


def snapshot(engine: Engine, *, like: Engine | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every chitieu table, and the schema revision, in a stable order.

    With ``like``, only the columns that database's tables have (an older schema).
    """
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        present = set(sa.inspect(connection).get_table_names())
        if like is not None:
            present &= set(sa.inspect(like).get_table_names())
        for name in [*TABLES, "alembic_version"]:
            if name not in present:
                continue
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            kept = (
                list(table.columns)
                if like is None
                else [
                    table.columns[column["name"]] for column in sa.inspect(like).get_columns(name)
                ]
            )
            found = connection.execute(sa.select(*kept)).all()
            rows[name] = sorted((tuple(row) for row in found), key=repr)
    return rows


def snapshot_of(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return snapshot(engine)
    finally:
        engine.dispose()


def without_version(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {name: found for name, found in rows.items() if name != "data_version"}


def version_of(rows: dict[str, list[tuple[Any, ...]]]) -> int:
    ((_, version),) = rows["data_version"]
    return int(version)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def suffix(engine: Engine) -> str:
    return service.SUFFIXES[service.backend(engine)]


def cli(*args: str, db: str, answer: str | None = None) -> Any:
    return CliRunner().invoke(build_app(), ["--db", db, *args], input=answer)


def change_everything(engine: Engine) -> None:
    """Edits, deletions and additions across tables, counted as the server would count them."""
    with engine.begin() as connection:
        connection.execute(sa.text("update indicator set name_vi = 'đã sửa'"))
        connection.execute(sa.text("delete from task_update"))
        connection.execute(sa.text("delete from validation_finding"))
        connection.execute(sa.text("delete from conflict_choice"))
        connection.execute(sa.text("delete from observation"))
        connection.execute(
            sa.text(
                "insert into audit_entry (at, actor, action, entity) "
                "values (current_timestamp, 'test', 'change', 'everything')"
            )
        )
        raise_version(connection)
        raise_version(connection)


def assert_restored(engine: Engine, before: dict[str, list[tuple[Any, ...]]], seen: int) -> None:
    after = snapshot(engine)
    assert set(after) == {*TABLES, "alembic_version"}
    assert without_version(after) == without_version(before)
    # The data version moves on, past what a running server has seen, so that
    # none of its kept pages is taken for the restored data.
    assert version_of(after) > max(seen, version_of(before))


@both
def test_a_cli_round_trip_brings_back_every_row_of_every_table(loaded, tmp_path):
    before = snapshot(loaded)
    assert before["observation"] and before["indicator"] and before["alembic_version"]
    target = tmp_path / f"backup{suffix(loaded)}"

    made = cli("backup", str(target), db=url_of(loaded))

    assert made.exit_code == 0, made.output
    assert target.is_file()
    assert str(target) in made.output and describe(loaded) in made.output
    assert human_size(target.stat().st_size, "vi") in made.output
    assert f"lược đồ {head_revision()}" in made.output
    change_everything(loaded)
    changed = snapshot(loaded)
    assert without_version(changed) != without_version(before)

    restored = cli("restore", str(target), "--yes", db=url_of(loaded))

    assert restored.exit_code == 0, restored.output
    assert "Đã khôi phục" in restored.output
    assert_restored(loaded, before, seen=version_of(changed))
    # Sequences came back too: a new row does not collide with a restored one.
    with loaded.begin() as connection:
        connection.execute(
            sa.text(
                "insert into audit_entry (at, actor, action, entity) "
                "values (current_timestamp, 'test', 'after', 'restore')"
            )
        )


@both
def test_the_service_round_trip_reports_what_it_wrote(loaded, tmp_path):
    before = snapshot(loaded)
    made = service.backup(engine=loaded, output=tmp_path)

    assert made.path.parent == tmp_path
    assert made.path.name.startswith("chitieu-") and made.path.suffix == suffix(loaded)
    assert made.size == made.path.stat().st_size > 0
    assert (made.kind, made.revision) == (service.backend(loaded), head_revision())
    change_everything(loaded)
    seen = version_of(snapshot(loaded))

    done = service.restore(engine=loaded, source=made.path)

    assert (done.revision, done.upgraded_to) == (head_revision(), None)
    assert_restored(loaded, before, seen=seen)


@both
def test_restoring_asks_first_and_a_no_changes_nothing(loaded, tmp_path):
    made = service.backup(engine=loaded, output=tmp_path / f"b{suffix(loaded)}")
    change_everything(loaded)
    changed = snapshot(loaded)

    answered = cli("restore", str(made.path), db=url_of(loaded), answer="n\n")

    assert answered.exit_code != 0
    assert snapshot(loaded) == changed


@both
def test_a_backup_is_not_written_over_an_existing_file_without_force(loaded, tmp_path):
    target = tmp_path / f"b{suffix(loaded)}"
    target.write_bytes(b"keep me")

    refused = cli("backup", str(target), db=url_of(loaded))
    forced = cli("backup", str(target), "--force", db=url_of(loaded))

    assert isinstance(refused.exception, InputError)
    assert str(target) in str(refused.exception) and "--force" in str(refused.exception)
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() != b"keep me"


# Bad files, made for a database of the backend under test.


def _random(path: Path, _own: Path, _other: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _empty(path: Path, _own: Path, _other: Path) -> None:
    path.write_bytes(b"")


def _half(path: Path, own: Path, _other: Path) -> None:
    data = own.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _tail_cut(path: Path, own: Path, _other: Path) -> None:
    path.write_bytes(own.read_bytes()[:-10])


def _other_backend(path: Path, _own: Path, other: Path) -> None:
    path.write_bytes(other.read_bytes())


def _foreign_sqlite(path: Path, _own: Path, _other: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("create table alembic_version (version_num text)")
        connection.execute("insert into alembic_version values ('abc123')")


NOT_CHITIEU = "không phải bản sao lưu chitieu"
DAMAGED = "bị cắt cụt hoặc hỏng"
OTHER_KIND = "không khôi phục vào cơ sở dữ liệu"
# What each bad file is, and what the refusal says on (SQLite, PostgreSQL).
BAD_FILES = {
    "random": (_random, (NOT_CHITIEU, NOT_CHITIEU)),
    "empty": (_empty, (NOT_CHITIEU, NOT_CHITIEU)),
    "half": (_half, (DAMAGED, DAMAGED)),
    "tail-cut": (_tail_cut, (DAMAGED, DAMAGED)),
    "other-backend": (_other_backend, (OTHER_KIND, OTHER_KIND)),
    "foreign-sqlite": (_foreign_sqlite, (NOT_CHITIEU, OTHER_KIND)),
}


@pytest.fixture
def other_backup(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A real chitieu backup of the other backend than the one under test."""
    if database_url.startswith("sqlite"):
        url = _scratch_postgres(request.getfixturevalue("postgres_server"), request)
        return _fresh_backup(url, tmp_path / "other.pgdump")
    return _fresh_backup(f"sqlite:///{tmp_path / 'other.db'}", tmp_path / "other.sqlite")


def _scratch_postgres(server: Engine, request: pytest.FixtureRequest) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    autocommit = server.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as connection:
        connection.execute(sa.text(f'create database "{name}"'))

    def drop() -> None:
        with autocommit.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))

    request.addfinalizer(drop)
    return make_url(url_of(server)).set(database=name).render_as_string(hide_password=False)


def _fresh_backup(url: str, output: Path) -> Path:
    engine = create_engine(url)
    try:
        upgrade(engine)
        return service.backup(engine=engine, output=output).path
    finally:
        engine.dispose()


@both
@pytest.mark.parametrize("bad", sorted(BAD_FILES))
def test_a_file_that_is_not_a_backup_of_the_right_kind_is_refused_and_nothing_changes(
    loaded, tmp_path, other_backup, bad
):
    own = service.backup(engine=loaded, output=tmp_path / f"own{suffix(loaded)}").path
    make, messages = BAD_FILES[bad]
    expected = messages[service.backend(loaded) == "postgresql"]
    path = tmp_path / f"bad-{bad}{suffix(loaded)}"
    make(path, own, other_backup)
    before = snapshot(loaded)
    files_before = sorted(tmp_path.iterdir())

    result = cli("restore", str(path), "--yes", db=url_of(loaded))

    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    message = str(result.exception)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert expected in message
    assert snapshot(loaded) == before
    assert sorted(tmp_path.iterdir()) == files_before  # no temporary file left behind


@both
def test_a_backup_of_a_newer_schema_is_refused_and_nothing_changes(loaded, tmp_path):
    with loaded.begin() as connection:
        connection.execute(sa.text("update alembic_version set version_num = '9999_future'"))
    newer = service.backup(engine=loaded, output=tmp_path / f"newer{suffix(loaded)}")
    with loaded.begin() as connection:
        connection.execute(sa.text(f"update alembic_version set version_num = '{head_revision()}'"))
    before = snapshot(loaded)

    with pytest.raises(InputError, match="mới hơn phiên bản chitieu này") as refused:
        service.restore(engine=loaded, source=newer.path)

    assert str(newer.path) in str(refused.value) and "9999_future" in str(refused.value)
    assert newer.revision == "9999_future"
    assert snapshot(loaded) == before


@both
def test_a_backup_of_an_older_schema_is_restored_then_upgraded(loaded, tmp_path):
    previous = "0004"
    command.downgrade(alembic_config(loaded), previous)
    old = snapshot(loaded)
    assert "data_version" not in old
    made = service.backup(engine=loaded, output=tmp_path / f"old{suffix(loaded)}")
    old_schema = create_engine(f"sqlite:///{tmp_path / 'old_schema.db'}")
    upgrade(old_schema, previous)
    upgrade(loaded)
    change_everything(loaded)
    seen = version_of(snapshot(loaded))

    done = service.restore(engine=loaded, source=made.path)

    assert (made.revision, done.revision, done.upgraded_to) == (previous, previous, head_revision())
    assert current_revision(loaded) == head_revision()
    after = snapshot(loaded, like=old_schema)
    old_schema.dispose()
    assert {name: after[name] for name in old if name != "alembic_version"} == {
        name: rows for name, rows in old.items() if name != "alembic_version"
    }
    # The table the newer schema adds was made again by the upgrade, past the version seen.
    assert version_of(snapshot(loaded)) > seen


def test_restoring_into_a_new_sqlite_file_creates_it(loaded, tmp_path):
    made = service.backup(engine=loaded, output=tmp_path / "b.sqlite")
    (tmp_path / "new").mkdir()
    fresh = create_engine(f"sqlite:///{tmp_path / 'new' / 'chitieu.db'}")
    try:
        service.restore(engine=fresh, source=made.path)
        assert without_version(snapshot(fresh)) == without_version(snapshot(loaded))
    finally:
        fresh.dispose()


def test_a_restore_into_a_wal_database_with_another_page_size_takes_its_page_size(loaded, tmp_path):
    made = service.backup(engine=loaded, output=tmp_path / "b.sqlite")
    path = Path(make_url(url_of(loaded)).database or "")
    loaded.dispose()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA page_size=8192")
        connection.execute("VACUUM")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("update indicator set name_vi = 'đã sửa'")
        connection.commit()
    changed = snapshot(loaded)

    service.restore(engine=loaded, source=made.path)

    after = snapshot(loaded)
    assert after["indicator"] != changed["indicator"]
    assert without_version(after) == without_version(snapshot_of(made.path))
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA page_size").fetchone() == (8192,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_refused_restore_into_a_missing_sqlite_file_does_not_create_it(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a backup", encoding="utf-8")
    missing = tmp_path / "missing.db"

    result = cli("restore", str(junk), "--yes", db=str(missing))

    assert isinstance(result.exception, InputError)
    assert not missing.exists()


# Backups taken while others write.


def _mark(connection: sa.Connection, tick: int) -> None:
    """One writer transaction touches two tables: a torn copy would show them disagree."""
    connection.execute(
        sa.text(
            "insert into audit_entry (at, actor, action, entity, entity_id) "
            "values (current_timestamp, 'writer', 'tick', 'test', :tick)"
        ),
        {"tick": str(tick)},
    )
    connection.execute(
        sa.text("update indicator set name_en = :name where code = 'GRDP_GROWTH'"),
        {"name": f"tick {tick}"},
    )


def _ticks(engine: Engine) -> tuple[list[int], str]:
    with engine.connect() as connection:
        ticks = connection.scalars(
            sa.text("select entity_id from audit_entry where actor = 'writer'")
        ).all()
        name = connection.scalar(
            sa.text("select name_en from indicator where code = 'GRDP_GROWTH'")
        )
    return sorted(int(tick) for tick in ticks), str(name)


@pytest.fixture
def live(loaded: Engine) -> Iterator[Engine]:
    """The loaded database as the server keeps it (SQLite in WAL mode)."""
    allow_concurrent_readers(loaded)
    yield loaded


@both
def test_a_backup_does_not_wait_for_nor_see_a_transaction_still_open(live, tmp_path):
    with live.connect() as writer:
        writer.begin()
        _mark(writer, 1)
        made = service.backup(engine=live, output=tmp_path / f"b{suffix(live)}")
        _mark(writer, 2)
        writer.commit()
    assert _ticks(live) == ([1, 2], "tick 2")

    service.restore(engine=live, source=made.path)

    ticks, name = _ticks(live)
    assert ticks == [] and not name.startswith("tick")


@both
def test_a_backup_taken_while_another_connection_writes_is_consistent(live, tmp_path):
    done: list[int] = []
    progressed = threading.Condition()
    stop = threading.Event()

    def write() -> None:
        tick = 0
        while not stop.is_set():
            tick += 1
            with live.begin() as connection:
                _mark(connection, tick)
            with progressed:
                done.append(tick)
                progressed.notify_all()

    def wait_for(count: int) -> None:
        with progressed:
            assert progressed.wait_for(lambda: len(done) >= count or not writer.is_alive())
        assert writer.is_alive(), "the writer stopped"

    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_for(3)
        made = service.backup(engine=live, output=tmp_path / f"b{suffix(live)}")
        started = len(done)
        wait_for(started + 3)  # the writer went on after the backup
    finally:
        stop.set()
        writer.join()

    service.restore(engine=live, source=made.path)

    ticks, name = _ticks(live)
    assert ticks, "the backup holds the writes committed before it"
    assert ticks == list(range(1, len(ticks) + 1))
    assert name == f"tick {ticks[-1]}"
    assert len(ticks) < len(done)


# The command as a person runs it.


@both
def test_the_command_names_a_bad_file_in_one_line_and_exits_non_zero(database_url, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00garbage" * 100)

    result = run_chitieu("restore", str(junk), "--yes", db=database_url)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Lỗi: {junk}: không phải bản sao lưu chitieu"], result.stderr
