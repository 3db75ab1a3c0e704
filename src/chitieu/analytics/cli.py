"""``chitieu analyze``: growth, TFP, ICOR and productivity recomputed from recorded figures.

The commands read the figures, hand plain series to :mod:`chitieu.analytics.growth`
and set the result beside what the province published. When a figure is
missing they say which indicator, which region and which years, in one line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu._output import OutputFormat, emit
from chitieu._periods import PeriodKind, parse_period
from chitieu.analytics.growth import (
    DEFAULT_CAPITAL_SHARE,
    DEFAULT_DEPRECIATION,
    MissingDataError,
    PriceBasis,
    Series,
    capital_stock,
    combine,
    contributions_from_rates,
    growth_accounting,
    growth_rate,
    icor,
    productivity_growth,
)
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.observation.service import list_observations, preferred
from chitieu.region.models import Region
from chitieu.region.service import get_region, territory

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

RegionOption = Annotated[str, typer.Option("--region", help="Mã hoặc tên địa bàn.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format")]


def register(app: typer.Typer) -> None:
    analyze = typer.Typer(
        help="Phân tích tăng trưởng: tính lại từ số liệu đã ghi nhận (growth analytics).",
        no_args_is_help=True,
    )
    analyze.command("growth")(growth)
    analyze.command("tfp")(tfp)
    analyze.command("icor")(icor_command)
    analyze.command("productivity")(productivity)
    app.add_typer(analyze, name="analyze")


class _Figures:
    """The figures of one region's territory, and a note of every one found missing."""

    def __init__(self, session: Session, region: Region) -> None:
        self.session = session
        self.region = region
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
        return {obs.period for obs in rows}

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
            + f" {_periods_text(periods, lang)}"
            for (code, region), periods in sorted(self.missing.items())
        ]
        return tr(lang, "thiếu ", "missing ") + "; ".join(shown)

    def warn(self) -> None:
        """Results were found but some periods could not be computed: say so on stderr."""
        if self.missing:
            Console(stderr=True).print(
                f"Chú ý: {self.gaps()}", highlight=False, soft_wrap=True, markup=False
            )


def _periods_text(periods: set[str], lang: str = "vi") -> str:
    if not periods:
        return tr(lang, "(chưa có số liệu nào)", "(no figure yet)")
    ordered = sorted(periods, key=lambda code: (parse_period(code).end, code))
    if all(parse_period(code).kind is PeriodKind.YEAR for code in ordered):
        return tr(lang, "năm ", "") + ", ".join(ordered)
    return ", ".join(parse_period(code).label(lang) for code in ordered)


def _year_before(code: str) -> str | None:
    """The same period a year earlier: 2024-H1 for 2025-H1, 2016 for 2017."""
    period = parse_period(code)
    if period.kind in (PeriodKind.MULTI_YEAR, PeriodKind.POINT):
        return None
    year = str(period.start.year)
    return str(period.start.year - 1) + code[len(year) :]


def _years(periods: set[str]) -> set[int]:
    return {int(code) for code in periods if parse_period(code).kind is PeriodKind.YEAR}


# chitieu analyze growth


