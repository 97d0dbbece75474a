"""AppTest on the steering pages (tiny data set) and the glossary completeness check:
every figure shown on any page (metric label or table column) has a glossary entry."""

from __future__ import annotations

import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from sppe_data import projects, reference, steering
from tests.test_pages import role_for
from tests.tiny import TODAY
from ui import navigation

APP = "../app.py"


def run(page: str, year: str = "2026", **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role_for(page)
    at.session_state["demo_pole"] = "idf_hdf"
    at.session_state["annee"] = year
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _norm(text: str) -> str:
    """Figures in a header (a year, a staffing range) do not make a new indicator."""
    return re.sub(r"\{[^}]*\}|\d+", "#", text)


def shown_terms(at: AppTest) -> set[str]:
    terms = {m.label for m in at.metric}
    for frame in at.dataframe:
        terms.update(frame.value.columns)
    return terms


def test_every_indicator_has_a_glossary_entry():
    glossary = steering.glossary()
    terms = set(glossary["term"])
    for label, short in reference.indicators().select("indicator_label", "short_label").rows():
        assert label in terms, f"Indicateur sans entrée de glossaire : {label}"
        entry = glossary.filter(pl.col("term") == label).row(0, named=True)
        assert short in entry["aliases"].split("|")
        assert entry["target"] and entry["formula"] and entry["source"] and entry["unit"]
    assert glossary["term"].is_duplicated().sum() == 0


@pytest.mark.parametrize("year", ["2025", "2026"])
def test_every_figure_shown_has_a_glossary_entry(tiny_data, year):
    from sppe_data.governance import demo as governance_demo

    governance_demo.seed(TODAY)  # the committee's tables shown with rows, not empty
    glossary = steering.glossary()
    known = {_norm(t) for t in glossary["term"]}
    known |= {_norm(a) for a in glossary["aliases"].drop_nulls() for a in a.split("|")}
    # Tables that pivot on pôles or jobs use their names as column headers: values of a
    # dimension, not figures.
    known |= set(reference.poles()["pole_short_label"])
    known |= set(steering.rules()["labels"]["jobs"].values())
    known |= set(projects.NEED_LABELS.values())  # the projects table pivots on needs
    missing = {}
    for spec in navigation.PAGES:
        at = run(spec.path, year=year)
        for term in shown_terms(at):
            # A matrix header « Suivis IDA · Réalisé »: an indicator and one of its figures.
            if _norm(term) not in known and not all(
                _norm(part) in known for part in term.split(" · ")
            ):
                missing.setdefault(term, spec.path)
    assert not missing, f"Termes affichés sans entrée de glossaire : {missing}"


def test_glossary_page_lists_indicators_and_measures(tiny_data):
    at = run("app_pages/glossaire.py")
    titles = [m.value for m in at.main.markdown if m.value.startswith("**")]
    assert len(titles) == 6
    assert "**Contrôles sensibles**" in titles
    at.text_input(key="glossaire_recherche").set_value("recouvrement").run()
    assert list(at.dataframe[0].value["Terme"]) == ["Taux de recouvrement"]


def test_explorer_drill_down_filters_the_list(tiny_data):
    at = run("app_pages/indicateurs.py", year="2025", ventilation="equipment")
    at.selectbox(key="drill_kind").set_value("controle_multi_dep").run()
    at.selectbox(key="drill_value").set_value("micro_creche_paje").run()
    assert not at.exception
    detail = at.dataframe[2].value
    assert list(detail["Identifiant"]) == ["B04"]
    assert list(detail["Indus détectés"]) == [500.0]  # a number, shown in euros
    assert "euro" in at.dataframe[2].proto.columns  # shown in euros by the table component
    assert at.dataframe[2].proto.placeholder == "–"  # an empty cell, never "None"


def test_explorer_bullets_and_pivot(tiny_data):
    at = run("app_pages/indicateurs.py", year="2025", pole="idf_hdf")
    pivot = at.dataframe[1].value
    # 2025, IDF-HDF, by pôle: B01 and B02 (contrôles en appui des plans).
    assert list(pivot["Total"]) == [2]
    assert at.get("plotly_chart")


def test_copil_page_summary_and_matrix(tiny_data):
    at = run("app_pages/copil.py", semestre=1)
    bullets = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert bullets[1] == (
        "- Les six indicateurs cumulent 8 réalisations sur le semestre, contre 4 au "
        "2e semestre 2025 (+4)."
    )
    matrix = at.dataframe[1].value
    assert next(iter(matrix["Pôle"])) == "Mission"
    first = {c: next(iter(matrix[c])) for c in matrix.columns}
    assert first["Contrôles sensibles · Statut"] == "✖ En retard"
    assert first["Contrôles sensibles · Réalisé"] == 3
    assert first["Contrôles sensibles · Cible annuelle"] == 50.0


def test_controls_page_figures(tiny_data):
    at = run("app_pages/controles.py", year="2025")
    got = metrics(at)
    assert got["Contrôles réalisés"] == "5"
    assert got["Part avec constats"] == "75,0\u00a0%"
    assert got["Indus détectés"] == "4\u00a0000\u00a0€"
    assert got["Taux de recouvrement"] == "72,5\u00a0%"  # 2 900 / 4 000
    watch = at.dataframe[2].value
    assert list(watch["Partenaire"]) == ["Association Galipettes", "Groupe Lucioles"]


def test_operational_committee_page(tiny_data):
    at = run("app_pages/comite_operationnel.py", comite="maitrise_risques")
    got = metrics(at)
    # January 2026 (today's month): A01, A02, A06, A12 done; B07 planned; B08 late; S1.
    assert got == {
        "Réalisées dans le mois": "4",
        "Prévues le mois suivant": "1",
        "Activités en retard": "1",
        "Saisines en attente": "1",
    }


def test_resources_page(tiny_data):
    at = run("app_pages/ressources.py")
    got = metrics(at)
    assert got["ETP du plan"] == "39,5"
    assert got["ETP en poste"] == "3,5"  # 2.5 (IDF-HDF) + 1.0 (Méditerranée)
    assert got["ETP vacants"] == "1"


def test_saisines_page(tiny_data):
    at = run("app_pages/saisines.py")
    got = metrics(at)
    assert (got["Reçues"], got["Non prises en charge"], got["En cours"], got["Traitées"]) == (
        "3",
        "1",
        "1",
        "1",
    )
    fees_text = [m.value for m in at.markdown if "Forfait par intervention" in m.value]
    assert "total 2026 : **0\u00a0€**" in fees_text[0]


def test_pages_with_no_data_show_french_messages(empty_data):
    pages = ["indicateurs", "copil", "controles", "ressources", "saisines", "comite_operationnel"]
    for page in (f"app_pages/{name}.py" for name in pages):
        at = run(page)
        assert any("introuvable" in w.value for w in at.warning), page


@pytest.mark.parametrize("page", [p.path for p in navigation.PAGES])
def test_pages_for_a_pole_with_no_activity(tiny_data, page):
    at = run(page, year="2026", pole="centre_ouest")
    assert not at.error
    if page == "app_pages/controles.py":
        assert metrics(at)["Contrôles réalisés"] == "0"
        assert metrics(at)["Part avec constats"] == "–"
    if page == "app_pages/saisines.py":
        assert metrics(at)["Reçues"] == "0"
