"""A missing or broken extract: the figures it feeds say « Données indisponibles » with the
reason, never a 0 with a pace badge; the pages fed by other extracts are unaffected; a
mission total that counts activities booked to no pôle says how many (AppTest on the
tiny data set, figures worked out by hand from tests/tiny.py and the rows planted here).
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from sppe_data.extracts import polars_schema
from tests.conftest import _clear_caches
from tests.test_pages import role_for

APP = "../app.py"
UNAVAILABLE = "Données indisponibles"
ACTIVITIES_LABEL = "« Activités des pôles »"
STAFF_LABEL = "« Effectifs des pôles »"

# Every page that shows a figure computed on the activities.
ACTIVITY_PAGES = [
    "synthese",
    "indicateurs",
    "copil",
    "comite_operationnel",
    "controles",
    "saisines",
    "ressources",
    "carte_poles",
    "dossier_copil",
]


def run(page: str, **state: object) -> AppTest:
    path = f"app_pages/{page}.py"
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role_for(path)
    at.session_state["demo_pole"] = "idf_hdf"
    at.session_state["annee"] = "2026"
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "inattendue" in e.value]
    return at


def break_extract(data_dir, name: str, how: str) -> None:
    folder = data_dir / "extracts" / name
    for part in folder.glob("*.parquet"):
        if how == "deleted":
            part.unlink()
        else:
            part.write_bytes(b"PAR1 ceci n'est pas un fichier parquet PAR1")
    _clear_caches()


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def badges(at: AppTest) -> list[str]:
    """Pace badges (st.badge renders as markdown ':colour-badge[...]')."""
    return [m.value for m in at.markdown if "-badge[" in m.value]


def texts(at: AppTest) -> str:
    """Every piece of text on the page, tags removed."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return re.sub(r"<[^>]+>", "", "\n".join(parts))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- activities unavailable --------------------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "corrupted"])
@pytest.mark.parametrize("page", ACTIVITY_PAGES)
def test_activities_unavailable_no_figure_no_badge(tiny_data, page, how):
    break_extract(tiny_data, "activities", how)
    at = run(page)
    reason = "introuvable" if how == "deleted" else "illisible"
    shown = [w for w in warnings(at) if w.startswith(UNAVAILABLE)]
    assert shown, page
    assert all(ACTIVITIES_LABEL in w and reason in w for w in shown), shown
    # No pace badge, no KPI card, no "0 réalisés", no status word computed on nothing.
    assert badges(at) == []
    page_text = texts(at)
    assert "réalisés sur" not in page_text
    assert "En retard" not in page_text and "Dans la trajectoire" not in page_text
    # The reason is said where the figures are, not as a page-wide error.
    assert not [e.value for e in at.error if ACTIVITIES_LABEL in e.value]


def test_activities_unavailable_pages_show_the_rest(tiny_data):
    break_extract(tiny_data, "activities", "deleted")
    # Comité opérationnel: the activity figures unavailable, the requests waiting shown
    # (S1 received 20/01 and S3 in progress at 31/01: tests/tiny.py).
    got = metrics(run("comite_operationnel"))
    assert got["Réalisées dans le mois"] == "Indisponible"
    assert got["Prévues le mois suivant"] == "Indisponible"
    assert got["Activités en retard"] == "Indisponible"
    assert got["Saisines en attente"] not in ("Indisponible", "0")
    # Saisines: the requests' figures as with every extract (3 received in 2026: S1, S3,
    # S5), the travel fees (activities) unavailable.
    at = run("saisines")
    got = metrics(at)
    assert (got["Reçues"], got["Non prises en charge"], got["En cours"], got["Traitées"]) == (
        "3",
        "1",
        "1",
        "1",
    )
    assert not [m.value for m in at.markdown if "Forfait par intervention" in m.value]
    assert len([w for w in warnings(at) if w.startswith(UNAVAILABLE)]) == 1
    # Ressources: the staff figures (E1 1 + E2 1 + E3 0.5 + E5 1 = 3.5 FTE in post; E4
    # 1 vacant; 6 positions, 5.5 FTE), the two charts that read the activities too
    # unavailable.
    at = run("ressources")
    got = metrics(at)
    assert (got["ETP en poste"], got["ETP vacants"], got["ETP prévus (postes)"]) == (
        "3,5",
        "1",
        "5,5",
    )
    assert len([w for w in warnings(at) if w.startswith(UNAVAILABLE)]) == 2
    positions = at.dataframe[-1].value
    assert len(positions) == 6  # every position (E1-E6): the pôle filter is 'all'


