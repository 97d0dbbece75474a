"""The « Orientations et plan de travail » page (AppTest, tiny data set) and the pure
builders of its tables (charts/governance.py, hand-made frames)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from charts import governance as builders
from sppe_data import governance as gov
from sppe_data.auth import Principal
from ui.governance_forms import PLACEHOLDER

APP = "../app.py"
PAGE = "app_pages/gouvernance.py"
CNAF = Principal("test.cnaf", "Cnaf", "cnaf")


#: The tabs of the page; only the chosen one (``onglet``) runs.
TABS = ["Orientations de l'année", "Plan de travail", "Expérimentations", "Contrats de service"]
TAB_OF = {"orientation": 0, "milestone": 1, "experiment": 2, "contract": 3, "review": 3}


def run(
    role: str,
    year: str = "2026",
    demo_pole: str = "idf_hdf",
    tab: str = TABS[0],
    forms_open: bool = True,
    **state: object,
) -> AppTest:
    """The page for a demo ``role`` (a pôle user of ``demo_pole``) on ``tab``, its add
    and edit forms opened unless ``forms_open`` is False; ``state``: more session state,
    such as the sidebar's pôle filter (``pole``)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    at.session_state["demo_pole"] = demo_pole
    at.session_state["annee"] = year
    at.session_state["onglet"] = tab
    for kind in TAB_OF if forms_open else ():
        at.session_state[f"gov_{kind}_open_new"] = True
        at.session_state[f"gov_{kind}_open_edit"] = True
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE)
    at.run()
    check_page(at)
    return at


def check_page(at: AppTest) -> None:
    """Ran, with no error and no English placeholder anywhere in the page's text."""
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Orientations et plan de travail"
    texts = [
        e.value
        for kind in ("markdown", "caption", "info", "success", "warning", "subheader", "text")
        for e in at.get(kind)
    ]
    texts += [b.label for b in at.get("button")] + [s.label for s in at.get("selectbox")]
    for text in texts:
        for word in ("None", "nan", "NaN", "null", "empty"):
            assert word not in str(text).split(), (word, text)
    for frame in at.dataframe:  # an empty cell reads « – », not "None"
        assert frame.proto.placeholder == PLACEHOLDER


def table(at: AppTest, key: str):
    """The table drawn by ``governance_forms.show_table`` under ``key``."""
    frames = at.get_by_key(key).dataframe
    assert len(frames) == 1, f"table {key} absent"
    return frames[0].value


def submit_buttons(at: AppTest) -> list:
    return [b for b in at.main.button if b.proto.is_form_submitter]


# --- the page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reader", "pole", "cnaf"])
def test_page_runs_for_every_role(tiny_data, role):
    at = run(role, tab=TABS[2])
    assert [t.label for t in at.tabs] == [
        "Orientations de l'année", "Plan de travail", "Expérimentations", "Contrats de service",
    ]  # fmt: skip
    assert any("espace d'expérimentation et de prototypage" in m.value for m in at.markdown)


def test_reader_sees_tables_and_no_form(tiny_data):
    for tab in TABS:
        at = run("reader", year="2024", tab=tab)
        assert submit_buttons(at) == []
        assert len(at.main.button) == 0
        assert len(at.text_input) == 0 and len(at.text_area) == 0 and len(at.date_input) == 0
        assert len(at.main.expander) == 0
    assert len(run("reader", year="2024", tab=TABS[1]).dataframe) >= 3


def test_2024_work_plan_of_the_letter(tiny_data):
    at = run("reader", year="2024", tab=TABS[1])
    seeded = gov.records("milestone", year=2024)
    assert seeded.height >= 11
    first = table(at, "gov_milestones_1")
    second = table(at, "gov_milestones_2")
    assert len(first) + len(second) == seeded.height
    assert len(first) == seeded.filter(pl.col("half") == 1).height
    assert list(first["Échéance"]) == sorted(first["Échéance"])  # dates, by due date
    assert set(first["Statut"]) <= set(gov.MILESTONE_STATUS.values())
    assert "Mission (national)" in set(second["Pôle"])
    counts = table(at, "gov_milestone_counts")
    assert list(counts["Statut"])[:4] == list(gov.MILESTONE_STATUS.values())
    assert counts["Total"][:4].sum() == seeded.height


def test_work_plan_of_one_pole_keeps_the_mission_milestones(tiny_data):
    # The sidebar's pôle filter: that pôle's milestones and the mission's.
    at = run("reader", year="2024", tab=TABS[1], pole="atlantique")
    shown = pl.concat([pl.from_pandas(table(at, f"gov_milestones_{half}")) for half in (1, 2)])
    assert set(shown["Pôle"]) == {"Atlantique", "Mission (national)"}


