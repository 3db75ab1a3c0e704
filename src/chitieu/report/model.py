"""The periodic report as plain data: what it says, before any format is chosen.

``build_report`` fills these from the database; the HTML, PDF and DOCX writers
only lay them out. Every text is final (numbers formatted, words in the
report's language), so the three formats say exactly the same thing. A figure
taken from the database carries ``ref``, its number in the annex of sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

FORMATS = ("html", "pdf", "docx")
LANGS = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Quote:
    """The sentence a figure was read from, the figure itself apart so it can be marked."""

    before: str
    figure: str
    after: str

    def plain(self) -> str:
        return f"{self.before}«{self.figure}»{self.after}"


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One numbered line of the annex: a figure and where it came from."""

    number: int
    indicator: str
    region: str
    period: str
    value: str
    status: str
    origin: str
    quote: Quote | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """A value shown with the number of its annex entry."""

    text: str
    ref: int | None = None


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """One line of an area's results: "GRDP growth, 2024: 13,85% (estimate) [4]"."""

    label: str
    period: str
    value: str
    status: str
    ref: int
    others: tuple[Reference, ...] = ()
    """Other sources' figures for the same period that do not agree with this one."""
    chosen: bool = False
    """Whether a planner chose this figure among disagreeing sources."""


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    ref: int | None = None
    numeric: bool = False
    nowrap: bool = False
    status: str | None = None
    """An assessment status, so the formats can colour it."""


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[int, ...] = ()
    """Relative column widths; empty to let the format decide."""
    kind: Literal["table"] = "table"


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True, slots=True)
class FigureList:
    figures: tuple[KeyFigure, ...]
    kind: Literal["figures"] = "figures"


@dataclass(frozen=True, slots=True)
class Chart:
    """A numbered chart: its Vega-Lite spec, drawn as SVG (HTML, PDF) or PNG (DOCX)."""

    number: int
    caption: str
    spec: dict[str, Any]
    half: bool = False
    """Half the page's width, two side by side."""
    kind: Literal["chart"] = "chart"


Block = Paragraph | FigureList | Table | Chart


@dataclass
class Section:
    heading: str
    level: int = 1
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def add(self, block: Block) -> None:
        self.blocks.append(block)


@dataclass
class Report:
    """The whole report, ready to be written in any format."""

    lang: str
    plan: str
    """The plan's code."""
    title: str
    subtitle: str
    region: str
    as_of: date
    generated_on: date
    facts: list[tuple[str, str]]
    """Label and value lines of the cover: plan, region, period, date of the figures."""
    sections: list[Section]
    annex: list[SourceEntry]
    annex_heading: str
    words: dict[str, str] = field(default_factory=dict)
    """The few fixed words the layouts need (page, source, chart…), in the report's language."""
