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

import json
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from chitieu import ChitieuError
from chitieu._database import transaction
from chitieu._settings import DEVELOPMENT_SECRET, Settings
from chitieu.audit.service import list_entries
from chitieu.cli import build_app
from chitieu.user.models import User
from chitieu.user.service import create_user, issue_token
from chitieu.web import create_app
from chitieu.web._auth import SESSION_COOKIE
from chitieu.web._serving import check_settings, serving_settings, uvicorn_options
from tests.conftest import BACKENDS
from tests.webkit import page_csrf

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


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_administrators_pages_refuse_weak_passwords_and_look_alike_names(site):
    admin = TestClient(site.client.app)
    assert sign_in(admin, "admin") == 303
    csrf = page_csrf(admin.get("/admin/users").text)
    for username, password in (("lan", "12345678"), ("lan", "lan-2024x"), ("ADMIN", GOOD_PASSWORD)):
        form = {"csrf_token": csrf, "username": username, "role": "viewer", "password": password}
        refused = admin.post("/admin/users", data=form, follow_redirects=False)
        assert refused.status_code == 422, (username, password)
        assert "mật khẩu" in refused.text or "tên đăng nhập" in refused.text
    with transaction(site.engine) as session:
        admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    form = {"csrf_token": csrf, "password": "admin@2024"}
    assert admin.post(f"/admin/users/{admin_id}", data=form).status_code == 422
    assert site.names() == ["admin"]


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


# --- the signing secret -----------------------------------------------------------------


def forged_admin_cookie(engine: Engine) -> str:
    """A session cookie for the administrator, signed with the key in our source."""
    with transaction(engine) as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        data = {"uid": admin.id, "gen": admin.session_generation, "csrf": "x"}
    return URLSafeTimedSerializer(DEVELOPMENT_SECRET, salt="chitieu-session").dumps(data)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_serve_never_signs_with_the_built_in_secret_beyond_this_machine(site):
    built_in = Settings(database_url=str(site.engine.url))
    for host in ("0.0.0.0", "::", "192.168.1.10", "chitieu.example"):
        settings, warnings = serving_settings(built_in, host=host)
        assert settings.secret_key != DEVELOPMENT_SECRET, host
        assert len(warnings) == 1 and "CHITIEU_SECRET_KEY" in warnings[0], warnings
        assert "\n" not in warnings[0]
        # A cookie forged with the key in our source is nobody there.
        app = create_app(settings, engine=site.engine)
        client = TestClient(app, cookies={SESSION_COOKIE: forged_admin_cookie(site.engine)})
        assert client.get("/api/v1/me").status_code == 401
    # Each run makes its own key.
    first, _ = serving_settings(built_in, host="0.0.0.0")
    second, _ = serving_settings(built_in, host="0.0.0.0")
    assert first.secret_key != second.secret_key
    # On this machine alone the built-in key stays, with a loud warning.
    for host in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        settings, warnings = serving_settings(built_in, host=host)
        assert settings.secret_key == DEVELOPMENT_SECRET
        assert len(warnings) == 1 and "CẢNH BÁO" in warnings[0], warnings
    # A key of one's own is used as it is, without a word.
    own = Settings(database_url=str(site.engine.url), secret_key=secrets.token_urlsafe(48))
    assert serving_settings(own, host="0.0.0.0") == (own, [])


@pytest.mark.parametrize(
    "key",
    [
        "a" * 40,
        "ab" * 20,
        "abcdefghij" * 4,
        "xk9Qz7Lm" * 5,
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "qwertyuiopasdfghjklzxcvbnm1234567890",
        "1" * 64,
    ],
)
def test_a_long_production_secret_that_is_not_random_is_refused(key):
    with pytest.raises(ChitieuError, match="CHITIEU_SECRET_KEY") as refused:
        check_settings(Settings(mode="production", secret_key=key))
    assert "\n" not in str(refused.value)


def test_random_production_secrets_and_passphrases_are_accepted():
    made = (secrets.token_urlsafe(48), secrets.token_hex(16), uuid.uuid4().hex)
    for _ in range(300):
        for key in made:
            check_settings(Settings(mode="production", secret_key=key))
        made = (secrets.token_urlsafe(48), secrets.token_hex(16), uuid.uuid4().hex)
    check_settings(Settings(mode="production", secret_key="ngựa sắt đi qua cầu tre lúc mười giờ"))


def test_serve_refuses_a_repeated_production_secret_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CHITIEU_MODE", "production")
    monkeypatch.setenv("CHITIEU_SECRET_KEY", "a" * 40)

    def serving(*args: object, **kwargs: object) -> None:
        raise AssertionError("serve accepted the secret and started serving")

    monkeypatch.setattr(uvicorn, "run", serving)
    result = CliRunner().invoke(build_app(), ["--db", str(tmp_path / "c.db"), "serve"])
    assert isinstance(result.exception, ChitieuError), result
    assert "CHITIEU_SECRET_KEY" in str(result.exception)
    assert "\n" not in str(result.exception)


# --- the sign-in limit --------------------------------------------------------------------


def add_people(engine: Engine, *names: str) -> None:
    with transaction(engine) as session:
        for name in names:
            create_user(session, username=name, password=GOOD_PASSWORD, role="viewer")


