"""The figures growth analytics read: a region's territory, its gaps, the series built from them.

Shared by ``chitieu analyze`` and the report's analytics section, so neither face
reads the other's module. Missing figures are noted, not raised, so a caller can
say in one line which indicator, region and years are lacking.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from rich.console import Console
from sqlalchemy.orm import Session

from chitieu._labels import tr
from chitieu._periods import PeriodKind, parse_period
from chitieu.analytics.growth import (
    MissingDataError,
    PriceBasis,
    Series,
    combine,
    contributions_from_rates,
    growth_rate,
)
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import list_observations, preferred
from chitieu.region.models import Region
from chitieu.region.service import territory

# Constant-price levels whose growth is the economy's growth; GRDP includes product taxes.
LEVELS = ("GRDP_CONSTANT", "VALUE_ADDED_CONSTANT")

# The price basis of each level the commands read. The province reports investment
# at current prices only; the catalogue has no constant-price investment series yet.
PRICE_BASIS: dict[str, PriceBasis] = {
    "GRDP_CONSTANT": "constant",
    "VALUE_ADDED_CONSTANT": "constant",
    "GRDP_CURRENT": "current",
    "SOCIAL_INVESTMENT": "current",
}

SECTORS = {
    "AGRICULTURE": ("Nông, lâm nghiệp và thủy sản", "Agriculture, forestry & fishery"),
    "INDUSTRY_CONSTRUCTION": ("Công nghiệp - xây dựng", "Industry & construction"),
    "SERVICES": ("Dịch vụ", "Services"),
    "PRODUCT_TAX": ("Thuế sản phẩm trừ trợ cấp", "Product taxes less subsidies"),
}


class Figures:
    """The figures of one region's territory, and a note of every one found missing."""

    def __init__(self, session: Session, region: Region, as_of: date | None = None) -> None:
        self.session = session
        self.region = region
        # The report judges as of a day: figures of periods ending later are not yet known.
        self.as_of = as_of
        self._own: dict[tuple[str, int], dict[str, Observation]] = {}
        self.missing: dict[tuple[str, str], set[str]] = defaultdict(set)

    def own(self, code: str, region: Region | None = None) -> dict[str, Observation]:
        """The preferred figure of each period, of ``region`` itself."""
        place = region or self.region
        key = (code, place.id)
        if key not in self._own:
            indicator = get_indicator(self.session, code_or_name=code)
            grouped: dict[str, list[Observation]] = defaultdict(list)
            for obs in list_observations(self.session, indicator=indicator, region=place):
                if self._known(obs):
                    grouped[obs.period].append(obs)
            self._own[key] = {
                period: best for period, rows in grouped.items() if (best := preferred(rows))
            }
        return self._own[key]

    def known_periods(self, code: str) -> set[str]:
        """Periods with a figure of the region or of any unit it was formed from."""
        indicator = get_indicator(self.session, code_or_name=code)
        rows = list_observations(
            self.session, indicator=indicator, region=self.region, territory=True
        )
        return {obs.period for obs in rows if self._known(obs)}

    def _known(self, obs: Observation) -> bool:
        return self.as_of is None or obs.period_end <= self.as_of

    def parts(self, period: str) -> list[Region]:
        return territory(self.session, region=self.region, on=parse_period(period).end)

    def note(self, code: str, region: Region, period: str | None = None) -> None:
        periods = self.missing[(code, region.name)]
        if period is not None:
            periods.add(period)

    def level(self, code: str, period: str) -> float | None:
        """The region's own figure, or the sum of its parts' for a period before it existed."""
        own = self.own(code).get(period)
        if own is not None:
            return own.value
        parts = self.parts(period)
        found = {part.code: self.own(code, part).get(period) for part in parts}
        for part in parts:
            if found[part.code] is None:
                self.note(code, part, period)
        if any(obs is None for obs in found.values()):
            return None
        merge_rule = get_indicator(self.session, code_or_name=code).merge_rule
        return combine(
            values_by_part={k: obs.value for k, obs in found.items() if obs is not None},
            merge_rule=merge_rule,
        )

    def employment(self, period: str) -> float | None:
        """People employed: GRDP at current prices over productivity, summed over the parts.

        The catalogue holds no employment count, and the statistics office defines
        labour productivity as GRDP per employed person, so employment follows.
        """
        total = 0.0
        complete = True
        for part in self.parts(period):
            output = self.own("GRDP_CURRENT", part).get(period)
            per_worker = self.own("LABOUR_PRODUCTIVITY", part).get(period)
            for code, obs in (("GRDP_CURRENT", output), ("LABOUR_PRODUCTIVITY", per_worker)):
                if obs is None:
                    self.note(code, part, period)
                    complete = False
            if output is not None and per_worker is not None:
                total += output.value / per_worker.value
        return total if complete else None

    def published(self, code: str, period: str) -> float | None:
        found = self.own(code).get(period)
        return found.value if found is not None else None

    def problem(self, what: str, *, investment: bool = False) -> MissingDataError:
        gaps, gaps_en = self.gaps(), self.gaps("en")
        if investment and PRICE_BASIS["SOCIAL_INVESTMENT"] == "current":
            name = self._name("SOCIAL_INVESTMENT", "vi")
            gaps += f"; vốn đầu tư theo giá so sánh ({name} là giá hiện hành)"
            gaps_en += "; investment at constant prices (the figures are at current prices)"
        return MissingDataError(
            f"không tính được {what} của {self.region.name}: {gaps}", en=gaps_en
        )

    def _name(self, code: str, lang: str) -> str:
        return get_indicator(self.session, code_or_name=code).name(lang)

    def gaps(self, lang: str = "vi") -> str:
        if not self.missing:
            return tr(lang, "không có số liệu nào để tính", "no figures to compute from")
        shown = [
            tr(
                lang,
                f"{self._name(code, lang)} của {region}",
                f"{self._name(code, lang)} of {region}",
            )
            + f" {periods_text(periods, lang)}"
            for (code, region), periods in sorted(self.missing.items())
        ]
        return tr(lang, "thiếu ", "missing ") + "; ".join(shown)

    def warn(self) -> None:
        """Results were found but some periods could not be computed: say so on stderr."""
        if self.missing:
            Console(stderr=True).print(
                f"Chú ý: {self.gaps()}", highlight=False, soft_wrap=True, markup=False
            )


