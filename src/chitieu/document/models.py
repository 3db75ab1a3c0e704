"""Source documents: where every figure, target and task came from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chitieu._orm import Base, one_of, utcnow

# What the text says it is (``extraction._document``): a statistics office's report, a
# plan or scheme issued by a decision, a resolution, another report, or news.
DOCUMENT_KINDS = ("statistics", "plan", "resolution", "report", "news")
# A title longer than this is cut at a word when it names a source in a sentence.
_SHORT_TITLE = 60


class SourceDocument(Base):
    """A report, decision, article or web page; its text when we have it.

    ``text`` is what spans index into, so a figure's sentence can be shown.
    The ``read_`` columns are what extraction read in the text's head (its
    date, year, own reporting periods, kind and provinces), kept apart from
    what a person or a dataset stated about the document.
    """

    __tablename__ = "source_document"
    __table_args__ = (CheckConstraint(one_of("read_kind", DOCUMENT_KINDS), name="read_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    file_name: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    issued_on: Mapped[date | None]
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(String(1000))
    text: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_on: Mapped[date | None]
    read_year: Mapped[int | None]
    # Period codes, comma-separated ("2019-M09,2019-Q3,2019-9M").
    read_periods: Mapped[str | None] = mapped_column(String(200))
    read_kind: Mapped[str | None] = mapped_column(String(16))
    # Province names, separated by "; " ("Bà Rịa - Vũng Tàu" holds a dash).
    read_provinces: Mapped[str | None] = mapped_column(String(500))

    @property
    def shown_name(self) -> str:
        """What a person calls the source: its publisher (a site's address, an office) with the
        day it came out when known, else its title cut short. The key is the database's."""
        if self.publisher:
            return (
                f"{self.publisher}, {self.issued_on:%d/%m/%Y}" if self.issued_on else self.publisher
            )
        title = self.title
        if len(title) <= _SHORT_TITLE:
            return title
        return title[:_SHORT_TITLE].rsplit(" ", 1)[0].rstrip(",;:") + "…"

    @property
    def reporting_periods(self) -> list[str]:
        return self.read_periods.split(",") if self.read_periods else []

    @property
    def provinces(self) -> list[str]:
        return self.read_provinces.split("; ") if self.read_provinces else []

    def quote(self, start: int, end: int, context: int = 80) -> str | None:
        """The sentence around a span, with the span marked by « »."""
        if self.text is None:
            return None
        left = max(0, start - context)
        right = min(len(self.text), end + context)
        snippet = self.text[left:start] + "«" + self.text[start:end] + "»" + self.text[end:right]
        return " ".join(snippet.split())
