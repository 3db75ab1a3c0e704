"""``chitieu report``: write the periodic report as HTML, PDF or DOCX and say where it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._errors import InputError
from chitieu._labels import tr
from chitieu.plan.service import get_plan
from chitieu.region.service import get_region
from chitieu.report.model import FORMATS, LANGS


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    plan: Annotated[
        str | None, typer.Option(help="Mã hoặc số hiệu kế hoạch (mặc định: kế hoạch mới nhất).")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Mã hoặc tên địa bàn (mặc định: địa bàn của kế hoạch).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Số liệu đến ngày YYYY-MM-DD (mặc định hôm nay).")
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", help="html, pdf hoặc docx (mặc định theo đuôi tệp --out, hoặc pdf)."
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="vi hoặc en.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Tệp sẽ ghi (mặc định bao-cao-<kế hoạch>-<ngày>.<định dạng>)."),
    ] = None,
    template: Annotated[
        Path | None, typer.Option(help="Mẫu DOCX đã sửa kiểu (mặc định mẫu của chitieu).")
    ] = None,
) -> None:
    """Viết báo cáo định kỳ: HTML, PDF hoặc DOCX (write the periodic report)."""
    # vl-convert starts in its own thread while the report's modules load: it draws the charts.
    from chitieu.chart._render import warm_up

    warm_up()
    # Here, not at the top: every chitieu command imports this module.
    from chitieu.report.service import build_report, destination, write_report

    context = app_context(ctx)
    language = lang or context.lang
    if language not in LANGS:
        raise InputError(f"ngôn ngữ '{language}' không hợp lệ (vi, en)")
    chosen = _format(output_format, out)
    day = _day(as_of)
    # Before the work of building the report, not after.
    if out is not None:
        destination(out)
    if template is not None and not template.is_file():
        raise InputError(f"không có mẫu DOCX {template}")
    with transaction(context.engine(), writes=False) as session:
        found_plan = get_plan(session, code_or_number=plan) if plan else None
        found_region = get_region(session, code_or_name=region) if region else None
        built = build_report(
            session,
            plan=found_plan,
            region=found_region,
            as_of=day,
            lang=language,
            # HTML and PDF show the charts as SVG: drawn while the rest is read.
            draw_charts_ahead=chosen in ("html", "pdf"),
        )
    target = out or Path(f"bao-cao-{built.plan}-{day.isoformat()}.{chosen}")
    written = write_report(built, format=chosen, out=target, template=template)
    Console().print(
        tr(language, "Đã ghi báo cáo", "Report written")
        + f" ({chosen.upper()}): {written.resolve()}",
        highlight=False,
        soft_wrap=True,
    )


def _format(given: str | None, out: Path | None) -> str:
    """The format asked for, else the one the file name says, else PDF."""
    chosen = (given or (out.suffix.lstrip(".") if out and out.suffix else "pdf")).lower()
    if chosen not in FORMATS:
        raise InputError(f"định dạng '{chosen}' không hợp lệ ({', '.join(FORMATS)})")
    return chosen


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"ngày '{text}' không hợp lệ (YYYY-MM-DD)") from exc
