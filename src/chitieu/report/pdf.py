"""The report as a PDF: the HTML page printed by WeasyPrint (A4, page numbers, fonts embedded)."""

from __future__ import annotations

from typing import Any

from chitieu.report.html import drawn_chart, render_html
from chitieu.report.model import Report


def render_pdf(report: Report) -> bytes:
    """The PDF's bytes; the charts stay vectors (SVG images), the fonts are embedded subsets."""
    import weasyprint  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    # Each chart is an image WeasyPrint asks for when it reaches it: the page is read and
    # styled while the charts drawn ahead are still being drawn, and no drawing goes
    # through a data URL (a national plan's 1,2 MB of base64 in the page).
    charts: dict[str, dict[str, Any]] = {}

    def chart_url(spec: dict[str, Any]) -> str:
        url = f"chart:{len(charts) + 1}"
        charts[url] = spec
        return url

    class Offline(URLFetcher):  # type: ignore[misc]
        """Nothing may be fetched, from the network or from disk; only our charts and data."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            spec = charts.get(url)
            if spec is None:
                return super().fetch(url, headers)
            drawn = drawn_chart(spec, lang=report.lang).encode("utf-8")
            return URLFetcherResponse(url, drawn, headers={"Content-Type": "image/svg+xml"})

    page = render_html(report, chart_url=chart_url)
    pdf = weasyprint.HTML(string=page, url_fetcher=Offline(allowed_protocols=("data",))).write_pdf()
    assert pdf is not None
    return bytes(pdf)
