"""An agency's file of figures sent through the web, and the template it starts from.

The file is checked for the sender's rights row by row before the core import
(all or nothing) reads it; a temporary copy under a cleaned name is all that
touches the disk.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from chitieu._cells import append_row
from chitieu._csvfile import CsvFormat
from chitieu._errors import (
    ChitieuError,
    InputError,
    PermissionDeniedError,
    RowProblem,
    RowsRejectedError,
    UnsupportedFileError,
    ValidationBlockedError,
)
from chitieu.audit.service import record_change
from chitieu.observation.models import ImportBatch
from chitieu.submission.entry import actor_agency, default_region, enterable_indicators
from chitieu.submission.service import FileCatalogue, import_submission, read_submission
from chitieu.submission.template import write_template
from chitieu.user.service import Actor, agency_bound, indicator_codes_of

ALLOWED_SUFFIXES = (".xlsx", ".csv")
MAX_NAME_LENGTH = 100


class RowsRefusedError(PermissionDeniedError):
    """Rows of indicators the sender's agency does not report; nothing was written.

    ``problems`` also holds the file's other bad rows, so that one answer names all.
    """

    def __init__(self, source: str, refused: list[RowProblem], others: list[RowProblem]) -> None:
        self.source = source
        self.problems = sorted([*refused, *others], key=lambda problem: problem.line)
        shown = "; ".join(str(p) for p in self.problems)
        more = f" và {len(others)} dòng lỗi khác" if others else ""
        super().__init__(
            f"{source}: {len(refused)} dòng không thuộc chỉ tiêu của cơ quan{more}, "
            f"không ghi dòng nào: {shown}"
        )


@dataclass(frozen=True)
class UploadResult:
    file_name: str
    rows: int
    written: int
    unchanged: int
    batch_id: int | None
    read_as: CsvFormat | None = None


def safe_file_name(name: str) -> str:
    """The file's own name without folders, diacritics or odd characters; .xlsx or .csv only."""
    base = re.split(r"[\\/]", name or "")[-1]
    plain = unicodedata.normalize("NFKD", base.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._")
    stem, dot, suffix = cleaned.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise UnsupportedFileError(
            f"chỉ nhận tệp .xlsx hoặc .csv (đã gửi: {base[:MAX_NAME_LENGTH]!r})"
        )
    stem = stem[: MAX_NAME_LENGTH - len(suffix)] or "so_lieu"
    return stem + suffix


def _refused_rows(session: Session, *, actor: Actor, path: Path) -> list[RowProblem]:
    """Rows whose indicator is another agency's; unknown indicators are left to the import."""
    if not agency_bound(actor):
        return []
    assert actor.agency_id is not None
    own = indicator_codes_of(session, agency_id=actor.agency_id)
    agency = actor_agency(session, actor=actor)
    problems = []
    catalogue = FileCatalogue(session)
    for line, cells, problem in read_submission(path):
        if problem is not None:
            continue  # the import names it
        try:
            indicator = catalogue.indicator(cells.get("indicator", ""))
        except ValueError:
            continue
        if indicator.code not in own:
            problems.append(
                RowProblem(
                    line,
                    f"chỉ tiêu {indicator.code} – {indicator.name_vi} không do "
                    f"{agency.name if agency else actor.username} báo cáo",
                    "indicator",
                )
            )
    return problems


def _other_problems(
    session: Session, actor: Actor, path: Path, refused: list[RowProblem]
) -> list[RowProblem]:
    """The rows of a refused file that are bad for another reason, found by a trial import
    in a savepoint that is always rolled back."""
    lines = {problem.line for problem in refused}
    trial = session.begin_nested()
    try:
        import_submission(session, path=path, recorded_by=actor.username)
    except RowsRejectedError as exc:
        return [problem for problem in exc.problems if problem.line not in lines]
    except ChitieuError:
        return []  # the file as a whole is at fault: the refusal is told first
    finally:
        trial.rollback()
    return []


def _clean_message(exc: ChitieuError, path: Path, name: str) -> str:
    # Messages name the file by its path; people know it by the name they sent.
    return str(exc).replace(str(path), name)


def import_upload(
    session: Session, *, actor: Actor, file_name: str, content: bytes
) -> UploadResult:
    """Import a sent file for ``actor``: all rows or none, audited.

    Raises ``RowsRefusedError`` when rows are another agency's and
    ``RowsRejectedError`` (its source the cleaned name) when rows are bad.
    """
    name = safe_file_name(file_name)
    with tempfile.TemporaryDirectory(prefix="chitieu-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            refused = _refused_rows(session, actor=actor, path=path)
            if refused:
                others = _other_problems(session, actor, path, refused)
                raise RowsRefusedError(name, refused, others)
            report = import_submission(
                session,
                path=path,
                recorded_by=actor.username,
                agency=actor_agency(session, actor=actor),
            )
        except RowsRejectedError as exc:
            raise RowsRejectedError(name, exc.problems) from exc
        except ValidationBlockedError:
            raise
        except InputError as exc:
            raise InputError(_clean_message(exc, path, name)) from exc
    batch_id = None
    if report.written:
        digest = hashlib.sha256(content).hexdigest()
        batch_id = session.scalar(
            select(ImportBatch.id)
            .where(ImportBatch.sha256 == digest, ImportBatch.imported_by == actor.username)
            .order_by(ImportBatch.id.desc())
        )
    result = UploadResult(
        name, report.rows, report.written, report.unchanged, batch_id, report.read_as
    )
    record_change(
        session,
        actor=actor.username,
        action="import",
        entity="import_batch",
        entity_id=batch_id,
        after={
            "file": name,
            "rows": result.rows,
            "written": result.written,
            "unchanged": result.unchanged,
        },
    )
    return result


def agency_template(session: Session, *, actor: Actor) -> bytes:
    """The core's Excel template with one row ready per indicator the actor may enter."""
    indicators = enterable_indicators(session, actor=actor)
    region = default_region(session, actor=actor)
    with tempfile.TemporaryDirectory(prefix="chitieu-template-") as folder:
        path = Path(folder) / "mau.xlsx"
        write_template(session, path=path, region=region.code if region else "bac_giang")
        workbook = load_workbook(path)
    sheet = workbook["so_lieu"]
    for indicator in indicators:
        append_row(
            sheet, [indicator.code, region.code if region else "", "", "", indicator.unit, "", ""]
        )
    codes = {indicator.code for indicator in indicators}
    catalogue = workbook["chi_tieu"]
    for row in range(catalogue.max_row, 1, -1):
        if catalogue.cell(row, 1).value not in codes:
            catalogue.delete_rows(row)
    append_row(
        workbook["huong_dan"],
        ["Điền kỳ và giá trị vào các dòng có số liệu; dòng để trống giá trị được bỏ qua."],
    )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