def periods_text(periods: set[str], lang: str = "vi") -> str:
    if not periods:
        return tr(lang, "(chưa có số liệu nào)", "(no figure yet)")
    ordered = sorted(periods, key=lambda code: (parse_period(code).end, code))
    if all(parse_period(code).kind is PeriodKind.YEAR for code in ordered):
        return tr(lang, "năm ", "") + ", ".join(ordered)
    return ", ".join(parse_period(code).label(lang) for code in ordered)


def year_before(code: str) -> str | None:
    """The same period a year earlier: 2024-H1 for 2025-H1, 2016 for 2017."""
    period = parse_period(code)
    if period.kind in (PeriodKind.MULTI_YEAR, PeriodKind.POINT):
        return None
    year = str(period.start.year)
    return str(period.start.year - 1) + code[len(year) :]


def years_of(periods: set[str]) -> set[int]:
    return {int(code) for code in periods if parse_period(code).kind is PeriodKind.YEAR}


def growth_records(figures: Figures, code: str) -> list[dict[str, Any]]:
    known = figures.known_periods(code)
    pairs = sorted(
        ((period, before) for period in known if (before := year_before(period)) in known),
        key=lambda pair: parse_period(pair[0]).end,
    )
    if not known:
        figures.note(code, figures.region)
    elif not pairs:
        # Nothing to compare with: name the year-earlier figure each one lacks.
        for period in known:
            before = year_before(period)
            if before is not None:
                figures.level(code, before)
    records = []
    for period, before in pairs:
        now, then = figures.level(code, period), figures.level(code, before)
        if now is None or then is None:
            continue
        rate = growth_rate(previous=then, current=now)
        published = figures.published("GRDP_GROWTH", period)
        records.append(
            {
                "kind": "growth",
                "indicator": code,
                "region": figures.region.code,
                "period": period,
                "previous_period": before,
                "previous_level": then,
                "level": now,
                "growth": rate,
                "published_indicator": "GRDP_GROWTH",
                "published_growth": published,
                "difference": rate - published if published is not None else None,
            }
        )
    return records


