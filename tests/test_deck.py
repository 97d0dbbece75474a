"""The committee deck, opened with real readers: python-pptx, pypdf, PIL.
Figures worked out by hand from tests/tiny.py (today 2026-01-31; January 2026 target of
the contrôles sensibles = 50 x 31/365 = 4.25; realised 3; December 2025: 1)."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from exports import deck as deck_module
from exports.deck import Slide, build_deck, indicator_sentence
from sppe_cli.main import main as sppe_main
from sppe_data.period import parse_period

INDICATOR_TITLES = [
    "Audits terrain (tests de protocoles ou d'outils)",
    "Contrôles en appui des plans de contrôle départementaux",
    "Contrôles sensibles",
    "Contrôles de partenaires multi-départementaux",
    "Études au titre du consulting",
    "Suivis au titre de la démarche IDA",
]


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def all_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(c.text for r in shape.table.rows for c in r.cells)
    return "\n".join(parts)


def test_sentence_from_the_figures():
    row = {
        "realised_count": 3,
        "previous_realised_count": 1,
        "target_count": 50 * 181 / 365,  # 24.79
        "expected_count": 50 * 31 / 365,  # 4.25
        "achieved_share": 3 / (50 * 181 / 365),  # 12 %
        "pace_ratio": 3 / (50 * 31 / 365),  # 71 %
        "pace_status": "behind",
    }
    text = indicator_sentence(row, parse_period("2026-S1"), date(2026, 1, 31), "contrôles")
    assert text == (
        "1er semestre 2026 — réalisé : 3 contrôles, pour une cible de 24,8 sur la période"
        " (12\u00a0% atteint). Attendu au 31/01/2026 : 4,2, soit un rythme de 71\u00a0%"
        " (en retard). Période précédente (2e semestre 2025) : 1, soit +2."
    )


def test_deck_month_all_poles(tiny_data, chromium):
    steps = []
    deck = build_deck(parse_period("2026-01"), "all", progress=lambda f, t: steps.append(f))
    assert steps[0] < steps[-1] == 1.0 and steps == sorted(steps)

    prs = Presentation(io.BytesIO(deck.pptx))
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9
    slides = list(prs.slides)
    # Title, six indicators, the pôle table, the COPIL view (2 slides), the pôle map, the
    # committee's governance (orientations, milestones, experiments, COPIL actions and
    # decisions, operational committees' actions).
    assert len(slides) == deck.slide_count == 1 + 6 + 1 + 2 + 1 + 6
    titles = [s.shapes.title.text for s in slides]
    assert titles == [
        "Comité de pilotage – mission SPPE",
        *INDICATOR_TITLES,
        "Pôle par pôle",
        "Synthèse factuelle du semestre",
        "Les plus grands écarts à l'attendu",
        "Carte des pôles",
        "Orientations de l'année",
        "Plan de travail : jalons",
        "Expérimentations",
        "Actions ouvertes du COPIL",
        "Décisions du dernier COPIL",
        "Actions ouvertes des comités opérationnels",
    ]
    first = all_text(slides[0])
    assert "Tous les pôles · janvier 2026" in first
    assert "Données au 31/01/2026" in first
    for slide in slides[1:7]:
        (picture,) = pictures(slide)
        assert Image.open(io.BytesIO(picture.image.blob)).size == (1920, 1080)
    sensibles = all_text(slides[3])
    assert "Janvier 2026 — réalisé : 3 contrôles, pour une cible de 4,2" in sensibles
    assert "Période close : rythme de 71\u00a0% (en retard)" in sensibles
    assert "Période précédente (décembre 2025) : 1, soit +2." in sensibles
    table = all_text(slides[7])
    # idf_hdf, contrôles sensibles: 2 of 50 x 0.22 x 31/365 = 0.93 -> on track.
    assert "✔ 2 / 0,9" in table
    assert not pictures(slides[7])
    # 1st semester 2026 at 31/01: every mission indicator is below 80 % of its pace
    # (audits 1 / 2,5; sensibles 3 / 4,2; IDA 3 / 17,0; the others 0 or 1 / 12,7).
    assert "6 en retard" in all_text(slides[8])
    # Largest gap: contrôles en appui, Centre-Est, 60 x 31/365 = 5,1 expected, none done.
    gaps = all_text(slides[9])
    assert gaps.index("Centre-Est-ARA") < gaps.index("IDF-HDF")
    assert "5,1" in gaps and "4,7" in gaps  # IDF-HDF: 55 x 31/365
    (map_picture,) = pictures(slides[10])
    assert Image.open(io.BytesIO(map_picture.image.blob)).size == (1920, 1080)
    # 12 mainland départements in Nouvelle-Aquitaine; 5 overseas ones in insets.
    assert "12 départements" in all_text(slides[10])
    assert "5 départements d'outre-mer" in all_text(slides[10])

    reader = PdfReader(io.BytesIO(deck.pdf))
    assert len(reader.pages) == 17
    pages = [p.extract_text() for p in reader.pages]
    assert "Contrôles sensibles" in pages[3]
    assert "réalisé : 3 contrôles, pour une cible de 4,2" in pages[3].replace("\n", " ")
    assert "2 / 0,9" in pages[7]
    (map_image,) = reader.pages[10].images  # the PNG stored as an RGB image
    assert map_image.image.size == (1920, 1080)
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert float(width) / float(height) == pytest.approx(16 / 9, rel=1e-3)


def test_deck_one_pole_and_extra_slides(tiny_data, chromium, monkeypatch):
    png = io.BytesIO()
    Image.new("RGB", (1600, 900), "white").save(png, format="PNG")

    def map_slides(ctx):
        return [Slide(title="Carte des pôles", subtitle=ctx.scope, image=png.getvalue())]

    monkeypatch.setattr(deck_module, "EXTRA_SLIDES", [map_slides])
    deck = build_deck(parse_period("2026-S1"), "idf_hdf", with_pdf=False)
    assert deck.pdf is None
    slides = list(Presentation(io.BytesIO(deck.pptx)).slides)
    assert len(slides) == 9
    assert slides[8].shapes.title.text == "Carte des pôles"
    assert len(pictures(slides[8])) == 1
    assert "Île-de-France – Hauts-de-France, 1er semestre 2026" in all_text(slides[8])
    table = all_text(slides[7])
    assert "IDF-HDF" in table and "Mission" in table and "Méditerranée" not in table


def test_cli_deck(tiny_data, chromium, tmp_path, capsys):
    out = tmp_path / "copil.pptx"
    rc = sppe_main(["deck", "--period", "2026-S1", "--pole", "all", "--out", str(out), "--pdf"])
    assert rc == 0
    assert len(Presentation(str(out)).slides) == 17
    assert len(PdfReader(str(tmp_path / "copil.pdf")).pages) == 17
    assert "17 diapositives" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-S3", "--pole", "all"], "Période invalide"),
        (["--period", "2026", "--pole", "nord"], "pôle inconnu"),
    ],
)
def test_cli_deck_bad_input(tiny_data, tmp_path, capsys, args, message):
    out = tmp_path / "copil.pptx"
    assert sppe_main(["deck", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_deck_page_builds_with_progress(tiny_data, chromium):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["demo_role"] = "cnaf"  # the deck is a cnaf / admin page
    at.run()
    at.switch_page("app_pages/dossier_copil.py")
    at.run()
    assert at.title[0].value == "Dossier COPIL"
    at.selectbox(key="copil_semester").set_value(2)  # 2nd semester 2026: not started
    at.button(key="copil_build").click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("Dossier prêt : 17 diapositives")
    deck = at.session_state["copil_deck"][2]
    slides = list(Presentation(io.BytesIO(deck.pptx)).slides)
    assert "2e semestre 2026 : la période n'a pas commencé." in all_text(slides[3])
    assert "2e semestre 2026" in all_text(slides[0])


def test_column_widths_follow_the_texts():
    from exports.deck import column_widths

    table = pl.DataFrame({"Pôle": ["IDF-HDF"], "Indicateur": ["Contrôles sensibles " * 3]})
    widths = column_widths(table, 12.0)
    assert sum(widths) == pytest.approx(12.0)
    # "IDF-HDF": its longest word, 7 characters + 1 at 11 per inch, + 0.2 in of margins;
    # the long text takes the rest.
    assert widths[0] == pytest.approx(8 / 11 + 0.2)
    assert column_widths(pl.DataFrame({"Constat": ["x"]}), 12.3) == [pytest.approx(12.3)]


def test_no_date_or_header_word_is_broken_beside_a_long_text():
    from exports.deck import column_widths

    table = pl.DataFrame({
        "Jalon": ["Couvrir les 13 Caf du pôle par au moins un contrôle " * 3],
        "Semestre": ["1er semestre"], "Échéance": ["31/10/2026"], "Statut": ["En cours"],
        "Responsable": ["Direction de la Caf pivot"], "En retard": ["Oui"],
    })  # fmt: skip
    widths = dict(zip(table.columns, column_widths(table, 12.3), strict=True))
    # Longest word + 1 character at 11 per inch, + 0.2 in: "31/10/2026" (10), "Responsable"
    # (11), "Semestre" (8), "Statut" (6), "retard" (6).
    assert widths["Échéance"] >= 11 / 11 + 0.2 - 1e-9
    assert widths["Responsable"] >= 12 / 11 + 0.2 - 1e-9
    assert widths["Semestre"] >= 9 / 11 + 0.2 - 1e-9
    assert widths["Jalon"] == max(widths.values())


def test_static_pole_map_keeps_every_pole_and_its_area(tiny_data):
    # The map of the deck is drawn from simplified, projected boundaries: every
    # département stays, each pôle keeps its area within 1 % and its shape, for a
    # fraction of the vertices.
    import shapely

    from charts.pole_map import export_geometries, mercator, pole_map_figure
    from geo import boundaries
    from sppe_data import territory

    layout = boundaries.national_layout(screen=True)
    simple = export_geometries(layout)
    full = shapely.transform(layout.geometry.values, mercator)
    assert len(simple) == len(full) == 101
    assert all(g.is_valid and not g.is_empty for g in simple)
    assert sum(shapely.get_num_coordinates(simple)) < 0.7 * sum(shapely.get_num_coordinates(full))
    poles = layout["pole_code"].to_numpy()
    for pole in set(poles):
        mine = poles == pole
        before = shapely.union_all(full[mine])
        after = shapely.union_all([g for g, m in zip(simple, mine, strict=True) if m])
        assert after.area == pytest.approx(before.area, rel=0.01), pole
        # Shape kept: the symmetric difference is a thin band along the borders.
        assert shapely.symmetric_difference(before, after).area < 0.03 * before.area

    departements = territory.departement_map(2026, "all")
    fig = pole_map_figure(layout, departements, "Carte", "")
    filled = [t for t in fig.data if t.fill == "toself"]
    assert [t.name for t in filled] == [t.name for t in fig.data if t.showlegend is None][:5]
    for trace in filled:
        pole = departements.filter(departements["pole_label"] == trace.name)
        # One closed ring at least per département, rings separated by a gap.
        assert sum(x is None for x in trace.x) >= pole.height > 0
    (pivots,) = [t for t in fig.data if t.name == "Caf pivot"]
    assert len(pivots.x) == departements["is_pivot"].sum()


def test_a_semester_deck_shows_the_figures_of_the_copil_page(tiny_data):
    """For a semester, each indicator slide and the pôle table say what the COPIL page
    says for the same semester and scope (its query, a second route to the figures):
    realised in the semester and since 1 January, annual target, expected, pace status."""
    from charts.copil import copil_matrix
    from exports.deck import collect, plan
    from sppe_data import fmt, steering
    from sppe_data.labels import PACE_STATUS

    for pole in ("all", "mediterranee"):
        slides = plan(collect(parse_period("2026-S1"), pole))
        page = steering.copil_semester(2026, 1).filter(pl.col("pole_code") == pole)
        labels = set(page["indicator_label"])
        shown = {s.title: dict(s.facts) for s in slides if s.title in labels}
        assert len(shown) == len(labels) == 6
        for row in page.iter_rows(named=True):
            facts = shown[row["indicator_label"]]
            assert facts["Réalisé au 1er semestre 2026"] == fmt.number(
                row["semester_realised_count"]
            )
            assert facts["Réalisé depuis le 1er janvier"] == fmt.number(row["year_realised_count"])
            assert facts["Cible annuelle"] == fmt.number(row["target_count"], 1)
            assert PACE_STATUS[row["pace_status"]].label in facts["Rythme"]
        [table] = [s.table for s in slides if s.title == "Pôle par pôle"]
        matrix = copil_matrix(steering.copil_semester(2026, 1))
        if pole != "all":
            matrix = matrix.filter(pl.col("Pôle").is_in(table["Pôle"].to_list()))
        # Each cell of the slide: status symbol, realised / target of the page's matrix.
        symbols = {f"{s.symbol} {s.label}": s.symbol for s in PACE_STATUS.values()}
        assert table["Pôle"].to_list() == matrix["Pôle"].to_list()
        for name in [c for c in table.columns if c != "Pôle"]:
            expected = [
                f"{symbols[s]} {fmt.number(r)} / {fmt.smart(t)}"
                for s, r, t in matrix.select(
                    f"{name} · Statut", f"{name} · Réalisé", f"{name} · Cible annuelle"
                ).rows()
            ]
            assert table[name].to_list() == expected
    # Tiny data, mission, contrôles sensibles: A01, A02, A06 in January 2026 (3 in the
    # semester and since 1 January); S2 2025: A05 (1).
    mission = {s.title: dict(s.facts) for s in plan(collect(parse_period("2026-S1"), "all"))}
    facts = mission["Contrôles sensibles"]
    assert facts["Réalisé au 1er semestre 2026"] == "3"
    assert facts["Semestre précédent (2e semestre 2025)"] == "1 (+2)"
