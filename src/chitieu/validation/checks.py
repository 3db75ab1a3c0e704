"""Checks of one figure against its limits and against the figures it must agree with.

Each check yields the violations of one figure (``checked``), reading other
figures from the context; a check whose inputs are missing yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from chitieu._periods import parse_period
from chitieu.indicator.bounds import out_of_bounds, plausible_bounds
from chitieu.validation.figures import Figure, year_after, year_before
from chitieu.validation.rules import BoundsRule, GrowthRule, SumRule
from chitieu.validation.violation import (
    EPSILON,
    Context,
    Violation,
    amount,
    gap_text,
    num,
    period_label,
    status_word,
)


def check_bounds(ctx: Context, checked: Figure) -> Iterator[Violation]:
    info = ctx.indicators.get(checked.indicator)
    if info is None:
        return
    for rule in ctx.rules.bounds:
        if not rule.select.matches(code=info.code, unit=info.unit, group=info.group):
            continue
        reasons = _bounds_reasons(rule, checked.value, info.unit)
        if reasons is None:
            continue
        yield ctx.violation(
            rule=rule.id,
            kind="bounds",
            severity=rule.severity,
            checked=checked,
            vi=f"{_head(info.name_vi, checked, info.unit, 'vi')} {reasons[0]}",
            en=f"{_head(info.name_en, checked, info.unit, 'en')} {reasons[1]}",
        )


def check_plausible(ctx: Context, checked: Figure) -> Iterator[Violation]:
    """A value no indicator of its unit and kind can take (indicator/bounds.py): refused."""
    info = ctx.indicators.get(checked.indicator)
    if info is None:
        return
    reasons = out_of_bounds(plausible_bounds(info), checked.value, info.unit)
    if reasons is None or any(v.blocking for v in check_bounds(ctx, checked)):
        return  # within bounds, or already refused by the rule book with its own words
    yield ctx.violation(
        rule="plausible",
        kind="bounds",
        severity="blocking",
        checked=checked,
        vi=f"{_head(info.name_vi, checked, info.unit, 'vi')} {reasons[0]}",
        en=f"{_head(info.name_en, checked, info.unit, 'en')} {reasons[1]}",
    )


def check_horizon(ctx: Context, checked: Figure) -> Iterator[Violation]:
    """A figure for a period past the plans' horizon (a typed 2099 for 2019): refused."""
    info = ctx.indicators.get(checked.indicator)
    if ctx.horizon is None or info is None:
        return
    year = parse_period(checked.period).start.year
    if year <= ctx.horizon:
        return
    yield ctx.violation(
        rule="horizon",
        kind="period",
        severity="blocking",
        checked=checked,
        vi=(
            f"{info.name_vi} {period_label(checked.period, 'vi')}: kỳ này sau năm "
            f"{ctx.horizon}, năm cuối các kế hoạch theo dõi; chỉ nhận số liệu cho các kỳ "
            f"đến hết năm {ctx.horizon}"
        ),
        en=(
            f"{info.name_en} {period_label(checked.period, 'en')}: the period is after "
            f"{ctx.horizon}, the last year of the plans followed; figures are taken for "
            f"periods up to the end of {ctx.horizon}"
        ),
    )


def _head(name: str, checked: Figure, unit: str, lang: str) -> str:
    return f"{name} {period_label(checked.period, lang)}: {amount(checked.value, unit, lang)}"


def _bounds_reasons(rule: BoundsRule, value: float, unit: str) -> tuple[str, str] | None:
    """Why the value is out of bounds, in both languages; None when it is within."""
    low, high, sign = rule.min, rule.max, "%" if unit == "%" else ""
    below = low is not None and value < low - EPSILON
    above = high is not None and value > high + EPSILON
    if (below or above) and low is not None and high is not None:
        span_vi = f"{num(low, 'vi')}–{num(high, 'vi')}{sign}"
        span_en = f"{num(low, 'en')}–{num(high, 'en')}{sign}"
        return (
            f"nằm ngoài khoảng {span_vi} của {rule.what_vi}",
            f"is outside {span_en}, the range of {rule.what_en}",
        )
    if below and low is not None:
        return (
            f"nhỏ hơn {num(low, 'vi')}{sign}, mức thấp nhất của {rule.what_vi}",
            f"is below {num(low, 'en')}{sign}, the lowest possible for {rule.what_en}",
        )
    if above and high is not None:
        return (
            f"lớn hơn {num(high, 'vi')}{sign}, mức cao nhất của {rule.what_vi}",
            f"is above {num(high, 'en')}{sign}, the highest possible for {rule.what_en}",
        )
    if rule.integer and abs(value - round(value)) > EPSILON:
        return (
            f"không phải số nguyên, trong khi {rule.what_vi} phải là số nguyên",
            f"is not a whole number, which {rule.what_en} must be",
        )
    return None


def check_sums(ctx: Context, checked: Figure) -> Iterator[Violation]:
    for rule in ctx.rules.sums:
        if checked.indicator in rule.indicators:
            found = _sum_violation(ctx, rule, checked)
            if found is not None:
                yield found


