"""``chitieu assess`` (every target of a plan) and ``chitieu progress`` (Open SDG's measure)."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.text import Text

from chitieu import _format
from chitieu._context import AsOf, app_context, as_of_day
from chitieu._database import transaction
from chitieu._errors import InputError, NotFoundError
from chitieu._labels import tr
from chitieu._output import OutputFormat, emit
from chitieu._periods import parse_period
from chitieu.assessment._open_sdg_case import Case, record_id
from chitieu.assessment.service import assess
from chitieu.plan.in_force import plan_in_force
from chitieu.plan.service import get_plan
from chitieu.region.service import get_region

METHODS = ("open-sdg",)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess_command)
    app.command("progress")(progress_command)


_STATUS_WORDS = {
    "achieved": ("[green]đạt[/]", "[green]achieved[/]"),
    "on_track": ("[green]đúng tiến độ[/]", "[green]on track[/]"),
    "needs_acceleration": ("[yellow]cần tăng tốc[/]", "[yellow]needs acceleration[/]"),
    "off_track": ("[red]chệch hướng[/]", "[red]off track[/]"),
    "deteriorating": ("[red]đi lùi[/]", "[red]deteriorating[/]"),
    "insufficient_data": ("[dim]thiếu số liệu[/]", "[dim]insufficient data[/]"),
    "not_achieved": ("[red]không đạt[/]", "[red]not achieved[/]"),
    "succeeded": ("[dim]đã chuyển sang kế hoạch của tỉnh mới[/]", "[dim]succeeded[/]"),
}


def assess_command(
    ctx: typer.Context,
    as_of: AsOf = None,
    plan: Annotated[str | None, typer.Option(help="Mã hoặc số hiệu kế hoạch.")] = None,
    region: Annotated[str | None, typer.Option(help="Mã hoặc tên địa bàn.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    every_plan: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Mọi kế hoạch của mọi địa bàn (every plan), không chỉ kế hoạch đang áp dụng.",
        ),
    ] = False,
) -> None:
    """Đánh giá từng mục tiêu của kế hoạch với số liệu đến một ngày (assess every target)."""
    context = app_context(ctx)
    lang = context.lang
    day = as_of_day(as_of)
    if every_plan and plan:
        raise InputError("--all và --plan: chọn một trong hai (choose one)")
    with transaction(context.engine(), writes=False) as session:
        # No --plan: the plan in force at the date, as the overview and the report take it.
        chosen = get_plan(session, code_or_number=plan) if plan else None
        if chosen is None and not every_plan:
            found = plan_in_force(session, as_of=day, lang=lang)
            if found.plan is None:
                raise NotFoundError(found.note or "")
            chosen = found.plan
            if found.note:
                typer.echo(found.note, err=True)
        records = []
        for item in assess(
            session,
            as_of=day,
            plan=chosen,
            region=get_region(session, code_or_name=region) if region else None,
            lang=lang,
        ):
            record = item.record()
            if output is OutputFormat.table:
                record["label_shown"] = item.target.label(lang)
                record["plan_shown"] = item.target.plan.shown_in(lang)
            records.append(record)
    if output is OutputFormat.table:
        for record in records:
            record["status_shown"] = _STATUS_WORDS[record["status"]][lang != "vi"]
            record["kind_shown"] = (
                tr(lang, "Kết luận", "Verdict")
                if record["final"]
                else tr(lang, "Dự báo", "Projection")
            )
            # The target and the latest figure at one scale, named after the target.
            scale = _format.scale_for(
                [record["min"], record["max"], record["latest_value"]], record["unit"] or "", lang
            )
            record["unit_shown"] = scale.unit
            record["target_shown"] = scale.bounds(record["min"], record["max"])
            record["latest_shown"] = (
                f"{scale.number(record['latest_value'])} ({record['latest_period']})"
                if record["latest_value"] is not None
                else "—"
            )
            record["pace_shown"] = " → ".join(
                _format.number(record[key], lang, 2)
                for key in ("observed_pace", "required_pace")
                if record[key] is not None
            )
    title = tr(
        lang,
        f"Đánh giá mục tiêu đến {_format.day(day)}",
        f"Targets assessed as of {_format.day(day)}",
    )
    console = Console()
    if output is OutputFormat.table and console.width < WIDE:
        _print_narrow(console, records, title, lang)
        return
    emit(
        records,
        output=output,
        title=tr(
            lang,
            f"Đánh giá mục tiêu đến {_format.day(day)}",
            f"Targets assessed as of {_format.day(day)}",
        ),
        columns=[
            ("plan_shown", tr(lang, "Kế hoạch", "Plan")),
            ("row", tr(lang, "Dòng", "Row")),
            ("label_shown", tr(lang, "Chỉ tiêu", "Target")),
            ("period", tr(lang, "Kỳ", "Period")),
            ("target_shown", tr(lang, "Mục tiêu", "Target value")),
            ("latest_shown", tr(lang, "Số mới nhất", "Latest")),
            ("pace_shown", tr(lang, "Tốc độ: đạt → cần", "Pace: observed → needed")),
            ("kind_shown", tr(lang, "Loại", "Kind")),
            ("status_shown", tr(lang, "Đánh giá", "Status")),
            ("note", tr(lang, "Ghi chú", "Note")),
        ],
    )


# Below this many columns the ten-column table breaks every word: one block per target instead.
WIDE = 120


def _with_unit(text: str, unit: str | None) -> str:
    if not text or text == "—" or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _print_narrow(console: Console, records: list[dict[str, Any]], title: str, lang: str) -> None:
    console.print(f"[bold]{escape(title)}[/]")
    plans = {r["plan_shown"] for r in records}
    if len(plans) == 1:
        plan = plans.pop()
        console.print(escape(tr(lang, f"Kế hoạch {plan}", f"Plan {plan}")))
    for r in records:
        console.print()
        period = parse_period(r["period"]).label(lang)
        console.print(f"[bold]{escape(str(r['row']))}. {escape(r['label_shown'])}[/] ({period})")
        unit = r["unit_shown"]
        facts = [f"{tr(lang, 'Mục tiêu', 'Target')} {_with_unit(r['target_shown'], unit)}"]
        if r["latest_value"] is not None:
            facts.append(f"{tr(lang, 'mới nhất', 'latest')} {r['latest_shown']}")
        if r["pace_shown"]:
            # An ended period has only the pace it reached; a running one also the pace it needs.
            said = ("bình quân đạt", "averaged") if r["final"] else ("tốc độ: đạt → cần", "pace")
            facts.append(f"{tr(lang, *said)} {r['pace_shown']}")
        console.print(Padding(escape(" · ".join(facts)), (0, 0, 0, 2), expand=False))
        kind = "" if r["status"] == "succeeded" else f"{r['kind_shown']}: "
        console.print(Padding(f"{kind}{r['status_shown']}", (0, 0, 0, 2), expand=False))
        if r["note"]:
            console.print(Padding(Text(r["note"], style="dim"), (0, 0, 0, 2), expand=False))


def progress_command(
    cases: Annotated[
        Path,
        typer.Argument(
            metavar="CASES.jsonl",
            help='Mỗi dòng một chuỗi số liệu: {"id", "years", "values", "config"}.',
        ),
    ],
    method: Annotated[
        str, typer.Option("--method", help="Phương pháp đánh giá: open-sdg.")
    ] = "open-sdg",
    strict_json: Annotated[
        bool,
        typer.Option(
            "--strict-json",
            help="NaN và vô cực ghi thành null, kèm trường nonfinite nói giá trị gốc.",
        ),
    ] = False,
) -> None:
    """Đánh giá tiến độ từng chuỗi, mỗi dòng một kết quả (progress per series, line by line)."""
    # A line that cannot be read is its own error record; the exit status is then 1.
    if method not in METHODS:
        raise InputError(f"không có phương pháp '{method}' (các phương pháp: {', '.join(METHODS)})")
    # numpy, which the measure runs on, is imported only by this command.
    from chitieu.assessment.open_sdg import progress

    lines = read_case_lines(cases)
    measured = iter(progress([line for line in lines if isinstance(line, Case)]))
    out = sys.stdout
    refused = 0
    for line in lines:
        if isinstance(line, Case):
            record = next(measured).record()
        else:
            refused += 1
            typer.echo(f"{cases}: dòng {line.line}: {line.message}", err=True)
            record = line.record()
        out.write(dump_result(record, strict=strict_json) + "\n")
    out.flush()
    if refused:
        raise typer.Exit(1)


def dump_result(record: dict[str, Any], *, strict: bool) -> str:
    """One JSON line; ``strict`` writes NaN and ±Infinity as null, named in ``nonfinite``."""
    if strict:
        odd = {
            key: _NONFINITE[int(math.copysign(1, v)) if math.isinf(v) else 0]
            for key, v in record.items()
            if isinstance(v, float) and not math.isfinite(v)
        }
        if odd:
            record = {**{k: None if k in odd else v for k, v in record.items()}, "nonfinite": odd}
    return json.dumps(record, ensure_ascii=False, allow_nan=not strict)


_NONFINITE = {0: "NaN", 1: "Infinity", -1: "-Infinity"}


@dataclass(frozen=True, slots=True)
class RefusedLine:
    """A line that no sdg-build run could be given: its number, id if any, and why."""

    line: int
    id: str | int | None
    message: str

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "line": self.line, "error": "invalid_input", "message": self.message}


def read_case_lines(path: Path) -> list[Case | RefusedLine]:
    """Every non-blank line as a :class:`Case`, or why that line alone was refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: không có tệp này") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: không đọc được tệp ({exc})") from exc
    parsed: list[Case | RefusedLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.append(RefusedLine(number, None, f"không đọc được JSON ({exc.msg})"))
            continue
        try:
            case = Case.from_record(record)
        except ValueError as exc:
            case_id = record_id(record) if isinstance(record, dict) else None
            parsed.append(RefusedLine(number, case_id, str(exc)))
            continue
        if case.config.ignored:
            typer.echo(
                f"{path}: dòng {number}: Open SDG không đọc tùy chọn "
                f"{', '.join(case.config.ignored)} (bỏ qua)",
                err=True,
            )
        parsed.append(case)
    return parsed
