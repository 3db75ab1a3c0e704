"""The administrator's API: users (list, add, change) and agencies with their duties.

Passwords go in and never come out: responses carry no password or hash, and
the audit entries of ``user.service`` say only that a password was changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from chitieu.agency.models import AgencySuccession
from chitieu.agency.service import get_agency
from chitieu.user.admin import (
    AgencyDuties,
    agency_duties,
    as_utc,
    change_user,
    user_by_id,
)
from chitieu.user.credentials import (
    MIN_PASSWORD_LENGTH,
    USERNAME,
    check_username,
    lookalike_of,
    taken_message,
)
from chitieu.user.models import User
from chitieu.user.service import Actor, create_user, list_users
from chitieu.web._auth import keep_signed_in, requires
from chitieu.web.deps import DbSession

router = APIRouter(prefix="/api/v1", tags=["admin"])
Admin = Annotated[Actor, Depends(requires("admin"))]
MAX_ID = 2**31 - 1
LINE = r"^[^\x00-\x1f\x7f]*$"
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=LINE)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)]
DisplayName = Annotated[str, Field(max_length=200, pattern=LINE)]
OtherRole = Literal["admin", "planner", "viewer"]
Role = Literal["admin", "planner", "agency_editor", "viewer"]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read as JSON"},
    401: {"description": "not signed in"},
    403: {"description": "not an administrator, or an administrator locking themselves out"},
    404: {"description": "no such user or agency"},
    409: {"description": "the user name is taken, or the change needs an agency the user lacks"},
    422: {"description": "bad input"},
}


def register(app: FastAPI) -> None:
    app.include_router(router)


class UserOut(BaseModel):
    model_config = ConfigDict(strict=True)
    id: int
    username: str
    display_name: str
    role: str
    agency: str | None
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            agency=user.agency.code if user.agency else None,
            active=user.active,
            created_at=as_utc(user.created_at),
        )


class _UserIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    username: Annotated[str, Field(pattern=USERNAME)]
    password: Password
    display_name: DisplayName | None = None


class EditorIn(_UserIn):
    """An agency editor, who must belong to an agency (its code)."""

    role: Literal["agency_editor"]
    agency: Code


class OtherUserIn(_UserIn):
    """Any other role; an agency is optional."""

    role: OtherRole
    agency: Code | None = None


UserIn = Annotated[EditorIn | OtherUserIn, Field(discriminator="role")]


class UserPatch(BaseModel):
    """What to change; a field left out stays as it is."""

    model_config = ConfigDict(strict=True, extra="forbid")
    role: Role | None = None
    agency: Code | None = None
    active: bool | None = None
    password: Password | None = None
    display_name: DisplayName | None = None


class SuccessionOut(BaseModel):
    model_config = ConfigDict(strict=True)
    effective_on: date
    kind: str
    predecessor: str
    successor: str | None
    note: str | None
    note_en: str | None

    @classmethod
    def of(cls, edge: AgencySuccession) -> SuccessionOut:
        return cls(
            effective_on=edge.effective_on,
            kind=edge.kind,
            predecessor=edge.predecessor.code,
            successor=edge.successor.code if edge.successor else None,
            note=edge.note,
            note_en=edge.note_en,
        )


class AgencyOut(BaseModel):
    model_config = ConfigDict(strict=True)
    code: str
    name: str
    short_name: str | None
    kind: str
    region: str | None
    valid_from: date | None
    valid_to: date | None
    predecessors: list[SuccessionOut]
    successors: list[SuccessionOut]
    indicators: list[str]
    users: int

    @classmethod
    def of(cls, duties: AgencyDuties) -> AgencyOut:
        agency = duties.agency
        return cls(
            code=agency.code,
            name=agency.name,
            short_name=agency.short_name,
            kind=agency.kind,
            region=agency.region.code if agency.region else None,
            valid_from=agency.valid_from,
            valid_to=agency.valid_to,
            predecessors=[SuccessionOut.of(edge) for edge in duties.predecessors],
            successors=[SuccessionOut.of(edge) for edge in duties.successors],
            indicators=[indicator.code for indicator in duties.indicators],
            users=duties.users,
        )


@router.get("/users", responses={k: ERRORS[k] for k in (401, 403)})
def users(session: DbSession, actor: Admin) -> list[UserOut]:
    """Every user, by user name."""
    return [UserOut.of(user) for user in list_users(session)]


@router.post("/users", status_code=201, responses=ERRORS)
def add_user(session: DbSession, actor: Admin, body: UserIn) -> UserOut:
    """Add a user (audited); an agency editor's agency is required."""
    # A name taken, or one people would take for it (ADMIN, аdmin beside admin), is a
    # conflict with a record; a name badly made is bad input (422).
    existing = lookalike_of(session, username=check_username(body.username))
    if existing is not None:
        raise HTTPException(409, taken_message(body.username, existing))
    user = create_user(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        display_name=(body.display_name or "").strip() or None,
        agency=get_agency(session, code_or_name=body.agency) if body.agency else None,
        actor=actor.username,
    )
    return UserOut.of(user)


@router.patch("/users/{user_id}", responses=ERRORS)
def patch_user(
    request: Request,
    response: Response,
    session: DbSession,
    actor: Admin,
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: UserPatch,
) -> UserOut:
    """Change a user's role, agency, state or name, or reset the password (audited).

    Deactivating a user or changing the password ends the user's sessions and
    revokes the user's API tokens at once; reactivating revives neither. Changing
    one's own password keeps the session it was done from.
    """
    user = user_by_id(session, user_id=user_id)
    _check_agency_kept(user, body)
    change_user(
        session,
        actor=actor,
        user=user,
        role=body.role,
        agency=body.agency,
        active=body.active,
        password=body.password,
        display_name=body.display_name,
    )
    if body.password is not None and actor.user_id == user.id:
        keep_signed_in(request, response, user=user)
    return UserOut.of(user)


def _check_agency_kept(user: User, body: UserPatch) -> None:
    """An agency editor without an agency conflicts with the user's record, not the request."""
    role = body.role or user.role
    if role == "agency_editor" and body.agency is None and user.agency is None:
        raise HTTPException(
            409, f"{user.username} chưa thuộc cơ quan nào: cán bộ nhập liệu cần trường agency"
        )


@router.get("/agencies", responses={k: ERRORS[k] for k in (401, 403)})
def agencies(session: DbSession, actor: Admin) -> list[AgencyOut]:
    """Agencies with their validity, reorganisations, the indicators each reports and users."""
    return [AgencyOut.of(duties) for duties in agency_duties(session)]
