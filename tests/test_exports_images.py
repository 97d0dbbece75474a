"""Chart images through the shared Chromium: sizes, framing text, formats."""

from __future__ import annotations

import io
from datetime import date

import plotly.graph_objects as go
import pytest
from PIL import Image
from pypdf import PdfReader

from charts import theme
from exports import images

TITLE = "Contrôles sensibles : réalisé"
SCOPE = "Méditerranée, 1er semestre 2026"


def figure() -> go.Figure:
    fig = go.Figure(layout=dict(template=theme.template()))
    fig.add_bar(x=["janv.", "févr."], y=[3, -1], name="Réalisé")
    return fig


def render(fmt: str) -> bytes:
    return images.figure_to_image(
        figure(), fmt, TITLE, SCOPE, "activités réalisées", date(2026, 11, 26)
    )


def test_framed_figure_carries_title_scope_source_date():
    fig = figure()
    framed = images.framed(fig, TITLE, SCOPE, "activités réalisées", date(2026, 11, 26))
    assert framed.layout.title.text == TITLE
    assert framed.layout.title.subtitle.text == SCOPE
    assert (framed.layout.width, framed.layout.height) == (1280, 720)
    assert framed.layout.annotations[-1].text == (
        "Source : activités réalisées · Données au 26/11/2026"
    )
    assert framed.layout.template.layout.separators == ", "  # the on-screen template
    assert fig.layout.title.text is None  # the original is untouched


def test_png_is_16_9_presentation_size(chromium):
    data = render("png")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (1920, 1080)


def test_svg_contains_the_framing_text(chromium):
    text = render("svg").decode("utf-8")
    assert text.lstrip().startswith("<svg")
    assert "Contrôles sensibles : réalisé" in text
    assert "Méditerranée, 1er semestre 2026" in text
    assert "Données au 26/11/2026" in text


def test_pdf_is_one_page_with_the_text(chromium):
    reader = PdfReader(io.BytesIO(render("pdf")))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Contrôles sensibles" in text
    assert "26/11/2026" in text


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format d'image inconnu"):
        images.figure_to_image(figure(), "gif", TITLE, SCOPE, "x", None)


def test_no_chromium_gives_a_french_message(monkeypatch):
    monkeypatch.setattr(images, "chromium_path", lambda: None)
    with pytest.raises(images.ImageExportError, match="Chromium"):
        render("png")


def test_concurrent_exports_share_one_chromium(chromium):
    # Sessions export at the same time: each gets its own, whole image.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(render, ["png", "svg", "png", "pdf", "png"]))
    assert [Image.open(io.BytesIO(r)).size for r in (results[0], results[2], results[4])] == [
        (1920, 1080)
    ] * 3
    assert results[1].lstrip().startswith(b"<svg")
    assert results[3].startswith(b"%PDF")


def test_many_figures_in_one_batch_keep_order_and_sizes(chromium):
    images.clear_cache()
    line = go.Figure(layout=dict(template=theme.template()))
    line.add_scatter(x=[1, 2, 3], y=[2, 1, 3], name="Trajectoire")
    requests = [
        (figure(), "png", TITLE, SCOPE, "activités réalisées", date(2026, 11, 26)),
        (line, "svg", "Courbe", SCOPE, "activités réalisées", None),
        (line, "png", "Courbe", SCOPE, "activités réalisées", None),
        (figure(), "png", TITLE, SCOPE, "activités réalisées", date(2026, 11, 26)),
    ]
    results = images.figures_to_images(requests)
    assert len(results) == 4
    assert [Image.open(io.BytesIO(results[i])).size for i in (0, 2, 3)] == [(1920, 1080)] * 3
    assert b"Courbe" in results[1]
    assert results[0] == results[3]  # the same request gives the same image
    assert results[0] != results[2]
    # One export of a figure of the batch gives that very image (from the cache or not).
    assert images.figure_to_image(*requests[2]) == results[2]


def test_batch_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="format d'image inconnu"):
        images.figures_to_images(
            [(figure(), "png", TITLE, SCOPE, "x", None), (figure(), "gif", TITLE, SCOPE, "x", None)]
        )


def test_render_failure_gives_a_french_message(chromium, monkeypatch):
    images.clear_cache()

    def broken(self, jobs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(images._Engine, "render", broken)
    with pytest.raises(images.ImageExportError, match="n'a pas pu être produite"):
        render("png")
    images.stop()
