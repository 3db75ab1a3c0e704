"""The report as one self-contained HTML page: CSS inline, charts inline as SVG, no network."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

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


def render_html(report: Report, *, charts_as_images: bool = False) -> str:
    """The page; every text from the database is escaped, only our own CSS and SVG are not.

    With ``charts_as_images`` each chart's SVG is an ``<img>`` of a data URL instead of
    markup in the page: the same vector drawing, which WeasyPrint lays out without
    passing each of its elements through the page's style sheet (a national plan's
    44 charts took a third of the layout).
    """

    def svg(spec: dict[str, Any]) -> Markup:
        # vl-convert's SVG of our own spec: the one piece of markup taken as it is.
        drawn = _strip_prolog(to_svg(spec, lang=report.lang))
        if charts_as_images:
            encoded = base64.b64encode(drawn.encode("utf-8")).decode("ascii")
            return Markup(f'<img alt="" src="data:image/svg+xml;base64,{encoded}">')
        return Markup(drawn)

    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    template = _environment().get_template("report.html")
    return template.render(report=report, words=report.words, css=Markup(css), svg=svg)


def _strip_prolog(svg: str) -> str:
    """An inline <svg> must not carry an XML declaration."""
    return svg.split("?>", 1)[1].lstrip() if svg.startswith("<?xml") else svg
