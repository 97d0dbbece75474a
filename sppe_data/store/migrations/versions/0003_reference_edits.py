"""Reference data edited in the app: one row per reference group (targets, pôles,
régions, activity kinds ↔ indicators, travel fee) holding the edited values as a JSON
document (null: the files shipped with the code apply), and its revision counter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Written out, not imported from the code: a migration is frozen history.
GROUPS = ("cibles", "poles", "regions", "correspondance", "forfait")


def upgrade() -> None:
    edits = op.create_table(
        "reference_edits",
        sa.Column("ref_group", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("document", sa.Text()),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("updated_at", sa.DateTime()),
    )
    op.bulk_insert(edits, [{"ref_group": g, "version": 0, "document": None} for g in GROUPS])
    revisions = sa.table(
        "store_revision", sa.column("table_name", sa.String), sa.column("revision", sa.BigInteger)
    )
    op.bulk_insert(revisions, [{"table_name": "reference_edits", "revision": 0}])


def downgrade() -> None:
    op.execute("delete from store_revision where table_name = 'reference_edits'")
    op.drop_table("reference_edits")
