"""The first schema of the store: journal entries, audit log, accounts, sign-in
failures, revision counters.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out, not imported from schema.py: a migration is frozen history.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _entry_meta() -> list[sa.Column]:
    return [
        sa.Column("submission_token", sa.String(100), nullable=False, unique=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(200)),
        sa.Column("updated_at", sa.DateTime()),
        sa.Column("is_deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
    ]


def upgrade() -> None:
    op.create_table(
        "activity_entries",
        sa.Column("activity_id", sa.String(40), primary_key=True),
        sa.Column("activity_kind", sa.String(60), nullable=False),
        sa.Column("pole_code", sa.String(40), nullable=False),
        sa.Column("caf_code", sa.String(10)),
        sa.Column("dep_code", sa.String(10)),
        sa.Column("equipment_kind", sa.String(40)),
        sa.Column("partner_id", sa.String(60)),
        sa.Column("request_id", sa.String(40)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("activity_on", sa.Date(), nullable=False),
        sa.Column("days_spent", sa.Float()),
        sa.Column("has_findings", sa.Boolean()),
        sa.Column("undue_amount_eur", sa.Float()),
        sa.Column("recovered_amount_eur", sa.Float()),
        sa.Column("places_count", sa.Integer()),
        sa.Column("travel_fee_eur", sa.Float()),
        sa.Column("comment", sa.Text()),
        *_entry_meta(),
    )
    op.create_index(
        "ix_activity_entries_created_by", "activity_entries", ["created_by", "created_at"]
    )
    op.create_table(
        "request_entries",
        sa.Column("request_id", sa.String(40), primary_key=True),
        sa.Column("caf_code", sa.String(10), nullable=False),
        sa.Column("pole_code", sa.String(40)),
        sa.Column("request_nature", sa.String(60), nullable=False),
        sa.Column("routing", sa.String(20)),
        sa.Column("priority", sa.String(20)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("taken_up_on", sa.Date()),
        sa.Column("closed_on", sa.Date()),
        *_entry_meta(),
    )
    op.create_table(
        "audit_log",
        sa.Column("audit_id", BigId, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("before_json", sa.Text()),
        sa.Column("after_json", sa.Text()),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(200), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("pole_code", sa.String(40)),
        sa.Column("password_hash", sa.String(300)),
        sa.Column("auth_source", sa.String(10), nullable=False, server_default="local"),
        sa.Column("is_disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("failed_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime()),
    )
    op.create_table(
        "signin_failures",
        sa.Column("failure_id", BigId, primary_key=True, autoincrement=True),
        sa.Column("client_key", sa.String(100), nullable=False),
        sa.Column("username", sa.String(200)),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_signin_failures_client", "signin_failures", ["client_key", "failed_at"])
    revisions = op.create_table(
        "store_revision",
        sa.Column("table_name", sa.String(60), primary_key=True),
        sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"),
    )
    names = ["activity_entries", "request_entries", "audit_log", "accounts", "store_generation"]
    op.bulk_insert(revisions, [{"table_name": n, "revision": 0} for n in names])


def downgrade() -> None:
    for table in (
        "store_revision",
        "signin_failures",
        "accounts",
        "audit_log",
        "request_entries",
        "activity_entries",
    ):
        op.drop_table(table)
