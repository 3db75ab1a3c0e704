"""``chitieu regions``, ``chitieu indicators`` and ``chitieu agencies``: the reference lists."""

from __future__ import annotations

from typing import Annotated

import typer

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu._output import OutputFormat, emit
from chitieu.agency.service import list_agencies
from chitieu.indicator.service import list_indicators
from chitieu.region.service import list_regions, predecessors

FormatOption = Annotated[OutputFormat, typer.Option("--format")]


def register(app: typer.Typer) -> None:
    app.command("regions")(regions)
    app.command("indicators")(indicators)
    app.command("agencies")(agencies)


def regions(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """Địa bàn và lịch sử sáp nhập (regions and their succession)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        records = [
            {
                "code": r.code,
                "name": r.name if lang == "vi" else (r.name_en or r.name),
                "level": r.level,
                "parent": r.parent.code if r.parent else None,
                "gso_code": r.gso_code,
                "valid_from": r.valid_from.isoformat() if r.valid_from else None,
                "valid_to": r.valid_to.isoformat() if r.valid_to else None,
                "formed_from": [p.code for p in predecessors(session, region=r)],
            }
            for r in list_regions(session)
        ]
    emit(
        records,
        output=output,
        columns=[
            ("code", tr(lang, "Mã", "Code")),
            ("name", tr(lang, "Tên", "Name")),
            ("level", tr(lang, "Cấp", "Level")),
            ("valid_from", tr(lang, "Từ", "From")),
            ("valid_to", tr(lang, "Đến", "To")),
            ("formed_from", tr(lang, "Hình thành từ", "From")),
        ],
    )


def indicators(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """Danh mục chỉ tiêu (the indicator catalogue)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        records = [
            {
                "code": i.code,
                "group": i.group,
                "name": i.name(lang),
                "unit": i.unit,
                "direction": i.direction,
                "merge_rule": i.merge_rule,
                "formula": i.formula,
            }
            for i in list_indicators(session)
        ]
    emit(
        records,
        output=output,
        columns=[
            ("code", tr(lang, "Mã", "Code")),
            ("name", tr(lang, "Tên", "Name")),
            ("unit", tr(lang, "Đơn vị", "Unit")),
            ("direction", tr(lang, "Hướng", "Direction")),
            ("formula", tr(lang, "Công thức", "Formula")),
        ],
    )


def agencies(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """Cơ quan, đơn vị (agencies)."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine()) as session:
        records = [
            {
                "code": a.code,
                "name": a.name,
                "kind": a.kind,
                "region": a.region.code if a.region else None,
                "valid_from": a.valid_from.isoformat() if a.valid_from else None,
                "valid_to": a.valid_to.isoformat() if a.valid_to else None,
            }
            for a in list_agencies(session)
        ]
    emit(
        records,
        output=output,
        columns=[
            ("code", tr(lang, "Mã", "Code")),
            ("name", tr(lang, "Tên", "Name")),
            ("valid_from", tr(lang, "Từ", "From")),
            ("valid_to", tr(lang, "Đến", "To")),
        ],
    )