def sign_in(client: TestClient, username: str, password: str = GOOD_PASSWORD) -> int:
    token = page_csrf(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    ).status_code


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_one_persons_typos_lock_that_person_not_the_office(site):
    add_people(site.engine, "lan", "mai", "binh")
    settings = Settings(
        database_url=str(site.engine.url), login_attempts=3, login_address_attempts=8
    )
    app = create_app(settings, engine=site.engine)
    office = TestClient(app, client=("10.0.0.1", 50000))
    assert [sign_in(office, "lan", "sai-mat-khau") for _ in range(3)] == [401] * 3
    assert sign_in(office, "lan") == 429
    # Lan's colleagues behind the same router still sign in.
    assert sign_in(office, "mai") == 303
    # Lan's name is held back from any address, in any case.
    elsewhere = TestClient(app, client=("10.9.9.9", 50000))
    assert sign_in(elsewhere, "LAN") == 429
    # Many names tried from one address do hold that address back, at the higher limit.
    tries = [sign_in(elsewhere, f"ai{number}", "sai-mat-khau") for number in range(8)]
    assert tries == [401] * 8
    assert sign_in(elsewhere, "binh") == 429
    assert sign_in(office, "binh") == 303


def served(site: Site, **settings: object) -> TestClient:
    """The app as `chitieu serve` runs it under uvicorn, asked from 127.0.0.1."""
    app = create_app(Settings(database_url=str(site.engine.url), **settings), engine=site.engine)  # type: ignore[arg-type]
    config = uvicorn.Config(app, log_config=None, **uvicorn_options(app.state.settings))
    config.load()
    return TestClient(config.loaded_app, client=("127.0.0.1", 50000))


def failed_sign_in_addresses(engine: Engine, username: str) -> list[str]:
    with transaction(engine) as session:
        entries = list_entries(session, actor=username)
        return [
            json.loads(e.after or "{}")["address"] for e in entries if e.action == "login_failed"
        ]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(site):
    add_people(site.engine, "lan")
    client = served(site, login_address_attempts=2)
    for number in (1, 2):
        client.headers["X-Forwarded-For"] = f"203.0.113.{number}"
        assert sign_in(client, f"ai{number}", "sai-mat-khau") == 401
    # Anything on this machine claiming another address is still 127.0.0.1.
    client.headers["X-Forwarded-For"] = "203.0.113.3"
    assert sign_in(client, "lan") == 429
    assert failed_sign_in_addresses(site.engine, "ai1") == ["127.0.0.1"]

    behind_proxy = served(site, login_address_attempts=2, trusted_proxies="127.0.0.1, 10.0.0.0/8")
    for number in (4, 5):
        behind_proxy.headers["X-Forwarded-For"] = f"203.0.113.{number}"
        assert sign_in(behind_proxy, f"ai{number}", "sai-mat-khau") == 401
    behind_proxy.headers["X-Forwarded-For"] = "203.0.113.6"
    assert sign_in(behind_proxy, "lan") == 303
    assert failed_sign_in_addresses(site.engine, "ai4") == ["203.0.113.4"]


# --- 405 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_405_lists_the_methods_the_path_takes(site):
    expected = {
        ("DELETE", "/login"): "GET, POST",
        ("PUT", "/api/v1/users"): "GET, POST",
        ("DELETE", "/api/v1/users/1"): "PATCH",
        ("POST", "/api/v1/me"): "GET",
        ("PATCH", "/static/app.css"): "GET, HEAD",
    }
    for (method, path), allow in expected.items():
        response = site.client.request(method, path, headers=site.admin)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allow, (method, path)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_failed_sign_in_is_audited_with_the_name_tried_and_never_the_password(site):
    add_people(site.engine, "lan")
    assert sign_in(site.client, "lan", "Mat-khau-Sai-91") == 401
    assert sign_in(site.client, " khong_co_ai ", "Mat-khau-Sai-92") == 401
    with transaction(site.engine) as session:
        entries = [e for e in list_entries(session) if e.action == "login_failed"]
        recorded = [(e.actor, json.loads(e.after or "{}")) for e in entries]
        stored = " ".join(f"{e.before} {e.after} {e.actor} {e.entity_id}" for e in entries)
    assert sorted((actor, after["username"]) for actor, after in recorded) == [
        ("khong_co_ai", "khong_co_ai"),
        ("lan", "lan"),
    ]
    assert all(after["address"] for _actor, after in recorded)
    assert "Mat-khau-Sai" not in stored


def _sign_in_error(client: TestClient, lang: str) -> str:
    token = page_csrf(client.get(f"/login?lang={lang}").text)
    page = client.post(
        "/login",
        data={"username": "lan", "password": "sai-mat-khau", "csrf_token": token},
        follow_redirects=False,
    )
    assert page.status_code == 401
    (alert,) = re.findall(r'role="alert"[^>]*>([^<]*)<', page.text)
    return alert


def test_the_sign_in_error_is_in_the_readers_language_only(site):
    add_people(site.engine, "lan")
    vietnamese = _sign_in_error(site.client, "vi")
    assert "Sai tên đăng nhập hoặc mật khẩu" in vietnamese and "Wrong" not in vietnamese
    english = _sign_in_error(site.client, "en")
    assert "Wrong user name or password" in english and "Sai" not in english
    assert "administrator" in english  # what to do, not only what happened
