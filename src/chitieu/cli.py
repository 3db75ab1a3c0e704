"""The ``chitieu`` command: a thin layer over the library's service functions.

Each domain adds its commands with ``register(app)``; plugins do the same
through the ``chitieu.cli`` entry point group.
"""

from __future__ import annotations

import os
import re
import sys
from importlib.machinery import PathFinder
from typing import Annotated

import typer

from chitieu._cli_group import EPILOG_VI, BuiltIn, ChitieuGroup
from chitieu._errors import ChitieuError
from chitieu._output import DISPLAY, Display, current_display

# Every built-in command: its name, the module whose ``register(app)`` adds it, and the
# summary ``chitieu --help`` lists. A module is imported only when one of its commands
# runs or shows its own help, so a command pays for its own libraries alone.
# tests/test_cli_startup.py checks each summary against the command's own.
BUILT_IN: tuple[BuiltIn, ...] = (
    BuiltIn(
        "init",
        "chitieu.dataset.cli",
        "Tạo hoặc nâng cấp cơ sở dữ liệu (create or upgrade the database).",
    ),
    BuiltIn(
        "load",
        "chitieu.dataset.cli",
        "Nạp một thư mục dữ liệu, tất cả hoặc không gì (load a data folder, all or nothing).",
    ),
    BuiltIn(
        "targets", "chitieu.plan.cli", "Liệt kê mục tiêu của kế hoạch (list the targets plans set)."
    ),
    BuiltIn(
        "overview",
        "chitieu.plan.cli",
        "Mỗi mục tiêu cùng số liệu mới nhất (every target with its latest figure).",
    ),
    BuiltIn(
        "observations",
        "chitieu.observation.cli",
        "Số liệu đã ghi nhận, với nguồn của từng số (observed figures with their sources).",
    ),
    BuiltIn(
        "correct",
        "chitieu.observation.cli",
        "Sửa một số liệu bằng một bản mới; bản cũ vẫn được lưu (correct a figure).",
    ),
    BuiltIn(
        "tasks", "chitieu.task.cli", "Nhiệm vụ của kế hoạch theo cơ quan (tasks a plan assigns)."
    ),
    BuiltIn(
        "task-update",
        "chitieu.task.cli",
        "Ghi một báo cáo tiến độ có ngày cho nhiệm vụ (record a dated update).",
    ),
    BuiltIn(
        "import",
        "chitieu.submission.cli",
        "Nhập số liệu của cơ quan từ tệp CSV/Excel (import an agency submission).",
    ),
    BuiltIn(
        "template",
        "chitieu.submission.cli",
        "Ghi mẫu Excel để cơ quan điền số liệu (write the Excel submission template).",
    ),
    BuiltIn(
        "requests",
        "chitieu.owed.cli",
        "Số liệu các cơ quan còn phải báo cáo cho các mục tiêu thiếu số liệu (figures owed).",
    ),
    BuiltIn(
        "export",
        "chitieu.export.cli",
        "Xuất số liệu, mục tiêu: CSV, JSON, kho Open SDG (export: CSV, JSON, Open SDG repository).",
    ),
    BuiltIn(
        "extract",
        "chitieu.extraction.cli",
        "Tìm số liệu trong văn bản, không ghi vào cơ sở dữ liệu (find figures in documents).",
    ),
    BuiltIn(
        "ingest",
        "chitieu.extraction.cli",
        "Lưu văn bản và số liệu trích được để duyệt; tệp lỗi không ghi gì (store for review).",
    ),
    BuiltIn(
        "regions",
        "chitieu.catalogue_cli",
        "Địa bàn và lịch sử sáp nhập (regions and their succession).",
    ),
    BuiltIn("indicators", "chitieu.catalogue_cli", "Danh mục chỉ tiêu (the indicator catalogue)."),
    BuiltIn("agencies", "chitieu.catalogue_cli", "Cơ quan, đơn vị (agencies)."),
    BuiltIn(
        "assess",
        "chitieu.assessment.cli",
        "Đánh giá từng mục tiêu của kế hoạch với số liệu đến một ngày (assess every target).",
    ),
    BuiltIn(
        "progress",
        "chitieu.assessment.cli",
        "Đánh giá tiến độ từng chuỗi, mỗi dòng một kết quả (progress per series, line by line).",
    ),
    BuiltIn(
        "forecast",
        "chitieu.scenario.cli",
        "Dự báo chuỗi năm ngắn: trung bình của bước ngẫu nhiên có xu hướng, san mũ tắt dần, Theta.",
    ),
    BuiltIn(
        "audit", "chitieu.audit.cli", "Nhật ký thay đổi: ai, khi nào, thay đổi gì (the audit log)."
    ),
    BuiltIn(
        "serve",
        "chitieu.web.cli",
        "Chạy ứng dụng web: bảng điều khiển và API (serve the dashboard and the API).",
    ),
    BuiltIn(
        "report",
        "chitieu.report.cli",
        "Viết báo cáo định kỳ: HTML, PDF hoặc DOCX (write the periodic report).",
    ),
    BuiltIn(
        "validate",
        "chitieu.validation.cli",
        "Kiểm tra số liệu theo các quy tắc (validate every figure against the rules).",
    ),
    BuiltIn(
        "backup",
        "chitieu.backup.cli",
        "Sao lưu toàn bộ cơ sở dữ liệu, kể cả khi máy chủ đang chạy (back up the database).",
    ),
    BuiltIn(
        "restore",
        "chitieu.backup.cli",
        "Khôi phục cơ sở dữ liệu từ một bản sao lưu, thay toàn bộ dữ liệu (restore a backup).",
    ),
    BuiltIn(
        "synth",
        "chitieu.synth.cli",
        "Ghi bộ dữ liệu quốc gia tổng hợp, tất định theo hạt giống (a synthetic national dataset).",
    ),
    BuiltIn("plans", "chitieu.plan.cli", "Liệt kê các kế hoạch (list plans)."),
    BuiltIn(
        "review",
        "chitieu.extraction.cli",
        "Duyệt số liệu trích từ văn bản và các số liệu mâu thuẫn "
        "(review extracted figures and conflicts).",
    ),
    BuiltIn(
        "analyze",
        "chitieu.analytics.cli",
        "Phân tích tăng trưởng: tính lại từ số liệu đã ghi nhận (growth analytics).",
    ),
    BuiltIn(
        "scenario",
        "chitieu.scenario.cli",
        "Kịch bản, xác suất đạt mục tiêu (scenarios and the odds of meeting targets).",
    ),
    BuiltIn("user", "chitieu.user.cli", "Người dùng và mã API (users and API tokens)."),
)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="chitieu",
        help="Theo dõi thực hiện kế hoạch phát triển kinh tế - xã hội "
        "(monitoring a province's socio-economic development plan).",
        epilog=EPILOG_VI,
        cls=_Chitieu,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    if _may_declare_plugins():
        from importlib.metadata import entry_points

        for plugin in entry_points(group="chitieu.cli"):
            plugin.load()(app)
    return app


