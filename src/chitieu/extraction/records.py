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

    def record(self) -> dict[str, Any]:
        """The JSON object the contract names, plus our extra fields."""
        data = asdict(self)
        extras = data.pop("extras")
        return {**data, **extras}
