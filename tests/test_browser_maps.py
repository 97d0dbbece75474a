"""Real browser: both maps drawn (plotly, SVG) with no network, and the pôle map PNG."""

from __future__ import annotations

import re

import pytest

from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.browser


MAP = "[class*='st-key-map_'] .js-plotly-plot"


def open_map(browser, url: str, wait_text: str):
    page = browser.new_page(viewport={"width": 1440, "height": 2400}, locale="fr-FR")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    base = url.split("/", 3)
    page.goto("/".join(base[:3]) + "/")  # the router first, then the page by its URL
    page.get_by_text("Territoires").first.wait_for(timeout=30_000)
    page.goto(url)
    page.get_by_text(wait_text).first.wait_for(timeout=30_000)
    drawn = page.locator(f"{MAP} .nsewdrag").first
    drawn.wait_for(timeout=30_000)
    return page, drawn, requests


def hover_tip(page, canvas) -> str:
    """The tooltip the map shows with the pointer near its centre: the map answers."""
    box = canvas.bounding_box()
    tip = page.locator(f"{MAP} .hoverlayer .hovertext").first
    for step in range(20):  # a few pixels apart, until the pointer is over a shape
        page.mouse.move(box["x"] + box["width"] * (0.4 + 0.01 * step), box["y"] + box["height"] / 2)
        if tip.count():
            break
        page.wait_for_timeout(100)
    tip.wait_for(state="visible", timeout=30_000)
    return tip.text_content()  # an SVG group: its lines joined


def test_pole_map_in_browser(server, browser):
    page, canvas, requests = open_map(
        browser, f"{server}/carte_poles?annee=2026", "Pôle de rattachement"
    )
    assert canvas.bounding_box()["width"] > 400
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "carte_poles_tiny.png"), full_page=True)
    body = page.inner_text("body")
    assert "Traceback" not in body and "erreur inattendue" not in body
    external = [u for u in requests if not u.startswith((server, "blob:"))]
    # No tile server, no CDN, no web font: the page works with no network at all.
    assert external == []
    assert "Pôle : " in hover_tip(page, canvas)  # a département, picked by its fill
    page.close()


def test_projects_map_in_browser(server, browser):
    page, canvas, requests = open_map(browser, f"{server}/projets", "Carte des projets")
    page.get_by_text("Places décidées").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "projets_tiny.png"), full_page=True)
    external = [u for u in requests if not u.startswith((server, "blob:"))]
    assert external == []
    assert "Traceback" not in page.inner_text("body")
    canvas.scroll_into_view_if_needed()
    assert re.search(r"\(\w+\)", hover_tip(page, canvas))  # « Vienne (86) » or a project
    page.close()


def test_pole_map_png(tiny_data, chromium):
    import io

    from PIL import Image

    from sppe_data import territory
    from ui.maps import pole_map_png

    png = pole_map_png(
        territory.departement_map(2026, "all"),
        "Les pôles de la mission SPPE",
        "Essai",
        "référentiel des pôles",
        None,
    )
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)  # 16:9 for slides
    assert len(png) > 30_000  # a drawn map, not a blank page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "carte_poles_export.png").write_bytes(png)


def test_png_button_on_the_page(tiny_data, chromium):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["demo_role"] = "cnaf"  # exports are a cnaf / admin right
    at.run()
    at.switch_page("app_pages/carte_poles.py")
    at.run()
    assert not at.exception
    assert not at.error
    buttons = [b for b in at.get("download_button") if b.proto.id.endswith("png_dl")]
    assert len(buttons) == 1
    assert buttons[0].proto.label == "Télécharger la carte des pôles (PNG 16:9)"
