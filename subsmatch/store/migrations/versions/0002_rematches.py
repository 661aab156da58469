"""rematches

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:21:24.207041
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "rematches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("old_resolution_id", sa.Integer(), nullable=False),
        sa.Column("new_resolution_id", sa.Integer(), nullable=False),
        sa.Column("old_status", sa.String(length=20), nullable=False),
        sa.Column("new_status", sa.String(length=20), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("old_versions", sa.Text(), nullable=False),
        sa.Column("new_versions", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["new_resolution_id"],
            ["resolutions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["old_resolution_id"],
            ["resolutions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rematches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rematches_at"), ["at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("rematches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rematches_at"))

    op.drop_table("rematches")