def test_cnaf_creates_an_orientation(tiny_data):
    at = run("cnaf", year="2026")
    key = "gov_orientation_new"
    at.text_input(key=f"{key}_title").set_value("Déployer les contrôles multi-départementaux")
    at.text_input(key=f"{key}_owner").set_value("Dpfas, département maîtrise des risques")
    at.text_area(key=f"{key}_details").set_value("Priorité du second semestre.")
    at.multiselect(key=f"{key}_indicator_codes").set_value(["controles_multi_dep"])
    at.button(key=f"{key}_submit").click().run()
    check_page(at)
    assert any("Orientation enregistrée" in s.value for s in at.success)
    saved = gov.records("orientation", year=2026)
    assert saved.height == 1
    assert saved["indicator_codes"][0] == "controles_multi_dep"
    shown = table(at, "gov_orientations_table")
    assert list(shown["Orientation"]) == ["Déployer les contrôles multi-départementaux"]
    assert list(shown["Indicateurs suivis"]) == ["Contrôles de partenaires multi-départementaux"]
    assert shown["Actions rattachées"][0] == 0
    # A second run of the same page does not record it twice (the token is kept).
    at.run()
    assert gov.records("orientation", year=2026).height == 1
    # « Ajouter une autre orientation »: an empty form again, with a new token.
    at.button(key=f"{key}_again").click().run()
    check_page(at)
    assert at.text_input(key=f"{key}_title").value == ""
    at.text_input(key=f"{key}_title").set_value("Seconde orientation")
    at.text_input(key=f"{key}_owner").set_value("Dpfas")
    at.button(key=f"{key}_submit").click().run()
    assert gov.records("orientation", year=2026)["title"].to_list() == [
        "Déployer les contrôles multi-départementaux", "Seconde orientation",
    ]  # fmt: skip


def test_cnaf_creates_a_milestone(tiny_data):
    at = run("cnaf", year="2026", tab=TABS[1])
    key = "gov_milestone_new"
    at.number_input(key=f"{key}_year").set_value(2026)
    at.selectbox(key=f"{key}_half").set_value(2)
    at.selectbox(key=f"{key}_pole_code").set_value("mediterranee")
    at.text_input(key=f"{key}_title").set_value("Bilan des contrôles en MC Paje")
    at.date_input(key=f"{key}_due_on").set_value(date(2026, 11, 30))
    at.selectbox(key=f"{key}_status").set_value("en_cours")
    at.button(key=f"{key}_submit").click().run()
    check_page(at)
    assert any("Jalon enregistré" in s.value for s in at.success)
    saved = gov.records("milestone", year=2026)
    assert saved.height == 1
    row = saved.row(0, named=True)
    assert (row["half"], row["pole_code"], row["due_on"]) == (2, "mediterranee", date(2026, 11, 30))
    second = table(at, "gov_milestones_2")
    assert list(second["Jalon"]) == ["Bilan des contrôles en MC Paje"]
    assert list(second["Pôle"]) == ["Méditerranée"]
    assert list(second["Statut"]) == ["En cours"]
    assert list(second["En retard"]) == [False]


def test_refused_values_are_listed_in_french(tiny_data):
    at = run("cnaf", year="2026", tab=TABS[1])
    key = "gov_milestone_new"
    at.number_input(key=f"{key}_year").set_value(2026)
    at.date_input(key=f"{key}_due_on").set_value(date(2025, 12, 1))  # not in the plan's year
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # markdown escapes removed
    assert len(errors) == 1 and errors[0].startswith("Rien n'a été enregistré")
    assert "- Jalon : Champ obligatoire." in errors[0]
    assert gov.records("milestone", year=2026).is_empty()


def test_cnaf_edits_then_deletes_a_milestone_after_confirming(tiny_data):
    saved = gov.save(
        CNAF, "milestone",
        {"year": 2026, "half": 1, "pole_code": None, "title": "Jalon à revoir",
         "due_on": date(2026, 1, 15), "status": "a_faire"},
        token="test-jalon",
    )  # fmt: skip
    at = run("cnaf", year="2026", tab=TABS[1])
    at.selectbox(key="gov_milestone_pick").set_value(saved.entity_id).run()
    edit = f"gov_milestone_edit_{saved.entity_id}"
    at.selectbox(key=f"{edit}_status").set_value("fait")
    at.text_area(key=f"{edit}_evidence").set_value("Compte rendu du COPIL")
    at.button(key="gov_milestone_edit_submit").click().run()
    check_page(at)
    row = gov.records("milestone", year=2026).row(0, named=True)
    assert (row["status"], row["evidence"]) == ("fait", "Compte rendu du COPIL")
    assert list(table(at, "gov_milestones_1")["En retard"]) == [False]
    at.button(key="gov_milestone_delete").click().run()
    assert any("Supprimer le jalon" in w.value for w in at.warning)
    assert gov.records("milestone", year=2026).height == 1  # not before the confirmation
    at.button(key="gov_milestone_delete_yes").click().run()
    check_page(at)
    assert gov.records("milestone", year=2026).is_empty()


