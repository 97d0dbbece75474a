"""Real browser: the app served by Streamlit, opened in Debian's Chromium (Playwright)."""

from __future__ import annotations

import pytest

from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.browser


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1440, "height": 2400}, locale="fr-FR")
    page.goto(url)
    page.get_by_text("Synthèse des indicateurs").wait_for(timeout=30_000)
    return page


def test_synthese_shows_kpis_and_chart(server, browser):
    page = open_page(browser, f"{server}/?annee=2026")
    # Mission 2026 in the fixture: 3 contrôles sensibles on a target of 50.
    card = page.get_by_text("3 réalisés sur 50", exact=False)
    card.first.wait_for(timeout=30_000)
    assert card.first.is_visible()
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=30_000)
    assert plot.is_visible()
    assert plot.bounding_box()["height"] > 200
    page.wait_for_timeout(800)  # let the chart finish its first paint
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "synthese.png"), full_page=True)
    assert "Traceback" not in page.inner_text("body")
    page.close()


def test_url_opens_the_same_view(server, browser):
    page = open_page(browser, f"{server}/?annee=2026&pole=idf_hdf")
    page.get_by_text("2 réalisés sur 11", exact=False).first.wait_for(timeout=30_000)
    assert page.get_by_text("Île-de-France – Hauts-de-France · année 2026").first.is_visible()
    page.close()


def test_data_page(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1800}, locale="fr-FR")
    page.goto(f"{server}/donnees")
    page.get_by_text("Toutes les extractions sont présentes").wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "donnees.png"), full_page=True)
    # The table's own toolbar (« Search », « Fullscreen », « Download as CSV », in
    # English) stays hidden on hover: the downloads are the app's (French,
    # formula-guarded, for the export roles).
    page.locator("[data-testid='stDataFrame']").first.hover()
    toolbar = page.locator("[data-testid='stElementToolbar']").first
    toolbar.wait_for(state="attached", timeout=30_000)
    assert toolbar.evaluate("e => getComputedStyle(e).display") == "none"
    page.close()


def test_a_shared_link_opens_the_page_with_its_filters(server, browser):
    """A link straight to a page (not the landing one) goes through the router: the
    menu, the filters of the link and the page itself."""
    page = browser.new_page(viewport={"width": 1440, "height": 1600}, locale="fr-FR")
    page.goto(
        f"{server}/indicateurs?annee=2025&pole=atlantique&periode=1er+semestre&ventilation=Mois"
    )
    page.get_by_text("Explorateur des indicateurs").wait_for(timeout=30_000)
    # The link's filters reach the page: the charts are those of Atlantique in 2025, and
    # the page's own filters (period, breakdown) are those of the link too.
    page.get_by_text("Atlantique, année 2025").first.wait_for(timeout=30_000)
    page.get_by_text("Activités réalisées par mois").first.wait_for(timeout=30_000)
    page.get_by_text("Atlantique, 1er semestre 2025").first.wait_for(timeout=30_000)
    # A filter changed on the page goes into the address, to be shared.
    page.get_by_label("Période", exact=True).first.click()
    page.get_by_role("option", name="2e semestre", exact=True).click()
    page.wait_for_url("**periode=2e*", timeout=30_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Synthèse", exact=True).first.is_visible()
    # No raw file names in the menu (the old-style pages folder mode).
    assert sidebar.get_by_text("comite operationnel", exact=True).count() == 0
    assert "Traceback" not in page.inner_text("body")
    page.close()
