"""The application factory: settings in, a FastAPI app out; nothing is built at import.

Each domain adds its pages and API routes with ``register(app)``, the same
hook plugins use through the ``chitieu.web`` entry point group.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InternalError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chitieu._database import READ_ONLY_SQLSTATE, allow_concurrent_readers, open_database
from chitieu._errors import (
    ChitieuError,
    DatabaseBusyError,
    DatabaseError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    UnsupportedFileError,
    ValidationBlockedError,
)
from chitieu._localtime import local_second
from chitieu._settings import Settings
from chitieu.web._auth import CsrfError, ForbiddenError, LoginLimiter, LoginRequiredError
from chitieu.web._cache import PageCache
from chitieu.web._invalid import invalid_input
from chitieu.web._limits import BodyLimit
from chitieu.web._serving import check_settings
from chitieu.web._templates import build_templates, render, request_lang
from chitieu.web._warm import warm_after_start
from chitieu.web.api_docs import mount_assets
from chitieu.web.error_pages import HEADINGS, Pair, error_page, is_stock

STATIC = Path(__file__).parent / "static"
BUILT_IN = (
    "chitieu.web.home",
    "chitieu.web.api_docs",
    "chitieu.user.views",
    "chitieu.plan.views",
    "chitieu.plan.continuity_views",
    "chitieu.indicator.views",
    "chitieu.observation.views",
    "chitieu.extraction.views",
    "chitieu.submission.views",
    "chitieu.owed.views",
    "chitieu.task.views",
    "chitieu.scenario.views",
    "chitieu.validation.views",
    "chitieu.audit.views",
)
# What a write that waited its whole busy timeout (SQLite) is told; nothing of it was kept.
BUSY = (
    "cơ sở dữ liệu đang bận (người khác đang ghi, có thể là một tệp lớn), chưa ghi gì; "
    "hãy thử lại sau ít phút",
    "database busy: nothing was written, try again shortly",
)
UNAVAILABLE = ("cơ sở dữ liệu tạm thời không truy cập được", "database unavailable")
READ_ONLY = (
    "cơ sở dữ liệu này chỉ đọc (bản sao); thay đổi phải gửi tới máy chủ chính",
    "read-only database (a replica): changes go to the primary",
)
FORBIDDEN = ("không có quyền", "forbidden")
CSRF = (
    "biểu mẫu thiếu hoặc sai mã chống giả mạo (CSRF), có thể vì trang đã mở quá lâu; "
    "hãy tải lại trang rồi gửi lại",
    "missing or wrong CSRF token, perhaps because the page was open too long; "
    "reload the page and send again",
)
# The API's detail before pages spoke one language: its clients read these.
CSRF_API = "thiếu hoặc sai mã CSRF / missing or wrong CSRF token"
log = logging.getLogger("chitieu.web")


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    check_settings(settings)
    app = FastAPI(
        title="chitieu",
        version="1",
        description="Theo dõi thực hiện kế hoạch phát triển kinh tế - xã hội (API v1).",
        # /api/docs is chitieu.web.api_docs: FastAPI's page loads Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    if engine is None:
        engine = open_database(settings.database_url, busy_seconds=settings.database_busy_seconds)
    app.state.engine = engine
    allow_concurrent_readers(app.state.engine)
    app.state.templates = build_templates()
    app.state.page_cache = PageCache(max_entries=settings.page_cache_entries)
    app.state.login_limiter = LoginLimiter(
        attempts=settings.login_attempts,
        address_attempts=settings.login_address_attempts,
        window_seconds=settings.login_window_seconds,
    )
    mount_assets(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_error_handlers(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    for module_name in BUILT_IN:
        import_module(module_name).register(app)
    for plugin in entry_points(group="chitieu.web"):
        plugin.load()(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``chitieu serve --workers N``: settings from its
    environment, read when the worker starts; it draws the first pages once it has started."""
    app = create_app(Settings())
    warm_after_start(app)
    return app


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
)


class SecurityHeaders:
    """Adds the security headers a response lacks (plain ASGI: no copy of the body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(
    request: Request,
    status: int,
    message: str | Pair,
    headers: Mapping[str, str] | None = None,
    *,
    api: str | None = None,
    missing: str | None = None,
    stock: bool = False,
    moment: datetime | None = None,
) -> Response:
    """The API's JSON (``api``, else both languages joined) or the page in the reader's one."""
    response: Response
    if wants_json(request):
        detail = api or (message if isinstance(message, str) else " / ".join(message))
        response = JSONResponse({"detail": detail}, status_code=status)
    else:
        lang = request_lang(request)
        page = error_page(lang, status, message, missing=missing, stock=stock, moment=moment)
        response = render(
            request, "error.html", {"status": status, "page": page}, status_code=status
        )
    # An HTTP error's own headers (Allow on a 405) are part of the answer (RFC 9110).
    response.headers.update(headers or {})
    return response


def _told(exc: Exception, status: int) -> Pair:
    """A service's message in both languages: the English its raiser wrote, else the status's
    heading (a Vietnamese sentence on an English page tells its reader nothing)."""
    english = exc.en if isinstance(exc, ChitieuError) else None
    return str(exc), english or HEADINGS.get(status, HEADINGS[422])[1] + "."


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": "cần đăng nhập / authentication required"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _error(request, 403, FORBIDDEN, api=str(exc) or None, missing=exc.action)

    @app.exception_handler(PermissionDeniedError)
    async def denied(request: Request, exc: PermissionDeniedError) -> Response:
        return _error(
            request, 403, _told(exc, 403) if str(exc) else FORBIDDEN, api=str(exc) or None
        )

    @app.exception_handler(CsrfError)
    async def csrf(request: Request, exc: CsrfError) -> Response:
        return _error(request, 403, CSRF, api=CSRF_API)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, _told(exc, 404), api=str(exc))

    @app.exception_handler(DatabaseError)
    @app.exception_handler(OperationalError)
    async def unavailable(request: Request, exc: Exception) -> Response:
        # The error page's frame must not ask the database who is signed in: it is down.
        request.scope.setdefault("chitieu.actor", None)
        return _error(request, 503, UNAVAILABLE)

    @app.exception_handler(DatabaseBusyError)
    async def busy(request: Request, exc: DatabaseBusyError) -> Response:
        # SQLite: other writes (a large import) held the database past the busy timeout.
        request.scope.setdefault("chitieu.actor", None)
        return _error(request, 503, BUSY, headers={"Retry-After": "60"})

    @app.exception_handler(InternalError)
    async def read_only(request: Request, exc: InternalError) -> Response:
        # A read replica (or a database set read-only) refuses writes with this SQLSTATE.
        if getattr(exc.orig, "sqlstate", None) != READ_ONLY_SQLSTATE:
            raise exc
        request.scope.setdefault("chitieu.actor", None)
        return _error(request, 503, READ_ONLY)

    @app.exception_handler(StateError)
    @app.exception_handler(ValidationBlockedError)
    async def conflict(request: Request, exc: Exception) -> Response:
        # Well formed, but the record's state or the indicator's rules refuse it.
        return _error(request, 409, _told(exc, 409), api=str(exc))

    @app.exception_handler(UnsupportedFileError)
    async def unsupported(request: Request, exc: UnsupportedFileError) -> Response:
        return _error(request, 415, _told(exc, 415), api=str(exc))

    @app.exception_handler(ChitieuError)
    async def bad_input(request: Request, exc: ChitieuError) -> Response:
        return _error(request, 422, _told(exc, 422), api=str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        detail = str(exc.detail)
        stock = is_stock(exc.status_code, detail)
        return _error(request, exc.status_code, detail, headers, api=detail, stock=stock)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        return _error(request, 422, invalid_input(list(exc.errors())))

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception) -> Response:
        # Starlette still raises the exception after this answer, for the server's log;
        # the time on the page and in this line lets the administrator find one from the other.
        moment = datetime.now(UTC)
        log.error("lỗi 500 lúc %s: %s %s", local_second(moment), request.method, request.url.path)
        request.scope.setdefault("chitieu.actor", None)
        if wants_json(request):
            return PlainTextResponse("Internal Server Error", status_code=500)  # as Starlette's
        # This answer leaves from outside every middleware, SecurityHeaders included.
        security = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
        return _error(request, 500, "", security, moment=moment)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path: Starlette names only the first route's.

    Included routers stay routers in ``app.routes`` (FastAPI ≥ 0.16x), so each
    route is asked as served, prefix included; static files take GET and HEAD.
    """
    methods: set[str] = set()
    path = request.url.path
    for context in iter_route_contexts(request.app.routes):
        route = context.original_route
        if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            found = {"GET", "HEAD"} if context.path_regex.match(path) else set()
        elif isinstance(route, Route | APIRoute) and context.path_regex.match(path):
            found = set(context.methods or ())
        else:
            found = set()
        methods |= found
    return sorted(methods)


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(error.get("msg", "")),
            "type": error.get("type"),
        }
        for error in exc.errors()
    ]
