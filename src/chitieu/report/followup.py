"""Sections VI and VII: tasks overdue by agency, and figures the sources disagree on."""

from __future__ import annotations

from collections import defaultdict

from chitieu._labels import word
from chitieu._periods import parse_period
from chitieu.extraction.conflicts import Conflict, ConflictMember, conflicts
from chitieu.extraction.models import ExtractedFigure
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.report.context import Context
from chitieu.report.figures import standing_figures
from chitieu.report.model import Cell, Paragraph, Section, Table
from chitieu.report.text import value_text
from chitieu.task.models import Task
from chitieu.task.service import list_tasks, task_status


def tasks_section(ctx: Context) -> Section:
    section = Section(ctx.t("VI. NHIỆM VỤ QUÁ HẠN THEO CƠ QUAN", "VI. OVERDUE TASKS BY AGENCY"))
    overdue = list_tasks(ctx.session, plan=ctx.plan, overdue=True, as_of=ctx.as_of)
    if not overdue:
        every = list_tasks(ctx.session, plan=ctx.plan, as_of=ctx.as_of)
        section.add(
            Paragraph(
                ctx.t(
                    f"Kế hoạch giao {len(every)} nhiệm vụ; đến ngày {_day(ctx)} không có "
                    "nhiệm vụ nào quá hạn mà chưa báo cáo hoàn thành.",
                    f"The plan assigns {len(every)} tasks; by {_day(ctx)} none is past its "
                    "due year without being reported done.",
                )
            )
        )
        return section
    by_agency: dict[str, list[Task]] = defaultdict(list)
    for task in overdue:
        leads = [agency.name for agency in task.leads] or [
            ctx.t("(chưa giao cơ quan chủ trì)", "(no lead agency)")
        ]
        for name in leads:
            by_agency[name].append(task)
    section.add(
        Paragraph(
            ctx.t(
                f"Đến ngày {_day(ctx)} có {len(overdue)} nhiệm vụ đã quá năm phải hoàn thành "
                f"mà chưa báo cáo hoàn thành, thuộc {len(by_agency)} cơ quan chủ trì.",
                f"By {_day(ctx)}, {len(overdue)} tasks are past their due year without being "
                f"reported done, led by {len(by_agency)} agencies.",
            )
        )
    )
    ordered = sorted(by_agency.items(), key=lambda item: (-len(item[1]), item[0]))
    counts = tuple((Cell(agency), Cell(str(len(tasks)), numeric=True)) for agency, tasks in ordered)
    section.add(
        Table(
            ctx.t("Số nhiệm vụ quá hạn theo cơ quan", "Overdue tasks per agency"),
            (ctx.t("Cơ quan chủ trì", "Lead agency"), ctx.t("Số nhiệm vụ", "Tasks")),
            counts,
            widths=(80, 20),
        )
    )
    rows = tuple(
        (
            Cell(agency),
            Cell(f"{task.group_no}.{task.number}"),
            Cell(_short(task.description)),
            Cell(str(task.due_year), numeric=True),
            Cell(word(task_status(task, as_of=ctx.as_of), ctx.lang), nowrap=True),
        )
        for agency, tasks in ordered
        for task in tasks
    )
    headers = (
        ctx.t("Cơ quan chủ trì", "Lead agency"),
        ctx.t("Số", "No."),
        ctx.t("Nhiệm vụ", "Task"),
        ctx.t("Hạn", "Due"),
        ctx.t("Tình trạng", "Status"),
    )
    caption = ctx.t("Nhiệm vụ quá hạn", "Overdue tasks")
    section.add(Table(caption, headers, rows, widths=(24, 7, 49, 8, 12)))
    return section


def _day(ctx: Context) -> str:
    return ctx.as_of.strftime("%d/%m/%Y")


def _short(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: flat.rfind(" ", 0, limit)] + " …"


