"""``chitieu analyze``: growth, TFP, ICOR and productivity recomputed from recorded figures.

The commands read the figures, hand plain series to :mod:`chitieu.analytics.growth`
and set the result beside what the province published. When a figure is
missing they say which indicator, which region and which years, in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from chitieu import _format
from chitieu._context import app_context
from chitieu._database import transaction
from chitieu._labels import tr
from chitieu._output import OutputFormat, emit
from chitieu.analytics.figures import (
    LEVELS,
    PRICE_BASIS,
    Figures,
    contribution_records,
    employment_levels,
    grdp_levels,
    growth_records,
    target_years,
    tfp_inputs,
    years_of,
)
from chitieu.analytics.growth import (
    DEFAULT_CAPITAL_SHARE,
    DEFAULT_DEPRECIATION,
    Series,
    capital_stock,
    growth_accounting,
    growth_rate,
    icor,
    productivity_growth,
)
from chitieu.region.service import get_region

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
        figures = Figures(session, get_region(session, code_or_name=region))
        rates = [record for code in LEVELS for record in growth_records(figures, code)]
        if not rates:
            raise figures.problem("tốc độ tăng trưởng")
        shares = contribution_records(figures, lang)
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
        figures = Figures(session, get_region(session, code_or_name=region))
        records = []
        for year in target_years(figures, "TFP_CONTRIBUTION"):
            inputs = tfp_inputs(figures, year)
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
        figures = Figures(session, get_region(session, code_or_name=region))
        years = set(target_years(figures, "ICOR"))
        years |= years_of(set(figures.own("SOCIAL_INVESTMENT")))
        records = []
        for year in sorted(years):
            grdp = grdp_levels(figures, year)
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
        figures = Figures(session, get_region(session, code_or_name=region))
        records = []
        for year in target_years(figures, "LABOUR_PRODUCTIVITY_GROWTH"):
            grdp = grdp_levels(figures, year)
            labour = employment_levels(figures, year)
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