def test_pole_user_writes_only_its_milestones_and_experiments(tiny_data):
    def keys(tab: str) -> set[str]:
        at = run("pole", year="2026", demo_pole="atlantique", tab=tab)
        return {w.key for w in [*at.main.text_input, *at.main.text_area]}

    assert "gov_orientation_new_title" not in keys(TABS[0])
    assert "gov_experiment_new_title" in keys(TABS[2])
    assert not any(k and k.startswith(("gov_contract", "gov_review")) for k in keys(TABS[3]))
    at = run("pole", year="2026", demo_pole="atlantique", tab=TABS[1])
    assert "gov_milestone_new_title" in {w.key for w in at.main.text_input}
    fixed = at.selectbox(key="gov_milestone_new_pole_code_fixed")
    assert fixed.disabled and fixed.value == "atlantique"
    key = "gov_milestone_new"
    at.text_input(key=f"{key}_title").set_value("Prise de contact avec les Caf de la zone")
    at.date_input(key=f"{key}_due_on").set_value(date(2026, 3, 31))
    at.button(key=f"{key}_submit").click().run()
    check_page(at)
    assert gov.records("milestone", year=2026)["pole_code"].to_list() == ["atlantique"]


def test_contracts_tab_flags_the_semester_review(tiny_data):
    contract = gov.save(
        CNAF, "contract",
        {"caf_code": "30", "pole_code": "mediterranee", "signed_on": date(2024, 4, 2),
         "starts_on": date(2024, 5, 1), "objectives": "Accueil du pôle Méditerranée"},
        token="test-contrat",
    ).entity_id  # fmt: skip
    for token, day in (("r1", date(2024, 11, 5)), ("r2", date(2025, 5, 20))):
        gov.save(
            CNAF, "review",
            {"contract_id": contract, "reviewed_on": day, "points_raised": f"Revue {token}"},
            token=token,
        )  # fmt: skip
    at = run("reader", year="2026", tab=TABS[3])
    contracts = table(at, "gov_contracts_table")
    gard = contracts[contracts["N°"] == contract].iloc[0]
    assert gard["Suivi"] == "Revue semestrielle à prévoir"  # 20/05/2025 < 31/07/2025
    assert gard["Revues semestrielles"] == 2
    reviews = table(at, f"gov_reviews_{contract}")
    assert list(reviews["Points soulevés"]) == ["Revue r2", "Revue r1"]  # latest first


# --- the builders (hand-made frames) ------------------------------------------------------


def frame(kind: str, rows: list[dict]) -> pl.DataFrame:
    schema = gov.frame_schema(kind)
    meta = {"created_by": "x", "created_at": datetime(2026, 1, 1), "updated_by": None,
            "updated_at": None}  # fmt: skip
    full = [{**{c: None for c in schema}, **meta, **r} for r in rows]
    return pl.DataFrame(full, schema=schema, orient="row")


POLES = {"idf_hdf": "Île-de-France – Hauts-de-France", "atlantique": "Atlantique"}
INDICATORS = {"audits_terrain": "Audits terrain", "suivis_ida": "Suivis IDA"}
AS_OF = date(2026, 1, 31)


def test_orientations_table_labels_and_counts():
    orientations = frame("orientation", [
        {"orientation_id": "OR2", "year": 2026, "title": "B", "owner": "Dpfas",
         "indicator_codes": "suivis_ida,audits_terrain"},
        {"orientation_id": "OR1", "year": 2026, "title": "A", "owner": "Dpfas",
         "indicator_codes": ""},
    ])  # fmt: skip
    actions = frame("action", [
        {"action_id": "AC1", "orientation_id": "OR2", "status": "ouverte"},
        {"action_id": "AC2", "orientation_id": "OR2", "status": "faite"},
        {"action_id": "AC3", "orientation_id": None, "status": "ouverte"},
    ])  # fmt: skip
    out = builders.orientations_table(orientations, actions, INDICATORS)
    assert out["Orientation"].to_list() == ["B", "A"]  # the order given (creation)
    assert out["Indicateurs suivis"].to_list() == ["Suivis IDA, Audits terrain", None]
    assert out["Actions rattachées"].to_list() == [2, 0]
    assert out["Actions ouvertes"].to_list() == [1, 0]
    assert out.schema["Actions rattachées"] == pl.Int64


