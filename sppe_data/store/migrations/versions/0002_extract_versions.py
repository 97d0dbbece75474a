"""The versions of the national extracts: one row per import, rollback or adoption of
the files already in place; which one is current; its revision counter.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written out, not imported from schema.py: a migration is frozen history.
    op.create_table(
        "extract_versions",
        sa.Column("extract_name", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("is_current", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("folder", sa.String(60), nullable=False),
        sa.Column("restored_from", sa.Integer()),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("source_label", sa.String(200), nullable=False),
        sa.Column("data_date", sa.Date()),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("years", sa.String(300)),
        sa.Column("purged_at", sa.DateTime()),
    )
    revisions = sa.table(
        "store_revision", sa.column("table_name", sa.String), sa.column("revision", sa.BigInteger)
    )
    op.bulk_insert(revisions, [{"table_name": "extract_versions", "revision": 0}])


def downgrade() -> None:
    op.execute("delete from store_revision where table_name = 'extract_versions'")
    op.drop_table("extract_versions")
