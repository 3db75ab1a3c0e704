"""Checks of a figure against its own series: unusual jumps, and estimates the actual belied."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from typing import TypeVar

from chitieu._periods import parse_period
from chitieu.validation.figures import Figure, year_before
from chitieu.validation.rules import EstimateRule, MagnitudeRule, OutlierRule
from chitieu.validation.violation import (
    EPSILON,
    Context,
    Violation,
    amount,
    gap_text,
    num,
    period_label,
    signed,
    status_word,
)

# The kinds of rule read along a yearly series.
_R = TypeVar("_R", OutlierRule, MagnitudeRule)

# The modified z-score scales the median absolute deviation to a normal law's
# standard deviation (Iglewicz and Hoaglin); with MAD 0, the mean absolute
# deviation stands in, scaled by its own constant.
_MAD_SCALE = 0.6745
_MEAN_AD_SCALE = 1.253314


def z_score(change: float, others: list[float]) -> float | None:
    """How many standard deviations of the other changes ``change`` lies from their mean."""
    if len(others) < 2:
        return None
    mean = statistics.fmean(others)
    # statistics.stdev in floats (fsum keeps it exact enough): its fractions cost 0.1 ms a call.
    spread = math.sqrt(math.fsum((c - mean) ** 2 for c in others) / (len(others) - 1))
    if spread <= EPSILON:
        return None  # the others never vary: any difference would be "infinitely" unusual
    return (change - mean) / spread


def modified_z_score(change: float, changes: list[float]) -> float | None:
    """The robust score of ``change`` among ``changes`` (which include it): median and MAD."""
    if len(changes) < 3:
        return None
    middle = statistics.median(changes)
    deviations = [abs(c - middle) for c in changes]
    mad = statistics.median(deviations)
    if mad > EPSILON:
        return _MAD_SCALE * (change - middle) / mad
    mean_ad = statistics.fmean(deviations)
    if mean_ad <= EPSILON:
        return None
    return (change - middle) / (_MEAN_AD_SCALE * mean_ad)


def _yearly_points(ctx: Context, checked: Figure) -> dict[int, Figure]:
    """The series of the checked figure's kind of period (years, first halves…), one figure
    per year: the checked one for its own year, the best of the others elsewhere."""
    points = {}
    for code in ctx.figures.periods_alike(checked.indicator, checked.region_id, checked.period):
        if year_before(code) is None:
            continue
        best = ctx.figures.best(checked.indicator, checked.region_id, code, checked=checked)
        if best is not None:
            points[parse_period(code).start.year] = best
    return points


def _yearly_rules(ctx: Context, checked: Figure, rules: Sequence[_R]) -> list[_R]:
    """The rules of a kind that select the checked figure's indicator, when it has a year before."""
    info = ctx.indicators.get(checked.indicator)
    if info is None or year_before(checked.period) is None:
        return []
    return [
        rule
        for rule in rules
        if rule.select.matches(code=info.code, unit=info.unit, group=info.group)
    ]


def check_outliers(ctx: Context, checked: Figure) -> Iterator[Violation]:
    rules = _yearly_rules(ctx, checked, ctx.rules.outliers)
    if not rules:
        return
    points = _yearly_points(ctx, checked)
    changes = {
        year: points[year].value - points[year - 1].value for year in points if year - 1 in points
    }
    year = parse_period(checked.period).start.year
    # The jump into the checked year; for the first year of a series, the jump out of it.
    jump_year = year if year in changes else year + 1 if year + 1 in changes else None
    if jump_year is None:
        return
    for rule in rules:
        found = _outlier(ctx, rule, checked, points, changes, jump_year)
        if found is not None:
            yield found


def _outlier(
    ctx: Context,
    rule: OutlierRule,
    checked: Figure,
    points: dict[int, Figure],
    changes: dict[int, float],
    jump_year: int,
) -> Violation | None:
    if len(points) < rule.min_points:
        return None
    change = changes[jump_year]
    others = [c for y, c in changes.items() if y != jump_year]
    z = z_score(change, others)
    modified = modified_z_score(change, list(changes.values()))
    if not (
        (z is not None and abs(z) > rule.z)
        or (modified is not None and abs(modified) > rule.modified_z)
    ):
        return None
    info = ctx.indicators[checked.indicator]
    start, end = points[jump_year - 1], points[jump_year]
    messages = []
    for lang in ("vi", "en"):

        def shown(figure: Figure, lang: str = lang) -> str:
            return f"{period_label(figure.period, lang)} ({amount(figure.value, info.unit, lang)})"

        scores = (
            "—" if z is None else num(z, lang),
            num(rule.z, lang),
            "—" if modified is None else num(modified, lang),
            num(rule.modified_z, lang),
        )
        mean = num(statistics.fmean(others), lang) if others else "—"
        if lang == "vi":
            text = (
                f"{info.name_vi}: từ {shown(start)} đến {shown(end)} thay đổi "
                f"{signed(change, lang)}, bất thường so với {len(others)} lần thay đổi khác "
                f"qua từng năm của chuỗi (trung bình {mean}): z = {scores[0]} "
                f"(ngưỡng {scores[1]}), z hiệu chỉnh = {scores[2]} (ngưỡng {scores[3]})"
            )
        else:
            text = (
                f"{info.name_en}: from {shown(start)} to {shown(end)} it changed by "
                f"{signed(change, lang)}, unusual against the series' {len(others)} other "
                f"year-on-year changes (mean {mean}): z = {scores[0]} (threshold {scores[1]}), "
                f"modified z = {scores[2]} (threshold {scores[3]})"
            )
        messages.append(text)
    return ctx.violation(
        rule=rule.id,
        kind="outlier",
        severity=rule.severity,
        checked=checked,
        vi=messages[0],
        en=messages[1],
        period=end.period,
        status=end.status,
    )


