"""Committee governance: annual orientations, experiments, work-plan milestones (the 2024
plan of the mission letter pre-loaded), meetings with their decisions and actions,
service contracts of the pivot Cafs and their reviews, pivot-Caf candidates and the
weights of the selection criteria; one revision counter ``governance`` for them all.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Written out, not imported from the code: a migration is frozen history.
POLES = ("idf_hdf", "centre_est", "mediterranee", "atlantique", "centre_ouest")
S1_END, S2_END, IN_POST = date(2024, 6, 30), date(2024, 12, 31), date(2024, 5, 31)
MISSION_OWNER = "Cnaf – Dpfas"
POLE_OWNER = "Direction de la Caf pivot"
# The 2024 work plan, section 5 of the mission letter: (half, pôle or None, title, due).
PLAN_2024 = [
    *(
        (
            1,
            pole,
            "Recrutement de l'équipe du pôle (7 à 9 collaborateurs, 4 emplois), "
            "prise de fonction en mai 2024",
            IN_POST,
        )
        for pole in POLES
    ),
    (1, None, "Formation des équipes (plan de formation commun aux Caf pivots)", S1_END),
    (1, None, "Outils de communication sur le rôle de la mission territoriale SPPE", S1_END),
    (
        1,
        None,
        "Outils formalisés d'intervention des pôles (mandat, protocoles d'intervention)",
        S1_END,
    ),
    (1, None, "Tableaux de bord et outils collaboratifs", S1_END),
    *((1, pole, "Prise de contact avec les Caf du ressort géographique", S1_END) for pole in POLES),
    (
        1,
        None,
        "Création et test des protocoles de contrôle des groupes d'EAJE PSU et des MC Paje",
        S1_END,
    ),
    (1, None, "Actualisation du kit IDA", S1_END),
    (
        2,
        None,
        "Démarrage des missions d'ingénierie, en priorité sur les territoires ayant "
        "un volume important de nouvelles places à créer",
        S2_END,
    ),
    (2, None, "Réalisation des contrôles multi-départementaux", S2_END),
    (2, None, "Accompagnement des Caf dans la prise en charge des contrôles en MC Paje", S2_END),
]


def _meta() -> list[sa.Column]:
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
        "gov_orientations",
        sa.Column("orientation_id", sa.String(40), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("details", sa.Text()),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("indicator_codes", sa.String(400), nullable=False, server_default=""),
        *_meta(),
    )
    op.create_table(
        "gov_experiments",
        sa.Column("experiment_id", sa.String(40), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("lead_pole_code", sa.String(40)),
        sa.Column("pole_codes", sa.String(400), nullable=False, server_default=""),
        sa.Column("started_on", sa.Date()),
        sa.Column("ended_on", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("learnings", sa.Text()),
        sa.Column("owner", sa.String(200), nullable=False),
        *_meta(),
    )
    milestones = op.create_table(
        "gov_milestones",
        sa.Column("milestone_id", sa.String(40), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("half", sa.Integer(), nullable=False),
        sa.Column("pole_code", sa.String(40)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("evidence", sa.Text()),
        sa.Column("owner", sa.String(200)),
        *_meta(),
    )
    op.create_table(
        "gov_meetings",
        sa.Column("meeting_id", sa.String(40), primary_key=True),
        sa.Column("committee", sa.String(20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(200)),
        *_meta(),
        sa.UniqueConstraint("committee", "held_on", name="uq_gov_meetings_committee_day"),
    )
    op.create_table(
        "gov_decisions",
        sa.Column("decision_id", sa.String(40), primary_key=True),
        sa.Column(
            "meeting_id", sa.String(40), sa.ForeignKey("gov_meetings.meeting_id"), nullable=False
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pole_code", sa.String(40)),
        *_meta(),
    )
    op.create_table(
        "gov_actions",
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
        *_meta(),
    )
    op.create_table(
        "gov_contracts",
        sa.Column("contract_id", sa.String(40), primary_key=True),
        sa.Column("caf_code", sa.String(10), nullable=False),
        sa.Column("pole_code", sa.String(40), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date()),
        sa.Column("objectives", sa.Text(), nullable=False),
        *_meta(),
    )
    op.create_table(
        "gov_contract_reviews",
        sa.Column("review_id", sa.String(40), primary_key=True),
        sa.Column(
            "contract_id",
            sa.String(40),
            sa.ForeignKey("gov_contracts.contract_id"),
            nullable=False,
        ),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("points_raised", sa.Text(), nullable=False),
        sa.Column("follow_up", sa.Text()),
        *_meta(),
    )
    op.create_table(
        "gov_candidates",
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
        *_meta(),
    )
    op.create_table(
        "gov_selection_weights",
        sa.Column("campaign", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("criterion", sa.String(40), primary_key=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    loaded_at = datetime(2024, 1, 1)
    rows = []
    for n, (half, pole, title, due) in enumerate(PLAN_2024, start=1):
        milestone_id = f"JL2024-{n:02d}"
        rows.append({
            "milestone_id": milestone_id, "year": 2024, "half": half, "pole_code": pole,
            "title": title, "due_on": due, "status": "a_faire", "evidence": None,
            "owner": POLE_OWNER if pole else MISSION_OWNER,
            "submission_token": f"lettre-de-mission-{milestone_id}",
            "created_by": "lettre de mission", "created_at": loaded_at, "is_deleted": False,
        })  # fmt: skip
    op.bulk_insert(milestones, rows)
    revisions = sa.table(
        "store_revision", sa.column("table_name", sa.String), sa.column("revision", sa.BigInteger)
    )
    op.bulk_insert(revisions, [{"table_name": "governance", "revision": 0}])


def downgrade() -> None:
    op.execute("delete from store_revision where table_name = 'governance'")
    for name in (
        "gov_selection_weights", "gov_candidates", "gov_contract_reviews", "gov_contracts",
        "gov_actions", "gov_decisions", "gov_meetings", "gov_milestones", "gov_experiments",
        "gov_orientations",
    ):  # fmt: skip
        op.drop_table(name)
