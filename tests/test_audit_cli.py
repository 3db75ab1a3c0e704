"""Changes made from the command line land in the audit log with who, what, before and after."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CORPUS
from tests.test_cli import chitieu


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "chitieu.db")
    assert chitieu("load", "--documents", str(CORPUS), db=path).returncode == 0
    return path


def _log(db: str) -> list[dict]:
    result = chitieu("audit", "--format", "json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_correction_and_a_task_update_are_audited(db):
    assert _log(db) == []
    observations = json.loads(
        chitieu("observations", "--indicator", "GRDP_GROWTH", "--format", "json", db=db).stdout
    )
    first = observations[0]
    corrected = chitieu(
        "correct", str(first["id"]), "9.99", "--note", "số mới", "--by", "an", db=db
    )
    assert corrected.returncode == 0, corrected.stderr
    tasks = json.loads(chitieu("tasks", "--format", "json", db=db).stdout)
    updated = chitieu("task-update", str(tasks[0]["id"]), "done", "--by", "binh", db=db)
    assert updated.returncode == 0, updated.stderr

    log = _log(db)
    assert [entry["action"] for entry in log] == ["update", "correct"]
    task_entry, correction = log
    assert task_entry["actor"] == "binh" and task_entry["after"]["status"] == "done"
    assert correction["actor"] == "an"
    assert correction["before"]["value"] == first["value"]
    assert correction["after"]["value"] == 9.99
    assert (
        chitieu("audit", "--actor", "an", "--format", "json", db=db).stdout.count('"correct"') == 1
    )


def test_user_creation_is_audited_without_the_password(db):
    created = subprocess_user(db)
    assert created.returncode == 0, created.stderr
    (entry,) = _log(db)
    assert entry["action"] == "create" and entry["after"]["username"] == "lan"
    assert "mat-khau" not in json.dumps(entry) and "argon2" not in json.dumps(entry)


def subprocess_user(db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "chitieu",
            "--db",
            db,
            "user",
            "add",
            "lan",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        input="mat-khau-dai-du\n",
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "CHITIEU_DATABASE_URL"},
    )
