"""The report as a PDF: the HTML page printed by WeasyPrint (A4, page numbers, fonts embedded)."""

from __future__ import annotations

from chitieu.report.html import render_html
from chitieu.report.model import Report


def render_pdf(report: Report) -> bytes:
    """The PDF's bytes; the charts stay vectors (SVG images), the fonts are embedded subsets."""
    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # The page is self-contained: nothing may be fetched, from the network or from disk.
    offline = URLFetcher(allowed_protocols=("data",))
    pdf = weasyprint.HTML(
        string=render_html(report, charts_as_images=True), url_fetcher=offline
    ).write_pdf()
    assert pdf is not None
    return bytes(pdf)
