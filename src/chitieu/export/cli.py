"""``chitieu export``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu.export.open_sdg import export_open_sdg
from chitieu.export.service import export_tables
from chitieu.indicator.service import get_indicator
from chitieu.region.service import get_region


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    open_sdg = "open-sdg"


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Thư mục ghi kết quả.")],
    output: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.csv,
    indicator: Annotated[str | None, typer.Option(help="Chỉ một chỉ tiêu.")] = None,
    region: Annotated[
        str | None,
        typer.Option(
            help=(
                "Địa bàn (với open-sdg: chuỗi chính khi có số liệu; mặc định là địa bàn "
                "cấp cao nhất, các địa bàn khác thành cột Region)."
            )
        ),
    ] = None,
) -> None:
    """Xuất số liệu, mục tiêu: CSV, JSON, kho Open SDG (export: CSV, JSON, Open SDG repository)."""
    context = app_context(ctx)
    with transaction(context.engine(), writes=False) as session:
        chosen_indicator = get_indicator(session, code_or_name=indicator) if indicator else None
        chosen_region = get_region(session, code_or_name=region) if region else None
        if output is ExportFormat.open_sdg:
            files = export_open_sdg(
                session, out=out, headline=chosen_region, indicator=chosen_indicator
            )
        else:
            files = export_tables(
                session, out=out, fmt=output.value, indicator=chosen_indicator, region=chosen_region
            )
    Console().print(
        tr(context.lang, f"Đã ghi {len(files)} tệp vào {out}", f"Wrote {len(files)} files to {out}")
    )
