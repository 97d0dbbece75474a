"""Overseas Cafs (letter, section 4 and Annexe 1): their engineering is the national
Cepaje team's, booked to its scope "cepaje" (not a pôle: no target share, in no pôle's
figures), counted in the mission total which says so; their on-site control support
stays with Centre-Est. Figures worked out by hand from tests/tiny.py (today 2026-01-31)
plus its OVERSEAS_ACTIVITIES rows O1-O4."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from sppe_data import checks, entries, reference
from sppe_data.imports.reading import EXTRACT_LIMITS, prepare
from sppe_data.imports.validate import validate_extract
from tests.conftest import _clear_caches
from tests.tiny import overseas_activities_frame


@pytest.fixture
def overseas_data(tiny_data):
    """The tiny data set with O1-O4 as a second Parquet file of the activities."""
    overseas_activities_frame().write_parquet(
        tiny_data / "extracts" / "activities" / "overseas.parquet"
    )
    _clear_caches()
    return tiny_data


# --- the reference: one rule, in poles.toml ----------------------------------------------


def test_the_cepaje_scope_is_no_pole():
    national = reference.overseas_engineering_scope()
    assert national.code == "cepaje" and national.domain == "ingenierie"
    poles = reference.poles()
    assert national.code not in set(poles["pole_code"])
    assert poles.height == 5 and poles["target_share"].sum() == pytest.approx(1.0)
    deps = reference.departement_poles()
    overseas = deps.filter(pl.col("is_overseas"))
    # Their pôle on maps and lists: Centre-Est; their engineering: the Cepaje.
    assert sorted(overseas["dep_code"]) == ["971", "972", "973", "974", "976"]
    assert set(overseas["pole_code"]) == {"centre_est"}
    assert set(overseas["engineering_scope_code"]) == {"cepaje"}
    mainland = deps.filter(~pl.col("is_overseas"))
    assert (mainland["engineering_scope_code"] == mainland["pole_code"]).all()
    assert reference.booking_scope("974", "ingenierie") == "cepaje"
    assert reference.booking_scope("974", "maitrise_risques") == "centre_est"
    assert reference.booking_scope("21", "ingenierie") == "centre_est"
    assert reference.check_consistency() == []


# --- the figures -------------------------------------------------------------------------


def _row(progress: pl.DataFrame, pole: str, indicator: str) -> dict:
    return progress.filter(
        (pl.col("pole_code") == pole) & (pl.col("indicator_code") == indicator)
    ).row(0, named=True)


def test_overseas_ida_counts_for_the_cepaje_not_centre_est(overseas_data):
    from sppe_data import api

    progress = api.indicator_progress(2026)
    # No sixth pôle: the mission and the five pôles, six indicators each.
    assert progress.height == 6 * 6
    assert "cepaje" not in set(progress["pole_code"])
    # Suivis IDA 2026: A07, A13, A14 (Méditerranée) and O1 (Cepaje, 974); O4 not done.
    mission = _row(progress, "all", "suivis_ida")
    assert (mission["realised_count"], mission["national_scope_count"]) == (4, 1)
    assert mission["target_count"] == pytest.approx(200.0)  # the mission's, share 1
    centre_est = _row(progress, "centre_est", "suivis_ida")
    assert centre_est["realised_count"] == 0  # O1 is not Centre-Est's
    assert centre_est["target_count"] == pytest.approx(200 * 0.24)
    assert _row(progress, "mediterranee", "suivis_ida")["realised_count"] == 3
    # The mission minus its pôles: exactly the Cepaje's row (no row booked to no pôle).
    poles_sum = progress.filter(
        (pl.col("pole_code") != "all") & (pl.col("indicator_code") == "suivis_ida")
    )["realised_count"].sum()
    assert mission["realised_count"] - poles_sum == 1
    assert checks.out_of_pole_activities(date(2026, 1, 1), date(2026, 12, 31)).is_empty()


def test_overseas_control_support_counts_for_centre_est(overseas_data):
    from sppe_data import api

    progress = api.indicator_progress(2026)
    # Contrôles sensibles 2026: A06 and O2 (974) for Centre-Est; A01, A02 for IDF-HDF.
    centre_est = _row(progress, "centre_est", "controles_sensibles")
    assert centre_est["realised_count"] == 2
    mission = _row(progress, "all", "controles_sensibles")
    assert (mission["realised_count"], mission["national_scope_count"]) == (4, 0)


def test_previous_year_and_periods_agree(overseas_data):
    from sppe_data import api

    # Études consulting 2025: B06 (Méditerranée) and O3 (Cepaje, 971).
    progress = api.indicator_progress(2025)
    mission = _row(progress, "all", "etudes_consulting")
    assert (mission["realised_count"], mission["national_scope_count"]) == (2, 1)
    assert _row(progress, "mediterranee", "etudes_consulting")["realised_count"] == 1
    assert _row(progress, "centre_est", "etudes_consulting")["realised_count"] == 0
    # The same figures per semester (S2 2025: O3 only) and month by month.
    period = api.indicator_period(date(2025, 7, 1), date(2025, 12, 31), date(2025, 1, 1),
                                  date(2025, 6, 30))  # fmt: skip
    assert _row(period, "all", "etudes_consulting")["realised_count"] == 1
    s2 = _row(period, "mediterranee", "etudes_consulting")
    assert (s2["realised_count"], s2["previous_realised_count"]) == (0, 1)  # B06 in S1
    monthly = api.indicator_monthly(2025, "etudes_consulting", "all")
    assert monthly["cumulative_realised_count"].max() == 2


def test_the_explorer_shows_the_cepaje_apart(overseas_data):
    from sppe_data import steering

    rows = steering.activity_breakdown(steering.year_period(2026), "all", "pole").filter(
        pl.col("activity_kind") == "suivi_ida"
    )
    got = {r["dim_key"]: (r["dim_label"], r["done_count"]) for r in rows.iter_rows(named=True)}
    assert got == {"mediterranee": ("Méditerranée", 3), "cepaje": ("Cepaje (équipe nationale)", 1)}


def test_the_cepaje_is_no_unknown_pole(overseas_data):
    found = [(u.extract_name, u.column_name) for u in checks.unknown_codes()]
    assert ("activities", "pole_code") not in found


def test_the_mission_captions_say_what_it_includes():
    note = reference.engineering_scope_note(3)
    assert "Cepaje (équipe nationale)" in note and "3 activités réalisées" in note
    assert "cible d'un pôle" in note
    assert "Cepaje" in reference.engineering_scope_note()  # said even when none
    assert reference.engineering_scope_count_note(0) == ""
    assert reference.engineering_scope_count_note(1_234) == (
        "dont 1\u00a0234 du Cepaje (ingénierie outre-mer)"
    )


def test_glossary_explains_the_scope_and_the_mission():
    from sppe_data import steering

    terms = set(steering.glossary()["term"])
    assert {"Cepaje (ingénierie outre-mer)", "Mission (total)"} <= terms


# --- the demo ----------------------------------------------------------------------------


def test_the_demo_books_no_overseas_engineering_to_a_pole(tmp_path):
    from sppe_data import demo

    demo.generate(tmp_path, seed=3, scale=0.5, as_of=date(2026, 3, 31))
    acts = pl.read_parquet(tmp_path / "extracts" / "activities" / "activities.parquet")
    kinds = reference.activity_kinds().select("activity_kind", "domain")
    deps = reference.departement_poles().select("dep_code", "is_overseas")
    acts = acts.join(kinds, on="activity_kind").join(deps, on="dep_code")
    overseas_engineering = acts.filter(pl.col("is_overseas") & (pl.col("domain") == "ingenierie"))
    assert overseas_engineering.height > 0
    assert set(overseas_engineering["pole_code"]) == {"cepaje"}
    cepaje = acts.filter(pl.col("pole_code") == "cepaje")
    assert cepaje.filter(~pl.col("is_overseas") | (pl.col("domain") != "ingenierie")).is_empty()
    assert (cepaje["travel_fee_eur"] == 0).all()  # charged when a pôle works for a Caf
    overseas_controls = acts.filter(
        pl.col("is_overseas") & (pl.col("domain") == "maitrise_risques")
    )
    assert set(overseas_controls["pole_code"]) == {"centre_est"}


# --- the journal form and the imports --------------------------------------------------

BASE = {"status": "done", "activity_on": "14/01/2026", "days_spent": "1"}


def check(kind: str, pole: str, caf: str, **extra) -> entries.Checked:
    return entries.check_activity(
        {**BASE, "activity_kind": kind, "pole_code": pole, "caf_code": caf, **extra},
        latest=date(2026, 1, 31),
    )


def test_form_books_overseas_engineering_to_the_cepaje():
    ok = check("suivi_ida", "Cepaje (équipe nationale)", "974")
    assert ok.ok and ok.row["pole_code"] == "cepaje" and ok.row["dep_code"] == "974"
    assert ok.row["travel_fee_eur"] == 0.0  # no pôle travelled
    assert check("consulting_n1", "cepaje", "971").ok


def test_form_refuses_overseas_engineering_booked_to_a_pole():
    refused = check("suivi_ida", "centre_est", "974")
    assert set(refused.errors) == {"pole_code"}
    message = refused.errors["pole_code"]
    assert "Cepaje (équipe nationale)" in message and "Caf 974" in message
    assert "appui au contrôle sur place" in message


def test_form_keeps_overseas_control_support_with_centre_est():
    ok = check("controle_sensible", "centre_est", "974", has_findings="non")
    assert ok.ok and ok.row["travel_fee_eur"] == reference.travel_fee_eur()
    refused = check("controle_sensible", "cepaje", "974", has_findings="non")
    assert "Centre-Est" in refused.errors["pole_code"]


def test_form_refuses_the_cepaje_for_a_mainland_caf():
    refused = check("suivi_ida", "cepaje", "59")
    assert "Caf ultramarines" in refused.errors["pole_code"]
    assert "Île-de-France" in refused.errors["pole_code"]


@pytest.mark.parametrize("bad", ["CEPAJE2", "cepaje; drop table activities", "x" * 5000, ""])
def test_form_refuses_bad_scope_values(bad):
    refused = check("suivi_ida", bad, "974")
    assert "pole_code" in refused.errors and not refused.ok


def test_extract_import_accepts_the_cepaje_scope(tmp_path):
    frame = overseas_activities_frame()
    path = tmp_path / "in" / "activities.parquet"
    path.parent.mkdir()
    frame.write_parquet(path)
    prepared = prepare(path.name, path, EXTRACT_LIMITS, workdir=tmp_path / "in")
    v = validate_extract("activities", prepared, tmp_path / "work")
    assert v.ok and v.report.is_empty(), v.report
    assert v.kept_count == frame.height


# --- the pages ---------------------------------------------------------------------------


def test_synthese_and_explorer_say_what_the_mission_includes(overseas_data):
    from tests.test_steering_pages import run

    at = run("app_pages/synthese.py", year="2026", pole="all")
    captions = [c.value for c in at.caption]
    # Suivis IDA of the mission: 4 realised (tests above), of which O1 is the Cepaje's.
    assert "dont 1 du Cepaje (ingénierie outre-mer)" in captions
    assert any(reference.engineering_scope_note(1) in c for c in captions)
    explorer = run("app_pages/indicateurs.py", year="2026", pole="all")
    assert any(reference.engineering_scope_note(1) in c.value for c in explorer.caption)
