"""What a document says about itself, and why each extracted figure reads as it does

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00

``source_document`` keeps what extraction read in the text's head (its date,
year, own reporting periods, kind and provinces); ``extracted_figure`` keeps
the cue that decided each attribute and a confidence, so the review queue can
put the least certain figures first. Rows stored before stay as they were:
their new columns are empty. The kinds are written out here, not imported,
like the values of 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_document") as batch:
        batch.add_column(sa.Column("read_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("read_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("read_periods", sa.String(200), nullable=True))
        batch.add_column(sa.Column("read_kind", sa.String(16), nullable=True))
        batch.add_column(sa.Column("read_provinces", sa.String(500), nullable=True))
        batch.create_check_constraint(
            "read_kind", "read_kind in ('statistics', 'plan', 'resolution', 'report', 'news')"
        )
    with op.batch_alter_table("extracted_figure") as batch:
        batch.add_column(sa.Column("confidence", sa.Double(), nullable=True))
        batch.add_column(sa.Column("why", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extracted_figure") as batch:
        batch.drop_column("why")
        batch.drop_column("confidence")
    with op.batch_alter_table("source_document") as batch:
        batch.drop_constraint(op.f("ck_source_document_read_kind"), type_="check")
        batch.drop_column("read_provinces")
        batch.drop_column("read_kind")
        batch.drop_column("read_periods")
        batch.drop_column("read_year")
        batch.drop_column("read_on")
