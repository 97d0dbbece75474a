"""The steps of a saisine after its reception (taken up, closed with an outcome,
cancelled, redirected), dated and by whom: ``request_events``, append-only. Its writes
bump the existing ``request_entries`` counter (no counter of its own).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_events",
        sa.Column("event_id", sa.String(40), primary_key=True),
        sa.Column("request_id", sa.String(40), nullable=False),
        sa.Column("step_no", sa.Integer(), nullable=False),
        sa.Column("event_kind", sa.String(20), nullable=False),
        sa.Column("event_on", sa.Date(), nullable=False),
        sa.Column("taken_up_by", sa.String(100)),
        sa.Column("outcome_code", sa.String(40)),
        sa.Column("redirected_to", sa.String(200)),
        sa.Column("comment", sa.Text()),
        sa.Column("submission_token", sa.String(100), nullable=False, unique=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("request_id", "step_no", name="uq_request_events_step"),
    )


def downgrade() -> None:
    op.drop_table("request_events")
