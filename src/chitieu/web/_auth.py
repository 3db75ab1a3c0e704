"""Who is asking, whether they may, and the session cookie, CSRF token and login limit.

Every route declares what it needs with ``Depends(requires("action"))``; the
permission test walks the routes and reads that declaration back.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Request, Response, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from chitieu._database import READ_ONLY_SQLSTATE, transaction
from chitieu._errors import DatabaseBusyError
from chitieu._settings import Settings
from chitieu.user.credentials import skeleton
from chitieu.user.models import User
from chitieu.user.service import (
    PUBLIC,
    Actor,
    actor_of,
    can,
    live_token,
    note_token_use,
    token_use_due,
)
from chitieu.web._transaction import SAFE_METHODS, RequestSession

SESSION_COOKIE = "chitieu_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class LoginRequiredError(Exception):
    """Nobody is signed in and the route is not public."""


class ForbiddenError(Exception):
    """The actor's role does not allow the action."""

    def __init__(
        self, message: str = "không có quyền / forbidden", *, action: str | None = None
    ) -> None:
        super().__init__(message)
        # The error page names the permission missing; the API keeps the message alone.
        self.action = action


class CsrfError(Exception):
    """A state-changing request from a browser session without the session's token."""


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="chitieu-session")


def read_session(request: Request) -> dict[str, Any]:
    """The signed cookie's content, or an empty session if it is missing, forged or old."""
    cached = request.scope.get("chitieu.session")
    if cached is not None:
        return dict(cached)
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(SESSION_COOKIE)
    data: dict[str, Any] = {}
    if raw:
        try:
            loaded = _serializer(settings).loads(raw, max_age=settings.session_hours * 3600)
        except BadSignature:
            loaded = None
        if isinstance(loaded, dict):
            data = loaded
    request.scope["chitieu.session"] = data
    return dict(data)


