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

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.types import TypeEngine

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# Columns added, by table; all of them empty for the rows already stored.
_DOCUMENT: tuple[tuple[str, TypeEngine[Any]], ...] = (
    ("read_on", sa.Date()),
    ("read_year", sa.Integer()),
    ("read_periods", sa.String(200)),
    ("read_kind", sa.String(16)),
    ("read_provinces", sa.String(500)),
)
_FIGURE: tuple[tuple[str, TypeEngine[Any]], ...] = (("confidence", sa.Double()), ("why", sa.JSON()))


def upgrade() -> None:
    with op.batch_alter_table("source_document") as batch:
        for name, kind in _DOCUMENT:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_check_constraint(
            "read_kind", "read_kind in ('statistics', 'plan', 'resolution', 'report', 'news')"
        )
    with op.batch_alter_table("extracted_figure") as batch:
        for name, kind in _FIGURE:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extracted_figure") as batch:
        for name, _kind in reversed(_FIGURE):
            batch.drop_column(name)
    with op.batch_alter_table("source_document") as batch:
        batch.drop_constraint(op.f("ck_source_document_read_kind"), type_="check")
        for name, _kind in reversed(_DOCUMENT):
            batch.drop_column(name)
