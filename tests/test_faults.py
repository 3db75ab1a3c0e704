"""Faults, caused for real: a command killed mid-transaction, the database server
going away under the web app, two planners correcting one figure at once, a full disk.

Every fault is caused, not simulated: ``kill -9`` of the real CLI while the
database shows it holding a write lock, a private PostgreSQL cluster stopped
and started again, two sessions racing on the PostgreSQL server, and a small
tmpfs that SQLite runs out of.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from chitieu import (
    EMBEDDED,
    correct_observation,
    get_indicator,
    list_observations,
    load_folder,
    revisions,
)
from chitieu._database import allow_concurrent_readers, create_engine, transaction, upgrade
from chitieu._errors import StateError
from chitieu._settings import Settings
from chitieu.extraction import review
from chitieu.extraction.models import ExtractedFigure
from chitieu.extraction.service import ingest_file, pending_figures
from chitieu.observation.models import Observation
from chitieu.submission.entry import correct_figure, enter_figure
from chitieu.user.models import User
from chitieu.user.service import Actor, actor_of, create_user, issue_token
from chitieu.web import create_app
from tests._pgcluster import Cluster, free_port
from tests.conftest import BACKENDS, CORPUS, POSTGRES_SERVER, corpus_text
from tests.webkit import PASSWORD, make_users, page_csrf

# The bound of every wait below: a safety net against a hung test, never a speed check.
PATIENCE = 120.0


def _environment() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("CHITIEU_DATABASE_URL", None)
    return env


def chitieu(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "chitieu", "--db", db, *args],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=600,
        check=False,
    )


def started(db: str, args: list[str] | tuple[str, ...]) -> subprocess.Popen[str]:
    """The real command, running in the background; its errors kept for the message."""
    return subprocess.Popen(
        [sys.executable, "-m", "chitieu", "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_environment(),
        text=True,
    )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


# --- databases the CLI writes to ------------------------------------------------------


@dataclass
class Database:
    """A database for one run of the CLI, with a way to tell that run is inside a write."""

    backend: str
    url: str
    engine: Engine
    application: str = field(default_factory=lambda: f"chitieu_fault_{uuid.uuid4().hex[:10]}")

    @property
    def cli_url(self) -> str:
        """The URL the CLI gets: on PostgreSQL its connections carry a name we can find."""
        if self.backend == "sqlite":
            return self.url
        url = make_url(self.url).update_query_dict({"application_name": self.application})
        return url.render_as_string(hide_password=False)

    @property
    def path(self) -> Path:
        return Path(make_url(self.url).database or "")

    def writing(self) -> bool:
        """Whether the CLI holds a write transaction open right now."""
        return self._sqlite_writing() if self.backend == "sqlite" else self._postgres_writing()

    def _sqlite_writing(self) -> bool:
        # The rollback journal has content only while a write transaction is open; the
        # lock a second connection cannot take proves it is not one left by a crash.
        journal = self.path.with_name(self.path.name + "-journal")
        try:
            if journal.stat().st_size == 0:
                return False
        except FileNotFoundError:
            return False
        probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        finally:
            probe.close()

    def _postgres_writing(self) -> bool:
        # A backend of the CLI inside a transaction, holding the lock INSERT and UPDATE take.
        query = sa.text(
            "select count(*) from pg_stat_activity a join pg_locks l on l.pid = a.pid "
            "where a.application_name = :name and a.xact_start is not null "
            "and l.locktype = 'relation' and l.mode = 'RowExclusiveLock' and l.granted"
        )
        with self.engine.connect() as connection:
            return bool(connection.scalar(query, {"name": self.application}))

    def settled(self) -> bool:
        """No backend of the killed CLI is left (PostgreSQL rolls its transaction back)."""
        if self.backend == "sqlite":
            return True
        query = sa.text("select count(*) from pg_stat_activity where application_name = :name")
        with self.engine.connect() as connection:
            return not connection.scalar(query, {"name": self.application})


@dataclass
class Databases:
    """Makes databases for a test on one backend and drops them afterwards."""

    backend: str
    tmp_path: Path
    request: pytest.FixtureRequest
    made: list[Database] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def empty(self) -> Database:
        """A database at the current schema with nothing in it."""
        if self.backend == "sqlite":
            url = f"sqlite:///{self.tmp_path / f'empty_{len(self.made)}.db'}"
        else:
            url = self._postgres_database("")
        database = self._open(url)
        upgrade(database.engine)
        return database

    def loaded(self) -> Database:
        """A copy of the embedded dataset, loaded with the corpus texts."""
        if self.backend == "sqlite":
            target = self.tmp_path / f"loaded_{len(self.made)}.db"
            shutil.copyfile(self.request.getfixturevalue("_loaded_sqlite_file"), target)
            return self._open(f"sqlite:///{target}")
        template = self.request.getfixturevalue("_loaded_postgres_database")
        return self._open(self._postgres_database(f' template "{template}"'))

    def _open(self, url: str) -> Database:
        database = Database(self.backend, url, create_engine(url))
        self.made.append(database)
        return database

    def _postgres_database(self, clause: str) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        server = self.request.getfixturevalue("postgres_server")
        with server.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(sa.text(f'create database "{name}"{clause}'))
        self.dropped.append(name)
        return make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        for database in self.made:
            database.engine.dispose()
        if not self.dropped:
            return
        server = self.request.getfixturevalue("postgres_server")
        with server.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            for name in self.dropped:
                connection.execute(sa.text(f'drop database if exists "{name}" with (force)'))


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    made = Databases(request.param, tmp_path, request)
    yield made
    made.close()


# --- what a database holds -----------------------------------------------------------


_REFLECTED: weakref.WeakKeyDictionary[Engine, list[sa.Table]] = weakref.WeakKeyDictionary()


def _tables(engine: Engine) -> list[sa.Table]:
    """The database's tables, read once per engine (the schema stays put in these tests)."""
    if engine not in _REFLECTED:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        _REFLECTED[engine] = list(metadata.sorted_tables)
    return _REFLECTED[engine]


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in _tables(engine)
        }


