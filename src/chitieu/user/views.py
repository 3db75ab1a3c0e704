"""Signing in and out (pages) — admin pages for users live here too."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chitieu.audit.service import record_change
from chitieu.user.service import Actor, authenticate
from chitieu.web._auth import CsrfError, read_session, requires, session_cookie
from chitieu.web._templates import finish, render
from chitieu.web.deps import DbSession

pages = APIRouter(include_in_schema=False)
Open = Annotated[Actor, Depends(requires(None))]


def register(app: FastAPI) -> None:
    app.include_router(pages)


def _safe_next(target: str) -> str:
    """Only paths on this site: an open redirect would make the login page a phishing tool."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/overview"


@pages.get("/login")
def login_page(request: Request, actor: Open, next: str = "/overview") -> HTMLResponse:
    return render(request, "user/login.html", {"next": _safe_next(next), "error": None})


def _check_form_csrf(request: Request, sent: str) -> None:
    expected = read_session(request).get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        raise CsrfError


@pages.post("/login")
def login(
    request: Request,
    session: DbSession,
    actor: Open,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/overview",
) -> Response:
    _check_form_csrf(request, csrf_token)
    limiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    keys = (f"user:{username.strip().lower()}", f"ip:{address}")
    if limiter.blocked(*keys):
        message = "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút. / Too many failed logins."
        return render(
            request,
            "user/login.html",
            {"next": _safe_next(next), "error": message},
            status_code=429,
        )
    user = authenticate(session, username=username, password=password)
    if user is None:
        limiter.failed(*keys)
        return render(
            request,
            "user/login.html",
            {
                "next": _safe_next(next),
                "error": "Sai tên đăng nhập hoặc mật khẩu. / Wrong user name or password.",
            },
            status_code=401,
        )
    limiter.succeeded(*keys)
    record_change(session, actor=user.username, action="login", entity="user", entity_id=user.id)
    # A fresh CSRF token on login: a token planted before login is worthless after it.
    data = {"uid": user.id, "csrf": secrets.token_urlsafe(24)}
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(**session_cookie(request.app.state.settings, data))
    return response


@pages.post("/logout")
def logout(
    request: Request, actor: Open, csrf_token: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    _check_form_csrf(request, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie("chitieu_session", path="/")
    finish(request, response)
    return response
