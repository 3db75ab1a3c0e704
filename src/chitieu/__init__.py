"""chitieu: following how a province delivers on its socio-economic development plan.

The public API is what this module exports; everything in a module whose name
starts with an underscore may change without notice.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from chitieu._database import DEFAULT_BUSY_SECONDS, create_engine, ensure_current, transaction
from chitieu._errors import (
    ChitieuError,
    DatabaseError,
    InputError,
    NotFoundError,
    RowProblem,
    RowsRejectedError,
)
from chitieu._periods import Period, PeriodKind, parse_period, read_period
from chitieu._settings import database_url
from chitieu.agency.service import get_agency, resolve_agency
from chitieu.assessment.service import Assessment, assess, assess_target
from chitieu.dataset.service import EMBEDDED, load_folder
from chitieu.indicator.service import get_indicator, list_indicators
from chitieu.observation.service import (
    Source,
    correct_observation,
    derived_values,
    disagreements,
    latest_observation,
    list_observations,
    record_observation,
    revisions,
)
from chitieu.plan.service import get_plan, list_plans, list_targets, target_record
from chitieu.region.service import get_region, lineage, territory
from chitieu.submission.service import import_submission
from chitieu.task.service import add_task_update, is_overdue, list_tasks, task_status

__version__ = "0.1.0"


def open_database(location: str, *, busy_seconds: float = DEFAULT_BUSY_SECONDS) -> Engine:
    """An SQLite path or database URL, with its schema created or brought up to date.

    On SQLite a writer waits up to ``busy_seconds`` for another writer to finish.
    """
    engine = create_engine(database_url(location), busy_seconds=busy_seconds)
    try:
        ensure_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


__all__ = [
    "EMBEDDED",
    "Assessment",
    "ChitieuError",
    "DatabaseError",
    "InputError",
    "NotFoundError",
    "Period",
    "PeriodKind",
    "RowProblem",
    "RowsRejectedError",
    "Source",
    "add_task_update",
    "assess",
    "assess_target",
    "correct_observation",
    "derived_values",
    "disagreements",
    "get_agency",
    "get_indicator",
    "get_plan",
    "get_region",
    "import_submission",
    "is_overdue",
    "latest_observation",
    "lineage",
    "list_indicators",
    "list_observations",
    "list_plans",
    "list_targets",
    "list_tasks",
    "load_folder",
    "open_database",
    "parse_period",
    "read_period",
    "record_observation",
    "resolve_agency",
    "revisions",
    "target_record",
    "task_status",
    "territory",
    "transaction",
]
