"""Real browser, cnaf role, today pinned to 10/03/2026: on the page « Comité opérationnel »
(maîtrise des risques), a decision and an action recorded for the January meeting are
listed with that meeting; at the February meeting the action is carried over, open; and
the deck of February lists it among the operational committees' open actions."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from PIL import Image
from pptx import Presentation

from exports import images
from exports.deck import build_deck
from sppe_data.period import parse_period
from tests.browser import SCREENSHOTS, serve_app
from tests.conftest import _clear_caches, migrated
from tests.tiny import write_tiny_extracts

pytestmark = pytest.mark.browser

# After the tiny data set's date (31/01/2026), so that a February meeting can be held.
TODAY = date(2026, 3, 10)
DECISION = "Confier au pôle IDF-HDF l'appui aux Caf sans contrôleur"
ACTION = "Relancer les Caf sans contrôleur"
OWNER = "Mme Martin"


@pytest.fixture(scope="module")
def governance_server(tmp_path_factory, chromium):
    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("browser_governance") / "data"))
    with serve_app(data_dir, SPPE_TODAY=TODAY.isoformat(), SPPE_DEMO_ROLE="cnaf") as url:
        yield url, data_dir


def choose(page, label: str, option: str) -> None:
    """Picks an option of a Streamlit select box by its label."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def csv_rows(page, key_start: str, key_end: str, tmp_path) -> list[list[str]]:
    """The rows of the CSV download (cnaf: export right) of the table whose key starts and
    ends so (a meeting's tables have its id in their key)."""
    button = page.locator(f"[class*='st-key-dl_csv_{key_start}'][class*='{key_end}'] button").first
    button.wait_for(timeout=30_000)
    with page.expect_download(timeout=30_000) as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))


def test_recorded_at_one_meeting_carried_to_the_next_and_in_the_deck(
    governance_server, browser, tmp_path, monkeypatch
):
    url, data_dir = governance_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 1440, "height": 4200}, locale="fr-FR", accept_downloads=True
    )
    try:
        page = context.new_page()
        page.goto(f"{url}/comite-operationnel?annee=2026")
        page.get_by_text("Décisions et actions").wait_for(timeout=60_000)
        choose(page, "Mois", "janvier 2026")
        # The meeting date defaults to the end of the month (before today).
        page.get_by_text("Saisir pour la réunion du 31/01/2026").wait_for(timeout=30_000)
        page.get_by_text("Aucune réunion de ce comité enregistrée sur la période").wait_for()

        page.get_by_label("Texte de la décision", exact=False).fill(DECISION)
        page.get_by_role("button", name="Enregistrer la décision").click()
        page.get_by_text("Décision enregistrée (n°", exact=False).wait_for(timeout=30_000)
        page.get_by_label("Intitulé de l'action", exact=True).fill(ACTION)
        page.get_by_label("Responsable", exact=True).fill(OWNER)
        page.get_by_role("button", name="Enregistrer l'action").click()
        page.get_by_text("Action enregistrée (n°", exact=False).wait_for(timeout=30_000)
        page.get_by_text("Réunion du 31 janvier 2026").wait_for(timeout=30_000)
        decisions = csv_rows(page, "gov_controle_20260101_RE", "_decisions", tmp_path)
        assert decisions == [["Décision", "Pôle concerné"], [DECISION, "Mission (national)"]]
        page.locator("[data-testid='stDataFrame']").last.wait_for(timeout=10_000)
        page.screenshot(
            path=str(SCREENSHOTS / "comite_operationnel_decisions_actions.png"), full_page=True
        )

        choose(page, "Mois", "février 2026")
        page.get_by_text("Saisir pour la réunion du 28/02/2026").wait_for(timeout=30_000)
        carried = csv_rows(page, "gov_controle_20260201_carried", "_carried", tmp_path)
        # Due 30 days after the January meeting (the form's default): 02/03/2026, not late
        # at the meeting of 28/02.
        assert carried == [
            ["Action", "Responsable", "Pôle", "Échéance", "En retard", "Statut", "Décidée le"],
            [ACTION, OWNER, "Mission (national)", "02/03/2026", "Non", "Ouverte", "31/01/2026"],
        ]
        page.locator("[data-testid='stDataFrame']").last.wait_for(timeout=10_000)
        page.screenshot(
            path=str(SCREENSHOTS / "comite_operationnel_actions_reportees.png"), full_page=True
        )
        assert "Traceback" not in page.inner_text("body")
    finally:
        context.close()

    # The deck of February, built here on the same data directory and store.
    monkeypatch.setenv("SPPE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("SPPE_TODAY", TODAY.isoformat())
    monkeypatch.delenv("SPPE_DATABASE_URL", raising=False)
    # The charts' pictures are not what this test checks (tests/test_deck.py does): a
    # blank picture instead of a Chromium rendering keeps the test short.
    blank = io.BytesIO()
    Image.new("RGB", (160, 90), "white").save(blank, format="PNG")
    monkeypatch.setattr(images, "figure_to_image", lambda *args, **kwargs: blank.getvalue())
    _clear_caches()
    try:
        deck = build_deck(parse_period("2026-02"), "all", with_pdf=False)
    finally:
        _clear_caches()
    slides = {s.shapes.title.text: s for s in Presentation(io.BytesIO(deck.pptx)).slides}
    ops = slides["Actions ouvertes des comités opérationnels"]
    (grid,) = [shape.table for shape in ops.shapes if shape.has_table]
    cells = [[c.text for c in row.cells] for row in grid.rows]
    assert cells == [
        ["Comité", "Action", "Responsable", "Pôle", "Échéance", "En retard", "Décidée le"],
        ["Maîtrise des risques", ACTION, OWNER, "Mission (national)", "02/03/2026", "Non",
         "31/01/2026"],
    ]  # fmt: skip
    # The decision was taken at an operational committee, not at the COPIL.
    assert "Aucune réunion du COPIL stratégique" in "\n".join(
        shape.text_frame.text
        for shape in slides["Décisions du dernier COPIL"].shapes
        if shape.has_text_frame
    )
