"""``chitieu init`` and ``chitieu load``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import app_context
from chitieu._database import describe, transaction
from chitieu._errors import InputError
from chitieu.dataset.service import EMBEDDED, load_folder


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("load")(load)


def init(ctx: typer.Context) -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu (create or upgrade the database)."""
    engine = app_context(ctx).engine()
    Console().print(f"Cơ sở dữ liệu sẵn sàng: {describe(engine)}")


def load(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(help="Thư mục dữ liệu (mặc định: bộ dữ liệu Bắc Giang kèm theo)."),
    ] = None,
    documents: Annotated[
        Path | None,
        typer.Option(help="Thư mục chứa văn bản gốc để lưu nội dung và kiểm tra vị trí số liệu."),
    ] = None,
) -> None:
    """Nạp một thư mục dữ liệu, tất cả hoặc không gì (load a data folder, all or nothing)."""
    source = folder or EMBEDDED
    if not source.is_dir():
        raise InputError(f"{source}: không có thư mục dữ liệu này")
    if documents is not None and not documents.is_dir():
        raise InputError(f"{documents}: không có thư mục văn bản này")
    context = app_context(ctx)
    engine = context.engine()
    with transaction(engine) as session:
        report = load_folder(session, folder=source, documents=documents)
    console = Console()
    console.print(f"Đã nạp {source} vào {describe(engine)}")
    for table, seen in sorted(report.counts.items()):
        console.print(f"  {table}: {seen} dòng, {report.written[table]} dòng mới hoặc thay đổi")
    if report.texts_attached:
        console.print(f"  văn bản gốc: {', '.join(report.texts_attached)}")
