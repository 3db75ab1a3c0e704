"""Section III: the plan's key targets — target, latest figure, % of plan, status — and charts.

The statuses are the assessment's (``plan.dashboard.overview`` over
``assessment.service.assess``), so the report says what the dashboard says.
Each target's indicator is then drawn over the years with the plan's targets
as bands (the indicator page's chart, at the report's size).
"""

from __future__ import annotations

from chitieu import _format
from chitieu._labels import word
from chitieu._periods import parse_period
from chitieu.assessment.series import Point
from chitieu.assessment.service import Assessment
from chitieu.chart.indicator import drawable
from chitieu.chart.report import trajectory_chart
from chitieu.indicator.page import target_mark, yearly_points
from chitieu.plan.dashboard import (
    OverviewRow,
    area_word,
    overview,
    plan_ended,
    status_word,
    verdict_word,
)
from chitieu.plan.in_force import plans_covering
from chitieu.plan.models import Target
from chitieu.report.context import Context
from chitieu.report.model import Cell, Paragraph, Section, Table
from chitieu.report.text import money_scale, region_name, target_text, value_text

# A trajectory needs two years to be a line.
MIN_POINTS = 2


def targets_section(ctx: Context) -> Section:
    section = Section(
        ctx.t("III. CÁC CHỈ TIÊU CHỦ YẾU CỦA KẾ HOẠCH", "III. THE PLAN'S KEY TARGETS")
    )
    overview = ctx.overview
    section.add(
        Paragraph(
            ctx.t(
                f"Đánh giá từng mục tiêu với số liệu đến ngày {_format.day(ctx.as_of)}. "
                "“% KH” là số mới nhất so với mục tiêu, chỉ tính khi số đó là của cả năm "
                "mục tiêu (hoặc là một mức duy trì như tỷ lệ, độ che phủ).",
                f"Each target judged on the figures known by {_format.day(ctx.as_of)}. "
                "“% of plan” compares the latest figure with the target, only when that "
                "figure is of the target's whole year (or a standing level such as a rate).",
            )
        )
    )
    headers = (
        ctx.t("TT", "No."),
        ctx.t("Chỉ tiêu", "Indicator"),
        ctx.t("Kỳ", "Period"),
        ctx.t("Mục tiêu", "Target"),
        ctx.t("Ước/thực hiện", "Latest figure"),
        ctx.t("% KH", "% of plan"),
        ctx.t("Đánh giá", "Status"),
    )
    for area in overview.areas:
        rows = tuple(_row(ctx, row) for row in area.rows)
        caption = ctx.t("Chỉ tiêu", "Targets") + f": {area_word(area.code, ctx.lang)}"
        section.add(Table(caption, headers, rows, widths=(6, 30, 11, 14, 20, 8, 11)))
    if not overview.areas:
        section.add(Paragraph(ctx.t("Kế hoạch chưa có mục tiêu nào.", "The plan sets no target.")))
    others = _other_plans(ctx, headers)
    if others is not None:
        section.sections.append(others)
    section.sections.append(_trajectories(ctx))
    return section


def _other_plans(ctx: Context, headers: tuple[str, ...]) -> Section | None:
    """The other plans in force on the region: an annual plan carries out a five-year one."""
    if plan_ended(ctx.plan, ctx.as_of):
        return None  # a final report is on its own plan
    plans = [
        plan
        for plan in plans_covering(
            ctx.session, region=ctx.region, year=ctx.as_of.year, as_of=ctx.as_of
        )
        if plan.id != ctx.plan.id
    ]
    if not plans:
        return None
    part = Section(
        ctx.t(
            "Mục tiêu của các kế hoạch khác đang có hiệu lực",
            "Targets of the other plans in force",
        ),
        level=2,
    )
    for plan in plans:
        shown = overview(ctx.session, plan=plan, as_of=ctx.as_of, region=ctx.region, lang=ctx.lang)
        rows = tuple(_row(ctx, row) for area in shown.areas for row in area.rows)
        caption = plan.full_name
        part.add(Table(caption, headers, rows, widths=(6, 30, 11, 14, 20, 8, 11)))
    return part


