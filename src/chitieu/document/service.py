"""Source documents and their texts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu import _format
from chitieu._errors import ChitieuError, NotFoundError
from chitieu._labels import document_kind, tr
from chitieu._periods import parse_period
from chitieu.document.models import SourceDocument


def get_document(session: Session, *, key: str) -> SourceDocument:
    found = session.scalar(select(SourceDocument).where(SourceDocument.key == key))
    if found is None:
        raise NotFoundError(f"không có tài liệu '{key}'")
    return found


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def attach_texts(session: Session, *, folder: Path) -> list[SourceDocument]:
    """Store the text of every known document found in ``folder`` (matched by hash)."""
    by_hash = {
        doc.sha256: doc
        for doc in session.scalars(select(SourceDocument).where(SourceDocument.sha256.is_not(None)))
    }
    attached = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        doc = by_hash.get(sha256_of(path))
        if doc is not None and doc.text is None:
            doc.text = path.read_text(encoding="utf-8")
            attached.append(doc)
    return attached


def describe(
    *,
    issued_on: date | None,
    year: int | None,
    periods: Sequence[str],
    kind: str | None,
    provinces: Sequence[str],
    lang: str,
) -> list[tuple[str, str]]:
    """What a document says about itself, as (label, value) lines for people.

    "Ngày: 05/04/2022", "Kỳ báo cáo: tháng 3/2022; quý I/2022", "Loại văn bản:
    báo cáo thống kê", "Địa bàn: Thái Bình"; a line the text says nothing of is left out.
    """
    lines: list[tuple[str, str]] = []
    if issued_on is not None:
        lines.append((tr(lang, "Ngày", "Date"), _format.day(issued_on, lang)))
    elif year is not None:
        lines.append((tr(lang, "Năm", "Year"), str(year)))
    if periods:
        shown = "; ".join(_period(code, lang) for code in periods)
        lines.append((tr(lang, "Kỳ báo cáo", "Reporting period"), shown))
    if kind:
        lines.append((tr(lang, "Loại văn bản", "Kind"), document_kind(kind, lang)))
    if provinces:
        lines.append((tr(lang, "Địa bàn", "Provinces"), "; ".join(provinces)))
    return lines


def _period(code: str, lang: str) -> str:
    try:
        return parse_period(code).label(lang)
    except ChitieuError:
        return code