def test_attached_actions_table_late_rule_and_labels():
    orientations = frame("orientation", [{"orientation_id": "OR1", "title": "A"}])
    actions = frame("action", [
        {"action_id": "AC1", "orientation_id": "OR1", "title": "t1", "pole_code": None,
         "owner": "o", "due_on": date(2026, 1, 10), "status": "en_cours"},
        {"action_id": "AC2", "orientation_id": "OR1", "title": "t2", "pole_code": "atlantique",
         "owner": "o", "due_on": date(2026, 1, 5), "status": "faite",
         "closed_on": date(2026, 1, 20)},
    ])  # fmt: skip
    out = builders.attached_actions_table(actions, orientations, POLES, AS_OF)
    assert out["N°"].to_list() == ["AC2", "AC1"]  # by due date
    assert out["Pôle"].to_list() == ["Atlantique", "Mission (national)"]
    assert out["Statut"].to_list() == ["Faite", "En cours"]
    assert out["En retard"].to_list() == [False, True]
    assert out.schema["Échéance"] == pl.Date


def test_milestones_by_half_and_counts():
    milestones = frame("milestone", [
        {"milestone_id": "JL1", "year": 2024, "half": 1, "pole_code": "atlantique",
         "title": "m1", "due_on": date(2024, 5, 31), "status": "a_faire"},
        {"milestone_id": "JL2", "year": 2024, "half": 1, "pole_code": None,
         "title": "m2", "due_on": date(2024, 5, 31), "status": "fait"},
        {"milestone_id": "JL3", "year": 2024, "half": 1, "pole_code": "idf_hdf",
         "title": "m3", "due_on": date(2024, 5, 31), "status": "en_cours"},
        {"milestone_id": "JL4", "year": 2024, "half": 2, "pole_code": None,
         "title": "m4", "due_on": date(2024, 12, 31), "status": "abandonne"},
    ]).with_columns(pl.Series("is_late", [True, False, True, False]))  # fmt: skip
    (s1_label, s1), (s2_label, s2) = builders.milestones_by_half(milestones, POLES)
    assert (s1_label, s2_label) == ("1er semestre", "2e semestre")
    # Same day: the mission first, then the pôles in the reference order.
    assert s1["N°"].to_list() == ["JL2", "JL3", "JL1"]
    assert s1["Pôle"].to_list() == ["Mission (national)", POLES["idf_hdf"], "Atlantique"]
    assert s1["Statut"].to_list() == ["Fait", "En cours", "À faire"]
    assert s1["En retard"].to_list() == [False, True, True]
    assert s1.schema["Échéance"] == pl.Date and s1.schema["En retard"] == pl.Boolean
    assert s2["Statut"].to_list() == ["Abandonné"]
    counts = builders.milestone_counts(milestones)
    assert counts.rows() == [
        ("À faire", 1, 0, 1), ("En cours", 1, 0, 1), ("Fait", 1, 0, 1),
        ("Abandonné", 0, 1, 1), ("dont en retard", 2, 0, 2),
    ]  # fmt: skip
    of_pole = builders.milestones_of_pole(milestones, "atlantique")
    assert sorted(of_pole["milestone_id"]) == ["JL1", "JL2", "JL4"]


def test_experiments_table_and_pole_filter():
    experiments = frame("experiment", [
        {"experiment_id": "EX1", "title": "old", "lead_pole_code": "atlantique",
         "pole_codes": "atlantique,idf_hdf", "started_on": date(2024, 9, 1),
         "ended_on": date(2025, 6, 30), "status": "evaluee", "owner": "o"},
        {"experiment_id": "EX2", "title": "new", "lead_pole_code": None, "pole_codes": "",
         "started_on": date(2025, 10, 1), "status": "en_cours", "owner": "o"},
        {"experiment_id": "EX3", "title": "idea", "lead_pole_code": "idf_hdf",
         "pole_codes": "idf_hdf", "status": "propose", "owner": "o"},
    ])  # fmt: skip
    out = builders.experiments_table(experiments, POLES)
    assert out["N°"].to_list() == ["EX2", "EX1", "EX3"]  # latest start first, unstarted last
    assert out["Pôle pilote"].to_list() == ["Mission (national)", "Atlantique", POLES["idf_hdf"]]
    assert out["Pôles associés"].to_list() == [None, f"Atlantique, {POLES['idf_hdf']}",
                                               POLES["idf_hdf"]]  # fmt: skip
    assert out["Statut"].to_list() == ["En cours", "Évaluée", "Proposée"]
    assert sorted(builders.experiments_of_pole(experiments, "idf_hdf")["experiment_id"]) == [
        "EX1", "EX3",
    ]  # fmt: skip


