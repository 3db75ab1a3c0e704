"""``chitieu import`` and ``chitieu template``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import AsOf, app_context, as_of_day
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu.agency.service import get_agency
from chitieu.audit.service import record_change
from chitieu.owed.service import figures_owed, rows_to_fill
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
            f"lỗi {len(report.problems)}"
            + (f", bỏ qua {report.blank} dòng chưa điền giá trị" if report.blank else ""),
            f"{file}: {report.rows} rows, {report.written} written, {report.unchanged} unchanged, "
            f"{len(report.problems)} rejected"
            + (f", {report.blank} unfilled rows skipped" if report.blank else ""),
        )
    )
    if report.read_as is not None:
        console.print(f"  {report.read_as.describe(lang)}", highlight=False)
    for problem in report.problems:
        console.print(f"  {problem}", highlight=False)


def template(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Tệp .xlsx sẽ ghi.")],
    agency: Annotated[
        str | None,
        typer.Option(help="Điền sẵn các số liệu cơ quan này còn thiếu (mã hoặc tên)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Ghi mẫu Excel để cơ quan điền số liệu (write the Excel submission template)."""
    context = app_context(ctx)
    lang = context.lang
    day = as_of_day(as_of)
    with transaction(context.engine(), writes=False) as session:
        rows = []
        if agency:
            chosen = get_agency(session, code_or_name=agency)
            rows = rows_to_fill(figures_owed(session, as_of=day, agency=chosen, lang=lang))
        write_template(session, path=out, rows=rows)
    Console().print(
        tr(
            lang,
            f"Đã ghi mẫu: {out}" + (f" ({len(rows)} dòng cần điền)" if agency else ""),
            f"Template written: {out}" + (f" ({len(rows)} rows to fill)" if agency else ""),
        ),
        highlight=False,
    )