def _sum_violation(ctx: Context, rule: SumRule, checked: Figure) -> Violation | None:
    def best(code: str) -> Figure | None:
        return ctx.figures.best(
            code, checked.region_id, checked.period, status=checked.status, checked=checked
        )

    parts = [(part, best(part.indicator)) for part in rule.parts]
    present = [(part, figure) for part, figure in parts if figure is not None]
    if len(present) < len(parts):
        return None  # not all parts are in yet: nothing to add up
    optional = [(part, best(part.indicator)) for part in rule.optional_parts]
    present += [(part, figure) for part, figure in optional if figure is not None]
    missing = [part for part, figure in optional if figure is None]
    total_figure = best(rule.total_indicator) if rule.total_indicator else None
    if rule.total_indicator and total_figure is None:
        return None
    total = total_figure.value if total_figure is not None else rule.total
    assert total is not None
    added = sum(figure.value for _, figure in present)
    gap = added - total
    if abs(gap) <= rule.tolerance + EPSILON:
        return None
    anchor = rule.total_indicator or rule.parts[0].indicator
    info = ctx.indicators.get(anchor)
    unit = info.unit if info is not None else "%"
    messages = []
    for lang in ("vi", "en"):
        terms = " + ".join(
            f"{part.label_vi if lang == 'vi' else part.label_en} {num(figure.value, lang)}"
            for part, figure in present
        )
        if rule.total_indicator:
            label = rule.total_label_vi if lang == "vi" else rule.total_label_en
            against = f"{label or rule.total_indicator} {amount(total, unit, lang)}"
        else:
            against = amount(total, unit, lang)
        name = rule.name_vi if lang == "vi" else rule.name_en
        where = f"{period_label(checked.period, lang)} ({status_word(checked.status, lang)})"
        tolerance = num(rule.tolerance, lang)
        gap_shown = gap_text(gap, unit, lang)
        labels = ", ".join(p.label_vi if lang == "vi" else p.label_en for p in missing)
        if lang == "vi":
            text = (
                f"{name} {where} cộng lại {amount(added, unit, lang)} ({terms}), "
                f"lệch {gap_shown} so với {against} (cho phép {tolerance})"
            )
            if missing and gap < 0:
                text += f"; chưa có số liệu {labels}, phần thiếu có thể là phần này"
        else:
            text = (
                f"{name} {where} adds up to {amount(added, unit, lang)} ({terms}), "
                f"{gap_shown} off {against} (tolerance {tolerance})"
            )
            if missing and gap < 0:
                text += f"; there is no figure for {labels}, which may be the missing part"
        messages.append(text)
    return ctx.violation(
        rule=rule.id,
        kind="sum",
        severity=rule.severity,
        checked=checked,
        vi=messages[0],
        en=messages[1],
        indicator=anchor,
    )


def check_growth(ctx: Context, checked: Figure) -> Iterator[Violation]:
    for rule in ctx.rules.growth:
        for period, status in _growth_instances(ctx, rule, checked):
            found = _growth_violation(ctx, rule, checked, period, status)
            if found is not None:
                yield found


def _growth_instances(ctx: Context, rule: GrowthRule, checked: Figure) -> list[tuple[str, str]]:
    """The (period, status) whose growth the checked figure enters: its own for a growth rate,
    the next year's for a share (this year's shares weight next year's growth)."""
    if checked.indicator == rule.total or any(checked.indicator == s.growth for s in rule.sectors):
        return [(checked.period, checked.status)]
    if any(checked.indicator == s.share for s in rule.sectors):
        following = year_after(checked.period)
        if following is None:
            return []
        totals = ctx.figures.at(rule.total, checked.region_id, following)
        return [(following, status) for status in sorted({f.status for f in totals})]
    return []


def _growth_violation(
    ctx: Context, rule: GrowthRule, checked: Figure, period: str, status: str
) -> Violation | None:
    previous = year_before(period)
    if previous is None:
        return None
    figures, region = ctx.figures, checked.region_id
    total = figures.best(rule.total, region, period, status=status, checked=checked)
    growths = [
        figures.best(s.growth, region, period, status=status, checked=checked) for s in rule.sectors
    ]
    shares = [figures.best(s.share, region, previous, checked=checked) for s in rule.sectors]
    if total is None or any(g is None for g in growths):
        return None
    unknown = [index for index, share in enumerate(shares) if share is None]
    if len(unknown) > 1:
        return None
    weights = [share.value if share is not None else 0.0 for share in shares]
    if unknown:
        # One share not given (product taxes, usually): it is what the others leave of 100.
        rest = 100 - sum(weights)
        if rest < -EPSILON:
            return None
        weights[unknown[0]] = max(rest, 0.0)
    implied = sum(g.value * w / 100 for g, w in zip(growths, weights, strict=True) if g)
    gap = total.value - implied
    if abs(gap) <= rule.tolerance + EPSILON:
        return None
    messages = []
    for lang in ("vi", "en"):
        rest_word = " (phần còn lại)" if lang == "vi" else " (the remainder)"
        terms = " + ".join(
            f"{s.label_vi if lang == 'vi' else s.label_en} {num(g.value, lang)}% × "
            f"{num(w, lang)}%{rest_word if index in unknown else ''}"
            for index, (s, g, w) in enumerate(zip(rule.sectors, growths, weights, strict=True))
            if g
        )
        name = rule.name_vi if lang == "vi" else rule.name_en
        where = f"{period_label(period, lang)} ({status_word(status, lang)})"
        before = period_label(previous, lang)
        values = (num(total.value, lang), num(implied, lang), num(abs(gap), lang))
        tolerance = num(rule.tolerance, lang)
        if lang == "vi":
            text = (
                f"{name} {where} là {values[0]}%, nhưng tốc độ tăng các ngành gia quyền theo "
                f"cơ cấu {before} cho {values[1]}% ({terms}); lệch {values[2]} điểm "
                f"(cho phép {tolerance})"
            )
        else:
            text = (
                f"{name} {where} is {values[0]}%, but the sectors' growth weighted by the "
                f"{before} structure gives {values[1]}% ({terms}); {values[2]} points apart "
                f"(tolerance {tolerance})"
            )
        messages.append(text)
    return ctx.violation(
        rule=rule.id,
        kind="growth",
        severity=rule.severity,
        checked=checked,
        vi=messages[0],
        en=messages[1],
        indicator=rule.total,
        period=period,
        status=status,
    )
