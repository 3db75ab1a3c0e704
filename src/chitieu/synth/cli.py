"""``chitieu synth``: the synthetic national dataset."""

from __future__ import annotations

import re
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import describe, transaction
from chitieu._errors import InputError


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)


def synth(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Hạt giống: cùng hạt giống, cùng dữ liệu.")],
    provinces: Annotated[int, typer.Option(help="Số tỉnh sau sắp xếp 2025.")] = 34,
    communes: Annotated[int, typer.Option(help="Số xã, phường sau sắp xếp 2025.")] = 3321,
    indicators: Annotated[int, typer.Option(help="Số chỉ tiêu có số liệu.")] = 120,
    years: Annotated[str, typer.Option(help="Các năm, ví dụ 2010-2030.")] = "2010-2030",
) -> None:
    """Ghi bộ dữ liệu quốc gia tổng hợp, tất định theo hạt giống (a synthetic national dataset)."""
    # Imported here: Polars and NumPy would otherwise load with every chitieu command.
    from chitieu.synth.service import settle, synthesize

    span = _years(years)
    engine = app_context(ctx).engine()
    started = time.perf_counter()
    console = Console(stderr=True)
    with (
        Progress(
            TextColumn("[bold]Tạo số liệu"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("chỉ tiêu · {task.fields[rows]} dòng"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
        transaction(engine) as session,
    ):
        task = bar.add_task("synth", total=indicators, rows="0")
        written = [0]

        def step(rows: int) -> None:
            written[0] += rows
            bar.update(task, advance=1, rows=_format.number(written[0], "vi", 0))

        report = synthesize(
            session,
            seed=seed,
            provinces=provinces,
            communes=communes,
            indicators=indicators,
            years=span,
            progress=step,
        )
    with console.status("Chuẩn bị cơ sở dữ liệu cho người đọc (VACUUM)…"):
        settle(engine)
    out = Console()
    seconds = time.perf_counter() - started
    out.print(
        f"Đã ghi bộ dữ liệu tổng hợp (hạt giống {seed}) vào {describe(engine)} "
        f"trong {_format.number(seconds, 'vi', 1)} giây"
    )
    for table, count in report.counts.items():
        out.print(f"  {table}: {_format.number(count, 'vi', 0)} dòng")


def _years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text)
    if match is None:
        raise InputError(f"--years {text}: cần dạng NĂM-NĂM, ví dụ 2010-2030")
    return int(match.group(1)), int(match.group(2))
