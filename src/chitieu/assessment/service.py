"""Judging every target of a plan at a date, with the numbers behind each judgement.

Statuses: ``achieved``, ``on_track``, ``needs_acceleration``, ``off_track``,
``deteriorating``, ``insufficient_data``; a target whose period has ended gets a
final verdict instead (``final``: ``achieved``, ``not_achieved`` or
``insufficient_data``, each with its reason), and one set for a region that
ceased before its period began is ``succeeded`` (see ``chitieu.assessment.final``).

Default method, by the target's measure (docs/assessment.md says more):

- ``level``: the observed pace from the baseline to the latest yearly figure is
  projected to the target year — in points per year for rates and shares (a
  unit of ``%`` or points), compounded for amounts (đồng, USD, counts). The
  completion ratio CR = (projected − baseline) / (target − baseline) gives *on
  track* at CR ≥ 0.95 and *needs acceleration* from 0.10, else *off track*
  (UNSD Progress Chart 2023); moving away from the target is *deteriorating*.
  A range is achieved inside it; past its far bound it counts by the
  indicator's direction (above an urbanisation range is no failure, above an
  ICOR range is). Indicators with no direction are judged against the range.
- ``average_growth``: the geometric mean of the yearly growth figures so far,
  and the growth the remaining years need to land in the range; on track when
  the average so far already does it, needs acceleration when the need is no
  more than the best year so far, off track beyond that.
- ``change_per_year``: the average yearly change of the underlying rate (from a
  derived indicator such as ``prev(POVERTY_RATE) - POVERTY_RATE``) against the
  range.
- A target whose year is under way or just ended without a yearly figure is
  judged on the latest part of that year (first half, nine months): a growth
  or rate figure against the target, an amount against the share of the year
  elapsed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._labels import tr
from chitieu._periods import parse_period
from chitieu.agency.models import Agency
from chitieu.assessment import bounds, final
from chitieu.assessment._figures import figures_read_ahead, revisions_read_ahead
from chitieu.assessment.series import (
    Point,
    choices_read_ahead,
    latest_partial,
    merger_gap,
    series_memo,
    series_read,
    set_aside,
    yearly,
)
from chitieu.indicator.models import Indicator
from chitieu.observation.service import derived_values
from chitieu.plan.models import Plan, Target
from chitieu.plan.service import list_targets, target_summary
from chitieu.region.models import Region
from chitieu.region.service import successions_read_ahead

STATUSES = (
    "achieved",
    "on_track",
    "needs_acceleration",
    "off_track",
    "deteriorating",
    "insufficient_data",
    "not_achieved",
    "succeeded",
)
ON_TRACK = 0.95
NEEDS_ACCELERATION = 0.10
_AMOUNT_UNITS = ("VND", "USD")


@dataclass
class Assessment:
    """A target's status and the numbers it rests on."""

    target: Target
    status: str
    method: str
    latest: Point | None = None
    baseline_period: str | None = None
    baseline_value: float | None = None
    observed_pace: float | None = None
    required_pace: float | None = None
    projected_value: float | None = None
    progress_ratio: float | None = None
    gap: float | None = None
    notes: list[str] = field(default_factory=list)
    # A verdict on a period that has ended, no longer a projection.
    final: bool = False
    # The yearly figures the judgement rests on (said when a verdict rests on part of a period).
    years_used: list[int] = field(default_factory=list)
    successor: str | None = None

    def record(self) -> dict[str, Any]:
        return {
            **target_summary(self.target),
            "status": self.status,
            "final": self.final,
            "successor": self.successor,
            "method": self.method,
            "latest_value": self.latest.value if self.latest else None,
            "latest_period": self.latest.period if self.latest else None,
            "latest_status": self.latest.status if self.latest else None,
            "baseline_period": self.baseline_period,
            "baseline_value": self.baseline_value,
            "observed_pace": bounds.rounded(self.observed_pace),
            "required_pace": bounds.rounded(self.required_pace),
            "projected_value": bounds.rounded(self.projected_value),
            "progress_ratio": bounds.rounded(self.progress_ratio),
            "gap": bounds.rounded(self.gap),
            "note": "; ".join(self.notes) or None,
        }


