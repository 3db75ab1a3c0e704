"""``chitieu backup`` and ``chitieu restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import app_context
from chitieu._database import create_engine, describe
from chitieu._format import number
from chitieu._labels import tr
from chitieu._settings import database_url
from chitieu.backup import service
from chitieu.backup._schema import NAMES

_UNITS = ("byte", "KB", "MB", "GB", "TB")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


def backup(
    ctx: typer.Context,
    output: Annotated[
        str | None,
        typer.Argument(
            help="Tệp sao lưu, hoặc thư mục để đặt tệp chitieu-<ngày-giờ> vào; "
            "viết THƯ-MỤC/ để tạo thư mục nếu chưa có (mặc định: thư mục hiện tại).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có.")] = False,
) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu, kể cả khi máy chủ đang chạy (back up the database)."""
    context = app_context(ctx)
    # Not context.engine(): that would upgrade the schema first, and a backup
    # taken before an upgrade is the one worth having.
    engine = create_engine(database_url(context.settings.database_url))
    try:
        made = service.backup(engine=engine, output=output, overwrite=force)
    finally:
        engine.dispose()
    lang = context.lang
    size = human_size(made.size, lang)
    Console().print(
        tr(
            lang,
            f"Đã sao lưu {describe(engine)} vào {made.path}: {size} "
            f"({NAMES[made.kind]}, lược đồ {made.revision})",
            f"Backed up {describe(engine)} to {made.path}: {size} "
            f"({NAMES[made.kind]}, schema {made.revision})",
        ),
        highlight=False,
        soft_wrap=True,
    )


def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="Tệp sao lưu do chitieu backup tạo ra.")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Không hỏi lại trước khi thay dữ liệu.")
    ] = False,
) -> None:
    """Khôi phục cơ sở dữ liệu từ một bản sao lưu, thay toàn bộ dữ liệu (restore a backup)."""
    context = app_context(ctx)
    lang = context.lang
    engine = create_engine(database_url(context.settings.database_url))
    try:
        # Before the question: nobody should agree to replace everything with a missing file.
        service.check(engine=engine, source=source)
        if not yes:
            typer.confirm(
                tr(
                    lang,
                    f"Thay toàn bộ dữ liệu của {describe(engine)} bằng {source}?",
                    f"Replace all data in {describe(engine)} with {source}?",
                ),
                abort=True,
            )
        done = service.restore(engine=engine, source=source)
    finally:
        engine.dispose()
    upgraded = ""
    if done.upgraded_to:
        upgraded = tr(
            lang, f", đã nâng cấp lên {done.upgraded_to}", f", upgraded to {done.upgraded_to}"
        )
    Console().print(
        tr(
            lang,
            f"Đã khôi phục {source} vào {describe(engine)} (lược đồ {done.revision}{upgraded})",
            f"Restored {source} into {describe(engine)} (schema {done.revision}{upgraded})",
        ),
        highlight=False,
        soft_wrap=True,
    )


def human_size(size: int, lang: str) -> str:
    """'97,3 KB' for people; bytes stay whole."""
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(_UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{number(value, lang, digits=1 if unit else 0)} {_UNITS[unit]}"
