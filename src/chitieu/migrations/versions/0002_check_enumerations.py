"""Let the database itself refuse impossible values: statuses, measures, directions, bounds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The values are written out here, not imported, so that this migration keeps
meaning what it meant when later code changes the lists.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHECKS = {
    "observation": {
        "status": "status in ('actual', 'estimate', 'preliminary')",
        "source_kind": "source_kind in ('document', 'submission', 'import', 'manual')",
    },
    "target": {
        "measure": "measure in ('level', 'average_growth', 'change_per_year', 'cumulative')",
        "bounds": "minimum is null or maximum is null or minimum <= maximum",
    },
    "task_update": {
        "status": "status in ('not_started', 'in_progress', 'done', 'cancelled')",
    },
    "indicator": {
        "direction": "direction in ('higher', 'lower', 'none')",
    },
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks.items():
                batch.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name in checks:
                batch.drop_constraint(f"ck_{table}_{name}", type_="check")
