"""Creating people, checking passwords and tokens, and what each role may do."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from chitieu._errors import InputError, NotFoundError
from chitieu._orm import utcnow
from chitieu.agency.models import Agency
from chitieu.audit.service import record_change
from chitieu.indicator.models import IndicatorAgency
from chitieu.task.models import Task
from chitieu.user.credentials import (
    check_password,
    check_username,
    lookalike_of,
    taken_message,
)
from chitieu.user.models import ROLES, ApiToken, User

_HASHER = PasswordHash.recommended()
# Verifying against this when the user is unknown keeps the response time the
# same, so that timing does not tell which usernames exist.


@functools.cache
def _dummy_hash() -> str:
    # Made on the first failed sign-in, not at import: every CLI command would pay for it.
    return _HASHER.hash("chitieu-no-such-user")


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in person, a token's owner, or the public."""

    username: str
    role: str
    agency_id: int | None = None
    user_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


PUBLIC = Actor(username="public", role="public")


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, agency_id=user.agency_id, user_id=user.id)


def hash_password(password: str, *, username: str, display_name: str | None = None) -> str:
    """The password's hash, once ``credentials.check_password`` has accepted it."""
    check_password(password, username=username, display_name=display_name)
    return _HASHER.hash(password)


def user_record(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "agency": user.agency.code if user.agency else None,
        "active": user.active,
    }


def _check_role(role: str, agency: Agency | None) -> None:
    if role not in ROLES:
        raise InputError(f"vai trò không hợp lệ: {role!r} (một trong {', '.join(ROLES)})")
    if role == "agency_editor" and agency is None:
        raise InputError("cán bộ nhập liệu của cơ quan phải thuộc một cơ quan (agency)")


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    agency: Agency | None = None,
    actor: str = "system",
) -> User:
    username = check_username(username)
    _check_role(role, agency)
    existing = lookalike_of(session, username=username)
    if existing is not None:
        raise InputError(taken_message(username, existing))
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password, username=username, display_name=display_name),
        role=role,
        agency=agency,
    )
    session.add(user)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="create",
        entity="user",
        entity_id=user.id,
        after=user_record(user),
    )
    return user


def update_user(
    session: Session,
    *,
    user: User,
    actor: str,
    role: str | None = None,
    agency: Agency | None = None,
    active: bool | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> User:
    before = user_record(user)
    # Whoever held the old password, or the account before it was switched off,
    # keeps nothing: reactivating a user revives no cookie and no token.
    locks_out = password is not None or (active is False and user.active)
    new_role = role or user.role
    new_agency = (
        agency if agency is not None else (user.agency if new_role == "agency_editor" else None)
    )
    _check_role(new_role, new_agency)
    user.role = new_role
    user.agency = new_agency
    if active is not None:
        user.active = active
    if display_name:
        user.display_name = display_name
    if password is not None:
        user.password_hash = hash_password(
            password, username=user.username, display_name=user.display_name
        )
    session.flush()
    after = user_record(user)
    if password is not None:
        after["password"] = "changed"
    if locks_out:
        end_sessions(user)
        after["sessions"] = "ended"
    record_change(
        session,
        actor=actor,
        action="update",
        entity="user",
        entity_id=user.id,
        before=before,
        after=after,
    )
    if locks_out:
        for token in session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
        ):
            revoke(session, token=token, actor=actor)
    return user


def end_sessions(user: User) -> None:
    """Every session cookie issued to the user so far stops signing them in.

    Cookies carry the generation they were issued with. Two requests raising it
    at once may both write the same value: either way the old one is gone.
    """
    user.session_generation += 1


def revoke(session: Session, *, token: ApiToken, actor: str) -> None:
    """Stop a live token from working at once, with an audit entry."""
    token.revoked = True
    session.flush()
    record_change(
        session,
        actor=actor,
        action="revoke_token",
        entity="api_token",
        entity_id=token.id,
        before={"user": token.user.username, "name": token.name, "revoked": False},
        after={"user": token.user.username, "name": token.name, "revoked": True},
    )


def get_user(session: Session, *, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"không có người dùng: {username}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this password, or None; never says which part was wrong."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        _HASHER.verify(password, _dummy_hash())
        return None
    return user if _HASHER.verify(password, user.password_hash) else None


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, user: User, name: str, actor: str) -> str:
    """A new token, shown once; the database keeps only its digest."""
    token = "ct_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, token_hash=_token_digest(token))
    session.add(row)
    session.flush()
    record_change(
        session,
        actor=actor,
        action="issue_token",
        entity="api_token",
        entity_id=row.id,
        after={"user": user.username, "name": name},
    )
    return token


TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def live_token(session: Session, *, token: str) -> ApiToken | None:
    """The token's row if it is live and its owner active; reading it writes nothing."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked or not row.user.active:
        return None
    return row


def token_use_due(row: ApiToken) -> bool:
    """Whether the token's last use is older than what ``note_token_use`` records."""
    return row.last_used_at is None or utcnow() - row.last_used_at > TOKEN_USE_RESOLUTION


def note_token_use(session: Session, *, token: str) -> None:
    """Record when a token was last used, to the minute.

    One statement that writes first: on SQLite a read that turns into a write
    fails at once when another request wrote meanwhile, and a write per request
    would queue every reader behind it.
    """
    now = utcnow()
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.token_hash == _token_digest(token),
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - TOKEN_USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )


# What each role may do; "own_agency" means only for the actor's agency.
_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {"view", "enter_data", "update_task", "review", "manage_plans", "admin", "run_scenario"}
    ),
    "planner": frozenset(
        {"view", "enter_data", "update_task", "review", "manage_plans", "run_scenario"}
    ),
    "agency_editor": frozenset({"view", "enter_data", "update_task", "run_scenario"}),
    "viewer": frozenset({"view", "run_scenario"}),
    "public": frozenset({"view"}),
}
ACTIONS = frozenset().union(*_PERMISSIONS.values())


def can(actor: Actor, action: str) -> bool:
    """Whether the actor's role allows the action at all (agency limits come on top)."""
    return action in _PERMISSIONS.get(actor.role, frozenset())


def roles_with(action: str) -> list[str]:
    """The roles allowed ``action``, in the order of ``ROLES`` (the public has no account)."""
    return [role for role in ROLES if action in _PERMISSIONS.get(role, frozenset())]


def agency_bound(actor: Actor) -> bool:
    """Agency editors see everything but change only their own agency's figures and tasks."""
    return actor.role == "agency_editor"


def indicator_codes_of(session: Session, *, agency_id: int) -> set[str]:
    rows = session.scalars(
        select(IndicatorAgency.indicator_code).where(IndicatorAgency.agency_id == agency_id)
    )
    return set(rows)


def may_enter(session: Session, *, actor: Actor, indicator_code: str) -> bool:
    if not can(actor, "enter_data"):
        return False
    if not agency_bound(actor):
        return True
    assert actor.agency_id is not None
    return indicator_code in indicator_codes_of(session, agency_id=actor.agency_id)


def may_update_task(actor: Actor, task: Task) -> bool:
    if not can(actor, "update_task"):
        return False
    if not agency_bound(actor):
        return True
    return any(agency.id == actor.agency_id for agency in [*task.leads, *task.partners])
