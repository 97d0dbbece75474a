"""Real browser, ``local`` sign-in: a pôle agent signs in, logs one activity of a targeted
kind, and sees the Synthèse figure move by one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser import ROOT, SCREENSHOTS, serve_app
from tests.conftest import migrated
from tests.tiny import TODAY, write_tiny_extracts

pytestmark = pytest.mark.browser
PASSWORD = "girafe nuageuse sur le toit"


@pytest.fixture(scope="module")
def local_server(tmp_path_factory, chromium):
    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("browser_local") / "data"))
    env = {
        **os.environ,
        "SPPE_DATA_DIR": str(data_dir),
        "SPPE_TODAY": TODAY.isoformat(),
        "SPPE_AUTH_MODE": "local",
    }
    subprocess.run(
        [sys.executable, "-m", "sppe_data", "users", "add", "agent.med", "--role", "pole",
         "--pole", "mediterranee", "--name", "Agent Méditerranée", "--password-stdin"],
        input=PASSWORD + "\n", text=True, check=True, cwd=ROOT, env=env, capture_output=True,
    )  # fmt: skip
    with serve_app(data_dir, SPPE_TODAY=TODAY.isoformat(), SPPE_AUTH_MODE="local") as url:
        yield url


def choose(page, label: str, option: str) -> None:
    """Picks an option of a Streamlit select box by its label."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_sign_in_log_an_activity_and_see_the_figure_move(local_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 2400}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{local_server}/?annee=2026")
        page.get_by_text("Connexion").first.wait_for(timeout=30_000)
        page.get_by_label("Identifiant").fill("agent.med")
        page.get_by_label("Mot de passe").fill("faux mot de passe")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("identifiant ou mot de passe incorrect", exact=False).first.wait_for(
            timeout=30_000
        )
        page.screenshot(path=str(SCREENSHOTS / "connexion.png"), full_page=True)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_text("Synthèse des indicateurs").wait_for(timeout=30_000)
        # A pôle user starts on its pôle: Méditerranée has the fixture's 3 suivis IDA of
        # 2026, on its share of the mission's target of 200.
        assert "pole=mediterranee" in page.url
        page.get_by_text("3 réalisés sur", exact=False).first.wait_for(timeout=30_000)

        page.get_by_role("link", name="Saisie de l'activité").click()
        page.get_by_text("Vous saisissez pour : pôle Méditerranée").wait_for(timeout=30_000)
        choose(
            page,
            "Type d'activité",
            "Suivi IDA d'un EAJE en difficulté (diagnostic et plan d'action)",
        )
        page.get_by_text("Type d'équipement").first.wait_for(timeout=30_000)
        choose(page, "Statut", "Réalisée")
        page.get_by_label("Jours passés").fill("0,5")  # a French decimal comma
        # Streamlit's English hint under a box being typed in is not shown.
        page.wait_for_timeout(300)
        assert not page.get_by_text("Press Enter", exact=False).first.is_visible()
        page.get_by_label("Commentaire", exact=False).fill(
            "<b>pas du HTML</b> **ni du markdown** 😀"
        )
        page.get_by_role("button", name="Enregistrer l'activité").click()
        page.get_by_text("Activité enregistrée", exact=False).wait_for(timeout=30_000)
        page.get_by_role("tab", name="Mes saisies récentes").click()
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "saisie.png"), full_page=True)

        page.get_by_role("link", name="Synthèse").click()
        page.get_by_text("4 réalisés sur", exact=False).first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "synthese_apres_saisie.png"), full_page=True)
        assert "Traceback" not in page.inner_text("body")
    finally:
        context.close()