def test_carte_keeps_the_pole_map_without_activities(tiny_data):
    break_extract(tiny_data, "activities", "deleted")
    at = run("carte_poles")
    options = at.radio(key="carte_indicateur").options
    assert options == ["Pôle de rattachement", "Taux de couverture global"]
    table = pl.from_pandas(at.dataframe[0].value)
    assert table["Activités réalisées"].null_count() == table.height  # shown « – »
    # Typed: a share of 1, shown 52,5 % on the page.
    nord = table.filter(pl.col("Code") == "59")["Taux de couverture global"][0]
    assert nord == pytest.approx(0.525)


def test_donnees_says_which_extract_is_unavailable(tiny_data):
    break_extract(tiny_data, "activities", "deleted")
    at = run("donnees")
    table = pl.from_pandas(at.dataframe[0].value)
    row = table.filter(pl.col("Extraction") == "Activités des pôles").row(0, named=True)
    assert row["État"] == "Indisponible" and row["Lignes"] is None
    staff = table.filter(pl.col("Extraction") == "Effectifs des pôles").row(0, named=True)
    assert (staff["État"], staff["Lignes"]) == ("Disponible", 6)


def test_journal_entries_do_not_make_the_national_figures_available(tiny_data):
    # An activity logged in the app, then the extract gone: the national figures stay
    # unavailable (the journal's rows alone would pass for the mission's).
    from sppe_data import journal
    from sppe_data.auth import Principal

    agent = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
    entry = {
        "activity_kind": "controle_sensible", "pole_code": "idf_hdf", "caf_code": "59",
        "status": "done", "activity_on": date(2026, 1, 20), "days_spent": 2,
        "has_findings": False,
    }  # fmt: skip
    assert journal.save_activity(agent, entry, "jeton-dispo-1").created
    break_extract(tiny_data, "activities", "deleted")
    at = run("synthese")
    assert [w for w in warnings(at) if w.startswith(UNAVAILABLE)]
    assert badges(at) == [] and "réalisés sur" not in texts(at)


# --- staff unavailable -----------------------------------------------------------------


def test_staff_unavailable_ressources_says_so_synthese_unaffected(tiny_data):
    break_extract(tiny_data, "staff", "deleted")
    at = run("ressources")
    [shown] = [w for w in warnings(at) if w.startswith(UNAVAILABLE)]
    assert STAFF_LABEL in shown and "introuvable" in shown
    assert metrics(at) == {}  # no FTE figure at all, not even 0
    assert at.dataframe == [] or len(at.dataframe) == 0

    at = run("synthese")
    assert not [w for w in warnings(at) if w.startswith(UNAVAILABLE)]
    assert not at.error  # the staff is not Synthèse's business
    kpis = [t for t in texts(at).split("\n") if "réalisés sur" in t]
    # Mission 2026: contrôles sensibles A01, A02 and A06 done by 31/01, target 50.
    assert any(t.startswith("3 réalisés sur 50") for t in kpis), kpis
    assert len(badges(at)) == 6


# --- activities booked to no pôle --------------------------------------------------------

# Rows added to the tiny activities (a second Parquet file of the extract): (id, kind,
# pôle, caf/dep, status, date).
OUTSIDE = [
    ("X01", "controle_sensible", None, "971", "done", date(2026, 1, 10)),  # counts (2026)
    ("X02", "suivi_ida", "outre_mer", "972", "done", date(2026, 1, 12)),  # counts (2026)
    ("X03", "suivi_ida", "outre_mer", "972", "done", date(2026, 2, 12)),  # after today
    ("X04", "controle_sensible", None, "971", "planned", date(2026, 1, 11)),  # not done
    ("X05", "animation_ida", None, "971", "done", date(2026, 1, 11)),  # not targeted
    ("X06", "audit_terrain", "zz", "974", "done", date(2025, 12, 1)),  # counts (2025)
    ("X07", "controle_sensible", "idf_hdf", "59", "done", date(2026, 1, 13)),  # a pôle's
]


