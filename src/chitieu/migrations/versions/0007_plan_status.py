"""Where a plan stands: in force, superseded by a later text, or ceased with its territory

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 02:45:00

After the merger of 1 July 2025 several plans speak for the same territory: the
new Bắc Ninh's resolution governs, the June 2025 draft it replaced is kept for
comparison, and Bắc Giang's plans ended with the province. ``plan.status`` says
which; existing plans are in force until a load says otherwise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="in_force")
        )
        batch.create_check_constraint("status", "status in ('in_force', 'superseded', 'ceased')")


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.drop_constraint(op.f("ck_plan_status"), type_="check")
        batch.drop_column("status")
