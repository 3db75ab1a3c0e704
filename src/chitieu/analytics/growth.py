"""Growth analytics on plain numbers: contributions, TFP, ICOR, productivity, merged territories.

Nothing here reads the database. The functions take series the caller has
read — ``{year: value}`` mappings, or a :class:`Series` that also says at which
prices it is measured — and return numbers or small dataclasses, so that every
result can be checked by hand against a published figure.

Units: growth rates in percent (10.71 means 10.71%), contributions in
percentage points, shares and weights in percent of the total.

Two rules run through the module. Growth is recomputed from levels at constant
prices, never read off current prices, which carry inflation. And rates of
parts are never averaged: a merged province's growth is the growth of its
parts' summed levels, and a sector counts by its share of last year's total.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from chitieu._errors import InputError

K = TypeVar("K", bound=Hashable)

PriceBasis = Literal["constant", "current"]
PRICE_BASES: tuple[PriceBasis, ...] = ("constant", "current")
_BASIS_VI = {"constant": "giá so sánh", "current": "giá hiện hành"}

DEFAULT_CAPITAL_SHARE = 0.4
"""α, capital's share of income in ``Y = A·K^α·L^(1−α)``.

The statistics office (GSO) takes factor shares from input-output tables;
provincial studies in Vietnam use 0.35-0.5. 0.4 sits in that range, so a
province without its own input-output table is not made to look better or
worse than its neighbours by the choice. Pass the study's α when reproducing one.
"""

DEFAULT_DEPRECIATION = 0.05
"""δ, the share of the capital stock used up each year (5%, a common assumption)."""

DEFAULT_GROWTH_YEARS = 5
"""Years of investment whose average growth sets the steady-state initial stock."""


class MissingDataError(InputError):
    """A figure a computation needs is not in the series it was given."""


@dataclass(frozen=True, slots=True)
class Series:
    """Levels by year, with the prices they are measured at: ``constant`` or ``current``."""

    values: Mapping[int, float]
    price_basis: PriceBasis

    def __post_init__(self) -> None:
        if self.price_basis not in PRICE_BASES:
            raise InputError(
                f"loại giá '{self.price_basis}' không hợp lệ "
                "(constant: giá so sánh, current: giá hiện hành)"
            )


def _require_constant(purpose: str, series: Mapping[str, Series]) -> None:
    """Refuse current prices: growth at current prices counts price rises as output."""
    bases = {name: s.price_basis for name, s in series.items()}
    if len(set(bases.values())) > 1:
        shown = ", ".join(f"{name} theo {_BASIS_VI[basis]}" for name, basis in bases.items())
        raise InputError(
            f"{purpose}: không trộn giá hiện hành với giá so sánh ({shown}); "
            "mọi chuỗi phải theo giá so sánh"
        )
    if "current" in bases.values():
        names = ", ".join(bases)
        raise InputError(
            f"{purpose} chỉ tính theo giá so sánh: {names} đang theo giá hiện hành "
            "(phần tăng giá sẽ bị tính thành tăng trưởng)"
        )


def _require(what: str, values: Mapping[K, float], keys: Iterable[K]) -> None:
    missing = [str(key) for key in keys if key not in values]
    if missing:
        raise MissingDataError(f"thiếu {what} kỳ {', '.join(missing)}")


def _require_parts(what: str, parts: Mapping[str, Mapping[K, float]], keys: Iterable[K]) -> None:
    wanted = list(keys)
    if not parts:
        raise MissingDataError(f"không có {what} nào")
    gaps = [
        f"{name} kỳ {', '.join(str(k) for k in wanted if k not in values)}"
        for name, values in parts.items()
        if any(k not in values for k in wanted)
    ]
    if gaps:
        raise MissingDataError(f"thiếu {what}: {'; '.join(gaps)}")


def growth_rate(*, previous: float, current: float) -> float:
    """Growth from ``previous`` to ``current``, in percent."""
    if previous <= 0:
        raise InputError(f"không tính được tốc độ tăng từ mức {previous:g} (kỳ gốc phải dương)")
    return (current / previous - 1) * 100


def growth_series(*, levels: Mapping[int, float]) -> dict[int, float]:
    """Growth of every year whose previous year is in ``levels`` (constant-price levels)."""
    return {
        year: growth_rate(previous=levels[year - 1], current=value)
        for year, value in sorted(levels.items())
        if year - 1 in levels
    }


# Contributions of sectors to growth


@dataclass(frozen=True, slots=True)
class Contribution:
    """One sector's part in the total's growth."""

    weight: float
    """The sector's share of the previous year's total, in %."""
    growth: float | None
    """The sector's own growth in %; None when its previous level was not positive."""
    points: float
    """Contribution to the total's growth, in percentage points."""
    share_of_growth: float | None
    """The contribution as % of the total's growth; None when the total did not grow."""


