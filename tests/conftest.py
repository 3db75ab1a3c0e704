"""Fixtures built by code: databases on both backends, the loaded dataset, the shared corpus.

Every storage test runs on SQLite and on the PostgreSQL server at
127.0.0.1:5432 (database ``test``; a loaded dataset is a database of its own,
cloned from one loaded per session). The PostgreSQL tests fail — never skip —
when the server cannot be reached.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from chitieu import load_folder
from chitieu._database import create_engine, transaction, upgrade

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHITIEU_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
POSTGRES_SERVER = os.environ.get(
    "CHITIEU_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def corpus_text(name_prefix: str) -> str:
    """The text of a corpus document, read from ../shared (never copied into the repo)."""
    matches = sorted(CORPUS.glob(f"{name_prefix}*"))
    assert matches, f"the corpus document {name_prefix}… is missing from {CORPUS}"
    return matches[0].read_text(encoding="utf-8")


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    engine = sa.create_engine(POSTGRES_SERVER)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_SERVER} is required and unreachable: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on the backend the test is parametrised with."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'chitieu.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with server.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with server.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A database at the current schema."""
    engine = create_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with transaction(engine) as session:
        yield session


def _load_embedded(url: str) -> None:
    engine = create_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        load_folder(session, documents=CORPUS)
    engine.dispose()


@pytest.fixture(scope="session")
def _loaded_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded dataset loaded once into a file that each test gets a copy of."""
    path = tmp_path_factory.mktemp("template") / "loaded.db"
    _load_embedded(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _loaded_postgres_database(postgres_server: Engine) -> Iterator[str]:
    """The embedded dataset loaded once into a database that each test clones."""
    name = f"chitieu_tpl_{uuid.uuid4().hex[:12]}"
    server = postgres_server.execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'create database "{name}"'))
    try:
        _load_embedded(_database_url(name))
        yield name
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))


def _database_url(name: str) -> str:
    return str(make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False))


@pytest.fixture
def loaded(request: pytest.FixtureRequest, database_url: str) -> Iterator[Engine]:
    """The embedded dataset with the corpus texts attached (spans checked on load).

    Loaded once per backend and copied for each test: the copy is what a load
    gives, in a fraction of the time.
    """
    if database_url.startswith("sqlite"):
        target = Path(make_url(database_url).database or "")
        shutil.copyfile(request.getfixturevalue("_loaded_sqlite_file"), target)
        engine = create_engine(database_url)
        yield engine
        engine.dispose()
        return
    template = request.getfixturevalue("_loaded_postgres_database")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server = request.getfixturevalue("postgres_server").execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(sa.text(f'create database "{name}" template "{template}"'))
    engine = create_engine(_database_url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))


@pytest.fixture(scope="session")
def loaded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One loaded SQLite database shared by read-only tests."""
    path = tmp_path_factory.mktemp("loaded") / "chitieu.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        load_folder(session, documents=CORPUS)
    yield engine
    engine.dispose()


# CI runs the same examples every time; locally hypothesis may explore.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
_hypothesis_settings.register_profile("dev", deadline=None)
_hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")

from tests._pgcluster import pg_cluster  # noqa: E402,F401  (a private cluster to stop and start)
from tests.webkit import web  # noqa: E402,F401  (a fixture shared by the web tests)
