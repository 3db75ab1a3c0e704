"""Source documents and their texts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import NotFoundError
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