def check_magnitudes(ctx: Context, checked: Figure) -> Iterator[Violation]:
    """A jump of an order of magnitude into the checked figure's year or out of it."""
    rules = _yearly_rules(ctx, checked, ctx.rules.magnitudes)
    if not rules:
        return
    points = _yearly_points(ctx, checked)
    year = parse_period(checked.period).start.year
    # Against the figure before it however far back (series have gaps); the first, against
    # the one after it.
    earlier = [y for y in points if y < year]
    later = [y for y in points if y > year]
    if earlier:
        start, end = points[max(earlier)], points[year]
    elif later:
        start, end = points[year], points[min(later)]
    else:
        return
    if start.value <= 0 or end.value <= 0:
        return  # no ratio across nought; the bounds check signs
    ratio = end.value / start.value
    for rule in rules:
        if not 1 / rule.factor < ratio < rule.factor:
            yield _magnitude(ctx, rule, checked, start, end, ratio)


def _magnitude(
    ctx: Context, rule: MagnitudeRule, checked: Figure, start: Figure, end: Figure, ratio: float
) -> Violation:
    info = ctx.indicators[checked.indicator]
    messages = []
    for lang in ("vi", "en"):

        def shown(figure: Figure, lang: str = lang) -> str:
            return f"{period_label(figure.period, lang)} ({amount(figure.value, info.unit, lang)})"

        times = num(ratio if ratio >= 1 else 1 / ratio, lang)
        if lang == "vi":
            more = "lớn hơn" if ratio >= 1 else "nhỏ hơn"
            text = (
                f"{info.name_vi}: từ {shown(start)} đến {shown(end)} {more} {times} lần, "
                "gấp 10 lần trở lên: nhầm dấu phẩy hay đơn vị?"
            )
        else:
            more = "larger" if ratio >= 1 else "smaller"
            text = (
                f"{info.name_en}: from {shown(start)} to {shown(end)} it is {times} times "
                f"{more}, an order of magnitude: a slipped decimal comma or a wrong unit?"
            )
        messages.append(text)
    return ctx.violation(
        rule=rule.id,
        kind="magnitude",
        severity=rule.severity,
        checked=checked,
        vi=messages[0],
        en=messages[1],
        period=end.period,
        status=end.status,
    )


def check_estimates(ctx: Context, checked: Figure) -> Iterator[Violation]:
    info = ctx.indicators.get(checked.indicator)
    if info is None:
        return
    slot = ctx.figures.at(checked.indicator, checked.region_id, checked.period)
    for rule in ctx.rules.estimates:
        if not rule.select.matches(code=info.code, unit=info.unit, group=info.group):
            continue
        if checked.status == "actual":
            pairs = [(f, checked) for f in slot if f.status in rule.earlier]
        elif checked.status in rule.earlier:
            pairs = [(checked, f) for f in slot if f.status == "actual"]
        else:
            pairs = []
        for earlier, actual in pairs:
            found = _estimate(ctx, rule, checked, earlier, actual)
            if found is not None:
                yield found


def _estimate(
    ctx: Context, rule: EstimateRule, checked: Figure, earlier: Figure, actual: Figure
) -> Violation | None:
    gap = earlier.value - actual.value
    info = ctx.indicators[checked.indicator]
    if rule.max_points is not None:
        if abs(gap) <= rule.max_points + EPSILON:
            return None
        limit = rule.max_points
        relative = None
    else:
        assert rule.max_relative is not None
        if abs(actual.value) <= EPSILON:
            return None
        relative = abs(gap) / abs(actual.value)
        if relative <= rule.max_relative + EPSILON:
            return None
        limit = rule.max_relative * 100
    messages = []
    for lang in ("vi", "en"):
        head = (
            f"{info.name(lang)} {period_label(checked.period, lang)}: "
            f"{amount(earlier.value, info.unit, lang)}"
        )
        after = amount(actual.value, info.unit, lang)
        if relative is None:
            difference = gap_text(gap, "%", lang)
            allowed = num(limit, lang)
        else:
            difference = f"{num(relative * 100, lang)}%"
            allowed = f"{num(limit, lang)}%"
        if lang == "vi":
            text = (
                f"{head} ({status_word(earlier.status, lang)}) lệch {difference} so với số "
                f"thực hiện {after} (cho phép {allowed})"
            )
        else:
            text = (
                f"{head} ({status_word(earlier.status, lang)}) differs from the actual {after} "
                f"by {difference} (tolerance {allowed})"
            )
        messages.append(text)
    return ctx.violation(
        rule=rule.id,
        kind="estimate",
        severity=rule.severity,
        checked=checked,
        vi=messages[0],
        en=messages[1],
        status=actual.status,
    )