def assess(
    session: Session,
    *,
    as_of: date,
    plan: Plan | None = None,
    region: Region | None = None,
    lang: str = "vi",
) -> list[Assessment]:
    """Every target of ``plan`` (or of all plans), judged on what was known by ``as_of``."""
    targets = list_targets(session, plan=plan, region=region, references=True)
    by_region: dict[int, list[Target]] = defaultdict(list)
    for target in targets:
        by_region[target.region_id].append(target)
    judged: dict[int, Assessment] = {}
    # Held for the whole run, the agencies (few) stay in the session: a figure naming its
    # agency as a source then finds it there, not by a query per region read.
    agencies = list(session.scalars(select(Agency)))
    # Some regions' series at a time: a query per few hundred series, and memory bounded.
    # The revised figures, read once, for many targets; for a plan's few the database says.
    many = len(targets) > _TARGETS_PER_BATCH
    revisions = revisions_read_ahead(session) if many else nullcontext()
    with choices_read_ahead(session), successions_read_ahead(session), revisions:
        for batch in _batches(list(by_region.values())):
            series = {
                pair
                for target in batch
                for pair in series_read(session, indicator=target.indicator, region=target.region)
            }
            with figures_read_ahead(session, series=series), series_memo(session):
                for target in batch:
                    judged[target.id] = assess_target(
                        session, target=target, as_of=as_of, lang=lang
                    )
    agencies.clear()
    return [judged[target.id] for target in targets]


# Targets read ahead together: a few thousand series' figures in memory at a time.
_TARGETS_PER_BATCH = 2000


def _batches(groups: list[list[Target]]) -> Iterator[list[Target]]:
    """The regions' targets, whole regions at a time, about ``_TARGETS_PER_BATCH`` a batch."""
    batch: list[Target] = []
    for group in groups:
        batch += group
        if len(batch) >= _TARGETS_PER_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def assess_target(session: Session, *, target: Target, as_of: date, lang: str = "vi") -> Assessment:
    gone = final.succession(session, target=target, as_of=as_of, lang=lang)
    if gone is not None:
        successor, note = gone
        result = Assessment(target, "succeeded", "succeeded", successor=successor)
        result.notes.append(note)
        return result
    ended = final.period_ended(target, as_of)
    if target.measure == "average_growth":
        result = _average_growth(session, target, as_of, lang, ended)
    elif target.measure == "change_per_year":
        result = _change_per_year(session, target, as_of, lang, ended)
    else:
        result = _level(session, target, as_of, lang)
    if ended:
        final.conclude(session, result, as_of=as_of, lang=lang)
    # Years before a merger matter to a level's baseline, to a growth average only inside it.
    first = parse_period(target.period).start.year
    if target.measure == "level":
        first = min(first, target.plan.horizon_start - 1)
    if result.status == "insufficient_data" and (
        gap := merger_gap(
            session,
            indicator=target.indicator,
            region=target.region,
            since=date(first, 1, 1),
            as_of=as_of,
            lang=lang,
        )
    ):
        result.notes.append(gap)
    # A doubtful figure the series passed over must not change a status unsaid.
    result.notes.extend(
        set_aside(
            session,
            indicator=target.indicator,
            region=target.region,
            since=date(target.plan.horizon_start - 1, 1, 1),
            as_of=as_of,
            until=parse_period(target.period).end,
            lang=lang,
        )
    )
    return result


# --- bounds and direction -------------------------------------------------------------


def _band(ratio: float) -> str:
    if ratio >= ON_TRACK:
        return "on_track"
    return "needs_acceleration" if ratio >= NEEDS_ACCELERATION else "off_track"


# --- level targets --------------------------------------------------------------------


