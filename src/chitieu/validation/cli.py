"""``chitieu validate``: every figure in the database checked against the rule book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu._layout import Column
from chitieu._output import OutputFormat, emit
from chitieu.region.service import get_region
from chitieu.validation.rules import load_rules
from chitieu.validation.service import check_all, violation_record


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)


def validate(
    ctx: typer.Context,
    region: Annotated[
        str | None, typer.Option(help="Chỉ kiểm tra số liệu của địa bàn này.")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="Tệp quy tắc YAML thay cho bộ quy tắc mặc định (docs/validation.md)."),
    ] = None,
    open_only: Annotated[
        bool, typer.Option("--open-only", help="Bỏ qua các vi phạm đã được giải thích.")
    ] = False,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Kiểm tra số liệu theo các quy tắc (validate every figure against the rules).

    Lists what it finds and exits 0: it reports, it does not fail.
    """
    context = app_context(ctx)
    lang = context.lang
    book = load_rules(rules)
    with transaction(context.engine(), writes=False) as session:
        place = get_region(session, code_or_name=region) if region else None
        violations = check_all(session, rules=book, region=place)
    records = [violation_record(v, lang) for v in violations if not (open_only and v.explained)]
    if output is OutputFormat.table:
        for record in records:
            record["explanation"] = record["explanation"] or "—"
    open_count = sum(1 for v in violations if not v.explained)
    emit(
        records,
        output=output,
        columns=[
            Column("indicator", tr(lang, "Chỉ tiêu", "Indicator"), "head"),
            Column("region", tr(lang, "Địa bàn", "Region"), "head"),
            Column("period", tr(lang, "Kỳ", "Period"), "head"),
            ("rule", tr(lang, "Quy tắc", "Rule")),
            ("severity", tr(lang, "Mức", "Severity")),
            Column("message", tr(lang, "Nội dung", "Finding"), "note"),
            Column("explanation", tr(lang, "Giải thích", "Explanation"), "note"),
        ],
        title=tr(
            lang,
            f"{len(violations)} vi phạm, {open_count} chưa giải thích",
            f"{len(violations)} findings, {open_count} not explained",
        ),
    )