def plant_outside(data_dir) -> None:
    rows = [
        {
            "activity_id": i, "activity_kind": kind, "pole_code": pole, "caf_code": dep,
            "dep_code": dep, "status": status, "activity_on": on, "days_spent": 1.0,
            "travel_fee_eur": 0.0,
        }
        for i, kind, pole, dep, status, on in OUTSIDE
    ]  # fmt: skip
    frame = pl.DataFrame(rows).select(
        pl.col(c).cast(t) if c in rows[0] else pl.lit(None, dtype=t).alias(c)
        for c, t in polars_schema("activities").items()
    )
    frame.write_parquet(data_dir / "extracts" / "activities" / "planted.parquet")
    _clear_caches()


def test_out_of_pole_counts_match_mission_minus_poles(tiny_data):
    from sppe_data import api, checks

    plant_outside(tiny_data)
    counts = checks.out_of_pole_activities(date(2026, 1, 1), date(2026, 12, 31))
    assert dict(counts.iter_rows()) == {"controles_sensibles": 1, "suivis_ida": 1}  # X01, X02
    counts_2025 = checks.out_of_pole_activities(date(2025, 1, 1), date(2025, 12, 31))
    assert dict(counts_2025.iter_rows()) == {"audits_terrain": 1}  # X06
    # The grid's mission row: every realised row; the pôle rows: their own.
    progress = api.indicator_progress(2026)
    mission = progress.filter(pl.col("pole_code") == "all")
    poles = (
        progress.filter(pl.col("pole_code") != "all")
        .group_by("indicator_code")
        .agg(pl.col("realised_count").sum().alias("poles_count"))
    )
    gap = mission.join(poles, on="indicator_code").select(
        "indicator_code", (pl.col("realised_count") - pl.col("poles_count")).alias("gap")
    )
    assert dict(gap.filter(pl.col("gap") != 0).iter_rows()) == {
        "controles_sensibles": 1,
        "suivis_ida": 1,
    }
    # Contrôles sensibles of the mission by hand: A01, A02, A06, X07 and X01.
    row = mission.filter(pl.col("indicator_code") == "controles_sensibles")
    assert row["realised_count"].item() == 5


def test_mission_total_says_how_many_outside_the_poles(tiny_data):
    plant_outside(tiny_data)
    at = run("synthese", pole="all")
    notes = [c.value for c in at.caption if c.value.startswith("dont ")]
    # One note per mission card that has such activities: contrôles sensibles (X01) and
    # suivis IDA (X02).
    assert notes == [
        "dont 1 activité hors des cinq pôles",
        "dont 1 activité hors des cinq pôles",
    ]
    cards = [t for t in texts(at).split("\n") if "réalisés sur" in t]
    assert any(t.startswith("5 réalisés sur 50") for t in cards), cards  # contrôles sensibles
    assert any("dont 2 activités hors des cinq pôles" in c.value for c in at.caption)

    # A pôle's cards: their figures do not include them, no note.
    at = run("synthese", pole="idf_hdf")
    assert not [c.value for c in at.caption if c.value.startswith("dont ")]

    at = run("indicateurs", pole="all")
    assert any("dont 2 activités hors des cinq pôles" in c.value for c in at.caption)
    # The explorer by pôle (2026 up to 31/01): one column for them, X01 and X02 (X05 too:
    # every kind of activity is shown there, targeted or not).
    pivot = pl.from_pandas(at.dataframe[1].value)
    assert pivot["Hors des cinq pôles"].to_list().count(1) == 3

    # COPIL 1st semester 2026, as of 31/01: X01 and X02 in the year and the semester;
    # the previous semester (2nd of 2025) has X06.
    at = run("copil", pole="all", semestre=1)
    captions = "\n".join(c.value for c in at.caption)
    assert "Réalisé de la mission dont 2 activités hors des cinq pôles" in captions
    assert "1er semestre 2026 : dont 2 activités hors des cinq pôles" in captions
    assert "2e semestre 2025 : dont 1 activité hors des cinq pôles" in captions


def test_no_note_when_every_activity_has_a_pole(tiny_data):
    at = run("synthese", pole="all")
    assert not [c.value for c in at.caption if "hors des cinq pôles" in c.value]