def _has_pace(target: Target, known: dict[int, Point]) -> bool:
    """Whether a multi-year plan has two years to project a pace from."""
    return target.plan.horizon_end - target.plan.horizon_start > 1 and len(known) >= 2


def _baseline(target: Target, series: dict[int, Point]) -> tuple[int, float, str] | None:
    """The plan's baseline when it gives one for a single year, else the first figure."""
    if target.baseline_value is not None and target.baseline_period:
        period = parse_period(target.baseline_period)
        if period.start.year == period.end.year:
            return period.year, target.baseline_value, target.baseline_period
    plan_start = target.plan.horizon_start
    before = [year for year in series if year <= plan_start]
    first = max(before) if before else (min(series) if series else None)
    if first is None:
        return None
    return first, series[first].value, series[first].period


def _level(session: Session, target: Target, as_of: date, lang: str) -> Assessment:
    indicator = target.indicator
    direction = indicator.direction
    year = parse_period(target.period).year
    series = yearly(session, indicator=indicator, region=target.region, as_of=as_of, lang=lang)
    result = Assessment(target, "insufficient_data", "level")
    known = {y: p for y, p in series.items() if y <= year}
    horizon = target.plan.horizon_start
    result.years_used = sorted(y for y in known if y >= horizon)
    if not known or max(known) < year:
        partial = latest_partial(
            session, indicator=indicator, region=target.region, year=year, as_of=as_of, lang=lang
        )
        if partial is not None:
            return _partial_year(result, partial, target, direction, lang)
    if not known:
        _say(result, lang, "chưa có số liệu năm nào", "no yearly figure yet")
        return result
    last = max(known)
    latest = known[last]
    result.latest = latest
    result.notes.extend(latest.notes)
    if last < target.plan.horizon_start - 1:
        _say(
            result,
            lang,
            f"số mới nhất ({last}) có trước khi kế hoạch bắt đầu",
            f"the latest figure ({last}) is from before the plan began",
        )
        return result
    if bounds.is_flow(indicator) and last < year and not _has_pace(target, known):
        # A year's growth or amount says nothing of another year's.
        _say(result, lang, f"chưa có số của năm {year}", f"no figure for {year} yet")
        return result
    threshold = bounds.threshold(target, direction)
    if threshold is None:
        _say(result, lang, "mục tiêu không có giá trị", "the target has no value")
        return result
    base = _baseline(target, known)
    if base is not None:
        result.baseline_period, result.baseline_value = base[2], base[1]
        start = known.get(base[0])
        if start is not None and start is not latest and start.figure is None:
            # A baseline recomputed from a merged region's parts says so.
            result.notes.extend(start.notes)
    result.gap = threshold - latest.value
    # A lower-is-better figure at zero has no share of its target to state (nor a bound).
    if last == year and threshold and (direction != "lower" or latest.value):
        share = latest.value / threshold if direction != "lower" else threshold / latest.value
        reached = _format.number(share * 100, lang, 1)
        _say(result, lang, f"đạt {reached}% kế hoạch", f"{reached}% of the plan")
    if bounds.meets(latest.value, target, direction) and (
        last == year or (direction != "none" and not bounds.is_flow(indicator))
    ):
        result.status = "achieved"
        if direction != "none" and (side := bounds.side(latest.value, target, lang)):
            _say(result, lang, f"đã vượt mục tiêu ({side})", f"target exceeded ({side})")
        return result
    if last >= year:
        side = bounds.side(latest.value, target, lang)
        result.status = "not_achieved"
        missed = tr(lang, "hết kỳ, chưa đạt", "period over, not met")
        result.notes.append(f"{missed} ({side})" if side else missed)
        return result
    if base is None or base[0] >= last:
        _say(
            result,
            lang,
            "cần ít nhất hai năm số liệu để tính tốc độ",
            "a pace needs figures for two years at least",
        )
        return result
    _project(
        result, target, direction, (base[0], base[1]), (last, latest.value), year, threshold, lang
    )
    return result


