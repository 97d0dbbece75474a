"""Governance records: validation of each kind, rights checked by the data layer (a pôle
editing another pôle's records refused), idempotent creation, audit, soft deletion, the
"late action" and "late milestone" rules, the 2024 work plan pre-loaded by the
migration; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa

from sppe_data import governance as gov
from sppe_data import store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.entries import ValidationError
from sppe_data.store import schema

READER = Principal("lecteur", "Lecteur", "reader")
ADMIN = Principal("admin", "Admin", "admin")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
POLE_MED = Principal("agent.med", "Agent Méditerranée", "pole", "mediterranee")
CNAF = Principal("dpfas", "Dpfas", "cnaf")


def milestone(**over) -> dict:
    return {
        "year": 2025, "half": 1, "pole_code": "idf_hdf", "title": "Premier contact",
        "due_on": date(2025, 3, 31), "status": "a_faire", "evidence": None, "owner": "M. A",
        **over,
    }  # fmt: skip


def experiment(**over) -> dict:
    return {
        "title": "Contrôle à distance", "lead_pole_code": "idf_hdf", "pole_codes": "atlantique",
        "started_on": date(2025, 1, 6), "ended_on": None, "status": "en_cours",
        "learnings": None, "owner": "Mme B", **over,
    }  # fmt: skip


def audit_rows(entity: str) -> list:
    table = schema.audit_log
    return store.get_store().rows(
        sa.select(table.c.entity_id, table.c.action, table.c.actor, table.c.after_json)
        .where(table.c.entity == entity)
        .order_by(table.c.audit_id)
    )


def action(meeting_id: str, **over) -> dict:
    return {
        "meeting_id": meeting_id, "pole_code": None, "title": "Relancer les Caf",
        "owner": "Mme C", "due_on": date(2025, 1, 31), "status": "ouverte", "closed_on": None,
        "orientation_id": None, **over,
    }  # fmt: skip


# --- the 2024 work plan -----------------------------------------------------------------


def test_the_2024_work_plan_of_the_letter_is_loaded(store_url):
    plan = gov.records("milestone", year=2024)
    # Letter, section 5: S1 = recruitment and first contact for each of the 5 pôles (10),
    # training, communication tools, intervention tools, dashboards, control protocols,
    # IDA kit (6); S2 = engineering missions, multi-département controls, MC Paje (3).
    assert plan.height == 19
    assert plan.filter(pl.col("half") == 1).height == 16
    assert plan.filter(pl.col("half") == 2).height == 3
    assert plan.filter(pl.col("pole_code").is_not_null())["pole_code"].n_unique() == 5
    assert set(plan["status"]) == {"a_faire"}
    assert plan["due_on"].max() == date(2024, 12, 31)
    late = gov.milestones(2024, date(2024, 7, 1))
    assert late.filter(pl.col("is_late")).height == 16  # every S1 item, none of S2


# --- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "field"),
    [
        ("milestone", milestone(due_on=date(2026, 3, 1)), "due_on"),  # not in the plan's year
        ("milestone", milestone(half=3), "half"),
        ("milestone", milestone(status="termine"), "status"),
        ("milestone", milestone(pole_code="lune"), "pole_code"),
        ("milestone", milestone(title=""), "title"),
        ("milestone", milestone(title="x" * 301), "title"),
        ("milestone", milestone(title=42), "title"),
        ("milestone", milestone(title="ok\u202eko"), "title"),
        ("milestone", milestone(due_on="31/03/2025"), "due_on"),  # a date, not a text
        ("milestone", milestone(year=True), "year"),
        ("experiment", experiment(ended_on=date(2024, 12, 1)), "ended_on"),
        ("experiment", experiment(pole_codes="atlantique,xx"), "pole_codes"),
        ("orientation", {"year": 2026, "title": "T", "owner": "O",
                         "indicator_codes": "suivis_ida,inconnu"}, "indicator_codes"),
        ("contract", {"caf_code": "999", "pole_code": "idf_hdf", "signed_on": date(2024, 5, 2),
                      "starts_on": date(2024, 5, 2), "objectives": "x"}, "caf_code"),
        ("review", {"contract_id": "CS1", "reviewed_on": date(2035, 1, 1),
                    "points_raised": "x"}, "reviewed_on"),  # in the future
        ("meeting", {"committee": "copil", "held_on": date(2035, 6, 1)}, "held_on"),
        ("meeting", {"committee": "bureau", "held_on": date(2025, 6, 1)}, "committee"),
        ("decision", {"meeting_id": "RE1", "text": "   "}, "text"),
        ("decision", {"meeting_id": "RE1", "text": "x" * 2001}, "text"),
        ("action", {"meeting_id": "RE1", "title": "T", "owner": "O", "due_on": date(2025, 3, 1),
                    "status": "ouverte", "closed_on": date(2025, 3, 2)}, "closed_on"),
        ("candidate", {"campaign": 2024, "caf_code": "59", "controller_hires_5y": -1,
                       "ccd_hires_5y": 1, "hiring_delay_days": 1.0,
                       "control_productivity": 1.0, "financial_impact_eur": 1.0,
                       "places_financed_2018_2022": 1, "general_situation_score": 1.0,
                       "transport_score": 1.0, "premises_ready": True},
         "controller_hires_5y"),
        ("candidate", {"campaign": 2024, "caf_code": "59", "controller_hires_5y": 1,
                       "ccd_hires_5y": 1, "hiring_delay_days": float("nan"),
                       "control_productivity": 1.0, "financial_impact_eur": 1.0,
                       "places_financed_2018_2022": 1, "general_situation_score": 6.0,
                       "transport_score": 1.0, "premises_ready": "oui"},
         "general_situation_score"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_in_french_and_nothing_is_written(store_url, kind, raw, field):
    before = gov.records(kind).height
    with pytest.raises(ValidationError) as caught:
        gov.save(CNAF, kind, raw, token=f"t-{kind}-{field}")
    assert field in caught.value.errors
    message = caught.value.errors[field]
    assert message and message[0].isupper() and message.endswith(".")
    assert gov.records(kind).height == before
    assert audit_rows(gov.KINDS[kind].entity) == []


def test_an_unknown_field_is_refused(store_url):
    with pytest.raises(ValidationError) as caught:
        gov.save(CNAF, "milestone", {**milestone(), "is_deleted": True}, token="t")
    assert "inconnu" in caught.value.errors[""]


def test_an_action_closed_before_its_meeting_or_closed_without_date_is_refused(store_url):
    meeting = gov.meeting_for(CNAF, "copil", date(2025, 1, 10))
    with pytest.raises(ValidationError) as caught:
        gov.save(CNAF, "action", action(meeting, status="faite"), token="a1")
    assert "closed_on" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        gov.save(CNAF, "action", action(meeting, status="faite", closed_on=date(2025, 1, 9)),
                 token="a2")  # fmt: skip
    assert "précède la réunion" in caught.value.errors["closed_on"]
    with pytest.raises(ValidationError) as caught:
        gov.save(CNAF, "action", action("RE-inconnue"), token="a3")
    assert "introuvable" in caught.value.errors["meeting_id"]
    assert gov.records("action").is_empty()


def test_the_same_caf_twice_in_a_campaign_is_refused(store_url):
    candidate = {
        "campaign": 2024, "caf_code": "59", "pole_code": "idf_hdf", "controller_hires_5y": 4,
        "ccd_hires_5y": 2, "hiring_delay_days": 60.0, "control_productivity": 80.0,
        "financial_impact_eur": 120_000.0, "places_financed_2018_2022": 900,
        "general_situation_score": 3.0, "transport_score": 4.0, "premises_ready": True,
        "note": None,
    }  # fmt: skip
    gov.save(CNAF, "candidate", candidate, token="c1")
    with pytest.raises(ValidationError) as caught:
        gov.save(CNAF, "candidate", candidate, token="c2")
    assert "déjà candidate" in caught.value.errors["caf_code"]
    other = gov.save(CNAF, "candidate", {**candidate, "campaign": 2025}, token="c3")
    assert other.created


# --- rights --------------------------------------------------------------------------


@pytest.mark.parametrize("who", [READER, ADMIN, None])
def test_readers_and_admins_write_nothing(store_url, who):
    for kind, raw in (("milestone", milestone()), ("experiment", experiment())):
        with pytest.raises(AccessDenied):
            gov.save(who, kind, raw, token=f"t-{kind}")
    with pytest.raises(AccessDenied):
        gov.meeting_for(who, "copil", date(2025, 1, 10))
    assert gov.records("milestone", year=2025).is_empty()
    assert gov.records("meeting").is_empty()


def test_a_pole_writes_its_own_records_only(store_url):
    saved = gov.save(POLE_IDF, "milestone", milestone(), token="m1")
    assert saved.created
    # Another pôle's milestone, the mission's, or moving its own to another pôle: refused.
    with pytest.raises(AccessDenied, match="votre pôle"):
        gov.save(POLE_IDF, "milestone", milestone(pole_code="mediterranee"), token="m2")
    with pytest.raises(AccessDenied, match="mission"):
        gov.save(POLE_IDF, "milestone", milestone(pole_code=None), token="m3")
    with pytest.raises(AccessDenied):
        gov.save(POLE_IDF, "milestone", milestone(pole_code="mediterranee"),
                 record_id=saved.entity_id)  # fmt: skip
    with pytest.raises(AccessDenied):
        gov.save(POLE_MED, "milestone", milestone(pole_code="mediterranee"),
                 record_id=saved.entity_id)  # fmt: skip
    with pytest.raises(AccessDenied):
        gov.delete(POLE_MED, "milestone", saved.entity_id)
    # Experiments: by the pôle that leads them; orientations, contracts, decisions: Cnaf.
    assert gov.save(POLE_IDF, "experiment", experiment(), token="e1").created
    with pytest.raises(AccessDenied):
        gov.save(POLE_MED, "experiment", experiment(), token="e2")
    with pytest.raises(AccessDenied, match="Cnaf"):
        gov.save(POLE_IDF, "orientation",
                 {"year": 2026, "title": "T", "owner": "O"}, token="o1")  # fmt: skip
    meeting = gov.meeting_for(POLE_IDF, "controle", date(2025, 2, 3))
    with pytest.raises(AccessDenied, match="Cnaf"):
        gov.save(POLE_IDF, "decision", {"meeting_id": meeting, "text": "D"}, token="d1")
    assert gov.save(POLE_IDF, "action", action(meeting, pole_code="idf_hdf"), token="a1").created
    with pytest.raises(AccessDenied):
        gov.save(POLE_IDF, "action", action(meeting, pole_code="atlantique"), token="a2")
    stored = gov.records("milestone", year=2025)
    assert stored["pole_code"].to_list() == ["idf_hdf"]
    assert gov.records("action")["pole_code"].to_list() == ["idf_hdf"]


def test_the_cnaf_edits_every_pole(store_url):
    saved = gov.save(POLE_IDF, "milestone", milestone(), token="m1")
    gov.save(CNAF, "milestone", milestone(pole_code="mediterranee", status="fait",
             evidence="Compte rendu du 31/03"), record_id=saved.entity_id)  # fmt: skip
    row = gov.records("milestone", year=2025).row(0, named=True)
    assert (row["pole_code"], row["status"], row["updated_by"]) == ("mediterranee", "fait", "dpfas")
    assert row["created_by"] == "agent.idf"


# --- writes: idempotent, audited, soft-deleted ------------------------------------------


def test_creation_is_idempotent_audited_and_deletion_soft(store_url):
    first = gov.save(CNAF, "experiment", experiment(), token="same")
    again = gov.save(CNAF, "experiment", experiment(title="Autre"), token="same")
    assert first.created and not again.created and again.entity_id == first.entity_id
    frame = gov.records("experiment")
    assert frame.height == 1 and frame["title"][0] == "Contrôle à distance"
    # The lead pôle always takes part.
    assert frame["pole_codes"][0] == "idf_hdf,atlantique"
    assert frame.schema["started_on"] == pl.Date
    gov.delete(CNAF, "experiment", first.entity_id)
    assert gov.records("experiment").is_empty()
    with pytest.raises(LookupError, match="introuvable"):
        gov.delete(CNAF, "experiment", first.entity_id)
    rows = audit_rows("experimentation")
    assert [r.action for r in rows] == ["creation", "suppression"]
    assert json.loads(rows[0].after_json)["title"] == "Contrôle à distance"
    assert store.get_store().revisions()["governance"] == 2


def test_a_meeting_with_live_actions_cannot_be_deleted(store_url):
    meeting = gov.meeting_for(CNAF, "copil", date(2025, 1, 10))
    assert gov.meeting_for(CNAF, "copil", date(2025, 1, 10)) == meeting  # one per day
    saved = gov.save(CNAF, "action", action(meeting), token="a1")
    with pytest.raises(ValidationError, match="rattachés"):
        gov.delete(CNAF, "meeting", meeting)
    gov.delete(CNAF, "action", saved.entity_id)
    gov.delete(CNAF, "meeting", meeting)
    assert gov.records("meeting").is_empty()
    again = gov.meeting_for(CNAF, "copil", date(2025, 1, 10))  # held again that day
    assert again == meeting and gov.records("meeting").height == 1


# --- the "late" rules ----------------------------------------------------------------


def test_open_and_late_actions_by_hand(store_url):
    """An action decided at the risk-control committee of 10/01/2025, due 31/01, closed
    15/02: at the next meeting (20/01) open, not late; at the one of 12/02 open and late;
    at the one of 10/03 gone. The engineering committee never sees it."""
    january = gov.meeting_for(CNAF, "controle", date(2025, 1, 10))
    saved = gov.save(CNAF, "action", action(january), token="a1")
    assert gov.carried_actions("controle", date(2025, 1, 10)).is_empty()  # its own meeting
    at_20 = gov.carried_actions("controle", date(2025, 1, 20))
    assert at_20["action_id"].to_list() == [saved.entity_id]
    assert at_20["is_late"].to_list() == [False]
    gov.save(CNAF, "action", action(january, status="faite", closed_on=date(2025, 2, 15)),
             record_id=saved.entity_id)  # fmt: skip
    at_12_feb = gov.carried_actions("controle", date(2025, 2, 12))
    assert at_12_feb["is_late"].to_list() == [True]  # closed after that meeting
    assert at_12_feb["meeting_held_on"].to_list() == [date(2025, 1, 10)]
    assert gov.carried_actions("controle", date(2025, 3, 10)).is_empty()
    assert gov.carried_actions("ingenierie", date(2025, 2, 12)).is_empty()
    assert gov.open_actions(date(2025, 2, 1))["is_late"].to_list() == [True]
    assert gov.open_actions(date(2025, 1, 9)).is_empty()  # not yet decided


@pytest.mark.parametrize(
    ("status", "due_on", "closed_on", "as_of", "late"),
    [
        ("ouverte", date(2025, 1, 31), None, date(2025, 1, 31), False),  # due that day
        ("ouverte", date(2025, 1, 31), None, date(2025, 2, 1), True),
        ("en_cours", date(2025, 1, 31), None, date(2025, 2, 1), True),
        ("faite", date(2025, 1, 31), date(2025, 1, 30), date(2025, 2, 1), False),
        ("faite", date(2025, 1, 31), date(2025, 2, 5), date(2025, 2, 1), True),
        ("abandonnee", date(2025, 1, 31), date(2025, 2, 1), date(2025, 2, 1), False),
    ],
)
def test_is_late(status, due_on, closed_on, as_of, late):
    assert gov.is_late(status, due_on, closed_on, as_of) is late


def test_late_milestones(store_url):
    gov.save(CNAF, "milestone", milestone(status="fait"), token="m1")
    gov.save(CNAF, "milestone", milestone(title="B"), token="m2")
    gov.save(CNAF, "milestone", milestone(title="C", due_on=date(2025, 6, 30)), token="m3")
    frame = gov.milestones(2025, date(2025, 4, 1))
    assert dict(zip(frame["title"], frame["is_late"], strict=True)) == {
        "Premier contact": False, "B": True, "C": False,
    }  # fmt: skip


def test_weights_are_cnaf_only_and_audited(store_url):
    from sppe_data.governance import selection

    weights = {c.code: 1.0 for c in selection.CRITERIA}
    with pytest.raises(AccessDenied):
        gov.save_weights(POLE_IDF, 2024, weights)
    with pytest.raises(ValidationError):
        gov.save_weights(CNAF, 2024, {**weights, next(iter(weights)): -1.0})
    assert gov.weights(2024) == {}
    gov.save_weights(CNAF, 2024, {**weights, "locaux": 2.0})
    assert gov.weights(2024)["locaux"] == 2.0
    assert [r.action for r in audit_rows("ponderation")] == ["modification"]


def test_demo_records_are_dated_up_to_the_data_date_and_written_once(store_url):
    from sppe_data.governance import demo

    as_of = date(2025, 7, 1)
    first = demo.seed(as_of)
    assert first.created["candidate"] == 7 and first.created["orientation"] == 4
    assert sum(demo.seed(as_of).created.values()) == 0
    meetings = gov.records("meeting")
    assert meetings["held_on"].max() <= as_of
    # COPIL of 25/06/2024, 10/12/2024 and 25/06/2025: one action each, due 60 days later;
    # the third meeting's action (every third stays open) is not due yet on 01/07/2025.
    copil = gov.open_actions(as_of, committee="copil")
    assert copil["meeting_held_on"].to_list() == [date(2025, 6, 25)]
    assert copil["is_late"].to_list() == [False]
    # Every 2024 milestone due by then has an outcome; two are not simply "done".
    plan = gov.records("milestone", year=2024)
    assert plan.filter(pl.col("status") == "a_faire").is_empty()
    assert plan.filter(pl.col("status") != "fait").height == 1  # the MC Paje support


def test_a_refused_record_leaves_no_empty_meeting(store_url):
    with pytest.raises(ValidationError):
        gov.save_at_meeting(CNAF, "action", "controle", date(2025, 2, 3),
                            {"title": "", "owner": "X", "due_on": date(2025, 3, 1),
                             "status": "ouverte"}, token="a1")  # fmt: skip
    with pytest.raises(AccessDenied):
        gov.save_at_meeting(POLE_IDF, "decision", "controle", date(2025, 2, 3),
                            {"text": "D"}, token="d1")  # fmt: skip
    assert gov.records("meeting").is_empty()
    saved = gov.save_at_meeting(
        POLE_IDF, "action", "controle", date(2025, 2, 3),
        {"pole_code": "idf_hdf", "title": "T", "owner": "X", "due_on": date(2025, 3, 1),
         "status": "ouverte"}, token="a2",
    )  # fmt: skip
    again = gov.save_at_meeting(
        POLE_IDF, "action", "controle", date(2025, 2, 3),
        {"pole_code": "idf_hdf", "title": "T", "owner": "X", "due_on": date(2025, 3, 1),
         "status": "ouverte"}, token="a2",
    )  # fmt: skip
    assert saved.created and not again.created
    meetings = gov.records("meeting")
    assert meetings.select("committee", "held_on").rows() == [("controle", date(2025, 2, 3))]
    assert gov.records("action")["meeting_id"].to_list() == meetings["meeting_id"].to_list()
