"""Real browser, cnaf role: on the page « Imports des extractions », a bad activities file
is refused with its report on screen, a good one moves a Synthèse figure at once, and
the rollback (confirmed) brings the figure back."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tests.browser import SCREENSHOTS, serve_app
from tests.conftest import migrated
from tests.tiny import TODAY, activities_frame, write_tiny_extracts

pytestmark = pytest.mark.browser

# Mission 2026 in the fixture: 3 contrôles sensibles (A01, A02, A06) on a target of 50.
BEFORE = "3 réalisés sur 50"
# The good file: the fixture's activities plus two done contrôles sensibles in January.
AFTER = "5 réalisés sur 50"


def french_csv(frame: pl.DataFrame) -> bytes:
    text = frame.write_csv(separator=";", decimal_comma=True, date_format="%d/%m/%Y")
    return text.encode("cp1252")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fichiers")
    frame = activities_frame()
    extra = frame.filter(pl.col("activity_id") == "A01").with_columns(
        pl.lit(date(2026, 1, 20)).alias("activity_on")
    )
    good = pl.concat(
        [frame, extra.with_columns(pl.lit("A98").alias("activity_id")),
         extra.with_columns(pl.lit("A99").alias("activity_id"))]
    )  # fmt: skip
    bad = pl.concat([frame, frame.head(1)])  # A01 twice
    (folder / "bon.csv").write_bytes(french_csv(good))
    (folder / "doublon.csv").write_bytes(french_csv(bad))
    return folder


@pytest.fixture(scope="module")
def cnaf_server(tmp_path_factory, chromium):
    data_dir = migrated(write_tiny_extracts(tmp_path_factory.mktemp("browser_imports") / "data"))
    with serve_app(data_dir, SPPE_TODAY=TODAY.isoformat(), SPPE_DEMO_ROLE="cnaf") as url:
        yield url


def synthese_shows(page, url: str, text: str) -> None:
    page.goto(f"{url}/?annee=2026")
    page.get_by_text("Synthèse des indicateurs").wait_for(timeout=30_000)
    page.get_by_text(text, exact=False).first.wait_for(timeout=30_000)


def import_file(page, path) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Importer").click()


def test_import_bad_then_good_then_roll_back(cnaf_server, browser, files):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="fr-FR")
    try:
        page = context.new_page()
        synthese_shows(page, cnaf_server, BEFORE)

        page.goto(f"{cnaf_server}/imports")
        page.get_by_text("Imports des extractions").first.wait_for(timeout=30_000)
        page.get_by_text("Aucune version importée").wait_for(timeout=30_000)
        # Streamlit's English words of the upload box are replaced (hidden text, French
        # drawn by CSS): the screenshot shows what a user sees.
        # The style and the box arrive in separate messages: wait for the style to apply.
        page.wait_for_function(
            """() => {
                const e = document.querySelector(
                    "[data-testid='stFileUploaderDropzoneInstructions'] span");
                return e !== null && getComputedStyle(e).fontSize === "0px";
            }""",
            timeout=15_000,
        )
        page.screenshot(path=str(SCREENSHOTS / "imports_page.png"), full_page=True)

        import_file(page, files / "doublon.csv")
        page.get_by_text("Import refusé", exact=False).first.wait_for(timeout=60_000)
        page.get_by_text("n'a pas changé", exact=False).first.wait_for(timeout=10_000)
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=10_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "imports_refuse.png"), full_page=True)
        synthese_shows(page, cnaf_server, BEFORE)

        page.goto(f"{cnaf_server}/imports")
        page.get_by_text("Aucune version importée").wait_for(timeout=30_000)
        import_file(page, files / "bon.csv")
        page.get_by_text("Import réussi", exact=False).first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Revenir à la version précédente").wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "imports_reussi.png"), full_page=True)
        synthese_shows(page, cnaf_server, AFTER)
        page.screenshot(path=str(SCREENSHOTS / "imports_synthese_apres.png"), full_page=True)

        page.goto(f"{cnaf_server}/imports")
        page.get_by_role("button", name="Revenir à la version précédente").click()
        page.get_by_text("Remettre en service la version 1", exact=False).wait_for(timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOTS / "imports_confirmation.png"), full_page=True)
        page.get_by_role("button", name="Confirmer le retour arrière").click()
        page.get_by_text("Retour arrière effectué", exact=False).first.wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / "imports_retour_arriere.png"), full_page=True)
        synthese_shows(page, cnaf_server, BEFORE)
        assert "Traceback" not in page.inner_text("body")
    finally:
        context.close()