def _comparable(column: sa.Column[object]) -> bool:
    """Columns two equal runs agree on: not row ids (PostgreSQL spends a sequence's
    numbers even in a transaction rolled back) and not the clock."""
    return not (
        column.name == "id" or column.name.endswith("_id") or isinstance(column.type, sa.DateTime)
    )


def contents(engine: Engine) -> dict[str, list[str]]:
    """Every table's rows, as sorted text of the columns two equal runs share."""
    found: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in _tables(engine):
            columns = [c for c in table.columns if _comparable(c)]
            rows = connection.execute(sa.select(*columns)) if columns else []
            found[table.name] = sorted(repr(tuple(row)) for row in rows)
    return found


# --- inputs large enough that the write takes a while ---------------------------------


def dataset_with_more_observations(folder: Path, extra: int) -> Path:
    """The embedded dataset plus ``extra`` monthly figures, made up but well formed."""
    shutil.copytree(EMBEDDED, folder)
    columns = ["indicator", "region", "period", "value", "unit", "status", "qualifier"]
    columns += ["doc", "start", "end", "text", "note"]
    with (folder / "observations_faults.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for number, (code, period) in enumerate(_monthly_series(extra)):
            value = f"{6 + number % 7 * 0.5}"
            writer.writerow([code, "bac_giang", period, value, "%", "actual", *[""] * 5, "test"])
    return folder


def _monthly_series(count: int) -> Iterator[tuple[str, str]]:
    """Growth-rate indicators of Bắc Giang by month from 1997, as many as asked."""
    codes = (
        "GRDP_GROWTH",
        "IIP_GROWTH",
        "LABOUR_PRODUCTIVITY_GROWTH",
        "GRDP_GROWTH_SERVICES",
        "GRDP_GROWTH_INDUSTRY",
        "GRDP_GROWTH_CONSTRUCTION",
    )
    made = 0
    for code in codes:
        for year in range(1997, 2025):
            for month in range(1, 13):
                if made == count:
                    return
                yield code, f"{year}-M{month:02d}"
                made += 1
    raise AssertionError(f"asked for {count} figures, only {made} exist")


def submission_workbook(path: Path, rows: int) -> Path:
    """An agency's submission in the template (docs/import-template.md), ``rows`` figures long."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Chỉ tiêu", "Địa bàn", "Kỳ", "Giá trị", "Đơn vị", "Loại số", "Ghi chú"])
    for number, (code, period) in enumerate(_monthly_series(rows)):
        value = f"{7 + number % 5 * 0.25:.2f}".replace(".", ",")
        sheet.append([code, "bac_giang", period, value, "%", "thực hiện", "sinh cho kiểm thử"])
    workbook.save(path)
    return path


def corpus_as_one_file(path: Path, copies: int) -> Path:
    """The corpus texts in one file, ``copies`` times over: one long ingest transaction."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    path.write_text("\n\n".join(texts * copies), encoding="utf-8")
    return path


# --- 1. kill -9 inside the write transaction ------------------------------------------


def kill_while_writing(database: Database, *args: str) -> None:
    """Run ``chitieu ARGS`` and SIGKILL it once it is seen inside its write transaction."""
    with started(database.cli_url, args) as process:
        try:
            _wait_until_writing(database, process, args[0])
            process.send_signal(signal.SIGKILL)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    wait_for(database.settled, "PostgreSQL to end the killed command's session")


def _wait_until_writing(database: Database, process: subprocess.Popen[str], name: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not database.writing():
        if process.poll() is not None:
            error = process.stderr.read() if process.stderr else ""
            pytest.fail(f"chitieu {name} ended ({process.returncode}) unseen writing: {error}")
        if time.monotonic() > deadline:
            pytest.fail(f"chitieu {name} was never seen writing")
        time.sleep(0.002)


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchone()
    connection.close()
    return str(result[0])


@dataclass(frozen=True)
class Command:
    """A writing command, the database it starts from, and its input made by code."""

    name: str
    start: str  # "empty" or "loaded"
    make_args: Callable[[Path, int], list[str]]
    # The input's size: extra observation rows, submission rows, copies of the corpus.
    size: int
    heavy_size: int


def _load_args(tmp: Path, extra: int) -> list[str]:
    folder = dataset_with_more_observations(tmp / "dataset", extra) if extra else EMBEDDED
    return ["load", str(folder), "--documents", str(CORPUS)]


def _import_args(tmp: Path, rows: int) -> list[str]:
    return ["import", str(submission_workbook(tmp / "so_lieu.xlsx", rows))]


def _ingest_args(tmp: Path, copies: int) -> list[str]:
    return ["ingest", str(corpus_as_one_file(tmp / "bao_cao.txt", copies))]


COMMANDS = [
    Command("load", "empty", _load_args, size=0, heavy_size=2000),
    Command("import", "loaded", _import_args, size=40, heavy_size=1000),
    Command("ingest", "loaded", _ingest_args, size=1, heavy_size=10),
]


def _start(databases: Databases, command: Command) -> Database:
    return databases.empty() if command.start == "empty" else databases.loaded()


def _check_kill_then_rerun(
    databases: Databases, tmp_path: Path, command: Command, size: int, kills: int
) -> None:
    args = command.make_args(tmp_path, size)
    reference = _start(databases, command)
    killed = _start(databases, command)
    before = contents(killed.engine)
    # The uninterrupted run goes on beside the interrupted ones, on its own database.
    with started(reference.url, args) as uninterrupted:
        for _ in range(kills):
            counts = row_counts(killed.engine)
            kill_while_writing(killed, *args)
            assert row_counts(killed.engine) == counts, f"chitieu {command.name} left partial rows"
            assert contents(killed.engine) == before
        _, error = uninterrupted.communicate(timeout=600)
    assert uninterrupted.returncode == 0, error
    if killed.backend == "sqlite":
        assert integrity(killed.path) == "ok"
    rerun = chitieu(*args, db=killed.url)
    assert rerun.returncode == 0, rerun.stderr
    assert row_counts(killed.engine) == row_counts(reference.engine)
    assert contents(killed.engine) == contents(reference.engine)
    assert contents(killed.engine) != before, "the rerun wrote nothing: the test proves nothing"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_kill_9_inside_the_write_leaves_nothing_and_the_rerun_completes(
    databases: Databases, tmp_path: Path, command: Command
) -> None:
    _check_kill_then_rerun(databases, tmp_path, command, command.size, kills=1)


@pytest.mark.heavy
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_three_kills_in_a_row_on_a_large_input_then_a_full_run(
    databases: Databases, tmp_path: Path, command: Command
) -> None:
    _check_kill_then_rerun(databases, tmp_path, command, command.heavy_size, kills=3)


# --- 2. the PostgreSQL server stopped and started under a running app ------------------

# The API says it in both languages; a page in the reader's one (Vietnamese by default).
UNAVAILABLE = "cơ sở dữ liệu tạm thời không truy cập được / database unavailable"
UNAVAILABLE_PAGE = "cơ sở dữ liệu tạm thời không truy cập được"


@contextmanager
def serving(url: str, log: Path) -> Iterator[str]:
    """``chitieu serve`` in its own process; its address while it runs."""
    port = free_port()
    with (
        log.open("w", encoding="utf-8") as errors,
        subprocess.Popen(
            [sys.executable, "-m", "chitieu", "--db", url, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=_environment(),
        ) as process,
    ):
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: _answers(base, process, log), "chitieu serve to answer")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=60)


def _answers(base: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    if process.poll() is not None:
        pytest.fail(f"chitieu serve ended ({process.returncode}): {log.read_text()[-2000:]}")
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def signed_in(base: str, username: str) -> Iterator[httpx.Client]:
    """A browser-like client with the person's session cookie."""
    with httpx.Client(base_url=base, timeout=60) as client:
        token = page_csrf(client.get("/login").text)
        answer = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 303, answer.text
        yield client


@dataclass
class Requests:
    """What a planner asks the served app for: pages, API reads, an API write."""

    browser: httpx.Client
    api: httpx.Client
    observation: int
    csrf: str

    def answers(self) -> dict[str, httpx.Response]:
        correction = {"value": 7.5, "note": "kiểm thử sự cố"}
        answers = {
            "overview page": self.browser.get("/overview"),
            "indicator page": self.browser.get("/indicators/GRDP_GROWTH"),
            "data entry page": self.browser.get("/entry"),
            "API observations": self.api.get("/api/v1/observations?indicator=GRDP_GROWTH"),
            "API me": self.api.get("/api/v1/me"),
            "API correction": self.api.post(
                f"/api/v1/observations/{self.observation}/correct", json=correction
            ),
        }
        sign_in = {"username": "planner", "password": PASSWORD, "csrf_token": self.csrf}
        answers["sign-in form"] = self.browser.post("/login", data=sign_in)
        if answers["sign-in form"].status_code == 303:
            # A new session, with a CSRF token of its own.
            self.csrf = page_csrf(self.browser.get("/tasks").text)
        return answers


@dataclass
class Served:
    """``chitieu serve`` on a private cluster holding the dataset and a planner."""

    cluster: Cluster
    base: str
    token: str
    observation: int


@pytest.fixture
def served(pg_cluster: Cluster, tmp_path: Path) -> Iterator[Served]:
    url = pg_cluster.create_database("chitieu")
    engine = create_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        load_folder(session, documents=CORPUS)
        planner = create_user(session, username="planner", password=PASSWORD, role="planner")
        token = issue_token(session, user=planner, name="faults", actor="tests")
    observation = current_figure(engine)
    engine.dispose()
    with serving(url, tmp_path / "serve.log") as base:
        yield Served(pg_cluster, base, token, observation)


@contextmanager
def planner_clients(served: Served) -> Iterator[Requests]:
    bearer = {"Authorization": f"Bearer {served.token}"}
    with (
        signed_in(served.base, "planner") as browser,
        httpx.Client(base_url=served.base, timeout=60, headers=bearer) as api,
    ):
        yield Requests(browser, api, served.observation, page_csrf(browser.get("/tasks").text))


# What each request gets while the database is up: pages, a redirect, a new revision.
WHEN_UP = {"sign-in form": 303, "API correction": 201}


def test_the_database_server_restarted_under_the_app_gives_503_then_recovers(
    served: Served,
) -> None:
    with planner_clients(served) as planner_asks:
        up = planner_asks.answers()
        assert {name: r.status_code for name, r in up.items()} == {
            **{name: 200 for name in up},
            **WHEN_UP,
        }
        planner_asks.observation = up["API correction"].json()["observation"]["id"]

        served.cluster.stop()
        down = planner_asks.answers()
        assert {name: r.status_code for name, r in down.items()} == {n: 503 for n in down}
        for name, response in down.items():
            said = UNAVAILABLE if name.startswith("API") else UNAVAILABLE_PAGE
            assert said in response.text, f"{name}: {response.text[:500]}"
        assert down["API me"].json() == {"detail": UNAVAILABLE}

        served.cluster.start()
        again = planner_asks.answers()
        assert {name: r.status_code for name, r in again.items()} == {
            name: up[name].status_code for name in up
        }
        assert again["API correction"].json()["replaced"] == planner_asks.observation


@pytest.mark.heavy
def test_restarts_under_a_stream_of_requests_give_only_200_or_503_then_recover(
    served: Served,
) -> None:
    """Four readers keep asking while the server is stopped (fast, then as a crash) and
    started again: every answer is a page or a 503, never a 500, a reset or a hang."""
    stop = threading.Event()
    phase = [0]
    seen: list[tuple[int, int]] = []
    failures: list[str] = []

    def read(path: str) -> None:
        try:
            with planner_clients(served) as planner_asks:
                client = planner_asks.api if path.startswith("/api") else planner_asks.browser
                for _ in range(20000):
                    if stop.is_set():
                        return
                    seen.append((phase[0], client.get(path).status_code))
                    time.sleep(0.02)  # a stream of readers, not a load test
        except Exception as exc:
            failures.append(f"{path}: {exc!r}")

    def answered(status: int) -> Callable[[], bool]:
        return lambda: bool(failures) or seen.count((phase[0], status)) >= 10

    paths = ["/overview", "/indicators/GRDP_GROWTH", "/api/v1/observations", "/api/v1/me"]
    readers = [threading.Thread(target=read, args=(path,), daemon=True) for path in paths]
    for reader in readers:
        reader.start()
    for mode in ("fast", "immediate", "fast"):
        wait_for(answered(200), "pages answered while the server is up")
        served.cluster.stop(mode)
        phase[0] += 1
        wait_for(answered(503), "503s while the server is down")
        served.cluster.start()
        phase[0] += 1
    wait_for(answered(200), "pages answered after the last start")
    stop.set()
    for reader in readers:
        reader.join(PATIENCE)
    assert not failures, failures
    assert {status for _, status in seen} == {200, 503}
    with planner_clients(served) as planner_asks:
        statuses = {name: r.status_code for name, r in planner_asks.answers().items()}
    assert statuses == {**{name: 200 for name in statuses}, **WHEN_UP}


# --- 3. two planners correcting one figure at once -------------------------------------

on_postgresql = pytest.mark.parametrize("database_url", [BACKENDS[1]], indirect=True)
PLANNER = Actor(username="planner", role="planner")


def named(engine: Engine, application: str) -> Engine:
    """Another engine on the same database whose sessions carry ``application`` as their name."""
    url = engine.url.update_query_dict({"application_name": application})
    return create_engine(url.render_as_string(hide_password=False))


def waiting_on_a_lock(engine: Engine, application: str) -> bool:
    query = sa.text(
        "select count(*) from pg_stat_activity "
        "where application_name = :name and wait_event_type = 'Lock'"
    )
    with engine.connect() as connection:
        return bool(connection.scalar(query, {"name": application}))


def current_figure(engine: Engine) -> int:
    with transaction(engine) as session:
        grdp = get_indicator(session, code_or_name="GRDP_GROWTH")
        return list_observations(session, indicator=grdp)[0].id


def correct_by_service(session: Session, observation_id: int, value: float) -> Observation:
    observation = session.get(Observation, observation_id)
    assert observation is not None
    return correct_observation(
        session, observation=observation, value=value, recorded_by="planner", note="sửa"
    )


def correct_by_entry(session: Session, observation_id: int, value: float) -> Observation:
    entry = correct_figure(
        session, actor=PLANNER, observation_id=observation_id, value=value, note="sửa"
    )
    return entry.observation


class Racer(threading.Thread):
    """The second planner: corrects in its own thread, so that it can wait on the first."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.error: BaseException | None = None
        self.result: object = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:
            self.error = exc


def race(engine: Engine, first: Callable[[Session], object], second: Callable[[], object]) -> Racer:
    """``first`` writes and holds its transaction open until ``second`` is provably waiting
    on it inside the database; then ``first`` commits. Returns the second's outcome."""
    racer = Racer(second)
    with transaction(engine) as session:
        first(session)
        racer.start()
        wait_for(lambda: waiting_on_a_lock(engine, "second_planner"), "the second planner to wait")
    racer.join(PATIENCE)
    assert not racer.is_alive(), "the second planner never finished"
    return racer


def _values(engine: Engine, observation_id: int) -> list[float]:
    """The value of every revision of the figure, oldest first."""
    with transaction(engine) as session:
        original = session.get(Observation, observation_id)
        assert original is not None
        return [row.value for row in revisions(session, observation=original)]


@on_postgresql
@pytest.mark.parametrize(
    "correct", [correct_by_service, correct_by_entry], ids=["service", "entry"]
)
def test_two_planners_correcting_one_figure_at_once_one_wins_the_other_gets_a_conflict(
    loaded: Engine, correct: Callable[[Session, int, float], Observation]
) -> None:
    figure = current_figure(loaded)
    second_engine = named(loaded, "second_planner")
    try:
        with transaction(second_engine) as second:
            # Both planners have the figure in front of them, current, before either writes.
            later = sa.select(Observation.id).where(Observation.supersedes_id == figure)
            assert second.get(Observation, figure) is not None and second.scalar(later) is None
            racer = race(
                loaded,
                lambda first: correct(first, figure, 11.11),
                lambda: correct(second, figure, 22.22),
            )
            assert isinstance(racer.error, StateError), racer.error
            second.rollback()
    finally:
        second_engine.dispose()
    assert f"số liệu #{figure} vừa được sửa" in str(racer.error)
    values = _values(loaded, figure)
    assert values[1:] == [11.11], "exactly one correction, the first planner's"
    with loaded.connect() as connection:
        stored = connection.scalar(sa.select(sa.func.count()).where(Observation.value == 22.22))
    assert stored == 0, "the second planner's value was stored after all"


def _actor(engine: Engine, username: str) -> Actor:
    with transaction(engine) as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        assert user is not None
        return actor_of(user)


ENTRY = {"indicator": "GRDP_GROWTH", "region": "bac_ninh", "period": "2025"}


@on_postgresql
@pytest.mark.parametrize("door", ["correction", "entry"])
def test_the_second_of_two_simultaneous_api_writes_to_one_figure_is_a_409(
    loaded: Engine, door: str
) -> None:
    app_engine = named(loaded, "second_planner")
    try:
        app = create_app(Settings(database_url=str(loaded.url)), engine=app_engine)
        tokens = make_users(app_engine)
        role = "planner" if door == "correction" else "agency_editor"
        actor = _actor(loaded, role)
        bearer = {"Authorization": f"Bearer {tokens[role]}"}
        with TestClient(app) as client:
            if door == "correction":
                figure = current_figure(loaded)
                path, body = f"/api/v1/observations/{figure}/correct", {"note": "sửa"}

                def first(session: Session) -> object:
                    return correct_by_entry(session, figure, 11.11)
            else:
                made = client.post(
                    "/api/v1/observations", json={**ENTRY, "value": 8.0}, headers=bearer
                )
                assert made.status_code == 201, made.text
                figure = made.json()["observation"]["id"]
                path, body = "/api/v1/observations", dict(ENTRY)

                def first(session: Session) -> object:
                    return enter_figure(session, actor=actor, **ENTRY, value=11.11)

            racer = race(
                loaded,
                first,
                lambda: client.post(path, json={**body, "value": 22.22}, headers=bearer),
            )
        assert racer.error is None, racer.error
        answer: Any = racer.result
        assert answer.status_code == 409, answer.text
        assert f"số liệu #{figure} vừa được sửa" in answer.json()["detail"]
    finally:
        app_engine.dispose()
    assert _values(loaded, figure)[1:] == [11.11]
    with loaded.connect() as connection:
        stored = connection.scalar(sa.select(sa.func.count()).where(Observation.value == 22.22))
    assert stored == 0, "the second planner's value was stored after all"


# --- 4. a full disk under SQLite -------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 16 MB filesystem (tmpfs), unmounted afterwards."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            "the full-disk test mounts a small tmpfs and needs root with mount allowed: "
            f"{mounted.stderr.strip()}"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk: Path, *, leave: int) -> Path:
    """Fill the filesystem but for ``leave`` bytes; the filler file's path."""
    filler = disk / "filler"
    block = b"\0" * 65536
    with filler.open("wb") as out:
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError:
            pass  # ENOSPC: the disk is full
    os.truncate(filler, filler.stat().st_size - leave)
    return filler


FULL_DISK_INPUTS = {"load": 200, "import": 200, "ingest": 1}


def _check_full_disk(disk: Path, tmp_path: Path, template: Path, command: str, wal: bool) -> None:
    path = disk / "chitieu.db"
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    if wal:
        allow_concurrent_readers(engine)  # as ``chitieu serve`` leaves the file
    before = contents(engine)
    engine.dispose()
    maker = {"load": _load_args, "import": _import_args, "ingest": _ingest_args}[command]
    args = maker(tmp_path, FULL_DISK_INPUTS[command])
    filler = fill(disk, leave=64 * 1024)

    result = chitieu(*args, db=url)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ổ đĩa của cơ sở dữ liệu" in lines[0] and "đã đầy" in lines[0], lines[0]
    assert lines[0].startswith("Lỗi: "), lines[0]
    assert str(path) in lines[0], "the message names the database"
    assert integrity(path) == "ok"
    engine = create_engine(url)
    try:
        assert contents(engine) == before, "the full disk lost or half-wrote data"
        filler.unlink()
        rerun = chitieu(*args, db=url)
        assert rerun.returncode == 0, rerun.stderr
        assert contents(engine) != before, "the rerun wrote nothing: the test proves nothing"
    finally:
        engine.dispose()


def test_a_full_disk_is_one_clear_error_and_the_database_stays_whole(
    small_disk: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    template = request.getfixturevalue("_loaded_sqlite_file")
    _check_full_disk(small_disk, tmp_path, template, "load", wal=False)


@pytest.mark.heavy
@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
@pytest.mark.parametrize("command", ["load", "import", "ingest"])
def test_a_full_disk_under_every_writing_command_and_journal_mode(
    small_disk: Path, tmp_path: Path, request: pytest.FixtureRequest, command: str, wal: bool
) -> None:
    template = request.getfixturevalue("_loaded_sqlite_file")
    _check_full_disk(small_disk, tmp_path, template, command, wal=wal)


@on_postgresql
def test_two_reviewers_accepting_one_extracted_figure_at_once_one_wins(
    loaded: Engine, tmp_path: Path
) -> None:
    text = tmp_path / "tin_nhanh.txt"
    text.write_text(corpus_text("001"), encoding="utf-8")
    with transaction(loaded) as session:
        ingest_file(session, path=text, recorded_by="tests", region="bac_giang")
        figure = pending_figures(session)[0].id

    def accept_as(session: Session, reviewer: str, value: float) -> object:
        return review.accept(
            session, figure_id=figure, actor=reviewer, note="đối chiếu", value=value,
            indicator="GRDP_GROWTH", period="2019", status="actual", region="bac_giang",
        )  # fmt: skip

    second_engine = named(loaded, "second_planner")
    try:
        with transaction(second_engine) as second:
            racer = race(
                loaded,
                lambda first: accept_as(first, "reviewer_a", 11.11),
                lambda: accept_as(second, "reviewer_b", 22.22),
            )
            second.rollback()
    finally:
        second_engine.dispose()
    assert isinstance(racer.error, StateError), racer.error
    assert f"số liệu trích #{figure} đã được chấp nhận" in str(racer.error)
    with transaction(loaded) as session:
        accepted = session.get(ExtractedFigure, figure)
        assert accepted is not None and accepted.reviewed_by == "reviewer_a"
        values = session.scalars(
            sa.select(Observation.value).where(Observation.value.in_([11.11, 22.22]))
        ).all()
    assert values == [11.11], "one figure, one observation: the first reviewer's"


@pytest.mark.heavy
@on_postgresql
def test_eight_planners_correcting_one_figure_at_once_only_one_gets_through(
    loaded: Engine,
) -> None:
    """Eight sessions read the figure, meet at a barrier, then all correct it; five rounds."""
    figure = current_figure(loaded)
    for round_number in range(5):
        barrier = threading.Barrier(8)
        # Within ten times of each other: a larger step is refused by the correction guard.
        value_of = {n: 10 + round_number + n / 10 + 0.0125 for n in range(8)}

        def planner(n: int, value: float, target: int, meet: threading.Barrier) -> object:
            with transaction(loaded) as session:
                assert session.get(Observation, target) is not None
                meet.wait(PATIENCE)
                return n, correct_by_entry(session, target, value).id

        racers = [
            Racer(lambda n=n, v=v, f=figure, b=barrier: planner(n, v, f, b))
            for n, v in value_of.items()
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(PATIENCE)
        winners = [r for r in racers if r.error is None]
        assert len(winners) == 1, [r.error for r in racers]
        assert all(isinstance(r.error, StateError) for r in racers if r is not winners[0])
        won, figure = winners[0].result  # type: ignore[misc]
        assert _values(loaded, figure)[-1] == value_of[won]
        assert len(_values(loaded, figure)) == round_number + 2, "one correction per round"
        losers = [v for n, v in value_of.items() if n != won]
        with loaded.connect() as connection:
            stored = connection.scalar(
                sa.select(sa.func.count()).where(Observation.value.in_(losers))
            )
        assert stored == 0, "a losing planner's value was stored"
