"""Decisions and actions at the committees: the actions carried from one meeting to the
next (the "late" rule, through the data layer, with hand-picked dates), a pôle user's
refusals, the deck's governance slides built from saved records (every expected row
written by hand), and the « Décisions et actions » section on the COPIL and Comité
opérationnel pages for each role (AppTest)."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from charts import governance_meetings as tables
from exports import deck as deck_module
from exports import deck_governance, deck_pdf, deck_pptx
from sppe_data import governance as gov
from sppe_data.auth import AccessDenied, Principal
from sppe_data.period import parse_period
from tests.test_pages import run

CNAF = Principal("dpfas", "Dpfas", "cnaf")
POLE_IDF = Principal("agent.idf", "Agent IDF", "pole", "idf_hdf")
MISSION = "Mission (national)"
COPIL_PAGE = "app_pages/copil.py"
OPS_PAGE = "app_pages/comite_operationnel.py"

_tokens = iter(range(1_000_000))


def save(kind: str, raw: dict, who: Principal = CNAF) -> str:
    return gov.save(who, kind, raw, token=f"test-{next(_tokens)}").entity_id


def action(meeting_id: str, title: str, due_on: date, **over) -> str:
    raw = {
        "meeting_id": meeting_id, "pole_code": None, "title": title, "owner": "Dpfas",
        "due_on": due_on, "status": "ouverte", "closed_on": None, "orientation_id": None,
        **over,
    }  # fmt: skip
    return save("action", raw)


# --- the carried actions and the "late" rule ---------------------------------------------


def test_an_action_is_carried_open_then_late_then_gone(store_url):
    first = gov.meeting_for(CNAF, "controle", date(2025, 1, 10))
    recorded = action(first, "Relancer les Caf sans contrôleur", date(2025, 1, 31))
    # Another committee's action, same day, same due date, never closed.
    other = gov.meeting_for(CNAF, "ingenierie", date(2025, 1, 10))
    elsewhere = action(other, "Préparer l'appel à projets", date(2025, 1, 31))
    for day in (date(2025, 1, 20), date(2025, 2, 12), date(2025, 3, 10)):
        gov.meeting_for(CNAF, "controle", day)

    # The meeting where it was decided does not carry it (not an earlier meeting).
    assert gov.carried_actions("controle", date(2025, 1, 10)).is_empty()
    # 20/01: open, due 31/01 not passed.
    at_20 = gov.carried_actions("controle", date(2025, 1, 20))
    assert at_20.select("action_id", "meeting_held_on", "is_late").rows() == [
        (recorded, date(2025, 1, 10), False)
    ]
    # 12/02: still open, due 31/01 passed: late.
    at_12 = gov.carried_actions("controle", date(2025, 2, 12))
    assert at_12.select("action_id", "is_late").rows() == [(recorded, True)]

    # Closed on 15/02 (done), as the section's status form does it.
    current = gov.records("action", action_id=recorded).row(0, named=True)
    raw = {f: current[f] for f in gov.KINDS["action"].field_names}
    gov.save(CNAF, "action", {**raw, "status": "faite", "closed_on": date(2025, 2, 15)},
             record_id=recorded)  # fmt: skip
    # Seen from 12/02 it was still open, and late (closed after that day).
    at_12 = gov.carried_actions("controle", date(2025, 2, 12))
    assert at_12.select("action_id", "status", "is_late").rows() == [(recorded, "faite", True)]
    assert tables.carried_table(at_12, {})["En retard"].to_list() == ["Oui"]
    # 10/03: closed since 15/02: not listed.
    assert gov.carried_actions("controle", date(2025, 3, 10)).is_empty()

    # The other committee's action is never carried at the « contrôle » meetings...
    for day in (date(2025, 1, 20), date(2025, 2, 12), date(2025, 3, 10)):
        assert elsewhere not in gov.carried_actions("controle", day)["action_id"].to_list()
    # ...only at its own committee's next meeting.
    assert gov.carried_actions("ingenierie", date(2025, 2, 12))["action_id"].to_list() == [
        elsewhere
    ]


def test_a_pole_user_records_its_own_actions_only(store_url):
    meeting = gov.meeting_for(POLE_IDF, "controle", date(2025, 6, 5))  # may open the meeting
    with pytest.raises(AccessDenied, match="Seule la Cnaf"):
        gov.save(POLE_IDF, "decision", {"meeting_id": meeting, "text": "Décider"}, token="d1")
    base = {
        "meeting_id": meeting, "title": "Former les contrôleurs", "owner": "M. A",
        "due_on": date(2025, 7, 1), "status": "ouverte", "closed_on": None,
        "orientation_id": None,
    }  # fmt: skip
    with pytest.raises(AccessDenied, match="votre pôle"):
        gov.save(POLE_IDF, "action", {**base, "pole_code": "mediterranee"}, token="a1")
    with pytest.raises(AccessDenied, match="votre pôle"):
        gov.save(POLE_IDF, "action", {**base, "pole_code": None}, token="a2")
    assert gov.records("decision").is_empty() and gov.records("action").is_empty()
    own = gov.save(POLE_IDF, "action", {**base, "pole_code": "idf_hdf"}, token="a3").entity_id
    # Nor may it update another pôle's action (closing it, say).
    theirs = action(meeting, "Appui juridique", date(2025, 7, 1), pole_code="mediterranee")
    with pytest.raises(AccessDenied):
        gov.save(POLE_IDF, "action", {**base, "pole_code": "mediterranee", "status": "faite",
                                      "closed_on": date(2025, 6, 5)}, record_id=theirs)  # fmt: skip
    assert gov.records("action", action_id=theirs)["status"].to_list() == ["ouverte"]
    assert gov.records("action", pole_code="idf_hdf")["action_id"].to_list() == [own]


def test_the_section_offers_a_pole_its_own_actions_only():
    actions = pl.DataFrame(
        {"action_id": ["AC1", "AC2", "AC3"], "pole_code": ["idf_hdf", None, "atlantique"]}
    )
    assert tables.editable(actions, "cnaf", None)["action_id"].to_list() == ["AC1", "AC2", "AC3"]
    assert tables.editable(actions, "pole", "idf_hdf")["action_id"].to_list() == ["AC1"]
    assert tables.editable(actions, "reader", None).is_empty()


# --- the deck's governance slides ---------------------------------------------------------


@pytest.fixture
def governance_records(tiny_data):
    """Records of 2025 and January 2026 (today: 31/01/2026); the expected slides below
    are worked out by hand from them."""
    save("orientation", {"year": 2025, "title": "Installer les pôles", "owner": "Dpfas"})
    save("orientation", {"year": 2026, "title": "Prioriser les territoires à fort besoin de "
                         "places", "owner": "Dpfas",
                         "indicator_codes": "suivis_ida,etudes_consulting"})  # fmt: skip
    save("orientation", {"year": 2026, "title": "Déployer les contrôles multi-départementaux",
                         "owner": "Mme D", "indicator_codes": ""})  # fmt: skip

    def milestone(title, pole, due, status, owner):
        save("milestone", {"year": 2026, "half": 1, "pole_code": pole, "title": title,
                           "due_on": due, "status": status, "owner": owner})  # fmt: skip

    milestone("Premier comité régional IDF", "idf_hdf", date(2026, 1, 15), "a_faire", "M. A")
    milestone("Plan de travail 2026 adopté", None, date(2026, 1, 20), "fait", "Dpfas")
    milestone("Kit d'animation IDA", "mediterranee", date(2026, 6, 30), "en_cours", "Mme B")
    milestone("Guide des contrôles à distance", "atlantique", date(2026, 1, 10), "abandonne",
              None)  # fmt: skip
    # Due on the as-of day itself: not late yet.
    milestone("Bilan des contrôles de l'hiver", "centre_est", date(2026, 1, 31), "a_faire", None)

    def experiment(title, lead, poles, status, started, ended, owner):
        save("experiment", {"title": title, "lead_pole_code": lead, "pole_codes": poles,
                            "status": status, "started_on": started, "ended_on": ended,
                            "owner": owner})  # fmt: skip

    experiment("Tutorat croisé", "atlantique", "idf_hdf", "arretee", date(2025, 6, 1),
               date(2026, 1, 15), "Mme K")  # fmt: skip
    experiment("Appui juridique mutualisé", "centre_est", "", "evaluee", date(2025, 9, 1),
               date(2026, 1, 20), "M. J")  # fmt: skip
    experiment(
        "Formation en ligne des contrôleurs",
        "mediterranee",
        "",
        "evaluee",
        date(2025, 3, 1),
        date(2025, 12, 31),
        "Mme L",
    )  # ended before 2026
    experiment("Guichet unique des porteurs de projet", None, "", "propose", None, None, "Dpfas")
    experiment("Contrôle à distance", "idf_hdf", "atlantique", "en_cours", date(2025, 1, 6),
               None, "Mme B")  # fmt: skip

    december = gov.meeting_for(CNAF, "copil", date(2025, 12, 15))
    save("decision", {"meeting_id": december, "text": "Ancienne décision"})
    action(december, "Nommer la Caf pivot du pôle Atlantique", date(2026, 1, 15),
           pole_code="atlantique")  # fmt: skip
    action(december, "Publier le kit IDA", date(2026, 2, 28), owner="Mme E", status="en_cours")
    action(december, "Former les contrôleurs", date(2026, 1, 10), pole_code="idf_hdf",
           status="faite", closed_on=date(2026, 1, 5))  # fmt: skip
    january = gov.meeting_for(CNAF, "copil", date(2026, 1, 20))
    save("decision", {"meeting_id": january, "pole_code": "idf_hdf",
                      "text": "Lancer l'expérimentation du contrôle à distance"})  # fmt: skip
    save("decision", {"meeting_id": january, "text": "Adopter le plan de travail 2026"})
    save("decision", {"meeting_id": january, "pole_code": "mediterranee",
                      "text": "Renforcer le pôle Méditerranée"})  # fmt: skip
    action(january, "Présenter le bilan 2025", date(2026, 1, 31))
    action(january, "Recruter deux contrôleurs", date(2026, 1, 25), owner="M. F",
           pole_code="mediterranee")  # fmt: skip
    action(january, "Diffuser le compte rendu", date(2026, 1, 25), status="faite",
           closed_on=date(2026, 1, 22))  # fmt: skip
    controle = gov.meeting_for(CNAF, "controle", date(2026, 1, 12))
    action(controle, "Relancer les Caf sans contrôleur", date(2026, 1, 20), owner="M. G",
           pole_code="idf_hdf")  # fmt: skip
    action(controle, "Cartographier les crèches multi-sites", date(2026, 3, 31), owner="M. I",
           pole_code="atlantique", status="en_cours")  # fmt: skip
    ingenierie = gov.meeting_for(CNAF, "ingenierie", date(2026, 1, 26))
    action(ingenierie, "Préparer l'appel à projets", date(2026, 2, 15), owner="Mme H")
    return tiny_data


def slides_of(period: str, pole: str) -> dict[str, deck_module.Slide]:
    slides = deck_governance.governance_slides(deck_module.collect(parse_period(period), pole))
    assert [s.title for s in slides] == list(deck_governance.TITLES)
    return {s.title: s for s in slides}


def test_governance_slides_of_the_whole_mission(governance_records):
    slides = slides_of("2026-01", "all")

    orientations = slides["Orientations de l'année"]
    assert orientations.subtitle == "Mission, année 2026"
    assert orientations.table.columns == ["Orientation", "Responsable", "Indicateurs suivis"]
    assert orientations.table.rows() == [
        ("Prioriser les territoires à fort besoin de places", "Dpfas",
         "Suivis au titre de la démarche IDA, Études au titre du consulting"),
        ("Déployer les contrôles multi-départementaux", "Mme D", "–"),
    ]  # fmt: skip
    assert orientations.sentence == ""

    milestones = slides["Plan de travail : jalons"]
    # 5 milestones: 1 done (20/01), 1 dropped, late = the IDF one due 15/01; the one due on
    # 31/01 (the as-of day) and the one due 30/06 are to come.
    assert milestones.sentence == (
        "5 jalons en 2026 : 1 fait, 1 en retard, 2 à venir, 1 abandonné."
    )
    assert milestones.table.columns == [
        "Jalon", "Semestre", "Pôle", "Échéance", "Situation", "Statut", "Responsable",
    ]  # fmt: skip
    assert milestones.table.rows() == [
        ("Premier comité régional IDF", "1er semestre", "IDF-HDF", "15/01/2026", "En retard",
         "À faire", "M. A"),
        ("Bilan des contrôles de l'hiver", "1er semestre", "Centre-Est-ARA", "31/01/2026",
         "À venir", "À faire", "–"),
        ("Kit d'animation IDA", "1er semestre", "Méditerranée", "30/06/2026", "À venir",
         "En cours", "Mme B"),
    ]  # fmt: skip

    experiments = slides["Expérimentations"]
    # Running, then proposed, then evaluated and stopped; the one ended in 2025 left out.
    assert experiments.table.rows() == [
        ("Contrôle à distance", "En cours", "IDF-HDF", "IDF-HDF, Atlantique", "06/01/2025",
         "–", "Mme B"),
        ("Guichet unique des porteurs de projet", "Proposée", MISSION, "–", "–", "–", "Dpfas"),
        ("Appui juridique mutualisé", "Évaluée", "Centre-Est-ARA", "Centre-Est-ARA",
         "01/09/2025", "20/01/2026", "M. J"),
        ("Tutorat croisé", "Arrêtée", "Atlantique", "Atlantique, IDF-HDF", "01/06/2025",
         "15/01/2026", "Mme K"),
    ]  # fmt: skip

    copil = slides["Actions ouvertes du COPIL"]
    assert copil.subtitle == "Tous les pôles · situation au 31/01/2026"
    assert copil.table.columns == [
        "Action", "Responsable", "Pôle", "Échéance", "En retard", "Statut", "Décidée le",
    ]  # fmt: skip
    # Open at 31/01: two of December (one late), two of January (one late); late first.
    # « Former les contrôleurs » (closed 05/01) and « Diffuser le compte rendu » (closed
    # 22/01) are not open any more.
    assert copil.table.rows() == [
        ("Nommer la Caf pivot du pôle Atlantique", "Dpfas", "Atlantique", "15/01/2026", "Oui",
         "Ouverte", "15/12/2025"),
        ("Recruter deux contrôleurs", "M. F", "Méditerranée", "25/01/2026", "Oui", "Ouverte",
         "20/01/2026"),
        ("Présenter le bilan 2025", "Dpfas", MISSION, "31/01/2026", "Non", "Ouverte",
         "20/01/2026"),
        ("Publier le kit IDA", "Mme E", MISSION, "28/02/2026", "Non", "En cours", "15/12/2025"),
    ]  # fmt: skip
    assert copil.sentence == (
        "4 actions ouvertes au 31/01/2026, dont 2 en retard (échéance dépassée)."
    )

    decisions = slides["Décisions du dernier COPIL"]
    assert decisions.subtitle == "Tous les pôles · COPIL stratégique du 20 janvier 2026"
    assert decisions.table.rows() == [
        ("Lancer l'expérimentation du contrôle à distance", "IDF-HDF"),
        ("Adopter le plan de travail 2026", MISSION),
        ("Renforcer le pôle Méditerranée", "Méditerranée"),
    ]

    ops = slides["Actions ouvertes des comités opérationnels"]
    assert ops.table.columns == [
        "Comité", "Action", "Responsable", "Pôle", "Échéance", "En retard", "Décidée le",
    ]  # fmt: skip
    assert ops.table.rows() == [
        ("Maîtrise des risques", "Relancer les Caf sans contrôleur", "M. G", "IDF-HDF",
         "20/01/2026", "Oui", "12/01/2026"),
        ("Ingénierie", "Préparer l'appel à projets", "Mme H", MISSION, "15/02/2026", "Non",
         "26/01/2026"),
        ("Maîtrise des risques", "Cartographier les crèches multi-sites", "M. I", "Atlantique",
         "31/03/2026", "Non", "12/01/2026"),
    ]  # fmt: skip
    assert ops.sentence == (
        "3 actions ouvertes au 31/01/2026, dont 1 en retard (échéance dépassée)."
    )


def test_governance_slides_of_one_pole_keep_its_records_and_the_missions(governance_records):
    slides = slides_of("2026-01", "idf_hdf")
    # Orientations are the mission's: all of them.
    assert slides["Orientations de l'année"].table.height == 2
    milestones = slides["Plan de travail : jalons"]
    assert milestones.sentence == "2 jalons en 2026 : 1 fait, 1 en retard, 0 à venir."
    assert milestones.table["Jalon"].to_list() == ["Premier comité régional IDF"]
    # Led by the pôle, the mission's, and one where the pôle takes part.
    assert slides["Expérimentations"].table["Expérimentation"].to_list() == [
        "Contrôle à distance", "Guichet unique des porteurs de projet", "Tutorat croisé",
    ]  # fmt: skip
    copil = slides["Actions ouvertes du COPIL"]
    assert copil.table["Action"].to_list() == ["Présenter le bilan 2025", "Publier le kit IDA"]
    assert copil.sentence.startswith("2 actions ouvertes au 31/01/2026, dont 0 en retard")
    assert slides["Décisions du dernier COPIL"].table.rows() == [
        ("Lancer l'expérimentation du contrôle à distance", "IDF-HDF"),
        ("Adopter le plan de travail 2026", MISSION),
    ]
    assert slides["Actions ouvertes des comités opérationnels"].table["Action"].to_list() == [
        "Relancer les Caf sans contrôleur", "Préparer l'appel à projets",
    ]  # fmt: skip


def test_empty_sets_are_said_in_a_sentence(governance_records):
    # November 2025: no COPIL yet (the first is on 15/12/2025), no action open, no 2025
    # milestone; the 2025 orientation is there.
    slides = slides_of("2025-11", "all")
    assert slides["Orientations de l'année"].table.rows() == [("Installer les pôles", "Dpfas", "–")]
    expected = {
        "Plan de travail : jalons": "Aucun jalon n'est inscrit au plan de travail 2025.",
        "Actions ouvertes du COPIL": "Aucune action du COPIL stratégique n'est ouverte au "
        "30/11/2025.",
        "Décisions du dernier COPIL": "Aucune réunion du COPIL stratégique n'est enregistrée "
        "sur la période (novembre 2025, jusqu'au 30/11/2025).",
        "Actions ouvertes des comités opérationnels": "Aucune action des comités "
        "opérationnels n'est ouverte au 30/11/2025.",
    }
    for title, sentence in expected.items():
        assert slides[title].table is None, title
        assert slides[title].sentence == sentence
    # 2027: nothing recorded at all.
    assert slides_of("2027", "all")["Orientations de l'année"].sentence == (
        "Aucune orientation n'est enregistrée pour l'année 2027."
    )


def test_a_long_list_is_cut_at_twelve_rows(tiny_data):
    meeting = gov.meeting_for(CNAF, "copil", date(2026, 1, 5))
    for n in range(14):  # due 01/02 to 14/02: none late at 31/01
        action(meeting, f"Action {n + 1:02d}", date(2026, 2, n + 1))
    copil = slides_of("2026-01", "all")["Actions ouvertes du COPIL"]
    assert copil.table.height == 12
    assert copil.table["Action"].to_list() == [f"Action {n:02d}" for n in range(1, 13)]
    assert copil.sentence == (
        "14 actions ouvertes au 31/01/2026, dont 0 en retard (échéance dépassée). "
        "+ 2 autres actions, dans l'application."
    )


def test_the_deck_draws_the_governance_slides(governance_records):
    slides = deck_governance.governance_slides(
        deck_module.collect(parse_period("2025-11"), "all")
    ) + deck_governance.governance_slides(deck_module.collect(parse_period("2026-01"), "all"))
    assert deck_module.governance_slides in deck_module.EXTRA_SLIDES
    pptx = Presentation(io.BytesIO(deck_pptx.render(slides, [None] * len(slides), "Pied")))
    drawn = list(pptx.slides)
    assert [s.shapes.title.text for s in drawn] == [s.title for s in slides]
    for spec, slide in zip(slides, drawn, strict=True):
        grids = [shape.table for shape in slide.shapes if shape.has_table]
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert all(shape.shape_type != MSO_SHAPE_TYPE.PICTURE for shape in slide.shapes)
        if spec.table is None:
            assert not grids and spec.sentence in texts
        else:
            (grid,) = grids
            assert [c.text for c in grid.rows[0].cells] == spec.table.columns
            assert [c.text for c in grid.rows[1].cells] == list(spec.table.row(0))
            assert len(grid.rows) == spec.table.height + 1
    pdf = PdfReader(io.BytesIO(deck_pdf.render(slides, [None] * len(slides), "Pied")))
    assert len(pdf.pages) == len(slides)
    copil_page = pdf.pages[6 + 3].extract_text().replace("\n", " ")
    assert "Nommer la Caf pivot du pôle Atlantique" in copil_page
    assert "4 actions ouvertes au 31/01/2026, dont 2 en retard" in copil_page
    assert "Aucune réunion du COPIL stratégique" in pdf.pages[4].extract_text().replace("\n", " ")


# --- the pages ------------------------------------------------------------------------------


def buttons(at) -> set[str]:
    return {b.label for b in at.button}


@pytest.mark.parametrize("page", [COPIL_PAGE, OPS_PAGE])
@pytest.mark.parametrize("role", ["reader", "pole", "cnaf"])
def test_the_committee_pages_run_for_every_role(tiny_data, page, role):
    meeting = gov.meeting_for(CNAF, "copil" if page == COPIL_PAGE else "controle",
                              date(2026, 1, 5))  # fmt: skip
    action(meeting, "Relancer les Caf", date(2026, 1, 20), pole_code="idf_hdf")
    at = run(page=page, role=role)
    assert "Décisions et actions" in [s.value for s in at.subheader]
    # Carried to the meeting of 31/01 (the default date), late since 20/01; and listed
    # with the meeting of 05/01, held in the period.
    frames = [d.value for d in at.dataframe]
    carried = next(f for f in frames if "Décidée le" in f.columns)
    assert carried["Action"].tolist() == ["Relancer les Caf"]
    assert carried["En retard"].tolist() == ["Oui"]
    assert any("Clôturée le" in f.columns for f in frames)
    labels = buttons(at)
    if role == "reader":
        assert not {"Enregistrer la décision", "Enregistrer l'action"} & labels
    elif role == "pole":
        assert "Enregistrer l'action" in labels and "Enregistrer la décision" not in labels
        assert at.selectbox(key="gov_" + ("copil" if page == COPIL_PAGE else "controle")
                            + "_20260101_action_pole_fixed").disabled  # fmt: skip
        assert "Mettre à jour l'action" in labels  # its own pôle's action
    else:
        assert {"Enregistrer la décision", "Enregistrer l'action", "Mettre à jour l'action"} <= (
            labels
        )


def test_a_pole_user_records_an_action_on_the_operational_committee_page(tiny_data):
    at = run(page=OPS_PAGE, role="pole")
    key = "gov_controle_20260101_action"
    at.text_input(key=f"{key}_title").input("Former deux contrôleurs")
    at.text_input(key=f"{key}_owner").input("Mme A")
    next(b for b in at.button if b.label == "Enregistrer l'action").click()
    at.run()
    assert not at.exception, at.exception
    saved = gov.records("action")
    assert saved.select("title", "owner", "pole_code", "due_on", "status").rows() == [
        ("Former deux contrôleurs", "Mme A", "idf_hdf", date(2026, 3, 2), "ouverte")
    ]  # due: 30 days after the meeting of 31/01/2026
    meeting = gov.records("meeting", meeting_id=saved["meeting_id"][0])
    assert meeting.select("committee", "held_on").rows() == [("controle", date(2026, 1, 31))]
    assert any("Action enregistrée" in s.value for s in at.success)


def test_the_cnaf_closes_an_action_from_the_copil_page(tiny_data):
    meeting = gov.meeting_for(CNAF, "copil", date(2026, 1, 5))
    recorded = action(meeting, "Publier le kit IDA", date(2026, 1, 20))
    at = run(page=COPIL_PAGE, role="cnaf")
    key = "gov_copil_20260101_status"
    assert at.selectbox(key=f"{key}_action").value == recorded
    next(b for b in at.button if b.label == "Mettre à jour l'action").click()
    at.run()  # defaults: « Faite », closed on the meeting date (31/01/2026)
    assert not at.exception, at.exception
    assert gov.records("action").select("status", "closed_on").rows() == [
        ("faite", date(2026, 1, 31))
    ]
    assert any("Action mise à jour : faite le 31/01/2026." in s.value for s in at.success)
    # Closed on 31/01: no longer open on that day (open means not closed, or closed later).
    assert gov.carried_actions("copil", date(2026, 1, 31)).is_empty()


def test_a_month_not_started_offers_no_meeting(tiny_data):
    at = run(page=OPS_PAGE, role="cnaf")
    at.selectbox(key="mois").set_value(date(2026, 3, 1)).run()  # today: 31/01/2026
    assert not at.exception, at.exception
    assert any("La période n'a pas commencé" in i.value for i in at.info)
    assert not {"Enregistrer la décision", "Enregistrer l'action"} & buttons(at)
    assert "Date de la réunion" not in [d.label for d in at.date_input]
