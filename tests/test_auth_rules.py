"""Who may get in, by every door: user names, passwords, the secret, the sign-in limit.

One rule for user names and passwords, whether set with ``chitieu user``, the
administrator's pages or the API: common and name-derived passwords are
refused, and a name that looks like one already there (``ADMIN``, ``аdmin`` in
Cyrillic beside ``admin``) is refused. ``chitieu serve`` never signs cookies
with the built-in secret where others can reach it, and a production secret
must be random, not only long. Sign-in failures are counted per user and per
address separately, with the address taken from forwarding headers only when
the request comes from a configured proxy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from chitieu import ChitieuError
from chitieu._database import transaction
from chitieu._settings import Settings
from chitieu.cli import build_app
from chitieu.user.models import User
from chitieu.user.service import create_user, issue_token
from chitieu.web import create_app
from tests.conftest import BACKENDS

GOOD_PASSWORD = "mat-khau-thu-nghiem"
# Each is refused, whoever sets it and however.
WEAK_PASSWORDS = (
    "12345678",
    "123456789",
    "matkhau123",
    "Password",
    "p@ssw0rd",
    "qwertyui",
    "abc12345",
    "aaaaaaaa",
    "abcabcabc",
    "1q2w3e4r5t",
)
LOOKALIKES = ("ADMIN", "аdmin", "Admin", "ａｄｍｉｎ")  # the second with a Cyrillic а


@dataclass
class Site:
    engine: Engine
    db: str
    client: TestClient
    admin: dict[str, str]

    def cli(self, *args: str, answer: str | None = None) -> tuple[int, str]:
        """The exit code and what was printed, or the one line ``chitieu`` prints an error as."""
        result = CliRunner().invoke(build_app(), ["--db", self.db, *args], input=answer)
        if isinstance(result.exception, ChitieuError):
            return 1, str(result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), result
        return result.exit_code, result.output

    def names(self) -> list[str]:
        with transaction(self.engine) as session:
            return sorted(session.scalars(select(User.username)))


@pytest.fixture
def site(engine: Engine) -> Iterator[Site]:
    """An empty database with one administrator, its API and its command line."""
    with transaction(engine) as session:
        admin = create_user(session, username="admin", password=GOOD_PASSWORD, role="admin")
        token = issue_token(session, user=admin, name="tests", actor="tests")
    app = create_app(Settings(database_url=str(engine.url)), engine=engine)
    with TestClient(app) as client:
        yield Site(
            engine=engine,
            db=engine.url.render_as_string(hide_password=False),
            client=client,
            admin={"Authorization": f"Bearer {token}"},
        )


# --- passwords --------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_common_passwords_are_refused_by_the_cli_and_the_api(site):
    for number, password in enumerate(WEAK_PASSWORDS):
        code, output = site.cli(
            "user", "add", f"lan{number}", "--role", "viewer", "--password-stdin",
            answer=password + "\n",
        )  # fmt: skip
        assert code != 0, password
        assert "mật khẩu" in output and "Traceback" not in output, output
        assert len(output.strip().splitlines()) == 1, output
        response = site.client.post(
            "/api/v1/users",
            json={"username": f"mai{number}", "password": password, "role": "viewer"},
            headers=site.admin,
        )
        assert response.status_code == 422, (password, response.text)
        assert "mật khẩu" in response.json()["detail"]
    assert site.names() == ["admin"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_passwords_made_from_the_name_are_refused_by_every_door(site):
    # The user name itself, in another case, inside a longer password, or the
    # display name without its diacritics.
    attempts = [("hoa.binh", "Hoa.Binh"), ("hoa.binh", "hoabinh2024"), ("lan", "lan-lan-99x")]
    for username, password in attempts:
        code, output = site.cli(
            "user", "add", username, "--role", "viewer", "--password-stdin",
            answer=password + "\n",
        )  # fmt: skip
        assert code != 0 and "tên" in output, (username, password, output)
        response = site.client.post(
            "/api/v1/users",
            json={"username": username, "password": password, "role": "viewer"},
            headers=site.admin,
        )
        assert response.status_code == 422, response.text
    response = site.client.post(
        "/api/v1/users",
        json={
            "username": "nva",
            "display_name": "Nguyễn Văn Anh",
            "password": "NguyenVanAnh@1",
            "role": "viewer",
        },
        headers=site.admin,
    )
    assert response.status_code == 422, response.text
    assert site.names() == ["admin"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_changing_a_password_to_a_weak_one_is_refused_and_keeps_the_old(site):
    code, _ = site.cli("user", "set", "admin", "--password-stdin", answer="12345678\n")
    assert code != 0
    code, output = site.cli("user", "set", "admin", "--password-stdin", answer="admin2024\n")
    assert code != 0 and "tên đăng nhập" in output, output
    with transaction(site.engine) as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    response = site.client.patch(
        f"/api/v1/users/{admin_id}", json={"password": "matkhau2024"}, headers=site.admin
    )
    assert response.status_code == 422, response.text
    # The old password still signs in.
    assert site.client.get("/api/v1/me", headers=site.admin).status_code == 200
    code, output = site.cli(
        "user", "set", "admin", "--password-stdin", answer="mot cau dai de nho\n"
    )
    assert code == 0, output


# --- user names -------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_look_alike_user_names_are_refused_beside_admin(site):
    for name in LOOKALIKES:
        code, output = site.cli(
            "user", "add", name, "--role", "admin", "--password-stdin",
            answer=GOOD_PASSWORD + "\n",
        )  # fmt: skip
        assert code != 0, (name, output)
        assert "tên đăng nhập" in output and "Traceback" not in output, output
        response = site.client.post(
            "/api/v1/users",
            json={"username": name, "password": GOOD_PASSWORD, "role": "admin"},
            headers=site.admin,
        )
        assert response.status_code in (409, 422), (name, response.text)
    assert site.names() == ["admin"]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_cli_refuses_the_user_names_the_api_refuses(site):
    for name in ("lan anh", "lan/anh", "x" * 101, "<b>", "lan\tanh"):
        code, output = site.cli(
            "user", "add", name, "--role", "viewer", "--password-stdin",
            answer=GOOD_PASSWORD + "\n",
        )  # fmt: skip
        assert code != 0, (name, output)
        assert "tên đăng nhập" in output, output
        response = site.client.post(
            "/api/v1/users",
            json={"username": name, "password": GOOD_PASSWORD, "role": "viewer"},
            headers=site.admin,
        )
        assert response.status_code == 422, (name, response.text)
    # A Vietnamese name is a name, through both.
    code, output = site.cli(
        "user", "add", "nguyễn.văn.an", "--role", "viewer", "--password-stdin",
        answer=GOOD_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, output
    response = site.client.post(
        "/api/v1/users",
        json={"username": "trần.thị.bình", "password": GOOD_PASSWORD, "role": "viewer"},
        headers=site.admin,
    )
    assert response.status_code == 201, response.text
    assert site.names() == ["admin", "nguyễn.văn.an", "trần.thị.bình"]
