"""Errors a user can act on: each renders as one line saying what and where."""

from __future__ import annotations


class ChitieuError(Exception):
    """Base of every error chitieu reports to a person instead of a traceback.

    The message is Vietnamese; ``en`` is its English form where the raiser wrote one,
    shown under ``--lang en`` (an error without one stays Vietnamese rather than guessed).
    """

    def __init__(self, *args: object, en: str | None = None) -> None:
        super().__init__(*args)
        self.en = en

    def text(self, lang: str) -> str:
        """The message in ``lang`` when there is one, else the Vietnamese."""
        return self.en if lang == "en" and self.en else str(self)


class NotFoundError(ChitieuError):
    """A code or name that the database does not hold."""


class InputError(ChitieuError):
    """A file or value that cannot be read as given."""


class DatabaseError(ChitieuError):
    """The database cannot be reached, or its schema does not fit this version."""


class DatabaseBusyError(DatabaseError):
    """Another writer held the SQLite database longer than the busy timeout; nothing was written."""


class RowProblem:
    """One bad row of an input file: where it is (its column, when one cell is at fault) and why."""

    __slots__ = ("column", "line", "reason")

    def __init__(self, line: int, reason: str, column: str | None = None) -> None:
        self.line = line
        self.reason = reason
        self.column = column

    def __str__(self) -> str:
        where = f"dòng {self.line}, cột {self.column}" if self.column else f"dòng {self.line}"
        return f"{where}: {self.reason}"

    def __repr__(self) -> str:
        return f"RowProblem(line={self.line}, reason={self.reason!r}, column={self.column!r})"


class RowsRejectedError(InputError):
    """An import with bad rows; nothing was written."""

    def __init__(self, source: str, problems: list[RowProblem]) -> None:
        self.source = source
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:20])
        more = f"; … và {len(problems) - 20} dòng khác" if len(problems) > 20 else ""
        super().__init__(f"{source}: {len(problems)} dòng lỗi, không ghi dòng nào: {shown}{more}")


class PermissionDeniedError(ChitieuError):
    """A person whose role or agency does not allow what they asked for."""


class StateError(InputError):
    """Something already past the step asked for (a figure reviewed, a finding explained).

    The web answers 409 Conflict: the request was well formed, the record's state forbids it.
    """


class UnsupportedFileError(InputError):
    """A file of a kind chitieu does not read (the web answers 415)."""


class ValidationBlockedError(InputError):
    """A figure that breaks a validation rule configured to block; nothing was written."""