def growth(
    ctx: typer.Context,
    region: RegionOption = "bac_giang",
    output: FormatOption = OutputFormat.table,
) -> None:
    """Tốc độ tăng tính lại từ mức theo giá so sánh, so với số công bố; đóng góp các khu vực."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        figures = _Figures(session, get_region(session, code_or_name=region))
        rates = [record for code in LEVELS for record in _growth_records(figures, code)]
        if not rates:
            raise figures.problem("tốc độ tăng trưởng")
        shares = _contribution_records(figures, lang)
    figures.warn()
    _emit_sections(
        [
            (
                tr(lang, "Tăng trưởng tính lại từ mức giá so sánh", "Growth from constant prices"),
                rates,
                [
                    ("indicator", tr(lang, "Chỉ tiêu", "Indicator"), None),
                    ("period", tr(lang, "Kỳ", "Period"), None),
                    ("previous_level", tr(lang, "Kỳ trước", "Previous"), _money(lang)),
                    ("level", tr(lang, "Kỳ này", "Level"), _money(lang)),
                    ("growth", tr(lang, "Tăng (%)", "Growth (%)"), _number(lang)),
                    ("published_growth", tr(lang, "Công bố (%)", "Published (%)"), _number(lang)),
                    ("difference", tr(lang, "Chênh (điểm)", "Gap (points)"), _number(lang)),
                ],
            ),
            (
                tr(
                    lang,
                    "Đóng góp vào tăng trưởng (tỷ trọng giá hiện hành kỳ trước)",
                    "Contributions to growth (previous period's current-price shares)",
                ),
                shares,
                [
                    ("period", tr(lang, "Kỳ", "Period"), None),
                    ("sector_name", tr(lang, "Khu vực", "Sector"), None),
                    ("weight", tr(lang, "Tỷ trọng (%)", "Weight (%)"), _number(lang)),
                    ("growth", tr(lang, "Tăng (%)", "Growth (%)"), _number(lang)),
                    ("points", tr(lang, "Đóng góp (điểm %)", "Points"), _number(lang)),
                    ("share_of_growth", tr(lang, "% tăng trưởng", "% of growth"), _number(lang)),
                    ("published_growth", tr(lang, "Công bố (%)", "Published (%)"), _number(lang)),
                ],
            ),
        ],
        output=output,
    )


def _growth_records(figures: _Figures, code: str) -> list[dict[str, Any]]:
    known = figures.known_periods(code)
    pairs = sorted(
        ((period, before) for period in known if (before := _year_before(period)) in known),
        key=lambda pair: parse_period(pair[0]).end,
    )
    if not known:
        figures.note(code, figures.region)
    elif not pairs:
        # Nothing to compare with: name the year-earlier figure each one lacks.
        for period in known:
            before = _year_before(period)
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


def _contribution_records(figures: _Figures, lang: str) -> list[dict[str, Any]]:
    """Contributions of the three sectors and product taxes, from published rates and shares.

    The weights are the previous period's published shares, which are at current
    prices: an approximation of the constant-price weights the statistics office
    uses, shown so the sum can be set against the published growth.
    """
    main = [s for s in SECTORS if s != "PRODUCT_TAX"]
    periods = set.intersection(*(set(figures.own(f"GRDP_GROWTH_{s}")) for s in main))
    records = []
    for period in sorted(periods, key=lambda code: parse_period(code).end):
        before = _year_before(period)
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


# chitieu analyze tfp


def tfp(
    ctx: typer.Context,
    region: RegionOption = "bac_giang",
    alpha: Annotated[
        float, typer.Option(help="Tỷ phần vốn α (GSO lấy từ bảng I-O; nghiên cứu tỉnh 0,35-0,5).")
    ] = DEFAULT_CAPITAL_SHARE,
    delta: Annotated[float, typer.Option(help="Tỷ lệ khấu hao vốn δ.")] = DEFAULT_DEPRECIATION,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Đóng góp của TFP vào tăng trưởng: G_A = G_Y − α·G_K − (1−α)·G_L."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        figures = _Figures(session, get_region(session, code_or_name=region))
        records = []
        for year in _target_years(figures, "TFP_CONTRIBUTION"):
            inputs = _tfp_inputs(figures, year)
            if inputs is None:
                continue
            grdp, investment, labour = inputs
            capital = capital_stock(investment=investment, delta=delta)
            result = growth_accounting(
                output=grdp, capital=capital, labour=labour, year=year, alpha=alpha
            )
            records.append(
                {
                    "region": figures.region.code,
                    "period": str(year),
                    "alpha": alpha,
                    "delta": delta,
                    "output_growth": result.output_growth,
                    "capital_growth": result.capital_growth,
                    "labour_growth": result.labour_growth,
                    "capital_points": result.capital_points,
                    "labour_points": result.labour_points,
                    "tfp_growth": result.tfp_growth,
                    "tfp_share": result.tfp_share,
                    "published_tfp_share": figures.published("TFP_CONTRIBUTION", str(year)),
                }
            )
        if not records:
            raise figures.problem("đóng góp của TFP", investment=True)
    figures.warn()
    _emit_sections(
        [
            (
                tr(lang, "Hạch toán tăng trưởng", "Growth accounting"),
                records,
                [
                    ("period", tr(lang, "Năm", "Year"), None),
                    ("output_growth", "G_Y (%)", _number(lang)),
                    ("capital_points", "α·G_K", _number(lang)),
                    ("labour_points", "(1−α)·G_L", _number(lang)),
                    ("tfp_growth", "G_A", _number(lang)),
                    (
                        "tfp_share",
                        tr(lang, "TFP (% tăng trưởng)", "TFP (% of growth)"),
                        _number(lang),
                    ),
                    (
                        "published_tfp_share",
                        tr(lang, "Công bố (%)", "Published (%)"),
                        _number(lang),
                    ),
                ],
            )
        ],
        output=output,
    )


def _target_years(figures: _Figures, published_code: str) -> list[int]:
    """Years to compute: those with a published figure to check, and those GRDP allows."""
    known = figures.known_periods("GRDP_CONSTANT")
    years = {year for year in _years(known) if str(year - 1) in known}
    years |= _years(set(figures.own(published_code)))
    if not years:
        if known:
            for year in _years(known):
                figures.level("GRDP_CONSTANT", str(year - 1))
        else:
            figures.note("GRDP_CONSTANT", figures.region)
    return sorted(years)


def _grdp(figures: _Figures, year: int) -> Series | None:
    values = {y: figures.level("GRDP_CONSTANT", str(y)) for y in (year - 1, year)}
    if any(v is None for v in values.values()):
        return None
    return Series({y: v for y, v in values.items() if v is not None}, PRICE_BASIS["GRDP_CONSTANT"])


def _employment(figures: _Figures, year: int) -> dict[int, float] | None:
    values = {y: figures.employment(str(y)) for y in (year - 1, year)}
    if any(v is None for v in values.values()):
        return None
    return {y: v for y, v in values.items() if v is not None}


def _tfp_inputs(figures: _Figures, year: int) -> tuple[Series, Series, dict[int, float]] | None:
    grdp = _grdp(figures, year)
    labour = _employment(figures, year)
    # The capital stock needs every year's investment from the first one recorded.
    recorded = _years(figures.known_periods("SOCIAL_INVESTMENT"))
    first = min([*recorded, year - 1])
    flows = {y: figures.level("SOCIAL_INVESTMENT", str(y)) for y in range(first, year + 1)}
    if grdp is None or labour is None or any(v is None for v in flows.values()):
        return None
    investment = Series(
        {y: v for y, v in flows.items() if v is not None}, PRICE_BASIS["SOCIAL_INVESTMENT"]
    )
    return grdp, investment, labour


# chitieu analyze icor


def icor_command(
    ctx: typer.Context,
    region: RegionOption = "bac_giang",
    output: FormatOption = OutputFormat.table,
) -> None:
    """Hệ số ICOR theo giá so sánh: vốn đầu tư / GRDP tăng thêm, và tỷ lệ vốn / tốc độ tăng."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        figures = _Figures(session, get_region(session, code_or_name=region))
        years = set(_target_years(figures, "ICOR"))
        years |= _years(set(figures.own("SOCIAL_INVESTMENT")))
        records = []
        for year in sorted(years):
            grdp = _grdp(figures, year)
            spent = figures.level("SOCIAL_INVESTMENT", str(year))
            if grdp is None or spent is None:
                continue
            investment = Series({year: spent}, PRICE_BASIS["SOCIAL_INVESTMENT"])
            result = icor(investment=investment, output=grdp, year=year)
            records.append(
                {
                    "region": figures.region.code,
                    "period": str(year),
                    "investment": result.investment,
                    "output_increase": result.output_increase,
                    "investment_share": result.investment_share,
                    "output_growth": result.output_growth,
                    "icor_by_increment": result.by_increment,
                    "icor_by_share": result.by_share,
                    "published_icor": figures.published("ICOR", str(year)),
                }
            )
        if not records:
            raise figures.problem("ICOR", investment=True)
    figures.warn()
    _emit_sections(
        [
            (
                "ICOR",
                records,
                [
                    ("period", tr(lang, "Năm", "Year"), None),
                    ("investment", tr(lang, "Vốn đầu tư", "Investment"), _money(lang)),
                    ("output_increase", tr(lang, "GRDP tăng thêm", "GRDP increase"), _money(lang)),
                    (
                        "icor_by_increment",
                        tr(lang, "ICOR (vốn/ΔGRDP)", "ICOR (I/ΔY)"),
                        _number(lang),
                    ),
                    (
                        "icor_by_share",
                        tr(lang, "ICOR (tỷ lệ vốn/tăng)", "ICOR (I/Y ÷ g)"),
                        _number(lang),
                    ),
                    ("published_icor", tr(lang, "Công bố", "Published"), _number(lang)),
                ],
            )
        ],
        output=output,
    )


