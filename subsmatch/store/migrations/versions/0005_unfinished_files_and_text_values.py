"""files being written stay invisible; report values as unbounded text

An ingest now writes a file in short transactions, one per chunk: ``files.writing_since`` is the
time of its last write while it is written (every query reads only files where it is null), and
becomes null when the file is complete. Values a report prints (a case number, a device's serial,
a CAS field of 41 characters as real NIST libraries print it) were VARCHAR(n), which PostgreSQL
enforces: they become TEXT.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WIDENED = {
    "analyses": {
        "case_id": 120,
        "item_id": 120,
        "technique": 60,
        "vendor": 120,
        "model": 120,
        "serial": 120,
        "library_version": 120,
        "operator": 120,
        "measured_at_raw": 80,
        "country": 60,
    },
    "findings": {"cas": 20, "cas_raw": 40, "formula": 80},
    "files": {"profile": 80},
}
"""The report-value columns that were VARCHAR(n), by table: column -> n."""


def upgrade() -> None:
    # a database made before migrations got its tables from the models, this column included
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("files")}
    if "writing_since" not in present:
        with op.batch_alter_table("files", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("writing_since", sa.DateTime(timezone=True), nullable=True)
            )
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(
                    column, existing_type=sa.String(length), type_=sa.Text(), existing_nullable=True
                )


def downgrade() -> None:
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, length in columns.items():
                batch_op.alter_column(
                    column, existing_type=sa.Text(), type_=sa.String(length), existing_nullable=True
                )
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("writing_since")
