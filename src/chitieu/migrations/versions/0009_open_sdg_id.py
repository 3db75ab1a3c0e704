"""The number an indicator has on an Open SDG site

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 08:00:00

``indicator.open_sdg_id`` is the goal-target-indicator number (``1-1-1``) under
which ``chitieu export --format open-sdg`` writes the indicator. It is the
catalogue's to set; empty, the export numbers the indicator from its group.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("open_sdg_id", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("open_sdg_id")
