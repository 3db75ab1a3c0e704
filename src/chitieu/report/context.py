"""What every part of the report builder shares: the session, the plan, the window, the annex."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from chitieu.plan.dashboard import Overview
from chitieu.plan.models import Plan
from chitieu.region.models import Region
from chitieu.report.model import Chart
from chitieu.report.sources import Annex


@dataclass
class Context:
    session: Session
    plan: Plan
    region: Region
    as_of: date
    lang: str
    overview: Overview
    annex: Annex
    first_year: int
    """The report's window: from the year before the plan starts…"""
    last_year: int
    """…to the plan's last year or the year of ``as_of``, whichever comes first."""
    draw_ahead: bool = False
    """Whether each chart starts being drawn (as SVG) as soon as it is made."""
    _charts: int = field(default=0, init=False)

    def t(self, vi: str, en: str) -> str:
        return vi if self.lang == "vi" else en

    def chart(self, caption: str, spec: dict[str, Any], *, half: bool = False) -> Chart:
        """The next numbered chart."""
        self._charts += 1
        if self.draw_ahead:
            # Here, not at the top: vl-convert loads only when a chart is drawn.
            from chitieu.chart._render import draw_ahead

            draw_ahead(spec, lang=self.lang)
        return Chart(self._charts, caption, spec, half)
