"""Section IV: the quality of growth — sector contributions, TFP, ICOR, productivity.

The computations are ``chitieu analyze``'s (``analytics.growth`` on the
series ``analytics.figures`` reads), limited to the figures known by the report's
date. Where a figure they need is missing the report says so in one sentence,
naming what is missing, instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable

from chitieu import _format
from chitieu._errors import ChitieuError
from chitieu._periods import parse_period
from chitieu.analytics import figures as analyze
from chitieu.analytics.growth import (
    Series,
    capital_stock,
    growth_accounting,
    icor,
    productivity_growth,
)
from chitieu.chart.report import SectorContribution, contributions_chart
from chitieu.indicator.service import get_indicator
from chitieu.observation.models import Observation
from chitieu.report.context import Context
from chitieu.report.figures import standing_figures
from chitieu.report.model import Cell, FigureList, Paragraph, Section, Table
from chitieu.report.results import key_figure

PUBLISHED = ("TFP_CONTRIBUTION", "ICOR", "LABOUR_PRODUCTIVITY", "LABOUR_PRODUCTIVITY_GROWTH")


def analytics_section(ctx: Context) -> Section:
    section = Section(ctx.t("IV. CHẤT LƯỢNG TĂNG TRƯỞNG", "IV. THE QUALITY OF GROWTH"))
    published = [
        key_figure(ctx, standing)
        for code in PUBLISHED
        for standing in standing_figures(
            ctx.session,
            indicator=get_indicator(ctx.session, code_or_name=code),
            region=ctx.region,
            as_of=ctx.as_of,
            first_year=ctx.first_year,
            last_year=ctx.last_year,
        )
    ]
    if published:
        section.add(Paragraph(ctx.t("Số liệu công bố:", "Published figures:")))
        section.add(FigureList(tuple(published)))
    section.add(
        Paragraph(
            ctx.t(
                "Tính lại từ số liệu đã ghi nhận (như lệnh chitieu analyze):",
                "Recomputed from the recorded figures (as chitieu analyze does):",
            )
        )
    )
    _contributions(ctx, section)
    computations: tuple[tuple[Callable[[Context, Section], None], str, str], ...] = (
        (_tfp, "Đóng góp của TFP", "The TFP contribution"),
        (_icor, "Hệ số ICOR", "The ICOR"),
        (_productivity, "Tốc độ tăng năng suất lao động", "Labour productivity growth"),
    )
    for compute, vi, en in computations:
        try:
            compute(ctx, section)
        except ChitieuError as exc:
            # One sentence naming what is missing, in place of the table.
            section.add(
                Paragraph(
                    ctx.t(
                        f"{vi}: chưa tính được — {exc}.",
                        f"{en} cannot be computed from the recorded figures "
                        f"({exc.text(ctx.lang)}).",
                    )
                )
            )
    return section


def _number(ctx: Context, value: float | None, digits: int = 2) -> Cell:
    return Cell("—" if value is None else _format.number(value, ctx.lang, digits), numeric=True)


def _refs(ctx: Context, observations: list[Observation | None]) -> str:
    numbers = sorted({ctx.annex.observation(obs) for obs in observations if obs is not None})
    return ", ".join(f"[{n}]" for n in numbers)


def _contributions(ctx: Context, section: Section) -> None:
    figures = analyze.Figures(ctx.session, ctx.region, ctx.as_of)
    records = analyze.contribution_records(figures, ctx.lang)
    if not records:
        section.add(
            Paragraph(
                ctx.t(
                    "Đóng góp của các khu vực: chưa tính được — cần tốc độ tăng của từng khu vực "
                    "và tỷ trọng của năm trước trong cùng kỳ.",
                    "Sector contributions cannot be computed: they need each sector's growth "
                    "and the previous year's shares for the same period.",
                )
            )
        )
        return
    rows, parts, inputs = [], [], []
    published: dict[str, float] = {}
    periods: list[str] = []
    for record in records:
        label = parse_period(record["period"]).label(ctx.lang)
        if label not in periods:
            periods.append(label)
        sector = record["sector"]
        if sector == "TOTAL":
            if record["published_growth"] is not None:
                published[label] = record["published_growth"]
        else:
            parts.append(SectorContribution(label, record["sector_name"], record["points"]))
            inputs.append(figures.own(record["indicator"]).get(record["period"]))
            if sector != "PRODUCT_TAX":
                # Product taxes weigh what the published shares leave of 100%.
                inputs.append(figures.own(f"GRDP_SHARE_{sector}").get(record["weights_period"]))
        rows.append(
            (
                Cell(label),
                Cell(record["sector_name"]),
                _number(ctx, record["weight"]),
                _number(ctx, record["growth"]),
                _number(ctx, record["points"]),
                _number(ctx, record["share_of_growth"], 1),
            )
        )
    sectors = list(dict.fromkeys(part.sector for part in parts))
    spec = contributions_chart(
        parts=parts, published=published, sectors=sectors, periods=periods, lang=ctx.lang
    )
    section.add(ctx.chart(ctx.t("Đóng góp vào tăng trưởng", "Contributions to growth"), spec))
    headers = (
        ctx.t("Kỳ", "Period"),
        ctx.t("Khu vực", "Sector"),
        ctx.t("Tỷ trọng kỳ trước (%)", "Previous share (%)"),
        ctx.t("Tăng (%)", "Growth (%)"),
        ctx.t("Đóng góp (điểm %)", "Points"),
        ctx.t("% tăng trưởng", "% of growth"),
    )
    caption = ctx.t("Đóng góp của các khu vực vào tăng trưởng", "Sector contributions to growth")
    section.add(Table(caption, headers, tuple(rows), widths=(16, 30, 15, 13, 13, 13)))
    section.add(
        Paragraph(ctx.t("Tính từ các số liệu", "Computed from figures") + f" {_refs(ctx, inputs)}.")
    )


def _tfp(ctx: Context, section: Section) -> None:
    figures = analyze.Figures(ctx.session, ctx.region, ctx.as_of)
    rows = []
    for year in analyze.target_years(figures, "TFP_CONTRIBUTION"):
        inputs = analyze.tfp_inputs(figures, year)
        if inputs is None:
            continue
        grdp, investment, labour = inputs
        result = growth_accounting(
            output=grdp, capital=capital_stock(investment=investment), labour=labour, year=year
        )
        rows.append(
            (
                Cell(str(year)),
                _number(ctx, result.output_growth),
                _number(ctx, result.capital_points),
                _number(ctx, result.labour_points),
                _number(ctx, result.tfp_growth),
                _number(ctx, result.tfp_share, 1),
                _number(ctx, figures.published("TFP_CONTRIBUTION", str(year)), 1),
            )
        )
    if not rows:
        raise figures.problem("đóng góp của TFP", investment=True)
    headers = (
        ctx.t("Năm", "Year"),
        "G_Y (%)",
        "α·G_K",
        "(1−α)·G_L",
        "G_A",
        ctx.t("TFP (% tăng trưởng)", "TFP (% of growth)"),
        ctx.t("Công bố (%)", "Published (%)"),
    )
    section.add(Table(ctx.t("Hạch toán tăng trưởng", "Growth accounting"), headers, tuple(rows)))


def _icor(ctx: Context, section: Section) -> None:
    figures = analyze.Figures(ctx.session, ctx.region, ctx.as_of)
    years = set(analyze.target_years(figures, "ICOR"))
    years |= analyze.years_of(set(figures.own("SOCIAL_INVESTMENT")))
    rows = []
    for year in sorted(years):
        grdp = analyze.grdp_levels(figures, year)
        spent = figures.level("SOCIAL_INVESTMENT", str(year))
        if grdp is None or spent is None:
            continue
        basis = analyze.PRICE_BASIS["SOCIAL_INVESTMENT"]
        result = icor(investment=Series({year: spent}, basis), output=grdp, year=year)
        rows.append(
            (
                Cell(str(year)),
                _number(ctx, result.by_increment),
                _number(ctx, result.by_share),
                _number(ctx, figures.published("ICOR", str(year))),
            )
        )
    if not rows:
        raise figures.problem("ICOR", investment=True)
    headers = (
        ctx.t("Năm", "Year"),
        ctx.t("ICOR (vốn/ΔGRDP)", "ICOR (I/ΔY)"),
        ctx.t("ICOR (tỷ lệ vốn/tăng)", "ICOR (I/Y ÷ g)"),
        ctx.t("Công bố", "Published"),
    )
    section.add(Table("ICOR", headers, tuple(rows)))


def _productivity(ctx: Context, section: Section) -> None:
    figures = analyze.Figures(ctx.session, ctx.region, ctx.as_of)
    rows = []
    for year in analyze.target_years(figures, "LABOUR_PRODUCTIVITY_GROWTH"):
        grdp = analyze.grdp_levels(figures, year)
        labour = analyze.employment_levels(figures, year)
        if grdp is None or labour is None:
            continue
        rate = productivity_growth(output_constant=grdp, employment=labour, year=year)
        rows.append(
            (
                Cell(str(year)),
                _number(ctx, labour[year], 0),
                _number(ctx, rate),
                _number(ctx, figures.published("LABOUR_PRODUCTIVITY_GROWTH", str(year))),
            )
        )
    if not rows:
        raise figures.problem("tốc độ tăng năng suất lao động")
    headers = (
        ctx.t("Năm", "Year"),
        ctx.t("Lao động", "Employed"),
        ctx.t("Tăng năng suất (%)", "Growth (%)"),
        ctx.t("Công bố (%)", "Published (%)"),
    )
    section.add(Table(ctx.t("Năng suất lao động", "Labour productivity"), headers, tuple(rows)))
