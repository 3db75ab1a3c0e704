"""Recording a file's figures at once: one read of what the source gave before, one insert.

``record_observation`` reads the current figure of one series and period and
inserts one row; an import of 20,000 rows did that 20,000 times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from chitieu._errors import InputError
from chitieu.observation.models import Observation
from chitieu.observation.service import (
    NewFigure,
    Source,
    _add_revision,
    _check_recordable,
    _current,
    _from_source,
    _revision,
)


def record_observations(
    session: Session, *, figures: Sequence[NewFigure], source: Source, recorded_by: str
) -> list[tuple[Observation, bool]]:
    """Store many figures of one source as ``record_observation`` stores each, in one flush.

    The current figures of the same source are read in one query per 500
    regions instead of one per figure, and the new ones go in as one batch of
    inserts; a correction keeps its own savepoint, as one figure's does.
    At most one figure per indicator, region, period and status.
    """
    for figure in figures:
        _check_recordable(figure)
    if len({figure.key for figure in figures}) != len(figures):
        raise InputError("hai số liệu trùng chỉ tiêu, địa bàn, kỳ và loại số")
    previous = _current_of(session, figures, source)
    session.flush()  # the import batch, and anything else the rows point at, gets its id
    results: list[tuple[Observation, bool] | None] = []
    first: list[dict[str, Any]] = []
    for figure in figures:
        old = previous.get(figure.key)
        if old is not None and old.value == figure.value and old.qualifier == figure.qualifier:
            results.append((old, False))
        elif old is not None:
            row = _revision(figure, source, recorded_by, old)
            _add_revision(session, row)
            results.append((row, True))
        else:
            results.append(None)
            first.append(_columns(figure, source, recorded_by))
    if not first:
        return [result for result in results if result is not None]
    # Plain rows, not objects the unit of work follows, in one executemany; then read back
    # in one query (RETURNING in the rows' order would cost SQLite one statement per row).
    session.execute(insert(Observation), first)
    current = _current_of(session, figures, source)
    return [
        result if result is not None else (current[figure.key], True)
        for figure, result in zip(figures, results, strict=True)
    ]


def _columns(figure: NewFigure, source: Source, recorded_by: str) -> dict[str, Any]:
    """A first figure's row as ``_revision`` would write it, by column."""
    return {
        "indicator_code": figure.indicator.code,
        "region_id": figure.region.id,
        "period": figure.period.code,
        "period_start": figure.period.start,
        "period_end": figure.period.end,
        "value": figure.value,
        "unit": figure.indicator.unit,
        "status": figure.status,
        "qualifier": figure.qualifier,
        "source_kind": source.kind,
        "source_document_id": source.document.id if source.document else None,
        "span_start": source.span[0] if source.span else None,
        "span_end": source.span[1] if source.span else None,
        "import_batch_id": source.import_batch.id if source.import_batch else None,
        "agency_id": source.agency.id if source.agency else None,
        "note": figure.note,
        "recorded_by": recorded_by,
        "supersedes_id": None,
    }


def _current_of(
    session: Session, figures: Sequence[NewFigure], source: Source
) -> dict[tuple[str, int, str, str], Observation]:
    """The current figures from ``source`` for the indicators and regions of ``figures``."""
    if source.document is not None:
        # A document's figures are told apart by their span too; they are recorded one by one.
        raise InputError("số liệu trích từ tài liệu được ghi từng số một")
    codes = sorted({figure.indicator.code for figure in figures})
    regions = sorted({figure.region.id for figure in figures})
    found: dict[tuple[str, int, str, str], Observation] = {}
    for start in range(0, len(regions), 500):
        query = _current().where(
            Observation.indicator_code.in_(codes),
            Observation.region_id.in_(regions[start : start + 500]),
        )
        for row in session.scalars(_from_source(query, source)):
            found[(row.indicator_code, row.region_id, row.period, row.status)] = row
    return found
