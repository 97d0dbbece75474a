"""Real browser: click the download buttons and check the files received."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.test_browser import CHROMIUM_ARGS, ROOT, SCREENSHOTS, free_port
from tests.tiny import TODAY, write_tiny_extracts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium):
    data_dir = write_tiny_extracts(tmp_path_factory.mktemp("exports") / "data")
    port = free_port()
    env = {
        **os.environ,
        "SPPE_DATA_DIR": str(data_dir),
        "SPPE_TODAY": TODAY.isoformat(),
        "SPPE_DEMO_ROLE": "cnaf",  # exports are a right of the cnaf role
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("Streamlit n'a pas démarré en 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page(server, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        pg = browser.new_page(
            viewport={"width": 1440, "height": 2400}, locale="fr-FR", accept_downloads=True
        )
        yield pg
        browser.close()


def download(page, button, tmp_path) -> tuple[str, bytes]:
    with page.expect_download(timeout=60_000) as info:
        button.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return info.value.suggested_filename, target.read_bytes()


def test_chart_png_and_table_csv_downloads(server, page, tmp_path):
    page.goto(f"{server}/?annee=2026")
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
    assert rows[1] == ["janvier 2026", "1", "1", "2,5"]
    assert rows[2][:3] == ["février 2026", "", ""]  # after today: no figure yet
    assert len(rows) == 13
    assert "Traceback" not in page.inner_text("body")


def test_deck_page_builds_and_downloads_pdf(server, page, tmp_path):
    page.goto(f"{server}/dossier-copil")
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
    # Title, 6 indicators, pôle table, COPIL summary and gaps, pôle map.
    assert len(reader.pages) == 11
    text = reader.pages[3].extract_text().replace("\n", " ")
    assert "Janvier 2026 — réalisé : 3 contrôles, pour une cible de 4,2" in text
    assert "Traceback" not in page.inner_text("body")
