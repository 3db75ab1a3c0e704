"""Administering people and what they may reach: changing users, their API tokens,
and the agencies with the indicators each reports.

``user.service`` creates and updates users and writes their audit entries;
this module adds what only an administrator does, with the guard that an
administrator cannot lock themselves out (so there is always one left).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chitieu._errors import NotFoundError, PermissionDeniedError
from chitieu.agency.models import Agency, AgencySuccession
from chitieu.agency.service import get_agency
from chitieu.indicator.models import Indicator, IndicatorAgency
from chitieu.user.models import ApiToken, User
from chitieu.user.service import Actor, revoke, update_user

SELF_LOCKOUT = (
    "không thể tự đổi vai trò hay tự khóa tài khoản của chính mình; "
    "hãy nhờ một quản trị viên khác (you cannot demote or deactivate yourself)"
)


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC without a zone; the API says so (RFC 3339 wants an offset)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def user_by_id(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"không có người dùng số {user_id}")
    return user


def change_user(
    session: Session,
    *,
    actor: Actor,
    user: User,
    role: str | None = None,
    agency: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> bool:
    """Apply what differs from the user's record; returns whether anything changed.

    Nothing to change writes nothing, not even an audit entry. ``agency`` is a code.
    """
    if actor.user_id == user.id and (
        (role is not None and role != user.role) or (active is False and user.active)
    ):
        raise PermissionDeniedError(SELF_LOCKOUT)
    found = get_agency(session, code_or_name=agency) if agency else None
    display_name = display_name.strip() if display_name else None
    differs = (
        (role is not None and role != user.role)
        or (found is not None and found.id != user.agency_id)
        or (active is not None and active != user.active)
        or bool(password)
        or (display_name is not None and display_name != user.display_name)
    )
    if not differs:
        return False
    update_user(
        session,
        user=user,
        actor=actor.username,
        role=role,
        agency=found,
        active=active,
        password=password or None,
        display_name=display_name,
    )
    return True


# --- API tokens -----------------------------------------------------------------------


def tokens_by_user(session: Session) -> dict[int, list[ApiToken]]:
    """Every user's tokens, newest first (their secrets are not kept, only their digests)."""
    found: dict[int, list[ApiToken]] = defaultdict(list)
    for token in session.scalars(select(ApiToken).order_by(ApiToken.id.desc())):
        found[token.user_id].append(token)
    return dict(found)


def revoke_token(session: Session, *, token_id: int, actor: Actor) -> ApiToken:
    """Stop a token from working at once; revoking twice changes nothing the second time."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"không có mã API số {token_id}")
    if not token.revoked:
        revoke(session, token=token, actor=actor.username)
    return token


# --- agencies -------------------------------------------------------------------------


@dataclass
class AgencyDuties:
    """An agency, the reorganisations it came from or went into, and what it reports."""

    agency: Agency
    predecessors: list[AgencySuccession] = field(default_factory=list)
    successors: list[AgencySuccession] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    users: int = 0


def agency_duties(session: Session) -> list[AgencyDuties]:
    """Every agency by code, with its successions, indicators and number of users."""
    rows = {a.id: AgencyDuties(a) for a in session.scalars(select(Agency).order_by(Agency.code))}
    edges = session.scalars(select(AgencySuccession).order_by(AgencySuccession.effective_on))
    for edge in edges:
        rows[edge.predecessor_id].successors.append(edge)
        if edge.successor_id is not None:
            rows[edge.successor_id].predecessors.append(edge)
    reported = session.execute(
        select(IndicatorAgency.agency_id, Indicator)
        .join(Indicator, Indicator.code == IndicatorAgency.indicator_code)
        .order_by(Indicator.code)
    )
    for agency_id, indicator in reported:
        rows[agency_id].indicators.append(indicator)
    counted = session.execute(
        select(User.agency_id, func.count())
        .where(User.agency_id.is_not(None))
        .group_by(User.agency_id)
    )
    for member_of, number in counted:
        if member_of is not None:
            rows[member_of].users = number
    return list(rows.values())


ROLE_WORDS: dict[str, tuple[str, str]] = {
    "admin": ("Quản trị", "Administrator"),
    "planner": ("Cán bộ kế hoạch", "Planner"),
    "agency_editor": ("Cán bộ nhập liệu của cơ quan", "Agency editor"),
    "viewer": ("Người xem", "Viewer"),
}


def role_word(role: str, lang: str) -> str:
    vi, en = ROLE_WORDS.get(role, (role, role))
    return vi if lang == "vi" else en
