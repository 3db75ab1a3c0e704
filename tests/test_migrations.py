"""Migrations on both databases: from empty, from the previous head, and refusals."""

import shutil

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from chitieu import EMBEDDED, DatabaseError, load_folder, open_database, transaction
from chitieu._database import (
    alembic_config,
    create_engine,
    current_revision,
    head_revision,
    newest_migration,
    upgrade,
)
from chitieu._models import Base
from tests.conftest import BACKENDS

# Dataset tables whose database tables the newest migration adds.
NEW_IN_HEAD: tuple[str, ...] = ()
# Rows the newest migration writes itself into the tables it adds.
SEEDED_BY_HEAD: dict[str, int] = {}

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def _revisions_oldest_first() -> list[str]:
    scripts = ScriptDirectory.from_config(alembic_config(sa.create_engine("sqlite://")))
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


def test_the_newest_file_name_is_alembics_head(database_url):
    # Opening a database compares its revision with the newest file name, not Alembic's
    # head, so that every command does not import Alembic (issue 17).
    del database_url
    assert newest_migration() == head_revision() == _revisions_oldest_first()[-1]


def test_an_empty_database_upgrades_to_a_schema_equal_to_the_models(database_url):
    engine = create_engine(database_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_at_the_previous_head_upgrades_and_keeps_its_rows(database_url, tmp_path):
    revisions = _revisions_oldest_first()
    previous = revisions[-2]
    engine = create_engine(database_url)
    upgrade(engine)
    # A populated database, with every kind of reference, is what upgrades must survive.
    # Rows are loaded through today's models, then the schema is taken back to the
    # previous head, which gives them the shape that head wrote them in.
    # Tables the previous head lacks are left out of the copy it loads.
    folder = tmp_path / "dataset"
    shutil.copytree(EMBEDDED, folder)
    for table in NEW_IN_HEAD:
        for path in folder.glob(f"{table}*.csv"):
            path.unlink()
    with transaction(engine) as session:
        load_folder(session, folder=folder)
    command.downgrade(alembic_config(engine), previous)
    assert current_revision(engine) == previous
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                'insert into indicator (code, "group", name_vi, name_en, unit, direction, merge_rule)'
                " values ('X', 'economy', 'Chỉ tiêu X', 'X', '%', 'higher', 'recompute')"
            )
        )
    before = _row_counts(engine)
    upgrade(engine)
    after = _row_counts(engine)
    with engine.connect() as connection:
        kept = (
            connection.execute(sa.text("select name_vi from indicator where code = 'X'"))
            .scalars()
            .all()
        )
        revision = current_revision(engine)
    assert {name: after[name] for name in before} == before
    assert {name: after[name] for name in set(after) - set(before)} == SEEDED_BY_HEAD
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.text(
                'insert into indicator (code, "group", name_vi, name_en, unit, direction, merge_rule)'
                " values ('Y', 'economy', 'Y', 'Y', '%', 'sideways', 'recompute')"
            )
        )
    engine.dispose()
    assert revision == head_revision()
    assert kept == ["Chỉ tiêu X"]


def _row_counts(engine) -> dict[str, int]:
    """Rows of every table the schema has (an older revision lacks the newer tables)."""
    with engine.connect() as connection:
        present = set(sa.inspect(connection).get_table_names())
        return {
            table.name: connection.execute(
                sa.select(sa.func.count()).select_from(table)
            ).scalar_one()
            for table in Base.metadata.sorted_tables
            if table.name in present
        }


# 0002 adds CHECK constraints: a row that breaks one makes that migration fail.
BEFORE_CHECKS = "0001"


def test_a_failed_migration_leaves_no_trace(database_url):
    engine = create_engine(database_url)
    upgrade(engine, BEFORE_CHECKS)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                'insert into indicator (code, "group", name_vi, name_en, unit, direction, merge_rule)'
                " values ('Y', 'economy', 'Y', 'Y', '%', 'sideways', 'recompute')"
            )
        )
    before = _row_counts(engine)
    with pytest.raises(sa.exc.IntegrityError):
        upgrade(engine)
    assert current_revision(engine) == BEFORE_CHECKS
    assert _row_counts(engine) == before
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
    engine.dispose()
    assert not [name for name in tables if name.startswith("_alembic_tmp")]


def test_a_database_from_a_newer_version_is_refused_and_left_alone(database_url):
    engine = create_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("update alembic_version set version_num = '9999'"))
    with pytest.raises(DatabaseError, match="9999.*mới hơn"):
        open_database(database_url)
    assert current_revision(engine) == "9999"
    engine.dispose()


def test_0008_adds_the_document_model_and_the_cues_to_rows_kept_as_they_were(database_url):
    engine = create_engine(database_url)
    upgrade(engine, "0007")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "insert into source_document (id, key, title, kind, added_at)"
                " values (1, 'bc', 'Báo cáo', 'txt', '2024-01-02 03:04:05')"
            )
        )
        connection.execute(
            sa.text(
                "insert into extracted_figure (source_document_id, span_start, span_end, text,"
                " value, unit, status, measure, extracted_by, extracted_at, review_state)"
                " values (1, 5, 9, '7,2%', 7.2, '%', 'actual', 'level', 't',"
                " '2024-01-02 03:04:05', 'pending')"
            )
        )
    upgrade(engine, "0008")
    with engine.connect() as connection:
        document = connection.execute(
            sa.text(
                "select key, read_on, read_periods, read_kind, read_provinces from source_document"
            )
        ).one()
        figure = connection.execute(
            sa.text("select value, confidence, why from extracted_figure")
        ).one()
    assert tuple(document) == ("bc", None, None, None, None)
    assert tuple(figure) == (7.2, None, None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "update source_document set read_kind = 'statistics', read_year = 2019,"
                " read_periods = '2019-M09,2019-Q3', read_provinces = 'Trà Vinh'"
            )
        )
        connection.execute(
            sa.text("update extracted_figure set confidence = 0.5, why = :why"),
            {"why": '{"period": {"cue": "kỳ: tiêu đề", "confidence": 0.5}}'},
        )
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.text("update source_document set read_kind = 'poem'"))
    command.downgrade(alembic_config(engine), "0007")
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("extracted_figure")}
        kept = connection.execute(sa.text("select count(*) from extracted_figure")).scalar_one()
        titles = connection.execute(sa.text("select title from source_document")).scalars().all()
    engine.dispose()
    assert "why" not in columns and "confidence" not in columns
    assert (kept, titles) == (1, ["Báo cáo"])
