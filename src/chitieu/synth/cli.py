"""``chitieu synth``: the synthetic national dataset."""

from __future__ import annotations

import re
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import describe, transaction
from chitieu._errors import InputError
from chitieu.observation.models import Observation
from chitieu.plan.models import Plan


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)


def synth(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Hạt giống: cùng hạt giống, cùng dữ liệu.")],
    provinces: Annotated[int, typer.Option(help="Số tỉnh sau sắp xếp 2025.")] = 34,
    communes: Annotated[int, typer.Option(help="Số xã, phường sau sắp xếp 2025.")] = 3321,
    indicators: Annotated[int, typer.Option(help="Số chỉ tiêu có số liệu.")] = 120,
    years: Annotated[str, typer.Option(help="Các năm, ví dụ 2010-2030.")] = "2010-2030",
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Ghi cả vào cơ sở dữ liệu đã có dữ liệu khác (write beside other data)."
        ),
    ] = False,
) -> None:
    """Ghi bộ dữ liệu quốc gia tổng hợp, tất định theo hạt giống (a synthetic national dataset)."""
    # Imported here: Polars and NumPy would otherwise load with every chitieu command.
    from chitieu.synth.service import settle, synthesize

    span = _years(years)
    engine = app_context(ctx).engine()
    if not force:
        _refuse_other_data(engine)
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


def _refuse_other_data(engine: Engine) -> None:
    """Millions of synthetic rows mixed into the working database would pass for its data:
    the plain ``chitieu report`` would then report on a synthetic plan."""
    with transaction(engine, writes=False) as session:
        plans = session.scalar(select(func.count()).select_from(Plan)) or 0
        figures = session.scalar(select(func.count()).select_from(Observation)) or 0
    if plans or figures:
        where = describe(engine)
        raise InputError(
            f"{where} đã có dữ liệu ({_format.number(plans, 'vi', 0)} kế hoạch, "
            f"{_format.number(figures, 'vi', 0)} số liệu); bộ dữ liệu tổng hợp sẽ lẫn vào đó. "
            "Hãy ghi vào một cơ sở dữ liệu riêng (chitieu --db tong-hop.db synth …), "
            "hoặc thêm --force nếu thật sự muốn ghi vào đây",
            en=f"{where} already holds data ({plans} plans, {figures} figures); the synthetic "
            "dataset would mix with it. Write it to a database of its own "
            "(chitieu --db synth.db synth …), or add --force to write here anyway",
        )
