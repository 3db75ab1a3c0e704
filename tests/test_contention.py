"""Several people writing at once to a served database: they wait their turn.

Each test runs ``chitieu serve`` in its own process (uvicorn, a thread per
request) and sends requests from threads released together, as people clicking
"Gửi" at the same moment do. On SQLite a write that found the write lock taken
used to fail at once (503); now it waits, and the loser of a real race on one
figure gets the 409 PostgreSQL gives.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from chitieu import get_agency, transaction
from chitieu._database import allow_concurrent_readers, create_engine
from chitieu._errors import DatabaseBusyError
from chitieu.observation.models import Observation
from chitieu.user.service import create_user, issue_token
from chitieu.web.app import BUSY
from tests.conftest import BACKENDS
from tests.test_faults import PATIENCE, current_figure, serving, wait_for
from tests.webkit import OTHER_AGENCY, PASSWORD, make_users

ROUNDS = 10


@dataclass
class Office:
    """The served app and an API client per person."""

    base: str
    clients: dict[str, httpx.Client]


@contextmanager
def serving_office(loaded: Engine, tmp_path: Path) -> Iterator[Office]:
    """Planners and editors of two agencies, each with a token, on ``chitieu serve``."""
    tokens = make_users(loaded)
    with transaction(loaded) as session:
        other = get_agency(session, code_or_name=OTHER_AGENCY)
        editor = create_user(
            session, username="editor2", password=PASSWORD, role="agency_editor", agency=other
        )
        tokens["editor2"] = issue_token(session, user=editor, name="tests", actor="tests")
    url = loaded.url.render_as_string(hide_password=False)
    loaded.dispose()
    with serving(url, tmp_path / "serve.log") as base:
        clients = {
            name: httpx.Client(
                base_url=base, timeout=PATIENCE, headers={"Authorization": f"Bearer {token}"}
            )
            for name, token in tokens.items()
        }
        try:
            yield Office(base, clients)
        finally:
            for client in clients.values():
                client.close()


@pytest.fixture
def office(loaded: Engine, tmp_path: Path) -> Iterator[Office]:
    with serving_office(loaded, tmp_path) as served:
        yield served


@pytest.fixture
def impatient_office(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Office]:
    """The office served with writers waiting at most half a second."""
    monkeypatch.setenv("CHITIEU_DATABASE_BUSY_SECONDS", "0.5")
    with serving_office(loaded, tmp_path) as served:
        yield served


def at_once(*requests: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Send the requests from threads released together; their answers, in order."""
    gate = threading.Barrier(len(requests))
    answers: list[httpx.Response | BaseException | None] = [None] * len(requests)

    def send(index: int) -> None:
        try:
            gate.wait(PATIENCE)
            answers[index] = requests[index]()
        except BaseException as exc:
            answers[index] = exc

    threads = [threading.Thread(target=send, args=(i,), daemon=True) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    done = [answer for answer in answers if isinstance(answer, httpx.Response)]
    assert len(done) == len(requests), answers
    return done


def entry(client: httpx.Client, indicator: str, value: float) -> Callable[[], httpx.Response]:
    figure = {"indicator": indicator, "region": "bac_ninh", "period": "2025", "value": value}
    return lambda: client.post("/api/v1/observations", json=figure)


def correction(client: httpx.Client, figure: int, value: float) -> Callable[[], httpx.Response]:
    body = {"value": value, "note": "sửa cùng lúc"}
    return lambda: client.post(f"/api/v1/observations/{figure}/correct", json=body)


# On SQLite, where a write used to fail instead of waiting; PostgreSQL always waited.
on_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@on_sqlite
def test_two_agencies_submitting_unrelated_figures_at_the_same_moment_both_succeed(
    office: Office,
) -> None:
    finance, industry = office.clients["agency_editor"], office.clients["editor2"]
    for number in range(ROUNDS):
        answers = at_once(
            entry(finance, "GRDP_GROWTH", 8.0 + number / 10),
            entry(industry, "IIP_GROWTH", 12.0 + number / 10),
        )
        assert [a.status_code for a in answers] == [201, 201], (number, [a.text for a in answers])


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_two_corrections_of_one_figure_at_once_one_wins_the_other_is_a_409(
    office: Office, loaded: Engine
) -> None:
    planner, admin = office.clients["planner"], office.clients["admin"]
    figure = current_figure(loaded)
    for number in range(ROUNDS):
        answers = at_once(
            correction(planner, figure, 11.0 + number), correction(admin, figure, 22.0 + number)
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201, 409], (number, [a.text for a in answers])
        winner, loser = sorted(answers, key=lambda a: a.status_code)
        assert f"số liệu #{figure} " in loser.json()["detail"], loser.text
        figure = winner.json()["observation"]["id"]
    with loaded.connect() as connection:
        chain = connection.scalar(
            sa.select(sa.func.count()).where(Observation.note == "sửa cùng lúc")
        )
    assert chain == ROUNDS, "one correction per round, each of the one before"


def holds_the_write_lock(path: str) -> bool:
    """Whether some connection is writing to the SQLite file; asks without waiting."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    finally:
        probe.close()


REGIONS = (
    *("bac_giang", "bg_tp_bac_giang", "bg_yen_the", "bg_tan_yen", "bg_lang_giang"),
    *("bg_luc_nam", "bg_luc_ngan", "bg_son_dong", "bg_yen_dung", "bg_hiep_hoa"),
)


def long_upload(rows: int) -> bytes:
    """A planner's CSV of ``rows`` monthly growth rates of Bắc Giang and its districts."""
    series = [
        (code, region, f"{year}-M{month:02d}")
        for code in ("GRDP_GROWTH", "IIP_GROWTH", "LABOUR_PRODUCTIVITY_GROWTH")
        for region in REGIONS
        for year in range(1997, 2025)
        for month in range(1, 13)
    ]
    assert rows <= len(series), f"only {len(series)} figures to make"
    lines = ["indicator,region,period,value,note"]
    for number, (code, region, period) in enumerate(series[:rows]):
        lines.append(f"{code},{region},{period},{6 + number % 7 / 2},tải dài")
    return ("\n".join(lines) + "\n").encode()


@on_sqlite
def test_a_small_write_during_a_long_upload_waits_for_it_and_succeeds(
    office: Office, loaded: Engine
) -> None:
    path = make_url(str(loaded.url)).database
    assert path
    rows = 10_000
    upload = long_upload(rows)
    planner = office.clients["planner"]
    files = {"file": ("nam.csv", upload, "text/csv")}
    imported: list[httpx.Response] = []
    importer = threading.Thread(
        target=lambda: imported.append(planner.post("/api/v1/imports", files=files)), daemon=True
    )
    importer.start()
    wait_for(lambda: holds_the_write_lock(path) or not importer.is_alive(), "the upload to write")
    small = entry(office.clients["agency_editor"], "GRDP_GROWTH", 8.8)()
    importer.join(PATIENCE)
    assert imported and imported[0].status_code == 201, imported[0].text if imported else None
    assert imported[0].json()["written"] == rows
    assert small.status_code == 201, small.text


@contextmanager
def write_lock_held(path: str) -> Iterator[None]:
    """Another writer (a CLI import, say) holding the SQLite file's write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@on_sqlite
def test_a_write_kept_waiting_past_the_busy_timeout_is_a_503_saying_so_and_pages_never_wait(
    impatient_office: Office, loaded: Engine
) -> None:
    path = make_url(str(loaded.url)).database
    assert path
    editor = impatient_office.clients["agency_editor"]
    with write_lock_held(path):
        # A reader (its token's use due to be noted, which is skipped) does not queue.
        assert editor.get("/api/v1/observations?indicator=GRDP_GROWTH").status_code == 200
        refused = entry(editor, "GRDP_GROWTH", 8.8)()
    assert refused.status_code == 503, refused.text
    assert refused.json() == {"detail": " / ".join(BUSY)}  # the API says both languages
    assert refused.headers["Retry-After"] == "60"
    assert entry(editor, "GRDP_GROWTH", 8.8)().status_code == 201


@on_sqlite
def test_a_command_kept_waiting_past_the_busy_timeout_is_one_line_and_readers_go_on(
    loaded: Engine,
) -> None:
    path = make_url(str(loaded.url)).database
    assert path
    engine = create_engine(str(loaded.url), busy_seconds=0.2)
    allow_concurrent_readers(engine)
    count = sa.select(sa.func.count()).select_from(Observation)
    try:
        with write_lock_held(path):
            with transaction(engine, writes=False) as reader:
                assert reader.scalar(count)
            with pytest.raises(DatabaseBusyError) as refused, transaction(engine) as writer:
                writer.scalar(count)
        assert "đang bận" in str(refused.value) and "0,2 giây" in str(refused.value)
        assert "\n" not in str(refused.value)
        with transaction(engine) as writer:
            assert writer.scalar(count)
    finally:
        engine.dispose()


READING_COMMANDS = [
    ("assess", "--format", "json"),
    ("plans",),
    ("targets", "--format", "json"),
    ("overview",),
    ("observations", "--indicator", "GRDP_GROWTH"),
    ("analyze", "growth"),
    ("audit",),
    ("validate",),
    ("export", "--format", "csv"),
    ("report", "--format", "html"),
]


@on_sqlite
@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: c[0])
def test_a_command_that_only_reads_never_waits_for_a_writer(
    loaded: Engine, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A report run while an agency's import holds the file reads what was committed."""
    path = make_url(str(loaded.url)).database
    assert path
    allow_concurrent_readers(loaded)
    env = {**os.environ, "CHITIEU_DATABASE_BUSY_SECONDS": "0.1", "COLUMNS": "200"}
    env.pop("CHITIEU_DATABASE_URL", None)
    args = list(command)
    if command[0] == "report":
        args += ["--out", str(tmp_path / "report.html")]
    if command[0] == "export":
        args += ["--out", str(tmp_path / "export")]
    with write_lock_held(path):
        done = subprocess.run(
            [sys.executable, "-m", "chitieu", "--db", path, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert "đang bận" not in done.stderr
