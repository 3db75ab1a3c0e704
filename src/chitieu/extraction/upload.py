"""Uploaded reports: a safe name, a size limit read in chunks, stored and audited.

The client's file name is only a label: its last part, printable and short.
The bytes go to a private temporary folder and are deleted once read.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._errors import InputError, NotFoundError, UnsupportedFileError
from chitieu.audit.service import record_change
from chitieu.extraction.service import IngestReport, ingest_file
from chitieu.region.models import Region

ALLOWED_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
CHUNK_BYTES = 64 * 1024
# Room for a file system's 255-byte names, in UTF-8 where a Vietnamese letter takes 3.
MAX_NAME_BYTES = 180
_UNSAFE_IN_NAMES = re.compile(r'[<>:"|?*]')


class UploadTooLargeError(InputError):
    """An upload past the configured size; nothing was stored."""


def safe_file_name(name: str) -> str:
    """The client's file name as a label only: its last part, printable, short, allowed kind.

    A path ("../../etc/passwd.txt", "C:\\x\\y.pdf") keeps its last part; control
    and format characters go; what would be hidden or empty becomes "tai-lieu".
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_IN_NAMES.sub("_", base).strip()
    suffix = "." + base.rsplit(".", 1)[1].lower() if "." in base else ""
    if suffix not in ALLOWED_SUFFIXES:
        shown = suffix or "(không có đuôi)"
        raise UnsupportedFileError(
            f"chỉ nhận tệp {', '.join(ALLOWED_SUFFIXES)}; tệp đã chọn có đuôi {shown}"
        )
    # A leading dot would hide the file; the name is a label, so it can go.
    stem = base[: -len(suffix)].lstrip(". ").rstrip() or "tai-lieu"
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def _copy_limited(source: BinaryIO, target: Path, max_bytes: int) -> None:
    """Copy in chunks, stopping as soon as the file is past the limit."""
    written = 0
    with target.open("xb") as out:
        while chunk := source.read(CHUNK_BYTES):
            written += len(chunk)
            if written > max_bytes:
                raise UploadTooLargeError(too_large_message(max_bytes))
            out.write(chunk)


def too_large_message(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    shown = f"{megabytes:.1f}".replace(".", ",").removesuffix(",0")
    return (
        f"tệp quá lớn: giới hạn {shown} MB ({max_bytes} byte); "
        "hãy tách tài liệu hoặc nén hình ảnh trong đó"
    )


def _region_name(session: Session, code: str | None) -> str | None:
    if not code:
        return None
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise NotFoundError(f"không có địa bàn mã '{code}'")
    return region.name


def store_upload(
    session: Session,
    *,
    source: BinaryIO,
    file_name: str,
    recorded_by: str,
    max_bytes: int,
    region: str | None = None,
) -> IngestReport:
    """Store an uploaded report and its figures, pending review; all of it or nothing.

    The bytes go to a private temporary folder under a sanitised name, which
    becomes the document's label, and are deleted once read. ``region`` is a
    region code, for figures whose sentence names no place.
    """
    name = safe_file_name(file_name)
    place = _region_name(session, region)
    with tempfile.TemporaryDirectory(prefix="chitieu-upload-") as folder:
        path = Path(folder) / name
        _copy_limited(source, path, max_bytes)
        with session.begin_nested():
            report = ingest_file(session, path=path, recorded_by=recorded_by, region=place)
            record_change(
                session,
                actor=recorded_by,
                action="upload",
                entity="source_document",
                entity_id=report.document,
                after={
                    "file_name": name,
                    "document_new": report.document_new,
                    "found": report.found,
                    "new": report.new,
                    "region": place,
                },
            )
    return report
