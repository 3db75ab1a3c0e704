"""Section VIII of a ceased plan's report: its final targets beside its successor's."""

from __future__ import annotations

from chitieu._errors import InputError
from chitieu.plan.continuity import compare_plans
from chitieu.report.context import Context
from chitieu.report.model import Cell, Paragraph, Section, Table


def continuity_section(ctx: Context) -> Section | None:
    """For a plan that ended with its territory; None for a plan still in force."""
    if ctx.plan.status != "ceased":
        return None
    section = Section(
        ctx.t("VIII. KẾ HOẠCH KẾ TIẾP SAU HỢP NHẤT", "VIII. THE SUCCESSOR PLANS AFTER THE MERGER")
    )
    try:
        result = compare_plans(ctx.session, ceased=ctx.plan, as_of=ctx.as_of)
    except InputError:
        section.add(
            Paragraph(
                ctx.t(
                    "Chưa có kế hoạch còn hiệu lực nào cho địa bàn kế tiếp.",
                    "No plan in force yet for the territory that took over.",
                )
            )
        )
        return section
    old = ctx.plan.shown_name
    new = "; ".join(f"{p.title}" for p in result.successors)
    former, current = result.former_region.name, result.current_region.name
    section.add(
        Paragraph(
            ctx.t(
                f"{former} đã hợp nhất vào {current}; các mục tiêu cuối kỳ của {old} được "
                f"đặt bên cạnh mục tiêu mà {current} nay cam kết ({new}), cùng số liệu mới "
                "nhất của cả hai địa bàn.",
                f"{former} merged into {current}; the final targets of {old} are set beside "
                f"what {current} now promises ({new}), with both territories' latest figures.",
            )
        )
    )
    headers = (
        ctx.t("Chỉ tiêu", "Indicator"),
        ctx.t(f"Mục tiêu {old}", f"{old} target"),
        ctx.t(f"Mục tiêu {current}", f"{current} target"),
        ctx.t(f"Số mới nhất {former}", f"Latest {former}"),
        ctx.t(f"Số mới nhất {current}", f"Latest {current}"),
    )
    rows = []
    for row in result.rows:
        record = row.record(ctx.lang)
        rows.append(
            (
                Cell(record["indicator_name"]),
                Cell(record["ceased_shown"]),
                Cell(record["successor_shown"]),
                Cell(record["former_shown"]),
                Cell(record["current_shown"]),
            )
        )
    caption = ctx.t("Mục tiêu trước và sau hợp nhất", "Targets before and after the merger")
    section.add(Table(caption, headers, tuple(rows), widths=(26, 18, 18, 19, 19)))
    return section
