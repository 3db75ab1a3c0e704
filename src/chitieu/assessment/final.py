"""Final verdicts: a target whose period has ended, or whose region ceased before it began.

A period that has ended is no longer projected. Its target is *achieved* or
*not achieved* on the figures for that period, or *insufficient data* with the
reason and the figure that would settle it. A region that ceased inside the
period (Bắc Giang, 30/6/2025) is judged on what exists, saying so; a target for
a period that begins after its region ceased cannot be judged on that region at
all and is *succeeded* by the successor's plan.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._labels import tr
from chitieu._periods import parse_period
from chitieu.assessment.series import latest_partial
from chitieu.plan.in_force import newest_plan, successor_region
from chitieu.plan.models import Target
from chitieu.region.models import Region

if TYPE_CHECKING:
    from chitieu.assessment.service import Assessment

VERDICTS = ("achieved", "not_achieved", "insufficient_data")
_PROJECTION_NOTES = ("cần ít nhất hai năm số liệu để tính tốc độ", "dự báo đến ")


def period_ended(target: Target, as_of: date) -> bool:
    return parse_period(target.period).end <= as_of


def years_text(years: list[int]) -> str:
    """2019, 2020, 2021, 2023 → "2019-2021, 2023"."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def missing_years_note(years: list[int], lang: str = "vi") -> str:
    """What an average says of the years it lacks: they count at the average."""
    which = "năm" if len(years) == 1 else "các năm"
    return tr(
        lang,
        f"thiếu số {which} {years_text(years)} (coi như bằng bình quân)",
        f"no figure for {years_text(years)} (taken at the average)",
    )


def _ceased_on(region: Region) -> date | None:
    return region.valid_to + timedelta(days=1) if region.valid_to is not None else None


def succession(
    session: Session, *, target: Target, as_of: date, lang: str
) -> tuple[str | None, str] | None:
    """(successor's name, the note) when the target's period begins after its region ceased."""
    region = target.region
    ceased = _ceased_on(region)
    if ceased is None or as_of < ceased or parse_period(target.period).start < ceased:
        return None
    after = successor_region(session, region=region)
    name = after.name if after is not None else None
    note = tr(
        lang,
        f"{region.name} ngừng tồn tại từ {_format.day(ceased)}",
        f"{region.name} ceased to exist on {_format.day(ceased)}",
    )
    if after is None:
        return None, note + tr(lang, "; không có địa bàn kế tục", "; no successor region")
    year = parse_period(target.period).end.year
    plan = newest_plan(session, region=after, year=year, as_of=as_of)
    if plan is not None:
        shown = plan.shown_name
        where = tr(lang, f"kế hoạch {shown} của {name}", f"{name}'s plan {shown}")
    else:
        where = tr(
            lang,
            f"kế hoạch của tỉnh {name} (chưa có trong dữ liệu)",
            f"{name}'s plan (not yet in the data)",
        )
    note += tr(
        lang,
        f"; mục tiêu này không còn đánh giá được trên địa bàn cũ, đã chuyển sang {where}",
        f"; this target can no longer be judged on the former territory; see {where}",
    )
    return name, note


def conclude(session: Session, result: Assessment, *, as_of: date, lang: str) -> None:
    """Turn the judgement of an ended period into a final verdict, with its reason."""
    target = result.target
    period = parse_period(target.period)
    year = period.end.year
    result.final = True
    result.required_pace = None
    result.progress_ratio = None
    region = target.region
    ceased = _ceased_on(region)
    cut_short = ceased is not None and ceased <= period.end
    used = years_text(result.years_used)
    partial = latest_partial(
        session, indicator=target.indicator, region=region, year=year, as_of=as_of, lang=lang
    )
    if year not in result.years_used and partial is not None:
        label = parse_period(partial.period).label(lang)
        if target.measure == "level":
            used = f"{used} {tr(lang, 'và', 'and')} {label}" if used else label
        else:
            # A part of a year's growth is no year's growth: said, never averaged in.
            result.notes.append(
                tr(
                    lang,
                    f"có số {label} ({_format.number(partial.value, lang)}), "
                    "không tính vào bình quân cả kỳ",
                    f"{label} gives {_format.number(partial.value, lang)}, "
                    "not counted in the period's average",
                )
            )
    whole_year_missing = year not in result.years_used
    if cut_short:
        assert ceased is not None
        result.notes.append(
            tr(
                lang,
                f"{region.name} ngừng tồn tại từ {_format.day(ceased)}; "
                + (f"đánh giá trên số liệu {used}" if used else "không có số liệu nào của kỳ"),
                f"{region.name} ceased to exist on {_format.day(ceased)}; "
                + (f"judged on the figures for {used}" if used else "no figure for the period"),
            )
        )
    if result.status in ("achieved", "not_achieved"):
        if cut_short and whole_year_missing:
            result.notes.append(
                tr(
                    lang,
                    f"số liệu cả năm {year} của địa bàn {region.name} cũ sẽ xác nhận kết luận",
                    f"the whole of {year} for the former {region.name} would confirm it",
                )
            )
        return
    result.status = "insufficient_data"
    # What a projection needed (a pace, a projected value) says nothing about an ended period.
    result.notes = [n for n in result.notes if not n.startswith(_PROJECTION_NOTES)]
    settle = tr(
        lang,
        f"cần số liệu cả năm {year} của địa bàn {region.name} cũ để kết luận"
        if cut_short
        else f"kỳ kế hoạch đã kết thúc ({_format.day(period.end)}); "
        f"cần số liệu năm {year} để kết luận" + (f" (hiện có: {used})" if used else ""),
        f"the whole of {year} for the former {region.name} is needed to conclude"
        if cut_short
        else f"the plan period ended ({_format.day(period.end)}); "
        f"the {year} figure is needed to conclude" + (f" (available: {used})" if used else ""),
    )
    result.notes.append(settle)
