"""``chitieu scenario run|odds|example`` and ``chitieu forecast``."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._errors import InputError
from chitieu._labels import tr, word
from chitieu._layout import Column
from chitieu._output import OutputFormat, emit
from chitieu.assessment.series import yearly
from chitieu.indicator.service import get_indicator
from chitieu.plan.service import get_plan
from chitieu.region.service import get_region
from chitieu.scenario.forecast import DEFAULT_HORIZON, forecast
from chitieu.scenario.service import (
    DEFAULT_RUNS,
    DEFAULT_SEED,
    EXAMPLE,
    INVESTMENT_NOTE,
    INVESTMENT_NOTE_EN,
    check_targets,
    compounds,
    load_scenario,
    odds,
    run_scenario,
)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="table hoặc json.")]
PlanOption = Annotated[
    str | None, typer.Option("--plan", help="Mã hoặc số hiệu kế hoạch (mặc định mọi kế hoạch).")
]


def register(app: typer.Typer) -> None:
    scenario = typer.Typer(
        help="Kịch bản, xác suất đạt mục tiêu (scenarios and the odds of meeting targets).",
        no_args_is_help=True,
    )
    scenario.command("run")(run_command)
    scenario.command("odds")(odds_command)
    scenario.command("example")(example_command)
    app.add_typer(scenario, name="scenario")
    app.command("forecast")(forecast_command)


# chitieu scenario run


def run_command(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(metavar="FILE.yaml", help="Tệp kịch bản (xem: chitieu scenario example)."),
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Chạy kịch bản mẫu đi kèm chitieu.")
    ] = False,
    plan: PlanOption = None,
    output: FormatOption = Format.table,
) -> None:
    """Chạy kịch bản: lộ trình GRDP, cơ cấu, bình quân đầu người, vốn cần có; mục tiêu đạt."""
    if (file is None) == (not example):
        raise InputError("cần đúng một trong hai: tệp kịch bản FILE.yaml hoặc --example")
    source = EXAMPLE if example else file
    assert source is not None
    scenario = load_scenario(source)
    path = run_scenario(scenario)
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        chosen = get_plan(session, code_or_number=plan) if plan else None
        checks = [
            check.record()
            for check in check_targets(
                session, scenario=scenario, path=path, plan=chosen, lang=lang
            )
        ]
    rows = [row.record() for row in path]
    if output is Format.json:
        _dump(
            {
                "scenario": scenario.name,
                "source": str(source),
                "start_year": scenario.start_year,
                "investment_note": INVESTMENT_NOTE,
                "path": rows,
                "targets": checks,
            }
        )
        return
    _path_table(rows, scenario.name, lang)
    Console().print(tr(lang, INVESTMENT_NOTE, INVESTMENT_NOTE_EN), highlight=False)
    for check in checks:
        check["target_shown"] = _format.bounds(check["min"], check["max"], lang)
        check["value_shown"] = _number(check["value"], lang, 2)
        check["met_shown"] = _met(check["met"], lang)
    emit(
        checks,
        output=OutputFormat.table,
        title=tr(lang, "Mục tiêu theo kịch bản", "Targets on the scenario's path"),
        columns=[
            ("plan_document", tr(lang, "Kế hoạch", "Plan")),
            Column("row", tr(lang, "Dòng", "Row"), "head"),
            Column("label", tr(lang, "Chỉ tiêu", "Target"), "head"),
            ("period", tr(lang, "Kỳ", "Period")),
            ("target_shown", tr(lang, "Mục tiêu", "Target value")),
            ("value_shown", tr(lang, "Kịch bản", "Scenario")),
            ("met_shown", tr(lang, "Đạt?", "Met?")),
            ("basis", tr(lang, "Căn cứ", "Basis")),
            Column("note", tr(lang, "Ghi chú", "Note"), "note"),
        ],
    )


def _path_table(rows: list[dict[str, Any]], name: str, lang: str) -> None:
    shown = []
    for row in rows:
        shown.append(
            {
                "year": str(row["year"]),
                "growth": _number(row["growth"], lang, 2),
                "grdp": _number(row["grdp"] / 1e12, lang, 1),
                "structure": " / ".join(
                    _format.number(row[f"share_{s}"], lang, 1)
                    for s in ("agriculture", "industry_construction", "services", "product_taxes")
                ),
                "population": _number(row["population"] / 1e3, lang, 1),
                "exchange_rate": _number(row["exchange_rate"], lang, 0),
                "per_capita": _number(row["per_capita_usd"], lang, 0),
                "icor": _number(row["icor"], lang, 2),
                "share": _number(row["investment_share"], lang, 1),
                "investment": _number(
                    row["investment_required"] / 1e12
                    if row["investment_required"] is not None
                    else None,
                    lang,
                    1,
                ),
                "note": row["note"],
            }
        )
    emit(
        shown,
        output=OutputFormat.table,
        title=tr(lang, f"Kịch bản: {name}", f"Scenario: {name}"),
        columns=[
            Column("year", tr(lang, "Năm", "Year"), "head"),
            ("growth", tr(lang, "Tăng GRDP (%)", "GRDP growth (%)")),
            ("grdp", tr(lang, "GRDP (nghìn tỷ đồng)", "GRDP (VND trillion)")),
            ("structure", tr(lang, "NN / CN-XD / DV / Thuế (%)", "Agr / Ind / Serv / Tax (%)")),
            ("population", tr(lang, "Dân số (nghìn)", "Population (thousand)")),
            ("exchange_rate", tr(lang, "Tỷ giá (đồng/USD)", "VND per USD")),
            ("per_capita", tr(lang, "GRDP/người (USD)", "GRDP per capita (USD)")),
            ("icor", "ICOR"),
            ("share", tr(lang, "Vốn ĐT/GRDP (%)", "Investment/GRDP (%)")),
            ("investment", tr(lang, "Vốn ĐT cần có (nghìn tỷ)", "Investment required (trn)")),
            Column("note", tr(lang, "Ghi chú", "Note"), "note"),
        ],
    )


def _met(met: bool | None, lang: str) -> str:
    if met is None:
        return "—"
    return (
        tr(lang, "[green]đạt[/]", "[green]met[/]")
        if met
        else tr(lang, "[red]chưa đạt[/]", "[red]not met[/]")
    )


# chitieu scenario odds


def odds_command(
    ctx: typer.Context,
    plan: PlanOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Số liệu đến ngày, YYYY-MM-DD (mặc định hôm nay).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Hạt giống ngẫu nhiên.")] = DEFAULT_SEED,
    runs: Annotated[int, typer.Option("--runs", help="Số lần mô phỏng.")] = DEFAULT_RUNS,
    output: FormatOption = Format.table,
) -> None:
    """Xác suất đạt từng mục tiêu (Monte Carlo) và quạt phân vị 5/25/50/75/95 theo năm."""
    context = app_context(ctx)
    lang = context.lang
    day = _day(as_of)
    with transaction(context.engine(), writes=False) as session:
        chosen = get_plan(session, code_or_number=plan) if plan else None
        records = [
            item.record()
            for item in odds(session, as_of=day, plan=chosen, runs=runs, seed=seed, lang=lang)
        ]
    if output is Format.json:
        _dump(records)
        return
    fan_rows = []
    for record in records:
        record["target_shown"] = _format.bounds(record["min"], record["max"], lang)
        record["measure_shown"] = word(record["measure"], lang)
        record["probability_shown"] = _probability(record, lang)
        simulated = record["status"] != "insufficient_data"
        record["method_shown"] = tr(lang, *_METHODS[record["method"]]) if simulated else "—"
        outcome = record["outcome"]
        record["outcome_shown"] = (
            f"{_format.number(outcome['p50'], lang, 2)} "
            f"({_between(outcome['p5'], outcome['p95'], lang)})"
            if outcome
            else "—"
        )
        for row in record["fan"]:
            fan_rows.append(
                {
                    "label": f"{record['row']}. {record['label']} ({record['period']})",
                    "year": str(row["year"]),
                    **{
                        key: _format.number(row[key], lang, 2)
                        for key in ("p5", "p25", "p50", "p75", "p95")
                    },
                }
            )
    emit(
        records,
        output=OutputFormat.table,
        title=tr(
            lang,
            f"Xác suất đạt mục tiêu (số liệu đến {_format.day(day)}, {runs} lần, seed {seed})",
            f"Odds of meeting targets (figures to {_format.day(day)}, {runs} runs, seed {seed})",
        ),
        columns=[
            ("plan_document", tr(lang, "Kế hoạch", "Plan")),
            Column("row", tr(lang, "Dòng", "Row"), "head"),
            Column("label", tr(lang, "Chỉ tiêu", "Target"), "head"),
            ("period", tr(lang, "Kỳ", "Period")),
            ("measure_shown", tr(lang, "Đo bằng", "Measure")),
            ("target_shown", tr(lang, "Mục tiêu", "Target value")),
            ("probability_shown", tr(lang, "Xác suất đạt", "Probability")),
            ("outcome_shown", tr(lang, "Trung vị (5% – 95%)", "Median (5% – 95%)")),
            ("method_shown", tr(lang, "Cách mô phỏng", "Method")),
            Column("note", tr(lang, "Ghi chú", "Note"), "note"),
        ],
    )
    emit(
        fan_rows,
        output=OutputFormat.table,
        title=tr(lang, "Quạt phân vị theo năm", "Fan chart: percentiles by year"),
        columns=[
            Column("label", tr(lang, "Chỉ tiêu", "Target"), "head"),
            Column("year", tr(lang, "Năm", "Year"), "head"),
            ("p5", "5%"),
            ("p25", "25%"),
            ("p50", "50%"),
            ("p75", "75%"),
            ("p95", "95%"),
        ],
    )


_METHODS = {
    "iid-normal": ("mỗi năm rút độc lập (chuẩn)", "independent yearly draws (normal)"),
    "random-walk": ("bước ngẫu nhiên có xu hướng", "random walk with drift"),
    "random-walk-log": ("bước ngẫu nhiên có xu hướng (log)", "random walk with drift (logs)"),
    "observed": ("đã có số", "observed"),
}


def _probability(record: dict[str, Any], lang: str) -> str:
    """'37,2%'; a simulated 0 or 1 only says the runs never (always) met it."""
    value = record["probability"]
    if value is None:
        return tr(lang, "[dim]thiếu số liệu[/]", "[dim]insufficient data[/]")
    if record["status"] == "simulated" and value < 0.001:
        return "< 0,1%" if lang == "vi" else "< 0.1%"
    if record["status"] == "simulated" and value > 0.999:
        return "> 99,9%" if lang == "vi" else "> 99.9%"
    shown = f"{_format.number(value * 100, lang, 1)}%"
    return (
        shown + tr(lang, " (đã có số)", " (observed)") if record["status"] == "decided" else shown
    )


# chitieu scenario example


def example_command(
    out: Annotated[Path, typer.Argument(metavar="OUT.yaml", help="Nơi ghi kịch bản mẫu.")],
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có.")] = False,
) -> None:
    """Ghi kịch bản mẫu Bắc Giang 2025-2030 (giả định minh họa) ra tệp để sửa và chạy."""
    if out.exists() and not force:
        raise InputError(f"{out}: tệp đã có (dùng --force để ghi đè)")
    try:
        out.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: không ghi được tệp ({exc})") from exc
    Console().print(f"Đã ghi kịch bản mẫu: {out}", highlight=False)


# chitieu forecast


def forecast_command(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(metavar="INDICATOR", help="Mã hoặc tên chỉ tiêu.")],
    region: Annotated[str, typer.Option("--region", help="Mã hoặc tên địa bàn.")] = "bac_giang",
    years: Annotated[int, typer.Option("--years", help="Số năm dự báo.")] = DEFAULT_HORIZON,
    output: FormatOption = Format.table,
) -> None:
    """Dự báo chuỗi năm ngắn: trung bình của bước ngẫu nhiên có xu hướng, san mũ tắt dần, Theta."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        found = get_indicator(session, code_or_name=indicator)
        place = get_region(session, code_or_name=region)
        series = yearly(session, indicator=found, region=place, as_of=date.today(), lang=lang)
        values = {year: point.value for year, point in series.items()}
        code, unit, name = found.code, found.unit, found.name_vi if lang == "vi" else found.name_en
        place_code = place.code
        log_scale = compounds(found, list(values.values()))
    try:
        result = forecast(values, horizon=years, log_scale=log_scale)
    except InputError as exc:
        raise InputError(f"{code} ({place_code}): {exc}") from exc
    observed = [{"year": year, "value": value} for year, value in sorted(result.observed.items())]
    predicted = [item.record() for item in result.years]
    if output is Format.json:
        _dump(
            {
                "indicator": code,
                "region": place_code,
                "unit": unit,
                "level": result.level,
                "log_scale": result.log_scale,
                "interpolated": result.interpolated,
                "observed": observed,
                "forecast": predicted,
                "notes": result.notes,
            }
        )
        return
    rows = [
        {
            "year": str(r["year"]),
            "kind": tr(lang, "thực tế", "observed"),
            "value": _number(r["value"], lang, 2),
        }
        for r in observed
    ]
    for r in predicted:
        rows.append(
            {
                "year": str(r["year"]),
                "kind": tr(lang, "dự báo", "forecast"),
                "value": _number(r["value"], lang, 2),
                "interval": _between(r["lower"], r["upper"], lang),
                **{
                    key: _number(r.get(key), lang, 2)
                    for key in ("random_walk_drift", "damped_smoothing", "theta")
                },
            }
        )
    emit(
        rows,
        output=OutputFormat.table,
        title=f"{name} ({unit}), {place_code}",
        columns=[
            ("year", tr(lang, "Năm", "Year")),
            ("kind", tr(lang, "Loại", "Kind")),
            ("value", tr(lang, "Giá trị", "Value")),
            ("interval", tr(lang, f"Khoảng {result.level:.0%}", f"{result.level:.0%} interval")),
            ("random_walk_drift", tr(lang, "Bước ngẫu nhiên", "Random walk")),
            ("damped_smoothing", tr(lang, "San mũ tắt dần", "Damped smoothing")),
            ("theta", "Theta"),
        ],
    )
    for note in result.notes:
        Console().print(f"Ghi chú: {note}", highlight=False, markup=False)


# helpers


def _number(value: float | None, lang: str, digits: int) -> str:
    return "—" if value is None else _format.number(value, lang, digits)


def _between(low: float, high: float, lang: str) -> str:
    return f"{_format.number(low, lang, 2)} – {_format.number(high, lang, 2)}"


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"ngày '{text}' không hợp lệ (YYYY-MM-DD)") from exc


def _dump(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
