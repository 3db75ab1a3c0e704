"""The final report's verdicts: what the ended plan achieved, what it did not, and why.

Written when the plan's period is over or its region ceased (``plan_ended``):
the targets whose period has ended, grouped by verdict, each with the reason
the assessment gives; then the targets passed to the successor's plan.
"""

from __future__ import annotations

import re

from chitieu._periods import parse_period
from chitieu.assessment.final import years_text
from chitieu.plan.dashboard import OverviewRow, status_word
from chitieu.report.context import Context
from chitieu.report.model import Paragraph, Section
from chitieu.report.text import region_name, target_text, value_text

_GROUPS = ("achieved", "not_achieved", "insufficient_data", "succeeded")


def verdicts_section(ctx: Context) -> Section:
    section = Section(
        ctx.t(
            "KẾT LUẬN: MỤC TIÊU ĐẠT, KHÔNG ĐẠT VÀ LÝ DO",
            "VERDICTS: WHAT WAS ACHIEVED, WHAT WAS NOT, AND WHY",
        )
    )
    region = ctx.plan.region
    if region.valid_to is not None and region.valid_to < ctx.as_of:
        section.add(
            Paragraph(
                ctx.t(
                    f"{region.name} đã ngừng tồn tại sau ngày {region.valid_to:%d/%m/%Y}; các "
                    "mục tiêu có kỳ đã kết thúc được kết luận trên số liệu hiện có của địa bàn "
                    "cũ, các mục tiêu của kỳ sau đó chuyển sang kế hoạch của tỉnh kế tục.",
                    f"{region_name(region, ctx.lang)} ceased to exist after "
                    f"{region.valid_to:%d/%m/%Y}; targets whose period ended are judged on the "
                    "former territory's figures, later ones pass to the successor's plan.",
                )
            )
        )
    rows = [row for row in ctx.overview.rows if row.assessment.final or row.status == "succeeded"]
    for status in _GROUPS:
        group = [row for row in rows if row.status == status]
        if not group:
            continue
        part = Section(f"{status_word(status, ctx.lang).capitalize()} ({len(group)})", level=2)
        if status == "succeeded":
            # One paragraph per reason (the successor's plan may differ by year), not one a line.
            by_note: dict[str, list[OverviewRow]] = {}
            for row in group:
                by_note.setdefault(row.assessment.notes[0], []).append(row)
            for note, listed in by_note.items():
                names = "; ".join(
                    f"{row.target.row}. {_label(ctx, row)} ({row.period_label})" for row in listed
                )
                note = note.replace("mục tiêu này", "các mục tiêu sau").replace(
                    "this target can", "these targets can"
                )
                part.add(Paragraph(f"{note}: {names}."))
        else:
            for row in group:
                part.add(Paragraph(_line(ctx, row)))
        section.sections.append(part)
    if not rows:
        section.add(
            Paragraph(ctx.t("Chưa có mục tiêu nào hết kỳ.", "No target's period has ended yet."))
        )
    return section


def _label(ctx: Context, row: OverviewRow) -> str:
    target = row.target
    return target.label(ctx.lang)


# A source chosen for one year ("2023: dùng 13,45 (…); nguồn khác: …") is the conflicts
# section's business; a verdict says what was reached and why it settles, or not.
_SOURCE_CHOICE = re.compile(r"^\d{4}\S*: (dùng|số ước tính|số sơ bộ)")


def _reached(ctx: Context, row: OverviewRow) -> str | None:
    """What the figures show against the target: the average reached, or the last figure."""
    result, target = row.assessment, row.target
    goal = target_text(target, ctx.lang)
    if result.method in ("average-growth", "points-per-year") and result.observed_pace is not None:
        years = years_text(result.years_used)
        pace = value_text(round(result.observed_pace, 2), target.unit, ctx.lang)
        return ctx.t(
            f"bình quân {years} đạt {pace}/năm, mục tiêu {goal}/năm",
            f"{years} averaged {pace} a year against {goal}",
        )
    if result.latest is not None:
        shown = value_text(result.latest.value, target.unit, ctx.lang)
        when = parse_period(result.latest.period).label(ctx.lang)
        return ctx.t(f"{shown} ({when}), mục tiêu {goal}", f"{shown} ({when}) against {goal}")
    return None


def _line(ctx: Context, row: OverviewRow) -> str:
    head = f"{row.target.row}. {_label(ctx, row)} ({row.period_label})"
    # The section opens by saying the region ceased: each line keeps only what it used.
    ceased = ctx.t(
        f"{row.target.region.name} ngừng tồn tại từ ", f"{row.target.region.name} ceased"
    )
    reasons = [
        re.sub(r"^[^;]*; ", "", n) if n.startswith(ceased) and "; " in n else n
        for n in row.assessment.notes
        if not _SOURCE_CHOICE.match(n)
    ]
    reached = _reached(ctx, row)
    parts = ([reached] if reached else []) + reasons
    return head + (f": {'; '.join(parts)}." if parts else ".")