@dataclass(frozen=True, slots=True)
class Contributions:
    total_growth: float
    """Growth of the total, in % (the sum of the sectors' points)."""
    sectors: dict[str, Contribution]


def sector_contributions(
    *, levels_by_sector: Mapping[str, Mapping[int, float]], year: int
) -> Contributions:
    """Each sector's contribution to growth of the total in ``year``.

    ``levels_by_sector`` holds constant-price levels (value added of
    agriculture, industry-construction, services, product taxes…). A sector's
    contribution in points is its growth weighted by its share of the previous
    year's total at constant prices, ``(V_s,t − V_s,t−1) / V_t−1 × 100``; the
    contributions add up to the total's growth exactly.
    """
    previous = year - 1
    _require_parts("mức giá so sánh của ngành", levels_by_sector, (previous, year))
    total_before = sum(levels[previous] for levels in levels_by_sector.values())
    total_now = sum(levels[year] for levels in levels_by_sector.values())
    total_growth = growth_rate(previous=total_before, current=total_now)
    sectors = {}
    for sector, levels in levels_by_sector.items():
        points = (levels[year] - levels[previous]) / total_before * 100
        sectors[sector] = Contribution(
            weight=levels[previous] / total_before * 100,
            growth=(
                growth_rate(previous=levels[previous], current=levels[year])
                if levels[previous] > 0
                else None
            ),
            points=points,
            share_of_growth=points / total_growth * 100 if total_growth else None,
        )
    return Contributions(total_growth, sectors)


def contributions_from_rates(
    *, growth_by_sector: Mapping[str, float], weights: Mapping[str, float]
) -> Contributions:
    """Contributions from published sector growth rates and previous-year shares (in %).

    Exact when ``weights`` are the sectors' constant-price shares of the
    previous year; with the current-price shares provinces publish it is an
    approximation (sectors whose prices rose faster weigh too much). Shares
    that sum to 100 within rounding are rescaled to sum to 100 exactly.
    """
    if set(growth_by_sector) != set(weights):
        unmatched = sorted(set(growth_by_sector) ^ set(weights))
        raise MissingDataError(f"thiếu tốc độ tăng hoặc tỷ trọng của ngành: {', '.join(unmatched)}")
    total_weight = sum(weights.values())
    if abs(total_weight - 100) > 0.5:
        raise InputError(
            f"tỷ trọng các ngành cộng lại {total_weight:g}%, không phải 100%: "
            "thiếu ngành nào (thuế sản phẩm?) hoặc tỷ trọng không cùng một năm"
        )
    points = {
        sector: weights[sector] / total_weight * growth
        for sector, growth in growth_by_sector.items()
    }
    total = sum(points.values())
    return Contributions(
        total,
        {
            sector: Contribution(
                weight=weights[sector] / total_weight * 100,
                growth=growth_by_sector[sector],
                points=value,
                share_of_growth=value / total * 100 if total else None,
            )
            for sector, value in points.items()
        },
    )


# Growth accounting: capital, labour and total factor productivity


@dataclass(frozen=True, slots=True)
class GrowthAccounting:
    """Output growth split into capital, labour and TFP (all in % or points)."""

    output_growth: float
    capital_growth: float
    labour_growth: float
    alpha: float
    capital_points: float
    """α·G_K: capital's contribution, in points."""
    labour_points: float
    """(1−α)·G_L: labour's contribution, in points."""
    tfp_growth: float
    """G_A = G_Y − α·G_K − (1−α)·G_L, in points."""
    tfp_share: float | None
    """G_A / G_Y in %: the "contribution of TFP to growth" plans set targets for."""