# chitieu analyze productivity


def productivity(
    ctx: typer.Context,
    region: RegionOption = "bac_giang",
    output: FormatOption = OutputFormat.table,
) -> None:
    """Tốc độ tăng năng suất lao động theo giá so sánh, so với số công bố."""
    context = app_context(ctx)
    lang = context.lang
    with transaction(context.engine(), writes=False) as session:
        figures = _Figures(session, get_region(session, code_or_name=region))
        records = []
        for year in _target_years(figures, "LABOUR_PRODUCTIVITY_GROWTH"):
            grdp = _grdp(figures, year)
            labour = _employment(figures, year)
            if grdp is None or labour is None:
                continue
            rate = productivity_growth(output_constant=grdp, employment=labour, year=year)
            published = figures.published("LABOUR_PRODUCTIVITY_GROWTH", str(year))
            records.append(
                {
                    "region": figures.region.code,
                    "period": str(year),
                    "employment": labour[year],
                    "employment_growth": growth_rate(
                        previous=labour[year - 1], current=labour[year]
                    ),
                    "productivity": figures.published("LABOUR_PRODUCTIVITY", str(year)),
                    "productivity_growth": rate,
                    "published_growth": published,
                    "difference": rate - published if published is not None else None,
                }
            )
        if not records:
            raise figures.problem("tốc độ tăng năng suất lao động")
    figures.warn()
    _emit_sections(
        [
            (
                tr(lang, "Năng suất lao động", "Labour productivity"),
                records,
                [
                    ("period", tr(lang, "Năm", "Year"), None),
                    ("employment", tr(lang, "Lao động", "Employed"), _number(lang)),
                    ("productivity_growth", tr(lang, "Tăng (%)", "Growth (%)"), _number(lang)),
                    ("published_growth", tr(lang, "Công bố (%)", "Published (%)"), _number(lang)),
                    ("difference", tr(lang, "Chênh (điểm)", "Gap (points)"), _number(lang)),
                ],
            )
        ],
        output=output,
    )


# Output

Column = tuple[str, str, Callable[[Any], str] | None]


def _number(lang: str) -> Callable[[Any], str]:
    return lambda value: _format.number(value, lang, digits=2)


def _money(lang: str) -> Callable[[Any], str]:
    return lambda value: _format.value_with_unit(value, "VND", lang)


def _emit_sections(
    sections: Sequence[tuple[str, list[dict[str, Any]], list[Column]]], *, output: OutputFormat
) -> None:
    """One table per section for people; one list of records for programs."""
    if output is not OutputFormat.table:
        records = [record for _, rows, _ in sections for record in rows]
        if output is OutputFormat.csv:
            # One header for every kind of record: a column missing from a record stays empty.
            keys = list(dict.fromkeys(key for record in records for key in record))
            records = [{key: record.get(key) for key in keys} for record in records]
        emit(records, output=output, columns=[])
        return
    for title, rows, columns in sections:
        if not rows:
            continue
        shown = [
            {
                key: (show(row[key]) if show and row.get(key) is not None else row.get(key))
                for key, _, show in columns
            }
            for row in rows
        ]
        emit(shown, output=output, columns=[(k, h) for k, h, _ in columns], title=title)