def _project(
    result: Assessment,
    target: Target,
    direction: str,
    base: tuple[int, float],
    latest: tuple[int, float],
    year: int,
    threshold: float,
    lang: str,
) -> None:
    (base_year, base_value), (last, value) = base, latest
    compound = target.indicator.unit.split("/")[0] in _AMOUNT_UNITS and base_value > 0 and value > 0
    if compound:
        result.method = "level-compound"
        rate = (value / base_value) ** (1 / (last - base_year)) - 1
        result.observed_pace = rate * 100
        result.projected_value = value * (1 + rate) ** (year - last)
        if threshold > 0:
            result.required_pace = ((threshold / value) ** (1 / (year - last)) - 1) * 100
    else:
        result.method = "level-linear"
        pace = (value - base_value) / (last - base_year)
        result.observed_pace = pace
        result.projected_value = value + pace * (year - last)
        result.required_pace = (threshold - value) / (year - last)
    projected = result.projected_value
    if direction == "none":
        inside = bounds.meets(projected, target, direction)
        result.status = "on_track" if inside else "off_track"
        if not inside and (side := bounds.side(projected, target, lang)):
            _say(result, lang, f"dự báo đến {year} {side}", f"forecast for {year} {side}")
        return
    if math.isclose(threshold, base_value):
        result.status = "on_track" if bounds.meets(projected, target, direction) else "off_track"
        return
    ratio = (projected - base_value) / (threshold - base_value)
    result.progress_ratio = ratio
    moving_away = (value - base_value) * (threshold - base_value) < 0
    result.status = "deteriorating" if moving_away else _band(ratio)


def _partial_year(
    result: Assessment, partial: Point, target: Target, direction: str, lang: str
) -> Assessment:
    """A year under way, judged on its latest part."""
    result.latest = partial
    result.method = "partial-year"
    result.notes.extend(partial.notes)
    period = parse_period(partial.period)
    threshold = bounds.threshold(target, direction)
    if threshold is None:
        return result
    elapsed = period.months / 12
    amount = target.indicator.merge_rule == "sum"
    if amount and threshold:
        share = partial.value / threshold
        result.progress_ratio = share / elapsed
        result.status = _band(share / elapsed)
        reached = _format.number(share * 100, lang, 1)
        passed = _format.number(elapsed * 100, lang, 0)
        result.notes.append(
            tr(
                lang,
                f"{period.label(lang)} đạt {reached}% mục tiêu năm, "
                f"đã qua {passed}% thời gian (chưa tính mùa vụ)",
                f"{period.label(lang)}: {reached}% of the year's target "
                f"with {passed}% of the time gone (seasons not allowed for)",
            )
        )
        return result
    result.gap = threshold - partial.value
    result.status = (
        "on_track" if bounds.meets(partial.value, target, direction) else "needs_acceleration"
    )
    result.notes.append(
        tr(lang, f"dựa trên số {period.label(lang)}", f"on the figure for {period.label(lang)}")
    )
    return result


# --- growth over a period -------------------------------------------------------------


