"""The English version of the dataset's notes, footnotes, explanations, definitions, plan titles and groups

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:00:00

The notes are written in Vietnamese; a page or a CLI output under ``lang=en`` shows
the ``*_en`` column beside each when it is filled, the Vietnamese note otherwise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Each table with its English column, typed as the Vietnamese column beside it.
COLUMNS: tuple[tuple[str, str, sa.types.TypeEngine[str]], ...] = (
    ("indicator", "definition_en", sa.Text()),
    ("plan", "title_en", sa.String(500)),
    ("target", "group_label_en", sa.String(300)),
    ("observation", "note_en", sa.String(1000)),
    ("target", "footnote_en", sa.String(1000)),
    ("region_succession", "note_en", sa.String(500)),
    ("agency_succession", "note_en", sa.String(500)),
    ("validation_finding", "explanation_en", sa.Text()),
)


def upgrade() -> None:
    for table, column, kind in COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, kind, nullable=True))


def downgrade() -> None:
    for table, column, _ in reversed(COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
