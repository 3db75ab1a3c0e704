"""``chitieu import`` and ``chitieu template``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu.agency.service import get_agency
from chitieu.audit.service import record_change
from chitieu.submission.service import import_submission
from chitieu.submission.template import write_template


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
    app.command("template")(template)


def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Tệp .csv hoặc .xlsx theo mẫu.")],
    agency: Annotated[str | None, typer.Option(help="Cơ quan gửi số liệu (mã hoặc tên).")] = None,
    by: Annotated[str | None, typer.Option(help="Người nhập.")] = None,
    partial: Annotated[
        bool, typer.Option(help="Ghi các dòng đúng, bỏ qua dòng lỗi (mặc định: tất cả hoặc không).")
    ] = False,
) -> None:
    """Nhập số liệu của cơ quan từ tệp CSV/Excel (import an agency submission)."""
    context = app_context(ctx)
    lang = context.lang
    console = Console()
    with transaction(context.engine()) as session:
        report = import_submission(
            session,
            path=file,
            recorded_by=by or getpass.getuser(),
            partial=partial,
            agency=get_agency(session, code_or_name=agency) if agency else None,
        )
        record_change(
            session,
            actor=by or getpass.getuser(),
            action="import",
            entity="import_batch",
            entity_id=None,
            after={"file": file.name, "rows": report.rows, "written": report.written},
        )
    console.print(
        tr(
            lang,
            f"{file}: {report.rows} dòng, ghi {report.written}, đã có {report.unchanged}, "
            f"lỗi {len(report.problems)}",
            f"{file}: {report.rows} rows, {report.written} written, {report.unchanged} unchanged, "
            f"{len(report.problems)} rejected",
        )
    )
    for problem in report.problems:
        console.print(f"  {problem}", highlight=False)


def template(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Tệp .xlsx sẽ ghi.")],
) -> None:
    """Ghi mẫu Excel để cơ quan điền số liệu (write the Excel submission template)."""
    context = app_context(ctx)
    with transaction(context.engine()) as session:
        write_template(session, path=out)
    Console().print(tr(context.lang, f"Đã ghi mẫu: {out}", f"Template written: {out}"))