def _row(ctx: Context, row: OverviewRow) -> tuple[Cell, ...]:
    assessment = row.assessment
    target = assessment.target
    label = target.label(ctx.lang)
    if target.qualifier:
        label += f" ({word(target.qualifier, ctx.lang)})"
    percent = row.percent_of_plan
    latest = assessment.latest
    same_unit = latest is not None and _unit_of(latest, target) == target.unit
    # A row's target and figure at one scale: ≥ 56,834 and 52,1 nghìn tỷ đồng.
    scale = money_scale(target, latest.value if latest and same_unit else None, ctx.lang)
    return (
        Cell(target.row),
        Cell(label),
        Cell(row.period_label),
        Cell(target_text(target, ctx.lang, scale), numeric=True),
        _latest(ctx, assessment, scale if same_unit else None),
        Cell("—" if percent is None else f"{_format.number(percent, ctx.lang, 1)}%", numeric=True),
        Cell(_status(ctx, assessment), nowrap=True, status=assessment.status),
    )


def _status(ctx: Context, assessment: Assessment) -> str:
    """The status, said to be a final verdict or a projection."""
    kind = verdict_word(assessment, ctx.lang)
    shown = status_word(assessment.status, ctx.lang)
    return f"{kind}: {shown}" if kind else shown


def _unit_of(latest: Point, target: Target) -> str:
    return latest.observation.unit if latest.observation else target.indicator.unit


def _latest(ctx: Context, assessment: Assessment, scale: _format.Scale | None = None) -> Cell:
    """The figure the status rests on: the latest, or the average growth so far."""
    target, latest = assessment.target, assessment.latest
    lang = ctx.lang
    if target.measure == "change_per_year" and assessment.observed_pace is not None:
        pace = _format.number(assessment.observed_pace, lang, 2)
        return Cell(f"{pace} {ctx.t('điểm/năm', 'points/year')}", numeric=True)
    if latest is None:
        return Cell("—")
    period = parse_period(latest.period).label(lang)
    # A figure recomputed from a merged region's parts is no one figure of the annex:
    # the assessment's note names the parts.
    cited = latest.observation
    ref = ctx.annex.observation(cited) if cited is not None else None
    if target.measure == "average_growth" and assessment.observed_pace is not None:
        first = parse_period(target.period).start.year
        average = value_text(assessment.observed_pace, "%", lang)
        years = f"{first}–{parse_period(latest.period).year}"
        return Cell(f"{ctx.t('bình quân', 'average')} {average} ({years})", ref)
    unit = _unit_of(latest, target)
    value = scale.amount(latest.value) if scale else value_text(latest.value, unit, lang)
    return Cell(f"{value} ({period}, {word(latest.status, lang)})", ref)


def _trajectories(ctx: Context) -> Section:
    """One chart per indicator the plan sets a drawable target for, in plan order."""
    section = Section(
        ctx.t("Diễn biến các chỉ tiêu chủ yếu", "The key targets' indicators over the years"),
        level=2,
    )
    by_indicator: dict[str, list[Target]] = {}
    for row in ctx.overview.rows:
        target = row.target
        if drawable(target_mark(target, ctx.lang)):
            by_indicator.setdefault(target.indicator_code, []).append(target)
    skipped = 0
    for targets in by_indicator.values():
        indicator = targets[0].indicator
        points = yearly_points(ctx.session, indicator=indicator, region=ctx.region, as_of=ctx.as_of)
        if len(points) < MIN_POINTS:
            skipped += 1
            continue
        spec = trajectory_chart(
            title=indicator.name(ctx.lang),
            subtitle=region_name(ctx.region, ctx.lang),
            unit=indicator.unit,
            points=points,
            targets=[target_mark(target, ctx.lang) for target in targets],
            lang=ctx.lang,
        )
        section.add(ctx.chart(indicator.name(ctx.lang), spec, half=True))
    note = ctx.t(
        "Đường: số liệu theo năm (điểm rỗng là số ước tính); dải hoặc vạch vàng: mục tiêu "
        "của kế hoạch.",
        "Line: yearly figures (hollow points are estimates); yellow band or mark: the "
        "plan's target.",
    )
    if skipped:
        note += " " + ctx.t(
            f"{skipped} chỉ tiêu chưa đủ hai năm số liệu nên chưa vẽ.",
            f"{skipped} indicators have fewer than two yearly figures and are not drawn.",
        )
    section.blocks.insert(0, Paragraph(note))
    return section
