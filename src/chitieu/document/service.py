"""Source documents and their texts."""

from __future__ import annotations

import hashlib
import re
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


# How the dataset's loader notes a second source of the same target: by key and span, so that
# the note stays traceable ("tài liệu web-plan-cafef, vị trí 0-88").
# Loader footnotes cite a source by key and span, in either language (dataset/service.py).
_CITED = re.compile(r"(?:tài liệu|document) (\S+), (?:vị trí|position) \d+-\d+")


def cited_by_name(session: Session, note: str) -> str:
    """A note naming sources by key and span, with each source's name instead, for a reader."""

    def name(found: re.Match[str]) -> str:
        document = session.scalar(select(SourceDocument).where(SourceDocument.key == found[1]))
        return document.shown_name if document is not None else found[0]

    return _CITED.sub(name, note)


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