def conflicts_section(ctx: Context) -> Section:
    section = Section(
        ctx.t("VII. SỐ LIỆU CHÊNH LỆCH GIỮA CÁC NGUỒN", "VII. FIGURES THE SOURCES DISAGREE ON")
    )
    found = [
        c
        for c in conflicts(ctx.session, default_region=ctx.region.name, region=ctx.region)
        if _shown(ctx, c)
    ]
    if not found:
        section.add(
            Paragraph(
                ctx.t(
                    "Trong kỳ báo cáo không có số liệu nào mà các nguồn nói khác nhau.",
                    "No figure of the reporting window is given differently by two sources.",
                )
            )
        )
        return section
    section.add(
        Paragraph(
            ctx.t(
                f"{len(found)} nhóm số liệu (cùng chỉ tiêu, kỳ và loại số) có các nguồn không "
                "thống nhất. Báo cáo dùng số do người lập kế hoạch chọn; chưa ai chọn thì dùng "
                "số thực hiện trước số ước tính, số ghi nhận sau cùng trước.",
                f"{len(found)} groups of figures (same indicator, period and status) have "
                "sources that disagree. The report uses the figure a planner chose; where "
                "nobody chose, an actual before an estimate, the latest recorded first.",
            )
        )
    )
    rows = []
    for conflict in found:
        indicator = get_indicator(ctx.session, code_or_name=conflict.indicator)
        members = "; ".join(_member(ctx, member) for member in conflict.members)
        rows.append(
            (
                Cell(indicator.name(ctx.lang)),
                Cell(parse_period(conflict.period).label(ctx.lang)),
                Cell(word(conflict.status, ctx.lang), nowrap=True),
                Cell(members),
                _used(ctx, conflict),
            )
        )
    headers = (
        ctx.t("Chỉ tiêu", "Indicator"),
        ctx.t("Kỳ", "Period"),
        ctx.t("Loại số", "Status"),
        ctx.t("Các nguồn", "Sources"),
        ctx.t("Số dùng trong báo cáo", "Figure used"),
    )
    caption = ctx.t("Số liệu chênh lệch", "Conflicting figures")
    section.add(Table(caption, headers, tuple(rows), widths=(26, 14, 11, 29, 20)))
    return section


def _shown(ctx: Context, conflict: Conflict) -> bool:
    period = parse_period(conflict.period)
    return (
        conflict.region == ctx.region.code
        and period.end <= ctx.as_of
        and ctx.first_year <= period.start.year
        and period.end.year <= ctx.last_year
    )


def _member(ctx: Context, member: ConflictMember) -> str:
    if member.observation_id is not None:
        obs = ctx.session.get(Observation, member.observation_id)
        assert obs is not None
        ref = ctx.annex.observation(obs)
    else:
        figure = ctx.session.get(ExtractedFigure, member.figure_id)
        assert figure is not None
        ref = ctx.annex.figure(figure)
    return f"{value_text(member.value, member.unit, ctx.lang)} [{ref}]"


def _used(ctx: Context, conflict: Conflict) -> Cell:
    """The figure standing for the period in the rest of the report, and why."""
    indicator = get_indicator(ctx.session, code_or_name=conflict.indicator)
    period = parse_period(conflict.period)
    standing = next(
        (
            s
            for s in standing_figures(
                ctx.session,
                indicator=indicator,
                region=ctx.region,
                as_of=ctx.as_of,
                first_year=period.start.year,
                last_year=period.end.year,
                every=True,
            )
            if s.period.code == period.code
        ),
        None,
    )
    if standing is None:
        return Cell("—")
    obs = standing.observation
    why = (
        ctx.t("người lập kế hoạch chọn", "chosen by a planner")
        if standing.choice is not None and standing.choice.observation_id == obs.id
        else ctx.t("ưu tiên số thực hiện, mới nhất", "actual first, latest first")
    )
    text = f"{value_text(obs.value, obs.unit, ctx.lang)}, {word(obs.status, ctx.lang)} ({why})"
    return Cell(text, ctx.annex.observation(obs, choice=standing.choice))
