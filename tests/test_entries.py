"""The validation matrix of the entries (tests/test_saisie.py drives the same rules
through the forms): every faulty field gets a French message; good text is kept as typed."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sppe_data import entries

INJECTIONS = [
    "<script>alert(1)</script>",
    "**gras** _italique_ [lien](javascript:alert(1))",
    "'; drop table activities; --",
    "😀👶🏽 émoji et accents ÀÉÎÕÜ ç",
    '=HYPERLINK("http://x")',
    ":red[rouge] $x^2$",
]


def activity(**over) -> dict:
    return {
        "activity_kind": "controle_sensible",
        "pole_code": "mediterranee",
        "caf_code": "30",
        "status": "done",
        "activity_on": date(2026, 1, 20),
        "days_spent": 1,
        "has_findings": False,
        **over,
    }


def errors(**over) -> dict[str, str]:
    return entries.check_activity(activity(**over)).errors


def test_a_good_activity_passes_with_derived_fee(tiny_data):
    checked = entries.check_activity(activity(undue_amount_eur="1 234,50", has_findings="oui"))
    assert checked.ok, checked.errors
    assert checked.row["undue_amount_eur"] == 1234.5
    assert checked.row["dep_code"] == "30"  # the Caf's département when not given
    assert checked.row["travel_fee_eur"] == 300.0  # departmental: rules.toml
    assert entries.check_activity(activity(status="cancelled")).row["travel_fee_eur"] == 0.0
    not_departmental = activity(activity_kind="audit_terrain", has_findings=None)
    assert entries.check_activity(not_departmental).row["travel_fee_eur"] == 0.0


@pytest.mark.parametrize("text", INJECTIONS)
def test_free_text_is_kept_as_typed(tiny_data, text):
    checked = entries.check_activity(activity(comment=f"  {text}  "))
    assert checked.ok
    assert checked.row["comment"] == text  # only surrounding blanks removed


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"comment": "x" * 10_000}, "comment", "trop long : 10000 caractères"),
        ({"comment": "a\x00b"}, "comment", "NUL"),
        ({"partner_id": "p" * 61}, "partner_id", "trop long"),
        ({"activity_on": date(2024, 4, 30)}, "activity_on", "vie de la mission"),
        ({"activity_on": date(2028, 1, 1), "status": "planned"}, "activity_on", "vie de la"),
        ({"activity_on": "2026-13-01"}, "activity_on", "Date invalide"),
        ({"activity_on": "demain"}, "activity_on", "Date invalide"),
        ({"activity_on": 20260120}, "activity_on", "Date invalide"),
        ({"activity_on": None}, "activity_on", "obligatoire"),
        ({"caf_code": "59"}, "caf_code", "pas dans la zone du pôle mediterranee"),
        ({"caf_code": "<script>"}, "caf_code", "Valeur inconnue"),
        ({"pole_code": "'; drop"}, "pole_code", "Valeur inconnue"),
        ({"activity_kind": "**x**"}, "activity_kind", "Valeur inconnue"),
        ({"status": "fini"}, "status", "Valeur inconnue"),
        ({"days_spent": "abc"}, "days_spent", "Saisissez un nombre"),
        ({"days_spent": True}, "days_spent", "Saisissez un nombre"),
        ({"days_spent": float("nan")}, "days_spent", "Saisissez un nombre"),
        ({"days_spent": -1}, "days_spent", "négatif"),
        ({"days_spent": 1e9}, "days_spent", "trop grand"),
        ({"days_spent": None}, "days_spent", "obligatoire"),
        ({"undue_amount_eur": -0.01}, "undue_amount_eur", "négatif"),
        ({"undue_amount_eur": [1]}, "undue_amount_eur", "Saisissez un nombre"),
        ({"has_findings": None}, "has_findings", "résultat"),
        ({"has_findings": "peut-être"}, "has_findings", "oui ou non"),
        ({"has_findings": True}, "undue_amount_eur", "0 si aucun"),
        ({"places_count": 3}, "places_count", "Sans objet"),
        ({"equipment_kind": "piscine"}, "equipment_kind", "Valeur inconnue"),
    ],
)
def test_faulty_fields_get_a_french_message(tiny_data, over, field, message):
    found = errors(**over)
    assert field in found, found
    assert message in found[field]


def test_done_in_the_future_and_kind_specific_rules(tiny_data):
    future = entries.latest_day().replace(year=entries.latest_day().year + 1)
    future = min(future, entries.MISSION_END)
    if future > entries.latest_day():
        assert "futur" in errors(activity_on=future)["activity_on"]
        assert "activity_on" not in errors(activity_on=future, status="planned")
    multi = {"activity_kind": "controle_multi_dep"}
    assert "partner_id" in errors(**multi)
    assert "partner_id" not in errors(**multi, partner_id="Groupe X")
    places = {"activity_kind": "dossier_sensible_creation", "has_findings": None}
    assert entries.check_activity(activity(**places, places_count="12")).row["places_count"] == 12
    assert "entier" in errors(**places, places_count=2.5)["places_count"]


def test_dates_in_french_and_datetimes(tiny_data):
    assert entries.check_activity(activity(activity_on="20/01/2026")).row["activity_on"] == date(
        2026, 1, 20
    )
    assert entries.check_activity(activity(activity_on=datetime(2026, 1, 20, 9))).ok


def test_requests(tiny_data):
    good = {"caf_code": "13", "request_nature": "appel_projets", "priority": "haute",
            "status": "received", "received_on": "10/01/2026"}  # fmt: skip
    checked = entries.check_request(good)
    assert checked.ok, checked.errors
    assert (checked.row["routing"], checked.row["pole_code"]) == ("cnaf_only", "mediterranee")
    bad = entries.check_request({**good, "status": "in_progress", "taken_up_on": "05/01/2026",
                                 "priority": "urgent", "caf_code": "999"})  # fmt: skip
    assert set(bad.errors) == {"caf_code", "priority", "taken_up_on"}
    assert "précède la réception" in bad.errors["taken_up_on"]
    closed = entries.check_request({**good, "status": "done"})
    assert "clôture" in closed.errors["closed_on"]
