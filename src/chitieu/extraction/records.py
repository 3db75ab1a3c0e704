"""What extraction produces: figure records of the contract (``../shared/spec/extraction.md``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class DocumentText:
    """The text a reader produced from a file; every offset refers to ``text``.

    ``notes`` says what the reader had to do (another encoding, a PDF's
    tables), for the person who reads the output.
    """

    name: str
    kind: str
    text: str
    sha256: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentContext:
    """What the whole document tells about its figures when a sentence is silent."""

    name: str
    region: str | None = None
    year: int | None = None
    issued_on: date | None = None


# What decided an attribute, from surest to least sure (docs/extraction.md, "Why"):
# a cue in the figure's own clause or sentence; one carried from the figure before it,
# its paragraph or a table's header; one inherited from a heading or the document's
# head; a default. A figure is as sure as its least sure attribute.
IN_CLAUSE = 0.9
CARRIED = 0.7
INHERITED = 0.5
DEFAULT = 0.3
UNKNOWN = 0.1


@dataclass(frozen=True, slots=True)
class Cue:
    """The words that decided one attribute of a figure, and how surely they did."""

    attribute: str
    text: str
    confidence: float

    def record(self) -> dict[str, Any]:
        return {"cue": self.text, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class Figure:
    """One reported figure, with the contract's fields."""

    doc: str
    start: int
    end: int
    text: str
    value: float
    unit: str
    value_max: float | None = None
    period: str | None = None
    status: str = "actual"
    measure: str = "level"
    indicator: str | None = None
    region: str | None = None
    rank_of: int | None = None
    qualifier: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    why: tuple[Cue, ...] = ()

    def record(self) -> dict[str, Any]:
        """The JSON object the contract names, plus our extra fields."""
        data = asdict(self)
        extras = data.pop("extras")
        data.pop("why")
        return {**data, **extras}

    @property
    def confidence(self) -> float | None:
        """How sure the reading is: that of its least sure attribute (None: not explained)."""
        return min(cue.confidence for cue in self.why) if self.why else None

    def explained(self) -> dict[str, Any]:
        """Each attribute's deciding cue and confidence, and the figure's confidence."""
        return {
            "why": {cue.attribute: cue.record() for cue in self.why},
            "confidence": self.confidence,
        }