def decompose_growth(
    *,
    output_growth: float,
    capital_growth: float,
    labour_growth: float,
    alpha: float = DEFAULT_CAPITAL_SHARE,
) -> GrowthAccounting:
    """The growth-accounting identity on growth rates (in %).

    With ``Y = A·K^α·L^(1−α)``, TFP growth is the residual
    ``G_A = G_Y − α·G_K − (1−α)·G_L`` and its contribution to growth is
    ``G_A / G_Y``. ``alpha`` is capital's share of income: GSO takes factor
    shares from input-output tables, provincial studies use 0.35-0.5; the
    default 0.4 (:data:`DEFAULT_CAPITAL_SHARE`) sits in that range.
    """
    if not 0 < alpha < 1:
        raise InputError(f"tỷ phần vốn α = {alpha:g} phải nằm giữa 0 và 1")
    capital_points = alpha * capital_growth
    labour_points = (1 - alpha) * labour_growth
    tfp = output_growth - capital_points - labour_points
    return GrowthAccounting(
        output_growth=output_growth,
        capital_growth=capital_growth,
        labour_growth=labour_growth,
        alpha=alpha,
        capital_points=capital_points,
        labour_points=labour_points,
        tfp_growth=tfp,
        tfp_share=tfp / output_growth * 100 if output_growth else None,
    )


def growth_accounting(
    *,
    output: Series,
    capital: Series,
    labour: Mapping[int, float],
    year: int,
    alpha: float = DEFAULT_CAPITAL_SHARE,
) -> GrowthAccounting:
    """TFP growth in ``year`` from levels of output, capital stock and employment.

    ``output`` (GRDP) and ``capital`` (see :func:`capital_stock`) must be at
    constant prices; ``labour`` is the number of people employed. Growth rates
    are year-on-year percentage changes, as the statistics office publishes
    them. See :func:`decompose_growth` for ``alpha``.
    """
    _require_constant("Hạch toán tăng trưởng (TFP)", {"GRDP": output, "vốn": capital})
    previous = year - 1
    _require("GRDP theo giá so sánh", output.values, (previous, year))
    _require("vốn", capital.values, (previous, year))
    _require("lao động", labour, (previous, year))
    return decompose_growth(
        output_growth=growth_rate(previous=output.values[previous], current=output.values[year]),
        capital_growth=growth_rate(previous=capital.values[previous], current=capital.values[year]),
        labour_growth=growth_rate(previous=labour[previous], current=labour[year]),
        alpha=alpha,
    )


def capital_stock(
    *,
    investment: Series,
    delta: float = DEFAULT_DEPRECIATION,
    initial: float | Literal["steady_state"] = "steady_state",
    growth_years: int = DEFAULT_GROWTH_YEARS,
) -> Series:
    """The capital stock by perpetual inventory: ``K_t = (1−δ)·K_t−1 + I_t``.

    ``investment`` must be at constant prices and cover consecutive years.
    The result holds the stock at the end of each investment year and, under
    the year before the first, the initial stock. ``initial`` is either that
    stock, or ``"steady_state"`` (Harberger's method): ``K_0 = I_0 / (g + δ)``
    with ``I_0`` the first year's investment and ``g`` its average annual
    growth over the first ``growth_years`` years — the stock an economy whose
    investment had always grown at ``g`` would have. The initial stock weighs
    less each year, so early years' TFP depends most on this choice.
    """
    _require_constant("Vốn tích lũy", {"vốn đầu tư": investment})
    if not 0 < delta < 1:
        raise InputError(f"tỷ lệ khấu hao δ = {delta:g} phải nằm giữa 0 và 1")
    years = sorted(investment.values)
    if not years:
        raise MissingDataError("không có số liệu vốn đầu tư nào")
    first, last = years[0], years[-1]
    _require("vốn đầu tư", investment.values, range(first, last + 1))
    flows = investment.values
    if isinstance(initial, str):
        span = min(growth_years, last - first)
        if span < 1:
            raise MissingDataError(
                "cần vốn đầu tư ít nhất hai năm liền nhau để ước tính vốn ban đầu "
                "(hoặc cho vốn ban đầu)"
            )
        if flows[first] <= 0 or flows[first + span] <= 0:
            raise InputError("vốn đầu tư các năm đầu phải dương để ước tính vốn ban đầu")
        g = (flows[first + span] / flows[first]) ** (1 / span) - 1
        if g + delta <= 0:
            raise InputError(
                f"vốn đầu tư giảm {-g:.1%}/năm, nhanh hơn khấu hao: "
                "không ước tính được vốn ban đầu theo trạng thái dừng, hãy cho vốn ban đầu"
            )
        stock = flows[first] / (g + delta)
    else:
        if initial < 0:
            raise InputError(f"vốn ban đầu {initial:g} không được âm")
        stock = float(initial)
    stocks = {first - 1: stock}
    for year in years:
        stock = (1 - delta) * stock + flows[year]
        stocks[year] = stock
    return Series(stocks, "constant")


# ICOR


