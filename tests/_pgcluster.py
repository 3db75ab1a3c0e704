"""A private PostgreSQL cluster that a test may stop and start at will.

The shared server at 127.0.0.1:5432 serves other tests and people, so a test
that takes the database away makes its own: ``initdb`` into a temporary
directory, a free port on 127.0.0.1, the Unix socket beside the data. As root
(CI, this machine) the server runs as the ``postgres`` OS user, since initdb
and postgres refuse root. A missing PostgreSQL fails the test loudly, never
skips it.

    def test_x(pg_cluster):
        url = pg_cluster.url("postgres")
        pg_cluster.stop()
        pg_cluster.start()
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

SERVER_USER = "postgres"


def postgres_bin() -> Path:
    """The directory of initdb and pg_ctl: CHITIEU_PG_BIN, else the newest installed."""
    configured = os.environ.get("CHITIEU_PG_BIN")
    if configured:
        found = [Path(configured)]
    else:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found or not (found[-1] / "initdb").is_file():
        pytest.fail(
            "a private PostgreSQL cluster needs initdb and pg_ctl (Debian's postgresql "
            "package, or CHITIEU_PG_BIN=<dir>); none found under /usr/lib/postgresql"
        )
    return found[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """One PostgreSQL cluster in ``root``: data, socket and log."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = postgres_bin()
        self.data = root / "data"
        self.log = root / "server.log"
        self.port = free_port()
        self._as_server = ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._as_server, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            pytest.fail(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}\n{log}")

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-instructions",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.log), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop``: ``fast`` ends every session; ``immediate`` is a crash."""
        self._pg_ctl("-m", mode, "stop")

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", *args)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f'create database "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


def _server_owned_directory() -> Path:
    root = Path(tempfile.mkdtemp(prefix="chitieu-pg-"))
    if os.geteuid() == 0:
        try:
            server = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(root)
            pytest.fail(f"running as root, the cluster needs the OS user {SERVER_USER!r}")
        os.chown(root, server.pw_uid, server.pw_gid)
    return root


@pytest.fixture
def pg_cluster() -> Iterator[Cluster]:
    """A running private cluster, stopped and removed after the test."""
    root = _server_owned_directory()
    cluster = Cluster(root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
