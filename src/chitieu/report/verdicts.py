"""The final report's verdicts: what the ended plan achieved, what it did not, and why.

Written when the plan's period is over or its region ceased (``plan_ended``):
the targets whose period has ended, grouped by verdict, each with the reason
the assessment gives; then the targets passed to the successor's plan.
"""

from __future__ import annotations

from chitieu.plan.dashboard import OverviewRow, status_word
from chitieu.report.context import Context
from chitieu.report.model import Paragraph, Section
from chitieu.report.text import region_name

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
    return target.label_vi if ctx.lang == "vi" else target.indicator.name_en


def _line(ctx: Context, row: OverviewRow) -> str:
    note = row.assessment.record()["note"]
    head = f"{row.target.row}. {_label(ctx, row)} ({row.period_label})"
    return head + (f": {note}." if note else ".")
