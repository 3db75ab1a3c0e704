"""The periodic report: the quantitative core of the province's report, from the database.

``build_report`` gives the report as plain data; ``write_report`` writes it as
self-contained HTML, a PDF (WeasyPrint) or an editable Word file (DOCX).

The names are loaded on first use: every ``chitieu`` command imports the
report's command, and the charts' and PDF's libraries take a while to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chitieu.report.model import FORMATS, LANGS, Report

if TYPE_CHECKING:
    from chitieu.report.service import build_report, write_report

__all__ = ["FORMATS", "LANGS", "Report", "build_report", "write_report"]


def __getattr__(name: str) -> Any:
    if name in ("build_report", "write_report"):
        from chitieu.report import service

        return getattr(service, name)
    raise AttributeError(f"module 'chitieu.report' has no attribute {name!r}")