@dataclass(frozen=True, slots=True)
class Icor:
    """The incremental capital-output ratio of one year, in both published forms."""

    investment: float
    output_increase: float
    investment_share: float
    """Investment as % of the year's GRDP."""
    output_growth: float
    """GRDP growth, in %."""
    by_increment: float | None
    """Investment / increase of GRDP; None when GRDP did not grow."""
    by_share: float | None
    """Investment share / growth rate; None when GRDP did not grow."""


def icor(*, investment: Series, output: Series, year: int) -> Icor:
    """ICOR in ``year``: how many đồng of investment bought one đồng of extra GRDP.

    Both series must be at constant prices: at current prices the increase of
    GRDP includes price rises. The two forms differ by a factor ``1 + g``:
    ``I_t / ΔY`` divides by the increase, ``(I_t / Y_t) / g`` by the year's
    level times its growth. A year in which GRDP did not grow has no ICOR.
    """
    _require_constant("ICOR", {"vốn đầu tư": investment, "GRDP": output})
    previous = year - 1
    _require("vốn đầu tư", investment.values, (year,))
    _require("GRDP theo giá so sánh", output.values, (previous, year))
    spent = investment.values[year]
    before, now = output.values[previous], output.values[year]
    growth = growth_rate(previous=before, current=now)
    if now <= 0:
        raise InputError(f"GRDP năm {year} phải dương")
    share = spent / now * 100
    grew = now > before
    return Icor(
        investment=spent,
        output_increase=now - before,
        investment_share=share,
        output_growth=growth,
        by_increment=spent / (now - before) if grew else None,
        by_share=share / growth if grew else None,
    )


# Labour productivity


def labour_productivity(
    *, output_current: Series, employment: Mapping[int, float]
) -> dict[int, float]:
    """GRDP at current prices per employed person, for every year both are known.

    This is the level the statistics office publishes (đồng per worker, current
    prices); its growth is measured at constant prices, see :func:`productivity_growth`.
    """
    if output_current.price_basis != "current":
        raise InputError(
            "năng suất lao động (mức) tính theo giá hiện hành, nhưng GRDP đưa vào theo "
            "giá so sánh; tốc độ tăng năng suất thì dùng giá so sánh"
        )
    years = sorted(set(output_current.values) & set(employment))
    if not years:
        raise MissingDataError("không có năm nào có cả GRDP theo giá hiện hành và số lao động")
    for year in years:
        if employment[year] <= 0:
            raise InputError(f"số lao động năm {year} phải dương")
    return {year: output_current.values[year] / employment[year] for year in years}


def productivity_growth(
    *, output_constant: Series, employment: Mapping[int, float], year: int
) -> float:
    """Growth of GRDP per employed person in ``year``, at constant prices, in %."""
    _require_constant("Tốc độ tăng năng suất lao động", {"GRDP": output_constant})
    previous = year - 1
    _require("GRDP theo giá so sánh", output_constant.values, (previous, year))
    _require("lao động", employment, (previous, year))
    if employment[previous] <= 0 or employment[year] <= 0:
        raise InputError("số lao động phải dương")
    return growth_rate(
        previous=output_constant.values[previous] / employment[previous],
        current=output_constant.values[year] / employment[year],
    )


@dataclass(frozen=True, slots=True)
class ShiftShare:
    """Productivity growth split into growth inside sectors and moves between them.

    All terms are in points of the previous year's productivity and add up to
    ``productivity_growth``.
    """

    productivity_growth: float
    within: float
    """Σ ΔP_i·S_i,t−1: productivity growing inside each sector at last year's employment mix."""
    static_shift: float
    """Σ P_i,t−1·ΔS_i: workers moving towards sectors that were already more productive."""
    dynamic_shift: float
    """Σ ΔP_i·ΔS_i: workers moving towards sectors whose productivity is growing."""

    @property
    def structural_change(self) -> float:
        return self.static_shift + self.dynamic_shift


def shift_share(
    *,
    output_by_sector: Mapping[str, Mapping[int, float]],
    employment_by_sector: Mapping[str, Mapping[int, float]],
    year: int,
) -> ShiftShare:
    """Shift-share decomposition of labour productivity growth in ``year``.

    ``output_by_sector`` holds constant-price value added, ``employment_by_sector``
    the people employed, with the same sectors. With ``P_i`` a sector's output
    per worker and ``S_i`` its share of employment, ``P = Σ P_i·S_i`` and
    ``ΔP = Σ ΔP_i·S_i,t−1 + Σ P_i,t−1·ΔS_i + Σ ΔP_i·ΔS_i`` exactly.
    """
    if set(output_by_sector) != set(employment_by_sector):
        unmatched = sorted(set(output_by_sector) ^ set(employment_by_sector))
        raise MissingDataError(f"thiếu GRDP hoặc lao động của ngành: {', '.join(unmatched)}")
    previous = year - 1
    _require_parts("giá trị tăng thêm của ngành", output_by_sector, (previous, year))
    _require_parts("lao động của ngành", employment_by_sector, (previous, year))
    workers = {
        when: sum(levels[when] for levels in employment_by_sector.values())
        for when in (previous, year)
    }
    if any(employment_by_sector[s][w] <= 0 for s in employment_by_sector for w in workers):
        raise InputError("số lao động của mỗi ngành phải dương")
    total = {
        when: sum(levels[when] for levels in output_by_sector.values()) / workers[when]
        for when in (previous, year)
    }
    within = static = dynamic = 0.0
    for sector, output in output_by_sector.items():
        jobs = employment_by_sector[sector]
        p0, p1 = output[previous] / jobs[previous], output[year] / jobs[year]
        s0, s1 = jobs[previous] / workers[previous], jobs[year] / workers[year]
        within += (p1 - p0) * s0
        static += p0 * (s1 - s0)
        dynamic += (p1 - p0) * (s1 - s0)
    base = total[previous]
    return ShiftShare(
        productivity_growth=growth_rate(previous=base, current=total[year]),
        within=within / base * 100,
        static_shift=static / base * 100,
        dynamic_shift=dynamic / base * 100,
    )


def per_capita_usd(*, grdp_vnd: float, population: float, exchange_rate: float) -> float:
    """GRDP per person in USD: GRDP (đồng, current prices) / population / đồng per USD.

    Use the year's average population and average exchange rate, as the
    statistics office does.
    """
    if population <= 0 or exchange_rate <= 0:
        raise InputError("dân số và tỷ giá phải dương")
    return grdp_vnd / population / exchange_rate


# Merged territories


def merged_growth(
    *, levels_by_part: Mapping[str, Mapping[K, float]], period: K, previous: K
) -> float:
    """Growth of a territory made of ``levels_by_part`` (constant-price levels of each part).

    The levels are summed first and the growth taken of the sums, so each part
    counts by its size at constant prices. Averaging the parts' rates would
    give a small province the weight of a large one.
    """
    _require_parts("mức giá so sánh của địa bàn", levels_by_part, (previous, period))
    return growth_rate(
        previous=sum(levels[previous] for levels in levels_by_part.values()),
        current=sum(levels[period] for levels in levels_by_part.values()),
    )


def combine(*, values_by_part: Mapping[str, float], merge_rule: str) -> float:
    """One value for a territory from its parts' values, following the indicator's merge rule.

    Only ``sum`` (levels in đồng, counts) combines values alone. Rates, shares
    and ratios (``recompute``) must be recomputed from each part's numerator
    and denominator — :func:`merged_growth`, :func:`ratio_of_sums` — and ranks
    (``none``) do not combine at all.
    """
    if merge_rule == "sum":
        if not values_by_part:
            raise MissingDataError("không có số liệu của địa bàn nào để cộng")
        return sum(values_by_part.values())
    if merge_rule == "recompute":
        raise InputError(
            "không lấy trung bình các tỷ lệ của từng địa bàn: chỉ tiêu này phải tính lại "
            "từ tử số và mẫu số của từng địa bàn (ví dụ tăng trưởng từ GRDP theo giá so sánh)"
        )
    if merge_rule == "none":
        raise InputError("chỉ tiêu này (thứ hạng…) không gộp được giữa các địa bàn")
    raise InputError(f"quy tắc gộp '{merge_rule}' không hợp lệ (sum, recompute, none)")


def ratio_of_sums(
    *,
    numerators: Mapping[str, float],
    denominators: Mapping[str, float],
    scale: float = 1.0,
) -> float:
    """A ``recompute`` indicator for a merged territory: Σ numerators / Σ denominators × scale."""
    if set(numerators) != set(denominators):
        unmatched = sorted(set(numerators) ^ set(denominators))
        raise MissingDataError(f"thiếu tử số hoặc mẫu số của: {', '.join(unmatched)}")
    below = sum(denominators.values())
    if below == 0:
        raise InputError("tổng mẫu số bằng 0")
    return sum(numerators.values()) / below * scale
