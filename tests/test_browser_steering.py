"""Real browser on the steering pages (tiny data set): each page opens from the menu,
shows its figures without an error, and is captured in build/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.browser
PlaywrightTimeout = pytest.importorskip("playwright.sync_api").TimeoutError

PAGES = [
    # (menu label, page heading, text that proves the figures are there, screenshot)
    ("Indicateurs", "Explorateur des indicateurs", "Détail des activités", "indicateurs"),
    ("COPIL stratégique", "COPIL stratégique", "Les six indicateurs cumulent", "copil"),
    ("Comité opérationnel", "Comité opérationnel", "Réalisées dans le mois", "comite_operationnel"),
    ("Contrôles", "Contrôles : résultats et partenaires", "Sous surveillance : 2", "controles"),
    ("Ressources", "Ressources des pôles", "Écart au plan par ligne de financement", "ressources"),
    ("Saisines", "Saisines des Caf", "Forfait par intervention", "saisines"),
    ("Glossaire", "Glossaire des indicateurs", "Indicateurs ciblés", "glossaire"),
]


def open_from_menu(browser, url: str, menu: str, heading: str):
    page = browser.new_page(viewport={"width": 1440, "height": 2400}, locale="fr-FR")
    page.goto(f"{url}/?annee=2026")
    page.get_by_text("Synthèse des indicateurs").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text(menu, exact=True).click()
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    return page


def wait_until_idle(page) -> None:
    """Waits for the script run to finish (the "running" widget goes away), then lets
    the charts and tables finish their first paint."""
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)
    page.wait_for_timeout(2500)


@pytest.mark.parametrize(("menu", "heading", "proof", "shot"), PAGES)
def test_steering_page_in_a_browser(server, browser, menu, heading, proof, shot):
    page = open_from_menu(browser, server, menu, heading)
    # Generous: the explorer draws a dozen charts, slow on a busy 2-core machine.
    page.get_by_text(proof, exact=False).first.wait_for(timeout=90_000)
    wait_until_idle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=True)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert "erreur inattendue" not in body
    page.close()


def test_click_on_a_bar_drills_down_to_the_activities(server, browser):
    page = open_from_menu(browser, server, "Indicateurs", "Explorateur des indicateurs")
    page.get_by_text("Détail des activités").first.wait_for(timeout=60_000)
    wait_until_idle(page)  # the chart must be drawn before it can be clicked
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot g.point path').length > 6", timeout=60_000
    )
    # The stacked bars of every activity kind by pôle: the chart whose title says so.
    find = """() => [...document.querySelectorAll('.js-plotly-plot')].findIndex(
        (el) => (el.querySelector('.gtitle') || {}).textContent?.includes(
            'Activités réalisées par pôle'))"""
    page.wait_for_function(f"({find})() >= 0", timeout=90_000)
    index = page.evaluate(find)
    assert index >= 0, "graphique des activités par pôle introuvable"
    bar = page.locator(".js-plotly-plot").nth(index).locator("g.point path").first
    note = page.get_by_text("Sélection du graphique")
    for _ in range(3):  # a click during a chart redraw can be lost on a busy machine
        bar.click(force=True, timeout=30_000)
        try:
            note.wait_for(timeout=30_000)
            break
        except PlaywrightTimeout:
            page.screenshot(path=str(SCREENSHOTS / "indicateurs_clic_retry.png"), full_page=True)
            wait_until_idle(page)
    note.wait_for(timeout=30_000)
    # Fixture 2026, first bar: contrôle sensible in Centre-Est-ARA (A06 only). The year
    # chosen before the menu click must survive it: a reset to 2027 leaves no bar at all.
    assert "Contrôle sensible · Centre-Est-ARA" in note.inner_text()
    page.get_by_text("1 activité(s) affichée(s)").wait_for(timeout=30_000)
    page.close()
