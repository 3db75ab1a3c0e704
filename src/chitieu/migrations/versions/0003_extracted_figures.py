"""Figures extracted from documents, awaiting review, and planners' choices between sources

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:44:45.565689

Both tables are new, so their CHECK constraints are created with them; the
values are written out here, not imported, like those of 0002.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conflict_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("chosen_by", sa.String(length=100), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.CheckConstraint(
            "status in ('actual', 'estimate', 'preliminary')",
            name=op.f("ck_conflict_choice_status"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicator.code"],
            name=op.f("fk_conflict_choice_indicator_code_indicator"),
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
            name=op.f("fk_conflict_choice_observation_id_observation"),
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"], name=op.f("fk_conflict_choice_region_id_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_choice")),
    )
    with op.batch_alter_table("conflict_choice", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conflict_choice_group",
            ["indicator_code", "region_id", "period", "status"],
            unique=False,
        )

    op.create_table(
        "extracted_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_document_id", sa.Integer(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("value_max", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=True),
        sa.Column("region_name", sa.String(length=200), nullable=True),
        sa.Column("qualifier", sa.String(length=64), nullable=True),
        sa.Column("rank_of", sa.Integer(), nullable=True),
        sa.Column("extracted_by", sa.String(length=100), nullable=False),
        sa.Column("extracted_at", sa.DateTime(), nullable=False),
        sa.Column("review_state", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_note", sa.String(length=1000), nullable=True),
        sa.Column("observation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "review_state in ('pending', 'accepted', 'rejected')",
            name=op.f("ck_extracted_figure_review_state"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicator.code"],
            name=op.f("fk_extracted_figure_indicator_code_indicator"),
        ),
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observation.id"],
            name=op.f("fk_extracted_figure_observation_id_observation"),
        ),
        sa.ForeignKeyConstraint(
            ["source_document_id"],
            ["source_document.id"],
            name=op.f("fk_extracted_figure_source_document_id_source_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extracted_figure")),
        sa.UniqueConstraint(
            "source_document_id",
            "span_start",
            "span_end",
            name=op.f("uq_extracted_figure_source_document_id_span_start_span_end"),
        ),
    )


def downgrade() -> None:
    op.drop_table("extracted_figure")
    with op.batch_alter_table("conflict_choice", schema=None) as batch_op:
        batch_op.drop_index("ix_conflict_choice_group")

    op.drop_table("conflict_choice")
