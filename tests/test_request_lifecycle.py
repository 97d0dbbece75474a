"""The life of a saisine after its reception: taken up (by whom), closed (with an
outcome), cancelled or redirected, each step dated; every refusal answered in French with
nothing written; the backlog and the delays exact at a past date (tests/tiny.py)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from sppe_data import entries, journal, saisines, steering, store
from sppe_data.auth import AccessDenied, Principal
from sppe_data.entries import ValidationError
from sppe_data.store import schema

READER = Principal("lecteur", "Lecteur", "reader")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
POLE_MED = Principal("agent.med", "Agent Méditerranée", "pole", "mediterranee")
CNAF = Principal("dpfas", "Dpfas", "cnaf")
NASTY = "'); drop table request_events; -- <script>alert(1)</script> =cmd|' /C calc'!A0"
Y2026 = steering.year_period(2026)


def step(principal, request_id, **raw):
    return journal.record_request_step(principal, request_id, raw, journal.new_token())


def take_up(principal=POLE_IDF, request_id="S1", on=date(2026, 1, 22), by="Agnès Martin"):
    return step(principal, request_id, event_kind="taken_up", event_on=on, taken_up_by=by)


def close(principal=POLE_IDF, request_id="S1", on=date(2026, 1, 28), outcome="conseil_apporte"):
    return step(principal, request_id, event_kind="closed", event_on=on, outcome_code=outcome)


def events() -> pl.DataFrame:
    return store.get_store().read(sa.select(schema.request_events))


def audit_count() -> int:
    return store.get_store().read(sa.select(schema.audit_log)).height


def refused(exc_type, work) -> Exception:
    """``work`` is refused with ``exc_type`` and writes nothing (no step, no audit row,
    no revision bump)."""
    before = (events().height, audit_count(), store.get_store().revisions())
    with pytest.raises(exc_type) as caught:
        work()
    assert (events().height, audit_count(), store.get_store().revisions()) == before
    return caught.value


def waiting(on: date) -> list[tuple]:
    return steering.requests_open(on, "all").select("request_id", "status").rows()


# --- transitions -------------------------------------------------------------------------


def test_received_taken_up_then_closed_with_history_and_audit(tiny_data):
    assert take_up().created
    assert close(outcome="Traitée — conseil apporté").created  # the label is read too
    got = events().sort("step_no")
    assert got.select("request_id", "step_no", "event_kind", "event_on").rows() == [
        ("S1", 1, "taken_up", date(2026, 1, 22)),
        ("S1", 2, "closed", date(2026, 1, 28)),
    ]
    assert got["taken_up_by"].to_list() == ["Agnès Martin", None]
    assert got["outcome_code"].to_list() == [None, "conseil_apporte"]
    assert set(got["created_by"]) == {"agent.idf"}
    history = saisines.request_steps("S1")
    assert history.select("step_kind", "step_on", "recorded_by").rows() == [
        ("received", date(2026, 1, 20), None),
        ("taken_up", date(2026, 1, 22), "agent.idf"),
        ("closed", date(2026, 1, 28), "agent.idf"),
    ]
    audit = journal.audit_entries(CNAF).filter(pl.col("action") == "etape")
    assert audit.height == 2 and set(audit["entity_id"]) == {"S1"}


def test_the_same_token_twice_records_one_step(tiny_data):
    raw = {"event_kind": "taken_up", "event_on": date(2026, 1, 22), "taken_up_by": "A. M."}
    first = journal.record_request_step(POLE_IDF, "S1", raw, "jeton-1")
    again = journal.record_request_step(POLE_IDF, "S1", raw, "jeton-1")
    assert (first.created, again.created, first.entity_id) == (True, False, again.entity_id)
    assert events().height == 1


@pytest.mark.parametrize(
    "kind, extra",
    [("cancelled", {}), ("redirected", {"redirected_to": "Caf du Nord, service juridique"})],
)
def test_a_received_or_taken_up_saisine_can_be_cancelled_or_redirected(tiny_data, kind, extra):
    step(POLE_IDF, "S1", event_kind=kind, event_on=date(2026, 1, 21), **extra)
    # S3 (extract, taken up 15/01/2026 in the Méditerranée pôle)
    step(POLE_MED, "S3", event_kind=kind, event_on=date(2026, 1, 16), **extra)
    assert waiting(date(2026, 1, 31)) == []
    # Before their ends they were waiting (S5, received 02/01 and closed 23/01, too).
    assert waiting(date(2026, 1, 15)) == [("S5", "in_progress"), ("S3", "in_progress")]
    assert waiting(date(2026, 1, 20)) == [("S5", "in_progress"), ("S1", "received")]
    delays = steering.request_delays(Y2026, "all").filter(pl.col("breakdown") == "all")
    assert delays[f"{kind}_count"].item() == 2
    assert delays["done_count"].item() == 1  # S5 only


def test_an_extract_saisine_taken_up_in_the_extract_can_be_closed(tiny_data):
    close(POLE_MED, "S3", on=date(2026, 1, 15), outcome="sans_suite")
    assert current_status("S3") == "done"


def current_status(request_id: str) -> str:
    from sppe_data.db import catalog

    cursor = catalog().connection.cursor()
    try:
        return cursor.execute(
            "select status from requests where request_id = ?", [request_id]
        ).fetchone()[0]
    finally:
        cursor.close()


# --- refusals: nothing written ----------------------------------------------------------


def test_a_step_in_the_future_is_refused(tiny_data):
    future = entries.latest_day() + timedelta(days=1)
    exc = refused(ValidationError, lambda: take_up(on=future))
    assert exc.errors["event_on"] == "Une étape ne peut pas être datée dans le futur."


def test_a_step_before_the_reception_or_the_previous_step_is_refused(tiny_data):
    exc = refused(ValidationError, lambda: take_up(on=date(2026, 1, 19)))
    assert "ne peut pas précéder la réception" in exc.errors["event_on"]
    assert "20/01/2026" in exc.errors["event_on"]
    take_up()
    exc = refused(ValidationError, lambda: close(on=date(2026, 1, 21)))
    assert "22/01/2026" in exc.errors["event_on"]
    # S3 taken up on 15/01/2026 in the extract: not closed before that.
    exc = refused(ValidationError, lambda: close(POLE_MED, "S3", on=date(2026, 1, 10)))
    assert "15/01/2026" in exc.errors["event_on"]


def test_only_allowed_transitions(tiny_data):
    # received -> closed: not without a take-up
    exc = refused(ValidationError, lambda: close())
    assert exc.errors["event_kind"].startswith("Étape impossible pour une saisine reçue.")
    # in progress (S3) -> taken up again
    exc = refused(ValidationError, lambda: take_up(POLE_MED, "S3", on=date(2026, 1, 20)))
    assert "« Clôture »" in exc.errors["event_kind"]
    # nothing after an end: S2 done in the extract; S1 after its closing
    exc = refused(ValidationError, lambda: step(CNAF, "S2", event_kind="cancelled",
                                                 event_on=date(2026, 1, 20)))  # fmt: skip
    assert exc.errors["event_kind"] == (
        "Cette saisine est close (traitée) : aucune étape ne peut plus suivre."
    )
    take_up()
    close()
    exc = refused(ValidationError, lambda: step(POLE_IDF, "S1", event_kind="redirected",
                                                 event_on=date(2026, 1, 29),
                                                 redirected_to="Cnaf"))  # fmt: skip
    assert "aucune étape ne peut plus suivre" in exc.errors["event_kind"]


def test_a_closing_needs_an_outcome_a_take_up_who_a_redirection_where(tiny_data):
    exc = refused(ValidationError, lambda: take_up(by="  "))
    assert exc.errors["taken_up_by"] == "Champ obligatoire."
    take_up()
    exc = refused(ValidationError, lambda: close(outcome=None))
    assert exc.errors["outcome_code"] == "Champ obligatoire."
    exc = refused(ValidationError, lambda: close(outcome="très bien"))
    assert exc.errors["outcome_code"].startswith("Valeur inconnue « très bien ».")
    assert "« Sans suite »" in exc.errors["outcome_code"]
    exc = refused(ValidationError, lambda: step(POLE_IDF, "S1", event_kind="redirected",
                                                 event_on=date(2026, 1, 23)))  # fmt: skip
    assert exc.errors["redirected_to"] == "Champ obligatoire."
    exc = refused(ValidationError, lambda: step(POLE_IDF, "S1", event_kind="cancelled",
                                                 event_on=date(2026, 1, 23),
                                                 outcome_code="sans_suite"))  # fmt: skip
    assert exc.errors["outcome_code"] == "Sans objet pour cette étape."


@pytest.mark.parametrize("request_id, message", [
    ("S999", "Saisine « S999 » introuvable."),
    ("", "Choisissez une saisine."),
    (None, "Choisissez une saisine."),
    ("S1' or '1'='1", "Saisine « S1' or '1'='1 » introuvable."),
    ("x" * 5000, "Saisine introuvable."),
])  # fmt: skip
def test_an_unknown_saisine_is_refused(tiny_data, request_id, message):
    exc = refused(ValidationError, lambda: take_up(request_id=request_id))
    assert exc.errors == {"request_id": message}


def test_rights_reader_and_other_pole_refused_cnaf_for_all(tiny_data):
    refused(AccessDenied, lambda: take_up(READER))
    refused(AccessDenied, lambda: take_up(None))
    exc = refused(AccessDenied, lambda: take_up(POLE_MED))  # S1 is an idf_hdf saisine
    assert "idf_hdf" in str(exc) or "pôle" in str(exc)
    assert take_up(CNAF).created


def test_oversize_wrong_type_and_hostile_text(tiny_data):
    exc = refused(ValidationError, lambda: take_up(by="x" * 101))
    assert exc.errors["taken_up_by"] == "Texte trop long : 101 caractères (au plus 100)."
    exc = refused(ValidationError, lambda: take_up(by="A\x00B"))
    assert "NUL" in exc.errors["taken_up_by"]
    exc = refused(ValidationError, lambda: take_up(on="31/02/2026"))
    assert exc.errors["event_on"].startswith("Date invalide")
    exc = refused(ValidationError, lambda: take_up(on=12))
    assert exc.errors["event_on"].startswith("Date invalide")
    exc = refused(ValidationError, lambda: step(POLE_IDF, "S1", event_kind="supprimer",
                                                 event_on=date(2026, 1, 22)))  # fmt: skip
    assert exc.errors["event_kind"].startswith("Valeur inconnue « supprimer »")
    exc = refused(ValidationError, lambda: step(POLE_IDF, "S1", event_kind="taken_up",
                                                 event_on=date(2026, 1, 22), taken_up_by="A",
                                                 comment="y" * 1001))  # fmt: skip
    assert exc.errors["comment"] == "Texte trop long : 1001 caractères (au plus 1000)."
    with pytest.raises(ValueError):
        journal.record_request_step(POLE_IDF, "S1", {}, "")  # no token: a programming error
    # Hostile text is stored as typed, never run.
    take_up(by=NASTY[:100])
    assert events()["taken_up_by"].to_list() == [NASTY[:100]]
    assert saisines.request_steps("S1")["taken_up_by"].to_list()[1] == NASTY[:100]


# --- the backlog and the delays at a date ----------------------------------------------


def test_backlog_at_past_dates_by_hand(tiny_data):
    # tiny.py: S1 received 20/01/2026 (idf); S3 received 05/01, taken up 15/01 (méd);
    # S5 received 02/01, taken up 03/01, closed 23/01.
    take_up(on=date(2026, 1, 22))
    close(on=date(2026, 1, 28))
    assert waiting(date(2026, 1, 21)) == [
        ("S5", "in_progress"), ("S3", "in_progress"), ("S1", "received"),
    ]  # fmt: skip
    assert waiting(date(2026, 1, 22)) == [
        ("S5", "in_progress"), ("S3", "in_progress"), ("S1", "in_progress"),
    ]  # fmt: skip
    assert waiting(date(2026, 1, 28)) == [("S3", "in_progress")]
    assert waiting(date(2026, 1, 31)) == [("S3", "in_progress")]
    ages = steering.requests_open_ages(date(2026, 1, 27), "all")
    assert ages.select("age_days", "requests_count").rows() == [(7, 1), (22, 1)]


def test_a_step_dated_after_the_date_does_not_count(tiny_data):
    # Today is pinned to 31/01/2026; a step the calendar allows later than that.
    later = min(entries.latest_day(), date(2026, 3, 2))
    take_up(on=date(2026, 1, 25))
    close(on=later)
    assert waiting(date(2026, 1, 31)) == [("S3", "in_progress"), ("S1", "in_progress")]
    total = steering.request_delays(Y2026, "all").filter(pl.col("breakdown") == "all")
    # At 31/01/2026 S1 is in progress (its closing is later): not done, no closing delay.
    assert (total["in_progress_count"].item(), total["done_count"].item()) == (2, 1)
    assert total["close_median_days"].item() == pytest.approx(21.0)  # S5 only


def test_delays_from_the_steps(tiny_data):
    take_up(on=date(2026, 1, 22))  # 2 days after its reception
    close(on=date(2026, 1, 28))  # 8 days after
    total = steering.request_delays(Y2026, "all").filter(pl.col("breakdown") == "all")
    assert (total["not_taken_up_count"].item(), total["done_count"].item()) == (0, 2)
    # Take-up 2026: S1 2, S3 10, S5 1 -> median 2, p90 2 + 0.8 x 8 = 8.4.
    assert total["take_up_median_days"].item() == pytest.approx(2.0)
    assert total["take_up_p90_days"].item() == pytest.approx(8.4)
    # Closing: S1 8, S5 21 -> median 14.5.
    assert total["close_median_days"].item() == pytest.approx(14.5)


def test_a_closing_date_in_the_future_is_refused_by_the_saisie_form(tiny_data):
    future = entries.latest_day() + timedelta(days=1)
    raw = {"caf_code": "59", "request_nature": "controle_sensible", "priority": "normale",
           "status": "done", "received_on": date(2026, 1, 10),
           "taken_up_on": date(2026, 1, 11), "closed_on": future}  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        journal.save_request(POLE_IDF, raw, journal.new_token())
    assert caught.value.errors["closed_on"] == "Une clôture ne peut pas être datée dans le futur."


# --- the Saisines page ------------------------------------------------------------------


def saisines_page(role: str = "pole", pole: str = "idf_hdf", opened: bool = True) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = pole
    at.session_state["annee"] = "2026"
    at.session_state["pole"] = pole  # the figures of its pôle (tiny.py: S1 and S5)
    at.session_state["request_step_open"] = opened
    at.run()
    at.switch_page("app_pages/saisines.py")
    at.run()
    assert not at.exception, at.exception
    return at


def history_table(at: AppTest):
    [found] = [d.value for d in at.dataframe if "Étape de la saisine" in d.value.columns]
    return found


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_pole_user_records_a_step_and_sees_the_figures_move(tiny_data):
    at = saisines_page()
    got = metrics(at)
    # IDF-HDF, 2026: S1 received, S5 done.
    assert (got["Non prises en charge"], got["En cours"], got["Traitées"]) == ("1", "0", "1")
    pick = at.selectbox(key="request_step_pick")
    assert len(pick.options) == 1  # its pôle's only waiting saisine
    assert pick.options[0].startswith("S1 · reçue le 20/01/2026 · Caf du Nord · ")
    assert pick.options[0].endswith(" (reçue)")
    pick.set_value("S1").run()
    history = history_table(at)
    assert list(history["Étape de la saisine"]) == ["Réception"]
    assert at.selectbox(key="request_step_kind").options == [
        "Prise en charge", "Annulation", "Réorientation",
    ]  # fmt: skip
    at.date_input(key="request_step_on").set_value(date(2026, 1, 22))
    at.text_input(key="request_step_by").set_value(NASTY[:100])
    [submit] = [b for b in at.button if b.label == "Enregistrer l'étape"]
    submit.click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Prise en charge de la saisine n° S1 enregistrée" in s.value for s in at.success)
    got = metrics(at)
    assert (got["Non prises en charge"], got["En cours"]) == ("0", "1")
    history = history_table(at)
    assert list(history["Étape de la saisine"]) == ["Réception", "Prise en charge"]
    assert list(history["Prise en charge par"])[1] == NASTY[:100]
    assert at.selectbox(key="request_step_kind").options == [
        "Clôture", "Annulation", "Réorientation",
    ]  # fmt: skip
    # A closing before the take-up: refused in French, nothing written.
    at.selectbox(key="request_step_kind").set_value("closed").run()
    at.date_input(key="request_step_on").set_value(date(2026, 1, 21))
    at.selectbox(key="request_step_outcome").set_value("sans_suite")
    [submit] = [b for b in at.button if b.label == "Enregistrer l'étape"]
    submit.click().run()
    assert any("ne peut pas précéder" in e.value for e in at.error)
    assert events().height == 1


def test_a_reader_sees_the_history_without_the_form(tiny_data):
    at = saisines_page(role="reader")
    at.text_input(key="request_step_id").set_value("S2").run()
    history = history_table(at)
    assert list(history["Étape de la saisine"]) == ["Réception", "Prise en charge", "Clôture"]
    assert list(history["Enregistrée par"]) == ["Extraction nationale"] * 3
    assert not [b for b in at.button if b.label == "Enregistrer l'étape"]
    at.text_input(key="request_step_id").set_value("S999").run()
    assert any("introuvable" in e.value for e in at.error)


def test_the_follow_section_is_built_only_when_opened(tiny_data):
    at = saisines_page(opened=False)
    assert not [s for s in at.selectbox if s.key == "request_step_pick"]


# --- the activities a saisine produced ---------------------------------------------------


def control_for(request_id, **over) -> dict:
    return {
        "activity_kind": "controle_sensible", "pole_code": "idf_hdf", "caf_code": "59",
        "status": "done", "activity_on": date(2026, 1, 26), "days_spent": 1,
        "has_findings": False, "request_id": request_id, **over,
    }  # fmt: skip


def test_an_activity_linked_to_its_saisine_is_listed_with_it(tiny_data):
    saved = journal.save_activity(POLE_IDF, control_for(" S1 "), journal.new_token())
    produced = saisines.request_activities("S1")
    assert produced.select("activity_id", "activity_on", "activity_label", "status").rows() == [
        (saved.entity_id, date(2026, 1, 26), "Contrôle sensible", "done")
    ]
    assert saisines.request_activities("S3").is_empty()
    # Editing the activity keeps its saisine unless changed.
    journal.update_activity(POLE_IDF, saved.entity_id, control_for("S1", days_spent=2))
    assert saisines.request_activities("S1")["days_spent"].to_list() == [2.0]


@pytest.mark.parametrize("request_id, message", [
    ("S3", "La saisine S3 relève d'un autre pôle (mediterranee)."),
    ("S999", "Saisine « S999 » introuvable."),
    (12, "Numéro de saisine invalide."),
])  # fmt: skip
def test_an_activity_linked_to_an_unknown_or_other_pole_saisine_is_refused(
    tiny_data, request_id, message
):
    before = store.get_store().read(sa.select(schema.activity_entries)).height
    with pytest.raises(ValidationError) as caught:
        journal.save_activity(POLE_IDF, control_for(request_id), journal.new_token())
    assert caught.value.errors == {"request_id": message}
    assert store.get_store().read(sa.select(schema.activity_entries)).height == before
