"""The store's tables: everything the app writes, as SQLAlchemy Core tables.

One relational database holds them (a SQLite file by default, PostgreSQL in
deployments). The Alembic migrations under ``migrations/versions`` create and change
them; a test checks that the migrations and these tables agree.

- ``activity_entries`` / ``request_entries``: activities and Caf requests logged in
  the app. Grain: one entry. The extract's columns (same names, same meaning) then the
  entry's metadata: submission token (unique: a resubmitted form is a no-op), who and
  when created and last updated, soft-deletion flag.
- ``request_events``: one step of a saisine after its reception (taken up, closed,
  cancelled, redirected), dated, by whom; any saisine, of the national extract or of the
  journal. Append-only (``sppe_data.saisines``); ``step_no`` is unique per saisine, so two
  steps recorded at once cannot both follow the same one. Its writes bump the
  ``request_entries`` counter: the saisines readers see change with either table.
- ``audit_log``: one change of anything the app stores (who, role, when, before and
  after as JSON). Append-only.
- ``accounts``: one sign-in account (local password or identity provider).
- ``signin_failures``: one failed local sign-in, for the per-address throttle.
- ``extract_versions``: one version of a national extract (an import, a rollback, or
  the files found in place, adopted at the first import): its folder of immutable
  Parquet files under ``extracts/<name>/versions/``, who, when, source, data date, row
  count; one row per extract is current (``sppe_data.imports.versions``).
- ``reference_edits``: one reference group edited in the app (targets, pôles, régions,
  activity kinds ↔ indicators, travel fee): its values as a JSON document (null: the
  files shipped with the code apply), version, who and when (``sppe_data.reference_edits``).
- ``gov_*``: the committee's governance records (``sppe_data.governance``): annual
  orientations, experiments, work-plan milestones, meetings with their decisions and
  actions, service contracts of the pivot Cafs and their semester reviews, candidates to
  become a pivot Caf and the weights of the selection criteria. Grain: one record; soft
  deletion like the journal entries.
- ``store_revision``: one counter per table, bumped in the transaction of every write;
  readers key their caches by it. The row ``store_generation`` changes on restore.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Audit ids grow forever: 64-bit on PostgreSQL; SQLite needs INTEGER for its rowid alias.
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


activity_entries = sa.Table(
    "activity_entries",
    metadata,
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
    sa.Index("ix_activity_entries_created_by", "created_by", "created_at"),
)

request_entries = sa.Table(
    "request_entries",
    metadata,
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

request_events = sa.Table(
    "request_events",
    metadata,
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

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("audit_id", BigId, primary_key=True, autoincrement=True),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("actor_role", sa.String(20), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("before_json", sa.Text()),
    sa.Column("after_json", sa.Text()),
    sa.Index("ix_audit_log_entity", "entity", "entity_id"),
)

accounts = sa.Table(
    "accounts",
    metadata,
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

signin_failures = sa.Table(
    "signin_failures",
    metadata,
    sa.Column("failure_id", BigId, primary_key=True, autoincrement=True),
    sa.Column("client_key", sa.String(100), nullable=False),
    sa.Column("username", sa.String(200)),
    sa.Column("failed_at", sa.DateTime(), nullable=False),
    sa.Index("ix_signin_failures_client", "client_key", "failed_at"),
)

extract_versions = sa.Table(
    "extract_versions",
    metadata,
    sa.Column("extract_name", sa.String(40), primary_key=True),
    sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("is_current", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("action", sa.String(20), nullable=False),  # import | rollback | adopt
    sa.Column("folder", sa.String(60), nullable=False),  # under extracts/<name>/versions/
    sa.Column("restored_from", sa.Integer()),  # rollback: the version whose files it uses
    sa.Column("imported_by", sa.String(200), nullable=False),
    sa.Column("imported_at", sa.DateTime(), nullable=False),
    sa.Column("source_label", sa.String(200), nullable=False),
    sa.Column("data_date", sa.Date()),
    sa.Column("row_count", sa.BigInteger(), nullable=False),
    sa.Column("file_name", sa.String(300), nullable=False),
    sa.Column("years", sa.String(300)),  # coverage: the years of the imported file
    sa.Column("purged_at", sa.DateTime()),  # files deleted (older than the versions kept)
)

reference_edits = sa.Table(
    "reference_edits",
    metadata,
    sa.Column("ref_group", sa.String(40), primary_key=True),
    sa.Column("version", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("document", sa.Text()),  # JSON; null: the shipped files apply
    sa.Column("updated_by", sa.String(200)),
    sa.Column("updated_at", sa.DateTime()),
)

# --- committee governance (``sppe_data.governance``) -----------------------------------
# One table per kind of record; codes, not labels; ``pole_code`` NULL = the mission.

gov_orientations = sa.Table(
    "gov_orientations",
    metadata,
    sa.Column("orientation_id", sa.String(40), primary_key=True),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("details", sa.Text()),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("indicator_codes", sa.String(400), nullable=False, server_default=""),
    *_entry_meta(),
)

gov_experiments = sa.Table(
    "gov_experiments",
    metadata,
    sa.Column("experiment_id", sa.String(40), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("lead_pole_code", sa.String(40)),
    sa.Column("pole_codes", sa.String(400), nullable=False, server_default=""),
    sa.Column("started_on", sa.Date()),
    sa.Column("ended_on", sa.Date()),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("learnings", sa.Text()),
    sa.Column("owner", sa.String(200), nullable=False),
    *_entry_meta(),
)

gov_milestones = sa.Table(
    "gov_milestones",
    metadata,
    sa.Column("milestone_id", sa.String(40), primary_key=True),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("half", sa.Integer(), nullable=False),
    sa.Column("pole_code", sa.String(40)),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("evidence", sa.Text()),
    sa.Column("owner", sa.String(200)),
    *_entry_meta(),
)

gov_meetings = sa.Table(
    "gov_meetings",
    metadata,
    sa.Column("meeting_id", sa.String(40), primary_key=True),
    sa.Column("committee", sa.String(20), nullable=False),
    sa.Column("held_on", sa.Date(), nullable=False),
    sa.Column("title", sa.String(200)),
    *_entry_meta(),
    sa.UniqueConstraint("committee", "held_on", name="uq_gov_meetings_committee_day"),
)

gov_decisions = sa.Table(
    "gov_decisions",
    metadata,
    sa.Column("decision_id", sa.String(40), primary_key=True),
    sa.Column(
        "meeting_id", sa.String(40), sa.ForeignKey("gov_meetings.meeting_id"), nullable=False
    ),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("pole_code", sa.String(40)),
    *_entry_meta(),
)

gov_actions = sa.Table(
    "gov_actions",
    metadata,
    sa.Column("action_id", sa.String(40), primary_key=True),
    sa.Column(
        "meeting_id", sa.String(40), sa.ForeignKey("gov_meetings.meeting_id"), nullable=False
    ),
    sa.Column("pole_code", sa.String(40)),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("owner", sa.String(200), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("closed_on", sa.Date()),
    sa.Column("orientation_id", sa.String(40)),
    *_entry_meta(),
)

gov_contracts = sa.Table(
    "gov_contracts",
    metadata,
    sa.Column("contract_id", sa.String(40), primary_key=True),
    sa.Column("caf_code", sa.String(10), nullable=False),
    sa.Column("pole_code", sa.String(40), nullable=False),
    sa.Column("signed_on", sa.Date(), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("ends_on", sa.Date()),
    sa.Column("objectives", sa.Text(), nullable=False),
    *_entry_meta(),
)

gov_contract_reviews = sa.Table(
    "gov_contract_reviews",
    metadata,
    sa.Column("review_id", sa.String(40), primary_key=True),
    sa.Column(
        "contract_id", sa.String(40), sa.ForeignKey("gov_contracts.contract_id"), nullable=False
    ),
    sa.Column("reviewed_on", sa.Date(), nullable=False),
    sa.Column("points_raised", sa.Text(), nullable=False),
    sa.Column("follow_up", sa.Text()),
    *_entry_meta(),
)

gov_candidates = sa.Table(
    "gov_candidates",
    metadata,
    sa.Column("candidate_id", sa.String(40), primary_key=True),
    sa.Column("campaign", sa.Integer(), nullable=False),
    sa.Column("caf_code", sa.String(10), nullable=False),
    sa.Column("pole_code", sa.String(40)),
    sa.Column("controller_hires_5y", sa.Integer(), nullable=False),
    sa.Column("ccd_hires_5y", sa.Integer(), nullable=False),
    sa.Column("hiring_delay_days", sa.Float(), nullable=False),
    sa.Column("control_productivity", sa.Float(), nullable=False),
    sa.Column("financial_impact_eur", sa.Float(), nullable=False),
    sa.Column("places_financed_2018_2022", sa.Integer(), nullable=False),
    sa.Column("general_situation_score", sa.Float(), nullable=False),
    sa.Column("transport_score", sa.Float(), nullable=False),
    sa.Column("premises_ready", sa.Boolean(), nullable=False),
    sa.Column("note", sa.Text()),
    *_entry_meta(),
)

gov_selection_weights = sa.Table(
    "gov_selection_weights",
    metadata,
    sa.Column("campaign", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("criterion", sa.String(40), primary_key=True),
    sa.Column("weight", sa.Float(), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)

store_revision = sa.Table(
    "store_revision",
    metadata,
    sa.Column("table_name", sa.String(60), primary_key=True),
    sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"),
)

# The counters seeded by the migrations: every written table, and the generation.
GENERATION = "store_generation"
REVISED_TABLES = (
    "activity_entries",
    "request_entries",
    "audit_log",
    "accounts",
    "extract_versions",
    "reference_edits",
    "governance",  # every gov_* table: small, read whole by the pages
)