_PLUGIN_GROUP = re.compile(r"(?m)^\s*\[\s*chitieu\.cli\s*\]\s*$")


def _may_declare_plugins() -> bool:
    """Whether an installed package may add commands (the ``chitieu.cli`` entry point group).

    importlib.metadata costs every command a fifth of ``chitieu --help`` to import;
    the files it would read are looked at first, and it is asked only when one of them
    names the group, or when it could find packages where they are not looked at.
    """
    if any(
        hasattr(finder, "find_distributions") and finder is not PathFinder
        for finder in sys.meta_path
    ):
        return True
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True  # a zip archive
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            return True
        for name in names:
            if not name.lower().endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as f:
                    declared = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if _PLUGIN_GROUP.search(declared):
                return True
    return False


class _Chitieu(ChitieuGroup):
    built_in = BUILT_IN


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
    from chitieu._context import AppContext
    from chitieu._settings import Settings, SettingsError

    overrides: dict[str, str] = {}
    if db is not None:
        overrides["database_url"] = db
    if lang is not None:
        overrides["lang"] = lang
    try:
        settings = Settings(**overrides)
    except SettingsError as exc:
        raise ChitieuError(f"tham số không hợp lệ: {exc.errors()[0]['msg']}") from exc
    ctx.obj = AppContext(settings)
    ctx.call_on_close(ctx.obj.close)
    DISPLAY.set(Display(lang=settings.lang, wide=wide, limit=limit))


def main() -> None:
    """Entry point: one clear line and a non-zero exit for every known failure."""
    try:
        build_app()()
    except ChitieuError as exc:
        from rich.console import Console
        from rich.markup import escape

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
