"""Many files at once: reading and extraction mapped over workers, storage in the caller.

``mapper`` is anything called like the built-in ``map`` (a function, then one
iterable per argument) that yields the results in the order of its input: the
built-in ``map`` itself, ``ProcessPoolExecutor.map``, or a Dask client's map
(``chitieu.extraction.pool``). The work sent out is ``read_file``, a top-level
function whose arguments and result pickle, so it runs in a spawned process or
on another machine; the database is written only here, in the caller's
process and transaction, in input order, so a parallel run stores and prints
exactly what a sequential run does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chitieu._errors import ChitieuError, InputError
from chitieu.extraction._document import DocumentModel
from chitieu.extraction.records import DocumentText, Figure
from chitieu.extraction.service import IngestReport, extract_file, store_extracted

Mapper = Callable[..., Iterable[Any]]


@dataclass(frozen=True, slots=True)
class Extracted:
    """A file read, what it says about itself, and the figures found in it."""

    path: Path
    document: DocumentText
    figures: tuple[Figure, ...]
    model: DocumentModel | None = None


@dataclass(frozen=True, slots=True)
class FileError:
    """A file that could not be read or stored, and why, on one line."""

    path: Path
    message: str


def read_file(path: Path, region: str | None) -> Extracted | FileError:
    """Read one file and find its figures; the unit of work sent to a worker.

    A refusal comes back as a value, not an exception, so that it crosses a
    process boundary as plainly as a result and the other files go on.
    """
    try:
        document, model, figures = extract_file(path, region=region)
    except ChitieuError as exc:
        return FileError(path, _one_line(exc))
    return Extracted(path, document, tuple(figures), model)


def extract_files(
    paths: Sequence[Path], *, region: str | None = None, mapper: Mapper = map
) -> Iterator[Extracted | FileError]:
    """Each file read and its figures found, by ``mapper``, in the order of ``paths``."""
    return iter(mapper(read_file, paths, [region] * len(paths)))


def ingest_files(
    session: Session,
    *,
    paths: Sequence[Path],
    recorded_by: str,
    region: str | None = None,
    mapper: Mapper = map,
) -> list[IngestReport | FileError]:
    """Store many files' documents and figures in the caller's transaction, in order.

    Each file is all or nothing: one that cannot be read, or whose stored
    document holds another text, is a ``FileError`` and writes nothing (its
    savepoint is rolled back), and the others are kept. Rerunning adds
    nothing, as ``ingest_file`` does. Errors of the database itself propagate,
    and the caller's transaction then keeps nothing of the run.
    """
    outcomes: list[IngestReport | FileError] = []
    for result in extract_files(paths, region=region, mapper=mapper):
        if isinstance(result, FileError):
            outcomes.append(result)
            continue
        try:
            report = store_extracted(
                session,
                path=result.path,
                text=result.document,
                figures=result.figures,
                recorded_by=recorded_by,
                model=result.model,
            )
        except InputError as exc:
            outcomes.append(FileError(result.path, _one_line(exc)))
            continue
        outcomes.append(report)
    return outcomes


def _one_line(exc: ChitieuError) -> str:
    return " ".join(str(exc).split())
