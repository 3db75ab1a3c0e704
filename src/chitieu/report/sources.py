"""The annex: every figure the report shows, numbered, with the source it came from.

A figure gets its number the first time the report cites it and keeps it:
the same observation cited in two sections is one line of the annex.
"""

from __future__ import annotations

from datetime import date

from chitieu import _format
from chitieu._labels import tr, word
from chitieu._periods import parse_period
from chitieu.extraction.models import ConflictChoice, ExtractedFigure
from chitieu.indicator.page import quote
from chitieu.observation.models import Observation
from chitieu.report.model import Quote, SourceEntry
from chitieu.report.text import region_name, value_text


class Annex:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entries: list[SourceEntry] = []
        self._observations: dict[int, int] = {}
        self._figures: dict[int, int] = {}

    def observation(self, obs: Observation, *, choice: ConflictChoice | None = None) -> int:
        """The annex number of a recorded figure, adding its line on first use."""
        found = self._observations.get(obs.id)
        if found is not None:
            return found
        number = len(self.entries) + 1
        lang = self.lang
        notes = [tr(lang, obs.note, obs.note_en or obs.note)] if obs.note else []
        if choice is not None and choice.observation_id == obs.id:
            notes.append(
                tr(lang, "được chọn bởi", "chosen by")
                + f" {choice.chosen_by} ({_format.day(choice.chosen_at.date())}): {choice.reason}"
            )
        self.entries.append(
            SourceEntry(
                number=number,
                indicator=obs.indicator.name(lang),
                region=region_name(obs.region, lang),
                period=parse_period(obs.period).label(lang),
                value=value_text(obs.value, obs.unit, lang),
                status=word(obs.status, lang),
                origin=self._origin(obs),
                quote=_quote(obs.source_document.text if obs.source_document else None, obs),
                note="; ".join(notes) or None,
            )
        )
        self._observations[obs.id] = number
        return number

    def figure(self, figure: ExtractedFigure) -> int:
        """The annex number of a figure read from a document and not yet reviewed."""
        found = self._figures.get(figure.id)
        if found is not None:
            return found
        number = len(self.entries) + 1
        lang = self.lang
        document = figure.source_document
        excerpt = None
        if document.text is not None:
            found_quote = quote(document.text, figure.span_start, figure.span_end)
            excerpt = Quote(found_quote.before, found_quote.figure, found_quote.after)
        indicator = figure.indicator
        self.entries.append(
            SourceEntry(
                number=number,
                indicator=indicator.name(lang) if indicator else figure.text,
                region=figure.region_name or "",
                period=parse_period(figure.period).label(lang) if figure.period else "",
                value=value_text(figure.value, figure.unit, lang),
                status=f"{word(figure.status, lang)}, {tr(lang, 'chưa duyệt', 'not reviewed')}",
                origin=_document_origin(document.title, document.publisher, document.issued_on),
                quote=excerpt,
            )
        )
        self._figures[figure.id] = number
        return number

    def _origin(self, obs: Observation) -> str:
        lang = self.lang
        document = obs.source_document
        if document is not None:
            origin = _document_origin(document.title, document.publisher, document.issued_on)
            return f"{origin} — {document.url}" if document.url else origin
        batch = obs.import_batch
        if batch is not None:
            agency = f", {batch.agency.name}" if batch.agency is not None else ""
            return (
                tr(lang, "Tệp nhập", "Imported file")
                + f" {batch.file_name}{agency}, {batch.imported_by}, "
                + _format.day(batch.imported_at.date())
            )
        when = _format.day(obs.recorded_at.date())
        if obs.agency is not None:
            return tr(lang, "Báo cáo của", "Reported by") + f" {obs.agency.name}, {when}"
        return tr(lang, "Nhập trực tiếp bởi", "Entered by") + f" {obs.recorded_by}, {when}"


def _document_origin(title: str, publisher: str | None, issued_on: date | None) -> str:
    parts = [title]
    if publisher:
        parts.append(publisher)
    if issued_on is not None:
        parts.append(_format.day(issued_on))
    return ", ".join(parts)


def _quote(text: str | None, obs: Observation) -> Quote | None:
    if text is None or obs.span_start is None or obs.span_end is None:
        return None
    found = quote(text, obs.span_start, obs.span_end)
    return Quote(found.before, found.figure, found.after)
