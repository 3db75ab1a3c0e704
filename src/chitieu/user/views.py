"""Signing in and out, and the administrator's pages: users, their tokens, agencies.

The administrator's JSON API is in ``chitieu.user.api``; the audit log's page
and API are in ``chitieu.audit.views``.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from chitieu._errors import ChitieuError, PermissionDeniedError
from chitieu._labels import tr
from chitieu.agency.models import Agency
from chitieu.agency.service import get_agency, list_agencies
from chitieu.audit.service import count_entries, record_change
from chitieu.user import api as user_api
from chitieu.user.admin import (
    agency_duties,
    change_user,
    revoke_token,
    role_word,
    tokens_by_user,
    user_by_id,
)
from chitieu.user.models import ROLES, User
from chitieu.user.service import (
    Actor,
    authenticate,
    create_user,
    end_sessions,
    issue_token,
    list_users,
)
from chitieu.web._auth import (
    CsrfError,
    keep_signed_in,
    read_session,
    requires,
    signed_in_cookie,
)
from chitieu.web._templates import finish, render
from chitieu.web.deps import DbSession, Lang

pages = APIRouter(include_in_schema=False)
Open = Annotated[Actor, Depends(requires(None))]
Admin = Annotated[Actor, Depends(requires("admin"))]
MAX_ID = 2**31 - 1
LINE = r"^[^\x00-\x1f\x7f]*$"
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


def register(app: FastAPI) -> None:
    app.include_router(pages)
    user_api.register(app)


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
    lang: Lang,
    # No user name holds a control character, and PostgreSQL cannot compare one with a NUL.
    username: Annotated[str, Form(max_length=100, pattern=LINE)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/overview",
) -> Response:
    _check_form_csrf(request, csrf_token)
    limiter = request.app.state.login_limiter
    # The peer, or whom a configured proxy forwarded for (see `chitieu serve`).
    address = request.client.host if request.client else "unknown"
    if limiter.blocked(username=username, address=address):
        message = tr(
            lang,
            "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.",
            "Too many failed sign-ins; try again in a few minutes.",
        )
        return render(
            request,
            "user/login.html",
            {"next": _safe_next(next), "error": message},
            status_code=429,
        )
    user = authenticate(session, username=username, password=password)
    if user is None:
        limiter.failed(username=username, address=address)
        # Held back attempts (429) are not written: a flood must not fill the log.
        # The name tried, as typed, and where from; never the password.
        tried = username.strip()[:100]
        record_change(
            session,
            actor=tried or "?",
            action="login_failed",
            entity="user",
            after={"username": tried, "address": address},
        )
        message = (
            "Sai tên đăng nhập hoặc mật khẩu: hãy gõ lại (chữ hoa, chữ thường khác nhau ở mật "
            "khẩu); quên mật khẩu thì hỏi người quản trị."
            if lang == "vi"
            else "Wrong user name or password: type them again (the password is case-sensitive); "
            "if you forgot it, ask the administrator."
        )
        return render(
            request,
            "user/login.html",
            {"next": _safe_next(next), "error": message},
            status_code=401,
        )
    limiter.succeeded(username=username)
    record_change(session, actor=user.username, action="login", entity="user", entity_id=user.id)
    # A fresh CSRF token on login: a token planted before login is worthless after it.
    cookie = signed_in_cookie(request.app.state.settings, user=user, csrf=secrets.token_urlsafe(24))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(**cookie)
    return response


@pages.post("/logout")
def logout(
    request: Request,
    session: DbSession,
    actor: Open,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Sign out everywhere: a copy of this cookie, or the user's other sessions, end too.

    Deleting the cookie in this browser alone would leave any saved copy working.
    """
    _check_form_csrf(request, csrf_token)
    if actor.user_id is not None and not request.scope.get("chitieu.by_token"):
        user = user_by_id(session, user_id=actor.user_id)
        end_sessions(user)
        record_change(
            session, actor=user.username, action="logout", entity="user", entity_id=user.id
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie("chitieu_session", path="/")
    finish(request, response)
    return response


# --- the administrator's pages --------------------------------------------------------


@pages.get("/admin")
def admin_home(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    """Links to the administrator's pages, with a few counts."""
    users = list_users(session)
    tokens = [t for found in tokens_by_user(session).values() for t in found if not t.revoked]
    counts = {
        "users": len(users),
        "active": sum(1 for user in users if user.active),
        "tokens": len(tokens),
        "agencies": len(list_agencies(session)),
        "audit": count_entries(session),
    }
    return render(request, "user/admin.html", {"counts": counts})


def _agency_choices(session: Session, users: list[User]) -> list[Agency]:
    """Today's agencies, and any older one a user still belongs to."""
    current = list_agencies(session, on=date.today())
    known = {agency.id for agency in current}
    older = [u.agency for u in users if u.agency is not None and u.agency.id not in known]
    return current + sorted({a.id: a for a in older}.values(), key=lambda a: a.code)


def _users_page(
    request: Request,
    session: Session,
    lang: str,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    issued: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    users = list_users(session)
    context = {
        "users": users,
        "tokens": tokens_by_user(session),
        "agencies": _agency_choices(session, users),
        "roles": ROLES,
        "role_word": lambda role: role_word(role, lang),
        "form": {"role": "viewer", **(form or {})},
        "error": error,
        "issued": issued,
        "notice": notice,
    }
    response = render(request, "user/users.html", context, status_code=status_code)
    if issued:
        # The token is shown this once: no cache may keep the page.
        response.headers["Cache-Control"] = "no-store"
    return response


@pages.get("/admin/users")
def users_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Admin,
    created: Annotated[str | None, Query(max_length=100, pattern=LINE)] = None,
    changed: Annotated[str | None, Query(max_length=100, pattern=LINE)] = None,
    unchanged: Annotated[str | None, Query(max_length=100, pattern=LINE)] = None,
    revoked: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """Users with their role, agency, state and tokens; forms to add and change them."""
    notice = None
    if created:
        notice = _t(lang, f"Đã thêm người dùng {created}.", f"User {created} added.")
    elif changed:
        notice = _t(lang, f"Đã cập nhật {changed}.", f"{changed} updated.")
    elif unchanged:
        notice = _t(
            lang, f"Không có gì thay đổi ở {unchanged}.", f"Nothing changed for {unchanged}."
        )
    elif revoked:
        notice = _t(lang, f"Đã thu hồi mã API số {revoked}.", f"API token {revoked} revoked.")
    return _users_page(request, session, lang, notice=notice)


def _t(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


TextField = Annotated[str, Form(max_length=200, pattern=LINE)]


@pages.post("/admin/users")
def add_user(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Admin,
    username: Annotated[str, Form(max_length=100, pattern=LINE)] = "",
    display_name: TextField = "",
    role: Annotated[str, Form(max_length=32, pattern=LINE)] = "",
    agency: Annotated[str, Form(max_length=64, pattern=LINE)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add a user; an agency editor needs an agency. The password is never shown back."""
    form = {"username": username, "display_name": display_name, "role": role, "agency": agency}
    try:
        with session.begin_nested():
            user = create_user(
                session,
                username=username,
                password=password,
                role=role,
                display_name=display_name.strip() or None,
                agency=get_agency(session, code_or_name=agency) if agency else None,
                actor=actor.username,
            )
    except ChitieuError as exc:
        return _users_page(request, session, lang, form=form, error=exc.text(lang), status_code=422)
    return RedirectResponse(f"/admin/users?created={quote(user.username)}", status_code=303)


ACTIVE_CHOICES = {"": None, "yes": True, "no": False}


@pages.post("/admin/users/{user_id}")
def update_user_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Admin,
    user_id: UserId,
    role: Annotated[str, Form(max_length=32, pattern=LINE)] = "",
    agency: Annotated[str, Form(max_length=64, pattern=LINE)] = "",
    active: Annotated[str, Form(max_length=8, pattern=LINE)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    display_name: TextField = "",
) -> Response:
    """Change a user's role, agency, state or name, or reset the password; blank is unchanged."""
    user = user_by_id(session, user_id=user_id)
    try:
        if active not in ACTIVE_CHOICES:
            raise ChitieuError(f"trạng thái không hợp lệ: {active!r} (yes hoặc no)")
        with session.begin_nested():
            changed = change_user(
                session,
                actor=actor,
                user=user,
                role=role or None,
                agency=agency or None,
                active=ACTIVE_CHOICES[active],
                password=password or None,
                display_name=display_name or None,
            )
    except ChitieuError as exc:
        status = 403 if isinstance(exc, PermissionDeniedError) else 422
        return _users_page(request, session, lang, error=exc.text(lang), status_code=status)
    key = "changed" if changed else "unchanged"
    response = RedirectResponse(f"/admin/users?{key}={quote(user.username)}", status_code=303)
    if password and actor.user_id == user.id:
        keep_signed_in(request, response, user=user)
    return response


@pages.post("/admin/users/{user_id}/tokens")
def issue_token_page(
    request: Request,
    session: DbSession,
    lang: Lang,
    actor: Admin,
    user_id: UserId,
    name: Annotated[str, Form(max_length=100, pattern=LINE)] = "",
) -> HTMLResponse:
    """Issue an API token and show it this once; only its digest is kept."""
    user = user_by_id(session, user_id=user_id)
    label = name.strip() or "web"
    secret = issue_token(session, user=user, name=label, actor=actor.username)
    issued = {"username": user.username, "name": label, "token": secret}
    return _users_page(request, session, lang, issued=issued)


@pages.post("/admin/tokens/{token_id}/revoke")
def revoke_token_page(
    session: DbSession, actor: Admin, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> RedirectResponse:
    """Stop a token from working at once."""
    revoke_token(session, token_id=token_id, actor=actor)
    return RedirectResponse(f"/admin/users?revoked={token_id}", status_code=303)


@pages.get("/admin/agencies")
def agencies_page(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    """Agencies with their validity, reorganisations, the indicators each reports and users."""
    return render(
        request, "user/agencies.html", {"agencies": agency_duties(session), "today": date.today()}
    )
