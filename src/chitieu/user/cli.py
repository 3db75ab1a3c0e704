"""``chitieu user``: people and API tokens, for the first admin and for scripts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._errors import InputError
from chitieu._output import OutputFormat, emit
from chitieu.agency.service import get_agency
from chitieu.user.service import (
    create_user,
    get_user,
    issue_token,
    list_users,
    update_user,
    user_record,
)

users = typer.Typer(help="Người dùng và mã API (users and API tokens).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="user")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("Mật khẩu / password", hide_input=True)
    second = typer.prompt("Nhập lại / again", hide_input=True)
    if first != second:
        raise InputError("hai lần nhập mật khẩu không khớp")
    return str(first)


@users.command("add")
def add(
    ctx: typer.Context,
    username: str,
    role: Annotated[str, typer.Option(help="admin, planner, agency_editor, viewer.")],
    agency: Annotated[str | None, typer.Option(help="Cơ quan (mã) của cán bộ nhập liệu.")] = None,
    name: Annotated[str | None, typer.Option(help="Họ tên hiển thị.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ stdin.")
    ] = False,
) -> None:
    """Thêm người dùng (add a user)."""
    password = _password(password_stdin)
    with transaction(app_context(ctx).engine()) as session:
        found = get_agency(session, code_or_name=agency) if agency else None
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            display_name=name,
            agency=found,
            actor="cli",
        )
        typer.echo(f"đã thêm {user.username} ({user.role})")


@users.command("set")
def set_user(
    ctx: typer.Context,
    username: str,
    role: Annotated[str | None, typer.Option(help="Vai trò mới.")] = None,
    agency: Annotated[str | None, typer.Option(help="Cơ quan mới (mã).")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    password: Annotated[bool, typer.Option("--password", help="Đặt lại mật khẩu.")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Đổi vai trò, cơ quan, trạng thái hoặc mật khẩu (change a user)."""
    new_password = _password(password_stdin) if password or password_stdin else None
    with transaction(app_context(ctx).engine()) as session:
        user = get_user(session, username=username)
        found = get_agency(session, code_or_name=agency) if agency else None
        generation = user.session_generation
        update_user(
            session,
            user=user,
            actor="cli",
            role=role,
            agency=found,
            active=active,
            password=new_password,
        )
        typer.echo(f"đã cập nhật {user.username}")
        if user.session_generation != generation:
            typer.echo(
                f"mọi phiên đăng nhập và mã API cũ của {user.username} đã hết hiệu lực "
                "(old sessions and API tokens ended)"
            )


@users.command("list")
def list_command(
    ctx: typer.Context,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Danh sách người dùng (list users)."""
    with transaction(app_context(ctx).engine()) as session:
        records = [user_record(user) for user in list_users(session)]
    emit(
        records,
        output=output,
        columns=[
            ("username", "tên đăng nhập"),
            ("display_name", "họ tên"),
            ("role", "vai trò"),
            ("agency", "cơ quan"),
            ("active", "hoạt động"),
        ],
    )


@users.command("token")
def token(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option(help="Tên gợi nhớ của mã (e.g. 'sở tài chính ETL').")],
) -> None:
    """Cấp mã API cho máy gửi số liệu; mã chỉ hiện một lần (issue an API token)."""
    with transaction(app_context(ctx).engine()) as session:
        user = get_user(session, username=username)
        secret = issue_token(session, user=user, name=name, actor="cli")
    typer.echo(secret)