def test_months_before_clamps_to_the_month_end():
    assert builders.months_before(date(2026, 1, 31), 6) == date(2025, 7, 31)
    assert builders.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert builders.months_before(date(2024, 8, 31), 6) == date(2024, 2, 29)
    assert builders.months_before(date(2026, 3, 15), 6) == date(2025, 9, 15)


def test_contract_follow_up_rule():
    due, ok = builders.REVIEW_DUE, builders.REVIEW_UP_TO_DATE
    assert builders.contract_follow_up(None, None, AS_OF) == due
    assert builders.contract_follow_up(date(2025, 7, 30), None, AS_OF) == due
    assert builders.contract_follow_up(date(2025, 7, 31), None, AS_OF) == ok  # six months
    assert builders.contract_follow_up(None, date(2025, 12, 31), AS_OF) == builders.CONTRACT_ENDED


def test_contracts_table_lists_pivots_without_contract_and_reviews_latest_first():
    contracts = frame("contract", [
        {"contract_id": "CS1", "caf_code": "30", "pole_code": "atlantique",
         "signed_on": date(2024, 4, 2), "starts_on": date(2024, 5, 1), "objectives": "o"},
    ])  # fmt: skip
    reviews = frame("review", [
        {"review_id": "RV1", "contract_id": "CS1", "reviewed_on": date(2025, 1, 10),
         "points_raised": "p1"},
        {"review_id": "RV2", "contract_id": "CS1", "reviewed_on": date(2025, 9, 1),
         "points_raised": "p2", "follow_up": "f2"},
    ])  # fmt: skip
    pivots = pl.DataFrame({"pole_code": ["idf_hdf", "atlantique"], "caf_code": ["75", "30"]})
    cafs = {"30": "30 – Caf du Gard", "75": "75 – Caf de Paris"}
    out = builders.contracts_table(contracts, reviews, pivots, cafs, POLES, AS_OF)
    assert out["Caf pivot"].to_list() == ["75 – Caf de Paris", "30 – Caf du Gard"]  # pôle order
    assert out["N°"].to_list() == [None, "CS1"]
    assert out["Suivi"].to_list() == [builders.CONTRACT_MISSING, builders.REVIEW_UP_TO_DATE]
    assert out["Revues semestrielles"].to_list() == [0, 2]
    assert out["Dernière revue"].to_list() == [None, date(2025, 9, 1)]
    assert out.schema["Signé le"] == pl.Date
    listed = builders.reviews_table(reviews)
    assert listed["N°"].to_list() == ["RV2", "RV1"]
    assert listed["Suites données"].to_list() == ["f2", None]


def test_joined_labels():
    assert builders.joined_labels("", INDICATORS) is None
    assert builders.joined_labels(None, INDICATORS) is None
    assert builders.joined_labels("suivis_ida, inconnu", INDICATORS) == "Suivis IDA, inconnu"


def test_pole_user_edits_only_the_milestones_of_its_pole(tiny_data):
    at = run("pole", year="2024", demo_pole="atlantique", tab=TABS[1])
    own = gov.records("milestone", year=2024, pole_code="atlantique")["milestone_id"].to_list()
    assert len(own) >= 1
    options = at.selectbox(key="gov_milestone_pick").options
    assert sorted(o.rsplit("n° ", 1)[1].rstrip(")") for o in options) == sorted(own)
    at = run("pole", year="2024", demo_pole="atlantique", tab=TABS[0])
    with pytest.raises(KeyError):
        at.selectbox(key="gov_orientation_pick")


def test_only_the_chosen_tab_and_the_opened_forms_run(tiny_data):
    """A closed form and an unselected tab cost nothing: their widgets are not built."""
    at = run("cnaf", year="2024", forms_open=False)
    assert [e.label for e in at.main.expander] == ["Ajouter une orientation"]
    assert len(at.main.text_input) == 0 and len(at.main.date_input) == 0
    with pytest.raises(KeyError):  # the work plan's table, in the second tab
        at.get_by_key("gov_milestone_counts")
    at.session_state["gov_orientation_open_new"] = True
    at.run()
    assert "gov_orientation_new_title" in {w.key for w in at.main.text_input}
    at.session_state["onglet"] = TABS[1]
    at.run()
    check_page(at)
    table(at, "gov_milestone_counts")
    assert at.query_params.get("onglet") in (TABS[1], [TABS[1]])
