"""chitieu: following how a province delivers on its socio-economic development plan.

The public API is what this module exports; everything in a module whose name
starts with an underscore may change without notice.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chitieu._database import (
        DEFAULT_BUSY_SECONDS as DEFAULT_BUSY_SECONDS,
    )
    from chitieu._database import (
        create_engine as create_engine,
    )
    from chitieu._database import (
        ensure_current as ensure_current,
    )
    from chitieu._database import (
        open_database,
        transaction,
    )
    from chitieu._errors import (
        ChitieuError,
        DatabaseError,
        InputError,
        NotFoundError,
        RowProblem,
        RowsRejectedError,
    )
    from chitieu._periods import Period, PeriodKind, parse_period, read_period
    from chitieu._settings import database_url as database_url
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

# Where each public name lives: importing ``chitieu`` (as every command does) stays cheap,
# and a name's module, with its libraries, loads on first use.
_HOMES = {
    "chitieu._database": (
        "DEFAULT_BUSY_SECONDS",
        "create_engine",
        "ensure_current",
        "transaction",
        "open_database",
    ),
    "chitieu._errors": (
        "ChitieuError",
        "DatabaseError",
        "InputError",
        "NotFoundError",
        "RowProblem",
        "RowsRejectedError",
    ),
    "chitieu._periods": (
        "Period",
        "PeriodKind",
        "parse_period",
        "read_period",
    ),
    "chitieu._settings": ("database_url",),
    "chitieu.agency.service": (
        "get_agency",
        "resolve_agency",
    ),
    "chitieu.assessment.service": (
        "Assessment",
        "assess",
        "assess_target",
    ),
    "chitieu.dataset.service": (
        "EMBEDDED",
        "load_folder",
    ),
    "chitieu.indicator.service": (
        "get_indicator",
        "list_indicators",
    ),
    "chitieu.observation.service": (
        "Source",
        "correct_observation",
        "derived_values",
        "disagreements",
        "latest_observation",
        "list_observations",
        "record_observation",
        "revisions",
    ),
    "chitieu.plan.service": (
        "get_plan",
        "list_plans",
        "list_targets",
        "target_record",
    ),
    "chitieu.region.service": (
        "get_region",
        "lineage",
        "territory",
    ),
    "chitieu.submission.service": ("import_submission",),
    "chitieu.task.service": (
        "add_task_update",
        "is_overdue",
        "list_tasks",
        "task_status",
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'chitieu' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