def session_cookie(settings: Settings, data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``response.set_cookie``."""
    return {
        "key": SESSION_COOKIE,
        "value": _serializer(settings).dumps(data),
        "max_age": settings.session_hours * 3600,
        "httponly": True,
        "samesite": "lax",
        "secure": settings.mode == "production",
        "path": "/",
    }


def signed_in_cookie(settings: Settings, *, user: User, csrf: str) -> dict[str, Any]:
    """The cookie signing ``user`` in at their current session generation."""
    data = {"uid": user.id, "gen": user.session_generation, "csrf": csrf}
    return session_cookie(settings, data)


def keep_signed_in(request: Request, response: Response, *, user: User) -> None:
    """After people change their own password, keep the session they did it from.

    Their other sessions end with the change; a token caller has no cookie to keep.
    """
    csrf = read_session(request).get("csrf")
    if request.scope.get("chitieu.by_token") or not isinstance(csrf, str):
        return
    settings: Settings = request.app.state.settings
    response.set_cookie(**signed_in_cookie(settings, user=user, csrf=csrf))


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; the caller sets the cookie it lives in."""
    data = read_session(request)
    token = data.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        data["csrf"] = token
        request.scope["chitieu.session"] = data
        request.scope["chitieu.session_changed"] = True
    return token


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


# Only the columns an actor needs, as a plain statement built once: this runs for every
# request, and the ORM's loading of a whole user cost five times as much.
_USERS = User.__table__
_SIGNED_IN = select(
    _USERS.c.username,
    _USERS.c.role,
    _USERS.c.agency_id,
    _USERS.c.active,
    _USERS.c.session_generation,
).where(_USERS.c.id == bindparam("user_id"))


def _signed_in_actor(session: Session, data: dict[str, Any]) -> Actor | None:
    """The cookie's user, if active and the cookie is of their current session generation.

    Logging out, a password change and deactivation raise the generation, which
    ends every cookie issued before (those from before generations existed too).
    Asked of the database on every request: a session ended elsewhere ends here at once.
    """
    user_id, generation = data.get("uid"), data.get("gen")
    if not isinstance(user_id, int) or not isinstance(generation, int):
        return None
    row = session.connection().execute(_SIGNED_IN, {"user_id": user_id}).first()
    if row is None or not row.active or row.session_generation != generation:
        return None
    return Actor(username=row.username, role=row.role, agency_id=row.agency_id, user_id=user_id)


def resolve_actor(request: Request, session: Session | None = None) -> Actor | None:
    """The token's owner, else the signed-in person, else the public in public mode.

    A page (GET) asks in the request's own transaction (``session``), where its view
    reads too; a change asks in a reading transaction of its own, before the view's
    takes the write lock, as do error pages drawn outside any view. So does a token:
    noting its use takes a second connection, which must not be asked for while the
    request holds one (twenty such requests would wait on each other for the pool).
    """
    cached = request.scope.get("chitieu.actor", ...)
    if cached is not ...:
        return cached  # type: ignore[no-any-return]
    settings: Settings = request.app.state.settings
    token = _bearer(request)
    if session is not None and request.method in SAFE_METHODS and token is None:
        actor, due = _ask(request, session, token)
    else:
        with transaction(request.app.state.engine, writes=False) as own:
            actor, due = _ask(request, own, token)
    if token is not None and due:
        _note_token_use(request, token)
    if actor is None and settings.public and token is None:
        actor = PUBLIC
    request.scope["chitieu.actor"] = actor
    return actor


def _ask(request: Request, session: Session, token: str | None) -> tuple[Actor | None, bool]:
    """Who the token or the cookie names, and whether the token's use is due to be noted."""
    if token is None:
        return _signed_in_actor(session, read_session(request)), False
    row = live_token(session, token=token)
    request.scope["chitieu.by_token"] = True
    return (actor_of(row.user), token_use_due(row)) if row else (None, False)


async def _check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS or request.scope.get("chitieu.by_token"):
        return
    expected = read_session(request).get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not isinstance(expected, str) or sent is None or not hmac.compare_digest(expected, sent):
        raise CsrfError


def _note_token_use(request: Request, token: str) -> None:
    """Bookkeeping, not the request's work: a busy or read-only database skips it."""
    try:
        with transaction(request.app.state.engine, waits=False) as session:
            note_token_use(session, token=token)
    except (OperationalError, DatabaseBusyError):
        pass
    except InternalError as exc:  # a read replica: the primary notes the next use
        if getattr(exc.orig, "sqlstate", None) != READ_ONLY_SQLSTATE:
            raise


@dataclass(frozen=True)
class Policy:
    """What a route needs: an action from user.service's table, or nothing (open to all)."""

    action: str | None


# The two ways in, declared so that OpenAPI (and clients generated from it) know them:
# neither refuses anything itself (auto_error=False); resolve_actor decides.
BEARER = HTTPBearer(
    scheme_name="bearerAuth",
    description="Mã API (chitieu token issue) / an API token",
    auto_error=False,
)
COOKIE = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="cookieAuth",
    description="Phiên đăng nhập của trình duyệt; thay đổi dữ liệu cần thêm x-csrf-token / "
    "a browser session; changes also need the x-csrf-token header",
    auto_error=False,
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
Cookie = Annotated[str | None, Security(COOKIE)]


def requires(action: str | None) -> Callable[..., Coroutine[Any, Any, Actor]]:
    """A dependency giving the actor, after refusing those whose role lacks ``action``.

    ``None`` marks a route open to everyone (login page, static health check);
    any other route declares the bearer and cookie schemes as its security.
    """

    async def allowed(request: Request, session: RequestSession) -> Actor:
        # A database call on the event loop would stall every other request, and with
        # SQLite wait on a lock that only those requests can release.
        actor = await run_in_threadpool(resolve_actor, request, session)
        if action is None:
            return actor or PUBLIC
        if actor is None:
            raise LoginRequiredError
        if not can(actor, action):
            raise ForbiddenError(action=action)
        await _check_csrf(request)
        return actor

    async def secured(
        request: Request, session: RequestSession, bearer: Bearer = None, cookie: Cookie = None
    ) -> Actor:
        return await allowed(request, session)

    dependency = allowed if action is None else secured
    dependency.policy = Policy(action)  # type: ignore[attr-defined]
    return dependency


class LoginLimiter:
    """Failed sign-ins in a sliding window, counted per user name and per address apart.

    A name past ``attempts`` is held back from every address (one person's
    password guessed from many machines); an address past ``address_attempts``
    is held back for every name (many names tried from one machine). The address
    limit is far higher: one person's typos must not lock out a whole office
    that reaches the server through one router. Names count by their skeleton,
    so ADMIN and a Cyrillic аdmin count for admin.
    """

    def __init__(self, *, attempts: int, address_attempts: int, window_seconds: int) -> None:
        self.attempts = attempts
        self.address_attempts = address_attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _count(self, key: str, now: float) -> int:
        times = self._failures.get(key)
        while times and now - times[0] > self.window:
            times.popleft()
        if times is not None and not times:
            del self._failures[key]  # names tried once and forgotten take no memory
        return len(times or ())

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{skeleton(username)}", f"ip:{address}"

    def blocked(self, *, username: str, address: str) -> bool:
        now = time.monotonic()
        user, ip = self._keys(username, address)
        return (
            self._count(user, now) >= self.attempts or self._count(ip, now) >= self.address_attempts
        )

    def failed(self, *, username: str, address: str) -> None:
        now = time.monotonic()
        for key in self._keys(username, address):
            self._failures[key].append(now)

    def succeeded(self, *, username: str) -> None:
        """Forget the name's failures; the address's stay, or signing in to one's own
        account between guesses would reset them."""
        self._failures.pop(self._keys(username, "")[0], None)
