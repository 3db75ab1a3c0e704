"""The ``chitieu`` command: a thin layer over the library's service functions.

Each domain adds its commands with ``register(app)``; plugins do the same
through the ``chitieu.cli`` entry point group.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from chitieu._cli_group import EPILOG_VI, ChitieuGroup
from chitieu._context import AppContext
from chitieu._errors import ChitieuError
from chitieu._output import DISPLAY, Display, current_display
from chitieu._settings import Settings

BUILT_IN = (
    "chitieu.dataset.cli",
    "chitieu.plan.cli",
    "chitieu.observation.cli",
    "chitieu.task.cli",
    "chitieu.submission.cli",
    "chitieu.owed.cli",
    "chitieu.export.cli",
    "chitieu.extraction.cli",
    "chitieu.catalogue_cli",
    "chitieu.assessment.cli",
    "chitieu.analytics.cli",
    "chitieu.scenario.cli",
    "chitieu.user.cli",
    "chitieu.audit.cli",
    "chitieu.web.cli",
    "chitieu.report.cli",
    "chitieu.validation.cli",
    "chitieu.backup.cli",
    "chitieu.synth.cli",
)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="chitieu",
        help="Theo dõi thực hiện kế hoạch phát triển kinh tế - xã hội "
        "(monitoring a province's socio-economic development plan).",
        epilog=EPILOG_VI,
        cls=ChitieuGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    for module_name in BUILT_IN:
        module = __import__(module_name, fromlist=["register"])
        module.register(app)
    for plugin in entry_points(group="chitieu.cli"):
        plugin.load()(app)
    return app


def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Cơ sở dữ liệu: tệp SQLite hoặc URL PostgreSQL "
            "(mặc định CHITIEU_DATABASE_URL hoặc ./chitieu.db).",
        ),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Ngôn ngữ / language: vi, en.")] = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide", help="Bảng đủ mọi cột, kể cả ghi chú dài, dù rộng hơn màn hình (wide tables)."
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Chỉ hiện N dòng đầu của danh sách (first N rows)."),
    ] = None,
) -> None:
    overrides: dict[str, str] = {}
    if db is not None:
        overrides["database_url"] = db
    if lang is not None:
        overrides["lang"] = lang
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ChitieuError(f"tham số không hợp lệ: {exc.errors()[0]['msg']}") from exc  # type: ignore[attr-defined]
    ctx.obj = AppContext(settings)
    ctx.call_on_close(ctx.obj.close)
    DISPLAY.set(Display(lang=settings.lang, wide=wide, limit=limit))


def main() -> None:
    """Entry point: one clear line and a non-zero exit for every known failure."""
    try:
        build_app()()
    except ChitieuError as exc:
        lang = current_display().lang
        # The message is text, not markup: a file named "[2024] báo cáo.docx" keeps its brackets.
        Console(stderr=True).print(
            f"[bold red]{'Error' if lang == 'en' else 'Lỗi'}:[/] {escape(exc.text(lang))}",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
