"""AppTest: every page runs without exception; the Synthèse figures are the fixture's."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from ui import navigation

APP = "../app.py"  # AppTest resolves paths against this file
PAGES = [spec.path for spec in navigation.PAGES]


def role_for(path: str) -> str:
    """A demo role that may open the page (reader when every role may)."""
    spec = next(s for s in navigation.PAGES if s.path == path)
    return "reader" if not spec.roles or "reader" in spec.roles else sorted(spec.roles)[0]


def run(
    pole: str | None = None,
    year: str | None = None,
    page: str | None = None,
    role: str | None = None,
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if page or role:
        at.session_state["demo_role"] = role or role_for(page)
        at.session_state["demo_pole"] = "idf_hdf"
    if pole:
        at.session_state["pole"] = pole
    if year:
        at.session_state["annee"] = year
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def kpi_texts(at: AppTest) -> list[str]:
    """The big-figure line of each KPI card, tags removed."""
    texts = [re.sub(r"<[^>]+>", "", m.value) for m in at.markdown]
    return [t for t in texts if "réalisés sur" in t]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(tiny_data, page):
    at = run(page=page)
    assert at.title[0].value


def test_synthese_mission_figures(tiny_data):
    at = run(year="2026")
    assert at.title[0].value == "Synthèse des indicateurs"
    kpis = kpi_texts(at)
    assert len(kpis) == 6
    # Mission 2026 (tests/tiny.py): audits 1/30, contrôles sensibles 3/50, suivis IDA 3/200.
    assert kpis[0].startswith("1 réalisés sur 30")
    assert kpis[2].startswith("3 réalisés sur 50")
    assert kpis[5].startswith("3 réalisés sur 200")
    assert "situation au **31 janvier 2026**" in at.markdown[0].value


def test_synthese_one_pole(tiny_data):
    at = run(pole="idf_hdf", year="2026")
    kpis = kpi_texts(at)
    # Île-de-France - Hauts-de-France: 2 contrôles sensibles of a 11 target (50 x 22 %).
    assert kpis[2].startswith("2 réalisés sur 11")
    # st.badge renders as markdown (":green-badge[...]"): text and colour together.
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == 6
    assert badges[2] == ":green-badge[✔ Dans la trajectoire]"


def test_synthese_chart_and_its_table(tiny_data):
    at = run(year="2026")
    at.selectbox(key="indicateur").set_value("controles_sensibles").run()
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    names = [trace["name"] for trace in spec["data"]]
    assert names[:3] == ["Réalisé dans le mois", "Trajectoire cible (cumul)", "Réalisé (cumul)"]
    cumulative = spec["data"][2]
    assert cumulative["y"] == [3]  # January only: today is 31 January
    tables = at.dataframe
    monthly = tables[-1].value
    assert [m.date() for m in monthly["Mois"][:2]] == [date(2026, 1, 1), date(2026, 2, 1)]
    assert monthly["Réalisé (cumul)"][0] == 3


def test_missing_data_shows_french_message_not_a_trace(empty_data):
    at = run()
    warnings = [w.value for w in at.warning]
    assert any(
        w.startswith("Données indisponibles") and "introuvable" in w and "extracts/activities/" in w
        for w in warnings
    )
    assert kpi_texts(at) == []  # no figure computed on missing data (tests/test_availability.py)


def test_bad_query_parameters_fall_back_to_defaults(tiny_data):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["annee"] = "1999<script>"
    at.query_params["pole"] = "'; drop table activities; --"
    at.run()
    assert not at.exception
    assert len(kpi_texts(at)) == 6


def test_a_pole_user_starts_on_its_pole_and_a_link_comes_first(tiny_data):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["demo_role"] = "pole"
    at.session_state["demo_pole"] = "mediterranee"
    at.run()
    assert at.session_state["pole"] == "mediterranee"
    assert at.query_params["pole"] in ("mediterranee", ["mediterranee"])
    at.selectbox(key="pole").set_value("all").run()  # may still look at the whole mission
    assert at.session_state["pole"] == "all"
    linked = AppTest.from_file(APP, default_timeout=30)
    linked.session_state["demo_role"] = "pole"
    linked.session_state["demo_pole"] = "mediterranee"
    linked.query_params["pole"] = "atlantique"
    linked.run()
    assert linked.session_state["pole"] == "atlantique"
    cnaf = AppTest.from_file(APP, default_timeout=30)
    cnaf.session_state["demo_role"] = "cnaf"
    cnaf.run()
    assert cnaf.session_state["pole"] == "all"


def test_readers_get_no_downloads(tiny_data):
    # Exports are a right of the cnaf and admin roles; the committee reads on screen.
    at = run(year="2026", role="reader")
    assert len(at.get("download_button")) == 0
    assert len(at.get("plotly_chart")) == 1


def test_chart_box_offers_image_and_table_downloads(tiny_data):
    at = run(year="2026", role="cnaf")
    keys = {element.proto.id for element in at.get("download_button")}
    labels = [element.proto.label for element in at.get("download_button")]
    assert len(keys) == len(labels)
    # Trajectory chart: PNG, SVG, PDF and its table's CSV, Excel; the two tables: CSV, Excel.
    from exports import images

    image_labels = ["PNG", "SVG", "PDF"] if images.available() else []
    assert sorted(labels) == sorted(image_labels + ["CSV", "Excel"] * 3)


@pytest.mark.parametrize(
    ("page", "tables"),
    [
        ("app_pages/saisines.py",
         ["delays_pole", "routing_rules", "delays_priority", "delays_caf"]),
        ("app_pages/copil.py", ["copil_matrix", "copil_moves"]),
        ("app_pages/ressources.py", ["staff_jobs", "staff_plan", "staff_positions"]),
    ],
)  # fmt: skip
def test_every_table_has_its_french_downloads_for_the_export_roles(tiny_data, page, tables):
    """Each table of the page has a CSV and an Excel download for the cnaf; a reader gets
    none."""
    at = run(year="2026", page=page, role="cnaf")
    keys = {e.proto.id for e in at.get("download_button")}
    for table in tables:
        for kind in ("csv", "xlsx"):
            assert any(f"dl_{kind}_{table}" in key for key in keys), (table, kind)
    reader = run(year="2026", page=page, role="reader")
    assert len(reader.get("download_button")) == 0