def contribution_records(figures: Figures, lang: str) -> list[dict[str, Any]]:
    """Contributions of the three sectors and product taxes, from published rates and shares.

    The weights are the previous period's published shares, which are at current
    prices: an approximation of the constant-price weights the statistics office
    uses, shown so the sum can be set against the published growth.
    """
    main = [s for s in SECTORS if s != "PRODUCT_TAX"]
    periods = set.intersection(*(set(figures.own(f"GRDP_GROWTH_{s}")) for s in main))
    records = []
    for period in sorted(periods, key=lambda code: parse_period(code).end):
        before = year_before(period)
        if before is None:
            continue
        rates = {s: figures.own(f"GRDP_GROWTH_{s}")[period].value for s in main}
        weights = {s: figures.own(f"GRDP_SHARE_{s}").get(before) for s in main}
        if any(w is None for w in weights.values()):
            continue
        shares = {s: w.value for s, w in weights.items() if w is not None}
        tax = figures.own("GRDP_GROWTH_PRODUCT_TAX").get(period)
        rest = 100 - sum(shares.values())
        if tax is not None and rest > 0:
            # Published shares leave product taxes out; they are what remains of 100%.
            rates["PRODUCT_TAX"], shares["PRODUCT_TAX"] = tax.value, rest
        elif abs(rest) > 0.5:
            continue
        result = contributions_from_rates(growth_by_sector=rates, weights=shares)
        published = figures.published("GRDP_GROWTH", period)
        common = {
            "kind": "contribution",
            "region": figures.region.code,
            "period": period,
            "weights_period": before,
            "weights_price_basis": "current",
            "total_growth": result.total_growth,
            "published_growth": published,
        }
        for sector, part in result.sectors.items():
            records.append(
                {
                    **common,
                    "sector": sector,
                    "sector_name": tr(lang, *SECTORS[sector]),
                    "indicator": f"GRDP_GROWTH_{sector}",
                    "weight": part.weight,
                    "growth": part.growth,
                    "points": part.points,
                    "share_of_growth": part.share_of_growth,
                    "published_growth": None,
                }
            )
        records.append(
            {
                **common,
                "sector": "TOTAL",
                "sector_name": tr(lang, "Tổng", "Total"),
                "indicator": "GRDP_GROWTH",
                "weight": 100.0,
                "growth": result.total_growth,
                "points": result.total_growth,
                "share_of_growth": 100.0,
            }
        )
    return records


def target_years(figures: Figures, published_code: str) -> list[int]:
    """Years to compute: those with a published figure to check, and those GRDP allows."""
    known = figures.known_periods("GRDP_CONSTANT")
    years = {year for year in years_of(known) if str(year - 1) in known}
    years |= years_of(set(figures.own(published_code)))
    if not years:
        if known:
            for year in years_of(known):
                figures.level("GRDP_CONSTANT", str(year - 1))
        else:
            figures.note("GRDP_CONSTANT", figures.region)
    return sorted(years)


def grdp_levels(figures: Figures, year: int) -> Series | None:
    values = {y: figures.level("GRDP_CONSTANT", str(y)) for y in (year - 1, year)}
    if any(v is None for v in values.values()):
        return None
    return Series({y: v for y, v in values.items() if v is not None}, PRICE_BASIS["GRDP_CONSTANT"])


def employment_levels(figures: Figures, year: int) -> dict[int, float] | None:
    values = {y: figures.employment(str(y)) for y in (year - 1, year)}
    if any(v is None for v in values.values()):
        return None
    return {y: v for y, v in values.items() if v is not None}


def tfp_inputs(figures: Figures, year: int) -> tuple[Series, Series, dict[int, float]] | None:
    grdp = grdp_levels(figures, year)
    labour = employment_levels(figures, year)
    # The capital stock needs every year's investment from the first one recorded.
    recorded = years_of(figures.known_periods("SOCIAL_INVESTMENT"))
    first = min([*recorded, year - 1])
    flows = {y: figures.level("SOCIAL_INVESTMENT", str(y)) for y in range(first, year + 1)}
    if grdp is None or labour is None or any(v is None for v in flows.values()):
        return None
    investment = Series(
        {y: v for y, v in flows.items() if v is not None}, PRICE_BASIS["SOCIAL_INVESTMENT"]
    )
    return grdp, investment, labour
