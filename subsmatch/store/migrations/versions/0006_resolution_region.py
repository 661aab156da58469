"""a stored resolution is kept per region

Street names are regional: 'big h' is heroin for a user in the US and unresolved, its US meaning
named, for one in Europe (``--region``, $SUBSMATCH_REGION, the config's region). A resolution
stored for one region must not be reused for another, so the region joins the resolution's key.
Resolutions stored before carry region "" (not recorded): never reused, and judged again by
``rematch`` under the current region.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

VERSIONS_KEY = ("query", "data_version", "rules_version", "tool_version")
REGION_KEY = "uq_resolutions_query_versions_region"
UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
"""SQLite keeps the old key unnamed: batch mode names it by this convention to drop it."""


def _unique_keys() -> dict[tuple[str, ...], str]:
    found = sa.inspect(op.get_bind()).get_unique_constraints("resolutions")
    return {tuple(u["column_names"]): u["name"] or "uq_resolutions_query" for u in found}


def upgrade() -> None:
    # a database made before migrations got this table from the models, region included
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("resolutions")}
    keys = _unique_keys()
    with op.batch_alter_table("resolutions", naming_convention=UNNAMED) as batch_op:
        if "region" not in present:
            batch_op.add_column(
                sa.Column("region", sa.String(40), nullable=False, server_default="")
            )
        if VERSIONS_KEY in keys:
            batch_op.drop_constraint(keys[VERSIONS_KEY], type_="unique")
        if REGION_KEY not in keys.values():
            batch_op.create_unique_constraint(REGION_KEY, [*VERSIONS_KEY, "region"])


def downgrade() -> None:
    with op.batch_alter_table("resolutions") as batch_op:
        batch_op.drop_constraint(REGION_KEY, type_="unique")
        batch_op.drop_column("region")
        batch_op.create_unique_constraint(None, list(VERSIONS_KEY))
