"""Real browser: click the download buttons and check the files received."""

from __future__ import annotations

import csv
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.browser import SCREENSHOTS, serve_app
from tests.conftest import migrated
from tests.tiny import TODAY, write_tiny_extracts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def export_server(tmp_path_factory, chromium):
    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("exports") / "data"))
    # Exports are a right of the cnaf role: the demo session starts with it.
    with serve_app(data_dir, SPPE_TODAY=TODAY.isoformat(), SPPE_DEMO_ROLE="cnaf") as url:
        yield url


@pytest.fixture(scope="module")
def page(export_server, browser):
    # A context of its own: this module's downloads and session cookies stay here.
    context = browser.new_context(
        viewport={"width": 1440, "height": 2400}, locale="fr-FR", accept_downloads=True
    )
    yield context.new_page()
    context.close()


def download(page, button, tmp_path) -> tuple[str, bytes]:
    with page.expect_download(timeout=60_000) as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return info.value.suggested_filename, target.read_bytes()


def test_chart_png_and_table_csv_downloads(export_server, page, tmp_path):
    page.goto(f"{export_server}/?annee=2026")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    name, data = download(page, page.locator(".st-key-dl_png_trajectoire button").first, tmp_path)
    assert name.endswith("_2026-01-31.png")
    assert Image.open(io.BytesIO(data)).size == (1920, 1080)
    # The page did not rerun into an error, and still shows its chart.
    assert page.locator(".js-plotly-plot").first.is_visible()

    page.get_by_role("tab", name="Données du graphique").click()
    # The matrix table above has its own CSV button: take the chart box's one.
    name, data = download(page, page.locator(".st-key-dl_csv_trajectoire button").first, tmp_path)
    assert name.endswith(".csv") and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Mois", "Réalisé dans le mois", "Réalisé (cumul)", "Trajectoire cible (cumul)",
    ]  # fmt: skip
    # Audits terrain, mission, January 2026: A12 only; trajectory 30 x 31/365 = 2.5.
    # A month is its first day (a date, as the files keep it typed).
    assert rows[1] == ["01/01/2026", "1", "1", "2,5"]
    assert rows[2][:3] == ["01/02/2026", "", ""]  # after today: no figure yet
    assert len(rows) == 13
    assert "Traceback" not in page.inner_text("body")


def test_deck_page_builds_and_downloads_pdf(export_server, page, tmp_path):
    page.goto(f"{export_server}/dossier-copil")
    page.get_by_text("Un dossier prêt").wait_for(timeout=30_000)
    page.get_by_text("Mois", exact=True).first.click()
    page.get_by_text("Construire le dossier — Tous les pôles, janvier 2026").wait_for()
    page.get_by_role("button", name="Construire le dossier").click()
    page.get_by_text("Dossier prêt :").wait_for(timeout=90_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dossier_copil_tiny.png"), full_page=True)
    name, data = download(page, page.get_by_role("button", name="PDF", exact=True), tmp_path)
    assert name == "dossier-copil_2026-01_all.pdf"
    reader = PdfReader(io.BytesIO(data))
    # Title, 6 indicators, pôle table, COPIL summary and gaps, pôle map, 6 governance slides.
    assert len(reader.pages) == 17
    text = reader.pages[3].extract_text().replace("\n", " ")
    assert "Janvier 2026 — réalisé : 3 contrôles, pour une cible de 4,2" in text
    assert "Traceback" not in page.inner_text("body")
