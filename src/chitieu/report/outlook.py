"""Section V: the odds of meeting the targets whose years are not all known yet, with fans.

The odds are the scenario module's Monte Carlo (``scenario.service.target_odds``,
seeded, so the same database gives the same report); the fan charts show the
simulated years of the first few such targets.
"""

from __future__ import annotations

from chitieu import _format
from chitieu._labels import unit_word as unit_text
from chitieu._periods import parse_period
from chitieu.chart.indicator import axis_unit
from chitieu.chart.report import scenario_fan_chart
from chitieu.chart.scenario import Band
from chitieu.report.context import Context
from chitieu.report.model import Cell, Chart, Paragraph, Section, Table
from chitieu.report.text import target_text, value_text
from chitieu.scenario.service import Odds, target_odds

MAX_FANS = 2
# Fewer runs than `chitieu scenario odds`' 10 000: two decimals of a probability
# do not need more, and the report is written in seconds.
RUNS = 2_000


def outlook_section(ctx: Context) -> Section:
    section = Section(ctx.t("V. KHẢ NĂNG ĐẠT MỤC TIÊU", "V. THE ODDS OF MEETING THE TARGETS"))
    simulated: list[Odds] = []
    for row in ctx.overview.rows:
        target = row.target
        if target.measure not in ("level", "average_growth"):
            continue
        odds = target_odds(ctx.session, target=target, as_of=ctx.as_of, runs=RUNS, lang=ctx.lang)
        if odds.status == "simulated" and odds.probability is not None:
            simulated.append(odds)
    if not simulated:
        section.add(
            Paragraph(
                ctx.t(
                    "Không có mục tiêu nào còn năm chưa có số liệu mà đủ ba năm số liệu để mô "
                    "phỏng: các mục tiêu đã có số của năm mục tiêu, hoặc chuỗi số liệu còn "
                    "quá ngắn.",
                    "No target has years still unknown and three yearly figures to simulate "
                    "them from: the targets' years are known, or the series are too short.",
                )
            )
        )
        return section
    section.add(
        Paragraph(
            ctx.t(
                f"Mô phỏng Monte Carlo {RUNS:,} lần".replace(",", ".")
                + " các năm chưa có số liệu, từ diễn biến các năm đã có (như lệnh chitieu "
                "scenario): xác suất là tỷ lệ số lần mô phỏng đạt mục tiêu.",
                f"A Monte Carlo simulation ({RUNS:,} runs) of the years not yet known, from the "
                "years known (as chitieu scenario does): the probability is the share of runs "
                "that meet the target.",
            )
        )
    )
    rows = []
    for odds in simulated:
        target = odds.target
        outcome = odds.outcome.get("p50")
        rows.append(
            (
                Cell(target.row),
                Cell(target.label(ctx.lang)),
                Cell(parse_period(target.period).label(ctx.lang)),
                Cell(target_text(target, ctx.lang), numeric=True),
                Cell(
                    # Four significant digits: a simulated median is no more precise.
                    "—"
                    if outcome is None
                    else value_text(float(f"{outcome:.4g}"), target.unit, ctx.lang),
                    numeric=True,
                ),
                Cell(
                    f"{_format.number((odds.probability or 0) * 100, ctx.lang, 0)}%", numeric=True
                ),
            )
        )
    headers = (
        ctx.t("TT", "No."),
        ctx.t("Chỉ tiêu", "Indicator"),
        ctx.t("Kỳ", "Period"),
        ctx.t("Mục tiêu", "Target"),
        ctx.t("Trung vị mô phỏng", "Simulated median"),
        ctx.t("Xác suất đạt", "Probability"),
    )
    caption = ctx.t("Xác suất đạt mục tiêu", "The odds of meeting each target")
    section.add(Table(caption, headers, tuple(rows), widths=(7, 37, 16, 14, 14, 12)))
    for odds in simulated[:MAX_FANS]:
        section.add(_fan(ctx, odds))
    return section


def _fan(ctx: Context, odds: Odds) -> Chart:
    """The simulated years over the history, in the unit the axis reads best (nghìn tỷ đồng)."""
    target = odds.target
    period = parse_period(target.period)
    values = list(odds.history.values()) + [q["p95"] for q in odds.fan.values()]
    factor, unit = axis_unit(target.unit, values, ctx.lang)

    def scaled(value: float | None) -> float | None:
        return None if value is None else value / factor

    band = Band(
        target_text(target, ctx.lang),
        period.start.year,
        period.end.year,
        scaled(target.minimum),
        scaled(target.maximum),
    )
    title = target.label(ctx.lang)
    spec = scenario_fan_chart(
        title=f"{title} ({period.label(ctx.lang)})",
        unit=unit_text(unit, ctx.lang),
        history={year: value / factor for year, value in odds.history.items()},
        fan={year: {k: v / factor for k, v in q.items()} for year, q in odds.fan.items()},
        targets=[band],
        lang=ctx.lang,
    )
    return ctx.chart(ctx.t("Mô phỏng", "Simulation") + f": {title}", spec)
