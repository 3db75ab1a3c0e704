"""Sessions that can be ended, and plausible bounds an indicator's figures must keep

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 01:30:00

``app_user.session_generation`` is written into every session cookie; logging
out, changing the password or deactivating the user raises it, so every cookie
issued before no longer signs anyone in. ``indicator.plausible_min`` and
``plausible_max`` override the bounds derived from an indicator's unit and
kind, outside which a figure is refused as absurd.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(sa.Column("plausible_min", sa.Double(), nullable=True))
        batch.add_column(sa.Column("plausible_max", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("plausible_max")
        batch.drop_column("plausible_min")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("session_generation")
