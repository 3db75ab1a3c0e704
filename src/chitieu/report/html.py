"""The report as one self-contained HTML page: CSS inline, charts inline as SVG, no network."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from chitieu.chart._render import to_svg
from chitieu.report.model import Report

TEMPLATES = Path(__file__).with_name("templates")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render_html(report: Report, *, chart_url: Callable[[dict[str, Any]], str] | None = None) -> str:
    """The page; every text from the database is escaped, only our own CSS and SVG are not.

    With ``chart_url`` each chart is an ``<img>`` of the URL it gives for the chart's
    spec instead of SVG markup in the page (the PDF's way): the same vector drawing,
    which WeasyPrint lays out without passing each of its elements through the page's
    style sheet (a national plan's 44 charts took a third of the layout), and the page
    is written without waiting for any drawing.
    """

    def svg(spec: dict[str, Any]) -> Markup:
        if chart_url is not None:
            return Markup(f'<img alt="" src="{escape(chart_url(spec))}">')
        # vl-convert's SVG of our own spec: the one piece of markup taken as it is.
        return Markup(drawn_chart(spec, lang=report.lang))

    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html")
    return template.render(report=report, words=report.words, css=Markup(css), svg=svg)


def drawn_chart(spec: dict[str, Any], *, lang: str) -> str:
    """The chart's SVG as the page holds it."""
    return _strip_prolog(to_svg(spec, lang=lang))


def _strip_prolog(svg: str) -> str:
    """An inline <svg> must not carry an XML declaration."""
    return svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg
