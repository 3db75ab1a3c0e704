"""Source documents: where every figure, target and task came from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chitieu._orm import Base, utcnow


class SourceDocument(Base):
    """A report, decision, article or web page; its text when we have it.

    ``text`` is what spans index into, so a figure's sentence can be shown.
    """

    __tablename__ = "source_document"

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

    def quote(self, start: int, end: int, context: int = 80) -> str | None:
        """The sentence around a span, with the span marked by « »."""
        if self.text is None:
            return None
        left = max(0, start - context)
        right = min(len(self.text), end + context)
        snippet = self.text[left:start] + "«" + self.text[start:end] + "»" + self.text[end:right]
        return " ".join(snippet.split())
