"""Section II: the results by area, each key figure as recorded with its status and source.

Two charts sit among them: growth by sector (with the plan's growth targets)
and the economic structure over time (with the plan's target structure).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import exists, select

from chitieu._labels import word
from chitieu._periods import PeriodKind, parse_period
from chitieu.assessment.series import yearly
from chitieu.chart.report import (
    SectorGrowth,
    SectorTarget,
    StructureColumn,
    growth_by_sector_chart,
    structure_chart,
)
from chitieu.indicator.models import Indicator
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.plan.models import Target
from chitieu.report.context import Context
from chitieu.report.figures import AREAS, Standing, area_of, area_order, standing_figures
from chitieu.report.model import FigureList, KeyFigure, Paragraph, Reference, Section
from chitieu.report.text import value_text

# Short names: they label a chart's axis.
GROWTH_BY_SECTOR: tuple[tuple[str, str, str], ...] = (
    ("GRDP_GROWTH", "GRDP", "GRDP"),
    ("GRDP_GROWTH_AGRICULTURE", "Nông, lâm, thủy sản", "Agriculture"),
    ("GRDP_GROWTH_INDUSTRY_CONSTRUCTION", "CN - xây dựng", "Industry, construction"),
    ("GRDP_GROWTH_SERVICES", "Dịch vụ", "Services"),
    ("GRDP_GROWTH_PRODUCT_TAX", "Thuế sản phẩm", "Product taxes"),
)
SHARES: tuple[tuple[str, str, str], ...] = (
    ("GRDP_SHARE_AGRICULTURE", "Nông, lâm nghiệp, thủy sản", "Agriculture"),
    ("GRDP_SHARE_INDUSTRY_CONSTRUCTION", "Công nghiệp - xây dựng", "Industry, construction"),
    ("GRDP_SHARE_SERVICES", "Dịch vụ", "Services"),
)
REST = ("Thuế sản phẩm trừ trợ cấp", "Product taxes less subsidies")
MAX_PERIODS = 4


def key_figure(ctx: Context, standing: Standing) -> KeyFigure:
    obs = standing.observation
    lang = ctx.lang
    others = tuple(
        Reference(value_text(other.value, other.unit, lang), ctx.annex.observation(other))
        for other in standing.others
    )
    return KeyFigure(
        label=obs.indicator.name(lang),
        period=standing.period.label(lang),
        value=value_text(obs.value, obs.unit, lang),
        status=word(obs.status, lang),
        ref=ctx.annex.observation(obs, choice=standing.choice),
        others=others,
        chosen=standing.choice is not None and standing.choice.observation_id == obs.id,
    )


def results_section(ctx: Context) -> Section:
    section = Section(ctx.t("II. KẾT QUẢ THỰC HIỆN THEO LĨNH VỰC", "II. RESULTS BY AREA"))
    section.add(
        Paragraph(
            ctx.t(
                "Mỗi chỉ tiêu ghi số của hai năm gần nhất trong kỳ báo cáo và số của phần năm "
                "sau đó (6 tháng, 9 tháng) nếu có, đúng như số đã ghi nhận, kèm loại số "
                "(thực hiện, ước tính, sơ bộ) và số thứ tự nguồn trong phụ lục.",
                "Each indicator shows its figures of the last two years of the reporting "
                "window and of the part of a year after them (a half, nine months) where one "
                "was published, exactly as recorded, with their status (actual, estimate, "
                "preliminary) and the number of their source in the annex.",
            )
        )
    )
    by_area: dict[str, list[tuple[Indicator, list[Standing]]]] = defaultdict(list)
    for indicator in _indicators(ctx):
        shown = standing_figures(
            ctx.session,
            indicator=indicator,
            region=ctx.region,
            as_of=ctx.as_of,
            first_year=ctx.first_year,
            last_year=ctx.last_year,
        )
        if shown:
            by_area[area_of(indicator)].append((indicator, shown))
    for number, (key, vi, en, _codes) in enumerate(AREAS, start=1):
        area = Section(f"{number}. {ctx.t(vi, en)}", level=2)
        found = by_area.get(key, [])
        if found:
            area.add(FigureList(tuple(key_figure(ctx, s) for _ind, shown in found for s in shown)))
        else:
            area.add(Paragraph(ctx.t("Chưa có số liệu trong kỳ báo cáo.", "No figures yet.")))
        if key == "growth":
            _growth_chart(ctx, area)
        elif key == "structure":
            _structure_chart(ctx, area)
        section.sections.append(area)
    return section


def _indicators(ctx: Context) -> list[Indicator]:
    """Indicators with a figure for the region, in the report's order."""
    # Asked per indicator, the database answers from the series index: the distinct codes
    # of the region's figures scanned all of them (1.6 s for a province of the national
    # dataset, 9 ms this way).
    found = ctx.session.scalars(
        select(Indicator).where(
            exists().where(
                Observation.indicator_code == Indicator.code,
                Observation.region_id == ctx.region.id,
            )
        )
    )
    return sorted(found, key=lambda indicator: (area_order(indicator), indicator.code))


def _plan_targets(ctx: Context, codes: set[str]) -> list[Target]:
    return [
        target
        for target in ctx.plan.targets
        if target.indicator_code in codes and target.region_id == ctx.region.id
    ]


def _growth_chart(ctx: Context, area: Section) -> None:
    names = {code: ctx.t(vi, en) for code, vi, en in GROWTH_BY_SECTOR}
    bars: list[tuple[date, int, SectorGrowth]] = []
    for code, name in names.items():
        indicator = get_indicator(ctx.session, code_or_name=code)
        for standing in standing_figures(
            ctx.session,
            indicator=indicator,
            region=ctx.region,
            as_of=ctx.as_of,
            first_year=ctx.first_year,
            last_year=ctx.last_year,
        ):
            period = standing.period
            bar = SectorGrowth(
                sector=name,
                period=period.label(ctx.lang),
                value=standing.observation.value,
                estimate=standing.observation.status != "actual",
            )
            bars.append((period.end, -period.months, bar))
    if not bars:
        return
    ordered = sorted(bars, key=lambda item: (item[0], item[1]))
    periods = list(dict.fromkeys(bar.period for _end, _months, bar in ordered))[-MAX_PERIODS:]
    latest_end, _months, latest = ordered[-1]
    targets = [
        SectorTarget(names[t.indicator_code], latest.period, t.minimum, t.maximum)
        for t in _plan_targets(ctx, set(names))
        if t.measure in ("level", "average_growth") and _covers(t, latest_end)
    ]
    spec = growth_by_sector_chart(
        bars=[bar for _end, _months, bar in ordered if bar.period in periods],
        targets=targets,
        sectors=list(names.values()),
        periods=periods,
        lang=ctx.lang,
    )
    area.add(ctx.chart(ctx.t("Tốc độ tăng trưởng theo khu vực", "Growth by sector"), spec))


def _covers(target: Target, day: date) -> bool:
    """Whether the target's period holds the day: the end of the chart's latest period."""
    period = parse_period(target.period)
    return period.start <= day <= period.end


def _structure_chart(ctx: Context, area: Section) -> None:
    names = {code: ctx.t(vi, en) for code, vi, en in SHARES}
    rest = ctx.t(*REST)
    by_year: dict[int, dict[str, float]] = defaultdict(dict)
    estimates: set[int] = set()
    for code, name in names.items():
        indicator = get_indicator(ctx.session, code_or_name=code)
        points = yearly(ctx.session, indicator=indicator, region=ctx.region, as_of=ctx.as_of)
        for year, point in points.items():
            if year <= ctx.last_year:
                by_year[year][name] = point.value
                if point.status != "actual":
                    estimates.add(year)
    columns = [
        StructureColumn(_year_label(ctx, year, year in estimates), _complete(shares, rest))
        for year, shares in sorted(by_year.items())
        if len(shares) == len(names)
    ]
    planned: dict[int, dict[str, float]] = defaultdict(dict)
    for target in _plan_targets(ctx, set(names)):
        period = parse_period(target.period)
        if target.measure == "level" and period.kind is PeriodKind.YEAR and target.minimum:
            planned[period.year][names[target.indicator_code]] = target.minimum
    columns += [
        StructureColumn(ctx.t(f"Mục tiêu {year}", f"Target {year}"), _complete(shares, rest), True)
        for year, shares in sorted(planned.items())
        if len(shares) == len(names)
    ]
    if not columns:
        return
    spec = structure_chart(columns=columns, sectors=[*names.values(), rest], lang=ctx.lang)
    area.add(ctx.chart(ctx.t("Cơ cấu kinh tế qua các năm", "Economic structure over time"), spec))


def _year_label(ctx: Context, year: int, estimate: bool) -> str:
    return f"{year} ({ctx.t('ước', 'est.')})" if estimate else str(year)


def _complete(shares: dict[str, float], rest: str) -> dict[str, float]:
    """The three sectors and, when they leave more than half a point, product taxes."""
    remainder = 100 - sum(shares.values())
    return {**shares, rest: remainder} if remainder > 0.5 else dict(shares)
