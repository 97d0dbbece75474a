"""Reference data edited in the app (sppe_data.reference_edits, the Référentiels page):
the shipped files are the initial values; a save by the cnaf role changes the figures at
once (targets, shares, régions, kind -> indicator, travel fee), in this process and in
another one; a refused edit or a refused role writes nothing; every change is audited
with its before and after; ``validate_all`` checks the shipped files and the edits.

Store tests run on SQLite and PostgreSQL (``store_url``); page tests with AppTest on
SQLite. Expected figures are worked out by hand from tests/tiny.py (today 2026-01-31:
31/365 of the 2026 window elapsed) and the shipped files.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from sppe_data import api, db, entries, journal, reference, store
from sppe_data import reference_edits as edits
from sppe_data.auth import AccessDenied, Principal
from sppe_data.store import schema
from ui import navigation, signin

ROOT = Path(__file__).resolve().parents[1]
APP = "../app.py"
PAGE = "app_pages/referentiels.py"

CNAF = Principal("dpfas.ref", "Dpfas", "cnaf")
OTHER_CNAF = Principal("dpfas.autre", "Autre Dpfas", "cnaf")
READER = Principal("copil", "Comité", "reader")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
ADMIN = Principal("admin", "Admin", "admin")

ELAPSED_2026 = 31 / 365  # tests/tiny.py: today 2026-01-31, window 01/01 -> 31/12
# Bourgogne-Franche-Comté (région 27), in the Centre-Est pôle in poles.toml.
BFC = {"21", "25", "39", "58", "70", "71", "89", "90"}


# --- helpers --------------------------------------------------------------------------


def progress(pole: str, indicator: str) -> dict:
    frame = api.indicator_progress(2026)
    rows = [
        r
        for r in frame.iter_rows(named=True)
        if r["pole_code"] == pole and r["indicator_code"] == indicator
    ]
    assert len(rows) == 1
    return rows[0]


def shipped(group: str) -> dict:
    return edits.shipped_document(group)


def targets_with(year: int, code: str, count: object) -> list[dict]:
    return [
        {**t, "target_count": count} if (t["year"], t["indicator_code"]) == (year, code) else t
        for t in shipped("cibles")["targets"]
    ]


def poles_with(**shares: float) -> list[dict]:
    return [
        {**p, "target_share": shares.get(p["pole_code"], p["target_share"])}
        for p in shipped("poles")["poles"]
    ]


def audit_rows() -> list:
    log = schema.audit_log
    return store.get_store().rows(
        sa.select(log).where(log.c.entity == "referentiel").order_by(log.c.audit_id)
    )


def edit_rows() -> dict:
    table = schema.reference_edits
    return {r.ref_group: (r.version, r.document) for r in store.get_store().rows(sa.select(table))}


def counter() -> int:
    return store.get_store().revisions()["reference_edits"]


def nothing_written(before: tuple) -> bool:
    return (len(audit_rows()), counter(), edit_rows()) == before


def state() -> tuple:
    return len(audit_rows()), counter(), edit_rows()


def ref_departement_poles() -> dict[str, str]:
    cursor = db.catalog().connection.cursor()
    try:
        rows = cursor.sql("select dep_code, pole_code from ref_departement_poles").fetchall()
    finally:
        cursor.close()
    return dict(rows)


def sensitive_control(**over) -> dict:
    """A done sensitive control (departmental kind) of idf_hdf at the Caf du Nord."""
    return {
        "activity_kind": "controle_sensible",
        "pole_code": "idf_hdf",
        "caf_code": "59",
        "status": "done",
        "activity_on": date(2026, 1, 20),
        "days_spent": 2,
        "has_findings": False,
        **over,
    }


# --- initial values -------------------------------------------------------------------


def test_the_shipped_files_are_the_initial_values(store_url):
    assert edit_rows() == dict.fromkeys(reference.GROUPS, (0, None))
    assert counter() == 0
    states = reference.group_states()
    assert [s.edited for s in states.values()] == [False] * 5
    for group in reference.GROUPS:
        assert edits.current_document(group) == shipped(group)
    # The figures of the files, read by hand (poles.toml, targets.csv, rules.toml).
    assert reference.travel_fee_eur() == 300.0
    shares = dict(reference.poles().select("pole_code", "target_share").iter_rows())
    assert shares == {"idf_hdf": 0.22, "centre_est": 0.24, "mediterranee": 0.20,
                      "atlantique": 0.14, "centre_ouest": 0.20}  # fmt: skip
    assert reference.targets().height == 24
    assert edits.validate_all() == []
    assert reference.validate() == []


def test_the_shipped_documents_pass_their_own_checks():
    for group in reference.GROUPS:
        document, errors = edits.check(group, shipped(group))
        assert errors == []
        assert document == shipped(group)


# --- each edit changes the figures at once ----------------------------------------------


def test_a_target_edit_changes_the_target_and_the_expected_to_date(store_url):
    before = progress("all", "audits_terrain")
    assert before["target_count"] == pytest.approx(30)
    assert before["expected_count"] == pytest.approx(30 * ELAPSED_2026)
    saved = edits.save_targets(CNAF, targets_with(2026, "audits_terrain", 73))
    assert saved == edits.Saved("cibles", 1, changed=True)
    after = progress("all", "audits_terrain")
    assert after["target_count"] == pytest.approx(73)
    assert after["expected_count"] == pytest.approx(6.2)  # 73 x 31/365
    assert after["realised_count"] == 1  # A12, unchanged
    assert progress("centre_est", "audits_terrain")["target_count"] == pytest.approx(17.52)
    assert progress("all", "suivis_ida")["target_count"] == pytest.approx(200)  # untouched
    row = reference.targets().row(14, named=True)
    assert (row["year"], row["indicator_code"], row["target_count"]) == (
        2026, "controles_sensibles", 50
    )  # fmt: skip
    edited = [t for t in reference.targets().iter_rows(named=True) if t["target_count"] == 73]
    assert [(t["year"], t["indicator_code"]) for t in edited] == [(2026, "audits_terrain")]


def test_a_share_edit_changes_the_targets_of_the_poles(store_url):
    assert progress("centre_est", "controles_sensibles")["target_count"] == pytest.approx(12)
    edits.save_poles(CNAF, poles_with(centre_est=0.30, idf_hdf=0.16))
    assert progress("centre_est", "controles_sensibles")["target_count"] == pytest.approx(15)
    assert progress("idf_hdf", "controles_sensibles")["target_count"] == pytest.approx(8)
    assert progress("all", "controles_sensibles")["target_count"] == pytest.approx(50)
    assert progress("centre_est", "controles_sensibles")["expected_count"] == pytest.approx(
        15 * ELAPSED_2026
    )
    assert dict(reference.poles().select("pole_code", "target_share").iter_rows())[
        "centre_est"
    ] == pytest.approx(0.30)


def test_a_region_move_changes_the_pole_of_its_departements(store_url):
    before = ref_departement_poles()
    assert {before[d] for d in BFC} == {"centre_est"}
    refused = entries.check_activity(sensitive_control(caf_code="21"))
    assert "caf_code" in refused.errors  # the Caf de Côte-d'Or is not in IDF-HDF yet
    edits.save_regions(CNAF, {**shipped("regions")["regions"], "27": "idf_hdf"})
    after = ref_departement_poles()
    assert {d for d in after if after[d] != before[d]} == BFC
    assert {after[d] for d in BFC} == {"idf_hdf"}
    assert reference.departement_pole_map()["21"] == "idf_hdf"
    assert entries.check_activity(sensitive_control(caf_code="21")).ok
    portfolio = dict(api.pole_reference().select("Pôle", "Départements").iter_rows())
    # Île-de-France 8 + Hauts-de-France 5 + Bourgogne-Franche-Comté 8.
    assert portfolio["Île-de-France – Hauts-de-France"] == 21


def test_a_remapped_kind_changes_the_realised_counts(store_url):
    # tests/tiny.py: suivis IDA done in January 2026: A07, A13, A14 (Méditerranée);
    # A09 is an animation IDA (not targeted), done on 2026-01-05, Méditerranée too.
    assert progress("all", "suivis_ida")["realised_count"] == 3
    edits.save_kind_indicators(
        CNAF, {**shipped("correspondance")["kinds"], "animation_ida": "suivis_ida"}
    )
    assert progress("all", "suivis_ida")["realised_count"] == 4
    assert progress("mediterranee", "suivis_ida")["realised_count"] == 4
    kinds = dict(reference.activity_kinds().select("activity_kind", "indicator_code").iter_rows())
    assert kinds["animation_ida"] == "suivis_ida"


def test_the_travel_fee_applies_to_new_entries(store_url):
    first = journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    assert entries.travel_fee_eur("controle_sensible", "done") == 300.0
    edits.save_travel_fee(CNAF, "312,50")
    assert reference.travel_fee_eur() == 312.5
    assert entries.travel_fee_eur("controle_sensible", "done") == 312.5
    assert entries.travel_fee_eur("controle_multi_dep", "done") == 0.0  # not departmental
    second = journal.save_activity(POLE_IDF, sensitive_control(), journal.new_token())
    table = schema.activity_entries
    fees = dict(store.get_store().rows(sa.select(table.c.activity_id, table.c.travel_fee_eur)))
    assert fees == {first.entity_id: 300.0, second.entity_id: 312.5}


def test_an_edit_made_by_another_process_is_seen_without_restart(store_url):
    assert reference.travel_fee_eur() == 300.0  # this process has read the edits
    assert progress("all", "audits_terrain")["target_count"] == pytest.approx(30)
    code = (
        "from sppe_data import reference_edits as e\n"
        "from sppe_data.auth import Principal\n"
        "p = Principal('autre.processus', 'Autre', 'cnaf')\n"
        "e.save_travel_fee(p, 275)\n"
        "rows = e.shipped_document('cibles')['targets']\n"
        "for t in rows:\n"
        "    if (t['year'], t['indicator_code']) == (2026, 'audits_terrain'):\n"
        "        t['target_count'] = 40\n"
        "e.save_targets(p, rows)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), check=True, timeout=120
    )
    assert reference.travel_fee_eur() == 275.0
    assert progress("all", "audits_terrain")["target_count"] == pytest.approx(40)
    assert entries.travel_fee_eur("suivi_ida", "done") == 275.0


def test_pinned_reads_the_edits_once(store_url):
    with reference.pinned():
        assert reference.travel_fee_eur() == 300.0
        edits.save_travel_fee(CNAF, 280)
        assert reference.travel_fee_eur() == 300.0  # the block's snapshot
    assert reference.travel_fee_eur() == 280.0


# --- refusals write nothing -----------------------------------------------------------


def bad_edits() -> list[tuple[str, dict, str]]:
    regions = shipped("regions")["regions"]
    kinds = shipped("correspondance")["kinds"]
    poles = shipped("poles")["poles"]
    no_bfc = {k: v for k, v in regions.items() if k != "27"}
    return [
        ("cibles", {"targets": targets_with(2026, "audits_terrain", -1)},
         "Ligne 13 (2026, Audits terrain) : la cible doit être un nombre entier positif ou nul"),
        ("cibles", {"targets": targets_with(2026, "audits_terrain", 2.5)}, "reçu « 2.5 »"),
        ("cibles", {"targets": targets_with(2026, "audits_terrain", "beaucoup")},
         "reçu « beaucoup »"),
        ("cibles", {"targets": targets_with(2026, "audits_terrain", math.nan)}, "reçu « vide »"),
        ("cibles", {"targets": targets_with(2026, "audits_terrain", True)}, "reçu « True »"),
        ("cibles", {"targets": shipped("cibles")["targets"][1:]},
         "Année 2024 : cible manquante pour Audits terrain."),
        ("cibles", {"targets": [*shipped("cibles")["targets"], shipped("cibles")["targets"][0]]},
         "cible en double"),
        ("cibles", {"targets": [{**shipped("cibles")["targets"][0], "indicator_code": "x"}]},
         "indicateur inconnu « x »"),
        ("cibles", {"targets": [{**t, "counted_to": "2025-01-31"} if t["year"] == 2024 else t
                                for t in shipped("cibles")["targets"]]},
         "doit être dans l'année 2024"),
        ("cibles", {"targets": [{**t, "year": 2023} for t in shipped("cibles")["targets"][:6]]},
         "année invalide « 2023 »"),
        ("cibles", {"targets": []}, "au moins une année"),
        ("cibles", {"targets": [{}] * 401}, "401 lignes, 400 au plus"),
        ("poles", {"poles": poles_with(centre_est=0.23)},
         "Les parts des cibles des pôles totalisent 99,00 % au lieu de 100 %."),
        ("poles", {"poles": poles_with(centre_est=-0.01, idf_hdf=0.47)},
         "part des cibles invalide « -0.01 »"),
        ("poles", {"poles": [{**p, "pivot_cafs": ["99"]} if p["pole_code"] == "atlantique"
                             else p for p in poles]}, "Caf pivot inconnue « 99 »"),
        ("poles", {"poles": [{**p, "pivot_cafs": "21"} if p["pole_code"] == "mediterranee"
                             else p for p in poles]},
         "La Caf 21 ne peut être Caf pivot de deux pôles"),
        ("poles", {"poles": [{**p, "pivot_note": "x" * 201} for p in poles]},
         "200 caractères au plus (reçu 201)"),
        ("poles", {"poles": [{**p, "pivot_note": "Caf\u202e de Nîmes"} for p in poles]},
         "caractères de contrôle ou de mise en forme refusés"),
        ("poles", {"poles": poles[:4]}, "Pôle Centre-Ouest : absent"),
        ("regions", {"regions": no_bfc}, "Région Bourgogne-Franche-Comté (27) : aucun pôle."),
        ("regions", {"regions": {**regions, "27": "lune"}}, "pôle inconnu « lune »"),
        ("regions", {"regions": {**regions, "75": "centre_ouest"}},
         "Le pôle Atlantique n'a plus aucune région de métropole."),
        ("regions", {"regions": {**regions, "99": "atlantique"}}, "Région inconnue « 99 »"),
        ("correspondance", {"kinds": {**kinds, "suivi_ida": "suivis"}},
         "indicateur inconnu « suivis »"),
        ("correspondance", {"kinds": {**kinds, "consulting_n1": None}},
         "L'indicateur « Études consulting » n'est alimenté par aucune nature d'activité"),
        ("correspondance", {"kinds": {k: v for k, v in kinds.items() if k != "audit_terrain"}},
         "Nature « Audit terrain (test de protocole ou d'outil) » : absente."),
        ("forfait", {"travel_fee_eur": -5}, "Forfait de déplacement invalide « -5 »"),
        ("forfait", {"travel_fee_eur": "12,345"}, "« 12,345 »"),
        ("forfait", {"travel_fee_eur": "trois cents"}, "« trois cents »"),
        ("forfait", {"travel_fee_eur": 10_000.01}, "au plus 10\u00a0000 €"),
        ("forfait", {"travel_fee_eur": math.inf}, "« inf »"),
        ("forfait", {"travel_fee_eur": None}, "« vide »"),
        ("forfait", {"travel_fee_eur": "1e3"}, "« 1e3 »"),
    ]  # fmt: skip


def test_bad_edits_write_nothing_and_say_why_in_french(store_url):
    before = state()
    for group, values, expected in bad_edits():
        with pytest.raises(edits.EditRefused) as refused:
            edits.save(CNAF, group, values)
        assert any(expected in e for e in refused.value.errors), (group, refused.value.errors)
        assert nothing_written(before), group
    assert reference.travel_fee_eur() == 300.0
    assert edits.validate_all() == []


def test_other_roles_are_refused_by_the_data_layer(store_url):
    before = state()
    for who in (READER, POLE_IDF, ADMIN, None):
        with pytest.raises(AccessDenied, match="ne permet pas de modifier les référentiels"):
            edits.save_travel_fee(who, 250)
        with pytest.raises(AccessDenied):
            edits.save_targets(who, targets_with(2026, "audits_terrain", 73))
        with pytest.raises(AccessDenied):
            edits.reset(who, "forfait")
    with pytest.raises(AccessDenied):
        edits.history(POLE_IDF)
    with pytest.raises(AccessDenied):
        edits.history(READER)
    assert edits.history(ADMIN).height == 0
    assert nothing_written(before)
    assert edits.save_travel_fee(CNAF, 250).changed


def test_a_save_over_a_newer_version_is_refused(store_url):
    edits.save_travel_fee(OTHER_CNAF, 320, expected_version=0)
    before = state()
    with pytest.raises(edits.EditConflict) as conflict:
        edits.save_travel_fee(CNAF, 350, expected_version=0)
    assert "modifié par dpfas.autre" in conflict.value.errors[0]
    assert "Rien n'a été enregistré" in conflict.value.errors[0]
    assert nothing_written(before)
    assert reference.travel_fee_eur() == 320.0
    assert edits.save_travel_fee(CNAF, 350, expected_version=1).version == 2


# --- audit trail ----------------------------------------------------------------------


def test_every_change_is_audited_with_before_and_after(store_url):
    edits.save_targets(CNAF, targets_with(2026, "audits_terrain", 73))
    assert counter() == 1
    # The same values again: nothing written, no audit row.
    assert edits.save_targets(CNAF, targets_with(2026, "audits_terrain", 73)).changed is False
    edits.save_travel_fee(CNAF, "312,5")
    edits.reset(CNAF, "forfait")
    assert counter() == 3
    rows = audit_rows()
    assert [(r.entity_id, r.action, r.actor, r.actor_role) for r in rows] == [
        ("cibles", "modification", "dpfas.ref", "cnaf"),
        ("forfait", "modification", "dpfas.ref", "cnaf"),
        ("forfait", "reinitialisation", "dpfas.ref", "cnaf"),
    ]
    target_before = json.loads(rows[0].before_json)["targets"]
    target_after = json.loads(rows[0].after_json)["targets"]
    changed = [(a, b) for a, b in zip(target_before, target_after, strict=True) if a != b]
    assert changed == [
        (
            {"year": 2026, "indicator_code": "audits_terrain", "target_count": 30,
             "counted_from": "2026-01-01", "counted_to": "2026-12-31"},
            {"year": 2026, "indicator_code": "audits_terrain", "target_count": 73,
             "counted_from": "2026-01-01", "counted_to": "2026-12-31"},
        )
    ]  # fmt: skip
    assert json.loads(rows[1].before_json) == {"travel_fee_eur": 300.0}
    assert json.loads(rows[1].after_json) == {"travel_fee_eur": 312.5}
    assert json.loads(rows[2].before_json) == {"travel_fee_eur": 312.5}
    assert json.loads(rows[2].after_json) == {"travel_fee_eur": 300.0}
    assert edit_rows()["forfait"] == (2, None)  # back to rules.toml
    assert reference.travel_fee_eur() == 300.0
    log = edits.history(CNAF)
    assert log["ref_group"].to_list() == ["forfait", "forfait", "cibles"]
    assert log["action"].to_list() == ["reinitialisation", "modification", "modification"]
    assert log["changes"].to_list() == [
        "Forfait : 312,50 € → 300,00 €",
        "Forfait : 300,00 € → 312,50 €",
        "Cible 2026 · Audits terrain : 30 (du 01/01/2026 au 31/12/2026) → 73 (du 01/01/2026 "
        "au 31/12/2026)",
    ]
    # The audit page lists them too, with their labels.
    assert journal.ENTITY_LABELS["referentiel"] == "Référentiel"
    assert journal.ACTION_LABELS["reinitialisation"] == "Retour aux valeurs livrées"


def test_history_describes_each_kind_of_change():
    before = shipped("poles")
    after = {"poles": poles_with(centre_est=0.30, idf_hdf=0.16)}
    lines = edits.describe_changes("poles", before, after)
    assert lines == ["Part IDF-HDF : 22,00\u00a0% → 16,00\u00a0%",
                     "Part Centre-Est-ARA : 24,00\u00a0% → 30,00\u00a0%"]  # fmt: skip
    regions = shipped("regions")
    moved = {"regions": {**regions["regions"], "27": "idf_hdf"}}
    assert edits.describe_changes("regions", regions, moved) == [
        "Région Bourgogne-Franche-Comté : Centre-Est-ARA → IDF-HDF"
    ]
    kinds = shipped("correspondance")
    remapped = {"kinds": {**kinds["kinds"], "animation_ida": "suivis_ida"}}
    assert edits.describe_changes("correspondance", kinds, remapped) == [
        "Animation régionale des référents IDA : non ciblée → Suivis IDA"
    ]
    assert edits.describe_changes("forfait", {"x": 1}, {"travel_fee_eur": []}) == [
        "Changement illisible (voir les valeurs avant et après)."
    ]


# --- checks -------------------------------------------------------------------------------


def test_an_unreadable_stored_edit_falls_back_to_the_files_and_is_reported(store_url):
    table = schema.reference_edits
    with store.get_store().write() as conn:
        conn.execute(
            table.update()
            .where(table.c.ref_group == "forfait")
            .values(version=1, document=json.dumps({"travel_fee_eur": -3}))
        )
        store.Store.bump(conn, "reference_edits")
    assert reference.travel_fee_eur() == 300.0
    problems = reference.validate()
    assert len(problems) == 1
    assert problems[0].startswith("Référentiel « Forfait de déplacement » modifié dans")
    assert "les valeurs livrées (rules.toml) s'appliquent" in problems[0]
    assert db.data_problems()[0] == problems[0]  # every page shows it
    found = edits.validate_all()
    assert found[0].startswith(
        "Valeurs modifiées dans l'application (Forfait de déplacement) : Forfait de "
        "déplacement invalide « -3 »"
    )


def test_validate_all_checks_the_shipped_files(tiny_data, monkeypatch):
    monkeypatch.setattr(reference, "shipped_travel_fee_eur", lambda: 12.345)
    monkeypatch.setattr(
        reference, "shipped_region_poles", lambda: {"11": "idf_hdf", "32": "nulle_part"}
    )
    found = edits.validate_all()
    assert any(p.startswith("Fichier livré rules.toml : Forfait de déplacement invalide")
               for p in found)  # fmt: skip
    assert any(p.startswith("Fichier livré poles.toml : Région Hauts-de-France (32) : pôle "
                            "inconnu « nulle_part »") for p in found)  # fmt: skip


def test_without_a_store_the_shipped_files_apply(tmp_path, monkeypatch):
    monkeypatch.setenv("SPPE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    store.reset_cache()
    assert reference.version() is None
    assert reference.travel_fee_eur() == 300.0
    assert reference.targets().height == 24
    assert edits.validate_all() == []


JSONISH = hs.recursive(
    hs.none() | hs.booleans() | hs.integers() | hs.floats() | hs.text(max_size=30)
    | hs.dates(),
    lambda inner: hs.lists(inner, max_size=6)
    | hs.dictionaries(hs.text(max_size=20), inner, max_size=6),
    max_leaves=30,
)  # fmt: skip
KEYS = hs.sampled_from(["targets", "poles", "regions", "kinds", "travel_fee_eur", "x"])


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    group=hs.sampled_from([*reference.GROUPS, "inconnu"]),
    values=hs.dictionaries(KEYS, JSONISH, max_size=3) | JSONISH,
)
def test_check_never_raises_and_what_it_accepts_it_accepts_again(group, values):
    document, errors = edits.check(group, values)
    assert all(isinstance(e, str) and e for e in errors)
    if not errors:
        assert edits.check(group, json.loads(json.dumps(document))) == (document, [])


# --- the page -----------------------------------------------------------------------------


def open_page(role: str = "cnaf") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = "idf_hdf"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def test_the_page_shows_the_shipped_values_and_saves_an_edit(tiny_data):
    at = open_page()
    assert at.title[0].value == "Référentiels"
    editors = {e.key: e for e in at.data_editor}
    assert set(editors) == {"editor_cibles_0", "editor_poles_0", "editor_regions_0",
                            "editor_correspondance_0"}  # fmt: skip
    targets = editors["editor_cibles_0"].value
    assert len(targets) == 24
    assert targets.iloc[12].tolist()[:3] == [2026, "Audits terrain (tests de protocoles ou "
                                             "d'outils)", 30]  # fmt: skip
    poles = editors["editor_poles_0"].value
    assert poles["Part des cibles (%)"].tolist() == ["22,00", "24,00", "20,00", "14,00", "20,00"]
    assert poles["Caf pivots"].tolist() == ["", "21, 52", "30", "", ""]
    assert len(editors["editor_regions_0"].value) == 18
    assert at.text_input[0].value == "300,00"
    assert any("Valeurs livrées avec l'application (fichier targets.csv)" in c.value
               for c in at.caption)  # fmt: skip
    # One target changed in the editor (row 13: 2026, audits terrain), then saved.
    at.session_state["editor_cibles_0"] = {
        "edited_rows": {12: {"Cible (mission)": 73}}, "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.run()
    button(at, "Enregistrer les cibles").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "modifications enregistrées" in at.success[0].value
    assert progress("all", "audits_terrain")["target_count"] == pytest.approx(73)
    history = at.dataframe[-1].value
    assert history["Référentiel"].tolist() == ["Cibles annuelles"]
    assert history["Auteur"].tolist() == ["demo.cnaf"]
    assert "30 (du 01/01/2026 au 31/12/2026) → 73" in history["Changements"][0]
    # The Synthèse of the same session shows the new target at once.
    at.session_state["annee"] = "2026"
    at.switch_page("app_pages/synthese.py")
    at.run()
    texts = [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown if "réalisés sur" in m.value]
    assert texts[0].startswith("1 réalisés sur 73 (cible)")


def test_the_page_edits_shares_as_french_percentages(tiny_data):
    at = open_page()
    at.session_state["editor_poles_0"] = {
        "edited_rows": {0: {"Part des cibles (%)": "16"}, 1: {"Part des cibles (%)": "30,0"}},
        "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.run()
    button(at, "Enregistrer les pôles").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    shares = dict(reference.poles().select("pole_code", "target_share").iter_rows())
    assert shares["idf_hdf"] == pytest.approx(0.16)
    assert shares["centre_est"] == pytest.approx(0.30)
    assert shares["atlantique"] == 0.14  # untouched, kept exactly


def test_the_page_refuses_bad_values_in_french_and_saves_nothing(tiny_data):
    at = open_page()
    at.session_state["editor_poles_0"] = {
        "edited_rows": {0: {"Part des cibles (%)": "vingt"}},
        "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.run()
    button(at, "Enregistrer les pôles").click()
    at.run()
    assert "Rien n'a été enregistré" in at.error[0].value
    assert "part des cibles invalide « vingt »" in at.error[0].value.replace("\\", "")
    at.text_input[0].input("-12")
    button(at, "Enregistrer le forfait").click()
    at.run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert "Rien n'a été enregistré" in message
    assert "Forfait de déplacement invalide « -12 »" in message
    assert counter() == 0
    assert audit_rows() == []
    assert reference.travel_fee_eur() == 300.0


def test_the_page_refuses_a_save_over_a_newer_version(tiny_data):
    at = open_page()
    edits.save_travel_fee(OTHER_CNAF, 320)  # someone else, after the page was drawn
    at.text_input[0].input("350")
    button(at, "Enregistrer le forfait").click()
    at.run()
    warnings = [w.value for w in at.warning]
    assert any("modifié par dpfas.autre depuis l'ouverture de la page" in w.replace("\\", "")
               for w in warnings)  # fmt: skip
    assert "modifié par dpfas.autre" in at.error[0].value.replace("\\", "")
    assert reference.travel_fee_eur() == 320.0
    # Reloading takes the current version: the save then goes through.
    button(at, "Recharger les valeurs actuelles").click()
    at.run()
    at.text_input[0].input("350")
    button(at, "Enregistrer le forfait").click()
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert reference.travel_fee_eur() == 350.0


def test_the_page_is_for_the_cnaf_role_only(tiny_data):
    assert [p.roles for p in navigation.PAGES if p.path == PAGE] == [frozenset({"cnaf"})]
    for who in (ADMIN, READER, POLE_IDF):
        # The page itself, opened without the menu: it refuses too, in French.
        at = AppTest.from_file("../" + PAGE, default_timeout=60)
        at.session_state[signin.PRINCIPAL_KEY] = who
        at.run()
        assert not at.exception, at.exception
        assert len(at.data_editor) == 0 and len(at.text_input) == 0
        assert at.error[0].value.startswith("Votre rôle ne permet pas de modifier les référentiels")
