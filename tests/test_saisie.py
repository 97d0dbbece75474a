"""AppTest: the Saisie forms (submission, French field errors, nothing written on bad
input, free text kept as text, resubmission), pages offered per role, the audit page,
and the sign-in page of the oidc mode (local accounts: test_accounts.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from sppe_data import api, journal
from sppe_data.auth import Principal

CNAF_EXPORTER = Principal("controle", "Contrôle des tests", "cnaf")

APP = "../app.py"
CNAF = Principal("dpfas", "Dpfas", "cnaf")
NASTY = "<script>alert('x')</script> **gras** _it_ [lien](http://x) 😀 émoji ✔"


def app(role: str = "pole", pole: str = "idf_hdf", page: str | None = "app_pages/saisie.py"):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = pole
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, at.exception
    return at


def sensitive_done(pole: str = "all") -> int:
    df = api.indicator_progress(2026)
    rows = df.filter(
        (pl.col("pole_code") == pole) & (pl.col("indicator_code") == "controles_sensibles")
    )
    return rows["realised_count"].item()


def fill_control(at: AppTest, **over) -> None:
    values = {
        "activity_on": date(2026, 1, 20),
        "status": "done",
        "days": "1,5",  # typed the French way: 1.5 days, not 15
        "findings": "oui",
        "undue": "1 200",
        "comment": "RAS",
        **over,
    }
    at.selectbox(key="kind").set_value("controle_sensible").run()
    at.date_input(key="activity_on").set_value(values["activity_on"])
    at.selectbox(key="activity_caf").set_value("59")
    at.selectbox(key="activity_status").set_value(values["status"])
    at.text_input(key="activity_days").set_value(values["days"])
    at.radio(key="activity_findings").set_value(values["findings"])
    at.text_input(key="activity_undue").set_value(values["undue"])
    at.text_area(key="activity_comment").set_value(values["comment"])


def journal_rows() -> pl.DataFrame:
    return journal.export_tables(CNAF_EXPORTER)["journal_activities"]


def test_a_pole_logs_a_control_and_the_figure_moves(tiny_data):
    assert sensitive_done() == 3
    at = app()
    assert at.title[0].value == "Saisie de l'activité"
    fill_control(at, comment=NASTY)
    click(at, "Enregistrer l'activité")
    assert next(s.value for s in at.success).startswith("Activité enregistrée (n° JA")
    assert sensitive_done() == 4
    [row] = journal_rows().to_dicts()
    assert row["comment"] == NASTY  # stored exactly as typed
    assert row["pole_code"] == "idf_hdf" and row["created_by"] == "demo.pole.idf_hdf"
    assert row["travel_fee_eur"] == 300.0 and row["undue_amount_eur"] == 1200.0
    # Shown as text in the recent entries table, never as markdown.
    table = at.dataframe[0].value
    assert list(table["Commentaire"]) == [NASTY]
    assert not any(NASTY in m.value for m in at.markdown)


def test_resubmitting_the_same_form_records_once(tiny_data):
    at = app()
    fill_control(at)
    click(at, "Enregistrer l'activité")
    # The same form render submitted again (e.g. a double click): same token.
    del at.session_state["activity_saved"]
    at.run()
    fill_control(at)
    click(at, "Enregistrer l'activité")
    assert journal_rows().height == 1
    click(at, "Nouvelle saisie")  # a new entry gets a new token
    fill_control(at)
    click(at, "Enregistrer l'activité")
    assert journal_rows().height == 2


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"undue": "-5"}, "Indus (EUR)", "négatif"),
        ({"undue": "=cmd|' /C calc'!A0"}, "Indus (EUR)", "Saisissez un nombre"),
        ({"findings": ""}, "Constats", "résultat"),
        ({"activity_on": date(2023, 12, 1)}, "Date", "vie de la mission"),
        ({"activity_on": date(2027, 6, 1)}, "Date", "futur"),
        ({"days": "-1"}, "Jours passés", "négatif"),
        ({"days": "1,5,0"}, "Jours passés", "Saisissez un nombre, par exemple 1,5"),
        ({"days": ""}, "Jours passés", "Champ obligatoire"),
        ({"comment": "x" * 10_000}, "Commentaire", "10000 caractères"),
    ],
)
def test_bad_input_gives_a_french_message_and_writes_nothing(tiny_data, over, field, message):
    at = app()
    fill_control(at, **over)
    click(at, "Enregistrer l'activité")
    errors = [e.value for e in at.error]
    assert any(e.startswith(field.replace("(", "\\(").replace(")", "\\)")) for e in errors), errors
    assert any(message in e for e in errors), errors
    assert journal_rows().height == 0
    assert sensitive_done() == 3


def test_request_form_derives_routing(tiny_data):
    at = app()
    at.selectbox(key="request_nature").set_value("controle_appui_plan").run()
    assert any("Saisine par la Cnaf" in i.value for i in at.info)
    at.selectbox(key="request_caf").set_value("59")
    at.selectbox(key="request_status").set_value("done")
    at.date_input(key="request_received").set_value(date(2026, 1, 10))
    click(at, "Enregistrer la saisine")
    assert any("date de clôture" in e.value for e in at.error)  # done needs a closing date
    at.date_input(key="request_closed").set_value(date(2026, 1, 12))
    click(at, "Enregistrer la saisine")
    saved = journal.export_tables(CNAF_EXPORTER)["journal_requests"].to_dicts()
    assert [(r["routing"], r["pole_code"], r["caf_code"]) for r in saved] == [
        ("cnaf", "idf_hdf", "59")
    ]


def test_pages_offered_per_role(tiny_data):
    # A page a role may not open is not registered in its navigation at all.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app(role="reader")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app(role="pole", page="app_pages/audit.py")
    at = app(role="admin", page="app_pages/audit.py")
    assert at.title[0].value == "Journal d'audit des saisies"


def test_audit_page_lists_changes(tiny_data):
    saved = journal.save_activity(
        Principal("agent.idf", "Agent", "pole", "idf_hdf"),
        {"activity_kind": "suivi_ida", "pole_code": "idf_hdf", "caf_code": "59",
         "status": "done", "activity_on": date(2026, 1, 5), "days_spent": 1,
         "comment": NASTY},
        "tok-1",
    )  # fmt: skip
    at = app(role="cnaf", page="app_pages/audit.py")
    table = at.dataframe[0].value
    assert list(table["N°"]) == [saved.entity_id]
    assert list(table["Auteur"]) == ["agent.idf"]
    assert NASTY in table["Après"][0]
    assert next(b.label for b in at.get("download_button")).startswith(
        "journal_activities.parquet (1 ligne(s))"
    )


def test_edit_then_cancel_a_recent_entry(tiny_data):
    at = app()
    fill_control(at)
    click(at, "Enregistrer l'activité")
    assert sensitive_done() == 4
    [entry_id] = journal_rows()["activity_id"].to_list()
    assert at.text_input(key=f"edit_{entry_id}_days").value == "1,5"  # shown in French
    at.text_input(key=f"edit_{entry_id}_days").set_value("3,5")
    at.text_input(key=f"edit_{entry_id}_undue").set_value("-1")
    click(at, "Enregistrer les modifications")
    assert any("négatif" in e.value for e in at.error)  # refused: nothing changed
    assert journal_rows()["days_spent"].to_list() == [1.5]
    at.text_input(key=f"edit_{entry_id}_undue").set_value("10")
    click(at, "Enregistrer les modifications")
    assert journal_rows()["days_spent"].to_list() == [3.5]
    assert any(f"Saisie {entry_id} modifiée" in s.value for s in at.success)
    [shown] = [f.value for f in at.dataframe if "Jours" in f.value.columns]
    assert list(shown["Jours"]) == [3.5]  # the list shows the change at once, typed
    click(at, "Annuler cette saisie (suppression)")
    # Asked first: nothing cancelled yet.
    assert any(f"Annuler la saisie {entry_id} ?" in w.value for w in at.warning)
    assert sensitive_done() == 4
    click(at, "Non, la garder")
    assert sensitive_done() == 4
    assert not any("Annuler la saisie" in w.value for w in at.warning)
    click(at, "Annuler cette saisie (suppression)")
    click(at, "Oui, annuler la saisie")
    assert sensitive_done() == 3
    assert any(f"Saisie {entry_id} annulée" in s.value for s in at.success)
    assert not [f for f in at.dataframe if "Jours" in f.value.columns]  # gone from the list
    assert any("Aucune saisie récente" in i.value for i in at.info)
    actions = journal.audit_entries(CNAF).sort("audit_id")["action"].to_list()
    assert actions == ["creation", "modification", "suppression"]


def test_oidc_mode_shows_the_provider_sign_in(tiny_data, monkeypatch):
    monkeypatch.setenv("SPPE_AUTH_MODE", "oidc")
    at = app(page=None)
    assert at.title[0].value == "Connexion"
    # No identity provider configured here: a French message says what is missing.
    assert "section [auth] absente" in at.error[0].value
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"client_id": "pilotage-sppe", "server_metadata_url": "https://idp/x"}
    at.run()
    assert [b.label for b in at.button] == ["Se connecter avec le compte Cnaf"]


def test_cnaf_books_overseas_engineering_to_the_cepaje(tiny_data):
    """The Cnaf may pick the national Cepaje scope: then only the overseas Cafs are
    offered (971 to 974 and 976); a pôle user keeps their own pôle only."""
    at = app("cnaf")
    at.selectbox(key="kind").set_value("suivi_ida").run()
    pole = at.selectbox(key="activity_pole")
    assert pole.options[-1] == "Cepaje (équipe nationale)" and len(pole.options) == 6
    pole.set_value("cepaje").run()
    assert not at.exception, at.exception
    cafs = at.selectbox(key="activity_caf").options
    assert [c.split(" ")[0] for c in cafs] == ["971", "972", "973", "974", "976"]
    mine = app("pole", "centre_est")
    assert mine.selectbox(key="activity_pole_fixed").options == [
        "Centre-Est – Auvergne-Rhône-Alpes"
    ]
