"""drop the unused index on analyses.measured_at

Every query filters on coalesce(measured_at, the file's ingested_at), which no index on
measured_at can serve; the index only cost writes (about 5% of an ingest's inserts) and space.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analyses_measured_at"), if_exists=True)


def downgrade() -> None:
    with op.batch_alter_table("analyses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analyses_measured_at"), ["measured_at"], unique=False)