def _average_growth(
    session: Session, target: Target, as_of: date, lang: str, ended: bool
) -> Assessment:
    period = parse_period(target.period)
    first, last_year = period.start.year, period.end.year
    series = yearly(
        session, indicator=target.indicator, region=target.region, as_of=as_of, lang=lang
    )
    inside = {y: p for y, p in series.items() if first <= y <= last_year}
    result = Assessment(target, "insufficient_data", "average-growth")
    if not inside:
        _say(
            result,
            lang,
            f"chưa có số tăng trưởng năm nào trong {period.label(lang)}",
            f"no yearly growth figure in {period.label(lang)} yet",
        )
        return result
    for point in inside.values():
        result.notes.extend(point.notes)
    growth = [inside[y].value / 100 for y in sorted(inside)]
    observed = math.prod(1 + g for g in growth) ** (1 / len(growth)) - 1
    result.observed_pace = observed * 100
    result.latest = inside[max(inside)]
    result.years_used = sorted(inside)
    # After the period, the years still missing are missing for good: the verdict rests on
    # the mean of the years that exist (the same as taking the missing ones at that mean).
    missing = [
        y for y in range(first, (last_year if ended else max(inside)) + 1) if y not in inside
    ]
    if missing:
        result.notes.append(final.missing_years_note(missing, lang))
    years = last_year - first + 1
    if ended and 2 * len(inside) < years:
        result.notes.append(_only_years(len(inside), years, lang))
        return result
    remaining = 0 if ended else last_year - max(inside)
    low = target.minimum if target.minimum is not None else target.maximum
    assert low is not None
    result.projected_value = observed * 100
    if remaining == 0:
        met = bounds.meets(observed * 100, target, target.indicator.direction)
        side = bounds.side(observed * 100, target, lang)
        result.status = "achieved" if met else "not_achieved"
        if side and not met:
            _say(result, lang, f"bình quân cả kỳ {side}", f"the period's average {side}")
        return result
    done = (1 + observed) ** (years - remaining)
    needed = ((1 + low / 100) ** years / done) ** (1 / remaining) - 1
    result.required_pace = needed * 100
    result.gap = low - observed * 100
    best = max(growth)
    if observed * 100 >= low - 1e-9 and needed <= observed + 1e-12:
        result.status = "on_track"
    elif needed <= best:
        result.status = "needs_acceleration"
    else:
        result.status = "off_track"
    if target.maximum is not None and observed * 100 > target.maximum:
        ceiling = _format.number(target.maximum, lang)
        result.notes.append(
            tr(lang, f"bình quân đến nay trên mức {ceiling}", f"the average so far above {ceiling}")
        )
    return result


def _change_per_year(
    session: Session, target: Target, as_of: date, lang: str, ended: bool
) -> Assessment:
    """Points per year, from the derived indicator's yearly values within the period."""
    indicator: Indicator = target.indicator
    result = Assessment(target, "insufficient_data", "points-per-year")
    if not indicator.formula:
        _say(
            result,
            lang,
            "chỉ tiêu không có công thức để tính mức thay đổi hằng năm",
            "the indicator has no formula for a yearly change",
        )
        return result
    period = parse_period(target.period)
    changes = {
        int(value.period): value.value
        for value in derived_values(session, indicator=indicator, region=target.region)
        if value.period.isdigit()
        and period.start.year <= int(value.period) <= period.end.year
        and int(value.period) <= as_of.year
    }
    if not changes:
        name = indicator.name(lang)
        _say(
            result,
            lang,
            f"chưa đủ số liệu để tính {name} trong kỳ",
            f"not enough figures to compute {name} over the period",
        )
        return result
    result.years_used = sorted(changes)
    years = period.end.year - period.start.year + 1
    if ended and 2 * len(changes) < years:
        result.notes.append(_only_years(len(changes), years, lang))
        return result
    average = sum(changes.values()) / len(changes)
    result.observed_pace = average
    result.projected_value = average
    threshold = bounds.threshold(target, indicator.direction)
    if threshold is not None:
        result.gap = threshold - average
    met = bounds.meets(average, target, indicator.direction)
    done = ended or max(changes) >= period.end.year
    result.status = (
        ("achieved" if done else "on_track")
        if met
        else ("not_achieved" if done else "off_track" if average <= 0 else "needs_acceleration")
    )
    _say(
        result,
        lang,
        f"bình quân {len(changes)} năm có số liệu",
        f"the average of {len(changes)} years with figures",
    )
    return result


def _only_years(have: int, years: int, lang: str) -> str:
    return tr(
        lang, f"chỉ có số {have}/{years} năm của kỳ", f"figures for {have} of {years} years only"
    )


def _say(result: Assessment, lang: str, vi: str, en: str) -> None:
    """A note on the assessment, in the reader's language."""
    result.notes.append(tr(lang, vi, en))
